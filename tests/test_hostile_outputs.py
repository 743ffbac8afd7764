"""Nothing lost (issue 19): every file a command writes is checked before any work starts, no command writes
over a file it reads, only regular files are read, a damaged or oversized warm-start file means a cold start,
and file names in any encoding are handled."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests import hostile
from tests.test_hostile_files import FILE_ERROR, PEAK_MB, assert_refused, in_process, xlplan
from tests.workbooks import FACTORY_PHYSICS, copy_of, folder_state

USAGE = 2


@pytest.fixture
def book(tmp_path) -> Path:
    return copy_of(FACTORY_PHYSICS, tmp_path, "b.xlsx")


# ---------------------------------------------------------------------------- outputs naming inputs (items 1, 9)
def test_a_warm_start_naming_the_workbook_leaves_it_byte_identical(book, capsys):
    before = folder_state(book.parent)
    run = in_process(capsys, "solve", str(book), "-o", str(book.parent / "o.xlsx"), "--warm-start", str(book))
    assert_refused(run, USAGE, "--warm-start", "names the input workbook")
    assert folder_state(book.parent) == before


def test_a_warm_start_linked_to_the_workbook_or_its_backup_is_refused(book, capsys):
    (book.parent / "b.backup.xlsx").write_bytes(b"the only backup")
    (book.parent / "link.npz").symlink_to(book)
    before = folder_state(book.parent)
    for warm in ("link.npz", "b.backup.xlsx"):
        run = in_process(capsys, "solve", str(book), "--in-place", "--warm-start", str(book.parent / warm))
        assert run.code == USAGE, run.err
    assert folder_state(book.parent) == before


def test_a_warm_start_and_the_output_cannot_be_one_file(book, capsys):
    run = in_process(capsys, "solve", str(book), "-o", str(book.parent / "o.npz"), "--warm-start",
                     str(book.parent / "o.npz"))
    assert_refused(run, USAGE, "name one file")


@pytest.mark.parametrize("args, words", [
    (["solve", "{book}", "-o", "{folder}/out.xls"], ["-o", "out.xls", "must be named .xlsx", "use", "out.xlsx"]),
    (["solve", "{book}", "-o", "{folder}/out.csv"], ["must be named .xlsx, not '.csv'"]),
    (["template", "{folder}/t.xls"], ["must be named .xlsx, not '.xls'"]),
    (["report", "{book}", "-o", "{folder}/b.backup.xlsx"], ["the backup of", "must be named .html"]),
    (["report", "{book}", "-o", "{book}"], ["names the input workbook"]),
    (["solve", "{book}", "--warm-start", "{folder}/basis.txt"], ["must be named .npz"]),
])
def test_outputs_named_wrong_are_usage_errors_and_nothing_is_written(book, capsys, args, words):
    (book.parent / "b.backup.xlsx").write_bytes(b"the only backup")
    before = folder_state(book.parent)
    run = in_process(capsys, *[a.format(book=book, folder=book.parent) for a in args])
    assert_refused(run, USAGE, *words)
    assert folder_state(book.parent) == before


# ---------------------------------------------------------------------------- checked before the work (items 2, 8)
def invalid_book(folder: Path) -> Path:
    """A workbook whose inputs are invalid (exit 3 once read): an output refused with exit 6 instead proves
    that the outputs were checked before the workbook was read."""
    return hostile.with_cells(folder, "invalid.xlsx", {("Products", "B5"): "two"})


@pytest.mark.parametrize("where, words", [
    ("missing/basis.npz", ["--warm-start", "the folder", "missing does not exist"]),
    ("folder.npz", ["--warm-start", "is a folder"]),
])
def test_a_warm_start_that_cannot_be_written_is_refused_before_the_solve(tmp_path, capsys, where, words):
    book = invalid_book(tmp_path)
    (tmp_path / "folder.npz").mkdir()
    before = folder_state(tmp_path)
    run = in_process(capsys, "solve", str(book), "--warm-start", str(tmp_path / where))
    assert_refused(run, FILE_ERROR, *words)
    assert folder_state(tmp_path) == before
    assert not list(tmp_path.rglob("*.partial.npz")) and not (tmp_path / "invalid-plan.xlsx").exists()


def test_a_backup_name_too_long_is_refused_before_the_solve(tmp_path, capsys):
    book = invalid_book(tmp_path).rename(tmp_path / ("n" * 245 + ".xlsx"))  # its backup's name is 257 bytes
    before = folder_state(tmp_path)
    run = in_process(capsys, "solve", str(book), "--in-place")
    assert_refused(run, FILE_ERROR, "the file name is 257 bytes long, more than the 255 the file system allows")
    assert folder_state(tmp_path) == before


@pytest.mark.parametrize("args", [["solve", "{book}", "-o", "/proc/o.xlsx"], ["template", "/proc/x.xlsx"],
                                  ["report", "{book}", "-o", "/proc/r.html"]])
def test_a_folder_where_nothing_can_be_created_is_refused_before_the_work(tmp_path, capsys, args):
    book = invalid_book(tmp_path)
    run = in_process(capsys, *[a.format(book=book) for a in args])
    assert_refused(run, FILE_ERROR, "no file can be created in the folder /proc")


# ---------------------------------------------------------------------------- only regular files are read (item 6)
def test_a_fifo_named_like_a_workbook_is_refused_at_once(tmp_path):
    fifo = tmp_path / "book.xlsx"
    os.mkfifo(fifo)
    run = xlplan("validate", str(fifo), timeout=600)  # before: blocked for good opening it
    assert_refused(run, FILE_ERROR, "book.xlsx: is a pipe (FIFO), not a workbook file")


def test_a_link_to_a_device_is_refused_at_once(tmp_path):
    (tmp_path / "zero.xlsx").symlink_to("/dev/zero")
    run = xlplan("solve", str(tmp_path / "zero.xlsx"), timeout=600)  # before: read until memory ran out
    assert_refused(run, FILE_ERROR, "zero.xlsx: is a device, not a workbook file")


# ---------------------------------------------------------------------------- warm-start files (item 2)
@pytest.fixture(scope="module")
def saved_basis(tmp_path_factory) -> tuple[Path, float]:
    """A basis saved by a solve of the factory_physics example, and that solve's optimum."""
    folder = tmp_path_factory.mktemp("basis")
    book = copy_of(FACTORY_PHYSICS, folder)
    done = subprocess.run([sys.executable, "-m", "xlplan", "solve", str(book), "--warm-start",
                           str(folder / "basis.npz"), "--json"], capture_output=True, text=True, check=True)
    return folder / "basis.npz", json.loads(done.stdout)["objective"]


