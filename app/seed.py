"""Load the committed seed (`seed/seed.ndjson`, made by `seed/convert.py`) through the importer."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy.ext.asyncio import AsyncSession

from app.imports.schemas import ImportCounts
from app.imports.service import ImportService
from app.keys.service import Viewer
from app.registry import SPECS

SEED_FILE = Path(__file__).resolve().parent.parent / "seed" / "seed.ndjson"
SYSTEM = Viewer(key_id=None, role="admin")


async def load_seed(session: AsyncSession, path: Path = SEED_FILE) -> ImportCounts:
    report = await ImportService(session, SYSTEM).run(path, "ndjson", dry_run=False)
    if report.errors:
        problems = "; ".join(f"line {e.line} {e.path}: {e.message}" for e in report.errors[:10])
        raise ValueError(f"the seed does not import: {problems}")
    for spec in SPECS:  # the kinds' own tables (an indicator's observations), once the records are in
        if spec.seed is not None:
            await spec.seed(session, spec)
    return report.counts
