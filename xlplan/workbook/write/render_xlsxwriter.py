"""Draw sheet layouts with XlsxWriter: values, formats, Excel Tables, names, charts, buttons.

XlsxWriter writes new files only, which is all xlplan needs: the template and examples are new
files, and output sheets are drawn into a workbook of their own and spliced into the planner's
(see ``package.py``). Files come out byte for byte the same for the same layouts.
"""

from __future__ import annotations

import io
from collections.abc import Collection
from datetime import datetime
from typing import Any

import xlsxwriter
from xlsxwriter.workbook import Workbook
from xlsxwriter.worksheet import Worksheet

from xlplan.workbook.addresses import quote_sheet
from xlplan.workbook.sheets.layout import (
    CM_TO_PX,
    GENERAL,
    Button,
    Chart,
    Formula,
    Sheet,
    Table,
    presented,
    print_setup,
)

ACCENT = "#1F4E79"
FIXED_TIME = datetime(2026, 1, 1)
STYLES: dict[str, dict[str, Any]] = {
    "heading": {"bold": True, "font_size": 15, "font_color": ACCENT},
    "subheading": {"bold": True, "font_size": 12, "font_color": ACCENT},
    "note": {"italic": True, "font_color": "#595959"},
    "label": {"bold": True},
    "label_right": {"bold": True, "align": "right"},
    "value": {"align": "left"},
    "number": {"align": "right"},
    "unit": {"italic": True, "font_size": 9, "font_color": "#808080"},
    "good": {"bold": True, "font_color": "#2E7D32"},
    "bad": {"bold": True, "font_color": "#C62828"},
    # at the top of its row, beside a description wrapped over two lines (the Start sheet's input sheets)
    "link": {"font_color": "#0563C1", "underline": 1, "valign": "top"},
    "header": {"bold": True, "font_color": "#FFFFFF", "bg_color": ACCENT, "text_wrap": True, "valign": "vcenter"},
    "cell": {"valign": "top"},
    "wrapped": {"text_wrap": True, "valign": "top"},
}
STYLES.update({f"{name} wrap": {**style, "text_wrap": True, "valign": "top"} for name, style in tuple(STYLES.items())})
STYLES.update({f"{name} right": {**style, "align": "right"} for name, style in tuple(STYLES.items())})
# an indent shows only on left-aligned cells (LibreOffice ignores it on the general alignment of text)
STYLES.update({f"{name} indent": {"align": "left", **style, "indent": 1} for name, style in tuple(STYLES.items())
               if not name.endswith("right")})


class Formats:
    """One XlsxWriter format per (style, number format), made on first use."""

    def __init__(self, book: Workbook):
        self.book = book
        self.made: dict[tuple[str, str], Any] = {}

    def __call__(self, style: str, number_format: str = GENERAL) -> Any:
        key = (style, number_format)
        if key not in self.made:
            properties = dict(STYLES[style])
            if number_format != GENERAL:
                properties["num_format"] = number_format
            self.made[key] = self.book.add_format(properties)
        return self.made[key]


def _write(ws: Worksheet, row: int, column: int, value: Any, cell_format: Any) -> None:
    """Write one cell (0-based)."""
    if isinstance(value, Formula):
        ws.write_formula(row, column, value.expression, cell_format, "" if value.value is None else value.value)
    elif value is None:
        ws.write_blank(row, column, None, cell_format)
    elif isinstance(value, str):
        ws.write_string(row, column, value, cell_format)  # text that looks like a formula stays text
    else:
        ws.write(row, column, value, cell_format)


