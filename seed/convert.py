"""Convert ../shared/data/central-asia.json and events-publications.json (research notes) into the
import format (NDJSON).

    .venv/bin/python seed/convert.py [--data PATH] [--activities PATH] [--out seed/seed.ndjson]

Rules (../shared/data/README.md): dataset ids become slugs; dates keep their precision; null stays
null; topics map to slugs; program participants link to organizations by name or acronym, else stay
plain text; sources are kept; confidence and notes become editorial metadata. Translations from
seed/translations.json fill languages the dataset lacks and are marked `machine`; the dataset's own
original-language titles are official.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
DEFAULT_DATA = HERE.parent.parent / "shared" / "data" / "central-asia.json"
DEFAULT_ACTIVITIES = HERE.parent.parent / "shared" / "data" / "events-publications.json"

LAW_STATUS = {
    "in force": "in_force",
    "in force (amended)": "amended",
    "amended": "amended",
    "repealed": "repealed",
}
POLICY_STATUS = {
    "in force": "active",
    "amended": "active",
    "expired (period ended)": "expired",
    "repealed / not in force": "expired",
    "superseded": "superseded",
    "unknown": "unknown",
}
POLICY_TYPE = {
    "concept": "concept",
    "programme": "programme",
    "presidential decree": "decree",
    "presidential resolution": "decree",
    "strategy": "strategy",
    "action plan": "action_plan",
}
PROGRAM_STATUS = {"completed": "completed", "ongoing": "active", "unknown": "unknown"}
ORG_TYPE = {"NGO": "ngo", "legal clinic": "legal_clinic"}
SERVICE = {"legal aid": "legal_aid"}
# Original-language names the dataset gives as one string: split by hand, language known.
ORIGINAL_NAMES = {
    "org-cam-platform": {"ru": "Центральная Азия в движении"},
    "org-kg-ministry-labor-migration-youth": {
        "ru": "Министерство труда, миграции и молодежи Кыргызской Республики"
    },
    "org-kg-state-migration-service": {
        "ru": "Государственная служба миграции при Правительстве Кыргызской Республики"
    },
    "org-kg-ministry-labour-social-security-migration": {
        "ru": "Министерство труда, социального обеспечения и миграции Кыргызской Республики"
    },
    "org-insan-leilek": {"ru": "Инсан-Лейлек"},
    "org-tj-migration-service": {"ru": "Миграционная служба при Правительстве Республики Таджикистан"},
    "org-tm-state-migration-service": {
        "tk": "Türkmenistanyň Döwlet migrasiýa gullugy",
        "ru": "Государственная миграционная служба Туркменистана",
    },
    "org-ru-guvm-mvd": {"ru": "Главное управление по вопросам миграции МВД России"},
}
_DATE = re.compile(r"^(\d{4}(?:-\d{2}(?:-\d{2})?)?)\b(.*)$")


def topic_slug(word: str) -> str:
    return re.sub(r"[^a-z]+", "-", word.lower().replace("&", " ")).strip("-")


def partial_date(value: str | None) -> tuple[str | None, str]:
    """`"2003-02-21 (Presidential Decree No. 6133)"` → ("2003-02-21", "Presidential Decree No. 6133")."""
    if not value:
        return None, ""
    m = _DATE.match(value.strip())
    if not m:
        return None, value
    return m.group(1), m.group(2).strip(" ;()")


def sources(r: dict[str, Any]) -> list[str]:
    urls = [r.get("source_url"), *(r.get("additional_sources") or [])]
    return list(dict.fromkeys(u for u in urls if u))


def editorial(r: dict[str, Any], extra: list[str]) -> dict[str, Any]:
    notes = " ".join(x for x in [r.get("notes"), *extra] if x)
    return {"confidence": r.get("confidence"), "notes": notes or None}


def localized(
    english: str | None, originals: dict[str, str], extra: dict[str, str], kinds: dict[str, str]
) -> dict[str, str]:
    """English (ours), then the dataset's originals (official), then machine translations for the rest."""
    text: dict[str, str] = {}
    if english:
        text["en"] = english
    for lang, value in originals.items():
        text[lang] = value
    for lang, value in extra.items():
        if lang not in text:
            text[lang] = value
            kinds.setdefault(lang, "machine")
    return text


