"""The search's text analysis, each mechanism on its own, with examples made up for the purpose
(none is a judged query): word forms, scripts and keyboards, romanisations, act numbers, the
glossary applied at index time, highlighting."""

from __future__ import annotations

import pytest

from app.core.text import latin
from app.search.analysis import (
    Concepts,
    act_number_variants,
    country_token,
    highlight,
    label_token,
    latin_key,
    terms,
)
from app.search.documents import passage, passage_hash, search_document
from app.search.query import query_terms, query_text
from app.search.uzbek import uz_cyrillic, uz_latin


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("трудовые мигранты", "трудовых мигрантов"),  # Russian inflection
        ("мигранттардын", "мигрант"),  # Kyrgyz genitive plural
        ("мигрантларнинг", "мигранты"),  # Uzbek Cyrillic genitive plural
        ("мыйзамдары", "мыйзам"),
        ("босқындар", "боскын"),  # Kazakh special letters typed as Russian ones
        ("ҳуқуқҳои муҳоҷирон", "хукукхои мухочирон"),  # Tajik, plainly typed
        ("zähmet", "zahmet"),  # Turkmen letters typed plainly
        ("mülteci", "multeci"),  # Turkish
        ("vneshney", "vneshnei"),  # romanisations of внешней
        ("inostrannykh", "inostranyh"),
        ("grazhdan", "grajdan"),
        ("migratsiyasi", "migratsiiasi"),
        ("organisation", "organization"),  # British and American English
        ("labour", "labor"),
        ("qonun", "konun"),  # Uzbek қ as q or k
        ("Європа", "Европа"),  # Ukrainian letters typed as Russian ones
        ("Україна", "Украина"),
        ("ґрунт", "грунт"),
    ],
)
def test_word_forms_and_spellings_meet(a: str, b: str) -> None:
    assert terms(a) == terms(b)


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("закон", "приказ"),
        ("internal", "intern"),
        ("internal", "international"),  # the vocabulary's `distinct`: the same first seven letters
        ("internally", "internationally"),
        ("беженцы", "безработные"),
        ("5785", "5786"),
    ],
)
def test_different_words_stay_apart(a: str, b: str) -> None:
    assert terms(a) != terms(b)


def test_turkic_latin_meets_romanised_cyrillic() -> None:
    """Turkish, Azerbaijani and Turkmen ç and ş are ч and ш: they meet the romanisations of Cyrillic
    (and Uzbek Latin) as ch and sh; a capital dotted İ is one letter of its word."""
    assert terms("çaş") == terms(latin("чаш")) == terms("chash")
    assert terms("Şahsy") == terms("shahsy")
    assert terms("İşçi") == terms("ishchi")
    assert terms("çeşme") != terms("cesme")  # not c and s any more


def test_a_concepts_latin_names_answer_to_g_written_q() -> None:
    """Azerbaijani writes the g of loanwords as q (`miqrasiya`, Turkmen `migrasiýa`), and q is k
    here: a concept's Latin names also answer to g read as k. Other words keep g and k apart."""
    named = Concepts({"qzmig": ["migrasiýa"], "qzlaw": ["закон"]})
    assert named.in_query(terms("Miqrasiya")) == ([], ["qzmig"])
    assert named.in_query(terms("migrasiýa")) == ([], ["qzmig"])
    assert named.in_query(terms("закон")) == ([], ["qzlaw"])
    assert terms("grant") != terms("krant")


def test_latin_key_is_idempotent_on_its_output() -> None:
    for word in ["shchedrin", "khorog", "tsentr", "yuzhny", "wolfsburg"]:
        assert latin_key(latin_key(word)) == latin_key(word)


@pytest.mark.parametrize(
    ("cyrillic", "latin"),
    [
        ("Ўзбекистон", "Oʻzbekiston"),
        ("ғалаба", "gʻalaba"),
        ("қишлоқ хўжалиги", "qishloq xoʻjaligi"),
        ("ер", "yer"),
        ("шоир", "shoir"),
        ("эшик", "eshik"),
    ],
)
def test_uzbek_scripts_both_ways(cyrillic: str, latin: str) -> None:
    assert uz_latin(cyrillic) == latin
    assert uz_cyrillic(latin) == cyrillic.lower()
    # Any apostrophe an Uzbek keyboard produces
    assert uz_cyrillic(latin.replace("ʻ", "'")) == cyrillic.lower()


