"""The generated Python client (openapi-python-client) against a live server: every call through
its generated functions and models, nothing by hand. Run by tests/test_clients.py as
`python use_python_client.py BASE_URL EDITOR_KEY` with the generated package on PYTHONPATH."""

from __future__ import annotations

import io
import json
import sys

from migrantkb_client import AuthenticatedClient, Client
from migrantkb_client.api.import_and_export import export_records, import_records
from migrantkb_client.api.indicators import (
    import_indicator_observations,
    list_indicator_observations,
    list_indicators,
)
from migrantkb_client.api.laws import (
    download_law_attachment,
    get_law,
    list_law_attachments,
    list_laws,
    upload_law_attachment,
)
from migrantkb_client.api.search import search
from migrantkb_client.api.timeline import timeline
from migrantkb_client.api.webhooks import create_webhook
from migrantkb_client.models import (
    AttachmentOut,
    BodyUploadLawAttachment,
    ExportRecordsFormat,
    ImportIndicatorObservationsFormat,
    ImportReport,
    IndicatorOutPage,
    LawOutDetail,
    LawOutPage,
    ObservationImportReport,
    ObservationPage,
    PageAttachmentOut,
    SearchResponse,
    TimelinePage,
    WebhookIn,
    WebhookOut,
)
from migrantkb_client.types import File

base_url, token = sys.argv[1], sys.argv[2]
public = Client(base_url=base_url, raise_on_unexpected_status=True)
editor = AuthenticatedClient(base_url=base_url, token=token, raise_on_unexpected_status=True)

laws = list_laws.sync(client=public, country=["KG"], limit=5)
assert isinstance(laws, LawOutPage) and laws.items and laws.total >= len(laws.items), laws
law = get_law.sync("law-kg-external-migration-2000", client=public, lang="ru")
assert isinstance(law, LawOutDetail) and law.slug == "law-kg-external-migration-2000", law
found = search.sync(client=public, q="закон о внешней миграции")
assert isinstance(found, SearchResponse) and found.hits, found
assert any(h.slug == law.slug for h in found.hits), [h.slug for h in found.hits]
steps = timeline.sync(client=public, country=["KG"], limit=10)
assert isinstance(steps, TimelinePage) and steps.items, steps

text = "Закон о внешней миграции: памятка\n".encode()
upload = BodyUploadLawAttachment(
    file=File(payload=io.BytesIO(text), file_name="памятка.txt", mime_type="text/plain"),
    title="Памятка",
    languages=["ru"],
)
made = upload_law_attachment.sync(law.slug, client=editor, body=upload)
assert isinstance(made, AttachmentOut) and made.size == len(text) and made.title == "Памятка", made
listed = list_law_attachments.sync(law.slug, client=public)
assert isinstance(listed, PageAttachmentOut) and made.id in [a.id for a in listed.items], listed
downloaded = download_law_attachment.sync(law.slug, made.id, client=public)
assert isinstance(downloaded, File) and downloaded.payload.read() == text

line = {
    "kind": "organization",
    "slug": "org-kg-client-test",
    "name": {"en": "Client Test Legal Clinic"},
    "org_type": "legal_clinic",
    "countries": ["KG"],
    "publication": "published",
}
ndjson = (json.dumps(line) + "\n").encode()
report = import_records.sync(client=editor, body=File(payload=io.BytesIO(ndjson)))
assert isinstance(report, ImportReport) and report.committed and not report.errors, report

indicators = list_indicators.sync(client=public, country=["TJ"], limit=20)
assert isinstance(indicators, IndicatorOutPage) and "remittances-gdp" in [i.slug for i in indicators.items]
values = list_indicator_observations.sync("remittances-gdp", client=public, country="KG,TJ", from_="2020")
assert isinstance(values, ObservationPage) and values.items and values.sources, values
assert {v.country for v in values.items} <= {"KG", "TJ"} and all(v.period >= "2020" for v in values.items)
code = "BX.TRF.PWKR.DT.GD.ZS"
wb = [
    {"page": 1, "pages": 1, "per_page": 50, "total": 1, "sourceid": "2", "lastupdated": "2026-07-01"},
    [{"indicator": {"id": code, "value": "Personal remittances, received (% of GDP)"},
      "country": {"id": "KG", "value": "Kyrgyz Republic"}, "countryiso3code": "KGZ", "date": "2025",
      "value": 19.5, "unit": "", "obs_status": "", "decimal": 1}],
]  # fmt: skip
imported = import_indicator_observations.sync(
    "remittances-gdp",
    client=editor,
    body=File(payload=io.BytesIO(json.dumps(wb).encode()), mime_type="application/json"),
    format_=ImportIndicatorObservationsFormat.WB_JSON,
    source="src-client-test",
    publisher="World Bank",
    title="World Development Indicators (client test)",
)
assert isinstance(imported, ObservationImportReport) and imported.committed, imported
assert imported.counts.added == 1, imported.counts
mine = list_indicator_observations.sync("remittances-gdp", client=public, source="src-client-test")
assert isinstance(mine, ObservationPage) and [(v.country, v.period, v.value) for v in mine.items] == [
    ("KG", "2025", 19.5)
], mine

hook = create_webhook.sync(client=editor, body=WebhookIn(url="http://127.0.0.1:9/hook"))
assert isinstance(hook, WebhookOut) and hook.url == "http://127.0.0.1:9/hook", hook

exports = {
    ExportRecordsFormat.NDJSON: (None, "application/x-ndjson"),
    ExportRecordsFormat.CSV: (["organization"], "text/csv"),
    ExportRecordsFormat.IATI: (["program"], "application/xml"),
    ExportRecordsFormat.POPOLO: (["organization"], "application/json"),
    ExportRecordsFormat.HSDS: (["organization"], "application/json"),
}
for fmt, (kinds, media_type) in exports.items():
    response = export_records.sync_detailed(client=public, format_=fmt, **({"kind": kinds} if kinds else {}))
    assert response.status_code == 200, (fmt, response.content[:300])
    assert response.headers["content-type"].startswith(media_type), (fmt, response.headers)
    assert isinstance(response.parsed, File), fmt
    body = response.parsed.payload.read()
    assert body and (b"Client Test Legal Clinic" in body or fmt == ExportRecordsFormat.IATI), fmt
print("python client: ok")