def _table(book: Workbook, ws: Worksheet, sheet_name: str, table: Table, formats: Formats,
           widths: dict[int, float]) -> None:
    if table.title:
        ws.write_string(table.top - 2, table.left - 1, table.title, formats("subheading"))
    top, left = table.top - 1, table.left - 1
    for j, column in enumerate(table.columns):
        widths[left + j] = max(widths.get(left + j, 0), column.width)
    def header(j: int) -> Any:
        return formats("header right" if j in table.right_headers else
                       "header indent" if j in table.indented else "header")

    if table.table_name:
        ws.add_table(top, left, top + max(len(table.rows), 1), left + len(table.columns) - 1, {
            "name": table.table_name, "style": "Table Style Medium 2", "autofilter": True,
            "columns": [{"header": c.header, "header_format": header(j)} for j, c in enumerate(table.columns)],
        })
    else:
        for j, column in enumerate(table.columns):
            ws.write_string(top, left + j, column.header, header(j))
    for i, row in enumerate(table.rows):  # rows as tall as their wrapped text: the sheet's heights (presented)
        for j, value in enumerate(row):
            number_format = table.cell_formats.get((i, j), table.columns[j].number_format)
            style = ("wrapped" if table.columns[j].wrap else "cell") + (
                " indent" if j in table.indented else
                # a word in a column of numbers ("no end") sits under the header, as they do
                " right" if j in table.right_headers and isinstance(value, str) else "")
            _write(ws, top + 1 + i, left + j, value, formats(style, number_format))
    if table.defined_name:  # a plain range, which every engine reads; readers follow the table as it grows
        book.define_name(table.defined_name, f"={quote_sheet(sheet_name)}!{table.ref_absolute()}")
    if table.flag_columns:
        rows = table.flag_rows if table.flag_rows is not None else range(len(table.rows))
        for j in table.flag_columns:
            for i in rows:
                ws.data_validation(top + 1 + i, left + j, top + 1 + i, left + j, {
                    "validate": "list", "source": ["Yes", "No"], "error_title": "Yes or No",
                    "error_message": "Choose Yes or No from the list."})


def _fixed(low: float | None, high: float | None, step: float | None) -> dict[str, object]:
    """An axis' bounds and label step, where the layout fixes them (the application chooses the rest)."""
    return {key: value for key, value in (("min", low), ("max", high), ("major_unit", step)) if value is not None}


CHART_INSET_PX = 2
"""Pixels a chart is drawn right of its anchor cell's left edge."""


def _chart(book: Workbook, ws: Worksheet, chart: Chart) -> None:
    subtype = {"stacked": {"type": "column", "subtype": "stacked"}, "bar": {"type": "bar"},
               "line": {"type": "line"}, "column": {"type": "column"},
               "scatter": {"type": "scatter", "subtype": "straight_with_markers"}}[chart.kind]
    primary = book.add_chart(subtype)
    overlay = (book.add_chart({"type": "line"})
               if chart.kind not in ("line", "scatter") and any(s.kind == "line" for s in chart.series) else None)
    for series in chart.series:
        target = overlay if overlay is not None and series.kind == "line" else primary
        # a title from a cell; a literal title starting with '=' would be taken for a formula
        name = "=" + series.title_cell if series.title_cell else series.title.lstrip("=")
        target.add_series({"name": name, "categories": "=" + chart.categories,
                           "values": "=" + series.values,
                           "marker": {"type": "circle"} if chart.kind == "scatter" else {"type": "none"}})
    if overlay is not None:
        primary.combine(overlay)
    primary.set_title({"name": chart.title.lstrip("="), "name_font": {"size": 12}})
    x_axis: dict[str, object] = {"name": chart.x_title} if chart.x_title else {}
    if chart.x_format is not None:
        x_axis["num_format"] = chart.x_format
    x_axis |= _fixed(chart.x_min, chart.x_max, chart.x_step)
    if chart.x_label_every is not None:
        x_axis["interval_unit"] = chart.x_label_every
    primary.set_x_axis(x_axis)
    y_axis: dict[str, object] = {"name": chart.y_title, "num_format": chart.y_format,
                                 "major_gridlines": {"visible": True}, **_fixed(chart.y_min, chart.y_max, chart.y_step)}
    primary.set_y_axis(y_axis)
    if overlay is not None:  # the overlaid lines share the bars' axis, from the same zero
        overlay.set_y_axis({key: value for key, value in y_axis.items() if key in ("min", "max")})
    primary.set_legend({"position": "bottom"})
    primary.set_size({"width": chart.width_cm * CM_TO_PX, "height": chart.height_cm * CM_TO_PX})
    # a hair inside its first column: LibreOffice draws the frame's left edge a hair left of it, a sliver on the
    # page before when the page breaks at that column
    ws.insert_chart(chart.anchor, primary, {"x_offset": CHART_INSET_PX})


