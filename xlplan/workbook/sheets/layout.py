"""Sheet layouts as plain data: what goes in which cell, with which format, and which charts.

Input sheets (template, examples) and output sheets (Plan, Recourse, Costs, KPI, Run log) are
described here once; a renderer (XlsxWriter for files, xlwings for a live Excel) draws them. A cell
value is a number, text, date, None (blank) or a :class:`Formula`.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any, Literal

from xlplan.workbook.addresses import cell_address, quote_sheet

UNITS = "#,##0"
DECIMAL = "#,##0.00"
MONEY = "#,##0.00;-#,##0.00"
"""A money cell. It shows like DECIMAL, and ``units.in_currency`` gives it the Currency setting's format
before the sheet is drawn (which is why it is spelt apart from DECIMAL)."""
MONEY_WHOLE = "#,##0;-#,##0"
"""Money without cents: chart axes, histogram bins."""
FRACTION = "0.0%"
GENERAL = "General"
TEXT = "@"
MAX_ROWS = 1_048_576
"""Rows of a worksheet in Excel (XlsxWriter drops a write beyond them without an error)."""


def _split(address: str) -> tuple[str, str]:
    letters = address.rstrip("0123456789")
    return letters, address[len(letters):]


@dataclass(frozen=True)
class Formula:
    """A live formula, with the value Python expects it to evaluate to.

    The value is stored as the formula's cached result, so viewers that do not recalculate
    (previewers, pandas) still show the number; Excel and LibreOffice recalculate it.
    """

    expression: str
    value: Any = None


@dataclass(frozen=True)
class Column:
    header: str
    number_format: str = GENERAL
    width: float = 14.0
    wrap: bool = False
    """Wrap long text within the column (the row grows) rather than let it run on to the right."""


@dataclass
class Table:
    """A header row and data rows at (top, left), optionally an Excel Table with a defined name."""

    top: int
    left: int
    columns: list[Column]
    rows: list[list[Any]]
    table_name: str | None = None
    """Excel Table (ListObject) name; None draws a plain range with a styled header."""
    defined_name: str | None = None
    """A workbook-scoped name to define over the whole table (header included)."""
    title: str | None = None
    """Bold caption one row above the header."""
    flag_columns: tuple[int, ...] = ()
    """Columns (0-based) whose cells take Yes / No, offered as a drop-down."""
    flag_rows: tuple[int, ...] | None = None
    """With ``flag_columns``: only these data rows (0-based) get the drop-down."""
    cell_formats: dict[tuple[int, int], str] = field(default_factory=dict)
    """Number formats of single cells, by (data row, column), where a column mixes units."""

    @property
    def bottom(self) -> int:
        """Row of the last data row (the header row when there is none)."""
        return self.top + len(self.rows)

    @property
    def right(self) -> int:
        return self.left + len(self.columns) - 1

    def ref_absolute(self) -> str:
        """$A$4:$G$7 over the header and data rows."""
        first, last = cell_address(self.top, self.left), cell_address(max(self.bottom, self.top), self.right)
        return "$" + "$".join(_split(first)) + ":$" + "$".join(_split(last))

    def column_range(self, sheet: str, index: int, absolute: bool = True) -> str:
        """Sheet!$C$5:$C$40 over the data cells of column ``index``."""
        col = cell_address(1, self.left + index).rstrip("1")
        d = "$" if absolute else ""
        return f"{quote_sheet(sheet)}!{d}{col}{d}{self.top + 1}:{d}{col}{d}{max(self.bottom, self.top + 1)}"

    def cell(self, row: int, index: int) -> str:
        """A1 address of data row ``row`` (0-based), column ``index``."""
        return cell_address(self.top + 1 + row, self.left + index)

    def index_of(self, header: str) -> int:
        return [c.header for c in self.columns].index(header)


@dataclass(frozen=True)
class Series:
    title: str
    values: str
    """Sheet!$C$5:$C$16"""
    kind: Literal["column", "line"] = "column"
    title_cell: str | None = None
    """Sheet!$A$6, a cell holding the title: a series named after a label takes its name from the
    label's cell, so that no label text (a quote, a leading =) ever becomes part of a formula."""


MAX_HEADER = 255
"""Characters of an Excel Table's column header."""
MAX_TITLE = 80
"""Characters of a label shown in a chart title."""


