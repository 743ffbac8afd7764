"""A generator of hostile workbooks, one per class of issue 12 (items 10-13): parts missing or damaged,
zip bombs, tables over a whole sheet or shifted by a row, DTDs and entities, labels that look like
formulas, numbers beyond any sensible range, and sheet names Excel refuses.

Each maker takes a folder and returns the path of a new workbook derived from the template.
"""

from __future__ import annotations

import io
import re
import zipfile
from collections.abc import Callable
from pathlib import Path

from tests.workbooks import TEMPLATE, edited

SST = b'<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
SHEET = b'<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>'
PRODUCTS_SHEET = "xl/worksheets/sheet2.xml"
PRODUCTS_TABLE = "xl/tables/table1.xml"


def rezipped(folder: Path, name: str, changes: dict[str, bytes | None | Callable[[bytes], bytes]],
             source: Path = TEMPLATE) -> Path:
    """A copy of ``source`` with parts replaced (bytes), removed (None) or edited (a function)."""
    target = folder / name
    with zipfile.ZipFile(source) as original, zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as out:
        for info in original.infolist():
            change = changes.get(info.filename, ...)
            if change is None:
                continue
            content = original.read(info)
            if callable(change):
                content = change(content)
            elif change is not ...:
                content = change
            out.writestr(info.filename, content)
        for part, content in changes.items():
            if part not in original.NameToInfo and isinstance(content, bytes):
                out.writestr(part, content)
    return target


