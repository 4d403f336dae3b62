from __future__ import annotations

import json
from pathlib import Path

from app.cli import openapi_text
from app.main import create_app

COMMITTED = Path(__file__).resolve().parent.parent / "openapi" / "openapi.json"


def test_committed_schema_matches_the_app() -> None:
    generated = openapi_text(create_app().openapi())
    assert COMMITTED.read_text(encoding="utf-8") == generated, "run `.venv/bin/migrantkb openapi` and commit"


def test_every_operation_is_documented() -> None:
    schema = json.loads(COMMITTED.read_text(encoding="utf-8"))
    ids = []
    for path, ops in schema["paths"].items():
        for method, op in ops.items():
            ids.append(op["operationId"])
            assert op.get("summary"), f"{method} {path} has no summary"
            for param in op.get("parameters", []):
                assert param.get("description"), f"{method} {path} {param['name']} has no description"
    assert len(ids) == len(set(ids))
