"""Webhooks end to end: real receivers on this machine (allow-listed loopback), the real queue and
worker, signatures checked with the Standard Webhooks library. Every public change arrives, in
feed order, drafts never; a failing receiver gets the same message (same `webhook-id`) until it
answers; one down for good ends with the subscription disabled and the reason; a receiver killed
mid-delivery and a worker killed with deliveries pending lose nothing; private targets are refused."""

from __future__ import annotations

import asyncio
import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import AsyncIterator, Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from standardwebhooks.webhooks import Webhook as Verifier

from app.core.config import get_settings
from app.main import create_app
from app.models import Webhook
from app.runtime.meili import free_port
from tests.support.factories import create
from tests.support.servers import run_jobs, server_env

SETTINGS: dict[str, Any] = {
    "webhook_allowed_hosts": ("127.0.0.1",),
    "webhook_retry_seconds": 0.2,
    "webhook_timeout_seconds": 5.0,
}


@pytest.fixture
async def api(
    committed: async_sessionmaker[AsyncSession], editor_committed: dict[str, str]
) -> AsyncIterator[httpx.AsyncClient]:
    app = create_app(get_settings().model_copy(update=SETTINGS))
    app.state.services.sessionmaker = committed
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app), base_url="http://testserver", headers=editor_committed
    ) as c:
        yield c


@contextmanager
def receiver(port: int, log: Path, *args: str) -> Iterator[subprocess.Popen[bytes]]:
    process = subprocess.Popen([sys.executable, "-m", "tests.support.receiver", str(port), str(log), *args])
    deadline = time.monotonic() + 10
    while True:
        try:
            with __import__("socket").create_connection(("127.0.0.1", port), timeout=0.2):
                break
        except OSError:
            assert time.monotonic() < deadline, "the receiver never listened"
            time.sleep(0.05)
    try:
        yield process
    finally:
        process.kill()
        process.wait()


def received(log: Path) -> list[dict[str, Any]]:
    if not log.exists():
        return []
    return [json.loads(line) for line in log.read_text().splitlines()]


def answered(log: Path) -> list[dict[str, Any]]:
    return [e for e in received(log) if "headers" in e]


async def deliver_until(
    database_url: str, done: Callable[[], bool], timeout: float = 60, **settings: Any
) -> None:
    """The real worker, again and again (retries are scheduled for later), until `done`."""
    deadline = time.monotonic() + timeout
    while not done():
        assert time.monotonic() < deadline, "not delivered in time"
        await run_jobs(database_url, **{**SETTINGS, **settings})
        if not done():
            await asyncio.sleep(0.2)


async def subscribe(api: httpx.AsyncClient, url: str, **filters: Any) -> dict[str, Any]:
    r = await api.post("/v1/webhooks", json={"url": url, **filters})
    assert r.status_code == 201, r.text
    body: dict[str, Any] = r.json()
    assert body["secret"].startswith("whsec_")
    return body


def verified(hook: dict[str, Any], entry: dict[str, Any]) -> dict[str, Any]:
    """The message's body, its signature checked with the spec's library and the secret."""
    headers = {k: v for k, v in entry["headers"].items() if v is not None}
    data: dict[str, Any] = Verifier(hook["secret"]).verify(entry["body"], headers)
    return data