def render_sheet(book: Workbook, sheet: Sheet, formats: Formats) -> Worksheet:
    """Draw ``sheet`` as a new worksheet of ``book``, by the presentation rules (``layout.presented``)."""
    sheet = presented(sheet)
    ws = book.add_worksheet(sheet.name)
    widths = {column - 1: width for column, width in sheet.widths.items()}
    for table in sheet.tables:
        _table(book, ws, sheet.name, table, formats, widths)
    for column, width in widths.items():  # a column shared by several tables takes the widest
        ws.set_column(column, column, width)
    for text in sheet.texts:
        cell_format = formats(text.style, text.number_format)
        if text.wrap:
            cell_format = formats(f"{text.style} wrap", text.number_format)
        if text.span > 1:  # a long line wrapped over the columns it may use
            cell_format = formats(f"{text.style} wrap", text.number_format)
            ws.merge_range(text.row - 1, text.column - 1, text.row - 1, text.column + text.span - 2, "", cell_format)
            _write(ws, text.row - 1, text.column - 1, text.value, cell_format)
        elif text.link:
            ws.write_url(text.row - 1, text.column - 1, f"internal:{text.link}", cell_format, str(text.value))
        else:
            _write(ws, text.row - 1, text.column - 1, text.value, cell_format)
    for chart in sheet.charts:
        _chart(book, ws, chart)
    for button in sheet.buttons:
        _button(ws, sheet.name, button)
    for name, reference in sheet.names.items():
        book.define_name(name, f"={quote_sheet(sheet.name)}!{reference}")
    for cell, options in sheet.choices.items():
        ws.data_validation(cell, {"validate": "list", "source": list(options)})
    if sheet.freeze:
        ws.freeze_panes(sheet.freeze)
    if sheet.tab_color:
        ws.set_tab_color("#" + sheet.tab_color)
    for row, height in sheet.heights.items():
        ws.set_row(row - 1, height)
    printed = print_setup(sheet)
    if printed.landscape:
        ws.set_landscape()
    ws.set_print_scale(printed.scale)
    if printed.repeat_rows:
        ws.repeat_rows(printed.repeat_rows[0] - 1, printed.repeat_rows[1] - 1)
    if printed.repeat_columns:
        ws.repeat_columns(printed.repeat_columns[0] - 1, printed.repeat_columns[1] - 1)
    if printed.across_then_down:
        ws.print_across()
    if printed.row_breaks:
        ws.set_h_pagebreaks([row - 1 for row in printed.row_breaks])
    if printed.column_breaks:
        ws.set_v_pagebreaks([column - 1 for column in printed.column_breaks])
    if printed.area:
        ws.print_area(printed.area)
    return ws


def _button(ws: Worksheet, sheet_name: str, button: Button) -> None:
    if button.macro is not None:
        ws.insert_button(button.cell, {"macro": button.macro, "caption": button.caption, "width": button.width,
                                       "height": button.height})
        return
    ws.insert_textbox(button.cell, button.caption, {
        "url": f"internal:{quote_sheet(sheet_name)}!{button.cell}", "tip": button.caption,
        "width": button.width, "height": button.height, "fill": {"color": ACCENT},
        "line": {"color": ACCENT}, "font": {"color": "white", "bold": True, "size": 11},
        "align": {"vertical": "middle", "horizontal": "center"}})


def new_workbook(target: str | io.BytesIO, *, title: str = "", vba_project: str | None = None
                 ) -> tuple[Workbook, Formats]:
    """An XlsxWriter workbook writing to ``target`` (a path or a BytesIO), with fixed metadata so
    the same content gives the same bytes; with ``vba_project`` (a vbaProject.bin), an .xlsm."""
    book = xlsxwriter.Workbook(target, {"in_memory": True})
    book.set_properties({"created": FIXED_TIME, "author": "xlplan", "title": title})
    if vba_project is not None:
        book.add_vba_project(vba_project)
        book.set_vba_name("ThisWorkbook")
    return book, Formats(book)


def render_workbook(target: str | io.BytesIO, sheets: list[Sheet], *, title: str = "",
                    vba_project: str | None = None, hidden: Collection[str] = ()) -> None:
    """Write ``sheets`` as a new workbook to ``target`` (an .xlsm with ``vba_project``); the sheets named in
    ``hidden`` are hidden (settings a program reads, not a planner: neither shown nor printed)."""
    book, formats = new_workbook(target, title=title, vba_project=vba_project)
    for sheet in sheets:
        worksheet = render_sheet(book, sheet, formats)
        if sheet.name in hidden:
            worksheet.hide()
    book.close()