def test_uzbek_ts_is_s_except_between_vowels() -> None:
    assert uz_latin("цех") == "sex"
    assert uz_latin("концерт") == "konsert"


def test_act_numbers_carry_their_equivalent_prefixes() -> None:
    decree = act_number_variants("УП-1234")
    assert "1234" in decree
    # Russian УП, Uzbek Cyrillic ПФ and Uzbek Latin PF of a presidential decree, as terms
    assert {"пф 1234", "pf 1234"} <= set(decree)
    assert act_number_variants("No. 007") == ["7"]  # leading zeros do not count
    assert act_number_variants("Resolution") == []


@pytest.mark.parametrize("written", ["ПФ-1234", "PF 1234", "pf1234", "УП № 1234", "up-1234"])
def test_an_act_number_matches_however_written(written: str) -> None:
    indexed = {t for v in ["UP-1234", *act_number_variants("UP-1234")] for t in terms(v)}
    assert set(query_text(written).split()) <= indexed


def test_concepts_are_found_in_texts_and_replace_their_names_in_queries() -> None:
    named = Concepts(
        {"qzshelter": ["shelter", "приют", "баспана"], "qzpermit": ["work permit", "разрешение на работу"]}
    )
    assert named.in_text(set(terms("The centre runs a shelter for women"))) == ["qzshelter"]
    assert named.in_text(set(terms("a permit to stay"))) == []  # a multi-word name needs all its words
    assert named.in_text(set(terms("разрешения на работу"))) == ["qzpermit"]
    rest, tokens = named.in_query(terms("приют для женщин"))
    assert tokens == ["qzshelter"] and rest == terms("для женщин")
    assert named.in_query(terms("work permits abroad")) == (terms("abroad"), ["qzpermit"])
    assert named.in_query(terms("razreshenie na rabotu")) == ([], ["qzpermit"])  # typed in Latin


@pytest.mark.parametrize(
    ("inflected", "stem"),
    [
        ("kanunu", "kanun"),  # Turkish: its law
        ("kanunlary", "kanun"),  # Turkmen: the laws (accusative)
        ("qonunlarining", "qonun"),  # Uzbek: of its laws (plural + possessive + genitive)
        ("қонунҳо", "қонун"),  # Tajik plural
        ("заңдары", "заң"),  # Kazakh: its laws
        ("мыйзамдарды", "мыйзам"),  # Kyrgyz accusative plural
        ("босқындарға", "босқын"),  # Kazakh dative plural
    ],
)
def test_turkic_and_tajik_endings_come_off_where_the_stem_is_a_known_word(inflected: str, stem: str) -> None:
    named = Concepts({"qzlaw": ["law", "kanun", "qonun", "қонун", "заң", "мыйзам"], "qzrefugee": ["босқын"]})
    assert named.stemmed([inflected]) == set(terms(stem))
    assert named.in_texts(set(terms(inflected)), [inflected]) == named.in_text(set(terms(stem)))


@pytest.mark.parametrize("word", ["online", "many", "inside", "правительство", "kanunsuz"])
def test_words_that_merely_end_like_a_suffix_gain_nothing(word: str) -> None:
    """What is left must be a known name on its own or a stem of five letters: `online` is not `on`,
    `many` is not the `man` of Isle of Man; an unknown remainder (`kanunsuz`: -suz is no ending
    here) stays as it is."""
    named = Concepts({"qzman": ["Isle of Man"], "qzon": ["on"], "qzlaw": ["kanun"]})
    assert named.stemmed([word]) == set()


def test_a_query_names_a_concept_by_an_inflected_word() -> None:
    law = {label_token("kind", "law"), "qzgllaw"}  # the kind, or the glossary's group of its names
    for q in ["uluslararası işgücü kanunu", "қонунҳо", "заңдары", "qonunlarining"]:
        assert law & set(query_text(q).split()), q
    assert query_text("kanunu").split()[-1] == terms("kanunu")[0]  # the word itself is still searched


def test_a_cyrillic_query_names_concepts_the_vocabulary_writes_in_uzbek_latin() -> None:
    """The vocabulary writes Uzbek in Latin (`yuridik yordam`); Uzbek typed in Cyrillic names the
    same concept. English is not read in Uzbek Cyrillic (`migration` would read as Russian)."""
    assert "qzserviclegalaid" in query_text("юридик ёрдам").split()
    assert query_text("Safe Migration in Central Asia") == "qzglmigration " + " ".join(
        terms("Safe Migration Central Asia")
    )


