"""Importing observations from the formats figures are published in, each on a small file in the
real layout written here: World Bank API v2 JSON and bulk CSV, Open SDG CSV, SDMX-ML and
SDMX-JSON. Dry runs write nothing, one bad value rejects the file with its line and field, and each
import names its source."""

from __future__ import annotations

import json
from typing import Any

import httpx
import pytest

CODE = "BX.TRF.PWKR.DT.GD.ZS"
WDI = {
    "source": "src-wdi-test",
    "publisher": "World Bank",
    "title": "World Development Indicators",
    "url": "https://data.worldbank.org/indicator/BX.TRF.PWKR.DT.GD.ZS",
    "vintage": "2025-07",
}

WB_CSV = (
    '"Data Source","World Development Indicators",\n'
    "\n"
    '"Last Updated Date","2025-07-01",\n'
    "\n"
    '"Country Name","Country Code","Indicator Name","Indicator Code","2020","2021","2022","2023",\n'
    '"Kyrgyz Republic","KGZ","Personal remittances, received (% of GDP)","BX.TRF.PWKR.DT.GD.ZS",'
    '"31.2","32.9","26.6","",\n'
    '"Tajikistan","TJK","Personal remittances, received (% of GDP)","BX.TRF.PWKR.DT.GD.ZS",'
    '"26.7","32.9","50.9","38.2",\n'
    '"Europe & Central Asia","ECS","Personal remittances, received (% of GDP)","BX.TRF.PWKR.DT.GD.ZS",'
    '"0.8","0.9","1.0","1.1",\n'
)


def wb_json() -> bytes:
    meta = {"page": 1, "pages": 1, "per_page": 50, "total": 4, "sourceid": "2", "lastupdated": "2025-07-01"}
    values = [
        {
            "indicator": {"id": CODE, "value": "Personal remittances, received (% of GDP)"},
            "country": {"id": country, "value": name},
            "countryiso3code": iso3,
            "date": date,
            "value": value,
            "unit": "",
            "obs_status": "",
            "decimal": 1,
        }
        for country, name, iso3, date, value in [
            ("UZ", "Uzbekistan", "UZB", "2023", 13.8),
            ("UZ", "Uzbekistan", "UZB", "2022", 17.3),
            ("UZ", "Uzbekistan", "UZB", "2021", None),
            ("Z7", "Europe & Central Asia", "ECS", "2023", 1.1),
        ]
    ]
    return json.dumps([meta, values]).encode()


async def new_indicator(
    client: httpx.AsyncClient, editor: dict[str, str], slug: str, code: str | None
) -> None:
    body = {"slug": slug, "name": {"en": slug}, "unit": "percent", "publication": "published"}
    if code:
        body["code"] = code
    r = await client.post("/v1/indicators", json=body, headers=editor)
    assert r.status_code == 201, r.text


async def run(
    client: httpx.AsyncClient, editor: dict[str, str], slug: str, fmt: str, data: bytes, **params: Any
) -> httpx.Response:
    return await client.post(
        f"/v1/indicators/{slug}/observations/import",
        params={"format": fmt, **params},
        content=data,
        headers={**editor, "Content-Type": "application/octet-stream"},
    )


async def values(client: httpx.AsyncClient, slug: str, **params: Any) -> set[tuple[Any, ...]]:
    r = await client.get(f"/v1/indicators/{slug}/observations", params={"limit": 1000, **params})
    assert r.status_code == 200, r.text
    return {
        (i["country"], i["period"], i["value"], i["source"], tuple(sorted(i["disaggregation"].items())))
        for i in r.json()["items"]
    }


