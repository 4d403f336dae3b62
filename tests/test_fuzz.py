"""Property-based fuzzing of the whole API from its own OpenAPI schema (schemathesis), with a
valid editor key, against a real server on a real database: no 5xx, responses match the schema."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import response_schema_conformance

from tests.servers import api_key, api_server, empty_database, server_env

CASES = {"count": 0}


@pytest.fixture(scope="module")
def fuzz_server(database_url: str) -> Iterator[tuple[str, dict[str, str]]]:
    # Search answers from PostgreSQL: the fuzzer must not depend on indexing timing.
    env = server_env(database_url)
    admin = api_key(env, "admin", "fuzz")
    try:
        with api_server(env) as url:
            yield url, admin
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
