"""Input cells read by calamine where it is installed: the same problem, the same messages at the same
cells as openpyxl gives (which reads them where calamine is missing, e.g. in Pyodide)."""

from __future__ import annotations

import datetime

import pytest

from tests.test_sheet_scan import facts_where_calamine_reads
from tests.test_workbook_malformed import DEFECTS
from tests.workbooks import TEMPLATE, edited
from xlplan.frontends.cli import INVALID, main
from xlplan.workbook.make.examples import write_synthetic
from xlplan.workbook.read import fast_cells
from xlplan.workbook.read.file_source import FileSource
from xlplan.workbook.read.reader import read_problem

pytestmark = pytest.mark.skipif(not fast_cells.available(), reason="python-calamine is not installed")


def _validate(book, capsys) -> tuple[int, str]:
    code = main(["validate", str(book)])
    return code, capsys.readouterr().err


def _both_ways(book, capsys, monkeypatch) -> tuple[tuple[int, str], tuple[int, str]]:
    fast = _validate(book, capsys)
    with monkeypatch.context() as without:
        without.setattr(fast_cells, "CalamineWorkbook", None)
        slow = _validate(book, capsys)
    return fast, slow


def test_a_big_range_is_read_by_calamine_into_the_same_problem(tmp_path, monkeypatch):
    book = write_synthetic(tmp_path / "s.xlsx", products=2, periods=8, scenarios=30)
    source = FileSource(book)
    problem = read_problem(source)
    assert source._fast is not None and source._fast._sheets.get("Demand") is not None  # calamine read it
    monkeypatch.setattr(fast_cells, "CalamineWorkbook", None)
    slow_source = FileSource(book)
    assert read_problem(slow_source).fingerprint() == problem.fingerprint()
    assert slow_source._fast is None


@pytest.mark.parametrize("defect", sorted(DEFECTS))
def test_every_malformed_workbook_is_reported_the_same_with_and_without_calamine(defect, tmp_path, capsys,
                                                                                  monkeypatch):
    book = edited(TEMPLATE, tmp_path, DEFECTS[defect][0])
    fast, slow = _both_ways(book, capsys, monkeypatch)
    assert fast == slow and fast[0] == INVALID


def _put(cells: dict[str, object]):
    def change(book):
        for ref, value in cells.items():
            book["Demand"][ref] = value
    return change


@pytest.mark.parametrize("cells", [
    {"E7": datetime.datetime(2024, 1, 2)},  # a date: calamine and openpyxl type it differently
    {"E7": "#N/A", "F7": "=1/0"},  # an error as text, and a formula without a saved result
    {"E7": "", "D6": "x_x000D_y"},  # a blank, and text with an escape calamine would decode
    {"E7": 2.0**60},  # a whole number beyond the exact integers of a float
])
def test_cells_calamine_reads_differently_are_read_by_openpyxl(cells, tmp_path, capsys, monkeypatch):
    book = write_synthetic(tmp_path / "s.xlsx", products=2, periods=8, scenarios=5)
    changed = edited(book, tmp_path, _put(cells), name="changed.xlsx")
    fast, slow = _both_ways(changed, capsys, monkeypatch)
    assert fast == slow
    assert fast[0] == INVALID and "Demand!E7" in fast[1]


def test_validate_reads_without_loading_the_solver_stack(tmp_path):
    """Read from Python's own record of every import (``-X importtime``), not from a clock: reading and
    validating a workbook needs neither Pyomo, HiGHS nor SciPy (about 2 s of imports before)."""
    import subprocess
    import sys

    book = write_synthetic(tmp_path / "s.xlsx", products=2, periods=6, scenarios=4)
    run = subprocess.run([sys.executable, "-X", "importtime", "-m", "xlplan", "validate", str(book), "--json"],
                         capture_output=True, text=True, timeout=600)
    assert run.returncode == 0 and '"status": "valid"' in run.stdout, run.stdout + run.stderr
    imported = {line.rsplit("|", 1)[-1].strip().split(".")[0] for line in run.stderr.splitlines()
                if line.startswith("import time:")}
    assert "xlplan" in imported and not imported & {"pyomo", "highspy", "scipy"}, sorted(imported)


