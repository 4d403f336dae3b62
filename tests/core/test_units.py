from __future__ import annotations

import pytest

from app.core.errors import BadRequest, PreconditionFailed
from app.core.http import check_if_match
from app.core.i18n import negotiate, resolve
from app.core.partial_date import parse_partial_date
from app.core.text import in_latin


@pytest.mark.parametrize("value", ["2008", "2008-03", "2008-03-19", "2024-02-29"])
def test_partial_dates_accepted(value: str) -> None:
    assert parse_partial_date(value) == value


@pytest.mark.parametrize("value", ["08", "2008-3", "2008-13", "2023-02-29", "2008/03/19", "", "０８"])
def test_partial_dates_rejected(value: str) -> None:
    with pytest.raises(ValueError):
        parse_partial_date(value)


def test_accept_language() -> None:
    assert negotiate("fr-FR, ru;q=0.8, en;q=0.9") == "en"
    assert negotiate("kk-KZ,ru;q=0.5") == "kk"
    assert negotiate("de, fr") is None
    assert negotiate("ru;q=0, en;q=oops") is None


def test_fallback_chain() -> None:
    text = {"tk": "Migrasiýa hakynda", "ru": "О миграции"}
    assert resolve(text, "ky", "tk") == ("Migrasiýa hakynda", "tk")
    assert resolve(text, "ky", None) == ("О миграции", "ru")
    assert resolve({}, "en", None) == (None, None)


def test_if_match_forms() -> None:
    check_if_match('"v3-ru"', 3)
    check_if_match("3", 3)
    check_if_match("*", 9)
    check_if_match(None, 9)
    with pytest.raises(PreconditionFailed):
        check_if_match('"v2-en", "v1-en"', 3)
    with pytest.raises(BadRequest):
        check_if_match("yesterday", 3)


def test_in_latin_gives_one_form_whatever_the_script() -> None:
    assert in_latin("Көші-қон") == in_latin("коши-кон") == "koshi-kon"
    assert in_latin("О внешней  миграции") == "o vneshney migratsii"  # anyascii: й is y
    uz = "ozbekiston respublikasi"
    assert in_latin("Oʻzbekiston Respublikasi") == in_latin("O'zbekiston respublikasi") == uz
    assert in_latin("IOM МОМ") == "iom mom"
    assert in_latin("' ʻ") == ""
