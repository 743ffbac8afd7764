"""Sheet layouts as plain data: what goes in which cell, with which format, and which charts.

Input sheets (template, examples) and output sheets (Plan, Recourse, Costs, KPI, Run log) are
described here once; a renderer (XlsxWriter for files, xlwings for a live Excel) draws them. A cell
value is a number, text, date, None (blank) or a :class:`Formula`.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from datetime import date
from typing import Any, Literal

import numpy as np

from xlplan.text import WHOLE_FROM
from xlplan.workbook.addresses import cell_address, quote_sheet

UNITS = "#,##0"
DECIMAL = "#,##0.00"
QUANTITY = "#,##0.0"
"""Units, hours or workers that may be fractional (an LP's plan, an expected stock, an average): one decimal,
which is all a quantity of goods or people needs (the cell keeps the exact value)."""
MONEY = "#,##0.00;-#,##0.00"
"""A money cell. It shows like DECIMAL, and ``units.in_currency`` gives it the Currency setting's format
before the sheet is drawn (which is why it is spelt apart from DECIMAL)."""
MONEY_WHOLE = "#,##0;-#,##0"
"""Money without cents: chart axes, histogram bins."""
MONEY_THOUSANDS = '#,##0,"k";-#,##0,"k"'
"""Money in thousands (1,375k): a chart's axis labels of round thousands, short enough to sit side by side."""
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
    right_headers: tuple[int, ...] = ()
    """Columns (0-based) of numbers, whose headers align right over them (set by :func:`present_table`)."""
    indented: tuple[int, ...] = ()
    """Text columns (0-based) beside a column of numbers, indented off them (set by :func:`present_table`)."""

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
    x_min: float | None = None
    """A scatter chart's x axis, lowest and highest (None: the application's choice)."""
    x_max: float | None = None
    x_step: float | None = None
    """The distance between an axis' labels (None: the application's choice, which crowds a narrow range)."""
    y_step: float | None = None
    x_label_every: int | None = None
    """A category axis labelled at every n-th category only (None: every one, or the application's choice):
    many categories' labels would crowd, slanted and overlapping."""

    def scaled_to(self, values: Iterable[float], axis: Literal["x", "y"] = "y") -> Chart:
        """An axis spanning the data, not from zero: lines and points whose differences matter (profit
        by risk weight) would look flat on an axis that starts at 0 far below them."""
        bounds = axis_bounds(values)
        if bounds is not None:
            low, high, step = bounds
            if axis == "y":
                self.y_min, self.y_max, self.y_step = low, high, step
            else:
                self.x_min, self.x_max, self.x_step = low, high, step
        return self

    def as_share(self, values: Iterable[float]) -> Chart:
        """A share's axis (fill rate) spanning the data and ending at 100%, never at an impossible 120%."""
        shares = [*values, 1.0]
        if self.y_min is not None:
            shares.append(self.y_min)
        bounds = axis_bounds(shares)
        if bounds is not None:
            self.y_min, self.y_step = min(bounds[0], 0.95), bounds[2]
        self.y_max = 1.0
        return self

    def from_zero(self, values: Iterable[float]) -> Chart:
        """Bars measured from zero: an axis starting elsewhere makes small differences look large.

        All values 0 or more: the axis starts at 0; all 0 or less: it ends there; both: it spans 0 anyway."""
        finite = [float(v) for v in values if v is not None and math.isfinite(float(v))]
        if finite and min(finite) >= 0:
            self.y_min = 0.0
        elif finite and max(finite) <= 0:
            self.y_max = 0.0
        return self

    def counted(self, values: Iterable[float]) -> Chart:
        """A count's axis (units in stock, units owed): from zero, and where the counts are all below
        :data:`FEW_COUNTS`, up to the next whole number in steps of one; left to itself the application
        steps a range of 0 to 1 by fractions, which a whole-number format labels 0, 1, 1."""
        finite = [float(v) for v in values if v is not None and math.isfinite(float(v))]
        self.from_zero(finite)
        if finite and min(finite) >= 0 and max(finite) < FEW_COUNTS:
            self.y_min, self.y_max, self.y_step = 0.0, float(max(math.ceil(max(finite)), 1)), 1.0
        return self


FEW_COUNTS = 5
"""Below this many, a count's axis is labelled in whole steps of one (:meth:`Chart.counted`)."""


def axis_bounds(values: Iterable[float], ticks: int = 5) -> tuple[float, float, float] | None:
    """Round axis bounds a little beyond the data's range (a twentieth of it each side) and the step
    between labels, a 1-2-2.5-5 multiple that gives about ``ticks`` intervals; an axis of positive data
    never passes below 0. None without data.

    >>> axis_bounds([2_476_316, 2_592_729, 2_601_000])
    (2450000.0, 2650000.0, 50000.0)
    >>> axis_bounds([0.0, 0.3, 1.0])
    (0.0, 1.25, 0.25)
    """
    finite = [float(v) for v in values if v is not None and math.isfinite(float(v))]
    if not finite:
        return None
    low, high = min(finite), max(finite)
    span = high - low or abs(high) * 0.1 or 1.0
    raw = span * 1.2 / ticks
    magnitude = 10.0 ** math.floor(math.log10(raw))
    step = next(m * magnitude for m in (1, 2, 2.5, 5, 10) if m * magnitude >= raw)
    lower = math.floor((low - span * 0.05) / step) * step
    upper = math.ceil((high + span * 0.05) / step) * step
    if low >= 0 > lower:
        lower = 0.0
    return round(lower, 12), round(upper, 12), round(step, 12)


@dataclass(frozen=True)
class Text:
    row: int
    column: int
    value: Any
    style: Literal["heading", "subheading", "note", "label", "label_right", "value", "number", "unit", "good", "bad",
                   "link"] = "note"
    """``label_right`` heads a column of ``number`` cells (right-aligned, as numbers are)."""
    number_format: str = GENERAL
    link: str | None = None
    """A place in the workbook this cell links to, e.g. ``Demand!E7``."""
    span: int = 1
    """Columns the text is wrapped across (merged), set by :func:`presented` for a line too long to print."""
    wrap: bool = False
    """Wrapped within its own cell: a label longer than its column, with a value in the next one."""


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
    names: dict[str, str] = field(default_factory=dict)
    """Workbook-scoped names of cells of this sheet besides its tables', e.g. ``{"xlplan_start": "$A$1:$C$12"}``."""
    keep: list[tuple[int, int]] = field(default_factory=list)
    """Rows (1-based, first and last) printed on one page, as a table is: a heading and the lines under it."""
    print_rows: int | None = None
    """The last row printed (1-based), when the rows below are for the screen only (the sheet says so)."""
    fit_width: bool = False
    """Printed as wide as one page, below :data:`MIN_SCALE` if need be (down to :data:`FIT_MIN_SCALE`): a sheet
    read along its rows (a KPI and its definition, a run and its plan ID), whose columns cut off on a page of
    their own would print without the labels they belong to."""

    one_page: bool = True
    """Printed smaller on one page when a little taller than one (:data:`ONE_PAGE_FROM`); False for a sheet of
    blocks that each read whole on a page at a readable scale, which one page would shrink below it."""

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


# ---------------------------------------------------------------------------- presentation rules
# Applied to every sheet by the writers (file and live Excel) just before drawing, so that no sheet
# lays them out by hand: numbers right-aligned under right-aligned headers, text beside a number
# indented off it, no cents from 10,000 up, no decimals on whole numbers, thousands separators, and
# print settings from the sheet's size.
_DECIMALS = re.compile(r"#,##0\.0+")
_DATE = re.compile(r"[yd]{2}|hh|ss", re.IGNORECASE)


def _number(value: Any) -> float | None:
    """The number a cell shows (a formula's expected value), or None for text, blanks and non-finite values."""
    if isinstance(value, Formula):
        value = value.value
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    number = float(value)
    return number if math.isfinite(number) else None


def _without_decimals(number_format: str) -> str:
    return _DECIMALS.sub("#,##0", number_format)


def _tidy(number_format: str, number: float) -> str:
    """A cell's number format by the rules: whole numbers and amounts from 10,000 up without decimals,
    numbers in General with thousands separators. Percentages and dates are left as they are."""
    if "%" in number_format or _DATE.search(number_format):
        return number_format
    whole = number == round(number) or abs(number) >= WHOLE_FROM
    if number_format == GENERAL:  # a label such as a year or a week number below 10,000 keeps its look
        return UNITS if abs(number) >= WHOLE_FROM else GENERAL if whole else DECIMAL
    return _without_decimals(number_format) if whole else number_format


def _is_number_format(number_format: str) -> bool:
    return number_format not in (GENERAL, TEXT)


def present_table(table: Table) -> None:
    """Number formats by the rules, and which columns are numeric (their headers right-aligned) and which
    text columns follow one (indented). A column is shown at one precision: without decimals when its
    numbers are whole or reach 10,000; a cell with a format of its own (a column mixing units) by itself."""
    numeric: list[bool] = []
    holds: list[bool] = []
    with_own = {j for _, j in table.cell_formats}
    quantities: dict[str, list[tuple[int, float, bool]]] = {}  # columns the sheet gave one format: one quantity
    for j, column in enumerate(table.columns):
        numbers: list[float] = []
        own: dict[int, float] = {}
        texts = dates = 0
        values = [row[j] if j < len(row) else None for row in table.rows]
        kinds = set(map(type, values))
        if j not in with_own and kinds <= {float, int, type(None)}:  # a plain column of numbers: at once
            array = np.array([np.nan if v is None else v for v in values], dtype=float)
            numbers = array[np.isfinite(array)].tolist()
            values = []
        elif kinds <= {str, type(None)}:  # a plain column of text
            texts = sum(1 for v in values if v)
            values = []
        for i, value in enumerate(values):
            number = _number(value)
            if isinstance(value, date):  # a date is a number to the spreadsheet: right-aligned like one
                dates += 1
            elif number is None:
                blank = value is None or value == "" or (isinstance(value, Formula) and value.value in (None, ""))
                texts += 0 if blank else 1
            elif (i, j) in table.cell_formats:
                own[i] = number
            else:
                numbers.append(number)
        if numbers:
            found = np.asarray(numbers, dtype=float)
            largest = float(np.abs(found).max())
            whole = bool(np.all(found == np.round(found))) or largest >= WHOLE_FROM
            if column.number_format != GENERAL:
                quantities.setdefault(column.number_format, []).append((j, largest, whole))
            table.columns[j] = replace(column, number_format=_tidy(column.number_format,
                                                                   round(largest) if whole else 0.5))
        for i, number in own.items():
            table.cell_formats[(i, j)] = _tidy(table.cell_formats[(i, j)], number)
        count = len(numbers) + len(own) + dates
        numeric.append(count > texts or (count == 0 and texts == 0 and _is_number_format(column.number_format)))
        holds.append(count > 0)
    _one_precision_a_quantity(table, quantities)
    table.right_headers = tuple(j for j, n in enumerate(numeric) if n)
    table.indented = tuple(j for j in range(1, len(numeric)) if holds[j - 1] and not numeric[j])


def _one_precision_a_quantity(table: Table, quantities: dict[str, list[tuple[int, float, bool]]]) -> None:
    """Columns the sheet gave one format (a plan's production in every period, a stock's P5 and P95, a plan's
    quantities) at one precision, decided from all of them: without decimals when all are whole or they reach
    10,000, with the sheet's decimals otherwise (not one period at 933.3 beside another at 626)."""
    for number_format, columns in quantities.items():
        whole = all(w for _, _, w in columns) or max(largest for _, largest, _ in columns) >= WHOLE_FROM
        shown = _without_decimals(number_format) if whole else number_format
        for j, _, _ in columns:
            table.columns[j] = replace(table.columns[j], number_format=shown)


def _last_column_wraps(tables: list[Table]) -> None:
    """Long text in a table's last column grows it (up to :data:`LAST_COLUMN`, where no other table shares
    the column) and wraps in it, rather than run on past the table and off the page."""
    for table in tables:
        last = table.columns[-1] if table.columns else None
        if last is None or last.wrap or (len(table.columns) - 1) in table.right_headers:
            continue
        longest = max((len(str(row[-1])) for row in table.rows if row and isinstance(row[-1], str)), default=0)
        if longest <= last.width:
            continue
        if any(t is not table and t.left <= table.right <= t.right for t in tables):
            continue  # a column another table shares: wrapping it narrow would make its rows tall
        table.columns[-1] = replace(last, width=max(last.width, min(float(longest), LAST_COLUMN)), wrap=True)


LAST_COLUMN = 60.0
"""The widest a table's last text column grows before its text wraps."""


def present_text(text: Text) -> Text:
    number = _number(text.value)
    return text if number is None or text.link else replace(text, number_format=_tidy(text.number_format, number))


# Letter (narrower than A4 when landscape, shorter when portrait) with Excel's default margins, in column
# width units as LibreOffice prints them (about 9.3 points each at 96 dpi; Excel's 7 leave room to spare)
PRINT_WIDTH = {False: 64.0, True: 90.0}
"""Column width units across a printed page at full size: portrait, landscape."""
PRINT_HEIGHT_PX = {False: 900.0, True: 640.0}
ROW_PX = 20.0
CM_TO_PX = 37.8
TEXT_CHARS = 1.1
"""Column width units a character of text takes (a note's italics, a label's bold)."""
FITS_WITHIN = 1.0
"""Width units a text may pass its column's estimate by and still print in it (the estimate is cautious, and
the cell's padding is not counted): wrapping such a label would raise its row and leave the value beside it
at the bottom of a taller row."""
PRINTED_ROWS = 1_000
"""Rows of a table a planner prints, about 20 pages: a longer sheet prints a chosen part (and says which)."""
MIN_SCALE = 55
"""Below this a printed figure is hard to read: a wider sheet prints across pages instead, its first
column repeated on each."""
FIT_MIN_SCALE = 40
"""The smallest a sheet printed to its page's width (:attr:`Sheet.fit_width`) is printed."""


@dataclass(frozen=True)
class PrintSetup:
    landscape: bool
    scale: int
    """Percent of full size."""
    repeat_rows: tuple[int, int] | None
    repeat_columns: tuple[int, int] | None
    """1-based, first and last."""
    row_breaks: tuple[int, ...]
    """1-based rows that start a new page (so that no chart is split)."""
    column_breaks: tuple[int, ...] = ()
    """1-based columns that start a new page (so that no table or chart narrower than a page is split)."""
    area: str | None = None
    """The cells printed (``A1:I890``), when not the whole sheet (:attr:`Sheet.print_rows`)."""

    @property
    def across_then_down(self) -> bool:
        """Pages numbered across, then down, for a table wider than a page (its label columns repeated): a
        planner reads a product's weeks in all their columns before the next weeks, as the rows run, where down
        then across would print every week's first columns before any week's last ones."""
        return self.repeat_columns is not None


def column_widths(sheet: Sheet) -> dict[int, float]:
    """Each column's width in units: the sheet's own, or the widest of the tables' columns in it."""
    widths = dict(sheet.widths)
    for table in sheet.tables:
        for j, column in enumerate(table.columns):
            widths[table.left + j] = max(widths.get(table.left + j, 0.0), column.width)
    return widths


def _anchor(cell: str) -> tuple[int, int]:
    letters, digits = _split(cell)
    column = 0
    for letter in letters:
        column = column * 26 + ord(letter.upper()) - 64
    return int(digits), column


def chart_chars(column: int, width_cm: float, widths: dict[int, float]) -> float:
    """How many column width units a chart anchored in ``column`` covers. A chart is anchored to the
    cells it covers as Excel measures columns (7 pixels a unit and 5 of padding), and LibreOffice draws it
    over those cells as wide as it prints them: a fifth wider than its nominal size over default columns."""
    px, chars = width_cm * CM_TO_PX, 0.0
    while px > 0:
        width = widths.get(column, 8.43)
        column_px = int(width * 7 + 0.5) + 5
        chars += width * min(1.0, px / column_px)
        px -= column_px
        column += 1
    return chars


def column_after_chart(sheet: Sheet, column: int, width_cm: float) -> int:
    """The first column wholly right of a chart ``width_cm`` wide anchored in ``column`` (another chart
    anchored there sits beside it, not over it), by the widths of the sheet's tables so far."""
    widths = column_widths(sheet)
    px = width_cm * CM_TO_PX
    while px > 0:
        px -= int(widths.get(column, 8.43) * 7 + 0.5) + 5
        column += 1
    return column


def chart_extent(chart: Chart, widths: dict[int, float]) -> tuple[int, float, float]:
    """A chart's anchor column and its left and right edges in column width units, as printed."""
    column = _anchor(chart.anchor)[1]
    left = sum(widths.get(c, 8.43) for c in range(1, column))
    return column, left, left + chart_chars(column, chart.width_cm, widths)


def content_width(sheet: Sheet, widths: dict[int, float]) -> float:
    """How wide the tables, charts and short texts reach, in column width units."""
    def right_edge(column: int, extra: float = 0.0) -> float:
        return sum(widths.get(c, 8.43) for c in range(1, column)) + extra

    reach = [right_edge(t.right + 1) for t in sheet.tables]
    reach += [chart_extent(c, widths)[2] for c in sheet.charts]
    reach += [right_edge(t.column, TEXT_CHARS * len(str(t.value))) for t in sheet.texts
              if isinstance(t.value, str) and t.span == 1 and len(t.value) <= WRAP_FROM]
    return max([*reach, 1.0])


MAX_ROW_POINTS = 409.0
"""Excel's tallest row."""
WRAP_FROM = 90
"""Characters from which a line of text is wrapped over the page's width rather than run off it."""


MAX_LABEL_COLUMNS = 4


def label_columns(table: Table) -> int:
    """How many of a table's first columns label its rows: the fewest text-formatted columns whose values
    tell every row apart (Product and Period in a plan, Product and Scenario in demand), at least one."""
    def shown(value: Any) -> Any:
        return value.value if isinstance(value, Formula) else value

    for count in range(1, min(len(table.columns), MAX_LABEL_COLUMNS) + 1):
        if table.columns[count - 1].number_format not in (GENERAL, TEXT):
            return max(1, count - 1)
        if len({tuple(shown(v) for v in row[:count]) for row in table.rows}) == len(table.rows):
            return count
    return 1


ONE_PAGE_FROM = 1.25
"""A sheet up to this many pages tall is printed smaller, on one page."""


def content_height(sheet: Sheet) -> float:
    """How tall the sheet's contents are, in pixels at full size (its taller rows as tall as it makes them)."""
    bottom = max([t.row for t in sheet.texts] + [t.bottom for t in sheet.tables] + [1])
    extra = sum(height * 4 / 3 - ROW_PX for row, height in sheet.heights.items() if row <= bottom)
    charts = [(_anchor(c.anchor)[0] - 1) * ROW_PX + c.height_cm * CM_TO_PX for c in sheet.charts]
    return max([bottom * ROW_PX + extra, *charts])


@dataclass(frozen=True)
class _Across:
    """How a sheet prints across its pages at one scale."""

    repeat: tuple[int, int] | None
    columns: tuple[int, int] | None
    breaks: list[int]
    cut: int
    """Tables and charts cut at a page's right edge."""
    pages: int
    """Pages across."""


def _across(sheet: Sheet, widths: dict[int, float], landscape: bool, scale: float) -> _Across:
    """The rows and columns repeated, and where the pages break between columns, at ``scale``: a table or a
    chart narrower than a page, which the page it starts on would cut, starts the next page."""
    rows_per_page = int(PRINT_HEIGHT_PX[landscape] * 100 / scale / ROW_PX)
    tallest = max(sheet.tables, key=lambda t: len(t.rows), default=None)
    repeat = sheet.repeat_rows
    if tallest is not None and len(tallest.rows) > rows_per_page // 2 and tallest.bottom > rows_per_page:
        # the table that runs over pages: its header on each (one that ends on the first page runs over none,
        # and its header atop the next would head other tables' rows)
        repeat = (tallest.top, tallest.top)
    elif repeat is not None and not any(t.top == repeat[0] and len(t.rows) > rows_per_page // 2 for t in sheet.tables):
        repeat = None  # a short table's header repeated over another's rows misleads
    page = PRINT_WIDTH[landscape] * 100 / scale

    def start(column: int) -> float:
        return sum(widths.get(c, 8.43) for c in range(1, column))

    columns = None
    if tallest is not None and start(tallest.right + 1) - start(tallest.left) > page:
        # a table wider than the page: all its label columns on every page (Product and Period, not Product alone)
        columns = (tallest.left, tallest.left + label_columns(tallest) - 1)
    blocks = sorted([(t.left, start(t.left), start(t.right + 1)) for t in sheet.tables]
                    + [chart_extent(c, widths) for c in sheet.charts])
    # a page after the first holds less: the repeated label columns come first on it
    later = page - (start(columns[1] + 1) - start(columns[0]) if columns else 0.0)

    def next_page(page_left: float, room: float) -> float:
        """Where the page after one starting at ``page_left`` starts: at the first column that does not fit
        whole on it, as the printer breaks pages between columns."""
        column = 1
        while start(column + 1) <= page_left + room:
            column += 1
        return max(start(column), page_left + 1.0)

    column_breaks: list[int] = []
    page_left, room, pages, cut = 0.0, page, 1, 0
    for column, left, right in blocks:
        while left >= page_left + room:
            page_left, room, pages = next_page(page_left, room), later, pages + 1
        if right > page_left + room and left > page_left and right - left <= later:
            column_breaks.append(column)
            page_left, room, pages = left, later, pages + 1
        cut += right > page_left + room
    edge = max((right for _, _, right in blocks), default=0.0)
    while edge > page_left + room:
        page_left, room, pages = next_page(page_left, room), later, pages + 1
    return _Across(repeat, columns, column_breaks, cut, pages)


def print_setup(sheet: Sheet, one_page: bool = True) -> PrintSetup:
    """How ``sheet`` prints: landscape when it is wider than a portrait page, scaled to the page's width
    down to :data:`MIN_SCALE`, the header of its longest table on every page, and a page break before a
    chart that would otherwise be cut in two. Without ``one_page``, the scale the sheet's width allows, which
    wrapped lines are fitted to (a sheet shrunk to one page later is only narrower on it)."""
    widths = column_widths(sheet)
    edge = content_width(sheet, widths)
    landscape = edge > PRINT_WIDTH[False]
    smallest = FIT_MIN_SCALE if sheet.fit_width else MIN_SCALE
    scale = max(smallest, min(100, int(95 * PRINT_WIDTH[landscape] / edge)))  # 5% to spare: widths are estimates
    # a sheet a little taller than its page (a line or a chart more) prints on one page, a little smaller,
    # rather than leave a last line or the foot of a chart alone on a second page
    tall = content_height(sheet)
    page_tall = PRINT_HEIGHT_PX[landscape] * 100 / scale
    fitting = int(scale * page_tall / tall * 0.95)  # not smaller when even the smallest scale leaves two pages
    if one_page and sheet.one_page and page_tall < tall <= page_tall * ONE_PAGE_FROM and fitting >= smallest:
        scale = fitting
    across = _across(sheet, widths, landscape, scale)
    if edge > PRINT_WIDTH[landscape] * 100 / scale and not across.cut:
        # printed across pages anyway, each table and chart whole on one: as large as keeps them whole, on no more
        # pages across (a plan and the blocks beside it, each a page wide, at about 67% rather than 55%), and a
        # sheet one page tall still one page tall (5% to spare, as above, and room for a repeated header)
        one_tall = tall <= PRINT_HEIGHT_PX[landscape] * 100 / scale
        for larger in range(100, scale, -1):
            spare = _across(sheet, widths, landscape, larger / 0.95)
            if (not spare.cut and spare.pages <= across.pages
                    and (not one_tall or tall + 3 * ROW_PX <= PRINT_HEIGHT_PX[landscape] * 100 / larger * 0.95)):
                scale, across = larger, _across(sheet, widths, landscape, larger)
                break
    elif across.columns is not None:
        # a table wider than a page at any readable scale prints across pages, its label columns on each: as large
        # as prints it on no more pages across (the Recourse summary at 6 x 52 on two pages across at about 70%,
        # not at 55% on the same two), nor cuts more tables and charts
        for larger in range(100, scale, -1):
            spare = _across(sheet, widths, landscape, larger / 0.95)
            if spare.pages <= across.pages and spare.cut <= across.cut:
                scale, across = larger, _across(sheet, widths, landscape, larger)
                break
    repeat, columns, column_breaks = across.repeat, across.columns, across.breaks
    # charts, and tables shorter than a page (title to last row), kept whole on a page; rows measured in
    # pixels, the taller ones (wrapped text, headers) as tall as the sheet makes them
    taller = sorted((row, height * 4 / 3 - ROW_PX) for row, height in sheet.heights.items())

    def y(row: int) -> float:
        """The top of ``row`` in pixels (rows are 20 pixels but for the sheet's own heights)."""
        return (row - 1) * ROW_PX + sum(extra for r, extra in taller if r < row)

    def row_at(px: float, low: int, high: int) -> int:
        """The first row from ``low`` whose top is at ``px`` or below, at most ``high``."""
        while low < high:
            middle = (low + high) // 2
            low, high = (middle + 1, high) if y(middle) < px else (low, middle)
        return low

    # a repeated header takes its own height (a wrapped one, two or three lines) off every page, and a row more
    page_px = PRINT_HEIGHT_PX[landscape] * 100 / scale - (y(repeat[1] + 1) - y(repeat[0]) + ROW_PX if repeat else 0.0)
    # a chart's page starts a row above it: LibreOffice draws its frame's top edge a hair above its first row,
    # a line at the foot of the page before when the break is right at that row
    blocks = [(max(1, _anchor(c.anchor)[0] - 1), c.height_cm * CM_TO_PX + ROW_PX) for c in sheet.charts]
    blocks += [(t.top - (1 if t.title else 0), y(t.bottom + 1) - y(t.top - (1 if t.title else 0)))
               for t in sheet.tables]
    blocks += [(first, y(last + 1) - y(first)) for first, last in sheet.keep]
    breaks: list[int] = []
    page_top, long_until, kept_until = 1, 0, 1
    for top, height in sorted(blocks):
        if height > page_px:  # longer than a page: it runs on, its header repeated; what follows starts a page
            long_until = max(long_until, row_at(y(top) + height, top, top + 10**7))
            continue
        if top >= long_until > 0:  # where the pages of a long table end is the printer's guess: start afresh
            breaks.append(top)
            page_top, long_until = top, 0
            kept_until = row_at(y(top) + height, top, top + 10**7)
            continue
        while y(top) >= y(page_top) + page_px:
            # the page ends about here; a printer that fits a row more would cut the block below in two,
            # so the page ends here for certain (a row early: the last may not fit whole), yet not within
            # a block kept whole on it (a chart's bottom edge would print atop the next page)
            page_top = max(page_top + 1, kept_until, row_at(y(page_top) + page_px, page_top, top) - 1)
            breaks.append(page_top)
        # a block that would be cut starts the next page, unless it starts near this page's top (a break
        # there would leave a page of a few rows, and a block nearly a page tall is cut anyway)
        if y(top) + height > y(page_top) + page_px and y(top) - y(page_top) > page_px / 4:
            breaks.append(top)
            page_top = top
        if y(top) + height <= y(page_top) + page_px:  # kept whole on this page (one cut anyway is not waited for)
            kept_until = max(kept_until, row_at(y(top) + height, top, top + 10**7))
    area = (None if sheet.print_rows is None else
            f"A1:{cell_address(sheet.print_rows, max([*widths, *(t.right for t in sheet.tables), 1]))}")
    return PrintSetup(landscape, scale, repeat, columns, tuple(breaks), tuple(sorted(set(column_breaks))), area)


def _wrapped(sheet: Sheet) -> tuple[list[Text], dict[int, float]]:
    """Long lines wrapped across the columns up to the printed page's width (where nothing else sits in
    their row), their rows made tall enough: no line runs off the page on to an empty one."""
    widths = column_widths(sheet)
    printed = print_setup(sheet, one_page=False)
    page = PRINT_WIDTH[printed.landscape] * 100 / printed.scale * 0.95
    occupied: dict[int, list[int]] = {}
    for t in sheet.texts:
        occupied.setdefault(t.row, []).append(t.column)
    for row in list(occupied):  # only the rows holding text matter: what else sits in them
        for table in sheet.tables:
            if table.top - (1 if table.title else 0) <= row <= table.bottom:  # its title sits just above it
                occupied[row].extend(range(table.left, table.right + 1))
    texts, heights = [], dict(sheet.heights)
    for text in sheet.texts:
        own = widths.get(text.column, 8.43)
        # a text that would run under its neighbour wraps in its own cell
        if (isinstance(text.value, str) and text.column + 1 in occupied.get(text.row, [])
                and TEXT_CHARS * len(text.value) > own + FITS_WITHIN and not text.link):
            lines = math.ceil(TEXT_CHARS * len(text.value) / max(own - 1, 1))
            heights[text.row] = max(heights.get(text.row, 0.0), min(15.0 * lines, MAX_ROW_POINTS))
            texts.append(replace(text, wrap=True))
            continue
        if not (isinstance(text.value, str) and len(text.value) > WRAP_FROM and text.span == 1 and not text.link):
            texts.append(text)
            continue
        others = [c for c in occupied.get(text.row, []) if c > text.column]
        last, width = text.column, widths.get(text.column, 8.43)
        # up to the next table or text in its row, and to the end of the printed page (a column break)
        limit = min([*others, *(c for c in printed.column_breaks if c > text.column)], default=10_000) - 1
        while last < limit and width + widths.get(last + 1, 8.43) <= page - sum(
                widths.get(c, 8.43) for c in range(1, text.column)):
            last += 1
            width += widths.get(last, 8.43)
        if last == text.column:
            texts.append(text)
            continue
        lines = math.ceil(TEXT_CHARS * len(text.value) / width)
        heights[text.row] = max(heights.get(text.row, 0.0), min(15.0 * lines, MAX_ROW_POINTS))
        texts.append(replace(text, span=last - text.column + 1))
    # a row made taller for a wrapped label or line: the texts beside it start at its top too, not at its bottom,
    # and the row is tall enough for them wrapped in their own cells (a value cut off after a line or two reads
    # as a sentence that ends there)
    raised = {t.row for t in texts if t.wrap or t.span > 1}
    texts = [replace(t, wrap=True) if t.row in raised and not t.wrap and t.span == 1 else t for t in texts]
    for text in texts:
        if text.row in raised and text.span == 1 and isinstance(text.value, str):
            lines = math.ceil(TEXT_CHARS * len(text.value) / max(widths.get(text.column, 8.43) - 1, 1))
            heights[text.row] = max(heights.get(text.row, 0.0), min(15.0 * lines, MAX_ROW_POINTS))
    return texts, heights


def _charts_on_the_page(sheet: Sheet) -> list[Chart]:
    """Charts that would print past the page's right edge (at the scale the tables and text need) moved
    below everything else (below the blocks beside a long table, when there are such), side by side as the
    page's width allows: a chart is never cut at the edge."""
    widths = column_widths(sheet)
    without = replace(sheet, charts=[])
    printed = print_setup(without, one_page=False)
    page = PRINT_WIDTH[printed.landscape] * 100 / printed.scale

    def start(column: int) -> float:
        return sum(widths.get(c, 8.43) for c in range(1, column))

    staying, moving = [], []
    edge = max(page, content_width(without, widths))
    for chart in sheet.charts:
        row, column = _anchor(chart.anchor)
        (moving if start(column) + chart_chars(column, chart.width_cm, widths) > edge else staying).append(chart)
    if not moving:
        return list(sheet.charts)
    first = 1
    if printed.repeat_rows is not None:
        # below a table whose header prints atop every page, a page of charts would carry that header with
        # no row under it: the charts go below the blocks beside that table instead, still beside its rows
        long = next(t for t in sheet.tables if t.top == printed.repeat_rows[0])
        beside = [t.left for t in sheet.tables if t.left > long.right] + [
            _anchor(c.anchor)[1] for c in staying if _anchor(c.anchor)[1] > long.right]
        first = min(beside, default=1)
    bottom = max([t.bottom for t in sheet.tables if t.right >= first]
                 + [t.row for t in sheet.texts if t.column >= first]
                 + [_anchor(c.anchor)[0] + math.ceil(c.height_cm * CM_TO_PX / ROW_PX) for c in staying
                    if _anchor(c.anchor)[1] >= first] + [1])
    row, used, tallest = bottom + 2, start(first), 0
    placed = list(staying)
    for chart in moving:
        column = first
        while start(column) < used:
            column += 1
        if used > start(first) and start(column) + chart_chars(column, chart.width_cm, widths) - start(first) > page:
            row, used, tallest, column = row + tallest + 1, start(first), 0, first
        placed.append(replace(chart, anchor=cell_address(row, column)))
        used = start(column) + chart_chars(column, chart.width_cm, widths)  # the next may start where it ends
        tallest = max(tallest, math.ceil(chart.height_cm * CM_TO_PX / ROW_PX))
    return placed


LINE_POINTS = 15.0
"""A line of text, in points: the height a wrapped row gets for each of its lines."""
CHAR_WIDTHS = {" ": .5, "a": .96, "b": 1.0, "c": .86, "d": 1.0, "e": .97, "f": .55, "g": 1.0, "h": 1.0, "i": .44,
               "j": .44, "k": .91, "l": .44, "m": 1.53, "n": 1.0, "o": .96, "p": 1.0, "q": 1.0, "r": .65, "s": .82,
               "t": .62, "u": 1.0, "v": .93, "w": 1.29, "x": .93, "y": .93, "z": .82, ".": .5, ",": .5, ":": .53,
               ";": .53, "-": .57, "(": .61, ")": .61, "'": .43, "/": .53, "!": .6, "I": .45, "J": .45}
"""Characters' widths in column width units (a digit's width), as the sans-serif fonts print them: running text
is mostly narrower than digits, and counting each letter as a digit plans a wrapped row a line or two too tall."""
WIDE = 1.1
"""A capital letter's width (or another character's not listed), in column width units."""
WRAP_MARGIN = 0.02
"""The share of a wrapped column's width kept spare: the widths above are estimates, and a line planned too
short for its text draws the text's last line over the next row, where one planned too long leaves a blank."""


def text_width(text: str) -> float:
    """How many column width units ``text`` takes on one line."""
    return sum(CHAR_WIDTHS.get(ch, WIDE if ch.isupper() else 1.0) for ch in text)


def wrapped_lines(text: str, width: float) -> int:
    """How many lines ``text`` takes wrapped at spaces in a column ``width`` units wide (a word longer than the
    line is broken across lines)."""
    room, space, lines = width * (1 - WRAP_MARGIN), CHAR_WIDTHS[" "], 0
    for paragraph in text.split("\n"):
        used = None
        for word in paragraph.split():
            size = text_width(word)
            if used is not None and used + space + size <= room:
                used += space + size
                continue
            extra = max(math.ceil(size / room), 1)  # a word wider than the line takes lines of its own
            lines += extra
            used = size - (extra - 1) * room
        lines += used is None  # an empty line is a line
    return max(lines, 1)


def _table_heights(tables: list[Table], heights: dict[int, float]) -> dict[int, float]:
    """Rows as tall as their wrapped text: a header on several lines, a wrapped column's long cells (not
    every application fits a row to wrapped text on opening, and the printed pages are planned with them)."""
    taller = dict(heights)

    def need(row: int, lines: int) -> None:
        if lines > 1:
            taller[row] = max(taller.get(row, 0.0), min(LINE_POINTS * lines, MAX_ROW_POINTS))

    for table in tables:
        need(table.top, max((math.ceil(1.1 * len(c.header) / max(c.width - 1, 1)) for c in table.columns),
                            default=1))
        wrapped = [j for j, column in enumerate(table.columns) if column.wrap]
        if wrapped:
            for i, row in enumerate(table.rows):
                need(table.top + 1 + i, max(wrapped_lines(str(row[j]), table.columns[j].width) for j in wrapped))
    return taller


def presented(sheet: Sheet) -> Sheet:
    """A copy of ``sheet`` with the presentation rules applied (the writers draw this, never the original)."""
    tables = [replace(t, columns=list(t.columns), cell_formats=dict(t.cell_formats)) for t in sheet.tables]
    for table in tables:
        present_table(table)
    _last_column_wraps(tables)
    shown = replace(sheet, tables=tables, texts=[present_text(t) for t in sheet.texts],
                    heights=_table_heights(tables, sheet.heights))
    shown.charts = _charts_on_the_page(shown)
    _clear_of_repeated_columns(shown)
    shown.texts, shown.heights = _wrapped(shown)
    return shown


TEXT_SIZES = {"heading": 15 / 11 * 1.1, "subheading": 12 / 11 * 1.1, "good": 1.1, "bad": 1.1, "label": 1.1}
"""A style's characters' widths against the body text's (its font's size, and bold)."""


def _clear_of_repeated_columns(sheet: Sheet) -> None:
    """The lines above a table printed across pages, its label columns repeated on each, start after those
    columns when they are wider than them: the pages after the first print the label columns' cells of every
    row, these lines' included, and would cut a line there ("syn: optimal; expected c"). The sheet's title,
    when it fits within them, stays, and names each page."""
    printed = print_setup(sheet, one_page=False)
    if printed.repeat_columns is None:
        return
    first, last = printed.repeat_columns
    widths = column_widths(sheet)
    room = sum(widths.get(c, 8.43) for c in range(first, last + 1))
    wide = next(t for t in sheet.tables if t.left == first and t.top == (printed.repeat_rows or (t.top,))[0])
    above = wide.top - (1 if wide.title else 0)

    def cut(column: int, value: Any, style: str) -> bool:
        start = sum(widths.get(c, 8.43) for c in range(first, column))
        return first <= column <= last and start + text_width(str(value)) * TEXT_SIZES.get(style, 1.0) > room

    sheet.texts = [replace(t, column=last + 1) if t.row < above and cut(t.column, t.value, t.style) else t
                   for t in sheet.texts]
    if wide.title and cut(wide.left, wide.title, "subheading"):
        sheet.texts.append(Text(wide.top - 1, last + 1, wide.title, "subheading"))
        sheet.tables[sheet.tables.index(wide)] = replace(wide, title=None)
