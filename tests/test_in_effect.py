"""The law on a given date: `in_force_on` on laws (entry into force, else adoption, until a law in
the base that repeals or replaces it takes effect), `active_on` on policies (their period) and
programs (start to end). Partial dates count conservatively and `dates_uncertain` says so."""

from __future__ import annotations

import httpx
import pytest

from tests.factories import create


def _listed(body: dict[str, object]) -> dict[str, bool]:
    return {i["slug"]: i["dates_uncertain"] for i in body["items"]}  # type: ignore[index,union-attr]


async def _on(client: httpx.AsyncClient, path: str, param: str, day: str) -> dict[str, bool]:
    r = await client.get(path, params={param: day, "limit": 100})
    assert r.status_code == 200, r.text
    return _listed(r.json())


async def test_laws_in_force_on_a_day(client: httpx.AsyncClient, editor: dict[str, str]) -> None:
    law = {"adopted_on": None, "in_force_on": None, "status": "in_force"}
    exact = await create(client, editor, "law", **{**law, "in_force_on": "2008-03-19"})
    by_year = await create(client, editor, "law", **{**law, "adopted_on": "2013"})
    repealed = await create(
        client, editor, "law", **{**law, "in_force_on": "2005-01-01", "status": "repealed"}
    )
    repealing = await create(
        client, editor, "law",
        **{**law, "in_force_on": "2012-07-01"},
        related=[{"type": "repeals", "kind": "law", "slug": repealed["slug"]}],
    )  # fmt: skip
    ended_somewhen = await create(
        client, editor, "law", **{**law, "in_force_on": "2001", "status": "repealed"}
    )
    never = await create(client, editor, "law", **{**law, "in_force_on": "2001", "status": "not_in_force"})
    undated = await create(client, editor, "law", **law)

    on_2010 = await _on(client, "/v1/laws", "in_force_on", "2010-01-01")
    assert on_2010 == {
        exact["slug"]: False,
        repealed["slug"]: False,  # its repeal comes in 2012
        ended_somewhen["slug"]: True,  # repealed, no date known
        undated["slug"]: True,
    }
    on_2013 = await _on(client, "/v1/laws", "in_force_on", "2013-06-01")
    assert on_2013 == {
        exact["slug"]: False,
        by_year["slug"]: True,  # adopted some day of 2013
        repealing["slug"]: False,
        ended_somewhen["slug"]: True,
        undated["slug"]: True,
    }
    assert repealed["slug"] not in on_2013 and never["slug"] not in on_2013
    assert (await _on(client, "/v1/laws", "in_force_on", "2014-01-01"))[by_year["slug"]] is False
    # The day the repealing law takes effect, the repealed one is out of force.
    assert repealed["slug"] not in await _on(client, "/v1/laws", "in_force_on", "2012-07-01")
    assert repealed["slug"] in await _on(client, "/v1/laws", "in_force_on", "2012-06-30")
    # Without the filter, no `dates_uncertain`.
    plain = (await client.get("/v1/laws")).json()["items"][0]
    assert plain.get("dates_uncertain") is None


async def test_policies_and_programs_active_on_a_day(
    client: httpx.AsyncClient, editor: dict[str, str]
) -> None:
    policy = await create(client, editor, "policy", period_start="2021", period_end="2030", status="active")
    draft_policy = await create(client, editor, "policy", period_start="2021", status="draft")
    program = await create(
        client, editor, "program", start_on="2019-05", end_on="2022-12-31", status="active"
    )
    planned = await create(client, editor, "program", start_on="2019", status="planned")

    assert await _on(client, "/v1/policies", "active_on", "2025-05-01") == {policy["slug"]: False}
    assert await _on(client, "/v1/policies", "active_on", "2030-06-01") == {policy["slug"]: True}
    assert await _on(client, "/v1/policies", "active_on", "2031-01-01") == {}
    assert draft_policy["slug"] not in await _on(client, "/v1/policies", "active_on", "2022-01-01")

    assert await _on(client, "/v1/programs", "active_on", "2020-01-01") == {program["slug"]: False}
    assert await _on(client, "/v1/programs", "active_on", "2019-05-10") == {program["slug"]: True}
    assert await _on(client, "/v1/programs", "active_on", "2022-12-31") == {program["slug"]: False}
    assert await _on(client, "/v1/programs", "active_on", "2023-01-01") == {}
    assert planned["slug"] not in await _on(client, "/v1/programs", "active_on", "2020-01-01")


@pytest.mark.parametrize("day", ["2014-13-01", "2014", "yesterday", "2014-02-30"])
async def test_a_bad_day_is_refused(client: httpx.AsyncClient, day: str) -> None:
    r = await client.get("/v1/laws", params={"in_force_on": day})
    assert r.status_code == 422
    assert r.headers["content-type"] == "application/problem+json"
    assert "in_force_on" in r.text
