"""Reading a live workbook through xlwings' ``xw.Book``: the same contract as the file backend.

``XlwingsSource`` hands the reader grids, on any xlwings engine: desktop Excel (``Book.caller()``),
xlwings Lite (the ``book`` argument), and xlwings' remote and calamine engines in the tests.
"""

from __future__ import annotations

from typing import Any

import xlwings as xw

from xlplan.workbook.read.grids import Grid, Located, merged_cells, no_such_name, not_one_range

OPTIONAL = (NotImplementedError, AttributeError)
"""What an engine raises for a feature it does not have."""


class XlwingsSource:
    """A live workbook as a :class:`~xlplan.workbook.read.grids.WorkbookSource`."""

    def __init__(self, book: xw.Book):
        self.book = book
        self.description = book.name

    def _name(self, name: str) -> Any | None:
        try:
            return self.book.names[name]
        except (KeyError, *OPTIONAL):
            return None

    def defines(self, name: str) -> bool:
        defined = self._name(name)
        try:
            return defined is not None and "#REF!" not in str(defined.refers_to).upper()
        except OPTIONAL:
            return defined is not None

    def _table_extent(self, target: xw.Range) -> xw.Range:
        """The whole Excel Table a range starts (the name may predate rows added to it)."""
        try:
            tables = list(target.sheet.tables)
        except OPTIONAL:
            return target
        for table in tables:
            whole = table.range
            if (whole.row, whole.column) == (target.row, target.column):
                return whole
        return target

    def locate(self, name: str) -> Located:
        defined = self._name(name)
        if defined is None:
            return Located(None, [no_such_name(name)])
        try:
            target = defined.refers_to_range
        except Exception:  # noqa: BLE001 - every engine has its own way of saying "not a range"
            return Located(None, [not_one_range(name, defined.refers_to)])
        target = self._table_extent(target)
        values = target.options(ndim=2, err_to_str=True).value
        problems = []
        try:
            merged = target.merge_cells
        except OPTIONAL:
            merged = False
        if merged:
            problems.append(merged_cells(target.sheet.name, target.address.replace("$", "")))
        return Located(Grid(name, target.sheet.name, target.row, target.column, [list(row) for row in values]),
                       problems)
