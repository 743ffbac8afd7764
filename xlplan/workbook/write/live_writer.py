"""Writing into a live workbook through xlwings' ``xw.Book``: the very sheet layouts the file writer draws.

``LiveWriter`` works on any xlwings engine: desktop Excel (``Book.caller()``), xlwings Lite (the
``book`` argument), and xlwings' remote and calamine engines in the tests. Where an engine lacks a
feature (Excel Tables, charts, freeze panes on some), the values and formats are still written and
the feature is skipped.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime
from typing import Any

import xlwings as xw
from openpyxl.utils import range_boundaries

from xlplan.problem.numbers import finite_or_none
from xlplan.workbook.addresses import quote_sheet, sheet_of
from xlplan.workbook.read.live_source import OPTIONAL
from xlplan.workbook.sheets.layout import GENERAL, Chart, Formula, Sheet, Table, Text, presented, print_setup
from xlplan.workbook.sheets.start_sheet import START
from xlplan.workbook.write.markers import is_marker, marker_names, refuse_clashes

ACCENT = (31, 78, 121)
WHITE = (255, 255, 255)
FONT_COLOURS = {"heading": ACCENT, "subheading": ACCENT, "note": (89, 89, 89), "unit": (128, 128, 128),
                "good": (46, 125, 50), "bad": (198, 40, 40), "link": (5, 99, 193)}
CHART_TYPES = {"column": "column_clustered", "stacked": "column_stacked", "bar": "bar_clustered", "line": "line",
               "scatter": "xy_scatter_lines"}
POINTS_PER_CM = 28.35
RIGHT, LANDSCAPE, PORTRAIT = -4152, 2, 1
"""Excel's xlRight, xlLandscape and xlPortrait."""
OVER_THEN_DOWN = 2
"""Excel's xlOverThenDown: pages numbered across, then down."""
CATEGORY_AXIS, VALUE_AXIS, LEGEND_AT_BOTTOM = 1, 2, -4107
"""Excel's xlCategory and xlValue (a scatter chart's x axis is its category axis), xlLegendPositionBottom."""


FORMULA_LEADS = ("=", "+", "-", "@")
"""What makes Excel read typed text as a formula (OWASP's CSV / formula injection)."""


def _cell(value: Any) -> Any:
    """A layout value as xlwings writes it: formulas as text, numpy numbers as Python numbers."""
    if isinstance(value, Formula):
        return value.expression
    if isinstance(value, str) and value.startswith(FORMULA_LEADS):
        return "'" + value  # Excel's mark for text: a label such as '=1+1' or '-5%' stays as typed
    value = finite_or_none(value)
    if isinstance(value, (datetime, date)) and getattr(value, "tzinfo", None) is not None:
        return value.replace(tzinfo=None)
    return value


def _try(action, *args: Any, **kwargs: Any) -> Any:
    try:
        return action(*args, **kwargs)
    except OPTIONAL:
        return None


