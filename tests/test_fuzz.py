"""Property-based fuzzing of the whole API from its own OpenAPI schema (schemathesis), with a
valid admin key, against a real server on a real database holding the seed, once with search on
PostgreSQL and once on a real Meilisearch (hybrid ranking included): no 5xx, responses match the
schema. Every operation is fuzzed, writes included: path keys are drawn half the time from records,
attachments and webhooks that exist (so updates, deletions, restores and uploads reach the code
behind the 404), imports are sent as NDJSON and as CSV, and webhook targets are loopback address
literals that WEBHOOK_ALLOWED_HOSTS permits (no name is resolved, nothing leaves the machine).
FUZZ_EXAMPLES sets the examples per operation (12 here, about 1,000 cases a backend; `make fuzz`
runs many more); a failing operation does not stop the others: all failures are reported at the end."""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import quote

import httpx
import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import response_schema_conformance

from app.runtime.meili import start_local
from app.seed import SEED_FILE
from tests.support.factories import PLURAL
from tests.support.servers import api_key, api_server, empty_database, server_env

EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "12"))
MIN_CASES = int(os.environ.get("FUZZ_MIN_CASES", "0"))
LOOPBACK = ("127.0.0.1", "127.0.0.2", "[::1]")


@schemathesis.serializer("application/x-ndjson")
def _ndjson(_context: schemathesis.SerializationContext, value: Any) -> dict[str, Any]:
    """The import's NDJSON body: a generated string as it is, anything else as one JSON line."""
    text = value if isinstance(value, str) else json.dumps(value) + "\n"
    return {"data": text.encode("utf-8", "surrogatepass")}


@dataclass
class Target:
    url: str
    headers: dict[str, str]
    keys: dict[str, list[str]]  # path prefix (laws, policies…) -> slugs that exist
    attachments: list[str]
    webhooks: list[str]
    cases: int = 0
    failures: list[str] = field(default_factory=list)


def _existing(url: str, headers: dict[str, str]) -> tuple[dict[str, list[str]], list[str], list[str]]:
    """The seed imported, an attachment on a record of each kind that takes them, a webhook."""
    with httpx.Client(base_url=url, headers=headers, timeout=120) as http:
        ndjson = {"Content-Type": "application/x-ndjson"}
        r = http.post("/v1/import", content=SEED_FILE.read_bytes(), headers=ndjson)
        assert r.status_code == 200, r.text
        keys: dict[str, list[str]] = {plural: [] for plural in PLURAL.values()}
        for line in SEED_FILE.read_text().splitlines():
            record = json.loads(line)
            keys[PLURAL[record["kind"]]].append(record["slug"])
        attachments = []
        for plural in ("laws", "policies", "events", "publications"):
            r = http.post(
                f"/v1/{plural}/{keys[plural][0]}/attachments",
                files={"file": ("note.txt", b"Fuzzing attachment text.", "text/plain")},
            )
            assert r.status_code == 201, r.text
            attachments.append(str(r.json()["id"]))
        r = http.post("/v1/webhooks", json={"url": "http://127.0.0.1:9/hook"})
        assert r.status_code == 201, r.text
        return keys, attachments, [str(r.json()["id"])]


@pytest.fixture(scope="module", params=["postgres", "meilisearch"])
def fuzz_target(
    request: pytest.FixtureRequest, database_url: str, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Target]:
    env = server_env(database_url) | {"WEBHOOK_ALLOWED_HOSTS": "127.0.0.0/8,::1"}
    meili = None
    if request.param == "meilisearch":
        meili = start_local(tmp_path_factory.mktemp("fuzz-meili"))
        env |= {"MEILI_URL": meili.url, "MEILI_MASTER_KEY": meili.master_key, "MEILI_INDEX": "fuzz"}
    admin = api_key(env, "admin", "fuzz")
    target = None
    try:
        with api_server(env) as url:
            target = Target(url, admin, *_existing(url, admin))
            yield target
    finally:
        if target is not None:
            print(f"\nschemathesis ran {target.cases} cases (search on {request.param})")
        if meili is not None:
            meili.stop()
        empty_database(database_url)


def _loopback_url() -> st.SearchStrategy[str]:
    """A target on a loopback literal, with a fuzzed (percent-encoded) path and query."""
    return st.builds(
        lambda scheme, host, port, path, query: f"{scheme}://{host}{port}/{quote(path)}{query}",
        st.sampled_from(["http", "https"]),
        st.sampled_from(LOOPBACK),
        st.one_of(st.just(""), st.integers(1, 65535).map(lambda p: f":{p}")),
        st.text(max_size=30),
        st.one_of(st.just(""), st.text(max_size=20).map(lambda q: "?q=" + quote(q))),
    )


def _point_at_existing(case: schemathesis.Case, target: Target, data: st.DataObject) -> None:
    """Half the time, path parameters name things that exist; webhook targets are always loopback."""
    params = case.path_parameters or {}
    prefix = case.path.split("/")[2] if case.path.startswith("/v1/") else ""
    choices = {
        "key": target.keys.get(prefix, []),
        "attachment_id": target.attachments,
        "webhook_id": target.webhooks,
    }
    for name, existing in choices.items():
        if name in params and existing and data.draw(st.booleans(), label=f"existing {name}"):
            params[name] = data.draw(st.sampled_from(existing), label=name)
    if prefix == "webhooks" and isinstance(case.body, dict) and isinstance(case.body.get("url"), str):
        case.body["url"] = data.draw(_loopback_url(), label="url")


def test_api_fuzz(fuzz_target: Target) -> None:
    """Every operation, hypothesis-generated requests (valid and invalid) with an admin key."""
    target = fuzz_target
    schema = schemathesis.openapi.from_url(f"{target.url}/openapi.json")
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) >= 80
    for operation in operations:

        @settings(
            max_examples=EXAMPLES, deadline=None, suppress_health_check=list(HealthCheck), database=None
        )
        @given(case=operation.as_strategy(), data=st.data())
        def run(case: schemathesis.Case, data: st.DataObject) -> None:
            target.cases += 1
            _point_at_existing(case, target, data)
            case.call_and_validate(
                base_url=target.url,
                headers=target.headers,
                checks=[not_a_server_error, response_schema_conformance],
                timeout=60,
            )

        try:
            run()
        except (Exception, BaseExceptionGroup) as failure:  # schemathesis' FailureGroup is the latter
            target.failures.append(f"{operation.method.upper()} {operation.path}: {failure}")
    for failure in target.failures:
        print(f"\nFAILED {failure}")
    assert not target.failures, f"{len(target.failures)} operation(s) failed; see above"
    assert target.cases >= MIN_CASES
