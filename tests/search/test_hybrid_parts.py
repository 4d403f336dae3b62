"""The parts of a hybrid search, without servers: the merge of the two halves and the rule that
skips the vector, the test of a word of a language, spelling suggestions, and the query vectors'
micro-batches (the real model)."""

from __future__ import annotations

import asyncio
import json
import random
from pathlib import Path
from typing import Any

import numpy as np
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from app.core.text import fold
from app.search.embedder import QueryEmbedder
from app.search.hybrid import SIMILARITY_SPREAD, Counted, fuse, semantic_only, settled, stable_page
from app.search.spelling import respelled
from app.search.vectors import Model
from app.search.wordlike import has_language

HOLDOUT = Path(__file__).resolve().parents[2] / "bench" / "relevance" / "holdout.json"


def _hits(prefix: str, scores: list[float]) -> list[dict[str, Any]]:
    ordered = sorted(scores, reverse=True)
    return [{"id": f"{prefix}{i}", "_rankingScore": s} for i, s in enumerate(ordered)]


scores = st.lists(st.floats(min_value=0, max_value=1), max_size=30)


@settings(max_examples=300, deadline=None)
@given(scores, scores, st.integers(min_value=1, max_value=20), st.sampled_from([0.1, 0.2, 0.5, 0.8]))
def test_a_settled_page_is_the_keyword_page(
    kw: list[float], sem: list[float], window: int, ratio: float
) -> None:
    """When `settled` says so by its exact rule (margin 1: off), no semantic hit (similarity ≤ 1)
    could enter the page, whatever the keyword hits' own similarities: not a guess."""
    keyword = _hits("k", kw)
    semantic = _hits("s", sem)
    similarity = {h["id"]: s for h, s in zip(keyword, reversed(sem), strict=False)}
    fused = fuse(keyword, semantic, similarity, ratio)
    if settled(keyword, window, ratio, margin=1.0):
        assert all(h["id"].startswith("k") for h in fused[:window])
    assert len(fused) == len(keyword) + len(semantic)  # different records: all kept


@settings(max_examples=500, deadline=None)
@given(
    st.lists(st.floats(min_value=0, max_value=1), min_size=1, max_size=30),
    st.lists(st.floats(min_value=0, max_value=1), max_size=30),
    st.floats(min_value=0.5, max_value=1 - SIMILARITY_SPREAD),
    st.integers(min_value=1, max_value=20),
    st.sampled_from([0.1, 0.2, 0.5]),
)
def test_a_page_settled_by_its_margin_keeps_its_first_place_and_its_records(
    kw: list[float], offsets: list[float], base: float, window: int, ratio: float
) -> None:
    """The margin rule: when every similarity lies within SIMILARITY_SPREAD of the others (as
    measured with this model), a page it settles keeps its keyword hits and its first hit once the
    vector is used (only near-ties below it may reorder), so skipping the vector loses neither.
    And it does skip: a clear first hit over a page of weak ties is settled, a page of ties is not."""
    keyword = _hits("k", kw)
    sims = [base + SIMILARITY_SPREAD * o for o in offsets] or [base]
    semantic = _hits("s", sims)
    similarity = {h["id"]: sims[i % len(sims)] for i, h in enumerate(keyword)}
    if settled(keyword, window, ratio):
        fused = fuse(keyword, semantic, similarity, ratio)
        assert all(h["id"].startswith("k") for h in fused[:window])  # nothing found by meaning alone
        if not settled(keyword, window, ratio, margin=1.0):  # settled by the margin, not the exact rule
            assert fused[0] is keyword[0]
    ties = _hits("t", [0.22] * 10)
    assert not settled(ties, 10, 0.2)
    assert settled(_hits("c", [0.98] + [0.17] * 9), 10, 0.2)


@settings(max_examples=300, deadline=None)
@given(st.lists(st.permutations(list("abcdefghijkl")), min_size=1, max_size=5), st.integers(1, 4))
def test_stable_pages_never_repeat_a_record(orders: list[list[str]], limit: int) -> None:
    """Each window ranked anew may order the records differently (here: any order at all); the
    pages built from them never show a record twice, and page k is the same whatever follows."""
    assume(len(orders) * limit <= 12)  # every window holds as many records as it ranks
    rankings = [[{"id": r} for r in order[: (j + 1) * limit]] for j, order in enumerate(orders)]
    pages = [stable_page(rankings[: k + 1], limit) for k in range(len(rankings))]
    shown = [h["id"] for page in pages for h in page]
    assert len(shown) == len(set(shown))
    assert all(len(page) == limit for page in pages)  # each window holds enough unseen records
    # "b" leads the first window and is second in the next: page 2 cut from the second ranking
    # alone shows "b" again; the stable page shows "a".
    first, second = [{"id": "b"}], [{"id": "a"}, {"id": "b"}]
    assert second[1:2] == first
    assert stable_page([first, second], 1) == [{"id": "a"}]


