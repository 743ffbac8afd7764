"""xlwings' remote engine in the tests: a workbook as the payload its clients send, and a replay
of the actions the engine records, so the live adapter can be run without Excel.

The payload format follows xlwings' own tests (``tests/test_engines``) and its client
(``js/xlwings.ts``): names arrive resolved to addresses, sheets with their values and tables.
The remote engine is licensed PolyForm Noncommercial: the tests set XLWINGS_LICENSE_KEY for it;
xlplan's runtime never needs it.
"""

from __future__ import annotations

import copy
import datetime as dt
from pathlib import Path
from typing import Any

import openpyxl
import xlwings as xw
from openpyxl.utils import get_column_letter, range_boundaries

from xlplan.workbook.read.file_source import FileSource


def _json(value: Any) -> Any:
    if value is None:
        return ""
    if isinstance(value, dt.datetime):
        return value.strftime("%Y-%m-%dT%H:%M:%S.000Z")
    return value


def payload(path: Path, active_sheet: str | None = None) -> dict[str, Any]:
    """What an xlwings client sends for the workbook at ``path``."""
    book = openpyxl.load_workbook(path, data_only=True)
    source = FileSource(path)
    sheets = []
    for ws in book.worksheets:
        rows = [[_json(v) for v in row] for row in ws.iter_rows(values_only=True)]
        tables = []
        for table in ws.tables.values():
            min_col, min_row, max_col, max_row = range_boundaries(table.ref)
            first, last = get_column_letter(min_col), get_column_letter(max_col)
            tables.append({
                "name": table.name, "range_address": table.ref,
                "header_row_range_address": f"{first}{min_row}:{last}{min_row}",
                "data_body_range_address": f"{first}{min_row + 1}:{last}{max_row}",
                "total_row_range_address": None, "show_headers": True, "show_totals": False,
                "table_style": table.tableStyleInfo.name if table.tableStyleInfo else None,
                "show_autofilter": True,
            })
        sheets.append({"name": ws.title, "values": rows or [[]], "pictures": [], "tables": tables})
    names = []
    for name in book.defined_names:
        bounds = source._bounds(name, str(book.defined_names[name].attr_text))
        if not isinstance(bounds, tuple):
            continue
        sheet, (min_col, min_row, max_col, max_row) = bounds
        address = f"{get_column_letter(min_col)}{min_row}"
        if (min_col, min_row) != (max_col, max_row):
            address += f":{get_column_letter(max_col)}{max_row}"
        names.append({"name": name, "sheet_index": book.sheetnames.index(sheet), "address": address,
                      "scope_sheet_name": None, "scope_sheet_index": None, "book_scope": True})
    active = book.sheetnames.index(active_sheet) if active_sheet else 0
    return {"client": "Microsoft Office Scripts", "version": xw.__version__,
            "book": {"name": path.name, "active_sheet_index": active, "selection": "A1"},
            "names": names, "sheets": sheets}


def remote_book(book_payload: dict[str, Any]) -> xw.Book:
    """A remote-engine book of the payload (given a copy: the engine updates what it is given)."""
    return xw.Book(json=copy.deepcopy(book_payload))


def replay(book_payload: dict[str, Any], actions: list[dict[str, Any]]) -> dict[str, dict[tuple[int, int], Any]]:
    """Apply recorded actions to the payload's sheets: sheet name -> {(row, column): value}."""
    sheets = [[s["name"], {(r + 1, c + 1): v for r, row in enumerate(s["values"]) for c, v in enumerate(row)
                           if v not in ("", None)}] for s in book_payload["sheets"]]
    for action in actions:
        func, args, position = action["func"], action["args"], action["sheet_position"]
        if func == "addSheet":
            sheets.insert(args[0], [args[1], {}])
        elif func == "sheetDelete":
            del sheets[position]
        elif func == "setSheetName":
            sheets[position][0] = args[0]
        elif func == "setValues":
            for i, row in enumerate(action["values"]):
                for j, value in enumerate(row):
                    sheets[position][1][(action["start_row"] + i + 1, action["start_column"] + j + 1)] = value
    return {name: cells for name, cells in sheets}