async def test_public_changes_arrive_signed_and_in_order(
    api: httpx.AsyncClient, database_url: str, tmp_path: Path
) -> None:
    port, log = free_port(), tmp_path / "received.jsonl"
    with receiver(port, log):
        hook = await subscribe(api, f"http://127.0.0.1:{port}/hooks?from=test", kinds=["law"])
        assert (await api.get(f"/v1/webhooks/{hook['id']}")).json()["secret"] is None  # shown once
        law = await create(api, {}, "law", publication="draft")  # a draft: silent
        await api.patch(f"/v1/laws/{law['slug']}", json={"summary": {"en": "Still a draft."}})
        await api.patch(f"/v1/laws/{law['slug']}", json={"publication": "published"})
        await api.patch(f"/v1/laws/{law['slug']}", json={"status": "amended"})
        await deliver_until(database_url, lambda: len(answered(log)) >= 2)
        await create(api, {}, "organization")  # another kind: not wanted
        await api.patch(f"/v1/laws/{law['slug']}", json={"publication": "draft"})
        await deliver_until(database_url, lambda: len(answered(log)) >= 3)
        await asyncio.sleep(0.5)
        await run_jobs(database_url, **SETTINGS)  # nothing more is waiting
    messages = [verified(hook, e) for e in answered(log)]
    assert [m["type"] for m in messages] == ["law.created", "law.updated", "law.deleted"]
    assert [m["data"]["slug"] for m in messages] == [law["slug"]] * 3
    seqs = [m["data"]["seq"] for m in messages]
    assert seqs == sorted(seqs)
    # The record as the public sees it when the message leaves (so both carry the amended law).
    assert messages[0]["data"]["record"]["slug"] == law["slug"]
    assert messages[1]["data"]["record"]["status"] == "amended"
    assert messages[2]["data"]["record"] is None  # not public any more
    ids = [e["headers"]["webhook-id"] for e in answered(log)]
    assert len(set(ids)) == 3
    assert answered(log)[0]["headers"]["host"] == f"127.0.0.1:{port}"
    # The feed says the same.
    public = {"Authorization": ""}  # no key: the public feed
    feed = (await api.get("/v1/changes", params={"since": seqs[0] - 1}, headers=public)).json()["items"]
    assert [(i["seq"], i["action"]) for i in feed if i["kind"] == "law"] == list(
        zip(seqs, ["created", "updated", "deleted"], strict=True)
    )
    log_page = (await api.get(f"/v1/webhooks/{hook['id']}/deliveries")).json()
    assert [(d["seq"], d["ok"], d["status_code"], d["attempt"]) for d in log_page["items"]] == [
        (s, True, 200, 1) for s in reversed(seqs)
    ]


async def test_a_subscription_follows_a_search(
    api: httpx.AsyncClient, database_url: str, tmp_path: Path
) -> None:
    """`q` takes what the search's words match in any language (inflected, transliterated, by the
    concept they name), with the other filters; the rest only moves the cursor."""
    port, log = free_port(), tmp_path / "received.jsonl"
    with receiver(port, log):
        hook = await subscribe(api, f"http://127.0.0.1:{port}/hooks", q="трудовые мигранты", countries=["KG"])
        assert hook["q"] == "трудовые мигранты"
        # Russian inflected forms in the title: wanted.
        wanted = await create(
            api,
            {},
            "law",
            title={"ru": "О внешней трудовой миграции (тест)"},
            summary={"ru": "Права трудящихся-мигрантов."},
            countries=["KG"],
        )
        # The same words, another country: not wanted; other words, the same country: not wanted.
        await create(api, {}, "law", title={"ru": "О трудовой миграции (тест)"}, countries=["KZ"])
        await create(
            api, {}, "law", title={"en": "On refugees (test)"}, countries=["KG"], topics=["asylum-refugees"]
        )
        # English words for the same concept: wanted.
        english = await create(
            api, {}, "policy", title={"en": "Labour migrants abroad (test)"}, countries=["KG"]
        )
        await deliver_until(database_url, lambda: len(answered(log)) >= 2)
        await asyncio.sleep(0.5)
        await run_jobs(database_url, **SETTINGS)
        assert sorted(verified(hook, e)["data"]["slug"] for e in answered(log)) == sorted(
            [wanted["slug"], english["slug"]]
        )
        patched = await api.patch(f"/v1/webhooks/{hook['id']}", json={"q": ""})
        assert patched.status_code == 200 and patched.json()["q"] is None
    bad = await api.post("/v1/webhooks", json={"url": f"http://127.0.0.1:{port}/", "q": "x" * 501})
    assert bad.status_code == 422


