"""The law on a given date: `in_force_on` on laws (entry into force, else adoption, until a law in
the base that repeals or replaces it takes effect), `active_on` on policies (their period) and
programs (start to end). Partial dates count conservatively and `dates_uncertain` says so."""

from __future__ import annotations

import httpx
import pytest

from tests.support.factories import create


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


async def test_a_laws_amendments_and_its_version_on_a_day(
    client: httpx.AsyncClient, editor: dict[str, str]
) -> None:
    base = await create(client, editor, "law", in_force_on="2000-08-01", status="amended")

    def amending(**dates: str | None) -> dict[str, object]:
        return {
            "related": [{"type": "amends", "kind": "law", "slug": base["slug"]}],
            "status": "in_force",
            **dates,
        }

    later = await create(client, editor, "law", **amending(adopted_on="2013-05-02", in_force_on="2013-06-01"))
    earlier = await create(client, editor, "law", **amending(adopted_on="2006", in_force_on=None))
    await create(
        client, editor, "law", publication="draft", **amending(in_force_on="2010-01-01")
    )  # not public
    path = f"/v1/laws/{base['slug']}"
    detail = (await client.get(path)).json()
    assert [a["slug"] for a in detail["amendments"]] == [earlier["slug"], later["slug"]]
    assert detail["as_of"] is None

    def as_of(day: str) -> dict[str, object]:
        return {"date": day, "in_force": True, "dates_uncertain": False}

    r = (await client.get(path, params={"as_of": "2005-01-01"})).json()["as_of"]
    assert r == {**as_of("2005-01-01"), "amended_by": [], "version": "original"}
    r = (await client.get(path, params={"as_of": "2006-06-01"})).json()["as_of"]
    assert r["amended_by"] == [] and r["dates_uncertain"] is True  # amended some day of 2006
    r = (await client.get(path, params={"as_of": "2014-01-01"})).json()["as_of"]
    assert r == {
        **as_of("2014-01-01"),
        "amended_by": [earlier["slug"], later["slug"]],
        "version": f"as amended by {later['slug']}",
    }
    r = (await client.get(path, params={"as_of": "1999-01-01"})).json()["as_of"]
    assert r == {**as_of("1999-01-01"), "in_force": False, "amended_by": [], "version": "original"}
    bad = await client.get(path, params={"as_of": "2014-02-30"})
    assert bad.status_code == 422 and bad.json()["errors"][0]["path"] == "/as_of"
    # A list entry carries the same chain (and no `as_of`: that is a detail's).
    listed = (await client.get("/v1/laws", params={"limit": 100, "as_of": "2014-01-01"})).json()["items"]
    [entry] = [i for i in listed if i["slug"] == base["slug"]]
    assert entry["amendments"] == detail["amendments"] and entry["as_of"] is None


async def test_as_of_before_or_around_entry_into_force(
    client: httpx.AsyncClient, editor: dict[str, str]
) -> None:
    """Exact dates settle a day before entry into force (not in force, nothing uncertain); a
    year-only date leaves its own year unsettled, and only that."""
    exact = await create(client, editor, "law", adopted_on="2000-06-01", in_force_on="2000-08-01")
    by_year = await create(client, editor, "law", adopted_on=None, in_force_on="2000")

    async def as_of(law: dict[str, object], day: str) -> tuple[bool, bool]:
        r = await client.get(f"/v1/laws/{law['slug']}", params={"as_of": day})
        assert r.status_code == 200, r.text
        return r.json()["as_of"]["in_force"], r.json()["as_of"]["dates_uncertain"]

    assert await as_of(exact, "2000-07-31") == (False, False)
    assert await as_of(exact, "1990-01-01") == (False, False)
    assert await as_of(exact, "2000-08-01") == (True, False)
    assert await as_of(by_year, "1999-12-31") == (False, False)
    assert await as_of(by_year, "2000-05-01") == (True, True)
    assert await as_of(by_year, "2001-01-01") == (True, False)
