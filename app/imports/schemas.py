from __future__ import annotations

from pydantic import BaseModel, Field


class LineError(BaseModel):
    line: int = Field(description="1-based line of the file (the CSV header is line 1).", examples=[3])
    path: str = Field(
        description="JSON pointer to the field; empty for the whole line.", examples=["/countries/0"]
    )
    message: str = Field(examples=["'XX' is not an ISO 3166-1 alpha-2 country code"])


class ImportCounts(BaseModel):
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    rejected: int = Field(0, description="Lines with at least one error.")
    attachments: int = Field(0, description="Attachments added to records (files they did not have).")


class ImportReport(BaseModel):
    dry_run: bool
    committed: bool = Field(description="True when the records were written (all of them).")
    lines: int = Field(description="Records read (blank lines are skipped).")
    counts: ImportCounts
    errors: list[LineError] = Field(description="Every problem found, in file order (at most 1,000).")
