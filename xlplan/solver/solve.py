"""Solve a planning problem: compile, hand over, solve, extract, and explain failures."""

from __future__ import annotations

import time
from collections.abc import Mapping
from datetime import UTC, datetime
from importlib import metadata

import numpy as np
import pyomo.version

from xlplan.model import PLAN_VARIABLES, RECOURSE_VARIABLES
from xlplan.problem import PlanningProblem
from xlplan.solver.compile import MatrixModel, compile_extensive_form
from xlplan.solver.highs_direct import highs_version, solve_matrix_model
from xlplan.solver.infeasibility import explain_infeasibility
from xlplan.solver.options import SolveOptions
from xlplan.solver.solution import PHASES, Solution, SolveInfo
from xlplan.solver.status import SolveStatus
from xlplan.solver.via_pyomo import solve_with_pyomo

ZERO_TOLERANCE = 1e-9


def versions() -> dict[str, str]:
    """Versions of xlplan and of the libraries that shape its answers."""
    return {"xlplan": metadata.version("xlplan"), "pyomo": pyomo.version.version,
            "highs": highs_version(), "highspy": metadata.version("highspy")}


def _tidy(values: np.ndarray, integer: bool) -> np.ndarray:
    """Round whole-unit variables to whole numbers and solver noise around zero to zero."""
    values = np.round(values) if integer else values.copy()
    values[np.abs(values) < ZERO_TOLERANCE] = 0.0
    return values


def _columns_to_values(model: MatrixModel, x: np.ndarray, names: tuple[str, ...],
                       columns: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
    values = {}
    for name in names:
        index = columns[name]
        values[name] = np.where(index >= 0, x[np.maximum(index, 0)], 0.0)
    return values


def solve_problem(problem: PlanningProblem, options: SolveOptions | None = None,
                  fixed_plan: Mapping[str, np.ndarray] | None = None) -> Solution:
    """Solve ``problem`` and return the raw solution with its :class:`SolveInfo`.

    With ``fixed_plan`` (stage-1 values by name, shape (products, periods)) only the recourse is
    optimised: the plan's expected cost under the problem's scenarios, or why it cannot work.
    Most users want :func:`xlplan.solve`, which wraps this in a :class:`~xlplan.PlanResult`.
    """
    options = options or SolveOptions()
    started = time.perf_counter()
    is_mip = problem.settings.integer_units and not options.relax_integrality
    matrix_model: MatrixModel | None = None
    if options.backend == "highs":
        matrix_model = compile_extensive_form(problem)
        if fixed_plan is not None:
            matrix_model.fix_plan(fixed_plan)
        outcome = solve_matrix_model(matrix_model, options)
        plan = recourse = None
        if outcome.x is not None:
            extract_started = time.perf_counter()
            plan = _columns_to_values(matrix_model, outcome.x, PLAN_VARIABLES, matrix_model.plan_columns)
            recourse = _columns_to_values(matrix_model, outcome.x, RECOURSE_VARIABLES,
                                          matrix_model.recourse_columns)
            outcome.timings["extract"] += time.perf_counter() - extract_started
        timings = {**matrix_model.timings, **outcome.timings}
    else:
        outcome, plan, recourse = solve_with_pyomo(problem, options, fixed_plan)
        timings = dict(outcome.timings)

    if plan is not None and recourse is not None:
        plan = {name: _tidy(v, is_mip and name == "production") for name, v in plan.items()}
        recourse = {name: _tidy(v, is_mip) for name, v in recourse.items()}

    explanation = None
    if outcome.status is SolveStatus.INFEASIBLE:
        explain_started = time.perf_counter()
        if matrix_model is None:
            matrix_model = compile_extensive_form(problem)
            if fixed_plan is not None:
                matrix_model.fix_plan(fixed_plan)
        explanation = explain_infeasibility(problem, matrix_model, options)
        timings["explain"] = time.perf_counter() - explain_started

    seconds = {phase: float(timings.get(phase, 0.0)) for phase in PHASES}
    seconds["total"] = time.perf_counter() - started
    size = ({"rows": matrix_model.num_rows, "columns": matrix_model.num_cols,
             "nonzeros": int(matrix_model.matrix.nnz),
             "integer_columns": int(matrix_model.integer.sum()) if is_mip else 0}
            if matrix_model is not None else {})
    S, P, T = problem.shape
    size.update({"scenarios": S, "products": P, "periods": T})
    message = outcome.reason
    if explanation is not None:
        message = f"{message}. {explanation.summary}"
    info = SolveInfo(
        status=outcome.status, message=message, objective=outcome.objective, bound=outcome.bound,
        gap=outcome.gap, is_mip=is_mip, backend=options.backend, options=options, seconds=seconds,
        model_size=size, versions=versions(), iterations=outcome.iterations,
        fingerprint=problem.fingerprint(), finished_at=datetime.now(UTC),
    )
    return Solution(problem, info, plan, recourse, explanation)
