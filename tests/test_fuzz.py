"""Property-based fuzzing of the whole API from its own OpenAPI schema (schemathesis), with a
valid admin key, against a real server on a real database, once with search on PostgreSQL and once
on a real Meilisearch (hybrid ranking included): no 5xx, responses match the schema.
FUZZ_EXAMPLES sets the examples per operation (25 here; `make fuzz` runs many more)."""

from __future__ import annotations

import os
from collections.abc import Iterator

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import response_schema_conformance

from app.runtime.meili import start_local
from tests.servers import api_key, api_server, empty_database, server_env

CASES = {"count": 0}


EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "25"))


@pytest.fixture(scope="module", params=["postgres", "meilisearch"])
def fuzz_server(
    request: pytest.FixtureRequest, database_url: str, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[tuple[str, dict[str, str]]]:
    env = server_env(database_url)
    meili = None
    if request.param == "meilisearch":
        meili = start_local(tmp_path_factory.mktemp("fuzz-meili"))
        env |= {"MEILI_URL": meili.url, "MEILI_MASTER_KEY": meili.master_key, "MEILI_INDEX": "fuzz"}
    admin = api_key(env, "admin", "fuzz")
    CASES["count"] = 0
    try:
        with api_server(env) as url:
            yield url, admin
    finally:
        print(f"\nschemathesis ran {CASES['count']} cases (search on {request.param})")
        if meili is not None:
            meili.stop()
        empty_database(database_url)


def test_api_fuzz(fuzz_server: tuple[str, dict[str, str]]) -> None:
    """Every operation, hypothesis-generated requests (valid and invalid) with an admin key."""
    url, headers = fuzz_server
    schema = schemathesis.openapi.from_url(f"{url}/openapi.json")
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) >= 40
    for operation in operations:

        @settings(
            max_examples=EXAMPLES, deadline=None, suppress_health_check=list(HealthCheck), database=None
        )
        @given(case=operation.as_strategy())
        def run(case: schemathesis.Case) -> None:
            CASES["count"] += 1
            case.call_and_validate(
                base_url=url, headers=headers, checks=[not_a_server_error, response_schema_conformance]
            )

        run()
