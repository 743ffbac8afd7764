"""The reference path: build the whole Pyomo extensive form and solve it through Pyomo's HiGHS
interface. Slower on many scenarios, but it is the model of record solved the textbook way, and
the tests hold the fast matrix path to its answers."""

from __future__ import annotations

import time

import numpy as np
import pyomo.environ as pyo
from pyomo.contrib.solver.common.factory import SolverFactory
from pyomo.contrib.solver.common.results import SolutionStatus, TerminationCondition

from xlplan.model import PLAN_VARIABLES, RECOURSE_VARIABLES, build_model
from xlplan.problem import PlanningProblem
from xlplan.solver.options import SolveOptions
from xlplan.solver.status import (
    INFEASIBLE_REASON,
    UNBOUNDED_REASON,
    SolverOutcome,
    SolveStatus,
    limit_reason,
    optimal_reason,
)

TC = TerminationCondition
LIMITS = {
    TC.maxTimeLimit: "the time limit was reached",
    TC.iterationLimit: "the iteration limit was reached",
    TC.objectiveLimit: "the objective limit was reached",
    TC.interrupted: "the solve was interrupted",
    TC.minStepLength: "the step length became too small",
}

Values = dict[str, np.ndarray]


def _values(problem: PlanningProblem, block: pyo.Block, name: str) -> np.ndarray:
    """A variable's values by (product, period); zeros for one the model did not need."""
    component = getattr(block, name, None)
    if component is None:
        return np.zeros((len(problem.products), len(problem.periods)))
    return np.array([[component[p, t].value or 0.0 for t in problem.periods] for p in problem.products])


def solve_with_pyomo(problem: PlanningProblem, options: SolveOptions, fixed_plan: Values | None = None
                     ) -> tuple[SolverOutcome, Values | None, Values | None]:
    """Solve ``build_model(problem)`` with Pyomo's HiGHS interface (stage 1 fixed to ``fixed_plan``)."""
    started = time.perf_counter()
    model = build_model(problem)
    for name, values in (fixed_plan or {}).items():
        variable = getattr(model.plan, name)
        for i, p in enumerate(problem.products):
            for j, t in enumerate(problem.periods):
                variable[p, t].fix(float(values[i, j]))
    is_mip = problem.settings.integer_units and not options.relax_integrality
    if options.relax_integrality:
        pyo.TransformationFactory("core.relax_integer_vars").apply_to(model)
    built = time.perf_counter()

    highs_options = options.highs_settings(is_mip)
    highs_options.pop("output_flag")
    for handled in ("time_limit", "mip_rel_gap", "threads"):
        highs_options.pop(handled, None)
    results = SolverFactory("highs").solve(
        model, tee=options.log, time_limit=options.time_limit, rel_gap=options.mip_gap,
        threads=options.threads, solver_options=highs_options, load_solutions=False,
        raise_exception_on_nonoptimal_result=False,
    )
    solved = time.perf_counter()

    condition = results.termination_condition
    has_plan = results.solution_status in (SolutionStatus.optimal, SolutionStatus.feasible)
    objective = results.incumbent_objective if has_plan else None
    bound = results.objective_bound
    gap = (abs(objective - bound) / max(abs(objective), 1e-10)
           if objective is not None and bound is not None else None)
    outcome = SolverOutcome(SolveStatus.ERROR, f"Pyomo reported '{condition.name}'",
                            objective=objective, bound=bound, gap=gap,
                            solver_seconds=float(results.timing_info.highs_time))
    if condition == TC.convergenceCriteriaSatisfied:
        outcome.status, outcome.reason = SolveStatus.OPTIMAL, optimal_reason(is_mip, gap)
    elif condition in (TC.provenInfeasible, TC.locallyInfeasible):
        outcome.status, outcome.reason = SolveStatus.INFEASIBLE, INFEASIBLE_REASON
    elif condition == TC.unbounded:
        outcome.status, outcome.reason = SolveStatus.UNBOUNDED, UNBOUNDED_REASON
    elif condition == TC.infeasibleOrUnbounded:
        from xlplan.solver.compile import compile_extensive_form
        from xlplan.solver.highs_direct import solve_matrix_model

        compiled = compile_extensive_form(problem)
        if fixed_plan is not None:
            compiled.fix_plan(fixed_plan)
        outcome = solve_matrix_model(compiled, options)
    elif condition in LIMITS:
        outcome.status = SolveStatus.STOPPED_WITH_PLAN if has_plan else SolveStatus.STOPPED_WITHOUT_PLAN
        outcome.reason = limit_reason(LIMITS[condition], has_plan, gap)

    plan = recourse = None
    if outcome.status.has_plan:
        results.solution_loader.load_vars()
        plan = {name: _values(problem, model.plan, name) for name in PLAN_VARIABLES}
        recourse = {name: np.stack([_values(problem, model.scenario[s], name) for s in problem.scenarios])
                    for name in RECOURSE_VARIABLES}
    else:
        outcome.objective = outcome.bound = outcome.gap = None
    extracted = time.perf_counter()
    outcome.timings = {
        "build": built - started,
        "hand_over": max(solved - built - outcome.solver_seconds, 0.0),
        "solve": outcome.solver_seconds,
        "extract": extracted - solved,
    }
    return outcome, plan, recourse
