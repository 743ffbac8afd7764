"""Helpers for tests on workbook files: copies of the committed workbooks, edits, fingerprints."""

from __future__ import annotations

import hashlib
import re
import shutil
import zipfile
from collections.abc import Callable
from pathlib import Path

import openpyxl
from openpyxl.workbook.workbook import Workbook

ROOT = Path(__file__).resolve().parents[1]
WORKBOOKS = ROOT / "workbooks"
TEMPLATE = WORKBOOKS / "template.xlsx"
ELECTRONICS = WORKBOOKS / "examples" / "electronics.xlsx"
FACTORY_PHYSICS = WORKBOOKS / "examples" / "factory_physics.xlsx"


def copy_of(source: Path, folder: Path, name: str | None = None) -> Path:
    target = folder / (name or source.name)
    shutil.copyfile(source, target)
    return target


def edited(source: Path, folder: Path, change: Callable[[Workbook], None], name: str = "book.xlsx") -> Path:
    """A copy of ``source`` changed by ``change`` (openpyxl keeps its names and tables)."""
    book = openpyxl.load_workbook(source)
    change(book)
    target = folder / name
    book.save(target)
    return target


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def parts(path: Path) -> dict[str, bytes]:
    with zipfile.ZipFile(path) as archive:
        return {name: archive.read(name) for name in archive.namelist()}


def folder_state(folder: Path) -> dict[str, str]:
    """Every file in a folder with its digest: to prove a command wrote or changed nothing."""
    return {p.name: digest(p) for p in sorted(folder.iterdir()) if p.is_file()}


def png_bytes() -> bytes:
    """A tiny valid PNG image."""
    import struct
    import zlib

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    header = struct.pack(">IIBBBBB", 2, 2, 8, 2, 0, 0, 0)
    pixels = zlib.compress(b"\x00\xff\x00\x00\x00\xff\x00" * 2)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", pixels) + chunk(b"IEND", b"")


def planner_workbook(folder: Path, name: str = "planner.xlsx") -> Path:
    """The electronics inputs plus a sheet of the planner's own: formulas over the inputs, formats,
    a workbook name, a chart, an image, a text box, a form button, a comment, conditional
    formatting and a drop-down. With an .xlsm name it carries a VBA project too."""
    import io

    from xlplan.workbook.make.control import xlwings_vba_project
    from xlplan.workbook.make.examples import EXAMPLES, workbook_sheets
    from xlplan.workbook.write.render_xlsxwriter import new_workbook, render_sheet

    target = folder / name
    example = EXAMPLES["electronics"]
    book, formats = new_workbook(str(target), title="planner")
    for sheet in workbook_sheets(*example.data(), example.title, example.about, False):
        render_sheet(book, sheet, formats)
    if target.suffix == ".xlsm":
        book.add_vba_project(str(xlwings_vba_project(folder)))
    mine = book.add_worksheet("My analysis")
    bold = book.add_format({"bold": True, "bg_color": "#FFF2CC", "num_format": "#,##0.0"})
    mine.write_string("A1", "Total high demand")
    mine.write_formula("B1", "=SUM(Demand!C7:N7)+SUM(Demand!C10:N10)+SUM(Demand!C13:N13)", bold, 9136)
    mine.write_string("A2", "Share of A")
    mine.write_formula("B2", "=SUM(Demand!C7:N7)/B1", book.add_format({"num_format": "0.0%"}), 3367 / 9136)
    mine.write_column("D1", [3, 1, 4, 1, 5])
    book.define_name("my_total", "='My analysis'!$B$1")
    chart = book.add_chart({"type": "column"})
    chart.add_series({"values": "='My analysis'!$D$1:$D$5", "name": "mine"})
    mine.insert_chart("F2", chart)
    mine.insert_image("F20", "dot.png", {"image_data": io.BytesIO(png_bytes())})
    mine.insert_textbox("M2", "my notes", {"width": 200, "height": 60})
    mine.insert_button("M8", {"caption": "My macro", "macro": "SampleCall" if target.suffix == ".xlsm" else ""})
    mine.write_comment("A1", "checked by the planner")
    mine.conditional_format("D1:D5", {"type": "cell", "criteria": ">", "value": 2, "format": bold})
    mine.data_validation("C1", {"validate": "list", "source": ["a", "b"]})
    mine.merge_range("A8:C8", "a merged note")
    book.close()
    return target


def chart_parts(book: Path) -> dict[str, str]:
    """Each chart part's XML in ``book``, by the chart's title."""
    charts = {}
    with zipfile.ZipFile(book) as archive:
        for name in archive.namelist():
            if name.startswith("xl/charts/") and name.endswith(".xml"):
                xml = archive.read(name).decode()
                title = "".join(re.findall(r"<a:t>([^<]*)</a:t>", xml.split("</c:title>")[0]))
                charts[title] = xml
    return charts


def axis_range(chart_xml: str, axis: int) -> tuple[float | None, float | None]:
    """The (min, max) a chart's ``axis``-th value or category axis is fixed to (None: the application's)."""
    part = re.findall(r"<c:(?:valAx|catAx)>.*?</c:(?:valAx|catAx)>", chart_xml, flags=re.S)[axis]
    bounds = [re.search(rf'<c:{key} val="([^"]+)"/>', part) for key in ("min", "max")]
    return tuple(float(found.group(1)) if found else None for found in bounds)  # type: ignore[return-value]
