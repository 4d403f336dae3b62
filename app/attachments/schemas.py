from __future__ import annotations

import datetime as dt
import uuid

from pydantic import BaseModel, ConfigDict, Field

# Languages a document may be in (BCP 47, as the base writes them); OCR reads it in these.
ATTACHMENT_LANGUAGES = ("en", "ru", "ky", "kk", "uz", "uz-Latn", "uz-Cyrl", "tg", "tk")


class ExtractionOut(BaseModel):
    """Where the text extraction stands (editors only)."""

    state: str = Field(description="pending, running, done or failed.", examples=["done"])
    error: str | None = Field(None, description="Why it failed.", examples=["the PDF is encrypted"])
    pages: int | None = Field(None, description="Pages read.", examples=[12])
    ocr_pages: int | None = Field(None, description="Of those, pages read by OCR.", examples=[3])
    extracted_at: dt.datetime | None = None


class AttachmentOut(BaseModel):
    model_config = ConfigDict(
        json_schema_extra={
            "example": {
                "id": "8f9b3c1e-2f4d-4e62-9a51-0c7d2e4b5a10",
                "title": "Закон о внешней миграции (текст)",
                "filename": "zakon-2000.pdf",
                "media_type": "application/pdf",
                "size": 482113,
                "sha256": "9c1185a5c5e9fc54612808977ee8f548b2258d31ef1dc3b1e9f05d8f5b1d2e3f",
                "languages": ["ru"],
                "pages": 14,
                "created_at": "2026-12-03T09:00:00Z",
                "href": (
                    "/v1/laws/law-kg-external-migration-2000/attachments/"
                    "8f9b3c1e-2f4d-4e62-9a51-0c7d2e4b5a10/content"
                ),
                "extraction": None,
            }
        }
    )

    id: uuid.UUID
    title: str | None
    filename: str = Field(
        description="The uploaded file's name, made safe (no folders or control characters)."
    )
    media_type: str = Field(description="Sniffed from the bytes, not taken from the name.")
    size: int = Field(description="Bytes.")
    sha256: str
    languages: list[str]
    pages: int | None = Field(description="Pages whose text was extracted (none until it is).")
    created_at: dt.datetime
    href: str = Field(description="Download URL (Range and ETag supported).")
    extraction: ExtractionOut | None = Field(description="Editors only: the extraction's state.")
