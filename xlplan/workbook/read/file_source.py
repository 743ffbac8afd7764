"""Reading named ranges from an .xlsx / .xlsm file with openpyxl (no Excel needed)."""

from __future__ import annotations

import re
import zipfile
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import openpyxl
from openpyxl.utils import column_index_from_string, get_column_letter, range_boundaries
from openpyxl.utils.exceptions import InvalidFileException
from openpyxl.workbook.workbook import Workbook
from openpyxl.worksheet.formula import ArrayFormula

from xlplan import limits
from xlplan.problem.tables import UnreadableValue
from xlplan.workbook.addresses import quote_sheet, sheet_of
from xlplan.workbook.read import fast_cells
from xlplan.workbook.read.fast_cells import FastCells
from xlplan.workbook.read.grids import Grid, LayoutProblem, Located, merged_cells, no_such_name, not_one_range
from xlplan.workbook.read.package_scan import CheckedPackage, TablePart, reason_of
from xlplan.workbook.read.sheet_scan import SheetFacts
from xlplan.workbook.write.files import WorkbookFileError, shown
from xlplan.workbook.write.markers import is_marker, refuse_clashes, refuse_invalid_names
from xlplan.workbook.write.targets import check_readable

STRUCTURED = re.compile(r"^(?P<table>[A-Za-z_\\][\w.]*)(?:\[(?P<spec>.*)\])?$")
WHOLE_COLUMNS = re.compile(r"^\$?([A-Za-z]{1,3}):\$?([A-Za-z]{1,3})$")
READABLE_SUFFIXES = (".xlsx", ".xlsm", ".xltx", ".xltm")
MAX_ROWS = 1_048_576
MAX_COLUMNS = 16_384
MAX_RANGE_CELLS = limits.MAX_RANGE_CELLS


def _check_path(path: Path) -> None:
    check_readable(path)
    if path.suffix.lower() not in READABLE_SUFFIXES:
        hint = " (save it from Excel as .xlsx)" if path.suffix.lower() in (".xls", ".csv", ".ods") else ""
        raise WorkbookFileError(f"{shown(path)}: xlplan reads .xlsx and .xlsm workbooks, not '{path.suffix}'{hint}")


def open_workbook(path: Path, package: CheckedPackage | None = None, **options: Any) -> Workbook:
    """Open a workbook with openpyxl, read-only (sheets are streamed), turning every way this can
    fail into a clear message; ``package`` is the file already checked (see ``package_scan``)."""
    path = Path(path)
    _check_path(path)
    checked = package if package is not None else CheckedPackage(path)
    try:
        return openpyxl.load_workbook(path, read_only=True, **options)
    except PermissionError as error:
        raise WorkbookFileError(f"{path}: permission denied; check the file's access rights") from error
    except (zipfile.BadZipFile, InvalidFileException, KeyError, OSError) as error:
        raise WorkbookFileError(f"{path}: not a readable Excel workbook ({error})") from error
    except Exception as error:  # noqa: BLE001 - a damaged part fails anywhere inside openpyxl
        part = checked.damaged_part()
        if part is not None:
            raise checked.refuse(part, "is damaged (not well-formed XML)") from None
        raise WorkbookFileError(f"{path}: not a readable Excel workbook ({reason_of(error)})") from None
    finally:
        if package is None:
            checked.close()


def _unreadable(formula: str) -> UnreadableValue:
    return UnreadableValue(
        f"has the formula {formula} but no saved result; open the workbook in Excel or LibreOffice "
        "and save it so the result is stored, or type the value in")


