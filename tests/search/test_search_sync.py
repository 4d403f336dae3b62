"""The outbox keeps the index in step with PostgreSQL, even across a Meilisearch crash."""

from __future__ import annotations

import asyncio
import os
import signal
import time
from typing import Any

from app.keys.service import KeyService
from app.runtime.meili import MeiliProcess
from app.search.admin import check_index
from app.search.sync import outbox_lag
from tests.support.factories import BUILDERS


async def test_drafts_and_deletions_leave_the_index(stack: dict[str, Any]) -> None:
    api, editor, indexer = stack["api"], stack["editor"], stack["indexer"]
    body = BUILDERS["organization"](slug="org-zebrafinch", name={"en": "Zebrafinch Migrant Centre"})
    await api.post("/v1/organizations", json=body, headers=editor)
    await indexer.drain()
    assert [h["slug"] for h in (await api.get("/v1/search?q=zebrafinch")).json()["hits"]] == [
        "org-zebrafinch"
    ]
    await api.patch("/v1/organizations/org-zebrafinch", json={"publication": "draft"}, headers=editor)
    await indexer.drain()
    assert (await api.get("/v1/search?q=zebrafinch")).json()["hits"] == []
    await api.patch("/v1/organizations/org-zebrafinch", json={"publication": "published"}, headers=editor)
    await indexer.drain()
    assert (await api.get("/v1/search?q=zebrafinch")).json()["total"] == 1
    async with stack["factory"]() as s:
        _, token = await KeyService(s).create("sync admin", "admin")
        await s.commit()
    await api.delete("/v1/organizations/org-zebrafinch", headers={"Authorization": f"Bearer {token}"})
    await indexer.drain()
    assert (await api.get("/v1/search?q=zebrafinch")).json()["hits"] == []
    async with stack["factory"]() as s:
        assert (await check_index(s, stack["index"])).clean


async def test_edits_of_one_record_in_batches_in_flight_together(stack: dict[str, Any]) -> None:
    """A record edited again and again has a change in each of several batches that are in
    Meilisearch at once; none of them may wait for another (each batch's session would have held
    its backlog row until confirmed: the next batch waited on it, and the drain timed out)."""
    api, editor, indexer = stack["api"], stack["editor"], stack["indexer"]
    body = BUILDERS["organization"](slug="org-wren", name={"en": "Wren Migrant Desk"})
    assert (await api.post("/v1/organizations", json=body, headers=editor)).status_code == 201
    for i in range(4):
        patch = {"name": {"en": f"Wren Migrant Desk {i}"}}
        assert (await api.patch("/v1/organizations/org-wren", json=patch, headers=editor)).status_code == 200
    assert await indexer.drain_once(batch=1, depth=1, most=1) == 1  # creates the index, its settings
    assert await indexer.drain_once(batch=1, depth=4) == 4  # before: lock_timeout, nothing done
    hits = (await api.get("/v1/search", params={"q": "wren"})).json()["hits"]
    assert [(h["slug"], h["title"]) for h in hits] == [("org-wren", "Wren Migrant Desk 3")]
    async with stack["factory"]() as s:
        assert (await check_index(s, stack["index"])).clean


async def test_a_hung_meilisearch_sends_search_to_postgresql(stack: dict[str, Any]) -> None:
    """Stopped (SIGSTOP), Meilisearch keeps its connections open and answers nothing: the read times
    out (the client's 2 s here), and the search answers from PostgreSQL instead of a 500; once it
    runs again (SIGCONT), searches go back to it."""
    api, editor, meili = stack["api"], stack["editor"], stack["meili"]
    body = BUILDERS["organization"](slug="org-stonechat", name={"en": "Stonechat Migrant Desk"})
    assert (await api.post("/v1/organizations", json=body, headers=editor)).status_code == 201
    await stack["indexer"].drain()
    assert (await api.get("/v1/search", params={"q": "stonechat"})).json()["degraded"] is False
    assert meili.process is not None
    os.kill(meili.process.pid, signal.SIGSTOP)
    try:
        started = time.monotonic()
        hung = await api.get("/v1/search", params={"q": "stonechat"})
        assert hung.status_code == 200, hung.text
        assert hung.json()["degraded"] is True and hung.headers["x-search-degraded"] == "true"
        assert [h["slug"] for h in hung.json()["hits"]] == ["org-stonechat"]
        assert time.monotonic() - started < 10
    finally:
        os.kill(meili.process.pid, signal.SIGCONT)
    back = await api.get("/v1/search", params={"q": "stonechat"})
    assert back.status_code == 200 and back.json()["degraded"] is False
    assert [h["slug"] for h in back.json()["hits"]] == ["org-stonechat"]