def bomb(folder: Path, name: str, part: str, head: bytes, filler: bytes, tail: bytes, megabytes: int) -> Path:
    """The template with ``part`` replaced by well-formed XML inflating to ``megabytes`` MB."""
    target = rezipped(folder, name, {part: None})
    chunk = filler * (2**20 // len(filler))
    info = zipfile.ZipInfo(part)
    info.compress_type = zipfile.ZIP_DEFLATED
    with zipfile.ZipFile(target, "a", zipfile.ZIP_DEFLATED, compresslevel=6) as out:
        with out.open(info, "w", force_zip64=True) as stream:
            stream.write(head)
            for _ in range(megabytes):
                stream.write(chunk)
            stream.write(tail)
    return target


def _truncated(content: bytes) -> bytes:
    return content[: len(content) // 2]


def _table_ref(ref: str) -> Callable[[bytes], bytes]:
    def change(content: bytes) -> bytes:
        return re.sub(rb' ref="[^"]*"', f' ref="{ref}"'.encode(), content)
    return change


def _doctype(declaration: bytes, use: bytes | None = None) -> Callable[[bytes], bytes]:
    def change(content: bytes) -> bytes:
        end = content.index(b"?>") + 2
        content = content[:end] + declaration + content[end:]
        return content.replace(b"<t>Product</t>", use, 1) if use else content
    return change


LAUGHS = (b'<!DOCTYPE sst [<!ENTITY a "aaaaaaaaaa">'
          + b"".join(f'<!ENTITY {chr(98 + k)} "{("&" + chr(97 + k) + ";") * 10}">'.encode() for k in range(9))
          + b"]>")
"""Nine levels of ten: &j; expands to 10**10 letters."""

DAMAGED: dict[str, dict[str, bytes | None | Callable[[bytes], bytes]]] = {
    "no styles": {"xl/styles.xml": None},
    "no shared strings": {"xl/sharedStrings.xml": None},
    "no workbook part": {"xl/workbook.xml": None},
    "no products sheet": {PRODUCTS_SHEET: None},
    "no products table": {PRODUCTS_TABLE: None},
    "no content types": {"[Content_Types].xml": None},
    "no workbook relationships": {"xl/_rels/workbook.xml.rels": None},
    "truncated styles": {"xl/styles.xml": _truncated},
    "garbage styles": {"xl/styles.xml": b"\x00\xff not xml at all"},
    "truncated shared strings": {"xl/sharedStrings.xml": _truncated},
    "truncated workbook part": {"xl/workbook.xml": _truncated},
    "truncated products sheet": {PRODUCTS_SHEET: _truncated},
    "truncated table": {PRODUCTS_TABLE: _truncated},
    "truncated relationships": {"xl/_rels/workbook.xml.rels": _truncated},
    "table with an empty ref": {PRODUCTS_TABLE: _table_ref("")},
    "table with a nonsense ref": {PRODUCTS_TABLE: _table_ref("A4:nonsense")},
    "table over the whole sheet": {PRODUCTS_TABLE: _table_ref("A4:XFD1048576")},
    "billion laughs in shared strings": {"xl/sharedStrings.xml": _doctype(LAUGHS, b"<t>&j;</t>")},
    "external entity in a sheet": {PRODUCTS_SHEET: _doctype(
        b'<!DOCTYPE worksheet [<!ENTITY x SYSTEM "file:///etc/passwd">]>')},
    "DTD in the workbook part": {"xl/workbook.xml": _doctype(b"<!DOCTYPE workbook>")},
}
"""Packages with a part missing or damaged: exit 6, the sentence naming the part."""


def damaged(folder: Path, kind: str) -> Path:
    return rezipped(folder, f"{kind.replace(' ', '-')}.xlsx", DAMAGED[kind])


BOMBS: dict[str, Callable[[Path], Path]] = {
    "shared strings inflating to 1 GB": lambda folder: bomb(
        folder, "sst-bomb.xlsx", "xl/sharedStrings.xml", SST + b"<si><t>", b"a", b"</t></si></sst>", 1024),
    "sheet inflating to 300 MB": lambda folder: bomb(
        folder, "sheet-bomb.xlsx", PRODUCTS_SHEET, SHEET, b" ", b"</sheetData></worksheet>", 300),
    "shared strings compressed 1000 times (30 MB)": lambda folder: bomb(
        folder, "sst-ratio.xlsx", "xl/sharedStrings.xml", SST + b"<si><t>", b"a", b"</t></si></sst>", 30),
}


# ------------------------------------------------------------------------ edits through openpyxl
def shifted_table(folder: Path) -> Path:
    """The Products table's ref one row too high (A3:G6), its name still at A4."""
    return rezipped(folder, "shifted.xlsx", {PRODUCTS_TABLE: _table_ref("A3:G6")})


def whole_sheet_name(folder: Path) -> Path:
    """xlplan_products over every cell of the sheet (A4:XFD1048576) and no table: only used cells count."""
    def change(book):
        from openpyxl.workbook.defined_name import DefinedName
        book.defined_names["xlplan_products"] = DefinedName("xlplan_products",
                                                            attr_text="Products!$A$4:$XFD$1048576")
        book["Products"].tables.clear()
    return edited(TEMPLATE, folder, change, "whole-sheet.xlsx")


def far_cell(folder: Path) -> Path:
    """As :func:`whole_sheet_name`, with a stray value in the sheet's very last cell."""
    def change(book):
        from openpyxl.workbook.defined_name import DefinedName
        book.defined_names["xlplan_products"] = DefinedName("xlplan_products",
                                                            attr_text="Products!$A$4:$XFD$1048576")
        book["Products"].tables.clear()
        book["Products"]["XFD1048576"] = "stray"
    return edited(TEMPLATE, folder, change, "far-cell.xlsx")


def with_cells(folder: Path, name: str, cells: dict[tuple[str, str], object]) -> Path:
    def change(book):
        for (sheet, ref), value in cells.items():
            book[sheet][ref] = value
    return edited(TEMPLATE, folder, change, name)


def renamed_product(folder: Path, label: str, name: str = "label.xlsx", source: Path = TEMPLATE) -> Path:
    """Product A renamed ``label`` everywhere it appears (Products, Cost rates, Demand)."""
    def change(book):
        for sheet in ("Products", "Cost rates", "Demand", "Uncertainty"):
            for row in book[sheet].iter_rows(min_row=5):
                if row[0].value == "A":
                    row[0].value = label
                    row[0].data_type = "s"  # text, however it looks: openpyxl would take '=...' for a formula
    return edited(source, folder, change, name)


def renamed_period(folder: Path, old: str, label: str, name: str = "period.xlsx") -> Path:
    def change(book):
        for row in book["Cost rates"].iter_rows(min_row=5):
            if str(row[1].value) == old:
                row[1].value = label
                row[1].data_type = "s"
        for cell in book["Demand"][4]:
            if str(cell.value) == old:
                cell.value = label
                cell.data_type = "s"
        table = book["Demand"].tables["Demand"]
        for column in table.tableColumns:
            if column.name == old:
                column.name = label
    return edited(TEMPLATE, folder, change, name)


def with_sheet(folder: Path, title: str, name: str = "sheet.xlsx", source: Path = TEMPLATE) -> Path:
    """``source`` with a planner's sheet named ``title`` (openpyxl writes names Excel would refuse)."""
    def change(book):
        book.create_sheet("Mine")["A1"] = "the planner's notes"
        book["Mine"].title = title
    return edited(source, folder, change, name)


def renamed_sheet(folder: Path, old: str, new: str, name: str = "renamed.xlsx") -> Path:
    """An input sheet renamed, its names following it."""
    from xlplan.workbook.addresses import quote_sheet

    def change(book):
        book[old].title = new
        for defined in book.defined_names.values():
            if defined.attr_text.startswith(quote_sheet(old) + "!"):
                defined.attr_text = quote_sheet(new) + defined.attr_text[len(quote_sheet(old)):]
    return edited(TEMPLATE, folder, change, name)


# ---------------------------------------------------------------------------- warm-start files (issue 19, item 2)
def _npy(array_header: dict[str, object]) -> bytes:
    import numpy as np

    stream = io.BytesIO()
    np.lib.format.write_array_header_1_0(stream, array_header)
    return stream.getvalue()


def damaged_warm_starts(folder: Path, good: Path) -> dict[str, Path]:
    """Warm-start files that cannot be used, made from ``good`` (a basis an earlier solve saved): each must
    be ignored with one line, and the solve start cold."""
    import numpy as np

    content = good.read_bytes()
    with zipfile.ZipFile(good) as package:  # a byte of the first array's compressed data
        first = package.infolist()[0]
        flip = first.header_offset + 30 + len(first.filename.encode()) + len(first.extra) + first.compress_size // 2
    made: dict[str, bytes] = {
        "empty": b"",
        "truncated": content[: len(content) // 2],
        "one byte flipped": content[:flip] + bytes([content[flip] ^ 0xFF]) + content[flip + 1:],
        "text": b"not a basis at all\n",
    }
    paths = {kind: folder / f"{kind.replace(' ', '-')}.npz" for kind in made}
    for kind, data in made.items():
        paths[kind].write_bytes(data)
    paths["a plain .npy"] = folder / "plain.npz"
    np.save(folder / "plain.npy", np.zeros(5, dtype=np.int8))
    (folder / "plain.npy").rename(paths["a plain .npy"])
    with np.load(good) as saved:
        arrays = {key: saved[key] for key in saved.files}
    paths["statuses out of range"] = folder / "range.npz"
    np.savez(paths["statuses out of range"], **{**arrays, "col_status": arrays["col_status"] + 40})
    paths["an object array"] = folder / "objects.npz"
    np.savez(paths["an object array"], **{**arrays, "col_status": np.array([{"a": 1}, 2], dtype=object)})
    return paths


def oversized_warm_start(folder: Path, statuses: int = 300_000_000) -> Path:
    """A small .npz (about 300 KB) whose column statuses, all zeros, unpack to ``statuses`` bytes: loading it
    whole, and turning it into HiGHS's statuses, would exhaust memory."""
    import numpy as np

    target = folder / "huge.npz"
    chunk = bytes(2**24)
    with zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as out:
        with out.open("col_status.npy", "w", force_zip64=True) as stream:
            stream.write(_npy({"descr": "|i1", "fortran_order": False, "shape": (statuses,)}))
            for start in range(0, statuses, len(chunk)):
                stream.write(chunk[: min(len(chunk), statuses - start)])
        with out.open("row_status.npy", "w") as stream:
            stream.write(_npy({"descr": "|i1", "fortran_order": False, "shape": (1,)}))
            stream.write(b"\x00")
        buffer = io.BytesIO()
        np.save(buffer, np.array(""))
        out.writestr("matrix.npy", buffer.getvalue())
    return target
