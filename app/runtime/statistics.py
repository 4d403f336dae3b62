"""Planner statistics that follow the data.

PostgreSQL plans every query from table statistics that autovacuum keeps current. Where
autovacuum is off (this development machine's server runs with `autovacuum = off`), tables
created empty by a migration are never analyzed: the planner then believes `records` holds one
row and joins an organization list's 20 relations by scanning every record (270 ms at 7,000
records, growing with each write, where 0.1 ms is right). So bulk writes (seed, import) end with
VACUUM (ANALYZE), and where autovacuum is off the server does what it would: every minute it
vacuums and analyzes the tables whose changes passed autovacuum's own default thresholds."""

from __future__ import annotations

import asyncio
import logging

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine

from app.search.loop import pause

log = logging.getLogger(__name__)

# autovacuum's defaults: 50 rows + 20% dead (vacuum), 50 rows + 10% changed (analyze).
STALE = text(
    """
    SELECT relname FROM pg_stat_user_tables
    WHERE schemaname = current_schema()
      AND (n_dead_tup > 50 + 0.2 * n_live_tup
           OR n_mod_since_analyze > 50 + 0.1 * n_live_tup
           OR (last_analyze IS NULL AND last_autoanalyze IS NULL AND n_live_tup > 0))
    ORDER BY relname
    """
)


async def vacuum_analyze(engine: AsyncEngine, tables: list[str] | None = None) -> list[str]:
    """VACUUM (ANALYZE) these tables, or those whose statistics are stale; the tables done.
    Tables another session is vacuuming are skipped. VACUUM runs outside a transaction."""
    async with engine.connect() as conn:
        conn = await conn.execution_options(isolation_level="AUTOCOMMIT")
        if tables is None:
            tables = list((await conn.execute(STALE)).scalars())
        if tables:
            quoted = ", ".join(conn.dialect.identifier_preparer.quote(t) for t in tables)
            await conn.execute(text(f"VACUUM (ANALYZE, SKIP_LOCKED) {quoted}"))
    return tables


async def vacuum_after_bulk(url: str) -> None:
    """After a bulk write: planner statistics, and the visibility map that lets counts be read
    from an index alone. Until autovacuum got to it, pages of a kind were served by sorting the
    whole kind (3.3 ms instead of 0.2 ms for 20 of 1,000 laws)."""
    from app.core.db import make_engine
    from app.models import Base

    engine = make_engine(url, pool_size=1)
    try:
        await vacuum_analyze(engine, sorted(Base.metadata.tables))  # every table: no list to keep
    finally:
        await engine.dispose()


async def autovacuum_off(engine: AsyncEngine) -> bool:
    async with engine.connect() as conn:
        return bool((await conn.execute(text("SHOW autovacuum"))).scalar_one() == "off")


async def keep_statistics(engine: AsyncEngine, stop: asyncio.Event, every: float = 60.0) -> None:
    """Where autovacuum is off, stand in for it; where it is on, do nothing."""
    try:
        if not await autovacuum_off(engine):
            return
    except Exception as exc:  # the database is away at start-up: statistics are not worth a crash
        log.warning("could not read the autovacuum setting (%s); statistics left to the server", exc)
        return
    log.warning("autovacuum is off on this PostgreSQL server: the API keeps planner statistics itself")
    while not stop.is_set():
        try:
            if done := await vacuum_analyze(engine):
                log.info("vacuumed and analyzed %s", ", ".join(done))
        except Exception as exc:
            log.warning("statistics upkeep failed (%s); retrying in %.0fs", exc.__class__.__name__, every)
        await pause(stop, every)
