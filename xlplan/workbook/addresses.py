"""A1-style cell addresses and sheet references, as Excel writes them."""

from __future__ import annotations

from openpyxl.utils import get_column_letter


def cell_address(row: int, column: int) -> str:
    """A1-style address of a 1-based (row, column)."""
    return f"{get_column_letter(column)}{row}"


def quote_sheet(sheet: str) -> str:
    """A sheet name as it appears in a reference: quoted when it needs to be."""
    if sheet.replace("_", "").isalnum() and not sheet[0].isdigit():
        return sheet
    return "'" + sheet.replace("'", "''") + "'"


def sheet_of(reference: str) -> str | None:
    """The sheet a reference names: ``='Run log'!$A$1`` -> ``Run log`` (None for one without a sheet)."""
    reference = reference.lstrip("=").strip()
    if "!" not in reference:
        return None
    sheet = reference.rsplit("!", 1)[0]
    if sheet.startswith("'") and sheet.endswith("'"):
        sheet = sheet[1:-1].replace("''", "'")
    return sheet
