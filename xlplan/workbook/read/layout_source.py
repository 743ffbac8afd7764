"""Sheets laid out but not yet written, read as if they were in the workbook.

``xlplan report --solve`` reports a solve without writing it into the workbook: the solve's sheet
layouts stand in for the workbook's output sheets, and every other name is the workbook's own.
Formulas read as the values Python expects them to evaluate to, as Excel would show them.
"""

from __future__ import annotations

from xlplan.workbook.read.grids import Grid, Located, WorkbookSource
from xlplan.workbook.sheets.layout import Formula, Sheet


class LayoutSource:
    """Sheet layouts over a workbook: their named tables first, then the workbook's names."""

    def __init__(self, sheets: list[Sheet], workbook: WorkbookSource):
        self.workbook = workbook
        self.description = workbook.description
        self._grids: dict[str, Grid] = {}
        for sheet in sheets:
            for table in sheet.tables:
                if table.defined_name:
                    values = [[c.header for c in table.columns]]
                    values += [[v.value if isinstance(v, Formula) else v for v in row] for row in table.rows]
                    self._grids[table.defined_name] = Grid(table.defined_name, sheet.name, table.top, table.left,
                                                           values)

    def locate(self, name: str) -> Located:
        grid = self._grids.get(name)
        return Located(grid) if grid is not None else self.workbook.locate(name)

    def defines(self, name: str) -> bool:
        return name in self._grids or self.workbook.defines(name)