class LiveWriter:
    """Writes output sheets into a live workbook, replacing xlplan's earlier ones only when done."""

    def __init__(self, book: xw.Book):
        self.book = book

    # -------------------------------------------------------------- bookkeeping
    def recorded_outputs(self) -> list[str]:
        recorded = []
        for name in self.book.names:
            if is_marker(name.name):
                sheet = _sheet_of_name(name)
                if sheet is not None:
                    recorded.append(sheet)
        return recorded

    def _sheet_names(self) -> list[str]:
        return [s.name for s in self.book.sheets]

    def write(self, sheets: list[Sheet], retire: Iterable[str] = (), as_outputs: bool = True) -> None:
        """Draw ``sheets``, then swap them in for xlplan's sheets of the same names (and remove its
        sheets named in ``retire``). A sheet of the planner's with an output name is never touched.
        With ``as_outputs`` False the sheets become the planner's (input sheets): never replaced or cleared."""
        owned = set(self.recorded_outputs())
        redrawn = [s for s in sheets if s.name == START and START in self._sheet_names()]
        sheets = [s for s in sheets if s not in redrawn]
        names = [s.name for s in sheets]
        refuse_clashes(names, self._sheet_names(), owned)
        drafts = []
        try:
            for k, layout in enumerate(sheets):
                draft = self.book.sheets.add(name=f"xlplan new {k + 1}", after=self.book.sheets[-1])
                drafts.append(draft)
                self.render(draft, layout)
        except BaseException:
            for draft in drafts:
                _try(draft.delete)
            raise
        leaving = owned & (set(names) | set(retire))
        staying = [n for n in self._sheet_names() if n in owned - leaving]
        # names go before their sheets: not every engine can delete a name whose sheet is gone
        defined = {table.defined_name for layout in sheets for table in layout.tables if table.defined_name}
        for name in list(self.book.names):
            if is_marker(name.name) or name.name in defined or _sheet_of_name(name) in leaving:
                name.delete()
        for sheet in list(self.book.sheets):
            if sheet.name in leaving:
                sheet.delete()
        for draft, layout in zip(drafts, sheets):
            draft.name = layout.name
        for name, reference in marker_names(staying + (names if as_outputs else [])).items():
            self.book.names.add(name, f"={reference}")
        for layout in sheets:
            for table in layout.tables:
                if table.defined_name:
                    self.book.names.add(table.defined_name, f"={quote_sheet(layout.name)}!{table.ref_absolute()}")
        for layout in redrawn:  # the dashboard, drawn again where it is: its buttons (shapes) stay
            ws = self.book.sheets[layout.name]
            ws.clear_contents()  # the Action cell's drop-down (its validation) stays
            self.render(ws, layout)

    # -------------------------------------------------------------- drawing
    def render(self, ws: xw.Sheet, layout: Sheet) -> None:
        layout = presented(layout)  # the presentation rules, as the file writer applies them
        widths = dict(layout.widths)
        for table in layout.tables:
            self._table(ws, table, widths)
        for column, width in widths.items():
            _try(setattr, ws.range((1, column)), "column_width", width)
        for text in layout.texts:
            self._text(ws, text)
        for chart in layout.charts:
            self._chart(ws, chart)
        if layout.freeze:
            _try(ws.freeze_panes.freeze_at, layout.freeze)
        for row, height in layout.heights.items():
            _try(setattr, ws.range((row, 1)), "row_height", height)
        self._page_setup(ws, layout)

    @staticmethod
    def _page_setup(ws: xw.Sheet, layout: Sheet) -> None:
        """Excel's page setup, as the file writer's; engines without one (Lite) print without it."""
        printed = print_setup(layout)

        def apply() -> None:
            setup = ws.api.PageSetup
            setup.Orientation = LANDSCAPE if printed.landscape else PORTRAIT
            setup.Zoom = printed.scale
            if printed.repeat_rows:
                setup.PrintTitleRows = f"${printed.repeat_rows[0]}:${printed.repeat_rows[1]}"
            if printed.repeat_columns:
                first, last = (ws.range((1, c)).address.split("$")[1] for c in printed.repeat_columns)
                setup.PrintTitleColumns = f"${first}:${last}"
            if printed.across_then_down:
                setup.Order = OVER_THEN_DOWN
            for row in printed.row_breaks:
                ws.api.HPageBreaks.Add(ws.range((row, 1)).api)
            for column in printed.column_breaks:
                ws.api.VPageBreaks.Add(ws.range((1, column)).api)
            if printed.area:
                setup.PrintArea = printed.area

        _try(apply)

    def _text(self, ws: xw.Sheet, text: Text) -> None:
        cell = ws.range((text.row, text.column))
        if text.wrap:
            _try(setattr, cell, "wrap_text", True)
        if text.span > 1:  # a long line wrapped over the columns it may use
            across = ws.range((text.row, text.column), (text.row, text.column + text.span - 1))
            _try(across.merge)
            _try(setattr, across, "wrap_text", True)
        if text.link:
            _try(cell.add_hyperlink, f"#{text.link}", str(text.value))
        else:
            cell.value = _cell(text.value)
        if text.number_format != GENERAL:
            cell.number_format = text.number_format
        if text.style in ("heading", "subheading", "label", "label_right", "good", "bad"):
            _try(setattr, cell.font, "bold", True)
        if text.style in ("label_right", "number"):
            _try(lambda: setattr(cell.api, "HorizontalAlignment", RIGHT))
        if text.style in ("note", "unit"):
            _try(setattr, cell.font, "italic", True)
        if text.style == "heading":
            _try(setattr, cell.font, "size", 15)
        if text.style in FONT_COLOURS:
            _try(setattr, cell.font, "color", FONT_COLOURS[text.style])

    def _table(self, ws: xw.Sheet, table: Table, widths: dict[int, float]) -> None:
        if table.title:
            title = ws.range((table.top - 1, table.left))
            title.value = _cell(table.title)
            _try(setattr, title.font, "bold", True)
            _try(setattr, title.font, "color", ACCENT)
        rows = [[_cell(c.header) for c in table.columns]] + [[_cell(v) for v in row] for row in table.rows]
        ws.range((table.top, table.left)).value = rows
        header = ws.range((table.top, table.left), (table.top, table.right))
        _try(setattr, header, "color", ACCENT)
        _try(setattr, header.font, "bold", True)
        _try(setattr, header.font, "color", WHITE)
        for j in (*table.right_headers, *table.indented):  # Excel's own alignment; other engines keep theirs
            cells = ws.range((table.top, table.left + j), (max(table.bottom, table.top), table.left + j))
            if j in table.right_headers:
                # the whole column: a word among its numbers ("no end") sits under the header, as they do
                _try(lambda cells=cells: setattr(cells.api, "HorizontalAlignment", RIGHT))
            else:
                _try(lambda cells=cells: setattr(cells.api, "IndentLevel", 1))
        for j, column in enumerate(table.columns):
            widths[table.left + j] = max(widths.get(table.left + j, 0), column.width)
            if column.wrap and table.rows:
                _try(setattr, ws.range((table.top + 1, table.left + j), (table.bottom, table.left + j)), "wrap_text",
                     True)
            if column.number_format != GENERAL and table.rows:
                ws.range((table.top + 1, table.left + j), (table.bottom, table.left + j)).number_format = \
                    column.number_format
        for (i, j), number_format in table.cell_formats.items():
            ws.range((table.top + 1 + i, table.left + j)).number_format = number_format
        if table.table_name:
            whole = ws.range((table.top, table.left), (max(table.bottom, table.top + 1), table.right))
            _try(ws.tables.add, source=whole, name=table.table_name, table_style_name="TableStyleMedium2")

    def _chart(self, ws: xw.Sheet, chart: Chart) -> None:
        """Series must sit in adjacent columns of the same rows (the layouts keep them so)."""
        columns = [_columns(s.values) for s in chart.series]
        sheet_part, first, last = columns[0]
        if any(c[0] != sheet_part for c in columns) or [c[1] for c in columns] != list(
                range(first, first + len(columns))):
            return
        rows = _rows(chart.series[0].values)
        source = ws.range((rows[0], first), (rows[1], first + len(columns) - 1))
        made = _try(ws.charts.add, anchor=ws.range(chart.anchor), width=chart.width_cm * POINTS_PER_CM,
                    height=chart.height_cm * POINTS_PER_CM, chart_type=CHART_TYPES[chart.kind], source=source,
                    plot_by="columns")
        if made is None:
            return
        _try(made.set_x_axis_values, ws.range(_address(chart.categories)))
        _try(setattr, made, "title", chart.title.lstrip("="))
        for k, series in enumerate(chart.series):
            handle = _try(lambda k=k: made.series[k])
            if handle is None:
                continue
            # from the label's cell where there is one: Excel takes a name starting with '=' for a formula
            _try(setattr, handle, "name", "=" + series.title_cell if series.title_cell else series.title.lstrip("="))
            if chart.kind == "column" and series.kind == "line":
                _try(setattr, handle, "chart_type", "line")
        excel_chart = _excel_chart(made)
        if excel_chart is not None:
            _try(_apply_axes, excel_chart, chart)