def test_fuse_adds_similarity_to_keyword_scores() -> None:
    """Keyword matches that tie (a query whose only matched word names the kind: every law scores
    the same) come nearest in meaning first; a record found by meaning alone follows them, and a
    clear keyword lead is not overturned by crowded similarities."""
    laws = [{"id": f"law{i}", "_rankingScore": 0.22} for i in range(4)]
    near = [{"id": "org", "_rankingScore": 0.93}, {"id": "law2", "_rankingScore": 0.92}]
    fused = fuse(laws, near, {"law0": 0.85, "law1": 0.88, "law3": 0.80}, 0.2)
    assert [h["id"] for h in fused] == ["law2", "law1", "law0", "law3", "org"]
    assert fused[0] is laws[2]  # the keyword hit, which carries the page's fields
    strong = [{"id": "a", "_rankingScore": 0.95}, {"id": "b", "_rankingScore": 0.80}]
    assert [h["id"] for h in fuse(strong, [{"id": "b", "_rankingScore": 0.95}], {"a": 0.85}, 0.2)] == [
        "a",
        "b",
    ]
    chunk = {"id": "doc_x_1_0", "record_id": "a", "_rankingScore": 0.5}
    assert [
        h.get("record_id") or h["id"] for h in fuse([chunk, {"id": "a", "_rankingScore": 0.4}], [], {}, 0.2)
    ] == ["a"]


def test_counted_adds_the_records_found_by_meaning_alone() -> None:
    counted = Counted(total=2, facets={"kind": {"law": 2}})
    keyword_ids = ["a", "b"]
    extra = semantic_only(
        [
            {"id": "a", "kind": "law", "countries": ["KG"]},
            {"id": "c", "kind": "program", "countries": ["KG", "TJ"], "year": 2015, "status": None},
        ],
        keyword_ids,
    )
    counted.add(extra, ["kind", "country", "year", "status"])
    assert counted.total == 3
    assert counted.facets == {
        "kind": {"law": 2, "program": 1},
        "country": {"KG": 1, "TJ": 1},
        "year": {"2015": 1},
        "status": {},
    }


def test_judged_queries_have_language_and_random_letters_rarely() -> None:
    queries = [q["q"] for q in json.loads(HOLDOUT.read_text(encoding="utf-8"))["queries"]]
    with_letters = [q for q in queries if any(len(w) >= 6 and w.isalpha() for w in q.split())]
    assert with_letters and all(has_language(q) for q in with_letters)
    assert has_language("денизчилердин укуктары") and has_language("uy ishchilari huquqlari")
    for alphabet in ("abcdefghijklmnopqrstuvwxyz", "абвгдежзийклмнопрстуфхцчшщыэюя"):
        rng = random.Random(7)
        made_up = ["".join(rng.choice(alphabet) for _ in range(rng.randint(6, 12))) for _ in range(500)]
        assert sum(map(has_language, made_up)) / len(made_up) < 0.06
    assert not has_language("48213977") and not has_language("!!!") and not has_language("")


def test_spelling_suggestions() -> None:
    assert respelled("rfgee law") == "refugee law"
    assert respelled("мигарция") == "миграция"
    assert respelled("refugee law") is None  # every word known
    assert respelled("zqxvwpl") is None  # nothing close


async def test_concurrent_queries_share_model_calls_and_vectors_match() -> None:
    """Queries asked at once go to the model in fewer calls than queries, the same query asked
    twice at once is computed once, and a batch's vectors are each query's own vector."""
    embedder = QueryEmbedder(threads=1)
    qs = ["закон о беженцах", "labour migration", "IOM", "muhojirat", "закон о беженцах", "trafficking"]
    vectors = await asyncio.gather(*(embedder.vector(q) for q in qs))
    assert embedder.computed == 5  # the repeated query once
    assert embedder.calls < 5
    alone = Model(1)
    for q, v in zip(qs, vectors, strict=True):
        np.testing.assert_allclose(v, alone.query(fold(q)), atol=1e-6)
    assert await embedder.vector("IOM") == vectors[2] and embedder.computed == 5  # cached


async def test_a_withdrawn_query_is_not_computed() -> None:
    embedder = QueryEmbedder(threads=1)
    first = embedder.request("first query")  # starts the batcher
    second = embedder.request("second query")
    embedder.withdraw("second query", second)
    await first
    await asyncio.sleep(0)
    assert second.cancelled()
    assert embedder.computed == 1


async def test_queries_known_to_be_needed_go_first_while_the_model_is_busy() -> None:
    embedder = QueryEmbedder(threads=1)
    first = embedder.request("first query")
    await asyncio.sleep(0.05)  # the model is loading and then computing the first query
    maybe = embedder.request("maybe needed")
    needed = embedder.request("needed query")
    embedder.confirm("needed query")
    await needed
    assert not maybe.done()  # it waited behind the query known to be needed
    assert first.done()
    assert len(await maybe) == 384  # and then, the model being free, it was computed too
