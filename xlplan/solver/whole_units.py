"""Whole units at realistic sizes: the LP relaxation's bound, a rounded plan as a first incumbent,
then HiGHS's branch and bound from there.

A year of weekly plans for a dozen products over a hundred scenarios has about 190,000 whole-unit
columns; left to itself, HiGHS's MIP search spends minutes before its first good plan. The LP
relaxation is tight here (electronics: LP 564,341.51, MIP 564,471.50), so:

1. solve the LP relaxation: its optimum is a proven lower bound on the whole-unit optimum;
2. round the plan's whole-unit columns by their running totals (so every cumulative quantity moves
   by less than one unit; up first, then to the nearest, then down, until one fits), pin them,
   re-solve the LP from its optimal basis (hours and workforce follow), and make each scenario's
   recourse whole: most already are; the others are solved as their own small MIP with the plan
   fixed. That is a plan in whole units, with its exact expected cost;
3. if the gap between the two is within the requested MIP gap, stop: the plan is optimal within it;
   otherwise hand HiGHS the full MIP with that plan as its incumbent and the time that is left.

The bound reported is the best of the LP bound and HiGHS's own, so the gap is proven either way. A
limit or Ctrl+C in any step returns the best plan so far with its gap, never as optimal.
"""

from __future__ import annotations

import dataclasses
import time
from collections.abc import Callable

import numpy as np

from xlplan import progress
from xlplan.solver.extensive_form import solve_matrix_model
from xlplan.solver.highs_adapter import MS, TERMINATION, model_status, new_highs, pass_model, read_outcome, run
from xlplan.solver.highs_api import highspy
from xlplan.solver.options import SolveOptions
from xlplan.solver.program import MatrixModel
from xlplan.solver.status import SolutionStatus, SolverOutcome, TerminationCondition

FEASIBLE, NO_SOLUTION = SolutionStatus.FEASIBLE, SolutionStatus.NO_SOLUTION

LARGE_MIP = 20_000
"""Whole-unit columns from which the MIP starts from the rounded LP plan (HiGHS alone does well below)."""


def is_large_mip(model: MatrixModel, whole_units: bool) -> bool:
    """Whether a solve in ``whole_units`` starts from the LP's rounded plan."""
    # rows on an expectation tie the scenarios, which the scenario-by-scenario repair would break
    return whole_units and int(model.integer.sum()) >= LARGE_MIP and not model.expected_rows


Rounding = Callable[[np.ndarray], np.ndarray]
ROUNDINGS: tuple[Rounding, ...] = (np.ceil, np.round, np.floor)
"""The ways the plan's running totals are tried, in order: up first, since making slightly more never
breaks a backorder cap, then to the nearest, then down (slightly less never overfills a warehouse)."""


def rounded_by_running_total(values: np.ndarray, rounding: Rounding = np.round) -> np.ndarray:
    """Whole numbers whose running totals along the last axis (periods) are the running totals of
    ``values`` rounded by ``rounding``: each cumulative quantity moves by less than one unit."""
    totals = rounding(np.cumsum(values, axis=-1) + (-1e-9 if rounding is np.ceil else 1e-9 if rounding is np.floor
                                                     else 0.0))
    return np.diff(totals, axis=-1, prepend=0.0)


def _remaining(options: SolveOptions, started: float) -> SolveOptions:
    if options.time_limit is None:
        return options
    return dataclasses.replace(options, time_limit=max(options.time_limit - (time.perf_counter() - started), 1e-3))


def _interrupted_or_out_of_time(highs: highspy.Highs) -> bool:
    return _termination(highs) in (TerminationCondition.TIME_LIMIT, TerminationCondition.INTERRUPTED)


def _termination(highs: highspy.Highs) -> TerminationCondition:
    return TERMINATION.get(model_status(highs), TerminationCondition.ERROR)


def _stage_one_columns(model: MatrixModel) -> int:
    return 1 + max(int(columns.max(initial=-1)) for columns in model.plan_columns.values())


def _pin_rounded_plan(model: MatrixModel, lp: highspy.Highs, x_lp: np.ndarray, rounding: Rounding) -> None:
    """Pin the LP plan's whole-unit stage-1 columns, rounded by running totals, in ``lp`` (warm)."""
    for columns in model.plan_columns.values():
        present = columns >= 0
        if not present.any() or not model.integer[columns[present]].all():
            continue
        values = np.where(present, x_lp[np.maximum(columns, 0)], 0.0)
        rounded = rounded_by_running_total(values, rounding) if values.ndim >= 1 else rounding(values)
        rounded = np.clip(rounded, model.col_lower[np.maximum(columns, 0)], model.col_upper[np.maximum(columns, 0)])
        index = columns[present].astype(np.int32)
        pinned = np.asarray(rounded[present], dtype=np.float64)
        lp.changeColsBounds(index.size, index, pinned, pinned)