class FileSource:
    """A workbook file as a :class:`~xlplan.workbook.read.grids.WorkbookSource`.

    The file is checked before it is parsed (``package_scan``) and read in openpyxl's read-only
    mode: only the cells of the ranges asked for, trimmed to the cells in use, are ever held.
    """

    def __init__(self, path: str | Path):
        self.path = Path(path)
        self.description = shown(self.path.name)
        _check_path(self.path)
        self.package = CheckedPackage(self.path)
        try:
            self.book = open_workbook(self.path, self.package, data_only=True)
        except BaseException:
            self.package.close()
            raise
        self._formula_book: Workbook | None = None
        self._fast: FastCells | None = None

    # ------------------------------------------------------------------ names
    def _definition(self, name: str) -> str | None:
        defined = self.book.defined_names.get(name)
        if defined is None:
            for sheet in self.book.worksheets:
                defined = sheet.defined_names.get(name)
                if defined is not None:
                    break
        return None if defined is None else str(defined.attr_text).lstrip("=").strip()

    def defines(self, name: str) -> bool:
        """Whether ``name`` is defined over a sheet the workbook has (a name left over a removed sheet is not)."""
        text = self._definition(name)
        return text is not None and "#REF!" not in text.upper() and sheet_of(text) in self.book.sheetnames

    def _table(self, name: str) -> tuple[str, TablePart] | None:
        for sheet in self.book.sheetnames:
            for table in self.package.tables(sheet):
                if table.name.lower() == name.lower():
                    return sheet, table
        return None

    def _shifted_table(self, sheet: str, name: str, bounds: tuple[int, int, int, int]) -> LayoutProblem | None:
        """A table over the named range that does not start where the range does: its range is
        damaged (or the name is), and one of the two would be read wrong."""
        min_col, min_row, max_col, max_row = bounds
        for table in self.package.tables(sheet):
            t_min_col, t_min_row, t_max_col, t_max_row = table.bounds
            overlaps = t_min_row <= max_row and t_max_row >= min_row and t_min_col <= max_col and t_max_col >= min_col
            if overlaps and (t_min_row, t_min_col) != (min_row, min_col):
                start = f"{get_column_letter(min_col)}{min_row}"
                return LayoutProblem(f"{quote_sheet(sheet)}!{table.ref}", (
                    f"the Excel table '{table.name}' covers {table.ref}, but the name '{name}' starts at {start}; "
                    f"one of them is wrong: make the table start at the header row (Table Design > Resize "
                    f"Table) or point the name at the table (Formulas > Name Manager)"))
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
            return sheet, table.bounds
        if "!" in text and "," not in text:
            sheet_part, ref = text.rsplit("!", 1)
            sheet = _unquote_sheet(sheet_part)
            if sheet not in self.book.sheetnames:
                return LayoutProblem("workbook", f"the name '{name}' refers to the sheet '{sheet}', "
                                     "which the workbook does not have")
            columns = WHOLE_COLUMNS.match(ref)
            if columns:
                return sheet, (column_index_from_string(columns[1]), 1, column_index_from_string(columns[2]),
                               MAX_ROWS)
            try:
                min_col, min_row, max_col, max_row = range_boundaries(ref.replace("$", ""))
            except ValueError:
                pass
            else:
                if None not in (min_col, min_row, max_col, max_row):
                    bounds = (min_col, min_row, max_col, max_row)
                    table = next((t for t in self.package.tables(sheet) if t.bounds[:2] == (min_col, min_row)), None)
                    if table is not None:  # the whole table the name starts, rows added since included
                        return sheet, table.bounds
                    shifted = self._shifted_table(sheet, name, bounds)
                    if shifted is not None:
                        return shifted
                    # a plain range reaches down to the last row in use: rows typed below it count
                    return sheet, (min_col, min_row, max_col, MAX_ROWS)
        return not_one_range(name, text)

    # ------------------------------------------------------------------ cells
    def _formulas(self) -> Workbook:
        if self._formula_book is None:
            self._formula_book = open_workbook(self.path, self.package, data_only=False)
        return self._formula_book

    def _read(self, book: Workbook, sheet: str, bounds: tuple[int, int, int, int]) -> list[list[Any]]:
        min_col, min_row, max_col, max_row = bounds
        try:
            return [list(row) for row in book[sheet].iter_rows(min_row=min_row, max_row=max_row, min_col=min_col,
                                                                max_col=max_col, values_only=True)]
        except Exception as error:  # noqa: BLE001 - a damaged sheet part fails inside openpyxl's parser
            raise self.package.refuse(self.package.sheet_part(sheet), f"is damaged ({reason_of(error)})",
                                      sheet) from None

    def _date_styles(self) -> frozenset[int] | None:
        """The workbook's date and duration styles (openpyxl reads a number in one as a date and calamine
        perhaps not), or None where calamine does not read the cells."""
        dates = getattr(self.book, "_date_formats", None)
        if not fast_cells.available() or dates is None:
            return None
        return frozenset((*dates, *getattr(self.book, "_timedelta_formats", ())))

    def _fast_cells(self) -> FastCells:
        if self._fast is None:
            self._fast = FastCells(self.path, self.package.archive, self.package.sheet_parts())
        return self._fast

    def _facts(self, sheet: str) -> SheetFacts:
        """The package's facts of ``sheet``; where calamine reads the cells, their extent from its read of the
        sheet when it finds a value in every cell with content (``sheet_scan.light_facts``), otherwise (or where
        a date style is in the part: which cells have it?) from scanning the part whole, as without calamine."""
        facts = self.package.facts(sheet, self._date_styles())
        if facts.content is not None:
            extent = None if facts.styles else self._fast_cells().extent(sheet, facts.content, facts.escaped,
                                                                          (facts.max_row, facts.max_column))
            if extent is None:
                return self.package.facts(sheet)
            (facts.max_row, facts.max_column), facts.content = extent, None
        return facts

    def _read_values(self, sheet: str, bounds: tuple[int, int, int, int]) -> list[list[Any]]:
        """The saved values of the cells in ``bounds``: by calamine where they read exactly as openpyxl
        reads them (see ``fast_cells``), otherwise by openpyxl."""
        dates = self._date_styles()
        if dates is not None:
            facts = self._facts(sheet)
            if not facts.styles & {str(index) for index in dates}:  # no cell reads as a date
                # a cell without a reference (facts not exact) could lie anywhere: calamine's grid is then unbounded
                extent = (facts.max_row, facts.max_column) if facts.exact else (MAX_ROWS, MAX_COLUMNS)
                values = self._fast_cells().read(sheet, bounds, facts.escaped, extent)
                if values is not None:
                    return values
        return self._read(self.book, sheet, bounds)

    def locate(self, name: str) -> Located:
        text = self._definition(name)
        if text is None:
            return Located(None, [no_such_name(name)])
        bounds = self._bounds(name, text)
        if isinstance(bounds, LayoutProblem):
            return Located(None, [bounds])
        sheet_name, (min_col, min_row, max_col, max_row) = bounds
        facts = self._facts(sheet_name)
        if facts.exact:  # only the cells in use: a range may name a million empty rows
            max_row = min(max_row, max(facts.max_row, min_row))
            max_col = min(max_col, max(facts.max_column, min_col))
        cells = (max_row - min_row + 1) * (max_col - min_col + 1)
        if cells > MAX_RANGE_CELLS:
            area = f"{get_column_letter(min_col)}{min_row}:{get_column_letter(max_col)}{max_row}"
            return Located(None, [LayoutProblem(f"{quote_sheet(sheet_name)}!{area}", (
                f"the name '{name}' covers {cells:,} cells in use, more than the {MAX_RANGE_CELLS:,} xlplan reads "
                "in one range: if the table ends well before, clear the cells far below or to the right of it; if "
                "the table itself is this large, it is beyond what xlplan plans (fewer scenarios, periods or "
                "products)"))])
        problems = []
        for merged in facts.merged:
            try:
                m_min_col, m_min_row, m_max_col, m_max_row = range_boundaries(merged)
            except (ValueError, TypeError):
                continue
            if None not in (m_min_col, m_min_row) and m_min_row <= max_row and (m_max_row or m_min_row) >= min_row \
                    and m_min_col <= max_col and (m_max_col or m_min_col) >= min_col:
                problems.append(merged_cells(sheet_name, merged))
        width = max_col - min_col + 1
        values = [row if len(row) == width else row + [None] * (width - len(row))
                  for row in self._read_values(sheet_name, (min_col, min_row, max_col, max_row))]
        values += [[None] * width for _ in range(max_row - min_row + 1 - len(values))]
        if facts.formulas and any(v is None for row in values for v in row):  # a formula without its result?
            formulas = self._read(self._formulas(), sheet_name, (min_col, min_row, max_col, max_row))
            for r, row in enumerate(formulas):
                for c, formula in enumerate(row):
                    if values[r][c] is None and isinstance(formula, ArrayFormula):
                        values[r][c] = _unreadable(formula.text or "")
                    elif values[r][c] is None and isinstance(formula, str) and formula.startswith("="):
                        values[r][c] = _unreadable(formula)
        return Located(Grid(name, sheet_name, min_row, min_col, values), problems)

    def check_room_for(self, names: Sequence[str]) -> None:
        """Raise :class:`~xlplan.workbook.write.markers.OutputSheetClash` now, before any work, if writing the
        output sheets ``names`` into this workbook will be refused (a sheet name Excel refuses, or a sheet of
        the planner's own where one of them goes)."""
        existing = list(self.book.sheetnames)
        recorded = [sheet_of(str(d.attr_text)) for n, d in self.book.defined_names.items() if is_marker(n)]
        refuse_invalid_names(existing)
        refuse_clashes(names, existing, [r for r in recorded if r])

    def close(self) -> None:
        for book in (self.book, self._formula_book):
            if book is not None:
                book.close()
        self.package.close()


def _unquote_sheet(text: str) -> str:
    """The sheet name of a reference's sheet part: 'Planner''s demand' -> Planner's demand."""
    text = text.strip()
    if len(text) >= 2 and text[0] == "'" and text[-1] == "'":
        return text[1:-1].replace("''", "'")
    return text
