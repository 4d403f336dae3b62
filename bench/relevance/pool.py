"""The pool behind holdout.json's version 2: for every holdout query, the top `--depth` answers of
a running server (seed and holdout records) that the judged set does not grade yet, with each
candidate's kind, countries, titles and summary, in alphabetical order (the judge sees no
ranking). A judge grades them by the rules of ../shared/relevance/README.md; the grades join the
set unchanged where one already exists.

    python bench/relevance/pool.py --base-url http://127.0.0.1:8000 --out /tmp/pool.json
"""

from __future__ import annotations

import argparse
import json
import urllib.parse
import urllib.request
from pathlib import Path
from typing import Any

HERE = Path(__file__).parent
PLURAL = {
    "law": "laws",
    "policy": "policies",
    "program": "programs",
    "organization": "organizations",
    "event": "events",
    "publication": "publications",
    "indicator": "indicators",
}
PREFIX = {"law-": "law", "pol-": "policy", "prog-": "program", "org-": "organization"}


def get(url: str) -> Any:
    with urllib.request.urlopen(url, timeout=30) as response:
        return json.load(response)


def describe(base: str, slug: str, kind: str) -> dict[str, Any]:
    record = get(f"{base}/v1/{PLURAL[kind]}/{urllib.parse.quote(slug)}")
    summary = record.get("summary") or record.get("description") or {}
    return {
        "id": slug,
        "kind": kind,
        "countries": record.get("countries"),
        "title": record.get("title") or record.get("name") or {},
        "summary": summary.get("en") or summary.get("ru") or next(iter(summary.values()), ""),
        "acronym": record.get("acronym"),
    }


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--base-url", required=True)
    parser.add_argument("--queries", default=str(HERE / "holdout.json"))
    parser.add_argument("--depth", type=int, default=20)
    parser.add_argument("--out", required=True)
    args = parser.parse_args()
    records: dict[str, dict[str, Any]] = {}
    pool = []
    for q in json.loads(Path(args.queries).read_text(encoding="utf-8"))["queries"]:
        query = urllib.parse.urlencode({"q": q["q"], "limit": args.depth})
        found = get(f"{args.base_url}/v1/search?{query}")
        candidates = {h["slug"]: h["kind"] for h in found["hits"]}
        for slug in q["relevant"]:
            candidates.setdefault(slug, next(k for p, k in PREFIX.items() if slug.startswith(p)))
        for slug, kind in candidates.items():
            if slug not in records:
                records[slug] = describe(args.base_url, slug, kind)
        pool.append(
            {
                "q": q["q"],
                "lang": q["lang"],
                "category": q["category"],
                "already_judged": q["relevant"],
                "to_judge": sorted(s for s in candidates if s not in q["relevant"]),
            }
        )
    Path(args.out).write_text(
        json.dumps({"queries": pool, "records": records}, ensure_ascii=False, indent=1), encoding="utf-8"
    )
    print(f"{len(records)} records, {sum(len(p['to_judge']) for p in pool)} grades to give")


if __name__ == "__main__":
    main()
