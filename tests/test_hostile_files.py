"""Hostile workbooks (issue 12, item 10): every one is refused or read in bounded memory and time, with
one sentence naming the part, sheet or cell, exit 6 (a file problem) or 3 (a layout problem), no
traceback, no temporary file left, and the original byte for byte as it was."""

from __future__ import annotations

import json
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests import hostile
from tests.workbooks import digest, folder_state
from xlplan.frontends.cli import main
from xlplan.workbook.contract import START_NAME

FILE_ERROR, INVALID = 6, 3
PEAK_MB = 500
# runs the command line as its own child, so that RUSAGE_CHILDREN is that one process's peak
RUNNER = ("import json, resource, subprocess, sys\n"
          "done = subprocess.run(sys.argv[1:], capture_output=True, text=True, stdin=subprocess.DEVNULL)\n"
          "peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024\n"
          "print(json.dumps({'code': done.returncode, 'out': done.stdout, 'err': done.stderr, 'peak': peak}))\n")


@dataclass
class Run:
    code: int
    out: str
    err: str
    peak_mb: float


def xlplan(*args: str, timeout: float = 600) -> Run:
    """Run ``xlplan ARGS`` in a fresh process; its exit code, output and peak memory (MB)."""
    done = subprocess.run([sys.executable, "-c", RUNNER, sys.executable, "-m", "xlplan", *args],
                          capture_output=True, text=True, timeout=timeout)
    result = json.loads(done.stdout)
    return Run(result["code"], result["out"], result["err"], result["peak"])


def assert_refused(run: Run, code: int, *words: str) -> None:
    """Refused with ``code``, in one sentence holding ``words``, within the memory bound."""
    assert run.code == code, run.err + run.out
    assert "Traceback" not in run.err + run.out
    message = run.err.strip()
    for word in words:
        assert word in message, message
    assert run.peak_mb < PEAK_MB, run.peak_mb


@pytest.fixture(scope="module")
def bombs(tmp_path_factory) -> dict[str, Path]:
    folder = tmp_path_factory.mktemp("bombs")
    return {kind: make(folder) for kind, make in hostile.BOMBS.items()}


PART_NAMED = {
    "no styles": "xl/styles.xml is missing", "no shared strings": "xl/sharedStrings.xml is missing",
    "no workbook part": "xl/workbook.xml is missing", "no products sheet": "xl/worksheets/sheet2.xml is missing",
    "no products table": "xl/tables/table1.xml is missing", "no content types": "[Content_Types].xml is missing",
    "no workbook relationships": "xl/_rels/workbook.xml.rels is missing",
    "truncated styles": "xl/styles.xml is damaged", "garbage styles": "xl/styles.xml is damaged",
    "truncated shared strings": "xl/sharedStrings.xml is damaged",
    "truncated workbook part": "xl/workbook.xml is damaged",
    "truncated products sheet": "xl/worksheets/sheet2.xml (sheet 'Products') is damaged",
    "truncated table": "xl/tables/table1.xml is damaged",
    "truncated relationships": "xl/_rels/workbook.xml.rels is damaged",
    "table with an empty ref": "the table 'Products' covers '', which is not a range",
    "table with a nonsense ref": "the table 'Products' covers 'A4:nonsense', which is not a range",
    "table over the whole sheet": "covers A4:XFD1048576, 16,384 columns, but names 7 columns",
    "billion laughs in shared strings": "xl/sharedStrings.xml declares a DTD or entities",
    "external entity in a sheet": "xl/worksheets/sheet2.xml declares a DTD or entities",
    "DTD in the workbook part": "xl/workbook.xml declares a DTD or entities",
}


def test_every_damaged_class_is_named():
    assert set(PART_NAMED) == set(hostile.DAMAGED)


def in_process(capsys, *args: str) -> Run:
    """``xlplan ARGS`` in this process (an exception escaping ``main`` fails the test: no traceback)."""
    code = main(list(args))
    captured = capsys.readouterr()
    return Run(code, captured.out, captured.err, 0.0)


@pytest.mark.parametrize("kind", sorted(hostile.DAMAGED))
def test_damaged_packages_are_refused_naming_the_part(tmp_path, capsys, kind):
    book = hostile.damaged(tmp_path, kind)
    before = folder_state(tmp_path)
    run = in_process(capsys, "solve", str(book), "--in-place", "--continuous")
    assert_refused(run, FILE_ERROR, PART_NAMED[kind], book.name)
    # one line says what is wrong; before it, in a log, only the progress lines of the reading it stopped
    lines = run.err.strip().splitlines()
    assert all(line.startswith("xlplan: reading ") for line in lines[:-1]), lines
    assert PART_NAMED[kind] in lines[-1]
    assert folder_state(tmp_path) == before  # byte-identical, no backup, no temporary file


