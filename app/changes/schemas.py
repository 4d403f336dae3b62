from __future__ import annotations

import datetime as dt
import uuid
from typing import Literal

from pydantic import BaseModel, Field

from app.records.schemas import RecordKind


class ChangeOut(BaseModel):
    seq: int = Field(
        description="Position in the feed; pass the last one you processed as `since`.", examples=[42]
    )
    kind: RecordKind
    id: uuid.UUID
    slug: str = Field(examples=["law-kg-external-migration-2000"])
    action: Literal["created", "updated", "deleted"] = Field(
        description="For the public, a record that leaves the published set (unpublished, archived, "
        "deleted) shows as `deleted`, and one that enters it as `created`."
    )
    version: int
    at: dt.datetime
