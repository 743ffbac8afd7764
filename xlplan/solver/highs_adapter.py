"""The HiGHS adapter: every HiGHS instance xlplan runs is made by :func:`new_highs` (the options' settings),
run by :func:`run` (Ctrl+C, a MIP's deadline, progress) and read by :func:`read_outcome` (HiGHS's status in
the planner's words); :func:`release_threads` leaves HiGHS's global scheduler as it was found."""

from __future__ import annotations

import functools
import math
import os
import signal
import sys
import threading
import weakref
from collections.abc import Mapping
from typing import Any

import numpy as np

from xlplan import progress
from xlplan.runtime import can_start_threads
from xlplan.solver.highs_api import HIGHSPY, highspy
from xlplan.solver.options import HighsValue, SolveOptions
from xlplan.solver.program import MatrixModel
from xlplan.solver.status import SolutionStatus, SolverOutcome, TerminationCondition
from xlplan.version import package_version

MS = highspy.HighsModelStatus
PRIMAL_FEASIBLE = 2  # HiGHS's kSolutionStatusFeasible
TC = TerminationCondition
TERMINATION = {
    MS.kOptimal: TC.CONVERGED,
    MS.kInfeasible: TC.INFEASIBLE,
    MS.kUnbounded: TC.UNBOUNDED,
    MS.kUnboundedOrInfeasible: TC.INFEASIBLE_OR_UNBOUNDED,
    MS.kTimeLimit: TC.TIME_LIMIT,
    MS.kIterationLimit: TC.ITERATION_LIMIT,
    MS.kSolutionLimit: TC.SOLUTION_LIMIT,
    MS.kInterrupt: TC.INTERRUPTED,
    getattr(MS, "kHighsInterrupt", MS.kInterrupt): TC.INTERRUPTED,
    MS.kObjectiveBound: TC.OBJECTIVE_LIMIT,
    MS.kObjectiveTarget: TC.OBJECTIVE_LIMIT,
    MS.kMemoryLimit: TC.MEMORY_LIMIT,
}
"""HiGHS's model status on the first axis (anything else, such as "Not Set" or a load error: an error)."""


@functools.cache
def _swallow_banner() -> None:
    """HiGHS prints a banner on stdout when the first instance is created, whatever its options;
    it would corrupt machine-readable output (``--json``), so the first instance is made mute."""
    try:
        sys.stdout.flush()
        saved = os.dup(1)
    except (AttributeError, OSError, ValueError):  # no real stdout (e.g. inside Excel)
        highspy.Highs()
        return
    try:
        with open(os.devnull, "w") as devnull:
            os.dup2(devnull.fileno(), 1)
            highspy.Highs()
    finally:
        os.dup2(saved, 1)
        os.close(saved)


def highs_version() -> str:
    _swallow_banner()
    return highspy.Highs().version()


def highs_versions() -> dict[str, str]:
    """The versions behind every HiGHS path: Pyomo (which compiles the model), HiGHS and highspy."""
    import pyomo.version

    versions = {"pyomo": pyomo.version.version, "highs": highs_version()}
    if HIGHSPY:
        versions["highspy"] = package_version("highspy")
    else:  # HiGHS is SciPy's
        versions["scipy"] = package_version("scipy")
    return versions


def new_highs(options: SolveOptions, is_mip: bool, tuning: Mapping[str, HighsValue] | None = None) -> highspy.Highs:
    """A HiGHS instance set up with ``options`` (and a solver part's own ``tuning``, see
    :meth:`SolveOptions.highs_settings`); raises ValueError for an option HiGHS refuses. Every HiGHS
    instance xlplan runs is made here."""
    _swallow_banner()
    if options.threads is not None:
        highspy.Highs.resetGlobalScheduler(True)
    highs = highspy.Highs()
    for name, value in options.highs_settings(is_mip, tuning).items():
        if highs.setOptionValue(name, value) != highspy.HighsStatus.kOk:
            if name == "solver" and value == "hipo":
                raise ValueError(
                    "HiGHS's parallel interior point (hipo) is not available: it needs the "
                    "highspy-extras package at exactly the installed highspy version "
                    f"({highs.version()})")
            raise ValueError(f"HiGHS refused the option {name}={value!r}")
    return highs