async def test_a_failing_receiver_gets_the_same_message_until_it_answers(
    api: httpx.AsyncClient, database_url: str, tmp_path: Path
) -> None:
    port, log = free_port(), tmp_path / "received.jsonl"
    with receiver(port, log, "--fail", "3"):
        hook = await subscribe(api, f"http://127.0.0.1:{port}/")
        await create(api, {}, "program")
        await deliver_until(database_url, lambda: any(e["status"] == 200 for e in answered(log)))
    attempts = answered(log)
    assert [e["status"] for e in attempts] == [500, 500, 500, 200]
    assert len({e["headers"]["webhook-id"] for e in attempts}) == 1
    assert all(verified(hook, e)["type"] == "program.created" for e in attempts)
    deliveries = (await api.get(f"/v1/webhooks/{hook['id']}/deliveries")).json()["items"]
    assert [(d["attempt"], d["ok"], d["status_code"]) for d in deliveries] == [
        (4, True, 200),
        (3, False, 500),
        (2, False, 500),
        (1, False, 500),
    ]
    assert deliveries[1]["error"] == "HTTP 500: no"
    state = (await api.get(f"/v1/webhooks/{hook['id']}")).json()
    assert state["enabled"] and state["failing_since"] is None


async def test_a_receiver_down_for_good_disables_the_subscription(
    api: httpx.AsyncClient, database_url: str
) -> None:
    port = free_port()  # nothing listens there
    hook = await subscribe(api, f"http://127.0.0.1:{port}/")
    await create(api, {}, "policy")

    async def disabled() -> bool:
        r = await api.get(f"/v1/webhooks/{hook['id']}")
        assert r.status_code == 200, r.text
        return not r.json()["enabled"]

    deadline = time.monotonic() + 60
    while not await disabled():
        assert time.monotonic() < deadline
        await run_jobs(database_url, **SETTINGS, webhook_give_up_hours=1.5 / 3600)
        await asyncio.sleep(0.3)
    state = (await api.get(f"/v1/webhooks/{hook['id']}")).json()
    assert (
        "deliveries failed since" in state["disabled_reason"] and "ConnectError" in state["disabled_reason"]
    )
    tries = (await api.get(f"/v1/webhooks/{hook['id']}/deliveries")).json()["items"]
    assert len(tries) >= 2 and not any(t["ok"] for t in tries)
    # Turned back on, it starts from where it stopped: the policy's change is still to come.
    r = await api.patch(f"/v1/webhooks/{hook['id']}", json={"enabled": True})
    assert r.status_code == 200, r.text
    assert r.json()["enabled"] and r.json()["disabled_reason"] is None
    assert r.json()["cursor"] == state["cursor"]


async def test_a_killed_receiver_and_a_killed_worker_lose_nothing(
    api: httpx.AsyncClient, database_url: str, tmp_path: Path
) -> None:
    port, log = free_port(), tmp_path / "received.jsonl"
    hook = await subscribe(api, f"http://127.0.0.1:{port}/")
    for _ in range(3):
        await create(api, {}, "organization")
    env = {
        **server_env(database_url),
        "WEBHOOK_ALLOWED_HOSTS": "127.0.0.1",
        "WEBHOOK_RETRY_SECONDS": "0.2",
        "WEBHOOK_TIMEOUT_SECONDS": "5",
        "STALLED_WORKER_SECONDS": "2",
    }

    def worker() -> subprocess.Popen[bytes]:
        return subprocess.Popen([sys.executable, "-m", "app.cli", "worker"], env=env, start_new_session=True)

    # The receiver is killed while it holds the first message; the worker is killed after.
    with receiver(port, log, "--delay", "30") as slow:
        first = worker()
        deadline = time.monotonic() + 30
        while not received(log):
            assert time.monotonic() < deadline
            time.sleep(0.05)
        slow.kill()
        time.sleep(0.5)
        os.killpg(first.pid, signal.SIGKILL)
        first.wait()
    await asyncio.sleep(2.5)  # past the heartbeat limit: its jobs are taken up again
    with receiver(port, log):
        second = worker()
        try:
            deadline = time.monotonic() + 60
            while len(answered(log)) < 3:
                assert time.monotonic() < deadline, received(log)
                time.sleep(0.1)
        finally:
            second.terminate()
            second.wait()
    messages = [verified(hook, e) for e in answered(log)]
    seqs = [m["data"]["seq"] for m in messages]
    assert seqs == sorted(seqs) and len(set(seqs)) == 3
    first_id = received(log)[0]["started"]
    assert answered(log)[0]["headers"]["webhook-id"] == first_id  # the same message, again


