"""The search index's layout and the one object that reaches it.

Everything that knows how documents are stored lives here: field names, filterable and facet
attributes, the two parts (a record's own document, and the chunks of its attachments' text, ids
`doc_<attachment hex>_<page>_<n>`, each naming its record in `record_id`), the `_vectors` slot, how
a hit reads, and the index settings, kept as code. The vocabulary lives in vocabulary.json and is
applied when documents are built, so the index has no synonyms to expand on every query.
`SearchIndex` (a client and the index uid, built once from settings) is what the API, the indexer,
the vectors' job and the CLI hold; nothing else builds a client or reads the uid."""

from __future__ import annotations

import json
import time
import uuid
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import httpx2
from meilisearch_python_sdk import AsyncClient
from meilisearch_python_sdk.errors import MeilisearchError
from meilisearch_python_sdk.models.search import SearchParams as MeiliSearchParams
from meilisearch_python_sdk.models.search import SearchResultsWithUID
from meilisearch_python_sdk.models.settings import (
    Faceting,
    MeilisearchSettings,
    Pagination,
    ProximityPrecision,
    TypoTolerance,
    UserProvidedEmbedder,
)
from meilisearch_python_sdk.models.task import TaskInfo

from app.search.analysis import stop_terms
from app.search.client import meili_client

if TYPE_CHECKING:
    from app.core.config import Settings

# Errors that mean Meilisearch did not answer (search then answers from PostgreSQL). The SDK's
# own: refused or dropped connections, API errors, timeouts of its tasks, and (the base class) a
# read that timed out: a Meilisearch that hangs (seen by stopping it with SIGSTOP) made searches
# fail with a 500 until this was here. httpx2's: an error answer without a JSON body (a proxy's).
UNREACHABLE = (MeilisearchError, httpx2.HTTPError, OSError)
PRIMARY_KEY = "id"
TASK_TIMEOUT_MS = 60_000
# `part`: a record's own document, or a chunk of its attachments' text (`record_id` names it).
RECORD = "record"
CHUNK = "document"
# The API's facet names → the attributes they count.
FACET_NAMES = {"kind": "kind", "country": "countries", "topic": "topics", "status": "status", "year": "year"}
FACETS = list(FACET_NAMES.values())
FILTERABLE = [*FACETS, "part", "record_id"]
# What a hit shows of its record: a record's document has these, and so has each chunk of its files
# (a chunk may be the record's best match).
RECORD_FIELDS = (
    "kind",
    "slug",
    "version",
    "original_language",
    "title",
    "title_langs",
    "summary_langs",
    "summaries",
    "countries",
    "topics",
    "status",
    "date",
    "year",
)
EMBEDDER = "e5"
DIMENSIONS = 384  # multilingual-e5-small


def settings() -> MeilisearchSettings:
    return MeilisearchSettings(
        # Attribute order is a ranking rule: numbers and acronyms first (an identifier that matches
        # names its record: "IOM" is the organization before the programmes that mention it;
        # measured on the judged sets: dev +0.006, holdout -0.004), then titles (their words, then
        # their terms), then the terms of everything else, then what the record is filed under.
        # Summaries are shown, not searched: their terms are in `terms`, and the API highlights
        # them (queries arrive as terms).
        # The words inside attached documents come last: a record found by its own fields ranks
        # above one found only inside its files.
        searchable_attributes=["codes", "titles", "title_terms", "terms", "tags", "document_terms"],
        displayed_attributes=[PRIMARY_KEY, *RECORD_FIELDS, "part", "record_id", "attachment", "page", "text"],
        # One hit per record: its best-matching document (its own, or a chunk of its files).
        distinct_attribute="record_id",
        filterable_attributes=FILTERABLE,
        sortable_attributes=["year", "slug"],
        # Attribute before proximity: the concepts' tokens a field names stand side by side at its
        # end, so a record whose summary happens to name two of a query's concepts was "closer"
        # than one whose title names one and whose topic the other (an English-only "Law on
        # Asylum" fell behind organisations for "refugee law" in Uzbek). Measured on a base holding
        # both judged sets: dev 0.908 -> 0.912, holdout 0.688 -> 0.713 (ky .39 -> .50, tk .47 ->
        # .66, uz .55 -> .63, tg .47 -> .58).
        ranking_rules=["words", "typo", "attribute", "proximity", "sort", "exactness"],
        typo_tolerance=TypoTolerance(enabled=True),
        faceting=Faceting(max_values_per_facet=300),
        pagination=Pagination(max_total_hits=10000),
        synonyms={},
        facet_search=False,  # no facet-value search here: skip building its structures
        # Word-pair distances per attribute, not per word: measured 87 s → 69 s to index 20,000
        # records, with the same relevance figures on the judged queries.
        proximity_precision=ProximityPrecision.BY_ATTRIBUTE,
        stop_words=sorted(stop_terms()),
        embedders={EMBEDDER: UserProvidedEmbedder(dimensions=DIMENSIONS)},
    )