def test_every_damaged_warm_start_is_ignored_in_one_line_and_the_solve_starts_cold(tmp_path, capsys, saved_basis):
    basis, optimum = saved_basis
    book = copy_of(FACTORY_PHYSICS, tmp_path)
    for kind, damaged in hostile.damaged_warm_starts(tmp_path, basis).items():
        run = in_process(capsys, "solve", str(book), "-o", str(tmp_path / "o.xlsx"), "--warm-start", str(damaged),
                         "--json")
        assert run.code == 0, (kind, run.err)
        payload = json.loads(run.out)
        assert payload["objective"] == optimum, kind
        [notice] = [w for w in payload["warnings"] if w["code"] == "warm_start"] or [kind]
        assert f"warm start {damaged} ignored: it" in notice["message"], (kind, notice)
        assert "the solve started cold" in notice["message"]
        with open(damaged, "rb") as saved:  # and this solve's basis is saved in its place
            assert saved.read(2) == b"PK"


def test_an_oversized_warm_start_is_refused_before_it_is_unpacked(tmp_path):
    huge = hostile.oversized_warm_start(tmp_path)
    assert huge.stat().st_size < 1_000_000
    book = copy_of(FACTORY_PHYSICS, tmp_path)
    run = xlplan("solve", str(book), "--warm-start", str(huge), timeout=600)
    assert run.code == 0, run.err
    assert "it declares more than" in run.out and "the solve started cold" in run.out
    assert run.peak_mb < PEAK_MB, run.peak_mb