async def test_private_targets_are_refused(api: httpx.AsyncClient, committed: Any, database_url: str) -> None:
    plain = create_app(get_settings().model_copy(update={"webhook_allowed_hosts": ()}))
    plain.state.services.sessionmaker = committed
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=plain), base_url="http://testserver", headers=api.headers
    ) as strict:
        for url in (
            "http://127.0.0.1:8080/hook",
            "http://localhost/hook",
            "http://169.254.169.254/latest/meta-data/",
            "http://[::1]/",
            "http://10.1.2.3/",
            "http://[::ffff:192.168.0.1]/",
            "ftp://example.org/",
            "http://user:pw@example.org/",
            "not a url",
            # IPv6 forms that carry an IPv4 address: loopback, link-local (cloud metadata), private.
            "http://[::127.0.0.1]/",  # IPv4-compatible
            "http://[::ffff:127.0.0.1]/",  # IPv4-mapped
            "http://[::ffff:0:7f00:1]/",  # IPv4-translated
            "http://[64:ff9b::a9fe:a9fe]/",  # NAT64, 169.254.169.254
            "http://[64:ff9b:1::a9fe:a9fe]/",  # local-use NAT64
            "http://[2002:7f00:1::]/",  # 6to4, 127.0.0.1
            "http://[2002:a00:1::]/",  # 6to4, 10.0.0.1
            "http://[2001:0:4136:e378:8000:63bf:80ff:fffe]/",  # Teredo, client 127.0.0.1
        ):
            r = await strict.post("/v1/webhooks", json={"url": url})
            assert r.status_code == 422, (url, r.text)
            assert r.headers["content-type"] == "application/problem+json"
            assert r.json()["errors"][0]["path"] == "/url", r.json()
        bad = await api.post("/v1/webhooks", json={"url": "http://127.0.0.1:9/", "kinds": ["nope"]})
        assert bad.status_code == 422 and bad.json()["errors"][0]["path"] == "/kinds/0"
        bad = await api.post("/v1/webhooks", json={"url": "http://127.0.0.1:9/", "topics": ["no-such"]})
        assert bad.status_code == 422 and bad.json()["errors"][0]["path"] == "/topics/0"
        # Names no lookup accepts, and control characters, even where the allow-list would let the
        # address through: a 422, not a 500 (nothing is looked up outside this machine).
        for url in (
            "http://a..b/",
            "http://" + "a" * 64 + ".org/",
            "http://127.0.0.1:9/hook\x00",
            "http://127.0.0.1\x00:9/",
            "http://127.0.0.1:9/a\nb",
        ):
            r = await api.post("/v1/webhooks", json={"url": url})
            assert r.status_code == 422, (url, r.text)
            assert r.json()["errors"][0]["path"] == "/url", r.json()
        # Allowed when made, refused at delivery once the allow-list no longer names it.
        hook = await subscribe(api, "http://127.0.0.1:9/")
        await create(api, {}, "law")
        await run_jobs(database_url, **{**SETTINGS, "webhook_allowed_hosts": ()})
        [attempt] = (await api.get(f"/v1/webhooks/{hook['id']}/deliveries")).json()["items"]
        assert attempt["status_code"] is None and attempt["error"].startswith("refused: 127.0.0.1 is")
    async with committed() as s:
        assert (await s.scalar(select(Webhook.enabled).where(Webhook.id == hook["id"]))) is True


