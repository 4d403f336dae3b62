"""Import and export at scale: records/s and peak memory, printed (not a test).

    .venv/bin/python bench/import_export.py [--sizes 10000 100000] [--no-export]

For each size: a fresh database, `migrantkb import` of a generated file (wall time to commit,
peak RSS and CPU seconds of the importing process, CPU seconds of the PostgreSQL backends that
served it, the VACUUM after the import included), then `GET /v1/export` from a running server (records/s, the
server's peak RSS).

The commands run with their bytecode cached (in bench/out/pycache), as an installed service
has it (the image compiles it): with PYTHONDONTWRITEBYTECODE set and nothing cached, every
command compiled its modules anew, about 2 s of each import's time. The start-up that remains
(interpreter, imports, connecting: a dry run of one line) is printed beside the figures.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

from sqlalchemy.engine import make_url

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from app.core.config import get_settings  # noqa: E402
from app.runtime.meili import free_port  # noqa: E402
from app.runtime.postgres import create_database, drop_database, resolve_database_url  # noqa: E402
from bench.generate import records  # noqa: E402

CLI = str(ROOT / ".venv" / "bin" / "migrantkb")


def peak_rss_mb(pid: int) -> float:
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    return float("nan")


TICK = os.sysconf("SC_CLK_TCK")


def backends_cpu(database: str, seen: dict[int, float]) -> None:
    """The CPU seconds (user + system) so far of each PostgreSQL backend connected to `database`,
    found by its process title (`postgres: USER DATABASE HOST(PORT) STATE`), into `seen`."""
    for entry in os.scandir("/proc"):
        if not entry.name.isdigit():
            continue
        with contextlib.suppress(OSError):
            with open(f"/proc/{entry.name}/cmdline", "rb") as f:
                title = f.read()
            if not title.startswith(b"postgres: ") or f" {database} ".encode() not in title:
                continue
            with open(f"/proc/{entry.name}/stat") as f:
                fields = f.read().rsplit(")", 1)[1].split()
            seen[int(entry.name)] = (int(fields[11]) + int(fields[12])) / TICK


def run_measured(args: list[str], env: dict[str, str], database: str) -> tuple[float, float, float, float]:
    """Wall seconds, peak RSS (MB) and CPU seconds of a child process, and the CPU seconds of the
    PostgreSQL backends that served `database` meanwhile (sampled every 50 ms: the last 50 ms of
    each may be missed). CPU time is less noisy than wall time on a machine shared with others."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    proc = subprocess.Popen(args, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    peak = 0.0
    backends: dict[int, float] = {}
    while proc.poll() is None:
        with contextlib.suppress(OSError):
            peak = max(peak, peak_rss_mb(proc.pid))
        backends_cpu(database, backends)
        time.sleep(0.05)
    elapsed = time.perf_counter() - start
    if proc.returncode != 0:
        raise SystemExit(f"{args} failed: {proc.stderr.read().decode() if proc.stderr else ''}")
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime
    return elapsed, peak, cpu, sum(backends.values())


def warm_up(env: dict[str, str]) -> float:
    """Run a dry import of one line twice (the first caches the bytecode); the second's wall time."""
    with tempfile.NamedTemporaryFile("w", suffix=".ndjson", delete=False, encoding="utf-8") as f:
        f.write(json.dumps(next(iter(records(1))), ensure_ascii=False) + "\n")
    try:
        for _ in range(2):
            start = time.perf_counter()
            subprocess.run([CLI, "import", "--dry-run", f.name], env=env, check=False, capture_output=True)
        return time.perf_counter() - start
    finally:
        os.unlink(f.name)


def bench(size: int, *, export: bool = True) -> None:
    settings = get_settings()
    server = resolve_database_url(settings)
    # Named after DATABASE_NAME, so that benches run beside each other do not drop each other's base.
    name = f"{settings.database_name}_bench_{size}"
    url = make_url(server).set(database=name).render_as_string(hide_password=False)
    asyncio.run(drop_database(url))
    asyncio.run(create_database(url))
    env = {**os.environ, "DATABASE_URL": url, "PYTHONPYCACHEPREFIX": str(ROOT / "bench" / "out" / "pycache")}
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    try:
        subprocess.run([CLI, "migrate"], env=env, check=True, stdout=subprocess.DEVNULL)
        startup = warm_up(env)
        with tempfile.NamedTemporaryFile("w", suffix=".ndjson", delete=False, encoding="utf-8") as f:
            for record in records(size):
                f.write(json.dumps(record, ensure_ascii=False) + "\n")
            path = f.name
        mb = os.path.getsize(path) / 1e6
        seconds, rss, cpu, pg_cpu = run_measured([CLI, "import", path], env, name)
        print(
            f"import  {size:>7} records ({mb:.0f} MB): {seconds:6.1f} s  {size / seconds:7.0f} records/s  "
            f"peak RSS {rss:5.0f} MB  (of which start-up {startup:.1f} s); CPU: import {cpu:.1f} s, "
            f"PostgreSQL {pg_cpu:.1f} s; load average {os.getloadavg()[0]:.1f}"
        )
        os.unlink(path)
        if not export:
            return

        port = free_port()
        srv = subprocess.Popen(
            [CLI, "serve", "--port", str(port)], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
        )
        try:
            # Up to a minute: a loaded machine (another bench, a test run) starts the server slowly.
            for _ in range(600):
                try:
                    urllib.request.urlopen(f"http://127.0.0.1:{port}/v1/topics", timeout=1)
                    break
                except OSError:
                    time.sleep(0.1)
            base_rss = peak_rss_mb(srv.pid)
            start = time.perf_counter()
            lines = 0
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/v1/export", timeout=600) as resp:
                for _ in resp:
                    lines += 1
            seconds = time.perf_counter() - start
            print(
                f"export  {lines:>7} records: {seconds:6.1f} s  {lines / seconds:7.0f} records/s  "
                f"server peak RSS {peak_rss_mb(srv.pid):5.0f} MB (idle {base_rss:.0f} MB)"
            )
        finally:
            srv.terminate()
            srv.wait()
    finally:
        asyncio.run(drop_database(url))


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--sizes", type=int, nargs="+", default=[10_000, 100_000])
    parser.add_argument("--no-export", action="store_true", help="time the import only")
    args = parser.parse_args()
    for size in args.sizes:
        bench(size, export=not args.no_export)


if __name__ == "__main__":
    main()
