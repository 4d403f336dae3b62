"""Spreadsheet formula injection (OWASP "CSV Injection"): a CSV cell that starts with `=`, `+`,
`-`, `@`, a tab or a carriage return is run as a formula by Excel, LibreOffice and Google Sheets.
Every CSV the service writes prefixes such cells with `'`, which spreadsheets show as text; the CSV
import takes the prefix off again, so an export reimports unchanged."""

from __future__ import annotations

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def neutralised(text: str) -> str:
    return "'" + text if text.startswith(FORMULA_START) else text


def restored(text: str) -> str:
    """The inverse of `neutralised`, for cells read from a CSV."""
    return text[1:] if text.startswith("'") and text[1:].startswith(FORMULA_START) else text
