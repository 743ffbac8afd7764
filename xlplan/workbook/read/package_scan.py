"""A workbook package checked before anything parses it, and the layout facts read by streaming.

An .xlsx file is a zip of XML parts, and a hostile or damaged one can make a naive reader use
gigabytes (a part that inflates a thousandfold, a table claiming all 17 billion cells of a sheet),
expand entities (a DTD), or fail deep inside a library with a traceback. So, before openpyxl sees
the file: every part's uncompressed size and compression ratio is checked against fixed limits
(the zip module never inflates a part beyond the size its directory declares), and no part may
carry a DTD. Sheets are then only ever streamed: their used extent and merged cells come from one
pass that keeps a row at a time, and their tables from their own small parts. Every refusal names
the part, and the sheet where there is one.
"""

from __future__ import annotations

import posixpath
import zipfile
from dataclasses import dataclass
from pathlib import Path

from defusedxml import DefusedXmlException
from defusedxml.ElementTree import iterparse as defused_iterparse
from lxml import etree
from openpyxl.utils import range_boundaries

from xlplan.workbook.read import sheet_scan
from xlplan.workbook.read.sheet_scan import SheetFacts
from xlplan.workbook.write.files import WorkbookFileError

MAX_PARTS = 10_000
"""Parts in one package; Excel's own files have a few dozen."""
MAX_SHEET_BYTES = 256 * 2**20
"""Uncompressed size of one worksheet part: worksheets are streamed, so this bounds time, not memory."""
MAX_PART_BYTES = 32 * 2**20
"""Uncompressed size of any other part: shared strings, styles, the workbook part, tables..."""
MAX_TOTAL_BYTES = 1024 * 2**20
"""Uncompressed size of the whole package."""
MAX_RATIO = 100
"""Uncompressed over compressed size, for parts over :data:`RATIO_FROM` bytes: spreadsheet XML
compresses 5 to 30 times; a zip bomb about a thousand times."""
RATIO_FROM = 4 * 2**20

MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
PKG_REL = "http://schemas.openxmlformats.org/package/2006/relationships"
OFFICE_DOCUMENT = f"{REL}/officeDocument"
WORKSHEET = f"{REL}/worksheet"
TABLE = f"{REL}/table"
XML_SUFFIXES = (".xml", ".rels", ".vml")


def _safe_parser() -> etree.XMLParser:
    return etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False)


@dataclass(frozen=True)
class TablePart:
    """An Excel Table (ListObject) as its part describes it."""

    name: str
    """The name formulas use (its ``displayName``)."""
    part: str
    ref: str
    bounds: tuple[int, int, int, int]
    """(min_col, min_row, max_col, max_row), totals row excluded."""
    columns: tuple[str, ...]


