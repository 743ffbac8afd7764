"""An interrupted or killed run never leaves a damaged workbook: the file is the old one or the new
one, whole."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import zipfile
from pathlib import Path

import openpyxl
import pytest

import xlplan as xlplan_package
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
    return subprocess.Popen([sys.executable, "-m", "xlplan", "solve", str(book), "--in-place",
                             "--continuous", *extra], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                            stdin=subprocess.DEVNULL)


PACKAGE = str(Path(xlplan_package.__file__).parent)


def _before_xlplan(code: int, err: bytes) -> bool:
    """Whether a run ended by Ctrl+C before Python ran any of xlplan: killed while the interpreter started
    (-2), or Python's own start failed (exit 1 in its site module). A traceback through xlplan's files
    means xlplan was running and let the press escape: once xlplan runs, every press must end with 130."""
    text = err.decode(errors="replace")
    if PACKAGE in text.replace(f"{PACKAGE}/__init__.py", ""):  # the package's __init__ runs before any guard
        return False
    return code == -signal.SIGINT or (code == 1 and "init_import_site" in text)


PRESS_AT = """\
import importlib.abc, importlib.util, os, runpy, signal, sys

kind, module, function = sys.argv[1:4]
del sys.argv[1:4]


def press() -> None:
    os.kill(os.getpid(), signal.SIGINT)


class PressAt(importlib.abc.MetaPathFinder):
    \"\"\"Presses as ``module`` begins to load, or, once it is loaded, as its ``function`` is called.\"\"\"

    def find_spec(self, name, path, target=None):
        if name != module:
            return None
        sys.meta_path.remove(self)
        if kind == "import":
            press()
            return None
        spec = importlib.util.find_spec(name)
        run_module_code = spec.loader.exec_module

        def exec_module(loaded):
            run_module_code(loaded)
            called = getattr(loaded, function)

            def pressed_as_called(*args, **kwargs):
                press()
                return called(*args, **kwargs)

            setattr(loaded, function, pressed_as_called)

        spec.loader.exec_module = exec_module
        return spec