def _whole_recourse(model: MatrixModel, x: np.ndarray, options: SolveOptions, started: float
                    ) -> np.ndarray | None:
    """``x`` with each scenario's recourse made whole: scenarios whose LP recourse is already whole keep
    it; the others are solved as their own small MIP, the plan fixed. None when one has no whole answer
    or a limit stopped it."""
    n1, r1, S = _stage_one_columns(model), model.stage_one_rows, len(model.scenarios)
    n2, r2 = (model.num_cols - n1) // S, (model.num_rows - r1) // S
    x = x.copy()
    matrix = model.matrix.tocsr()
    for s in range(S):
        progress.count(s, S, "scenarios made whole")
        cols = slice(n1 + s * n2, n1 + (s + 1) * n2)
        y = x[cols]
        whole = model.integer[cols]
        if np.all(np.abs(y[whole] - np.round(y[whole])) <= 1e-9):
            x[cols][whole] = np.round(y[whole])
            continue
        rows = slice(r1 + s * r2, r1 + (s + 1) * r2)
        shift = matrix[rows, :n1] @ x[:n1]
        block = dataclasses.replace(
            model, cost=model.cost[cols], offset=0.0, col_lower=model.col_lower[cols], col_upper=model.col_upper[cols],
            integer=whole, matrix=matrix[rows, cols].tocsc(), row_lower=model.row_lower[rows] - shift,
            row_upper=model.row_upper[rows] - shift)
        highs = new_highs(_remaining(options, started), is_mip=True)
        pass_model(highs, block, relax_integrality=False)
        run(highs, is_mip=True)
        if highs.getInfo().primal_solution_status != 2 or highs.getModelStatus() != MS.kOptimal:
            return None
        x[cols] = np.asarray(highs.getSolution().col_value)
    return x


def solve_whole_units(model: MatrixModel, options: SolveOptions) -> SolverOutcome:
    """Solve a large whole-unit extensive form: LP bound, rounded incumbent, then HiGHS's MIP."""
    outcome: SolverOutcome
    started = time.perf_counter()
    lp = new_highs(options, is_mip=False)
    pass_model(lp, model, relax_integrality=True)
    handed = time.perf_counter()
    progress.phase("solving the LP relaxation (a bound on the whole-unit optimum)")
    run(lp)
    if lp.getModelStatus() != MS.kOptimal:
        if _interrupted_or_out_of_time(lp):  # no whole-unit plan yet
            outcome = SolverOutcome.of(_termination(lp), NO_SOLUTION, solver_seconds=lp.getRunTime())
            outcome.timings = {"hand_over": handed - started, "solve": time.perf_counter() - handed, "extract": 0.0}
            return outcome
        # infeasible or worse: HiGHS says which
        return solve_matrix_model(model, _remaining(options, started), whole_units=True)
    bound = float(lp.getInfo().objective_function_value)
    x_lp = np.asarray(lp.getSolution().col_value)
    iterations = {"simplex": int(lp.getInfo().simplex_iteration_count), "ipm": int(lp.getInfo().ipm_iteration_count)}

    progress.bounds(None, bound, None, time.perf_counter() - handed)
    history = [progress.Bounds(time.perf_counter() - handed, None, bound, None)]
    progress.phase("rounding the plan to whole units")
    x_best = None
    for rounding in ROUNDINGS:
        _pin_rounded_plan(model, lp, x_lp, rounding)
        run(lp)  # warm: from the last basis, only the pinned columns moved
        if lp.getModelStatus() == MS.kOptimal:
            x_best = _whole_recourse(model, np.asarray(lp.getSolution().col_value), options, started)
        if x_best is not None or _interrupted_or_out_of_time(lp):
            break
    best = None if x_best is None else float(model.cost @ x_best + model.offset)
    gap = None if best is None else max(best - bound, 0.0) / max(abs(best), 1e-10)
    if best is not None:
        history.append(progress.Bounds(time.perf_counter() - handed, best, bound, gap))
        progress.bounds(best, bound, gap, time.perf_counter() - handed)
    out_of_time = options.time_limit is not None and time.perf_counter() - started >= options.time_limit
    if _interrupted_or_out_of_time(lp) or out_of_time:
        why = _termination(lp)
        outcome = SolverOutcome.of(why if why.is_limit else TerminationCondition.TIME_LIMIT,
                                   FEASIBLE if x_best is not None else NO_SOLUTION, objective=best, bound=bound,
                                   gap=gap, x=x_best, iterations=iterations)
    elif best is not None and gap is not None and gap <= options.mip_gap:
        outcome = SolverOutcome.of(TerminationCondition.CONVERGED, FEASIBLE, objective=best, bound=bound, gap=gap,
                                   x=x_best, iterations=iterations)
    else:
        full = new_highs(_remaining(options, started), is_mip=True)
        pass_model(full, model, relax_integrality=False)
        if x_best is not None:
            start = highspy.HighsSolution()
            start.col_value = list(x_best)
            start.value_valid = True
            full.setSolution(start)
        progress.phase("searching for better whole-unit plans (HiGHS)")
        searched_from = time.perf_counter() - handed
        found = run(full, is_mip=True)
        outcome = read_outcome(full, is_mip=True)
        history += [dataclasses.replace(point, seconds=searched_from + point.seconds,
                                        bound=max(bound, point.bound if point.bound is not None else bound))
                    for point in found]
        if outcome.status.has_plan and outcome.objective is not None:
            outcome.bound = max(bound, outcome.bound if outcome.bound is not None else bound)
            outcome.gap = max(outcome.objective - outcome.bound, 0.0) / max(abs(outcome.objective), 1e-10)
            outcome.settle(outcome.termination, outcome.solution)  # the reason with the gap against the LP's bound
        elif x_best is not None and best is not None and _termination(full).is_limit:
            # HiGHS stopped before it took the plan up
            outcome = SolverOutcome.of(_termination(full), FEASIBLE, objective=best, bound=bound, gap=gap, x=x_best)
        for key, value in iterations.items():
            outcome.iterations[key] = outcome.iterations.get(key, 0) + value
    solved = time.perf_counter()
    outcome.history = history
    outcome.solver_seconds = solved - handed
    outcome.timings = {"hand_over": handed - started, "solve": solved - handed, "extract": 0.0}
    return outcome