class CheckedPackage:
    """A workbook file whose zip directory and XML prologs passed the limits above.

    ``sheet_part``, ``tables`` and ``facts`` read the package lazily, a part at a time.
    """

    def __init__(self, path: Path):
        self.path = path
        try:
            self.archive = zipfile.ZipFile(path)
        except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, ValueError, EOFError) as error:
            raise WorkbookFileError(f"{path}: not a readable Excel workbook ({error})") from error
        try:
            self._check_directory()
            self._check_prologs()
            self._check_required()
        except BaseException:
            self.archive.close()
            raise
        self._sheet_parts: dict[str, str] | None = None
        self._facts: dict[str, SheetFacts] = {}
        self._empty: frozenset[int] | None = None
        self._tables: dict[str, list[TablePart]] = {}

    def close(self) -> None:
        self.archive.close()

    def refuse(self, part: str, what: str, sheet: str | None = None) -> WorkbookFileError:
        """The error for a part xlplan will not read: file, part (and sheet) and what is wrong."""
        on = f" (sheet '{sheet}')" if sheet else ""
        return WorkbookFileError(f"{self.path}: the part {part}{on} {what}; xlplan does not read this file. "
                                 "If it came from Excel, open it there and save it again")

    # ------------------------------------------------------------------ the limits
    def _check_directory(self) -> None:
        infos = self.archive.infolist()
        if len(infos) > MAX_PARTS:
            raise WorkbookFileError(f"{self.path}: the package has {len(infos):,} parts, more than the "
                                    f"{MAX_PARTS:,} xlplan reads; it is not an ordinary Excel workbook")
        for info in infos:
            limit = MAX_SHEET_BYTES if info.filename.startswith("xl/worksheets/") else MAX_PART_BYTES
            if info.file_size > limit:
                raise self.refuse(info.filename, f"inflates to {info.file_size / 2**20:,.0f} MB, more than the "
                                  f"{limit / 2**20:,.0f} MB xlplan reads in one part")
            ratio = info.file_size / max(info.compress_size, 1)
            if info.file_size > RATIO_FROM and ratio > MAX_RATIO:
                raise self.refuse(info.filename, f"is compressed {ratio:,.0f} times ({info.compress_size:,} bytes "
                                  f"inflating to {info.file_size:,}), as zip bombs are; workbooks compress "
                                  f"at most about {MAX_RATIO} times")
        total = sum(info.file_size for info in infos)
        if total > MAX_TOTAL_BYTES:
            raise WorkbookFileError(f"{self.path}: the package inflates to {total / 2**20:,.0f} MB, more than the "
                                    f"{MAX_TOTAL_BYTES / 2**20:,.0f} MB xlplan reads")

    def _check_prologs(self) -> None:
        """No XML part may declare a DTD or entities (defusedxml stops at the first one)."""
        for info in self.archive.infolist():
            if not info.filename.lower().endswith(XML_SUFFIXES) and info.filename != "[Content_Types].xml":
                continue
            try:
                with self.archive.open(info) as stream:
                    for _ in defused_iterparse(stream, events=("start",), forbid_dtd=True):
                        break  # the prolog (where a DTD must be) is behind us
            except DefusedXmlException:
                raise self.refuse(info.filename, "declares a DTD or entities, which workbooks never do "
                                  "and which can make a reader expand text without end") from None
            except Exception as error:  # noqa: BLE001 - any parser or zip error means a damaged part
                raise self.refuse(info.filename, f"is damaged ({reason_of(error)})") from None

    def _check_required(self) -> None:
        """The parts every workbook has, and every part the workbook part refers to, are there."""
        for part in ("[Content_Types].xml", "_rels/.rels"):
            if part not in self.archive.NameToInfo:
                raise self.refuse(part, "is missing")
        workbook = self.workbook_part()
        if workbook not in self.archive.NameToInfo:
            raise self.refuse(workbook, "is missing (_rels/.rels names it as the workbook)")
        folder, name = posixpath.split(workbook)
        rels = posixpath.join(folder, "_rels", f"{name}.rels")
        if rels not in self.archive.NameToInfo:
            raise self.refuse(rels, "is missing (it lists the workbook's sheets)")
        for _, kind, target in self._relationships(workbook):
            if not kind.endswith("/externalLink") and "://" not in target and target not in self.archive.NameToInfo:
                raise self.refuse(target, f"is missing ({workbook} refers to it)")

    # ------------------------------------------------------------------ parts
    def workbook_part(self) -> str:
        workbook = next((t for _, kind, t in self._relationships("") if kind == OFFICE_DOCUMENT), None)
        if workbook is None:
            raise self.refuse("_rels/.rels", "names no workbook part")
        return workbook

    def xml(self, part: str) -> etree._Element:
        """A small part (the limits above hold), parsed without entities or network."""
        try:
            return etree.fromstring(self.archive.read(part), _safe_parser())
        except KeyError:
            raise self.refuse(part, "is missing") from None
        except Exception as error:  # noqa: BLE001
            raise self.refuse(part, f"is damaged ({reason_of(error)})") from None

    def _relationships(self, part: str) -> list[tuple[str, str, str]]:
        """(id, type, resolved target) of a part's relationships."""
        folder, name = posixpath.split(part)
        rels = posixpath.join(folder, "_rels", f"{name}.rels")
        if rels not in self.archive.NameToInfo:
            return []
        found = []
        for element in self.xml(rels):
            target = element.get("Target", "")
            if element.get("TargetMode") != "External":
                target = (target.lstrip("/") if target.startswith("/")
                          else posixpath.normpath(posixpath.join(folder, target)))
            found.append((element.get("Id", ""), element.get("Type", ""), target))
        return found

    def damaged_part(self) -> str | None:
        """The first part openpyxl reads whole that is not well-formed XML (for naming a load failure)."""
        for info in self.archive.infolist():
            if not info.filename.lower().endswith(XML_SUFFIXES):
                continue
            try:
                with self.archive.open(info) as stream:
                    for _, element in etree.iterparse(stream, events=("end",), resolve_entities=False,
                                                      no_network=True, load_dtd=False, huge_tree=False):
                        element.clear()
            except Exception:  # noqa: BLE001
                return info.filename
        return None

    def sheet_part(self, sheet: str) -> str:
        """The worksheet part of the sheet named ``sheet``."""
        part = self.sheet_parts().get(sheet, "")
        if part not in self.archive.NameToInfo:
            raise self.refuse(part or "xl/workbook.xml", "is missing" if part else f"has no part for '{sheet}'",
                              sheet)
        return part

    def sheet_parts(self) -> dict[str, str]:
        """Every sheet's part, by the sheet's name, as the workbook part lists them (not checked to exist)."""
        if self._sheet_parts is None:
            workbook = self.workbook_part()
            targets = {rid: target for rid, kind, target in self._relationships(workbook)}
            sheets = self.xml(workbook).find(f"{{{MAIN}}}sheets")
            self._sheet_parts = {s.get("name", ""): targets.get(s.get(f"{{{REL}}}id", ""), "")
                                 for s in (sheets if sheets is not None else ())}
        return dict(self._sheet_parts)

    def tables(self, sheet: str) -> list[TablePart]:
        """The Excel Tables on ``sheet``, each checked: a valid range, as many columns as it names."""
        if sheet not in self._tables:
            found = []
            for _, kind, target in self._relationships(self.sheet_part(sheet)):
                if kind != TABLE:
                    continue
                root = self.xml(target)
                name, ref = root.get("displayName") or root.get("name") or "?", root.get("ref", "")
                columns = tuple(c.get("name", "") for c in root.iter(f"{{{MAIN}}}tableColumn"))
                try:
                    min_col, min_row, max_col, max_row = range_boundaries(ref)
                except (ValueError, TypeError):
                    min_col = None
                if min_col is None or None in (min_row, max_col, max_row):
                    raise self.refuse(target, f"says the table '{name}' covers '{ref}', which is not a range",
                                      sheet)
                if max_col - min_col + 1 != len(columns):
                    raise self.refuse(target, f"says the table '{name}' covers {ref}, {max_col - min_col + 1:,} "
                                      f"columns, but names {len(columns)} columns", sheet)
                totals = root.get("totalsRowCount", "0")
                totals = int(totals) if totals.isdigit() else 0
                found.append(TablePart(name, target, ref, (min_col, min_row, max_col, max(max_row - totals, min_row)),
                                       columns))
            self._tables[sheet] = found
        return self._tables[sheet]

    def _empty_strings(self) -> frozenset[int]:
        """The shared strings written empty (``sheet_scan.empty_strings``), in the part calamine reads."""
        if self._empty is None:
            part = posixpath.join(posixpath.dirname(self.workbook_part()), "sharedStrings.xml")
            self._empty = frozenset()
            if part in self.archive.NameToInfo:
                try:
                    self._empty = sheet_scan.empty_strings(self.archive.read(part))
                except (zipfile.BadZipFile, OSError, EOFError, ValueError):
                    pass  # none known: cells holding them are then counted as cells with content
        return self._empty

    def facts(self, sheet: str, dates: frozenset[int] | None = None) -> SheetFacts:
        """The used extent and merged cells of ``sheet``: from a scan at C speed where the part is in the usual
        shape (``sheet_scan``), otherwise from one streaming pass over its part. Given ``dates`` (the workbook's
        date and duration styles: where calamine reads the cells), a part in the usual shape gets the lighter
        scan, which leaves the extent to calamine's read (``SheetFacts.content``, ``FastCells.extent``); asked
        again without ``dates``, before the extent is known, the part is scanned whole."""
        cached = self._facts.get(sheet)
        if cached is None or (dates is None and cached.content is not None):
            part = self.sheet_part(sheet)
            facts = SheetFacts()
            if self.archive.getinfo(part).file_size <= sheet_scan.UP_TO_BYTES:
                try:
                    data = self.archive.read(part)
                    scanned = ((dates is not None and sheet_scan.light_facts(data, facts, dates, self._empty_strings()))
                               or sheet_scan.scanned_facts(data, facts))
                except (zipfile.BadZipFile, OSError, EOFError, ValueError):
                    scanned = False  # the streaming pass below words the refusal
                if scanned:
                    self._facts[sheet] = facts
                    return facts
            merge, row_tag = f"{{{MAIN}}}mergeCell", f"{{{MAIN}}}row"
            columns: dict[str, int] = {}  # a column's letters -> its number, parsed once per column
            try:
                with self.archive.open(part) as stream:
                    # a row at a time, its cells with it
                    for _, element in etree.iterparse(stream, events=("end",), tag=(row_tag, merge),
                                                      resolve_entities=False, no_network=True, load_dtd=False,
                                                      huge_tree=False):
                        if element.tag == merge:
                            facts.merged.append(element.get("ref", ""))
                        else:
                            _row_facts(element, facts, columns)
                        element.clear()
                        while element.getprevious() is not None:
                            del element.getparent()[0]
            except (etree.XMLSyntaxError, zipfile.BadZipFile, OSError, EOFError, ValueError) as error:
                raise self.refuse(part, f"is damaged ({reason_of(error)})", sheet) from None
            self._facts[sheet] = facts
        return self._facts[sheet]