def test_a_damaged_sheet_is_refused_in_bounded_memory(tmp_path):
    book = hostile.damaged(tmp_path, "truncated products sheet")
    assert_refused(xlplan("validate", str(book)), FILE_ERROR, PART_NAMED["truncated products sheet"])


@pytest.mark.parametrize("kind, words", [
    ("shared strings inflating to 1 GB", ["xl/sharedStrings.xml inflates to 1,024 MB", "32 MB"]),
    ("sheet inflating to 300 MB", ["xl/worksheets/sheet2.xml inflates to 300 MB", "256 MB"]),
    ("shared strings compressed 1000 times (30 MB)", ["xl/sharedStrings.xml is compressed", "zip bombs"]),
])
def test_zip_bombs_are_refused_before_inflating(bombs, kind, words):
    book = bombs[kind]
    before = digest(book)
    run = xlplan("solve", str(book), "--in-place", timeout=600)
    assert_refused(run, FILE_ERROR, *words)
    assert run.peak_mb < 200  # nothing was inflated: only the interpreter and its libraries
    assert digest(book) == before


def test_a_table_shifted_by_a_row_is_a_layout_problem(tmp_path, capsys):
    run = in_process(capsys, "validate", str(hostile.shifted_table(tmp_path)))
    assert_refused(run, INVALID, "Products!A3:G6 (xlplan_products): the Excel table 'Products' covers A3:G6, "
                   "but the name 'xlplan_products' starts at A4")


def test_a_name_over_a_whole_sheet_reads_only_the_cells_in_use(tmp_path):
    run = xlplan("validate", str(hostile.whole_sheet_name(tmp_path)), "--json")
    assert run.code == 0, run.err
    assert json.loads(run.out)["products"] == ["A", "B", "C"]
    assert run.peak_mb < PEAK_MB


def test_a_stray_value_in_the_last_cell_of_a_sheet_is_a_layout_problem(tmp_path, capsys):
    run = in_process(capsys, "validate", str(hostile.far_cell(tmp_path)))
    assert_refused(run, INVALID, "Products!A4:XFD1048576 (xlplan_products)", "17,179,820,032 cells in use",
                   "clear the cells far below or to the right")


# ---------------------------------------------------------------------------- numbers (item 12)
@pytest.mark.parametrize("sheet, cell, value, expected", [
    ("Cost rates", "I5", 1e300, "'Cost rates'!I5 (xlplan_costs): 1e+300 is more than 1,000,000,000, the most xlplan "
     "accepts here (0 to 1,000,000,000 currency / unit) (Holding cost, product A, period 1)"),
    ("Products", "B5", 1e300, "Products!B5 (xlplan_products): 1e+300 is more than 1,000,000, the most xlplan accepts "
     "here (more than 0, up to 1,000,000 labour h / unit) (Hours per unit, product A)"),
    ("Products", "D6", 1e300, "Products!D6 (xlplan_products): 1e+300 is more than 1,000,000,000"),
    ("Demand", "C5", 1e15, "Demand!C5 (xlplan_demand): 1e+15 is more than 1,000,000,000, the most xlplan accepts "
     "here (0 to 1,000,000,000 units) (Demand, product A, period 1, scenario low)"),
    ("Settings", "B7", 1e15, "Settings!B7 (xlplan_settings): 1e+15 is more than 1,000,000,000,000, the most xlplan "
     "accepts here (0 to 1,000,000,000,000); leave it blank for no limit (Warehouse capacity)"),
])
def test_numbers_beyond_their_range_are_refused_with_their_cell(tmp_path, capsys, sheet, cell, value, expected):
    book = hostile.with_cells(tmp_path, "numbers.xlsx", {(sheet, cell): value})
    before = folder_state(tmp_path)
    run = in_process(capsys, "solve", str(book), "--in-place")
    assert run.code == INVALID and expected in run.err, run.err
    assert folder_state(tmp_path) == before


def test_every_number_has_a_documented_range():
    from xlplan.model.plan_table import PLAN_FIELDS
    from xlplan.problem.fields import (
        COST_FIELDS,
        DEMAND_FIELD,
        NOISE_FIELDS,
        PRODUCT_FIELDS,
        SETTING_FIELDS,
        SIMULATION_FIELDS,
    )
    from xlplan.workbook import contract_markdown

    numbers = [f for f in (*PRODUCT_FIELDS, *COST_FIELDS, *SETTING_FIELDS, *NOISE_FIELDS, *PLAN_FIELDS, DEMAND_FIELD,
                           *SIMULATION_FIELDS) if f.kind not in ("flag", "choice") and f.name != "seed"]
    assert [f.name for f in numbers if f.maximum is None] == []
    table = contract_markdown()
    for f in numbers:
        assert f"| {f.range_text} |" in table
    assert "| Holding cost | Cost of keeping one unit in the regular warehouse at the end of a period. | currency / " \
           "unit | 0 to 1,000,000,000 |" in table


