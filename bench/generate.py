"""Synthetic, multilingual records in the import format, for benchmarks (deterministic).

    .venv/bin/python bench/generate.py 100000 > /tmp/records.ndjson

Mix: 40% organizations, 25% programs, 20% laws, 15% policies. Titles and summaries draw on
vocabulary in all seven content languages; programs name organizations (some defined later in
the file), laws amend earlier laws, policies are based on laws.
"""

from __future__ import annotations

import json
import random
import sys
from collections.abc import Iterator
from typing import Any

COUNTRIES = ["KG", "KZ", "TJ", "UZ", "TM", "RU"]
TOPICS = [
    "labour-migration",
    "asylum-refugees",
    "statelessness",
    "trafficking",
    "residence-registration",
    "citizenship",
    "social-protection",
    "remittances",
    "return-reintegration",
    "family-of-migrants",
    "expulsion-detention",
]


def _vocab(text: str) -> list[str]:
    return text.split()


WORDS = {
    "en": _vocab(
        "migration labour migrant workers rights protection refugees asylum registration residence "
        "permit citizenship family remittances return reintegration trafficking detention expulsion "
        "legal aid employment agency quota patent border stateless children women hotline shelter "
        "training "
    ),
    "ru": _vocab(
        "миграция трудовой мигранты права защита беженцы убежище регистрация вид жительство "
        "разрешение гражданство семья переводы возвращение реинтеграция торговля людьми выдворение "
        "правовая помощь занятость агентство квота патент граница безгражданство дети женщины "
        "горячая линия приют "
    ),
    "ky": _vocab(
        "миграция эмгек мигранттар укуктар коргоо качкындар башпаана каттоо жарандык үй-бүлө акча "
        "которуу кайтуу адам сатуу юридикалык жардам жумуш чек ара балдар аялдар "
    ),
    "kk": _vocab(
        "көші-қон еңбек мигранттар құқықтар қорғау босқындар баспана тіркеу азаматтық отбасы "
        "аударымдар оралу қандастар адам саудасы заң көмегі жұмыс шекара балалар әйелдер "
    ),
    "uz": _vocab(
        "migratsiya mehnat migrantlar huquqlar himoya qochqinlar boshpana roʻyxat fuqarolik oila "
        "pul oʻtkazmalari qaytish odam savdosi yuridik yordam ish chegara bolalar ayollar "
    ),
    "tg": _vocab(
        "муҳоҷират меҳнат муҳоҷирон ҳуқуқҳо ҳифз гурезаҳо паноҳгоҳ бақайдгирӣ шаҳрвандӣ оила "
        "интиқоли пул бозгашт савдои одамон кӯмаки ҳуқуқӣ кор сарҳад кӯдакон занон "
    ),
    "tk": _vocab(
        "migrasiýa zähmet migrantlar hukuklar gorag bosgunlar gaçybatalga hasaba alyş raýatlyk "
        "maşgala pul geçirimleri gaýdyp gelmek adam söwdasy hukuk kömegi iş serhet çagalar aýallar "
    ),
}
COUNTRY_LANG = {"KG": "ky", "KZ": "kk", "TJ": "tg", "UZ": "uz", "TM": "tk", "RU": "ru"}


def _text(rng: random.Random, lang: str, n: int) -> str:
    return " ".join(rng.choice(WORDS[lang]) for _ in range(n)).capitalize()


def _localized(rng: random.Random, country: str, n: int) -> dict[str, str]:
    langs = ["en", "ru", COUNTRY_LANG[country]]
    return {lang: _text(rng, lang, n) for lang in dict.fromkeys(langs)}


def _date(rng: random.Random) -> str:
    year = rng.randint(1990, 2026)
    return rng.choice(
        [
            str(year),
            f"{year}-{rng.randint(1, 12):02d}",
            f"{year}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}",
        ]
    )


def records(n: int, seed: int = 42) -> Iterator[dict[str, Any]]:
    rng = random.Random(seed)
    n_org, n_prog, n_law = int(n * 0.4), int(n * 0.25), int(n * 0.2)
    n_pol = n - n_org - n_prog - n_law
    org_slugs = [f"org-bench-{i}" for i in range(n_org)]
    law_slugs = [f"law-bench-{i}" for i in range(n_law)]

    def base(slug: str, text_keys: tuple[str, str]) -> dict[str, Any]:
        country = rng.choice(COUNTRIES)
        return {
            "slug": slug,
            text_keys[0]: _localized(rng, country, 8),
            text_keys[1]: _localized(rng, country, 40),
            "countries": sorted({country, rng.choice(COUNTRIES)}),
            "topics": sorted(set(rng.sample(TOPICS, 2))),
            "translation_kinds": {"ru": "machine"},
            "publication": "published",
            "source_urls": [f"https://example.org/{slug}"],
        }

    # Half the programs come before the organizations they name: forward references.
    def program(i: int) -> dict[str, Any]:
        body = base(f"prog-bench-{i}", ("title", "summary"))
        parts = rng.sample(org_slugs, 3) if org_slugs else []
        return body | {
            "kind": "program",
            "start_on": _date(rng),
            "status": rng.choice(["planned", "active", "completed"]),
            "budget": {
                "amount": rng.randint(10_000, 10_000_000),
                "currency": rng.choice(["USD", "EUR", "KGS"]),
            },
            "participants": [
                {"organization": s, "role": r}
                for s, r in zip(parts, ["donor", "implementer", "partner"], strict=False)
            ],
        }

    for i in range(n_prog // 2):
        yield program(i)
    for i in range(n_org):
        yield base(org_slugs[i], ("name", "description")) | {
            "kind": "organization",
            "org_type": rng.choice(["ngo", "government", "donor", "legal_clinic", "network"]),
            "acronym": "".join(rng.choice("ABCDEFGHIKLMNOPRSTU") for _ in range(4)),
            "services": sorted(
                set(rng.sample(["legal_aid", "shelter", "hotline", "training", "research"], 2))
            ),
            "status": "active",
        }
    for i in range(n_prog // 2, n_prog):
        yield program(i)
    for i in range(n_law):
        related = (
            [{"type": "amends", "kind": "law", "slug": law_slugs[rng.randrange(i)]}]
            if i and rng.random() < 0.3
            else []
        )
        yield base(law_slugs[i], ("title", "summary")) | {
            "kind": "law",
            "instrument_type": rng.choice(["law", "decree", "resolution", "code"]),
            "number": str(rng.randint(1, 999)),
            "adopted_on": _date(rng),
            "status": rng.choice(["in_force", "amended", "repealed"]),
            "related": related,
        }
    for i in range(n_pol):
        related = [{"type": "based_on", "kind": "law", "slug": rng.choice(law_slugs)}] if law_slugs else []
        yield base(f"pol-bench-{i}", ("title", "summary")) | {
            "kind": "policy",
            "policy_type": rng.choice(["strategy", "concept", "action_plan"]),
            "adopted_on": _date(rng),
            "status": rng.choice(["active", "expired"]),
            "related": related,
        }


def main() -> None:
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 10_000
    out = sys.stdout
    for record in records(n):
        out.write(json.dumps(record, ensure_ascii=False) + "\n")


if __name__ == "__main__":
    main()