def _excel_chart(made: xw.Chart) -> Any:
    """Desktop Excel's ``Chart`` object behind an xlwings chart; None on engines without one."""
    try:
        return made.api[1]
    except (*OPTIONAL, KeyError, IndexError, TypeError):  # each engine says "no object model" its own way
        return None


def axis_settings(chart: Chart) -> list[tuple[int, str, Any]]:
    """The chart's axes as Excel's object model names them: (axis, property, value), only what the layout
    fixes (the file writer applies the same through XlsxWriter), so a live chart spans the same range."""
    settings: list[tuple[int, str, Any]] = []
    for axis, low, high, step, number_format, title in (
            (CATEGORY_AXIS, chart.x_min, chart.x_max, chart.x_step, chart.x_format, chart.x_title),
            (VALUE_AXIS, chart.y_min, chart.y_max, chart.y_step, chart.y_format, chart.y_title)):
        for name, value in (("MinimumScale", low), ("MaximumScale", high), ("MajorUnit", step),
                            ("TickLabels.NumberFormat", number_format), ("AxisTitle.Text", title or None)):
            if value is not None:
                settings.append((axis, name, value))
    if chart.x_label_every is not None:
        settings.append((CATEGORY_AXIS, "TickLabelSpacing", chart.x_label_every))
    return settings


def _apply_axes(excel_chart: Any, chart: Chart) -> None:
    """Desktop Excel's chart (``ChartObject.Chart``); engines without one (Lite, remote) keep their own axes."""
    for axis, name, value in axis_settings(chart):
        target = excel_chart.Axes(axis)
        if name == "AxisTitle.Text":
            target.HasTitle = True
        *path, leaf = name.split(".")
        for step in path:
            target = getattr(target, step)
        _try(setattr, target, leaf, value)
    excel_chart.Legend.Position = LEGEND_AT_BOTTOM


def _sheet_of_name(name: xw.Name) -> str | None:
    """The sheet a workbook name refers to; None for a name that no longer refers to one."""
    try:
        return sheet_of(name.refers_to)
    except Exception:  # noqa: BLE001 - a name left pointing at a deleted sheet fails differently per engine
        return None


def _address(reference: str) -> str:
    """``Sheet!$C$6:$C$17`` -> ``C6:C17``."""
    return reference.rsplit("!", 1)[-1].replace("$", "")


def _columns(reference: str) -> tuple[str, int, int]:
    min_col, _, max_col, _ = range_boundaries(_address(reference))
    return reference.rsplit("!", 1)[0], min_col, max_col


def _rows(reference: str) -> tuple[int, int]:
    _, min_row, _, max_row = range_boundaries(_address(reference))
    return min_row, max_row
