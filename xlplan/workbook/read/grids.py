"""What a workbook backend hands the reader: named ranges as grids of cell values.

Backends (openpyxl for files, xlwings for a live Excel) only locate a defined name and return
its cells; everything else (headers, labels, values, messages) is decided once, in ``reader``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Protocol

from xlplan.workbook.addresses import cell_address, quote_sheet


@dataclass
class Grid:
    """The cells of one named range: ``values[r][c]`` is the cell at (top + r, left + c)."""

    name: str
    sheet: str
    top: int
    left: int
    values: list[list[Any]]

    @property
    def height(self) -> int:
        return len(self.values)

    @property
    def width(self) -> int:
        return max((len(row) for row in self.values), default=0)

    def cell(self, r: int, c: int) -> str:
        """Sheet!A1 address of the grid cell (r, c)."""
        return f"{quote_sheet(self.sheet)}!{cell_address(self.top + r, self.left + c)}"

    def area(self, r0: int, c0: int, r1: int, c1: int) -> str:
        """Sheet!A1:B2 address of the grid cells (r0, c0) to (r1, c1)."""
        start = cell_address(self.top + r0, self.left + c0)
        end = cell_address(self.top + max(r1, r0), self.left + max(c1, c0))
        return f"{quote_sheet(self.sheet)}!{start}" + (f":{end}" if end != start else "")

    def span(self, r0: int = 0, r1: int | None = None) -> str:
        """Sheet!A1:B2 address of rows r0..r1 (all columns)."""
        return self.area(r0, 0, self.height - 1 if r1 is None else r1, max(self.width - 1, 0))


@dataclass(frozen=True)
class LayoutProblem:
    """A problem found while locating a range: the name is missing, a cell is merged..."""

    where: str
    message: str


def no_such_name(name: str) -> LayoutProblem:
    return LayoutProblem("workbook", f"the workbook has no name '{name}'; define it over the input table "
                         "(Formulas > Name Manager), or start from the template: xlplan template PATH")


def not_one_range(name: str, definition: str) -> LayoutProblem:
    return LayoutProblem("workbook", f"the name '{name}' refers to '{definition}', which is not one range "
                         "xlplan can read; use an Excel Table or a range such as Sheet!$A$1:$D$20")


def merged_cells(sheet: str, area: str) -> LayoutProblem:
    """Merged cells at ``area`` (e.g. ``B5:C5``) of ``sheet`` inside an input range."""
    return LayoutProblem(f"{quote_sheet(sheet)}!{area}", "merged cells inside an input range: each cell needs its "
                         "own value; unmerge them (Home > Merge & Center)")


@dataclass
class Located:
    """A located range, or the problems that stopped it from being located."""

    grid: Grid | None
    problems: list[LayoutProblem] = field(default_factory=list)


class WorkbookSource(Protocol):
    """A workbook the reader can ask for named ranges."""

    description: str

    def locate(self, name: str) -> Located:
        """The grid of the workbook-scoped defined name ``name``.

        Cells whose value cannot be read (a formula without a saved result) hold a
        :class:`xlplan.problem.tables.UnreadableValue` saying why.
        """
        ...

    def defines(self, name: str) -> bool:
        """Whether the workbook defines ``name`` over a range, without reading its cells (a table's presence,
        e.g. for a link to its sheet, costs nothing however large the table)."""
        ...