async def test_meilisearch_killed_mid_writes_loses_nothing(stack: dict[str, Any]) -> None:
    api, editor, meili = stack["api"], stack["editor"], stack["meili"]
    stop = asyncio.Event()
    runner = asyncio.create_task(stack["indexer"].run(stop, poll_seconds=0.05))
    restarted: MeiliProcess | None = None
    try:
        for i in range(200):
            if i == 60:
                assert meili.process is not None
                meili.process.kill()  # a crash, not a shutdown
                meili.process.wait()
            body = BUILDERS["organization"](slug=f"org-crash-{i}", name={"en": f"Crash Test Clinic {i}"})
            r = await api.post("/v1/organizations", json=body, headers=editor)
            assert r.status_code == 201, r.text
        degraded = await api.get("/v1/search", params={"q": "Crash Test Clinic 150"})
        assert degraded.status_code == 200
        assert degraded.json()["degraded"] is True and degraded.headers["x-search-degraded"] == "true"
        assert "org-crash-150" in [h["slug"] for h in degraded.json()["hits"]]

        restarted = MeiliProcess(
            meili.binary, meili.data_dir, port=meili.port, master_key=meili.master_key
        ).start()
        deadline = time.monotonic() + 120
        while True:
            async with stack["factory"]() as s:
                pending, _ = await outbox_lag(s)
                drift = await check_index(s, stack["index"]) if not pending else None
            if drift is not None and drift.clean:
                break
            assert time.monotonic() < deadline, f"index did not catch up: {pending} pending, {drift}"
            await asyncio.sleep(0.5)
        page = await stack["client"].index(stack["uid"]).get_documents(limit=500, fields=["slug"])
        assert sorted(d["slug"] for d in page.results) == sorted(f"org-crash-{i}" for i in range(200))
        healthy = (await api.get("/v1/search", params={"q": "Crash Test Clinic 150"})).json()
        assert healthy["degraded"] is False and healthy["hits"][0]["slug"] == "org-crash-150"
    finally:
        stop.set()
        await runner
        if restarted is not None:
            restarted.stop()


async def test_readiness_reports_search_and_outbox(stack: dict[str, Any]) -> None:
    api, editor, meili = stack["api"], stack["editor"], stack["meili"]
    assert (await api.get("/healthz")).json() == {"status": "ok"}
    await api.post("/v1/organizations", json=BUILDERS["organization"](slug="org-ready"), headers=editor)
    ready = (await api.get("/readyz")).json()
    assert ready["postgres"] and ready["meilisearch"] and ready["outbox_pending"] == 1
    await stack["indexer"].drain()
    assert (await api.get("/readyz")).json()["outbox_pending"] == 0
    meili.stop()
    down = await api.get("/readyz")
    assert down.status_code == 200 and down.json()["status"] == "degraded" and not down.json()["meilisearch"]


async def test_a_draft_leaks_through_no_public_route(stack: dict[str, Any]) -> None:
    api, editor = stack["api"], stack["editor"]
    draft = BUILDERS["organization"](
        slug="org-quokkaflux",
        name={"en": "Quokkaflux Shelter"},
        publication="draft",
        countries=["TM"],
        topics=["remittances"],
    )
    await api.post("/v1/organizations", json=draft, headers=editor)
    program = BUILDERS["program"](participants=[{"organization": "org-quokkaflux", "role": "donor"}])
    await api.post("/v1/programs", json=program, headers=editor)
    await api.post(
        "/v1/laws",
        json=BUILDERS["law"](publication="archived", title={"en": "Quokkaflux Act"}),
        headers=editor,
    )
    await stack["indexer"].drain()

    def clean(text: str) -> bool:
        return "quokkaflux" not in text.lower()

    assert clean((await api.get("/v1/organizations")).text)
    assert clean((await api.get("/v1/laws")).text)
    assert (await api.get("/v1/organizations/org-quokkaflux")).status_code == 404
    assert clean((await api.get("/v1/programs")).text)  # the program is public, its draft donor is not
    search = (await api.get("/v1/search", params={"q": "quokkaflux"})).json()
    assert search["hits"] == [] and search["total"] == 0
    everything = (await api.get("/v1/search", params={"q": ""})).json()
    assert "TM" not in everything["facets"]["country"] and "remittances" not in everything["facets"]["topic"]
    assert (await api.get("/v1/search/suggest", params={"q": "Quokka"})).json()["suggestions"] == []
    assert clean((await api.get("/v1/export")).text)
    assert clean((await api.get("/v1/changes")).text)
    assert "TM" not in {c["code"] for c in (await api.get("/v1/countries?used=true")).json()["items"]}
    topics = {t["slug"]: t["records"] for t in (await api.get("/v1/topics")).json()["items"]}
    assert topics["remittances"] == 0
    # The editor sees it.
    assert (await api.get("/v1/organizations/org-quokkaflux", headers=editor)).status_code == 200


async def test_metrics_and_request_ids(stack: dict[str, Any]) -> None:
    api = stack["api"]
    await stack["indexer"].drain()  # creates the index: search is not degraded
    r = await api.get("/v1/topics", headers={"X-Request-ID": "a" * 32})
    assert r.headers["x-request-id"] == "a" * 32
    assert len((await api.get("/v1/topics")).headers["x-request-id"]) == 32  # one is made when absent
    await api.get("/v1/search", params={"q": "x"})
    await api.get("/readyz")
    metrics = (await api.get("/metrics")).text
    assert 'http_requests_total{handler="/v1/topics",method="GET",status="2xx"}' in metrics
    assert "migrantkb_outbox_pending" in metrics and "migrantkb_search_degraded 0.0" in metrics
