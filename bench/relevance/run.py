"""Relevance on both judged sets against a running server: the shared eval.py on the dev set
(judged over the seed alone, so run this on a base holding the seed and nothing else), then posts
the holdout records through the write API (once; existing slugs are left alone), waits until
search has caught up, and runs eval.py on the holdout set.

    python bench/relevance/run.py --base-url http://127.0.0.1:8000 --api-key mkb_…
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

HERE = Path(__file__).parent
# The shared judged set sits beside the checkout (`../shared/relevance`); a worktree may sit deeper.
SHARED = next(
    (p / "shared" / "relevance" for p in HERE.parents if (p / "shared" / "relevance" / "eval.py").exists()),
    HERE.parents[2] / "shared" / "relevance",
)
PLURAL = {"law": "laws", "policy": "policies", "program": "programs", "organization": "organizations"}


def call(method: str, url: str, key: str, body: dict[str, object] | None = None) -> int:
    data = json.dumps(body).encode() if body is not None else None
    request = urllib.request.Request(url, data=data, method=method)
    request.add_header("Authorization", f"Bearer {key}")
    request.add_header("Content-Type", "application/json")
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return int(response.status)
    except urllib.error.HTTPError as exc:
        return int(exc.code)


def post_records(base: str, key: str) -> None:
    created = 0
    for line in (HERE / "holdout-records.ndjson").read_text(encoding="utf-8").splitlines():
        record = json.loads(line)
        kind = record.pop("kind")
        status = call("POST", f"{base}/v1/{PLURAL[kind]}", key, record)
        if status == 201:
            created += 1
        elif status != 409:
            sys.exit(f"{record['slug']}: HTTP {status}")
    print(f"holdout records posted: {created} new")


def wait_until_searchable(base: str, timeout: float = 600) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with urllib.request.urlopen(f"{base}/readyz", timeout=10) as response:
            ready = json.loads(response.read())
        if ready.get("outbox_pending") == 0 and not ready.get("vector_backlog"):
            return
        time.sleep(1)
    sys.exit("search did not catch up in time")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--base-url", default="http://127.0.0.1:8000")
    parser.add_argument("--api-key", required=True)
    args = parser.parse_args()
    for name, queries in (("dev set", SHARED / "dev.json"), ("holdout set", HERE / "holdout.json")):
        if name == "holdout set":
            post_records(args.base_url, args.api_key)
        wait_until_searchable(args.base_url)
        print(f"\n==== {name}: {queries}")
        subprocess.run(
            [sys.executable, str(SHARED / "eval.py"), "--base-url", args.base_url, "--queries", str(queries)],
            check=True,
        )


if __name__ == "__main__":
    main()
