"""Load the committed seed (`seed/seed.ndjson`): upsert by (kind, slug), in one transaction."""

from __future__ import annotations

import json
from pathlib import Path

from pydantic import ValidationError
from sqlalchemy.ext.asyncio import AsyncSession

from app.keys.service import Viewer
from app.registry import KINDS

SEED_FILE = Path(__file__).resolve().parent.parent / "seed" / "seed.ndjson"
SYSTEM = Viewer(key_id=None, role="admin")


async def load_seed(session: AsyncSession, path: Path = SEED_FILE) -> dict[str, int]:
    counts = {"created": 0, "updated": 0}
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if not line.strip():
            continue
        data = json.loads(line)
        spec, make_service = KINDS[data.pop("kind")]
        try:
            payload = spec.in_schema.model_validate(data)
        except ValidationError as exc:
            raise ValueError(f"{path.name}:{number}: {exc}") from exc
        service = make_service(session, SYSTEM)
        if await service.repo.slug_taken(data["slug"]):
            await service.replace(data["slug"], payload, None)
            counts["updated"] += 1
        else:
            await service.create(payload)
            counts["created"] += 1
    return counts
