"""Property-based fuzzing of the whole API from its own OpenAPI schema (schemathesis), with a
valid editor key, against a real server on a real database: no 5xx, responses match the schema."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import response_schema_conformance

from tests.servers import api_server, empty_database

CASES = {"count": 0}


@pytest.fixture(scope="module")
def fuzz_server(database_url: str) -> Iterator[tuple[str, dict[str, str]]]:
    env = {
        **os.environ,
        "DATABASE_URL": database_url,
        "MEILI_URL": "",  # search answers from PostgreSQL: the fuzzer must not depend on timing
        "RATE_LIMIT_KEY": "1000000/minute",
        "RATE_LIMIT_ANONYMOUS": "1000000/minute",
    }
    made = subprocess.run(
        [sys.executable, "-m", "app.cli", "keys", "create", "--role", "admin", "--name", "fuzz"],
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    token = made.stdout.strip().splitlines()[-1]
    try:
        with api_server(env) as url:
            yield url, {"Authorization": f"Bearer {token}"}
    finally:
        print(f"\nschemathesis ran {CASES['count']} cases")
        empty_database(database_url)


def test_api_fuzz(fuzz_server: tuple[str, dict[str, str]]) -> None:
    """Every operation, hypothesis-generated requests (valid and invalid) with an admin key."""
    url, headers = fuzz_server
    schema = schemathesis.openapi.from_url(f"{url}/openapi.json")
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) >= 40
    for operation in operations:

        @settings(max_examples=25, deadline=None, suppress_health_check=list(HealthCheck), database=None)
        @given(case=operation.as_strategy())
        def run(case: schemathesis.Case) -> None:
            CASES["count"] += 1
            case.call_and_validate(
                base_url=url, headers=headers, checks=[not_a_server_error, response_schema_conformance]
            )

        run()