def common(
    r: dict[str, Any],
    tr: dict[str, Any],
    title_key: str,
    summary_key: str,
    english_title: str | None,
    english_summary: str | None,
    originals: dict[str, str],
    notes: list[str],
) -> dict[str, Any]:
    kinds: dict[str, str] = {}
    original_language = next(iter(originals), "en")
    if originals and english_title:
        kinds["en"] = "unofficial"
    title = localized(english_title, originals, tr.get(title_key, {}), kinds)
    summary = localized(english_summary, {}, tr.get(summary_key, {}), kinds)
    if original_language != "en" and english_summary:
        kinds.setdefault("en", "unofficial")
    record = {
        "slug": r["id"],
        title_key: title,
        summary_key: summary,
        "original_language": original_language,
        "translation_kinds": kinds,
        "countries": r.get("countries") or [],
        "topics": [topic_slug(t) for t in r.get("topics") or r.get("areas_of_work") or []],
        "source_urls": sources(r),
        "editorial": editorial(r, notes),
        "publication": "published",
    }
    return record


def convert_law(r: dict[str, Any], tr: dict[str, Any], known: set[str]) -> dict[str, Any]:
    notes = []
    if r.get("date_passed_by_parliament"):
        notes.append(f"Passed by parliament: {r['date_passed_by_parliament']}.")
    if r.get("date_approved_by_federation_council"):
        notes.append(f"Approved by the Federation Council: {r['date_approved_by_federation_council']}.")
    if r.get("amendments_seen"):
        notes.append("Amendments seen: " + "; ".join(r["amendments_seen"]) + ".")
    related = []
    for key in ("replaces", "implementing_acts"):
        for item in _as_list(r.get(key)):
            if item in known:
                related.append(
                    {"type": "replaces" if key == "replaces" else "related", "kind": "law", "slug": item}
                )
            else:
                notes.append(f"{key.replace('_', ' ').capitalize()}: {item}.")
    out = common(r, tr, "title", "summary", r["title_en"], r["summary"], r.get("title_original") or {}, notes)
    out.update(
        kind="law",
        instrument_type=r["instrument_type"],
        number=r.get("number"),
        adopted_on=r.get("date_adopted"),
        in_force_on=r.get("date_in_force"),
        status=LAW_STATUS.get(r.get("status") or "", "unknown"),
        status_as_of=r.get("status_as_of"),
        official_publication=r.get("official_publication"),
        ratifications=[_ratification(x) for x in r.get("ratifications") or []],
        related=related,
    )
    if r.get("number"):
        out["identifiers"] = [{"scheme": "official-number", "value": r["number"]}]
    return out


def _as_list(value: Any) -> list[str]:
    if not value:
        return []
    return [value] if isinstance(value, str) else [str(v) for v in value]


def _ratification(x: dict[str, Any]) -> dict[str, Any]:
    action = (x.get("action") or "ratification").lower()
    kind = (
        "not_party"
        if "not a party" in action
        else "accession"
        if action.startswith("accession")
        else "signature"
        if action.startswith("signature")
        else "ratification"
    )
    return {"country": x["country"], "action": kind, "date": x.get("date") or x.get("year")}


def convert_policy(r: dict[str, Any], tr: dict[str, Any], known: set[str]) -> dict[str, Any]:
    notes = []
    related = []
    for item in _as_list(r.get("related_acts")):
        if item in known:
            related.append(
                {"type": "related", "kind": "law" if item.startswith("law-") else "policy", "slug": item}
            )
        else:
            notes.append(f"Related act: {item}.")
    out = common(r, tr, "title", "summary", r["title_en"], r["summary"], r.get("title_original") or {}, notes)
    out.update(
        kind="policy",
        policy_type=POLICY_TYPE.get((r.get("policy_type") or "").lower(), "other"),
        issuing_body=r.get("issuing_body"),
        instrument=r.get("instrument"),
        adopted_on=r.get("date_adopted"),
        period_start=r.get("period_start"),
        period_end=r.get("period_end"),
        status=POLICY_STATUS.get(r.get("status") or "", "unknown"),
        related=related,
    )
    return out


