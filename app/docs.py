"""The words advocates read first in /docs."""

from app.registry import SPECS

_PLURALS = [spec.plural for spec in SPECS]

DESCRIPTION = f"""
{", ".join(_PLURALS[:-1]).capitalize()} and {_PLURALS[-1]} on **migrant rights in Central Asia** (Kyrgyzstan,
Kazakhstan, Tajikistan, Uzbekistan, Turkmenistan) and Russia, in the region's languages.

* **Search** (`GET /v1/search?q=…`) in any language or script, typos welcome:
  `закон о внешней миграции` (Russian), `labour migrants Russia` (English),
  `Тышкы миграция жөнүндө` (Kyrgyz), `босқындар туралы заң` (Kazakh),
  `mehnat migratsiyasi Oʻzbekiston` (Uzbek, Latin), `меҳнат муҳоҷирати` (Uzbek, Cyrillic),
  `Дар бораи муҳоҷират` (Tajik), `Migrasiýa hakynda` (Turkmen). Cyrillic typed in Latin letters
  (`zakon o vneshnei migratsii`) or without special letters (`казак` for `қазақ`) works too.
* **Filter** any list or search by `country=KG` (ISO codes, see `/v1/countries`) and
  `topic=labour-migration` (see `/v1/topics`); repeat or comma-separate values for "or".
* **Browse**: {", ".join(f"`/v1/{p}`" for p in _PLURALS)}. Filter by
  `country=KG`, `topic=labour-migration`, `status`, `from=2010&to=2020`; page with `cursor`.
* **Timeline**: `GET /v1/timeline?country=KG&topic=labour-migration&from=2012&to=2015` lists laws
  adopted, programs started, events held and publications released, in order.
* **One record**: `GET /v1/laws/{{slug}}?lang=ru` shows the Russian title where there is one, and says
  which language each text is in and whether it is an official, unofficial or machine translation.
  `as_of=2014-01-01` on a law says whether it was in force that day, and as amended by which laws.
* **Files**: laws, policies, events and publications carry attached documents (the texts themselves),
  listed and downloaded under each record (`/v1/laws/{{slug}}/attachments`).
* **Figures**: `GET /v1/indicators/remittances-gdp/observations?country=KG,TJ&from=2008&to=2022` lists
  every value with its source (several sources for one year are all kept; `Accept: text/csv` for a
  table), and `…/chart.svg` (or `.png`, or `.vl.json` to draw it yourself) is its line chart.
* **Languages**: `lang=en|ru|ky|kk|uz|tg|tk`, or `lang=all` for the full multilingual objects.
* **Writing** needs an API key (`Authorization: Bearer …`; press *Authorize* above). Ask the
  center's staff for one; they make it with `migrantkb keys create --role editor`.
* **Syncing**: `GET /v1/export` for everything, then `GET /v1/changes?since=<seq>` for what changed,
  or a webhook to hear of changes as they happen.

Errors are `application/problem+json` (RFC 9457).
"""

TAGS = [
    {"name": "Search", "description": "Find anything, in any of the region's languages, with typos."},
    *({"name": spec.tag, "description": spec.description} for spec in SPECS),
    {
        "name": "Timeline",
        "description": "What happened when, across kinds: laws adopted, programs started, events held.",
    },
    {
        "name": "Import and export",
        "description": "Everything in one file: NDJSON or CSV out and back in; IATI, Popolo and HSDS out.",
    },
    {"name": "Change feed", "description": "Mirror the base: everything that changed since your last sync."},
    {"name": "Webhooks", "description": "Hear of changes as they happen: signed POSTs to your URL."},
    {"name": "Reference data", "description": "Countries and topics used to tag records."},
    {"name": "Operations", "description": "Liveness and readiness probes."},
]