def test_a_name_two_fields_share_adds_no_token() -> None:
    """ "research" is a service of organizations and a type of publication: its token would make the
    query miss the records tagged with the other one, so it stays a plain word; a name of one
    value alone, or of a glossary group or kind, still becomes its token."""
    named = Concepts(
        {
            "qzkindreport": ["report"],
            "qzservicresearch": ["research"],
            "qzpubtypresearch": ["research", "study"],
        },
        values={"qzservicresearch", "qzpubtypresearch"},
    )
    assert named.in_query(terms("research on remittances")) == (terms("on remittances"), [])
    assert named.in_query(terms("a study")) == (terms("a"), ["qzpubtypresearch"])
    assert named.in_query(terms("report")) == ([], ["qzkindreport"])


def test_queries_name_countries_kinds_and_topics_by_concept() -> None:
    # A country by any of its names or adjectives, in any of the base's languages
    for name in ["Kyrgyzstan", "Кыргызстана", "кыргызский", "Qirgʻiziston", "Қырғызстан"]:
        assert query_text(name).split()[0] == country_token("KG"), name
    # A kind of record
    assert label_token("kind", "law") in query_text("мыйзамдар")
    assert label_token("kind", "organization") in query_text("ташкилотлар")
    # Concepts come first, the other words follow as typed
    assert query_text("законы Кыргызстана о труде").split()[-1] == terms("труде")[0]


def test_a_word_that_names_a_kind_is_searched_through_the_kinds_token_only() -> None:
    """`закон`, `мыйзам`, `kanun` say what kind of record is wanted; as words they would match only
    records written in the query's language (a words bucket above the same laws held in English).
    Words that name other concepts stay (they rank a title that holds them)."""
    law = label_token("kind", "law")
    for q, rest in [
        ("закон про громадянство", "громадянство"),
        ("мыйзам", ""),
        ("kanun", ""),
        ("закон о внешней трудовой миграции", "внешней трудовой миграции"),
    ]:
        sent = query_text(q).split()
        assert law in sent, q
        assert [t for t in sent if not t.startswith("qz")] == terms(rest), q


def test_query_is_its_terms_without_stop_words() -> None:
    sent = query_text("Закон о правах трудовых мигрантов").split()
    assert [t for t in sent if not t.startswith("qz")] == terms("правах трудовых мигрантов")
    assert label_token("kind", "law") in sent
    assert len(query_text(" ".join(f"слово{i}" for i in range(30))).split()) == 10  # Meilisearch reads 10


def test_highlight_marks_every_form_and_crops_around_the_first() -> None:
    text = (
        " ".join(["вступление"] * 40) + " права трудовых мигрантов и мигранттардын укуктары " + "конец " * 40
    )
    snippet, n = highlight(text, set(terms("мигранты")), crop=12)
    assert n == 2
    assert "<em>мигрантов</em>" in snippet and "<em>мигранттардын</em>" in snippet
    assert snippet.startswith("…") and snippet.endswith("…")
    assert len(snippet.split()) <= 12 + 2
    whole, none = highlight("ничего общего", set(terms("мигранты")))
    assert (whole, none) == ("ничего общего", 0)


class Row:
    """A record as the indexer reads it (one joined row)."""

    def __init__(self, **fields: object) -> None:
        base: dict[str, object] = {
            "id": "6f1c1c9e-0000-4000-8000-000000000001",
            "slug": "org-made-up",
            "kind": "organization",
            "version": 1,
            "original_language": "en",
            "summary": None,
            "countries": ["KG"],
            "topics": [],
            "status": "active",
            "identifiers": [],
            "founded": None,
            "org_type": "ngo",
            "services": ["legal_aid"],
        }
        self.__dict__.update(base | fields)


def test_documents_name_kind_type_and_services_in_every_language() -> None:
    row = Row(title={"en": "Made-up Legal Centre"})
    doc = search_document(row, country_names={"KG": {"en": "Kyrgyzstan"}}, topic_labels={})
    tags = doc["tags"].split()
    assert {label_token("kind", "organization"), label_token("org_type", "ngo")} <= set(tags)
    assert {label_token("services", "legal_aid"), country_token("KG")} <= set(tags)
    # A query naming any of these in any language meets the record
    for q in ["организация", "уюм", "tashkilot", "юридическая помощь", "юридикалык жардам", "Кыргызстан"]:
        assert set(query_text(q).split()) & set(tags), q