async def test_world_bank_csv(client: httpx.AsyncClient, editor: dict[str, str]) -> None:
    await new_indicator(client, editor, "remit", CODE)
    r = await run(client, editor, "remit", "wb-csv", WB_CSV.encode(), **WDI)
    assert r.status_code == 200, r.text
    report = r.json()
    assert report["committed"] and report["series"] == CODE and report["source"] == "src-wdi-test"
    # The empty 2023 cell and the regional aggregate's four values are skipped, not errors.
    assert report["counts"] == {"added": 7, "replaced": 0, "unchanged": 0, "superseded": 0, "skipped": 5}
    assert ("TJ", "2022", 50.9, "src-wdi-test", ()) in await values(client, "remit")
    version = (await client.get("/v1/indicators/remit")).json()["version"]
    detail = (await client.get("/v1/indicators/remit")).json()
    assert detail["countries"] == ["KG", "TJ"] and detail["sources"][0]["vintage"] == "2025-07"
    # Again: the same values are replaced, not doubled.
    again = (await run(client, editor, "remit", "wb-csv", WB_CSV.encode(), source="src-wdi-test")).json()
    assert again["counts"] == {"added": 0, "replaced": 0, "unchanged": 7, "superseded": 0, "skipped": 5}
    revised = WB_CSV.replace('"50.9"', '"51.0"').encode()
    third = (await run(client, editor, "remit", "wb-csv", revised, source="src-wdi-test")).json()
    assert third["counts"] == {"added": 0, "replaced": 1, "unchanged": 6, "superseded": 0, "skipped": 5}
    assert ("TJ", "2022", 51.0, "src-wdi-test", ()) in await values(client, "remit")
    assert len(await values(client, "remit")) == 7
    # The figures changed once more (the unchanged import made no version).
    assert (await client.get("/v1/indicators/remit")).json()["version"] == version + 1
    # A country's line twice: the later one is written, and the earlier is counted as superseded,
    # not as unchanged.
    tj = next(line for line in WB_CSV.splitlines(keepends=True) if line.startswith('"Tajikistan"'))
    twice = WB_CSV.replace(tj, tj + tj.replace('"50.9"', '"52.0"'))
    fourth = (await run(client, editor, "remit", "wb-csv", twice.encode(), source="src-wdi-test")).json()
    assert fourth["counts"] == {"added": 0, "replaced": 1, "unchanged": 6, "superseded": 4, "skipped": 5}
    assert ("TJ", "2022", 52.0, "src-wdi-test", ()) in await values(client, "remit")


async def test_world_bank_api_json(client: httpx.AsyncClient, editor: dict[str, str]) -> None:
    await new_indicator(client, editor, "remit", CODE)
    r = await run(client, editor, "remit", "wb-json", wb_json(), **WDI)
    assert r.status_code == 200, r.text
    assert r.json()["counts"] == {"added": 2, "replaced": 0, "unchanged": 0, "superseded": 0, "skipped": 2}
    assert await values(client, "remit") == {
        ("UZ", "2023", 13.8, "src-wdi-test", ()),
        ("UZ", "2022", 17.3, "src-wdi-test", ()),
    }


async def test_open_sdg_csv(client: httpx.AsyncClient, editor: dict[str, str]) -> None:
    await new_indicator(client, editor, "sdg-10-7-2", None)
    data = "Year,Domain,Value\n2021,,3\n2021,Migrant rights,3\n2021,Whole-of-government,2\n2022,,\n"
    source = {"source": "src-kg-sdg", "publisher": "National Statistical Committee", "title": "SDG 10.7.2"}
    r = await run(client, editor, "sdg-10-7-2", "open-sdg", data.encode(), country="KG", **source)
    assert r.status_code == 200, r.text
    assert r.json()["counts"] == {"added": 3, "replaced": 0, "unchanged": 0, "superseded": 0, "skipped": 1}
    assert await values(client, "sdg-10-7-2") == {
        ("KG", "2021", 3.0, "src-kg-sdg", ()),
        ("KG", "2021", 3.0, "src-kg-sdg", (("Domain", "Migrant rights"),)),
        ("KG", "2021", 2.0, "src-kg-sdg", (("Domain", "Whole-of-government"),)),
    }
    # Without GeoCode or `country` the file says nothing of where: a problem, nothing written.
    r = await run(client, editor, "sdg-10-7-2", "open-sdg", data.encode(), source="src-kg-sdg")
    assert r.status_code == 422 and "GeoCode" in r.json()["errors"][0]["message"]


