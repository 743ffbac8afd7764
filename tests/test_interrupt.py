"""An interrupted or killed run never leaves a damaged workbook: the file is the old one or the new
one, whole."""

from __future__ import annotations

import signal
import subprocess
import sys
import time
import zipfile

import openpyxl
import pytest

from tests.workbooks import ELECTRONICS, copy_of, digest
from xlplan.workbook.write.files import write_atomically


def test_interrupt_while_writing_keeps_the_original(tmp_path):
    book = copy_of(ELECTRONICS, tmp_path)
    before = digest(book)

    def write_half_then_interrupt(temporary):
        with open(temporary, "wb") as handle:
            handle.write(book.read_bytes()[:1000])
            handle.flush()
            raise KeyboardInterrupt  # Ctrl+C arriving in the middle of the write

    with pytest.raises(KeyboardInterrupt):
        write_atomically(book, write_half_then_interrupt, backup=True)
    assert digest(book) == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["electronics.xlsx"]  # no temporary, no backup


def _run(book, *extra):
    return subprocess.Popen([sys.executable, "-m", "xlplan.frontends.cli", "solve", str(book), "--in-place",
                             "--continuous", *extra], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                            stdin=subprocess.DEVNULL)


def _whole_workbook(path) -> bool:
    with zipfile.ZipFile(path) as archive:
        assert archive.testzip() is None
    return "Plan" in openpyxl.load_workbook(path, read_only=True).sheetnames


@pytest.mark.parametrize("sig", [signal.SIGINT, signal.SIGKILL])
def test_killed_runs_leave_the_old_or_the_new_workbook(tmp_path, sig):
    book = copy_of(ELECTRONICS, tmp_path)
    original = book.read_bytes()
    started = time.perf_counter()
    full = _run(book)
    assert full.wait(timeout=120) == 0
    duration = time.perf_counter() - started
    outcomes = set()
    for k in range(8):
        book.write_bytes(original)
        process = _run(book)
        time.sleep(duration * k / 6)
        process.send_signal(sig)
        code = process.wait(timeout=120)
        if book.read_bytes() == original:
            outcomes.add("old")
        else:
            assert _whole_workbook(book), f"damaged workbook after {sig.name} at {duration * k / 6:.2f} s"
            outcomes.add("new")
        if sig == signal.SIGINT:
            assert code in (0, 130, -signal.SIGINT), process.stderr.read()  # -2: stopped while starting
            leftovers = [p.name for p in tmp_path.iterdir() if p.name.startswith(".")]
            assert leftovers == []
    assert "old" in outcomes  # the sweep did interrupt runs