def test_a_title_carries_the_names_of_its_concepts_in_every_language() -> None:
    """An English-only title that names a glossary group or a country holds the group's and the
    country's names in every language among its title terms, as a title written in the query's
    language holds its own words: a Kyrgyz query's concept words then match both in the same
    field. The names of a type or service (values two records may share loosely) are not added."""
    row = Row(title={"en": "Made-up NGO for Asylum Seekers in Moldova"})
    doc = search_document(
        row, country_names={"MD": {"en": "Moldova", "ru": "Молдова", "ky": "Молдова"}}, topic_labels={}
    )
    title = set(doc["title_terms"].split())
    for q in ["башпаана", "убежище", "boshpana", "Молдова"]:  # asylum (ky, ru, uz), the country
        assert set(query_terms(q)) <= title, q
    assert not set(query_terms("фонд")) & title  # another name of the type NGO: its token suffices
    summary_only = Row(title={"en": "Made-up Centre"}, summary={"en": "for asylum seekers"})
    doc = search_document(summary_only, country_names={}, topic_labels={})
    assert not set(query_terms("башпаана")) & set(doc["title_terms"].split())


def test_words_the_vocabulary_keeps_distinct_name_no_concept_of_the_other() -> None:
    """`International` shares its first seven letters with `internal` (a glossary group: internal
    migration), so every international body's title named internal migration and a query for
    internal migration ranked them first. The vocabulary lists the two as distinct: their forms
    still meet (`internally`), each other no longer."""
    row = Row(title={"en": "Made-up International Centre for Migration"})
    doc = search_document(row, country_names={}, topic_labels={})
    title = set(doc["title_terms"].split())
    assert not set(query_terms("внутренней")) & title  # internal (ru): not named by International
    assert set(query_terms("International")) <= title
    internal = search_document(
        Row(title={"en": "Made-up Law on Internal Migration"}), country_names={}, topic_labels={}
    )
    assert set(query_terms("внутренней")) <= set(internal["title_terms"].split())
    assert terms("internally") == terms("internal") and terms("internationally") == terms("International")


def test_uzbek_titles_are_searchable_in_both_scripts() -> None:
    row = Row(title={"uz": "Mehnat migratsiyasi toʻgʻrisida"}, original_language="uz")
    doc = search_document(row, country_names={}, topic_labels={})
    assert "Меҳнат миграцияси тўғрисида".lower() in doc["titles"]
    assert set(query_text("меҳнат миграцияси").split()) <= set(doc["title_terms"].split())


def test_passage_hash_follows_the_text_the_model_reads() -> None:
    a = Row(title={"en": "A", "ru": "А"}, summary={"en": "x " * 500})
    b = Row(title={"en": "A", "ru": "А"}, summary={"en": "x " * 500}, status="inactive", version=7)
    assert passage_hash(passage(a)) == passage_hash(passage(b))  # status and version are not read
    assert len(passage(a)) < 700
    c = Row(title={"en": "B", "ru": "А"}, summary={"en": "x " * 500})
    assert passage_hash(passage(a)) != passage_hash(passage(c))


def test_a_record_is_found_by_the_acronyms_its_names_make() -> None:
    """IOM = МОМ = СБМ = XMT: each language's name makes its own acronym, whether or not the record
    states one; a stated acronym is found as a query term (GYLA reaches the index as `gila`)."""
    row = Row(
        title={
            "en": "International Organization for Migration",
            "ru": "Международная организация по миграции (МОМ)",
            "tg": "Созмони байналмилалии муҳоҷират",
            "uz": "Xalqaro migratsiya tashkiloti",
        }
    )
    codes = set(search_document(row, country_names={}, topic_labels={})["codes"])
    for q in ["IOM", "МОМ", "СБМ", "XMT", "ХМТ"]:
        assert set(query_terms(q)) <= codes, q
    assert not set(query_terms("ILO")) & codes
    stated = Row(title={"en": "Georgian Young Lawyers' Association"}, acronym="GYLA")
    assert set(query_terms("GYLA")) <= set(
        search_document(stated, country_names={}, topic_labels={})["codes"]
    )
    short = Row(title={"ru": "О внешней миграции"})  # two words make no acronym
    assert search_document(short, country_names={}, topic_labels={})["codes"] == []