def convert_program(r: dict[str, Any], tr: dict[str, Any], orgs: list[dict[str, Any]]) -> dict[str, Any]:
    notes = []
    for key in ("budget_note", "additional_funding", "key_facts", "key_results", "phase_1_period"):
        if r.get(key):
            value = r[key] if isinstance(r[key], str) else "; ".join(map(str, r[key]))
            notes.append(f"{key.replace('_', ' ').capitalize()}: {value}.")
    if r.get("planned_end_date"):
        notes.append(f"Planned end: {r['planned_end_date']}.")
    if r.get("eu_contribution_eur"):
        notes.append(f"EU contribution: EUR {r['eu_contribution_eur']}.")
    out = common(r, tr, "title", "summary", r["title"], r["goal"], {}, notes)
    participants = []
    for role, key in (
        ("donor", "donors"),
        ("implementer", "implementing_organizations"),
        ("partner", "partners"),
    ):
        for name in r.get(key) or []:
            matches = match_organizations(name, orgs, r.get("countries") or [])
            if matches:
                participants += [{"organization": slug, "role": role} for slug in matches]
            else:
                participants.append({"name": name, "role": role})
    out.update(
        kind="program",
        goal=dict(out["summary"]),
        start_on=r.get("start_date"),
        end_on=r.get("end_date"),
        status=PROGRAM_STATUS.get(r.get("status") or "", "unknown"),
        budget={"amount": r["budget_amount"], "currency": r["budget_currency"]}
        if r.get("budget_amount")
        else None,
        key_events=[_event(e) for e in r.get("key_events") or []],
        participants=_dedupe(participants),
    )
    return out


def _event(text: str) -> dict[str, Any]:
    date, rest = partial_date(text)
    if date and rest:
        return {"date": date, "title": {"en": rest}}
    return {"title": {"en": text}}


def _dedupe(items: list[dict[str, Any]]) -> list[dict[str, Any]]:
    seen: list[dict[str, Any]] = []
    for item in items:
        if item not in seen:
            seen.append(item)
    return seen


_STOP = {
    "the",
    "of",
    "and",
    "for",
    "to",
    "in",
    "on",
    "a",
    "an",
    "at",
    "under",
    "public",
    "foundation",
    "association",
    "kg",
    "kz",
    "tj",
    "tm",
    "uz",
    "ru",
}


def _words(text: str) -> list[str]:
    return [w for w in re.findall(r"[a-z0-9]+", text.lower()) if w not in _STOP]


def _core(text: str) -> str:
    return " ".join(_words(re.sub(r"\([^)]*\)", " ", text)))


def _phrase_in(phrase: str, text: str) -> bool:
    return bool(phrase) and f" {phrase} " in f" {text} "


def match_organizations(name: str, orgs: list[dict[str, Any]], countries: list[str]) -> list[str]:
    """Organizations a free-text participant names. Sure matches: the same name, a distinctive
    organization name inside the text (three words or one long word), or an acronym standing as a
    word. Otherwise the text's name inside one organization's name, or all its words in one
    organization's name; ties broken by the program's countries, else no link."""
    text = " ".join(_words(name))
    core = _core(name)
    found: list[str] = []
    for org in orgs:
        org_core = _core(org["name_en"])
        tokens = re.split(r"[\s/()]+", org.get("acronym") or "")
        acronyms = [a for a in tokens if (len(a) >= 3 and a.isupper()) or (len(a) >= 5 and a.istitle())]
        distinctive = len(org_core.split()) >= 3 or (len(org_core.split()) == 1 and len(org_core) >= 8)
        if (
            org_core == core
            or (distinctive and _phrase_in(org_core, text))
            or any(_phrase_in(a.lower(), text) for a in acronyms)
        ):
            found.append(org["id"])
    if found:
        return list(dict.fromkeys(found))
    words = set(core.split())
    if len(words) < 3:
        return []
    candidates = [
        o for o in orgs if _phrase_in(core, _core(o["name_en"])) or words <= set(_core(o["name_en"]).split())
    ]
    if len(candidates) > 1:
        candidates = [o for o in candidates if set(o.get("countries") or []) & set(countries)]
    return [candidates[0]["id"]] if len(candidates) == 1 else []


