"""Clients generated from the committed openapi/openapi.json do everything against a live server
(a real `migrantkb serve` on the seeded test database): list, detail, search, timeline, an
attachment upload and download, an import, a webhook (to an allow-listed loopback address) and an
export in each format. Python: openapi-python-client (pinned in pyproject.toml). TypeScript:
openapi-typescript + openapi-fetch, type-checked by `tsc --strict` with no casts, then run by node
(pinned in tests/clients/package-lock.json; `make clients` installs them into .cache/clients)."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.support.servers import api_key, api_server, empty_database, seed_database, server_env

ROOT = Path(__file__).resolve().parent.parent
CLIENTS = ROOT / "tests" / "clients"
SCHEMA = ROOT / "openapi" / "openapi.json"
BIN = Path(sys.executable).parent


def _run(*args: str | Path, cwd: Path, env: dict[str, str] | None = None) -> str:
    done = subprocess.run(
        [str(a) for a in args], cwd=cwd, env=env, capture_output=True, text=True, timeout=600
    )
    assert done.returncode == 0, f"{args}:\n{done.stdout[-4000:]}\n{done.stderr[-4000:]}"
    return done.stdout


@pytest.fixture(scope="module")
def served(database_url: str) -> Iterator[tuple[str, str]]:
    seed_database(database_url)
    env = {**server_env(database_url), "WEBHOOK_ALLOWED_HOSTS": "127.0.0.1"}
    try:
        with api_server(env) as url:
            key = api_key(env, "editor", "generated clients")["Authorization"].removeprefix("Bearer ")
            yield url, key
    finally:
        empty_database(database_url)


def test_the_generated_python_client(served: tuple[str, str], tmp_path: Path) -> None:
    url, key = served
    env = {**os.environ, "PATH": f"{BIN}{os.pathsep}{os.environ.get('PATH', '')}"}
    _run(
        BIN / "openapi-python-client", "generate", "--path", SCHEMA, "--meta", "none",
        "--config", CLIENTS / "openapi-python-client.yaml", "--output-path", tmp_path / "migrantkb_client",
        cwd=tmp_path, env=env,
    )  # fmt: skip
    out = _run(
        sys.executable, CLIENTS / "use_python_client.py", url, key,
        cwd=tmp_path, env={**env, "PYTHONPATH": str(tmp_path)},
    )  # fmt: skip
    assert "python client: ok" in out


def test_the_generated_typescript_client(served: tuple[str, str], tmp_path: Path) -> None:
    url, key = served
    _run("make", "-s", "clients", cwd=ROOT)
    program = (CLIENTS / "use_typescript_client.ts").read_text(encoding="utf-8")
    code = "\n".join(line.split("//")[0] for line in program.splitlines())
    assert not re.search(r"\bas\b", code), "the program must use the generated types without casts"
    for name in ("use_typescript_client.ts", "generate.mjs", "tsconfig.json"):
        shutil.copy(CLIENTS / name, tmp_path / name)
    (tmp_path / "package.json").write_text('{"type": "module"}\n', encoding="utf-8")
    (tmp_path / "node_modules").symlink_to(ROOT / ".cache" / "clients" / "node_modules")
    tsc = tmp_path / "node_modules" / ".bin" / "tsc"
    _run("node", "generate.mjs", SCHEMA, "schema.d.ts", cwd=tmp_path)
    _run(tsc, "-p", "tsconfig.json", "--noEmit", cwd=tmp_path)  # strict, from tsconfig.json
    _run(tsc, "-p", "tsconfig.json", "--outDir", "build", cwd=tmp_path)
    (tmp_path / "build" / "package.json").write_text('{"type": "module"}\n', encoding="utf-8")
    out = _run("node", tmp_path / "build" / "use_typescript_client.js", url, key, cwd=tmp_path)
    assert "typescript client: ok" in out
