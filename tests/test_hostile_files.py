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


def xlplan(*args: str, timeout: float = 120) -> Run:
    """Run ``xlplan ARGS`` in a fresh process; its exit code, output and peak memory (MB)."""
    done = subprocess.run([sys.executable, "-c", RUNNER, sys.executable, "-m", "xlplan.frontends.cli", *args],
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
    assert len(run.err.strip().splitlines()) == 1
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
    run = xlplan("solve", str(book), "--in-place", timeout=60)
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