# ---- documents: the parts, chunk ids, vectors ---------------------------------------------------


def record_part(record_id: uuid.UUID) -> dict[str, Any]:
    """The layout keys of a record's own document (its id is the record's)."""
    return {PRIMARY_KEY: str(record_id), "part": RECORD, "record_id": str(record_id)}


def chunk_id(attachment_id: uuid.UUID, page: int, n: int) -> str:
    return f"doc_{attachment_id.hex}_{page}_{n}"


def parse_chunk_id(doc_id: str) -> tuple[uuid.UUID, int, int] | None:
    """(attachment, page, n) of a chunk's id; None for any other id."""
    head, _, rest = doc_id.partition("_")
    parts = rest.split("_")
    if head != "doc" or len(parts) != 3:
        return None
    try:
        return uuid.UUID(hex=parts[0]), int(parts[1]), int(parts[2])
    except ValueError:
        return None


def chunk_document(
    record_document: Mapping[str, Any], attachment_id: uuid.UUID, page: int, n: int, text: str, terms: str
) -> dict[str, Any]:
    """A chunk of an attachment's page: what a hit shows of its record, and its own text and terms."""
    return {
        **{name: record_document.get(name) for name in RECORD_FIELDS},
        PRIMARY_KEY: chunk_id(attachment_id, page, n),
        "part": CHUNK,
        "record_id": record_document[PRIMARY_KEY],
        "attachment": str(attachment_id),
        "page": page,
        "text": text,
        "document_terms": terms,
        # Chunks are found by their words; the record's own document carries its vector.
        "_vectors": {EMBEDDER: None},
    }


def is_chunk(doc: Mapping[str, Any]) -> bool:
    return doc.get("part") == CHUNK


def record_id_of(doc: Mapping[str, Any]) -> uuid.UUID:
    return uuid.UUID(str(doc[PRIMARY_KEY]))


def set_vector(doc: dict[str, Any], vector: list[float] | None) -> None:
    doc["_vectors"] = {EMBEDDER: vector}


def vector_update(record_id: uuid.UUID, vector: list[float]) -> dict[str, Any]:
    """A partial update that gives a record's document its vector."""
    return {PRIMARY_KEY: str(record_id), "_vectors": {EMBEDDER: vector}}


def is_stub(hit: Mapping[str, Any]) -> bool:
    """A document only a partial vector update made: its record left the index while its vector
    was computed (VectorWorker._drop_ghosts takes it out again right after). It holds an id and a
    vector, no fields, and a vector search can find it in the meantime."""
    return "kind" not in hit


def without_vector(docs: Iterable[dict[str, Any]]) -> list[uuid.UUID]:
    """The records of documents sent without a vector: they belong in the backlog. An attachment's
    chunks are searched by keyword only."""
    return [record_id_of(d) for d in docs if not is_chunk(d) and d["_vectors"][EMBEDDER] is None]


# ---- filters and hits ----------------------------------------------------------------------------