sys.meta_path.insert(0, PressAt())
runpy.run_module("xlplan", run_name="__main__", alter_sys=True)
"""
"""Runs ``python -m xlplan`` and presses Ctrl+C (a real SIGINT to itself) exactly as a module begins to
load or a function is called: the moment is the program's own, so a busy machine cannot move it (a
test reading ``-X importtime`` lines from a pipe pressed later than it meant, as the run had gone on
while the lines waited)."""


@pytest.mark.parametrize("moment", [("import", "xlplan.frontends", "-"), ("import", "xlplan.progress", "-"),
                                    ("import", "xlplan.commands", "-"), ("import", "xlplan.frontends.cli", "-"),
                                    ("call", "xlplan.frontends.cli", "entry_point"),
                                    ("call", "xlplan.frontends.cli", "main")], ids=lambda m: "-".join(m[:2]) if
                         m[2] == "-" else m[2])
@pytest.mark.parametrize("disposition", [signal.SIG_DFL, signal.SIG_IGN], ids=["in a terminal", "in the background"])
def test_ctrl_c_at_any_moment_of_a_cold_start_exits_130(tmp_path, moment, disposition):
    """A press while Python is still loading xlplan (a cold start: every module compiled afresh), or as
    the command line hands over to its ``main`` before that installs its own handler, ends the run with
    130, its JSON and the file as it was, like a press during the solve; also in a run started with
    Ctrl+C ignored, as a shell starts a background job (a test run from a script is one)."""
    book = copy_of(ELECTRONICS, tmp_path)
    original = book.read_bytes()
    press_at = tmp_path / "press_at.py"
    press_at.write_text(PRESS_AT)
    cold = dict(os.environ, PYTHONPYCACHEPREFIX=str(tmp_path / "pycache"))
    done = subprocess.run([sys.executable, str(press_at), *moment, "solve", str(book), "--in-place", "--continuous",
                           "--json"], capture_output=True, stdin=subprocess.DEVNULL, env=cold, timeout=600,
                          preexec_fn=lambda: signal.signal(signal.SIGINT, disposition))
    err = done.stderr.decode(errors="replace")
    assert done.returncode == 130, err[-2000:]
    assert "Traceback" not in err and "interrupted" in err
    assert json.loads(done.stdout)["exit_code"] == 130
    assert book.read_bytes() == original


def _whole_workbook(path) -> bool:
    with zipfile.ZipFile(path) as archive:
        assert archive.testzip() is None
    return "Plan" in openpyxl.load_workbook(path, read_only=True).sheetnames


MOMENTS = (None, "reading xlplan_demand", "building the extensive form", "solving", "laying out the output sheets",
           "writing the output sheets", "saving")
"""When a run is interrupted: at once (None), or as its progress line on stderr says it reached that step
(each phase's first line; a run that ends before its line is not interrupted and leaves the new file)."""


@pytest.mark.parametrize("sig", [signal.SIGINT, signal.SIGKILL])
def test_killed_runs_leave_the_old_or_the_new_workbook(tmp_path, sig):
    book = copy_of(ELECTRONICS, tmp_path)
    original = book.read_bytes()
    outcomes = set()
    for moment in MOMENTS:
        book.write_bytes(original)
        process = _run(book)
        assert process.stderr is not None
        seen = b""
        if moment is not None:
            for line in process.stderr:
                seen += line
                if line.startswith(b"xlplan: " + moment.encode()):
                    break
        process.send_signal(sig)
        code = process.wait(timeout=600)
        if book.read_bytes() == original:
            outcomes.add("old")
        else:
            assert _whole_workbook(book), f"damaged workbook after {sig.name} at '{moment}'"
            outcomes.add("new")
        if sig == signal.SIGINT:
            assert code in (0, 130) or _before_xlplan(code, seen + process.stderr.read()), code
            leftovers = [p.name for p in tmp_path.iterdir() if p.name.startswith(".")]
            assert leftovers == []
    assert "old" in outcomes  # the runs were interrupted


def _large_lp(highs_class):
    """A transportation LP of 150 x 150 lanes: long enough that it is still being solved a moment after
    it starts."""
    import numpy as np

    from xlplan.solver.highs_api import highspy

    rng = np.random.default_rng(7)
    sources = sinks = 150
    highs = highs_class()
    highs.setOptionValue("output_flag", False)
    highs.setOptionValue("threads", 1)
    lp = highspy.HighsLp()
    lp.num_col_, lp.num_row_ = sources * sinks, sources + sinks
    lp.col_cost_ = rng.uniform(1, 100, sources * sinks)
    lp.col_lower_, lp.col_upper_ = np.zeros(sources * sinks), np.full(sources * sinks, highspy.kHighsInf)
    supply = rng.uniform(50, 100, sources)
    demand = np.full(sinks, supply.sum() / sinks * 0.999)
    lp.row_lower_ = np.concatenate([np.full(sources, -highspy.kHighsInf), demand])
    lp.row_upper_ = np.concatenate([supply, np.full(sinks, highspy.kHighsInf)])
    starts, index = [], []
    for lane in range(sources * sinks):
        starts.append(len(index))
        index += [lane // sinks, sources + lane % sinks]
    lp.a_matrix_.format_ = highspy.MatrixFormat.kColwise
    lp.a_matrix_.start_ = np.array([*starts, len(index)], dtype=np.int32)
    lp.a_matrix_.index_ = np.array(index, dtype=np.int32)
    lp.a_matrix_.value_ = np.ones(len(index))
    highs.passModel(lp)
    return highs


@pytest.mark.skipif(not hasattr(signal, "pthread_sigmask"), reason="the window exists where signals can be held")
def test_ctrl_c_while_highs_starts_its_solve_thread_cancels_the_solve():
    """highspy solves on a thread of its own; a Ctrl+C pressed while that thread starts used to escape
    before highspy waited for it, and the process died in C++ with HiGHS still running. The press now
    cancels the solve like any other: the call returns, the solve has stopped, nothing escapes."""
    from xlplan.solver.highs_adapter import run
    from xlplan.solver.highs_api import highspy

    class PressedAsItStarts(highspy.Highs):
        def startSolve(self):
            thread = super().startSolve()
            os.kill(os.getpid(), signal.SIGINT)  # the press lands before highspy waits for its thread
            return thread

    highs = _large_lp(PressedAsItStarts)
    run(highs)  # before the fix: KeyboardInterrupt escaped here with HiGHS still solving
    assert not highs.is_solver_running()
    assert highs.getModelStatus() in (highspy.HighsModelStatus.kInterrupt, highspy.HighsModelStatus.kOptimal)