# ---------------------------------------------------------------------------- names in any encoding (item 4)
def test_a_file_name_that_is_not_utf8_is_solved_and_shown_with_escapes(tmp_path):
    folder = os.fsencode(tmp_path)
    name = folder + b"/b\xff.xlsx"
    with open(name, "wb") as out:
        out.write(FACTORY_PHYSICS.read_bytes())
    env = {**os.environ, "PYTHONIOENCODING": "utf-8:strict"}  # a UTF-8 terminal's strict encoder
    done = subprocess.run([sys.executable, "-m", "xlplan", "solve", name], capture_output=True, env=env,
                          timeout=600)
    assert done.returncode == 0, done.stderr
    assert b"wrote " + folder + b"/b\\xff-plan.xlsx" in done.stdout
    assert os.path.exists(folder + b"/b\xff-plan.xlsx")
    done = subprocess.run([sys.executable, "-m", "xlplan", "validate", name, "--json"], capture_output=True, env=env,
                          timeout=600)
    assert done.returncode == 0 and json.loads(done.stdout)["workbook"].endswith("b\\xff.xlsx")


# ---------------------------------------------------------------------------- one run in place at a time (item 10)
def test_a_second_run_in_place_finds_the_workbook_busy(book, capsys):
    from xlplan.workbook.write.files import locked, run_lock_path

    with locked(book):  # the first run, holding the workbook while it solves
        assert run_lock_path(book).exists()
        before = folder_state(book.parent)
        run = xlplan("solve", str(book), "--in-place")  # a second process
        assert_refused(run, FILE_ERROR, "b.xlsx: the workbook is busy: another xlplan run (process "
                       f"{os.getpid()} on ", "lock file .~xlplan.b.xlsx#")
        assert folder_state(book.parent) == before
        assert in_process(capsys, "solve", str(book), "-o", str(book.parent / "o.xlsx")).code == 0  # reading is fine
    assert not run_lock_path(book).exists()
    assert in_process(capsys, "clear", str(book), "--in-place").code == 0
    assert not run_lock_path(book).exists()  # released after the run


def test_a_lock_left_by_a_killed_run_is_taken_over(book, capsys):
    import socket

    from xlplan.workbook.write.files import run_lock_path

    finished = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True)
    run_lock_path(book).write_text(f"{int(finished.stdout)} {socket.gethostname()}\n")  # that process has ended
    run = in_process(capsys, "solve", str(book), "--in-place", "--no-backup")
    assert run.code == 0, run.err
    assert not run_lock_path(book).exists()


# ------------------------------------------------------------------------- sheets and names, before the work (item 8)
def test_a_planners_sheet_where_an_output_goes_is_refused_before_the_inputs_are_read(tmp_path, capsys):
    book = invalid_book(tmp_path)
    clash = hostile.with_sheet(tmp_path, "plan", source=book)
    before = folder_state(tmp_path)
    run = in_process(capsys, "solve", str(clash), "--in-place")
    assert_refused(run, FILE_ERROR, "the workbook has its own sheet 'plan', where xlplan writes its results")
    assert folder_state(tmp_path) == before


def test_validate_warns_of_what_would_stop_the_results_being_written(tmp_path, capsys):
    book = hostile.with_sheet(tmp_path, "plan").rename(tmp_path / ("n" * 245 + ".xlsx"))
    run = in_process(capsys, "validate", str(book), "--json")
    assert run.code == 0, run.err
    payload = json.loads(run.out)
    assert payload["status"] == "valid"
    messages = [w["message"] for w in payload["warnings"] if w["code"] == "outputs"]
    assert len(messages) == 2, messages
    assert messages[0].startswith("the workbook has its own sheet 'plan', where xlplan writes its results")
    assert messages[1].startswith("solve --in-place would fail: ") and "the file name is 257 bytes long" in messages[1]