def chunks_filter(ids: Iterable[Any]) -> str:
    return f"part = {CHUNK} AND record_id IN [{', '.join(json.dumps(str(i)) for i in ids)}]"


def records_filter(ids: Iterable[Any]) -> str:
    """The documents (a record's own, and its files' chunks) of these records."""
    return f"record_id IN [{', '.join(json.dumps(str(i)) for i in ids)}]"


def own_parts_filter(ids: Iterable[Any]) -> str:
    """The records' own documents (not their files' chunks), e.g. for their similarities."""
    return f'part = "{RECORD}" AND {records_filter(ids)}'


def filters(
    kinds: Sequence[str],
    countries: Sequence[str],
    topics: Sequence[str],
    statuses: Sequence[str],
    year_from: int | None,
    year_to: int | None,
    documents_only: bool,
) -> list[str | list[str]]:
    """AND of OR-groups. Values are validated and JSON-quoted: quotes, parentheses or `OR`
    in a parameter stay inside a string literal."""
    groups: list[str | list[str]] = []
    for field, values in (
        ("kind", kinds),
        ("countries", countries),
        ("topics", topics),
        ("status", statuses),
    ):
        if values:
            groups.append(f"{field} IN [{', '.join(json.dumps(v) for v in values)}]")
    if year_from is not None:
        groups.append(f"year >= {int(year_from)}")
    if year_to is not None:
        groups.append(f"year <= {int(year_to)}")
    if documents_only:
        groups.append(f"part = {CHUNK}")
    return groups


# Where the words inside attached documents are searched (`in=documents`).
DOCUMENT_ATTRIBUTES = ["document_terms"]
SUGGEST_FIELDS = [PRIMARY_KEY, "kind", "slug", "title", "original_language"]


@dataclass(frozen=True)
class DocumentHit:
    attachment: str
    page: int
    text: str


@dataclass(frozen=True)
class IndexedHit:
    """A hit as the API reads it: its record, and the chunk of a file when that matched best."""

    record_id: str
    kind: str
    slug: str
    title: dict[str, str] | None
    original_language: str | None
    summaries: dict[str, str]
    countries: list[str]
    topics: list[str]
    status: str | None
    date: str | None
    score: float | None
    document: DocumentHit | None


def hit_record(h: Mapping[str, Any]) -> str:
    """The id of the record a hit stands for (a chunk names its record)."""
    return str(h.get("record_id") or h[PRIMARY_KEY])


RECORD_ID_ONLY = ["record_id"]  # what a search retrieves to learn which records matched


def parse_hit(h: Mapping[str, Any]) -> IndexedHit:
    document = None
    if is_chunk(h):
        document = DocumentHit(attachment=h["attachment"], page=h["page"], text=h.get("text") or "")
    return IndexedHit(
        record_id=h.get("record_id") or h[PRIMARY_KEY],
        kind=h["kind"],
        slug=h["slug"],
        title=h.get("title"),
        original_language=h.get("original_language"),
        summaries=dict(zip(h.get("summary_langs") or [], h.get("summaries") or [], strict=False)),
        countries=h.get("countries") or [],
        topics=h.get("topics") or [],
        status=h.get("status"),
        date=h.get("date"),
        score=h.get("_rankingScore"),
        document=document,
    )


# ---- the index -----------------------------------------------------------------------------------