def release_threads() -> None:
    """Leave HiGHS's task scheduler as a fresh process has it. The scheduler is global: the first solve run
    in a thread sets how many threads it has, and a later HiGHS instance (xlplan's or anyone's in the same
    long-lived process, such as Excel's) that asks for another number is refused without running ("Not
    Set"). highspy resets it after each solve it runs on its own thread; xlplan's solves that call
    ``Highs.run`` directly (the decomposition's thousands of small LPs) call this once when they end."""
    # highspy 1.15 names it resetThreadScheduler; the highspy of Pyodide (1.11, 1.13) resetGlobalScheduler
    reset = getattr(highspy.Highs, "resetThreadScheduler", None) or highspy.Highs.resetGlobalScheduler
    reset(False)


def pass_model(highs: highspy.Highs, model: MatrixModel, relax_integrality: bool) -> None:
    matrix = model.matrix
    integrality = (np.zeros(model.num_cols, dtype=np.int32) if relax_integrality
                   else model.integer.astype(np.int32))
    status = highs.passModel(
        model.num_cols, model.num_rows, matrix.nnz,
        int(highspy.MatrixFormat.kColwise), int(highspy.ObjSense.kMinimize), model.offset,
        model.cost, model.col_lower, model.col_upper, model.row_lower, model.row_upper,
        matrix.indptr.astype(np.int32), matrix.indices.astype(np.int32), matrix.data, integrality,
    )
    if status == highspy.HighsStatus.kError:
        raise RuntimeError("HiGHS rejected the model matrices")


FALLBACK_SECONDS = 30.0
"""How far past a MIP's time limit HiGHS's own limit is set: the limit is kept by interrupting the MIP
(below); HiGHS's own limit only backs that up."""

_STOPPED_AT_DEADLINE: weakref.WeakSet[highspy.Highs] = weakref.WeakSet()
_INTERRUPTED = (MS.kInterrupt, getattr(MS, "kHighsInterrupt", MS.kInterrupt))


def model_status(highs: highspy.Highs) -> highspy.HighsModelStatus:
    """HiGHS's model status, where a MIP interrupted at its deadline is told as the time limit it is."""
    status = highs.getModelStatus()
    return MS.kTimeLimit if status in _INTERRUPTED and highs in _STOPPED_AT_DEADLINE else status


class _Deadline:
    """A MIP's time limit kept by interrupting it when the time is up. When HiGHS's MIP search reaches
    its own time limit it can go on for a long while before it returns (measured with HiGHS 1.16 on a
    3 x 52 x 40 whole-unit model: 20 s past a 3 s limit), while an interrupt ends it at once (as Ctrl+C
    does); HiGHS's own limit stays, ``FALLBACK_SECONDS`` later."""

    def __init__(self, highs: highspy.Highs) -> None:
        self.highs, self.limit = highs, float(highs.getOptions().time_limit)
        self.passed = threading.Event()
        self.timer: threading.Timer | None = None

    def _interrupt(self, event: Any) -> None:
        if self.passed.is_set():
            event.interrupt()

    def _expire(self) -> None:
        _STOPPED_AT_DEADLINE.add(self.highs)
        self.passed.set()

    def __enter__(self) -> _Deadline:
        _STOPPED_AT_DEADLINE.discard(self.highs)
        # in Pyodide no thread can interrupt: HiGHS's own time limit is the limit there
        if math.isfinite(self.limit) and self.limit < 1e20 and can_start_threads():
            self.highs.setOptionValue("time_limit", self.limit + FALLBACK_SECONDS)
            self.highs.cbMipInterrupt.subscribe(self._interrupt)
            self.highs.cbSimplexInterrupt.subscribe(self._interrupt)
            self.timer = threading.Timer(self.limit, self._expire)
            self.timer.daemon = True
            self.timer.start()
        return self

    def __exit__(self, *exc: object) -> None:
        if self.timer is not None:
            self.timer.cancel()
            self.highs.cbMipInterrupt.unsubscribe(self._interrupt)
            self.highs.cbSimplexInterrupt.unsubscribe(self._interrupt)
            self.highs.setOptionValue("time_limit", self.limit)


