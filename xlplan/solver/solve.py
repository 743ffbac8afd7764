"""Solve a planning problem with any registered solver: the same rounding, explanation and record for all."""

from __future__ import annotations

import time
from collections.abc import Mapping
from datetime import UTC, datetime

import numpy as np

from xlplan.model import Formulation
from xlplan.problem import PlanningProblem
from xlplan.solver.compile import compile_extensive_form
from xlplan.solver.infeasibility import explain_infeasibility
from xlplan.solver.interface import Solver, solver_named
from xlplan.solver.options import SolveOptions
from xlplan.solver.request import SolveRequest
from xlplan.solver.solution import PHASES, Solution, SolveInfo
from xlplan.solver.status import SolveStatus
from xlplan.solver.warm import WarmStart
from xlplan.version import package_version

ZERO_TOLERANCE = 1e-9


def versions(solver: Solver | None = None) -> dict[str, str]:
    """Versions of xlplan and of the libraries that shape a solver's answers (default: ``highs``)."""
    return {"xlplan": package_version("xlplan"), **(solver or solver_named("highs")).versions()}


def _tidy(values: np.ndarray, whole: bool) -> np.ndarray:
    """Round whole-unit variables to whole numbers and solver noise around zero to zero."""
    values = np.round(values) if whole else np.array(values, dtype=float)
    values[np.abs(values) < ZERO_TOLERANCE] = 0.0
    return values


def chosen_solver(problem: PlanningProblem, options: SolveOptions, formulation: Formulation | None = None) -> str:
    """The name of the registered solver a solve of ``problem`` with ``options`` runs."""
    return SolveRequest.resolve(problem, options, formulation).solver.name


def solve_problem(problem: PlanningProblem, options: SolveOptions | None = None,
                  fixed_plan: Mapping[str, np.ndarray] | None = None,
                  formulation: Formulation | None = None, *, warm_start: WarmStart | None = None) -> Solution:
    """Solve ``problem`` with the solver ``options.backend`` names and return the raw solution with
    its :class:`SolveInfo`.

    With ``fixed_plan`` (stage-1 values by name, shape (products, periods)) only the recourse is
    optimised: the plan's expected cost under the problem's scenarios, or why it cannot work.
    ``formulation`` is the model (default: the production-planning model with the parts the problem's
    settings ask for: mean-CVaR for a risk weight, the fill-rate rule for a target). The choices are made
    once (:class:`SolveRequest`); options the chosen solver cannot honour raise
    :class:`~xlplan.solver.registry.UnsupportedRequest`. Most users want
    :func:`xlplan.solve`, which wraps this in a :class:`~xlplan.PlanResult`.
    """
    started = time.perf_counter()
    request = SolveRequest.resolve(problem, options, formulation, fixed_plan=fixed_plan, warm_start=warm_start)
    options, formulation, whole = request.options, request.formulation, request.whole_units
    solver = solver_named(request.solver.name)
    run = solver.solve(request)
    outcome, plan, recourse, timings = run.outcome, run.plan, run.recourse, dict(run.timings)
    if plan is not None and recourse is not None:
        plan = {name: _tidy(v, whole and formulation.variable(name).whole) for name, v in plan.items()}
        recourse = {name: _tidy(v, whole and formulation.variable(name).whole) for name, v in recourse.items()}

    explanation = None
    if outcome.status is SolveStatus.INFEASIBLE:
        explain_started = time.perf_counter()
        matrix_model = run.matrix_model
        if matrix_model is None:
            matrix_model = compile_extensive_form(problem, formulation)
            if fixed_plan is not None:
                matrix_model.fix_plan(fixed_plan)
        explanation = explain_infeasibility(request, matrix_model)
        timings["explain"] = time.perf_counter() - explain_started

    seconds = {phase: float(timings.get(phase, 0.0)) for phase in PHASES}
    seconds["total"] = time.perf_counter() - started
    S, P, T = problem.shape
    size = {**run.model_size, "scenarios": S, "products": P, "periods": T}
    message = outcome.reason
    if request.auto:
        message += f" (method auto: decomposition, for {problem.shape[0]:,} scenarios)"
    if explanation is not None:  # the explanation's summary often opens with the reason: say it once
        summary = explanation.summary
        message = summary if summary.lower().startswith(message.lower()) else f"{message}. {summary}"
    info = SolveInfo(
        status=outcome.status, message=message, objective=outcome.objective, bound=outcome.bound,
        gap=outcome.gap, is_mip=whole, backend=request.solver.name, options=options, seconds=seconds,
        model_size=size, versions=versions(solver), iterations=outcome.iterations,
        fingerprint=problem.fingerprint(), finished_at=datetime.now(UTC), history=tuple(outcome.history),
        termination=outcome.termination, solution=outcome.solution,
    )
    return Solution(problem, info, plan, recourse, explanation, formulation, warm_start=outcome.warm_start)