_CELL = f"{{{MAIN}}}c"


def _row_facts(row: etree._Element, facts: SheetFacts, columns: dict[str, int]) -> None:
    """Add one ``<row>``'s cells with content (a value, an inline string or a formula; a cell without
    is a formatted blank) to ``facts``; ``columns`` caches a column's letters -> its number."""
    references = []
    for cell in row:
        if cell.tag == _CELL and len(cell):
            reference, style = cell.get("r"), cell.get("s")
            if style is not None:
                facts.styles.add(style)
            if reference is None:
                facts.exact = False
            else:
                references.append(reference)
    if not references:
        return
    letters = [reference.rstrip("0123456789") for reference in references]
    for new in set(letters) - columns.keys():
        columns[new] = _column_row(references[letters.index(new)])[0]
    facts.max_column = max(facts.max_column, *(columns[known] for known in set(letters)))
    # a row's cells share their digits: one number per distinct digits, not one per cell
    digits = {reference[len(known):]: reference for reference, known in zip(references, letters, strict=True)}
    facts.max_row = max(facts.max_row, *(int(text) if 0 < len(text) < 8 else _column_row(reference)[1]
                                         for text, reference in digits.items()))


def _column_row(reference: str) -> tuple[int, int]:
    min_col, min_row, _, _ = range_boundaries(reference)
    return min_col or 0, min_row or 0


def reason_of(error: BaseException) -> str:
    """An exception as a short parenthesis: its kind and the first line of its message."""
    text = str(error).splitlines()[0][:200] if str(error) else ""
    return f"{type(error).__name__}: {text}" if text else type(error).__name__


__all__ = ["MAX_PART_BYTES", "MAX_RATIO", "MAX_SHEET_BYTES", "MAX_TOTAL_BYTES", "CheckedPackage", "SheetFacts",
           "TablePart"]