def run(highs: highspy.Highs, *, is_mip: bool = False) -> list[progress.Bounds]:
    """Run HiGHS; in the main thread, Ctrl+C stops it cleanly and keeps the best plan so far. A MIP
    (``is_mip``) is held to its time limit by :class:`_Deadline`.

    Returns the MIP's history: its incumbent, bound and gap each time it found a better plan (empty for
    an LP), also reported as progress."""
    # highspy keeps Ctrl+C responsive by solving on a thread of its own: not where threads cannot start
    highs.HandleKeyboardInterrupt = can_start_threads() and threading.current_thread() is threading.main_thread()
    history: list[progress.Bounds] = []

    def improved(event: Any) -> None:
        data = event.data_out
        gap = float(data.mip_gap) if np.isfinite(data.mip_gap) else None
        state = progress.Bounds(float(data.running_time), float(data.objective_function_value),
                                float(data.mip_dual_bound), gap)
        history.append(state)
        progress.bounds(state.objective, state.bound, state.gap, state.seconds)

    def logged(event: Any) -> None:
        data = event.data_out
        if np.isfinite(data.objective_function_value):
            gap = float(data.mip_gap) if np.isfinite(data.mip_gap) else None
            progress.bounds(float(data.objective_function_value), float(data.mip_dual_bound), gap,
                            float(data.running_time))

    highs.cbMipImprovingSolution.subscribe(improved)
    highs.cbMipLogging.subscribe(logged)
    try:
        if is_mip:
            with _Deadline(highs):
                _solve(highs)
        else:
            _solve(highs)
    finally:
        highs.cbMipImprovingSolution.unsubscribe(improved)
        highs.cbMipLogging.unsubscribe(logged)
        if not highs.HandleKeyboardInterrupt:  # highspy ran it on this thread (on its own, it resets itself)
            release_threads()
    return history


def _solve(highs: highspy.Highs) -> None:
    """``highs.solve()``, without highspy's window where Ctrl+C kills the process.

    highspy solves on a thread of its own and waits for it, cancelling on Ctrl+C; but a Ctrl+C that came
    while that thread was being started escaped before the wait, the interpreter exited with HiGHS still
    running on the thread, and C++ aborted the process ("terminate called without an active exception").
    Here a press while the thread starts is held, then handed to the handler that was in place (a front
    end's records it) and cancels the solve like any other press."""
    if not highs.HandleKeyboardInterrupt:  # solved on this thread: nothing runs on after an interrupt
        highs.solve()
        return
    presses: list[int] = []
    handler = signal.signal(signal.SIGINT, lambda signum, frame: presses.append(signum))
    try:
        solving = highs.startSolve()
    finally:
        signal.signal(signal.SIGINT, handler)
    if presses:
        try:
            if callable(handler):
                handler(signal.SIGINT, None)
            elif handler == signal.SIG_DFL:
                raise KeyboardInterrupt
        except KeyboardInterrupt:
            highs.cancelSolve()
    highs.joinSolve(solving)


def read_outcome(highs: highspy.Highs, is_mip: bool) -> SolverOutcome:
    """Translate HiGHS's model status and info into a :class:`SolverOutcome`: its two axes, and for a
    plan its cost, bound and gap."""
    status = model_status(highs)
    info = highs.getInfo()
    has_solution = info.primal_solution_status == PRIMAL_FEASIBLE
    termination = TERMINATION.get(status, TC.ERROR)
    outcome = SolverOutcome.failed(f"HiGHS reported '{highs.modelStatusToString(status)}'")
    outcome.solver_seconds = highs.getRunTime()
    outcome.iterations = {"simplex": int(info.simplex_iteration_count), "ipm": int(info.ipm_iteration_count),
                          "pdlp": int(info.pdlp_iteration_count), "mip_nodes": int(info.mip_node_count)}
    if has_solution:
        outcome.x = np.asarray(highs.getSolution().col_value)
        outcome.objective = float(info.objective_function_value)
        outcome.bound, outcome.gap = ((float(info.mip_dual_bound), float(info.mip_gap)) if is_mip
                                      else (outcome.objective, 0.0))
    solution = (SolutionStatus.OPTIMAL if termination is TC.CONVERGED else SolutionStatus.FEASIBLE) \
        if has_solution else SolutionStatus.NO_SOLUTION
    if termination in (TC.ERROR, TC.INFEASIBLE_OR_UNBOUNDED):  # HiGHS's words say more than ours
        outcome.termination, outcome.solution = termination, solution
        if not outcome.status.has_plan:
            outcome.x = outcome.objective = outcome.bound = outcome.gap = None
    else:
        outcome.settle(termination, solution, "MIP" if is_mip else None)
    return outcome
