"""Reading named ranges from an .xlsx / .xlsm file with openpyxl (no Excel needed)."""

from __future__ import annotations

import re
import zipfile
from pathlib import Path
from typing import Any

import openpyxl
from openpyxl.utils import column_index_from_string, range_boundaries
from openpyxl.utils.exceptions import InvalidFileException
from openpyxl.workbook.workbook import Workbook
from openpyxl.worksheet.formula import ArrayFormula

from xlplan.problem.tables import UnreadableValue
from xlplan.workbook.read.grids import Grid, LayoutProblem, Located, merged_cells, no_such_name, not_one_range
from xlplan.workbook.write.files import WorkbookFileError

STRUCTURED = re.compile(r"^(?P<table>[A-Za-z_\\][\w.]*)(?:\[(?P<spec>.*)\])?$")
WHOLE_COLUMNS = re.compile(r"^\$?([A-Za-z]{1,3}):\$?([A-Za-z]{1,3})$")
READABLE_SUFFIXES = (".xlsx", ".xlsm", ".xltx", ".xltm")


def open_workbook(path: Path, **options: Any) -> Workbook:
    """Open a workbook with openpyxl, turning every way this can fail into a clear message."""
    if not path.exists():
        raise WorkbookFileError(f"{path}: no such file")
    if path.is_dir():
        raise WorkbookFileError(f"{path}: is a folder, not a workbook")
    if path.suffix.lower() not in READABLE_SUFFIXES:
        hint = " (save it from Excel as .xlsx)" if path.suffix.lower() in (".xls", ".csv", ".ods") else ""
        raise WorkbookFileError(f"{path}: xlplan reads .xlsx and .xlsm workbooks, not '{path.suffix}'{hint}")
    try:
        return openpyxl.load_workbook(path, **options)
    except PermissionError as error:
        raise WorkbookFileError(f"{path}: permission denied; check the file's access rights") from error
    except (zipfile.BadZipFile, InvalidFileException, KeyError, OSError) as error:
        raise WorkbookFileError(f"{path}: not a readable Excel workbook ({error})") from error


def _unreadable(formula: str) -> UnreadableValue:
    return UnreadableValue(
        f"has the formula {formula} but no saved result; open the workbook in Excel or LibreOffice "
        "and save it so the result is stored, or type the value in")


class FileSource:
    """A workbook file as a :class:`~xlplan.workbook.read.grids.WorkbookSource`."""

    def __init__(self, path: str | Path):
        self.path = Path(path)
        self.description = self.path.name
        self.book = open_workbook(self.path, data_only=True)
        self._formula_book: Workbook | None = None

    # ------------------------------------------------------------------ names
    def _definition(self, name: str) -> str | None:
        defined = self.book.defined_names.get(name)
        if defined is None:
            for sheet in self.book.worksheets:
                defined = sheet.defined_names.get(name)
                if defined is not None:
                    break
        return None if defined is None else str(defined.attr_text).lstrip("=").strip()

    def _table(self, name: str) -> tuple[str, Any] | None:
        for sheet in self.book.worksheets:
            for table in sheet.tables.values():
                if table.name.lower() == name.lower():
                    return sheet.title, table
        return None

    def _table_at(self, sheet: str, row: int, column: int) -> tuple[int, int, int, int] | None:
        """(min_col, min_row, max_col, max_row) of the Excel Table whose header starts at (row, column)."""
        for table in self.book[sheet].tables.values():
            min_col, min_row, max_col, max_row = range_boundaries(table.ref)
            if (min_row, min_col) == (row, column):
                return min_col, min_row, max_col, max_row - (table.totalsRowCount or 0)
        return None

    def _bounds(self, name: str, text: str) -> tuple[str, tuple[int, int, int, int]] | LayoutProblem:
        """(sheet, (min_col, min_row, max_col, max_row)) the definition refers to."""
        if "#REF!" in text.upper():
            return LayoutProblem("workbook", f"the name '{name}' refers to a deleted range ({text}); "
                                 "point it at the table again (Formulas > Name Manager)")
        structured = STRUCTURED.match(text)
        if structured and "!" not in text:
            found = self._table(structured["table"])
            if found is None:
                return LayoutProblem("workbook", f"the name '{name}' refers to {text}, but the workbook "
                                     f"has no table '{structured['table']}'")
            sheet, table = found
            spec = (structured["spec"] or "").replace(" ", "").lower()
            if spec not in ("", "#all", "#data", "[#all]", "[#data]", "[#headers],[#data]"):
                return LayoutProblem("workbook", f"the name '{name}' refers to part of a table ({text}); "
                                     f"point it at the whole table: ={structured['table']}[#All]")
            min_col, min_row, max_col, max_row = range_boundaries(table.ref)
            max_row -= table.totalsRowCount or 0
            return sheet, (min_col, min_row, max_col, max_row)
        if "!" in text and "," not in text:
            sheet_part, ref = text.rsplit("!", 1)
            sheet = sheet_part.strip("'").replace("''", "'")
            if sheet not in self.book.sheetnames:
                return LayoutProblem("workbook", f"the name '{name}' refers to the sheet '{sheet}', "
                                     "which the workbook does not have")
            columns = WHOLE_COLUMNS.match(ref)
            if columns:
                last = self.book[sheet].max_row
                return sheet, (column_index_from_string(columns[1]), 1, column_index_from_string(columns[2]), last)
            try:
                min_col, min_row, max_col, max_row = range_boundaries(ref.replace("$", ""))
            except ValueError:
                pass
            else:
                if None not in (min_col, min_row, max_col, max_row):
                    table = self._table_at(sheet, min_row, min_col)
                    if table is not None:  # the whole table the name starts, rows added since included
                        return sheet, table
                    last = self.book[sheet].max_row
                    return sheet, (min_col, min_row, max_col, min(max_row, max(last, min_row)))
        return not_one_range(name, text)

    # ------------------------------------------------------------------ cells
    def _formulas(self) -> Workbook:
        if self._formula_book is None:
            self._formula_book = open_workbook(self.path, data_only=False, read_only=True)
        return self._formula_book

    def locate(self, name: str) -> Located:
        text = self._definition(name)
        if text is None:
            return Located(None, [no_such_name(name)])
        bounds = self._bounds(name, text)
        if isinstance(bounds, LayoutProblem):
            return Located(None, [bounds])
        sheet_name, (min_col, min_row, max_col, max_row) = bounds
        sheet = self.book[sheet_name]
        problems = [
            merged_cells(sheet_name, merged.coord)
            for merged in sheet.merged_cells.ranges
            if merged.min_row <= max_row and merged.max_row >= min_row
            and merged.min_col <= max_col and merged.max_col >= min_col
        ]
        values = [list(row) for row in sheet.iter_rows(min_row=min_row, max_row=max_row, min_col=min_col,
                                                        max_col=max_col, values_only=True)]
        if any(v is None for row in values for v in row):
            formulas = self._formulas()[sheet_name].iter_rows(
                min_row=min_row, max_row=max_row, min_col=min_col, max_col=max_col, values_only=True)
            for r, row in enumerate(formulas):
                for c, formula in enumerate(row):
                    if values[r][c] is None and isinstance(formula, ArrayFormula):
                        values[r][c] = _unreadable(formula.text or "")
                    elif values[r][c] is None and isinstance(formula, str) and formula.startswith("="):
                        values[r][c] = _unreadable(formula)
        return Located(Grid(name, sheet_name, min_row, min_col, values), problems)

    def close(self) -> None:
        if self._formula_book is not None:
            self._formula_book.close()