class SearchIndex:
    """One Meilisearch index: the client and the index uid, built once (`from_settings`)."""

    def __init__(self, client: AsyncClient, uid: str) -> None:
        self.client = client
        self.uid = uid

    @classmethod
    def from_settings(cls, settings: Settings, *, timeout: int = 5) -> SearchIndex | None:
        """None when no Meilisearch is configured (search answers from PostgreSQL)."""
        if not settings.meili_url:
            return None
        key = settings.meili_master_key.get_secret_value() if settings.meili_master_key else None
        return cls(meili_client(settings.meili_url, key, timeout=timeout), settings.meili_index)

    async def aclose(self) -> None:
        await self.client.aclose()

    async def healthy(self) -> bool:
        try:
            return (await self.client.health()).status == "available"
        except UNREACHABLE:
            return False

    async def ensure(self) -> None:
        """Create the index if needed and apply the settings (idempotent)."""
        indexes = await self.client.get_indexes() or []
        if self.uid not in {i.uid for i in indexes}:
            await self.client.create_index(self.uid, primary_key=PRIMARY_KEY, timeout_in_ms=TASK_TIMEOUT_MS)
        task = await self.client.index(self.uid).update_settings(settings())
        await self.wait(task)

    async def wait(self, task: TaskInfo, *, timeout_ms: int = TASK_TIMEOUT_MS) -> None:
        await self.client.wait_for_task(task.task_uid, timeout_in_ms=timeout_ms, raise_for_status=True)

    async def confirm(self, task: TaskInfo) -> None:
        """Like `wait`, with the task's own error in the message."""
        result = await self.client.wait_for_task(task.task_uid, timeout_in_ms=TASK_TIMEOUT_MS)
        if result.status != "succeeded":
            raise RuntimeError(f"Meilisearch task {task.task_uid} {result.status}: {result.error}")

    async def add(self, docs: Sequence[dict[str, Any]]) -> TaskInfo:
        return await self.client.index(self.uid).add_documents(list(docs), primary_key=PRIMARY_KEY)

    async def update(self, docs: Sequence[dict[str, Any]]) -> TaskInfo:
        return await self.client.index(self.uid).update_documents(list(docs))

    async def delete_records(self, ids: Sequence[str]) -> TaskInfo:
        return await self.client.index(self.uid).delete_documents(list(ids))

    async def delete_chunks(self, record_ids: Iterable[Any]) -> TaskInfo:
        return await self.client.index(self.uid).delete_documents_by_filter(chunks_filter(record_ids))

    def params(self, **kwargs: Any) -> MeiliSearchParams:
        return MeiliSearchParams(index_uid=self.uid, **kwargs)

    async def multi_search(self, searches: list[MeiliSearchParams]) -> list[SearchResultsWithUID[Any]]:
        results = await self.client.multi_search(searches)
        assert isinstance(results, list)
        return results

    async def suggest(self, text: str, attributes: list[str], limit: int) -> list[dict[str, Any]]:
        result = await self.client.index(self.uid).search(
            text, limit=limit, attributes_to_search_on=attributes, attributes_to_retrieve=SUGGEST_FIELDS
        )
        return list(result.hits)

    async def indexed_versions(self) -> tuple[dict[str, int], list[tuple[str, str]]]:
        """The version of every record document, and every chunk with its record's id."""
        versions: dict[str, int] = {}
        chunk_owners: list[tuple[str, str]] = []
        offset = 0
        fields = [PRIMARY_KEY, "version", "part", "record_id"]
        while True:
            page = await self.client.index(self.uid).get_documents(offset=offset, limit=1000, fields=fields)
            for doc in page.results:
                if is_chunk(doc):
                    chunk_owners.append((str(doc[PRIMARY_KEY]), str(doc.get("record_id"))))
                else:
                    versions[str(doc[PRIMARY_KEY])] = int(doc["version"])
            offset += len(page.results)
            if len(page.results) < 1000:
                break
        return versions, chunk_owners

    def build(self) -> SearchIndex:
        """A fresh index beside this one, to be filled and then swapped in (`swap_in`)."""
        return SearchIndex(self.client, f"{self.uid}_build_{int(time.time())}")

    async def swap_in(self, build: SearchIndex) -> None:
        """Meilisearch applies the swap atomically: search answers from the old index until then."""
        existing = {i.uid for i in await self.client.get_indexes() or []}
        if self.uid in existing:
            task = await self.client.swap_indexes([(self.uid, build.uid)])
            await self.wait(task)
            await self.client.index(build.uid).delete()  # now holds the old documents
        else:
            task = await self.client.swap_indexes([(build.uid, self.uid)], rename=True)
            await self.wait(task)
