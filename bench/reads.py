"""Lists and details through the API against bare FastAPI + asyncpg (bench/bare_reads.py) on the
same database, in one run (issue: reads at the speed of the database).

    .venv/bin/python bench/reads.py [--size 5000] [--requests 300]

A fresh database with the seed and `size` generated records; the API (`migrantkb serve`, one
worker) and the bare app (uvicorn, one worker) side by side; for each route, sequential p50 and
throughput with 16 clients on both. Prints figures; asserts nothing."""

from __future__ import annotations

import argparse
import asyncio
import json
import statistics
import subprocess
import sys
import time
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from app.runtime.meili import free_port  # noqa: E402
from bench.generate import records  # noqa: E402
from bench.search import CLI, bench_stack, concurrent, sequential  # noqa: E402


def wait_up(url: str, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            httpx.get(url, timeout=2)
            return
        except httpx.HTTPError:
            time.sleep(0.2)
    sys.exit(f"{url} never answered")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--size", type=int, default=5000)
    parser.add_argument("--requests", type=int, default=300)
    args = parser.parse_args()
    # Reads only: no vectors computed in the background, and the keyword indexing awaited below.
    with bench_stack(
        "migrantkb_bench_reads", [["migrate"], ["seed"]], {"SEARCH_EMBEDDINGS": "false"}
    ) as stack:
        data = stack.tmp / "records.ndjson"
        data.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records(args.size)))
        subprocess.run([CLI, "import", str(data)], env=stack.env, check=True, capture_output=True)
        port = free_port()
        bare = subprocess.Popen(
            [
                str(ROOT / ".venv/bin/uvicorn"),
                "bench.bare_reads:app",
                "--port",
                str(port),
                "--log-level",
                "warning",
            ],
            env=stack.env,
            cwd=ROOT,
        )
        try:
            bare_base = f"http://127.0.0.1:{port}"
            wait_up(f"{bare_base}/laws")
            wait_up(f"{stack.base}/healthz")
            while httpx.get(f"{stack.base}/readyz").json()["outbox_pending"]:
                time.sleep(1)
            law = httpx.get(f"{stack.base}/v1/laws?limit=1").json()["items"][0]["slug"]
            org = httpx.get(f"{stack.base}/v1/organizations?limit=1").json()["items"][0]["slug"]
            routes = {
                "20 laws": ("/v1/laws?limit=20", "/laws?limit=20"),
                "100 organizations": ("/v1/organizations?limit=100", "/organizations?limit=100"),
                "a law": (f"/v1/laws/{law}", f"/laws/{law}"),
                "an organization": (f"/v1/organizations/{org}", f"/organizations/{org}"),
            }

            async def measure() -> None:
                async with httpx.AsyncClient(timeout=30, limits=httpx.Limits(max_connections=32)) as c:
                    for name, (api_path, bare_path) in routes.items():
                        a_req = [(f"GET {stack.base}{api_path}", {})] * args.requests
                        b_req = [(f"GET {bare_base}{bare_path}", {})] * args.requests
                        await sequential(c, a_req[:20] + b_req[:20])
                        a = await sequential(c, a_req)
                        b = await sequential(c, b_req)
                        at = await concurrent(c, a_req)
                        bt = await concurrent(c, b_req)
                        pa, pb = statistics.median(a), statistics.median(b)
                        print(
                            f"{name:18} p50 API {pa:5.1f} ms, bare {pb:5.1f} ms; 16 clients API "
                            f"{at:5.0f}/s, bare {bt:5.0f}/s ({at / bt:.0%} of bare; target >= 50%)"
                        )

            asyncio.run(measure())
        finally:
            bare.terminate()
            bare.wait()


if __name__ == "__main__":
    main()
