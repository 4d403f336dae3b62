"""Reference data from maintained libraries: ISO 3166 countries (pycountry) named in our languages
(Babel's CLDR data), ISO 4217 currencies, and the controlled topic vocabulary."""

from __future__ import annotations

from functools import lru_cache
from typing import Annotated

import pycountry
from babel import Locale
from pydantic import AfterValidator, Field

# Babel locale to read each content language's names from (Uzbek: Latin script, the official one).
_CLDR_LOCALE = {"en": "en", "ru": "ru", "ky": "ky", "kk": "kk", "uz": "uz", "tg": "tg", "tk": "tk"}


@lru_cache
def country_codes() -> frozenset[str]:
    return frozenset(c.alpha_2 for c in pycountry.countries)


@lru_cache
def country_names(languages: tuple[str, ...]) -> dict[str, dict[str, str]]:
    locales = {lang: Locale.parse(_CLDR_LOCALE.get(lang, lang)) for lang in languages}
    names: dict[str, dict[str, str]] = {}
    for country in pycountry.countries:
        code = country.alpha_2
        names[code] = {lang: loc.territories.get(code) or country.name for lang, loc in locales.items()}
    return names


def _check_country(code: str) -> str:
    code = code.strip().upper()
    if code not in country_codes():
        raise ValueError(f"{code!r} is not an ISO 3166-1 alpha-2 country code")
    return code


def _check_currency(code: str) -> str:
    code = code.strip().upper()
    if pycountry.currencies.get(alpha_3=code) is None:
        raise ValueError(f"{code!r} is not an ISO 4217 currency code")
    return code


CountryCode = Annotated[
    str,
    AfterValidator(_check_country),
    Field(description="ISO 3166-1 alpha-2 country code.", examples=["KG"], min_length=2, max_length=2),
]
CurrencyCode = Annotated[
    str,
    AfterValidator(_check_currency),
    Field(description="ISO 4217 currency code.", examples=["EUR"], min_length=3, max_length=3),
]

# The controlled vocabulary of topics, labelled in every content language.
DEFAULT_TOPICS: list[tuple[str, dict[str, str]]] = [
    (
        "labour-migration",
        {
            "en": "Labour migration",
            "ru": "Трудовая миграция",
            "ky": "Эмгек миграциясы",
            "kk": "Еңбек көші-қоны",
            "uz": "Mehnat migratsiyasi",
            "tg": "Муҳоҷирати меҳнатӣ",
            "tk": "Zähmet migrasiýasy",
        },
    ),
    (
        "asylum-refugees",
        {
            "en": "Asylum and refugees",
            "ru": "Убежище и беженцы",
            "ky": "Башпаана жана качкындар",
            "kk": "Баспана және босқындар",
            "uz": "Boshpana va qochqinlar",
            "tg": "Паноҳгоҳ ва гурезаҳо",
            "tk": "Gaçybatalga we bosgunlar",
        },
    ),
    (
        "statelessness",
        {
            "en": "Statelessness",
            "ru": "Безгражданство",
            "ky": "Жарандыгы жоктук",
            "kk": "Азаматтығы жоқтық",
            "uz": "Fuqaroligi yo'qlik",
            "tg": "Бетабаагӣ",
            "tk": "Raýatlygy bolmazlyk",
        },
    ),
    (
        "trafficking",
        {
            "en": "Human trafficking",
            "ru": "Торговля людьми",
            "ky": "Адам сатуу",
            "kk": "Адам саудасы",
            "uz": "Odam savdosi",
            "tg": "Савдои одамон",
            "tk": "Adam söwdasy",
        },
    ),
    (
        "residence-registration",
        {
            "en": "Residence and registration",
            "ru": "Пребывание и регистрация",
            "ky": "Жашоо жана каттоо",
            "kk": "Тұру және тіркеу",
            "uz": "Yashash va ro'yxatdan o'tish",
            "tg": "Истиқомат ва бақайдгирӣ",
            "tk": "Ýaşamak we hasaba alynmak",
        },
    ),
    (
        "citizenship",
        {
            "en": "Citizenship",
            "ru": "Гражданство",
            "ky": "Жарандык",
            "kk": "Азаматтық",
            "uz": "Fuqarolik",
            "tg": "Шаҳрвандӣ",
            "tk": "Raýatlyk",
        },
    ),
    (
        "social-protection",
        {
            "en": "Social protection",
            "ru": "Социальная защита",
            "ky": "Социалдык коргоо",
            "kk": "Әлеуметтік қорғау",
            "uz": "Ijtimoiy himoya",
            "tg": "Ҳифзи иҷтимоӣ",
            "tk": "Sosial gorag",
        },
    ),
    (
        "remittances",
        {
            "en": "Remittances",
            "ru": "Денежные переводы",
            "ky": "Акча которуулар",
            "kk": "Ақша аударымдары",
            "uz": "Pul o'tkazmalari",
            "tg": "Интиқоли пул",
            "tk": "Pul geçirimleri",
        },
    ),
    (
        "return-reintegration",
        {
            "en": "Return and reintegration",
            "ru": "Возвращение и реинтеграция",
            "ky": "Кайтуу жана реинтеграция",
            "kk": "Оралу және реинтеграция",
            "uz": "Qaytish va reintegratsiya",
            "tg": "Бозгашт ва реинтегратсия",
            "tk": "Gaýdyp gelmek we reintegrasiýa",
        },
    ),
    (
        "family-of-migrants",
        {
            "en": "Families of migrants",
            "ru": "Семьи мигрантов",
            "ky": "Мигранттардын үй-бүлөлөрү",
            "kk": "Мигранттардың отбасылары",
            "uz": "Migrantlar oilalari",
            "tg": "Оилаҳои муҳоҷирон",
            "tk": "Migrantlaryň maşgalalary",
        },
    ),
    (
        "expulsion-detention",
        {
            "en": "Expulsion and detention",
            "ru": "Выдворение и задержание",
            "ky": "Чыгарып салуу жана кармоо",
            "kk": "Шығарып жіберу және ұстау",
            "uz": "Chiqarib yuborish va ushlab turish",
            "tg": "Ихроҷ ва боздошт",
            "tk": "Çykaryp kowmak we saklamak",
        },
    ),
    (
        # Added with the indicators (SDG 10.7.2 scores migration policies); bases migrated before
        # get it from alembic/versions/2026-12-06-2330_indicators.py.
        "migration-governance",
        {
            "en": "Migration governance",
            "ru": "Управление миграцией",
            "ky": "Миграцияны башкаруу",
            "kk": "Көші-қонды басқару",
            "uz": "Migratsiyani boshqarish",
            "tg": "Идоракунии муҳоҷират",
            "tk": "Migrasiýany dolandyryş",
        },
    ),
]