def convert_organization(r: dict[str, Any], tr: dict[str, Any]) -> dict[str, Any]:
    notes = []
    founded, founded_note = partial_date(r.get("founded"))
    if founded_note:
        notes.append(f"Founded: {r['founded']}.")
    status = (r.get("status") or "").lower()
    original = ORIGINAL_NAMES.get(r["id"], {})
    if r.get("name_original") and not original:
        notes.append(f"Original name: {r['name_original']}.")
    if r.get("status"):
        notes.append(f"Status: {r['status']}.")
    out = common(r, tr, "name", "description", r["name_en"], r["description"], original, notes)
    out["original_language"] = "en" if not original else next(iter(original))
    out.update(
        kind="organization",
        acronym=r.get("acronym"),
        org_type=ORG_TYPE.get(r.get("type") or "", (r.get("type") or "other").lower()),
        city=r.get("city"),
        address=r.get("address"),
        website=r.get("website"),
        email=r.get("email"),
        phone=r.get("phone"),
        founded=founded,
        services=[SERVICE.get(s, s) for s in r.get("services") or []],
        status="inactive"
        if status.startswith(("defunct", "historical"))
        else "unknown"
        if not status
        else "active",
    )
    return out


def _source_note(r: dict[str, Any]) -> list[str]:
    return [f"Source: {r['source']}."] if r.get("source") else []


def _text(value: str | None) -> dict[str, str]:
    return {"en": value} if value else {}


def convert_event(r: dict[str, Any], tr: dict[str, Any]) -> dict[str, Any]:
    """An event of events-publications.json: organizers, partners and participating organizations
    are organization ids; trainers and sources go to the editorial notes."""
    notes = _source_note(r)
    if r.get("trainers"):
        notes.append("Trainers: " + "; ".join(r["trainers"]) + ".")
    out = common(r, tr, "title", "summary", r["title_en"], r.get("summary"), {}, notes)
    organizers = [{"organization": o, "role": "organizer"} for o in r.get("organizers") or []]
    organizers += [{"organization": o, "role": "partner"} for o in r.get("partners") or []]
    organizers += [{"organization": o, "role": "participant"} for o in r.get("participants_orgs") or []]
    out.update(
        kind="event",
        event_type=r["event_type"],
        # Every event of the dataset lies in the past and is reported as having taken place.
        status="held",
        starts_on=r.get("start_date"),
        ends_on=r.get("end_date"),
        place=_text(r.get("city")),
        audience=_text(r.get("audience")),
        participants_count=r.get("participants_count"),
        outcomes=_text(r.get("outcomes")),
        reform_activity=bool(r.get("reform_activity")),
        organizers=_dedupe(organizers),
        program=r.get("program"),
        concerns=[{"kind": "law", "slug": law} for law in r.get("related_laws") or []],
    )
    return out


def convert_publication(r: dict[str, Any], tr: dict[str, Any]) -> dict[str, Any]:
    """A publication: publishers are organization ids, `publisher_names` plain-text publishers."""
    out = common(r, tr, "title", "summary", r["title_en"], None, {}, _source_note(r))
    publishers = [{"organization": o, "role": "publisher"} for o in r.get("publishers") or []]
    publishers += [{"name": name, "role": "publisher"} for name in r.get("publisher_names") or []]
    out.update(
        kind="publication",
        pub_type=r["pub_type"],
        published_on=r.get("date"),
        languages=r.get("languages") or [],
        publishers=publishers,
        events=r.get("events") or [],
        program=r.get("program"),
    )
    return out


