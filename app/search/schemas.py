from __future__ import annotations

import uuid

from pydantic import BaseModel, Field


class DocumentMatch(BaseModel):
    """Where in the record's attached documents the query was found."""

    attachment: uuid.UUID
    page: int = Field(examples=[40])
    snippet: str | None = Field(
        description="The passage of the page, with <em>highlights</em>.",
        examples=["…<em>трудящиеся</em> мигранты имеют право на защиту…"],
    )


class Hit(BaseModel):
    kind: str = Field(examples=["law"])
    id: uuid.UUID
    slug: str = Field(examples=["law-kg-external-migration-2000"])
    title: str = Field(description="Title or name in the display language.", examples=["О внешней миграции"])
    title_lang: str | None = Field(description="Language the title is in.", examples=["ru"])
    snippet: str | None = Field(
        description="Matching passage with <em>highlights</em>, in the best-matching language.",
        examples=["…rules for <em>entry</em>, stay and exit of foreigners…"],
    )
    snippet_lang: str | None = Field(examples=["en"])
    countries: list[str] = Field(examples=[["KG"]])
    topics: list[str] = Field(examples=[["labour-migration"]])
    status: str | None = Field(examples=["in_force"])
    date: str | None = Field(
        description="The kind's main date (adoption, start, founding).", examples=["2000-07-17"]
    )
    score: float | None = Field(description="Relevance between 0 and 1.", examples=[0.93])
    document: DocumentMatch | None = Field(
        None,
        description=(
            "Set when the record's best match is inside one of its attachments: which, the page, a snippet."
        ),
    )


class SearchResponse(BaseModel):
    query: str
    total: int = Field(
        description=(
            "Number of records the page is ranked from (what `facets` count): those matching the "
            "words of the query, and those related by meaning strongly enough to be listed "
            "(as far as the page reaches). Never fewer than the hits shown; 0 when nothing matches."
        ),
        examples=[12],
    )
    hits: list[Hit]
    facets: dict[str, dict[str, int]] = Field(
        description="Counts per value over all matches: kind, country, topic, status, year.",
        examples=[{"kind": {"law": 12, "organization": 3}, "country": {"KG": 9}}],
    )
    processing_ms: int = Field(examples=[4])
    degraded: bool = Field(description="True when Meilisearch was unreachable and PostgreSQL answered.")
    suggestion: str | None = Field(
        None,
        description="When nothing matched: a close spelling of the query that finds records.",
        examples=["refugee law"],
    )


class Suggestion(BaseModel):
    kind: str
    id: uuid.UUID
    slug: str
    title: str = Field(examples=["International Organization for Migration"])
    acronym: str | None = Field(None, examples=["IOM"])


class SuggestResponse(BaseModel):
    query: str
    suggestions: list[Suggestion]
    degraded: bool
