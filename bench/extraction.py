"""Text extraction on this machine, through the real API, queue, worker and search.

Starts its own Meilisearch, API server and worker on a fresh database (bench/search.py's stack),
then uploads, each to a law of its own:

1. a PDF with a text layer (`--text-pages` pages): pages per second of text-layer extraction;
2. a scanned Russian PDF (`--scan-pages` pages, page images only, text rendered with DejaVu):
   pages per second of OCR, and the time from the upload until a phrase that only page 40 holds
   is found by `GET /v1/search?in=documents` on that page.

Throughout, the memory of the worker and of the processes it starts (the extractor, Tesseract) is
sampled: the peak of the worker alone and of the whole tree at once is printed.

    .venv/bin/python bench/extraction.py [--text-pages 300] [--scan-pages 40]
"""

from __future__ import annotations

import argparse
import contextlib
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any

import httpx
import psutil

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.search import CLI, bench_stack, wait_ready  # noqa: E402
from tests.support import documents  # noqa: E402

PHRASE = "Кыргызстан жарандарынын эмгек укуктары корголот"  # only on the page `--phrase-page`
LEGAL = (
    "Статья закона о внешней трудовой миграции устанавливает права и обязанности работодателя "
    "и работника порядок выдачи разрешения на работу и регистрации по месту пребывания"
)
WORDS = LEGAL.split()


class Sampler:
    """Peak resident memory of a process and of its whole tree, sampled every 50 ms."""

    def __init__(self, pid: int) -> None:
        self.root = psutil.Process(pid)
        self.worker_peak = 0
        self.tree_peak = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        while not self._stop.is_set():
            try:
                own = self.root.memory_info().rss
                tree = own
                for child in self.root.children(recursive=True):
                    with contextlib.suppress(psutil.NoSuchProcess):
                        tree += child.memory_info().rss
            except psutil.NoSuchProcess:
                return
            self.worker_peak = max(self.worker_peak, own)
            self.tree_peak = max(self.tree_peak, tree)
            time.sleep(0.05)

    def __enter__(self) -> Sampler:
        self._thread.start()
        return self

    def __exit__(self, *_: Any) -> None:
        self._stop.set()
        self._thread.join()


def page_text(n: int) -> list[str]:
    """A page of a decree: numbered lines of legal Russian (a scan's 14 lines)."""
    return [
        f"Статья {n}.{i}. " + " ".join(WORDS[(n + i + k) % len(WORDS)] for k in range(6)) for i in range(14)
    ]


def law(api: httpx.Client, editor: dict[str, str], slug: str) -> str:
    body = {
        "slug": slug,
        "title": {"ru": f"Закон {slug}"},
        "instrument_type": "law",
        "status": "in_force",
        "countries": ["KG"],
        "original_language": "ru",
        "publication": "published",
    }
    r = api.post("/v1/laws", json=body, headers=editor)
    r.raise_for_status()
    return f"/v1/laws/{slug}"


def upload(api: httpx.Client, editor: dict[str, str], path: str, name: str, data: bytes) -> tuple[str, float]:
    started = time.monotonic()
    r = api.post(
        f"{path}/attachments", files={"file": (name, data)}, data={"languages": ["ru", "ky"]}, headers=editor
    )
    r.raise_for_status()
    return r.json()["id"], started


def extracted(api: httpx.Client, editor: dict[str, str], path: str, attachment: str) -> dict[str, Any]:
    while True:
        state = api.get(f"{path}/attachments/{attachment}", headers=editor).json()["extraction"]
        if state["state"] in ("done", "failed"):
            if state["state"] == "failed":
                raise RuntimeError(f"extraction failed: {state['error']}")
            return dict(state)
        time.sleep(0.2)


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--text-pages", type=int, default=300)
    parser.add_argument("--scan-pages", type=int, default=40)
    parser.add_argument("--phrase-page", type=int, default=40)
    args = parser.parse_args()
    if args.phrase_page > args.scan_pages:
        parser.error("--phrase-page must be one of the scanned pages")

    print("making the documents …", flush=True)
    text_pdf = documents.text_pdf(["\n".join(page_text(n)) for n in range(1, args.text_pages + 1)])
    scans = [page_text(n) for n in range(1, args.scan_pages + 1)]
    scans[args.phrase_page - 1][7] = PHRASE
    scanned = documents.scanned_pdf(scans)
    print(
        f"  text-layer PDF: {args.text_pages} pages, {len(text_pdf) / 1e6:.1f} MB; "
        f"scanned PDF: {args.scan_pages} pages, {len(scanned) / 1e6:.1f} MB"
    )

    with bench_stack("migrantkb_bench_extraction", [["migrate"]]) as stack:
        made = subprocess.run(
            [CLI, "keys", "create", "--role", "editor", "--name", "bench"],
            env=stack.env,
            check=True,
            capture_output=True,
            text=True,
        )
        editor = {"Authorization": f"Bearer {made.stdout.strip().splitlines()[-1]}"}
        with httpx.Client(base_url=stack.base, timeout=60) as api, Sampler(stack.worker.pid) as memory:
            wait_ready(stack.base)
            path = law(api, editor, "law-bench-text-layer")
            attachment, started = upload(api, editor, path, "text-layer.pdf", text_pdf)
            state = extracted(api, editor, path, attachment)
            took = time.monotonic() - started
            print(
                f"text layer: {state['pages']} pages in {took:.1f} s (upload to done) = "
                f"{state['pages'] / took:.0f} pages/s"
            )

            path = law(api, editor, "law-bench-scanned")
            attachment, started = upload(api, editor, path, "scanned.pdf", scanned)
            found_at = None
            done_at = None
            state = {}
            while found_at is None or done_at is None:
                if found_at is None:
                    r = api.get("/v1/search", params={"q": PHRASE, "in": "documents"})
                    hits = r.json()["hits"]
                    if hits and hits[0]["document"] and hits[0]["document"]["page"] == args.phrase_page:
                        found_at = time.monotonic()
                if done_at is None:
                    state = api.get(f"{path}/attachments/{attachment}", headers=editor).json()["extraction"]
                    if state["state"] == "failed":
                        raise RuntimeError(f"OCR failed: {state['error']}")
                    if state["state"] == "done":
                        done_at = time.monotonic()
                time.sleep(0.2)
                if time.monotonic() - started > 1800:
                    raise RuntimeError("the phrase was never found")
            print(
                f"OCR: {state['ocr_pages']} pages in {done_at - started:.1f} s (upload to done) = "
                f"{state['ocr_pages'] / (done_at - started):.2f} pages/s"
            )
            print(
                f"upload → the phrase on page {args.phrase_page} found by search (in=documents): "
                f"{found_at - started:.1f} s"
            )
        print(
            f"worker memory: peak {memory.worker_peak / 2**20:.0f} MiB the worker process, "
            f"{memory.tree_peak / 2**20:.0f} MiB with the extractor and Tesseract"
        )


if __name__ == "__main__":
    main()