def convert(
    data: dict[str, Any], translations: dict[str, Any], activities: dict[str, Any] | None = None
) -> list[dict[str, Any]]:
    known = {r["id"] for k in ("laws", "policies") for r in data[k]}
    tr = translations["records"]
    lines = [convert_organization(r, tr.get(r["id"], {})) for r in data["organizations"]]
    lines += [convert_law(r, tr.get(r["id"], {}), known) for r in data["laws"]]
    lines += [convert_policy(r, tr.get(r["id"], {}), known) for r in data["policies"]]
    lines += [convert_program(r, tr.get(r["id"], {}), data["organizations"]) for r in data["programs"]]
    if activities:
        lines += [convert_event(r, tr.get(r["id"], {})) for r in activities["events"]]
        # An event's `documents` and a publication's `events` are one edge, kept on the publication.
        came_from: dict[str, list[str]] = {}
        for event in activities["events"]:
            for doc in event.get("documents") or []:
                came_from.setdefault(doc, []).append(event["id"])
        # The dataset gives publications no countries or topics: they take those of the events
        # they came out of, else of their program (a workshop report is about the workshop's country).
        by_slug = {line["slug"]: line for line in lines}
        for r in activities["publications"]:
            line = convert_publication(r, tr.get(r["id"], {}))
            line["events"] = list(dict.fromkeys([*line["events"], *came_from.get(r["id"], [])]))
            sources = [by_slug[e] for e in line["events"] if e in by_slug] or (
                [by_slug[line["program"]]] if line.get("program") in by_slug else []
            )
            for field in ("countries", "topics"):
                if not line.get(field):
                    line[field] = list(dict.fromkeys(v for src in sources for v in src.get(field) or []))
            lines.append(line)
    return [
        {k: v for k, v in line.items() if v not in (None, [], {})} | {"kind": line["kind"]} for line in lines
    ]


# Topics of the figures' dataset that the vocabulary names otherwise ("statistics" is what an
# indicator is: the kind's own label).
INDICATOR_TOPICS = {"statistics": None}


def convert_indicator(
    r: dict[str, Any], tr: dict[str, Any], observations: list[dict[str, Any]]
) -> dict[str, Any]:
    """A figure of seed/indicators.json as an indicator record; its sources and observations stay in
    that file, which the seed loads after the records (app/indicators/seed.py). Its `countries` are
    those observed (an aggregate's members), as loading the observations would make them."""
    countries: set[str] = set()
    for o in observations:
        if o["indicator"] == r["id"]:
            countries.update(o.get("region") or [o["country"]])
    name = dict(r["name"])
    machine = {}
    for lang, text in (tr.get("name") or {}).items():
        if lang not in name:
            name[lang] = text
            machine[lang] = "machine"
    topics = [INDICATOR_TOPICS.get(t, t) for t in r.get("topics") or []]
    return {
        "kind": "indicator",
        "slug": r["id"],
        "name": name,
        "definition": r.get("definition") or {},
        "original_language": "en",
        "translation_kinds": machine,
        "countries": sorted(countries),
        "topics": [t for t in topics if t],
        "unit": r["unit"],
        "code": r.get("code"),
        "status": "active",
        "publication": "published",
    }


def render(lines: list[dict[str, Any]]) -> str:
    return "".join(
        json.dumps({"kind": x["kind"], **{k: v for k, v in x.items() if k != "kind"}}, ensure_ascii=False)
        + "\n"
        for x in lines
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA)
    parser.add_argument("--activities", type=Path, default=DEFAULT_ACTIVITIES)
    parser.add_argument("--indicators", type=Path, default=HERE / "indicators.json")
    parser.add_argument("--out", type=Path, default=HERE / "seed.ndjson")
    args = parser.parse_args(argv)
    data = json.loads(args.data.read_text(encoding="utf-8"))
    activities = json.loads(args.activities.read_text(encoding="utf-8"))
    translations = json.loads((HERE / "translations.json").read_text(encoding="utf-8"))
    lines = convert(data, translations, activities)
    figures = json.loads(args.indicators.read_text(encoding="utf-8"))
    lines += [
        {
            k: v
            for k, v in convert_indicator(
                r, translations.get("indicators", {}).get(r["id"], {}), figures["observations"]
            ).items()
            if v not in (None, [], {})
        }
        for r in figures["indicators"]
    ]
    args.out.write_text(render(lines), encoding="utf-8")
    print(f"wrote {len(lines)} records to {args.out}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
