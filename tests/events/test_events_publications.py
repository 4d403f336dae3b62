"""Events and publications: lists with their own filters, relations both ways with organizations,
programs and laws, and bad input refused with the field's pointer and nothing written."""

from __future__ import annotations

import datetime as dt
from typing import Any

import httpx
import pytest

from tests.support.factories import BUILDERS, create


async def slugs(client: httpx.AsyncClient, path: str, **params: Any) -> list[str]:
    r = await client.get(path, params={"limit": 100, **params})
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["total"] == len(body["items"])
    return [item["slug"] for item in body["items"]]


async def test_the_seed_holds_every_event_and_publication(seeded: httpx.AsyncClient) -> None:
    assert len(await slugs(seeded, "/v1/events")) == 11
    assert len(await slugs(seeded, "/v1/publications")) == 10
    event = (
        await seeded.get("/v1/events/ev-tspc-cam-conference-customs-union-2014-06-12", params={"lang": "ru"})
    ).json()
    assert (
        event["event_type"] == "conference" and event["status"] == "held" and event["reform_activity"] is True
    )
    assert event["starts_on"] == "2014-06-12" and event["place"] == {"en": "Bishkek (Hyatt Regency)"}
    assert event["program"] == "prog-tspc-migrant-rights-stage2-2013-2014"
    assert [(o["organization"], o["role"]) for o in event["organizers"]] == [
        ("org-tspc-auca", "organizer"),
        ("org-cam-platform", "organizer"),
        ("org-osf-central-eurasia", "partner"),
        ("org-dca", "partner"),
        ("org-icco", "partner"),
    ]
    assert event["display"]["title"]["lang"] == "ru" and event["display"]["title"]["translation"] == "machine"
    # The research it produced points at it: the event lists it among its incoming relations.
    produced = [(r["kind"], r["slug"]) for r in event["relations"] if r["type"] == "output_of"]
    assert produced == [("publication", "pub-tspc-customs-union-accession-research-2014")]
    publication = (await seeded.get("/v1/publications/pub-nts-the-nomads-2013")).json()
    assert publication["publishers"] == [
        {"organization": None, "organization_id": None, "name": "NTS television channel", "role": "publisher"}
    ]
    assert publication["events"] == ["ev-tspc-conference-best-practices-2013-06"]
    assert publication["countries"] == ["KG"]  # from the event it came out of


async def test_relations_both_ways(seeded: httpx.AsyncClient) -> None:
    org = (await seeded.get("/v1/organizations/org-tspc-auca")).json()
    organized = {r["slug"] for r in org["relations"] if r["kind"] == "event" and r["role"] == "organizer"}
    published = {
        r["slug"] for r in org["relations"] if r["kind"] == "publication" and r["role"] == "publisher"
    }
    assert len(organized) == 7 and "ev-tspc-research-workshop-2012-09-13" in organized
    assert len(published) == 7 and "pub-tspc-stage1-briefing-document" in published
    program = (await seeded.get("/v1/programs/prog-tspc-migrant-rights-stage1-2012-2013")).json()
    parts = {(r["kind"], r["slug"]) for r in program["relations"] if r["type"] == "part_of"}
    assert ("event", "ev-tspc-research-workshop-2012-09-13") in parts
    assert ("publication", "pub-tspc-research-workshop-report-2012") in parts
    assert (
        len([p for p in parts if p[0] == "event"]) == 5
        and len([p for p in parts if p[0] == "publication"]) == 6
    )
    law = (await seeded.get("/v1/laws/law-intl-eaeu-treaty-2014")).json()
    discussed = [(r["kind"], r["slug"], r["direction"]) for r in law["relations"] if r["type"] == "concerns"]
    assert discussed == [("event", "ev-kg-eaeu-accession-treaty-signed-2014-12-23", "incoming")]