def short(label: str, limit: int = MAX_TITLE) -> str:
    """A label cut to ``limit`` characters (with an ellipsis) for titles and headers."""
    return label if len(label) <= limit else label[: limit - 1] + "\u2026"


def table_headers(labels: list[str] | tuple[str, ...]) -> list[str]:
    """Labels as an Excel Table's column headers: at most 255 characters, and distinct ignoring
    case (as Excel requires), a repeat numbered like Excel numbers it."""
    headers: list[str] = []
    seen: set[str] = set()
    for label in labels:
        header, k = short(label, MAX_HEADER), 2
        while header.lower() in seen:
            suffix = str(k)
            header, k = short(label, MAX_HEADER - len(suffix)) + suffix, k + 1
        seen.add(header.lower())
        headers.append(header)
    return headers


@dataclass
class Chart:
    title: str
    anchor: str
    categories: str
    series: list[Series]
    kind: Literal["column", "line", "bar", "stacked", "scatter"] = "column"
    """``scatter``: the categories are the x values (numbers), each series a line through its points."""
    x_title: str = ""
    y_title: str = ""
    y_format: str = "#,##0"
    x_format: str | None = None
    """The number format of the x axis: a scatter chart's numbers, or numeric categories."""
    width_cm: float = 16.0
    height_cm: float = 7.5
    y_min: float | None = None
    """The value axis' lowest value (None: the application's choice)."""
    y_max: float | None = None

    def from_zero(self, values: Iterable[float]) -> Chart:
        """Bars measured from zero: an axis starting elsewhere makes small differences look large.

        All values 0 or more: the axis starts at 0; all 0 or less: it ends there; both: it spans 0 anyway."""
        finite = [float(v) for v in values if v is not None and math.isfinite(float(v))]
        if finite and min(finite) >= 0:
            self.y_min = 0.0
        elif finite and max(finite) <= 0:
            self.y_max = 0.0
        return self


@dataclass(frozen=True)
class Text:
    row: int
    column: int
    value: Any
    style: Literal["heading", "subheading", "note", "label", "value", "unit", "good", "bad", "link"] = "note"
    number_format: str = GENERAL
    link: str | None = None
    """A place in the workbook this cell links to, e.g. ``Demand!E7``."""


@dataclass(frozen=True)
class Button:
    """A button over ``cell``: a form button running a VBA ``macro`` (in workbooks with a VBA
    project), or, with no macro, a shape linking to the cell it covers, which is how xlwings Lite
    binds a sheet button to a script."""

    cell: str
    caption: str
    macro: str | None = "SampleCall"
    width: int = 150
    height: int = 34


@dataclass
class Sheet:
    name: str
    texts: list[Text] = field(default_factory=list)
    tables: list[Table] = field(default_factory=list)
    charts: list[Chart] = field(default_factory=list)
    freeze: str | None = None
    tab_color: str | None = None
    widths: dict[int, float] = field(default_factory=dict)
    """Column widths by 1-based column index, for columns no table sizes."""
    buttons: list[Button] = field(default_factory=list)
    choices: dict[str, tuple[str, ...]] = field(default_factory=dict)
    """Cells offering a drop-down list, e.g. ``{"C4": ("Solve", "Validate")}``."""
    repeat_rows: tuple[int, int] | None = None
    """Rows (1-based, first and last) printed at the top of every page: a long table's header."""
    heights: dict[int, float] = field(default_factory=dict)
    """Row heights in points by 1-based row, e.g. room for a button beside a heading."""

    def text(self, row: int, column: int, value: Any, style: str = "note", number_format: str = GENERAL,
             link: str | None = None) -> None:
        self.texts.append(Text(row, column, value, style, number_format, link))  # type: ignore[arg-type]


def within_row_limit(sheets: Iterable[Sheet]) -> list[str]:
    """Cut every table that would pass a sheet's row limit to the rows that fit, saying so in its title;
    the lines returned say it too (for the status line), so no row is ever dropped silently."""
    lines = []
    for sheet in sheets:
        for table in sheet.tables:
            if table.bottom <= MAX_ROWS:
                continue
            total, kept = len(table.rows), max(0, MAX_ROWS - table.top)
            del table.rows[kept:]
            note = f"the first {kept:,} of {total:,} rows: a sheet holds at most {MAX_ROWS:,} rows"
            table.title = f"{table.title}; {note}" if table.title else note[0].upper() + note[1:]
            lines.append(f"{sheet.name}: {note}")
    return lines
