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