def _style_only(book):
    from openpyxl.styles import PatternFill

    book["Demand"]["M20"].fill = PatternFill("solid", fgColor="FFFF00")


@pytest.mark.parametrize(("change", "light"), [
    (_put({"M9": "=1+1"}), False),  # a formula without a saved result past the data: calamine finds no value
    (_put({"O3": "#N/A"}), False),  # an error past the data: calamine gives "", as for no value
    (_put({"M9": datetime.datetime(2024, 1, 2)}), False),  # a date style in the part: which cells have it?
    (_put({"N3": "", "M12": 3}), True),  # an empty text (no content) and a number past the data
    (lambda book: book["Demand"].merge_cells("L2:M2"), True),  # merged cells past the data
    (_style_only, True),  # a cell with a style only, below and right of the data
], ids=["formula", "error", "date", "text", "merged", "style"])
def test_the_extent_is_calamines_only_where_it_finds_a_value_in_every_cell_with_content(
        change, light, tmp_path, capsys, monkeypatch):
    """Past the data (outside every input range), cells that make calamine's extent differ from the cells
    with content send the part to the whole scan; the others leave it to calamine's read. Either way the
    facts are the streamed ones and the workbook reads as openpyxl reads it."""
    book = write_synthetic(tmp_path / "s.xlsx", products=2, periods=8, scenarios=5)
    changed = edited(book, tmp_path, change, name="changed.xlsx")
    with monkeypatch.context() as spying:
        assert facts_where_calamine_reads(changed, spying)["Demand"] is light
    fast, slow = _both_ways(changed, capsys, monkeypatch)
    assert fast == slow and fast[0] == 0


def test_a_value_in_a_sheets_last_cell_outside_the_ranges_is_not_read_by_calamine(tmp_path, capsys, monkeypatch):
    """calamine holds a sheet as one dense grid: a stray value in XFD1048576 would ask it for 550 GB (and
    abort the process); such a sheet is read by openpyxl, which streams the range alone."""
    book = write_synthetic(tmp_path / "s.xlsx", products=2, periods=8, scenarios=5)
    changed = edited(book, tmp_path, _put({"XFD1048576": "stray"}), name="changed.xlsx")
    fast, slow = _both_ways(changed, capsys, monkeypatch)
    assert fast == slow and fast[0] == 0


def test_text_calamine_would_trim_is_read_by_openpyxl(tmp_path, capsys, monkeypatch):
    """Blanks at an end of a shared string written without xml:space="preserve" (Excel and openpyxl always
    write it; other writers may not): calamine trims them, openpyxl keeps them, and a message quotes them."""
    import zipfile

    book = write_synthetic(tmp_path / "s.xlsx", products=2, periods=8, scenarios=5)
    changed = tmp_path / "changed.xlsx"
    with zipfile.ZipFile(book) as source, zipfile.ZipFile(changed, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            data = source.read(info)
            if info.filename == "xl/sharedStrings.xml":
                assert b"<t>Probability</t>" in data
                data = data.replace(b"<t>Probability</t>", b"<t> Probabilty </t>")
            target.writestr(info, data)
    fast, slow = _both_ways(changed, capsys, monkeypatch)
    assert fast == slow and fast[0] == INVALID and "' Probabilty '" in fast[1]


def test_a_sheet_with_a_cell_without_reference_is_not_read_by_calamine(tmp_path, capsys, monkeypatch):
    """A cell without a reference (allowed: it follows the one before) leaves the extent unknown, and
    calamine's dense grid unbounded: openpyxl reads such a sheet."""
    import zipfile

    book = write_synthetic(tmp_path / "s.xlsx", products=2, periods=8, scenarios=5)
    changed = tmp_path / "changed.xlsx"
    with zipfile.ZipFile(book) as source, zipfile.ZipFile(changed, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            data = source.read(info)
            if info.filename == "xl/worksheets/sheet4.xml":  # Demand
                assert b'<c r="D7" ' in data
                data = data.replace(b'<c r="D7" ', b"<c ")
            target.writestr(info, data)
    source = FileSource(changed)
    try:
        read_problem(source)
        assert not source.package.facts("Demand").exact and source._fast._sheets.get("Demand") is None
    finally:
        source.close()
    fast, slow = _both_ways(changed, capsys, monkeypatch)
    assert fast == slow and fast[0] == 0
