"""Solve a planning problem with any registered solver: the same rounding, explanation and record for all."""

from __future__ import annotations

import time
from collections.abc import Mapping
from datetime import UTC, datetime

import numpy as np

from xlplan.model import FORMULATION, Formulation
from xlplan.model.formulation import formulation_for
from xlplan.problem import PlanningProblem
from xlplan.solver.compile import compile_extensive_form
from xlplan.solver.infeasibility import explain_infeasibility
from xlplan.solver.interface import Solver, solver_named
from xlplan.solver.options import SolveOptions, auto_decomposes, available_memory, extensive_form_rows
from xlplan.solver.solution import PHASES, Solution, SolveInfo
from xlplan.solver.status import SolveStatus

ZERO_TOLERANCE = 1e-9


def versions(solver: Solver | None = None) -> dict[str, str]:
    """Versions of xlplan and of the libraries that shape a solver's answers (default: ``highs``)."""
    import xlplan

    return {"xlplan": xlplan.__version__, **(solver or solver_named("highs")).versions()}


def _tidy(values: np.ndarray, whole: bool) -> np.ndarray:
    """Round whole-unit variables to whole numbers and solver noise around zero to zero."""
    values = np.round(values) if whole else np.array(values, dtype=float)
    values[np.abs(values) < ZERO_TOLERANCE] = 0.0
    return values


def chosen_solver(problem: PlanningProblem, options: SolveOptions, formulation: Formulation | None = None) -> str:
    """The registered solver ``options`` ask for: ``method`` decides between the decomposition and the
    extensive form (solved by ``backend``); ``auto`` never decomposes a ``formulation`` whose rules tie
    the scenarios together."""
    if options.method == "decomposition" or (options.mpi is not None and options.backend == "highs"):
        return "decomposition"
    S, P, _ = problem.shape
    continuous = not problem.settings.integer_units or options.relax_integrality
    coupled = formulation is not None and formulation.couples_scenarios
    if (options.method == "auto" and options.backend == "highs" and options.mpi is None and continuous
            and not coupled and auto_decomposes(S, P, rows=extensive_form_rows(problem, formulation or FORMULATION),
                                                available=available_memory())):
        return "decomposition"
    return options.backend


def solve_problem(problem: PlanningProblem, options: SolveOptions | None = None,
                  fixed_plan: Mapping[str, np.ndarray] | None = None,
                  formulation: Formulation | None = None) -> Solution:
    """Solve ``problem`` with the solver ``options.backend`` names and return the raw solution with
    its :class:`SolveInfo`.

    With ``fixed_plan`` (stage-1 values by name, shape (products, periods)) only the recourse is
    optimised: the plan's expected cost under the problem's scenarios, or why it cannot work.
    ``formulation`` is the model (default: the production-planning model, with the mean-CVaR part
    when the problem's settings give a risk weight). Most users want
    :func:`xlplan.solve`, which wraps this in a :class:`~xlplan.PlanResult`.
    """
    options = options or SolveOptions()
    formulation = formulation or formulation_for(problem.settings)
    started = time.perf_counter()
    solver = solver_named(chosen_solver(problem, options, formulation))
    run = solver.solve(problem, options, fixed_plan=fixed_plan, formulation=formulation)
    outcome, plan, recourse, timings = run.outcome, run.plan, run.recourse, dict(run.timings)
    whole = problem.settings.integer_units and not options.relax_integrality
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
        explanation = explain_infeasibility(problem, matrix_model, options, formulation=formulation)
        timings["explain"] = time.perf_counter() - explain_started

    seconds = {phase: float(timings.get(phase, 0.0)) for phase in PHASES}
    seconds["total"] = time.perf_counter() - started
    S, P, T = problem.shape
    size = {**run.model_size, "scenarios": S, "products": P, "periods": T}
    message = outcome.reason
    if options.method == "auto" and solver.name == "decomposition":
        message += f" (method auto: decomposition, for {problem.shape[0]:,} scenarios)"
    if explanation is not None:  # the explanation's summary often opens with the reason: say it once
        summary = explanation.summary
        message = summary if summary.lower().startswith(message.lower()) else f"{message}. {summary}"
    info = SolveInfo(
        status=outcome.status, message=message, objective=outcome.objective, bound=outcome.bound,
        gap=outcome.gap, is_mip=whole, backend=solver.name, options=options, seconds=seconds,
        model_size=size, versions=versions(solver), iterations=outcome.iterations,
        fingerprint=problem.fingerprint(), finished_at=datetime.now(UTC), history=tuple(outcome.history),
    )
    return Solution(problem, info, plan, recourse, explanation, formulation, warm_start=outcome.warm_start)
