"""A webhook receiver for the tests: a real HTTP server on loopback that appends every request it
gets (headers that matter, body, the status it answered) to a JSON-lines file.

    python -m tests.support.receiver PORT LOG [--fail N] [--delay SECONDS]

`--fail N` answers 500 to the first N requests; `--delay` waits before answering (a slow or
soon-killed target). A line `{"started": id}` is written when a request arrives, before any delay."""

from __future__ import annotations

import argparse
import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

HEADERS = ("webhook-id", "webhook-timestamp", "webhook-signature", "content-type", "host")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("port", type=int)
    parser.add_argument("log")
    parser.add_argument("--fail", type=int, default=0)
    parser.add_argument("--delay", type=float, default=0.0)
    args = parser.parse_args()
    lock = threading.Lock()
    seen = {"n": 0}

    def write(entry: dict[str, object]) -> None:
        with lock, open(args.log, "a", encoding="utf-8") as f:
            f.write(json.dumps(entry, ensure_ascii=False) + "\n")

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers.get("content-length") or 0)).decode()
            headers = {h: self.headers.get(h) for h in HEADERS}
            write({"started": headers["webhook-id"]})
            if args.delay:
                time.sleep(args.delay)
            with lock:
                seen["n"] += 1
                status = 500 if seen["n"] <= args.fail else 200
            write({"headers": headers, "body": body, "status": status, "at": time.time()})
            self.send_response(status)
            self.send_header("content-length", "2")
            self.end_headers()
            self.wfile.write(b"ok" if status == 200 else b"no")

        def log_message(self, *_: object) -> None:
            pass

    ThreadingHTTPServer(("127.0.0.1", args.port), Handler).serve_forever()


if __name__ == "__main__":
    main()