SDMX_ML = """<?xml version="1.0" encoding="UTF-8"?>
<message:GenericData xmlns:message="http://www.sdmx.org/resources/sdmxml/schemas/v2_1/message"
    xmlns:generic="http://www.sdmx.org/resources/sdmxml/schemas/v2_1/data/generic"
    xmlns:common="http://www.sdmx.org/resources/sdmxml/schemas/v2_1/common">
  <message:Header>
    <message:ID>MIG0001</message:ID>
    <message:Test>false</message:Test>
    <message:Prepared>2025-01-01T00:00:00</message:Prepared>
    <message:Sender id="CENTER"/>
    <message:Structure structureID="DSD_MIG" dimensionAtObservation="TIME_PERIOD">
      <common:Structure><Ref agencyID="CENTER" id="DSD_MIG" version="1.0"/></common:Structure>
    </message:Structure>
  </message:Header>
  <message:DataSet structureRef="DSD_MIG">
    <generic:Series>
      <generic:SeriesKey>
        <generic:Value id="FREQ" value="Q"/>
        <generic:Value id="REF_AREA" value="KG"/>
        <generic:Value id="SEX" value="F"/>
      </generic:SeriesKey>
      <generic:Obs><generic:ObsDimension value="2023-Q1"/><generic:ObsValue value="41200"/></generic:Obs>
      <generic:Obs><generic:ObsDimension value="2023-Q2"/><generic:ObsValue value="39850"/></generic:Obs>
    </generic:Series>
    <generic:Series>
      <generic:SeriesKey>
        <generic:Value id="FREQ" value="Q"/>
        <generic:Value id="REF_AREA" value="KG"/>
        <generic:Value id="SEX" value="_T"/>
      </generic:SeriesKey>
      <generic:Obs><generic:ObsDimension value="2023-Q1"/><generic:ObsValue value="172591"/></generic:Obs>
    </generic:Series>
  </message:DataSet>
</message:GenericData>
"""


def sdmx_json() -> bytes:
    return json.dumps(
        {
            "header": {
                "id": "MIG0002",
                "test": False,
                "prepared": "2025-01-01T00:00:00Z",
                "sender": {"id": "C"},
            },
            "dataSets": [
                {
                    "action": "Information",
                    "series": {
                        "0:0": {"observations": {"0": [652000], "1": [775600]}},
                        "1:0": {"observations": {"0": [1200]}},
                    },
                }
            ],
            "structure": {
                "dimensions": {
                    "series": [
                        {
                            "id": "REF_AREA",
                            "keyPosition": 0,
                            "values": [
                                {"id": "TJK", "name": "Tajikistan"},
                                {"id": "TM", "name": "Turkmenistan"},
                            ],
                        },
                        {"id": "SEX", "keyPosition": 1, "values": [{"id": "_T", "name": "Total"}]},
                    ],
                    "observation": [
                        {
                            "id": "TIME_PERIOD",
                            "keyPosition": 2,
                            "values": [{"id": "2023", "name": "2023"}, {"id": "2022", "name": "2022"}],
                        }
                    ],
                },
                "attributes": {"dataSet": [], "series": [], "observation": []},
            },
        }
    ).encode()