@pytest.mark.parametrize(
    ("path", "params", "expected"),
    [
        (
            "/v1/events",
            {"event_type": "training"},
            {"ev-tspc-cam-training-issyk-kul-2014-05", "ev-lprc-icj-trainings-migrants-law-2019"},
        ),
        (
            "/v1/events",
            {"from": "2013", "to": "2013-03"},
            {
                "ev-tspc-stakeholder-dialogue-2013-01-25",
                "ev-tspc-roundtable-international-experience-2013-03-26",
            },
        ),
        (
            "/v1/events",
            {"reform_activity": "true", "country": "KG", "from": "2014"},
            {
                "ev-tspc-cam-conference-customs-union-2014-06-12",
                "ev-kg-eaeu-accession-treaty-signed-2014-12-23",
            },
        ),
        (
            "/v1/events",
            {"organization": "org-icj", "role": "organizer"},
            {"ev-lprc-icj-trainings-migrants-law-2019"},
        ),
        ("/v1/events", {"organization": "org-icj", "role": "partner"}, set()),
        (
            "/v1/events",
            {"law": "law-intl-eaeu-treaty-2014"},
            {"ev-kg-eaeu-accession-treaty-signed-2014-12-23"},
        ),
        (
            "/v1/events",
            {"program": "prog-eu-unhcr-asylum-central-asia-2006-2008"},
            {"ev-eu-unhcr-closing-conference-astana-2008-03-19"},
        ),
        (
            "/v1/publications",
            {"pub_type": "press_release,news"},
            {
                "pub-tspc-research-workshop-press-release-2012",
                "pub-lprc-icj-trainings-press-release-2019",
                "pub-asia-plus-eu-unhcr-project-completed-2008",
            },
        ),
        ("/v1/publications", {"language": "KY"}, {"pub-tspc-customs-union-accession-research-2014"}),
        (
            "/v1/publications",
            {"event": "ev-tspc-research-workshop-2012-09-13", "pub_type": "report"},
            {"pub-tspc-research-workshop-report-2012"},
        ),
        (
            "/v1/publications",
            {"organization": "org-cam-platform"},
            {"pub-tspc-customs-union-accession-research-2014"},
        ),
        ("/v1/publications", {"from": "2019"}, {"pub-lprc-icj-trainings-press-release-2019"}),
        (
            "/v1/organizations",
            {"role": "publisher", "country": "KZ"},
            {"org-lprc", "org-icj", "org-cam-platform"},
        ),
    ],
)
async def test_list_filters(
    seeded: httpx.AsyncClient, path: str, params: dict[str, str], expected: set[str]
) -> None:
    assert set(await slugs(seeded, path, **params)) == expected


async def test_sorted_pages_neither_skip_nor_repeat(seeded: httpx.AsyncClient) -> None:
    seen: list[str] = []
    cursor = None
    while True:
        params: dict[str, Any] = {"limit": 4, "sort": "-starts_on", **({"cursor": cursor} if cursor else {})}
        body = (await seeded.get("/v1/events", params=params)).json()
        seen += [(i["starts_on"], i["slug"]) for i in body["items"]]  # type: ignore[misc]
        cursor = body["next_cursor"]
        if not cursor:
            break
    assert len(seen) == 11 == len(set(seen))
    assert [d for d, _ in seen] == sorted((d for d, _ in seen), reverse=True)


