"""`migrantkb ARGS` as a process of its own, on the given database."""

from __future__ import annotations

import os
import subprocess
import sys


def migrantkb(*args: str, database_url: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "DATABASE_URL": database_url}
    return subprocess.run(
        [sys.executable, "-m", "app.cli", *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