@pytest.mark.parametrize("fmt", ["sdmx-ml", "sdmx-json"])
async def test_sdmx(client: httpx.AsyncClient, editor: dict[str, str], fmt: str) -> None:
    await new_indicator(client, editor, "departures", None)
    source = {"source": f"src-{fmt}", "publisher": "Agency", "title": "Migration statistics"}
    data = SDMX_ML.encode() if fmt == "sdmx-ml" else sdmx_json()
    r = await run(client, editor, "departures", fmt, data, **source)
    assert r.status_code == 200, r.text
    got = await values(client, "departures")
    if fmt == "sdmx-ml":
        assert got == {
            ("KG", "2023-Q1", 41200.0, "src-sdmx-ml", (("SEX", "F"),)),
            ("KG", "2023-Q2", 39850.0, "src-sdmx-ml", (("SEX", "F"),)),
            ("KG", "2023-Q1", 172591.0, "src-sdmx-ml", ()),
        }
    else:
        assert got == {
            ("TJ", "2023", 652000.0, "src-sdmx-json", ()),
            ("TJ", "2022", 775600.0, "src-sdmx-json", ()),
            ("TM", "2023", 1200.0, "src-sdmx-json", ()),
        }
    broken = await run(client, editor, "departures", fmt, data[: len(data) // 2], source=source["source"])
    assert broken.status_code == 422 and "SDMX" in broken.json()["errors"][0]["message"]


async def test_a_bad_file_writes_nothing_and_says_where(
    client: httpx.AsyncClient, editor: dict[str, str]
) -> None:
    await new_indicator(client, editor, "remit", CODE)
    bad = WB_CSV.replace('"32.9","26.6"', '"32,9x","26.6"').replace('"26.7"', '"n/a"')
    dry = await run(client, editor, "remit", "wb-csv", bad.encode(), dry_run="true", **WDI)
    assert dry.status_code == 200 and not dry.json()["committed"]
    errors = [(e["line"], e["path"]) for e in dry.json()["errors"]]
    assert errors == [(6, "/2021/value"), (7, "/2020/value")]
    r = await run(client, editor, "remit", "wb-csv", bad.encode(), **WDI)
    assert r.status_code == 422 and r.headers["content-type"].startswith("application/problem+json")
    assert [e["path"] for e in r.json()["errors"]] == ["/line/6/2021/value", "/line/7/2020/value"]
    assert await values(client, "remit") == set()
    # The source named with the bad file was not created either.
    unknown = await run(client, editor, "remit", "wb-csv", WB_CSV.encode(), source="src-wdi-test")
    assert unknown.status_code == 422 and unknown.json()["errors"][0]["path"] == "/source"
    # A dry run of a good file counts and writes nothing.
    ok = await run(client, editor, "remit", "wb-csv", WB_CSV.encode(), dry_run="true", **WDI)
    assert ok.json()["rows"] == 7 and not ok.json()["committed"]
    assert await values(client, "remit") == set()


async def test_another_series_and_another_source(client: httpx.AsyncClient, editor: dict[str, str]) -> None:
    await new_indicator(client, editor, "other", "SM.POP.TOTL")
    r = await run(client, editor, "other", "wb-csv", WB_CSV.encode(), **WDI)
    assert r.status_code == 422 and CODE in r.json()["errors"][0]["message"]
    await new_indicator(client, editor, "remit", CODE)
    assert (await run(client, editor, "remit", "wb-csv", WB_CSV.encode(), **WDI)).status_code == 200
    cited = {
        **WDI,
        "source": "src-brief",
        "title": "Migration and Development Brief",
        "via": "as reported by 24.kg",
    }
    assert (await run(client, editor, "remit", "wb-csv", WB_CSV.encode(), **cited)).status_code == 200
    kg_2020 = await values(client, "remit", country="KG", **{"from": "2020", "to": "2020"})
    # Both sources' values for one country and year are kept.
    assert {v[3] for v in kg_2020} == {"src-wdi-test", "src-brief"}


async def test_imports_need_an_editor(client: httpx.AsyncClient, editor: dict[str, str]) -> None:
    await new_indicator(client, editor, "remit", CODE)
    r = await client.post(
        "/v1/indicators/remit/observations/import", params={"format": "wb-csv", **WDI}, content=WB_CSV
    )
    assert r.status_code == 401


@pytest.mark.parametrize(
    ("fmt", "data"),
    [
        ("wb-csv", b"\xff\xfe not text"),
        ("wb-csv", b"no,header\n"),
        ("wb-json", b'{"message": "not the API"}'),
        ("wb-json", b'[{}, [{"country": "KG", "indicator": 5, "date": 2020, "value": {"a": 1}}]]'),
        ("open-sdg", b"Year,Value,GeoCode\n2020,1,KG,extra\n"),
        ("sdmx-ml", b"<not-sdmx/>"),
        ("sdmx-json", b"[]"),
    ],
)
async def test_odd_files_are_problems_not_failures(
    client: httpx.AsyncClient, editor: dict[str, str], fmt: str, data: bytes
) -> None:
    await new_indicator(client, editor, "odd", None)
    r = await run(client, editor, "odd", fmt, data, **WDI)
    assert r.status_code == 422, r.text
    assert r.json()["errors"] and r.headers["content-type"].startswith("application/problem+json")
    assert await values(client, "odd") == set()
