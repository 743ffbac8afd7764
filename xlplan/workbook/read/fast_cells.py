"""Cell values read fast with python-calamine (Rust), where they read exactly as openpyxl reads them.

openpyxl parses a worksheet in Python, a few microseconds a cell: 23 s for the 650,000 cells of a
12 x 52 x 1,000 Demand sheet. calamine reads it in about a second. It is optional (it does not ship
in Pyodide, where xlwings Lite runs): without it, or wherever its values could differ from openpyxl's,
the caller reads with openpyxl, so every value, message and cell address is the same either way.

They could differ in: blanks (calamine gives "" for an empty cell, an Excel error and a formula
without a saved result alike, which openpyxl tells apart), dates (calamine gives ``date``, openpyxl
``datetime``), text with ``_xHHHH_`` escapes (calamine decodes them, openpyxl keeps them) or with blanks
at an end but no ``xml:space="preserve"`` (calamine trims them), and whole numbers beyond 2**53. A range
holding any of these is left to openpyxl.
"""

from __future__ import annotations

import zipfile
from pathlib import Path
from typing import Any

from xlplan import limits
from xlplan.workbook.read.sheet_scan import different_text

try:  # optional: not in Pyodide
    from python_calamine import CalamineWorkbook
except ImportError:  # pragma: no cover - depends on the installation
    CalamineWorkbook = None

EXACT_INTEGERS = 2.0**53
MAX_CELLS = limits.MAX_RANGE_CELLS
"""The largest sheet (rows x columns up to its last cell in use) calamine reads: it holds a sheet as one dense
grid, so a single value in a sheet's very last cell would make it ask for hundreds of gigabytes (and abort)."""
_PLAIN = frozenset((float, str, bool))
"""The kinds of value calamine gives that read as openpyxl reads them (not dates, times or durations)."""


def available() -> bool:
    return CalamineWorkbook is not None


def _escapes(archive: zipfile.ZipFile, part: str) -> bool:
    """Whether ``part`` holds text calamine reads differently (``different_text``; read in chunks, the sizes were
    checked before, each looked at with the end of the one before from its last tag on: a text has no '<')."""
    if part not in archive.NameToInfo:
        return False
    tail = b""
    with archive.open(part) as stream:
        while chunk := stream.read(1 << 22):
            text = tail + chunk
            if different_text(text):
                return True
            tail = text[min(len(text) - 6, max(text.rfind(b"<"), 0)):]
            if len(tail) > 1 << 22:
                return True  # a text of megabytes: left to openpyxl rather than looked at again and again
    return False


class FastCells:
    """A workbook's sheets as calamine reads them, each read once, for ranges that read the same as openpyxl."""

    def __init__(self, path: Path, archive: zipfile.ZipFile, sheet_parts: dict[str, str]):
        self.path = path
        self.archive = archive
        self.sheet_parts = sheet_parts
        self._book: Any = None
        self._sheets: dict[str, list[list[Any]] | None] = {}
        self._strings_escaped: bool | None = None

    def _rows(self, sheet: str, escaped: bool | None, extent: tuple[int, int]) -> list[list[Any]] | None:
        """``sheet``'s cells as calamine reads them, where it reads them as openpyxl does and ``extent`` (its
        last row and column in use, or more) is within :data:`MAX_CELLS`."""
        if extent[0] * extent[1] > MAX_CELLS:
            return None
        if sheet not in self._sheets:
            self._sheets[sheet] = None
            if self._strings_escaped is None:
                self._strings_escaped = _escapes(self.archive, "xl/sharedStrings.xml")
            part = self.sheet_parts.get(sheet)
            if self._strings_escaped or part is None or (_escapes(self.archive, part) if escaped is None else escaped):
                return None
            if self._book is None:
                self._book = CalamineWorkbook.from_path(str(self.path))
            self._sheets[sheet] = self._book.get_sheet_by_name(sheet).to_python(skip_empty_area=False)
        return self._sheets[sheet]

    def extent(self, sheet: str, content: int, escaped: bool | None, bound: tuple[int, int]) -> tuple[int, int] | None:
        """The last row and column with content of ``sheet`` (1-based; 0 for none), from calamine's read of it,
        where it finds a value in ``content`` cells (``sheet_scan.light_facts``: then these are the cells with
        content); None otherwise, or where calamine does not read the sheet. ``bound``: its last row and column
        in use, or more."""
        try:
            rows = self._rows(sheet, escaped, bound) if CalamineWorkbook is not None else None
        except Exception:  # noqa: BLE001 - anything calamine cannot read, the scan or openpyxl reads or refuses
            return None
        if rows is None or sum(len(row) - row.count("") for row in rows) != content:
            return None  # "": no cell, no value (a formula without its result), an error, or empty text
        return (len(rows), max(map(len, rows))) if content else (0, 0)

    def read(self, sheet: str, bounds: tuple[int, int, int, int], escaped: bool | None,
             extent: tuple[int, int]) -> list[list[Any]] | None:
        """The values of ``bounds`` (min_col, min_row, max_col, max_row; 1-based) as openpyxl reads them
        with ``data_only``, or None when calamine is missing or the range holds a cell it could read
        differently; ``escaped`` says whether the sheet's part holds an escape, where that is known, ``extent``
        the sheet's last row and column in use."""
        if CalamineWorkbook is None:
            return None
        try:
            rows = self._rows(sheet, escaped, extent)
        except Exception:  # noqa: BLE001 - anything calamine cannot read, openpyxl reads or refuses in words
            return None
        if rows is None:
            return None
        min_col, min_row, max_col, max_row = bounds
        width = max_col - min_col + 1
        grid = []
        for row in rows[min_row - 1:max_row]:
            values = row[min_col - 1:max_col]
            # checked a row at a time in C (type sets, ``in``); converted only where a float is there
            if len(values) < width or not _PLAIN.issuperset(map(type, values)) or "" in values:
                return None  # a blank beyond the cells calamine saw, a date or time, or a blank, error or formula
            grid.append([int(value) if type(value) is float and value.is_integer() and -EXACT_INTEGERS < value
                         < EXACT_INTEGERS else value for value in values])  # openpyxl reads "224" as an int
        if len(grid) < max_row - min_row + 1:
            return None
        return grid


__all__ = ["FastCells", "available"]