async def test_subscriptions_are_their_owners(api: httpx.AsyncClient, committed: Any) -> None:
    from tests.support.fixtures import key_headers

    mine = await subscribe(api, "http://127.0.0.1:9/")
    other = await key_headers(committed, "editor")
    r = await api.get(f"/v1/webhooks/{mine['id']}", headers=other)
    assert r.status_code == 404
    assert (await api.get("/v1/webhooks", headers=other)).json()["items"] == []
    boss = await key_headers(committed, "admin")
    assert [h["id"] for h in (await api.get("/v1/webhooks", headers=boss)).json()["items"]] == [mine["id"]]
    assert (await api.get("/v1/webhooks", headers={"Authorization": ""})).status_code == 401
    r = await api.post(f"/v1/webhooks/{mine['id']}/replay", params={"since": 0})
    assert r.status_code == 202 and r.json()["cursor"] == 0
    assert (await api.delete(f"/v1/webhooks/{mine['id']}", headers=other)).status_code == 404
    assert (await api.delete(f"/v1/webhooks/{mine['id']}")).status_code == 204
    assert (await api.get(f"/v1/webhooks/{mine['id']}")).status_code == 404


def test_an_api_restart_with_deliveries_pending_loses_nothing(database_url: str, tmp_path: Path) -> None:
    """Writes through a real API process that is then stopped (SIGKILL) before any worker ran;
    another API process writes more; a worker started afterwards delivers all of it, in order."""
    from tests.support.servers import api_key, api_process, empty_database

    empty_database(database_url)
    env = {**server_env(database_url), "WEBHOOK_ALLOWED_HOSTS": "127.0.0.1"}
    editor = api_key(env, "editor", "restart")
    port, log = free_port(), tmp_path / "received.jsonl"
    slugs = []
    try:
        with receiver(port, log):
            with api_process(env) as (first, url):
                r = httpx.post(
                    f"{url}/v1/webhooks", json={"url": f"http://127.0.0.1:{port}/"}, headers=editor
                )
                assert r.status_code == 201, r.text
                hook = r.json()
                for i in range(3):
                    made = httpx.post(f"{url}/v1/organizations", json=_organization(i), headers=editor)
                    assert made.status_code == 201, made.text
                    slugs.append(made.json()["slug"])
                first.kill()  # no graceful shutdown
            with api_process(env) as (_, url):
                for i in range(3, 5):
                    made = httpx.post(f"{url}/v1/organizations", json=_organization(i), headers=editor)
                    slugs.append(made.json()["slug"])
            assert answered(log) == []  # nothing has been delivered yet: no worker ran
            asyncio.run(deliver_until(database_url, lambda: len(answered(log)) >= 5))
        messages = [verified(hook, e) for e in answered(log)]
        assert [m["data"]["slug"] for m in messages] == slugs
        assert len({e["headers"]["webhook-id"] for e in answered(log)}) == 5
    finally:
        empty_database(database_url)


def _organization(i: int) -> dict[str, Any]:
    from tests.support.factories import BUILDERS

    return BUILDERS["organization"](slug=f"org-restart-{i}")


async def test_a_slow_target_cannot_hold_the_worker(
    api: httpx.AsyncClient, database_url: str, tmp_path: Path
) -> None:
    port, log = free_port(), tmp_path / "received.jsonl"
    with receiver(port, log, "--delay", "20"):
        hook = await subscribe(api, f"http://127.0.0.1:{port}/")
        await create(api, {}, "law")
        started = time.monotonic()
        await run_jobs(database_url, **{**SETTINGS, "webhook_timeout_seconds": 1.0})
        took = time.monotonic() - started
    [attempt] = (await api.get(f"/v1/webhooks/{hook['id']}/deliveries")).json()["items"]
    assert attempt["ok"] is False and attempt["error"] == "no answer within 1 s"
    assert 1.0 <= attempt["latency_ms"] / 1000 < 3 and took < 10, (attempt, took)
    state = (await api.get(f"/v1/webhooks/{hook['id']}")).json()
    assert state["enabled"] and state["failing_since"] is not None