# ---------------------------------------------------------------------------- names and paths (item 13)
@pytest.mark.parametrize("title, words", [
    ("plan", ["the workbook has its own sheet 'plan', where xlplan writes its results"]),
    ("x" * 40, ["Excel would refuse to open the workbook: the sheet 'xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx' is 40 "
                "characters long (at most 31)"]),
])
@pytest.mark.filterwarnings("ignore:Title is more than 31 characters")
def test_sheet_names_excel_refuses_are_refused_before_writing(tmp_path, capsys, title, words):
    book = hostile.with_sheet(tmp_path, title)
    before = folder_state(tmp_path)
    run = in_process(capsys, "solve", str(book), "--in-place", "--continuous")
    assert_refused(run, FILE_ERROR, *words)
    assert folder_state(tmp_path) == before


def test_a_sheet_name_with_an_apostrophe_is_read(tmp_path, capsys):
    book = hostile.renamed_sheet(tmp_path, "Products", "Planner's products")
    run = in_process(capsys, "solve", str(book), "--continuous", "--json")
    assert run.code == 0, run.err
    assert json.loads(run.out)["units_produced"]


def test_a_240_character_file_name_is_solved_and_a_longer_output_name_refused(tmp_path, capsys):
    book = hostile.rezipped(tmp_path, "n" * 240 + ".xlsx", {})
    assert in_process(capsys, "solve", str(book), "--continuous").code == 0
    assert sorted(len(p.name) for p in tmp_path.iterdir()) == [245, 250]  # the book and BOOK-plan.xlsx, no temporary
    longer = hostile.rezipped(tmp_path, "m" * 250 + ".xlsx", {})
    before = folder_state(tmp_path)
    run = in_process(capsys, "solve", str(longer), "--continuous")
    assert_refused(run, FILE_ERROR, "the file name is 260 bytes long, more than the 255 the file system allows")
    assert folder_state(tmp_path) == before


def test_a_backup_path_that_is_a_folder_is_refused_and_nothing_is_left_behind(tmp_path, capsys):
    book = hostile.rezipped(tmp_path, "book.xlsx", {})
    (tmp_path / "book.backup.xlsx").mkdir()
    before = folder_state(tmp_path)
    run = in_process(capsys, "solve", str(book), "--in-place", "--continuous")
    assert_refused(run, FILE_ERROR, "the backup book.backup.xlsx would replace a folder of that name")
    assert folder_state(tmp_path) == before and list((tmp_path / "book.backup.xlsx").iterdir()) == []


def test_a_large_planners_sheet_is_copied_through_in_bounded_memory(tmp_path):
    """A planner's own sheet of about 70 MB (a legitimate one, compressing some 10 times) beside the inputs: solve
    reads only the inputs and copies the big part through without holding it. The sheet is the first one, the
    Start sheet made the planner's: without the name that marks xlplan's dashboard, xlplan neither reads nor
    redraws it."""
    book = hostile.rezipped(tmp_path, "big.xlsx", {})
    row = b'<row r="%d"><c r="A%d"><v>%d</v></c><c r="B%d" t="inlineStr"><is><t>note %d</t></is></c></row>'
    info = hostile.zipfile.ZipInfo("xl/worksheets/sheet1.xml")
    info.compress_type = hostile.zipfile.ZIP_DEFLATED
    with hostile.zipfile.ZipFile(book) as original:
        parts = {i.filename: original.read(i) for i in original.infolist() if i.filename != info.filename}
    dashboard = f'<definedName name="{START_NAME}">Start!$A$1:$C$7</definedName>'.encode()
    assert dashboard in parts["xl/workbook.xml"]
    parts["xl/workbook.xml"] = parts["xl/workbook.xml"].replace(dashboard, b"")
    with hostile.zipfile.ZipFile(book, "w", hostile.zipfile.ZIP_DEFLATED) as out:
        for name, content in parts.items():
            out.writestr(name, content)
        with out.open(info, "w") as stream:  # the Start sheet, made huge and the planner's
            stream.write(hostile.SHEET)
            for r in range(1, 700_000):
                stream.write(row % (r, r, r * 7919 % 1000003, r, r))
            stream.write(b"</sheetData></worksheet>")
    run = xlplan("solve", str(book), "--continuous", timeout=600)
    assert run.code == 0, run.err
    assert run.peak_mb < PEAK_MB, run.peak_mb
