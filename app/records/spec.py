"""What differs between the four record kinds, declared once per kind and read by the shared code."""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

from pydantic import BaseModel

from app.models import Record


@dataclass(frozen=True)
class KindSpec:
    kind: str  # "law"
    plural: str  # "laws" (the URL segment)
    model: type[Record]
    in_schema: type[BaseModel]
    out_schema: type[BaseModel]
    # Field names of the localized title and summary in the API ("name"/"description" for organizations).
    title_field: str = "title"
    summary_field: str = "summary"
    # The kind's main date, for `from`/`to` filters and the `date` of search hits.
    date_column: str | None = None
    # Public sort names → column attributes; each may be prefixed with "-" in `sort=`.
    sorts: tuple[str, ...] = ("slug", "updated_at", "created_at")
    # Columns filled from the body by the kind's own code instead of being copied.
    custom_fields: frozenset[str] = field(default_factory=frozenset)

    @cached_property
    def column_fields(self) -> list[str]:
        """Body fields stored in a column of the same name."""
        skip = {"slug", "related", self.title_field, self.summary_field, *self.custom_fields}
        return [name for name in self.in_schema.model_fields if name not in skip]

    def sort_column(self, name: str) -> Any:
        return getattr(self.model, name)