async def test_links_are_edited_like_fields(client: httpx.AsyncClient, editor: dict[str, str]) -> None:
    law = await create(client, editor, "law")
    policy = await create(client, editor, "policy")
    program = await create(client, editor, "program")
    org = await create(client, editor, "organization")
    event = await create(
        client,
        editor,
        "event",
        program=program["slug"],
        concerns=[{"kind": "law", "slug": law["slug"]}, {"kind": "policy", "slug": policy["slug"]}],
        organizers=[
            {"organization": org["slug"], "role": "host"},
            {"name": "Городской совет", "role": "partner"},
        ],
    )
    assert event["program"] == program["slug"]
    assert event["concerns"] == [
        {"kind": "law", "slug": law["slug"]},
        {"kind": "policy", "slug": policy["slug"]},
    ]
    pub = await create(
        client, editor, "publication", events=[event["slug"]], concerns=[{"kind": "law", "slug": law["slug"]}]
    )
    r = await client.patch(
        f"/v1/events/{event['slug']}",
        json={"program": None, "concerns": [{"kind": "policy", "slug": policy["slug"]}]},
        headers={**editor, "Content-Type": "application/merge-patch+json"},
    )
    assert r.status_code == 200, r.text
    assert r.json()["program"] is None and r.json()["concerns"] == [
        {"kind": "policy", "slug": policy["slug"]}
    ]
    assert r.json()["organizers"][0]["organization"] == org["slug"]
    incoming = (await client.get(f"/v1/laws/{law['slug']}")).json()["relations"]
    assert [(x["kind"], x["slug"]) for x in incoming if x["type"] == "concerns"] == [
        ("publication", pub["slug"])
    ]
    revisions = (await client.get(f"/v1/events/{event['slug']}/revisions", headers=editor)).json()["items"]
    assert revisions[0]["diff"] == {"program": None, "concerns": [{"kind": "policy", "slug": policy["slug"]}]}
    # An unpublished program is not shown to the public at the other end of the link.
    await client.patch(
        f"/v1/programs/{program['slug']}",
        json={"publication": "draft"},
        headers={**editor, "Content-Type": "application/merge-patch+json"},
    )
    linked = await create(client, editor, "event", program=program["slug"])
    assert (await client.get(f"/v1/events/{linked['slug']}")).json()["program"] is None
    assert (await client.get(f"/v1/events/{linked['slug']}", headers=editor)).json()["program"] == program[
        "slug"
    ]


def _far_ahead() -> str:
    return str(dt.date.today().year + 2)


@pytest.mark.parametrize(
    ("kind", "over", "pointer"),
    [
        ("event", {"starts_on": "2014-06-12", "ends_on": "2014-06-11"}, "/ends_on"),
        ("event", {"starts_on": "2014", "ends_on": "2013-12"}, "/ends_on"),
        ("event", {"participants_count": -1}, "/participants_count"),
        (
            "event",
            {"organizers": [{"organization": "org-nowhere", "role": "organizer"}]},
            "/organizers/0/organization",
        ),
        ("event", {"organizers": [{"name": "X", "role": "sponsor"}]}, "/organizers/0/role"),
        ("event", {"program": "prog-nowhere"}, "/program"),
        ("event", {"concerns": [{"kind": "organization", "slug": "org-iom"}]}, "/concerns/0/kind"),
        ("event", {"concerns": [{"kind": "law", "slug": "law-nowhere"}]}, "/concerns/0/slug"),
        ("event", {"event_type": "party"}, "/event_type"),
        ("event", {"status": "rumoured"}, "/status"),
        ("publication", {"published_on": None}, None),
        ("publication", {"published_on": "far"}, "/published_on"),
        ("publication", {"pub_type": "tweet"}, "/pub_type"),
        ("publication", {"events": ["ev-nowhere"]}, "/events/0"),
        ("publication", {"publishers": [{"role": "publisher"}]}, "/publishers/0"),
        ("publication", {"languages": ["xx"]}, "/languages/0"),
    ],
)
async def test_bad_input_names_the_field_and_writes_nothing(
    client: httpx.AsyncClient, editor: dict[str, str], kind: str, over: dict[str, Any], pointer: str | None
) -> None:
    plural = {"event": "events", "publication": "publications"}[kind]
    if over.get("published_on") == "far":
        over = {"published_on": _far_ahead()}
    body = BUILDERS[kind](**over)
    r = await client.post(f"/v1/{plural}", json=body, headers=editor)
    if pointer is None:  # the control: the same body without the fault is accepted
        assert r.status_code == 201, r.text
        return
    assert r.status_code == 422, r.text
    assert r.headers["content-type"] == "application/problem+json"
    assert pointer in [e["path"] for e in r.json()["errors"]], r.json()
    assert (await client.get(f"/v1/{plural}/{body['slug']}", headers=editor)).status_code == 404
    assert (await client.get(f"/v1/{plural}", headers=editor)).json()["total"] == 0
