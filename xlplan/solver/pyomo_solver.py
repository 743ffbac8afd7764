"""The reference path: build the whole Pyomo extensive form and solve it through Pyomo's HiGHS
interface. Slower on many scenarios, but it is the model of record solved the textbook way, and
the tests hold the fast matrix path to its answers."""

from __future__ import annotations

from xlplan import pyomo_scipy  # noqa: F401 - first: Pyomo and SciPy without SciPy's unused modules

# isort: split
import time

import numpy as np
import pyomo.environ as pyo
from pyomo.contrib.solver.common.factory import SolverFactory
from pyomo.contrib.solver.common.results import Results
from pyomo.contrib.solver.common.results import SolutionStatus as PyomoSolution
from pyomo.contrib.solver.common.results import TerminationCondition as PyomoTermination

from xlplan.model import Formulation, build_model
from xlplan.model.declarations import index_labels
from xlplan.problem import PlanningProblem
from xlplan.solver.interface import SolverRun
from xlplan.solver.options import SolveOptions
from xlplan.solver.request import SolveRequest, Values
from xlplan.solver.status import SolutionStatus, SolverOutcome, TerminationCondition

TC = TerminationCondition
TERMINATION = {
    PyomoTermination.convergenceCriteriaSatisfied: TC.CONVERGED,
    PyomoTermination.maxTimeLimit: TC.TIME_LIMIT,
    PyomoTermination.iterationLimit: TC.ITERATION_LIMIT,
    PyomoTermination.objectiveLimit: TC.OBJECTIVE_LIMIT,
    PyomoTermination.minStepLength: TC.MIN_STEP_LENGTH,
    PyomoTermination.interrupted: TC.INTERRUPTED,
    PyomoTermination.provenInfeasible: TC.INFEASIBLE,
    PyomoTermination.locallyInfeasible: TC.INFEASIBLE,
    PyomoTermination.unbounded: TC.UNBOUNDED,
    PyomoTermination.infeasibleOrUnbounded: TC.INFEASIBLE_OR_UNBOUNDED,
}
"""Pyomo's termination conditions on xlplan's axis (the same axis: xlplan's is modelled on it)."""
SOLUTION = {PyomoSolution.optimal: SolutionStatus.OPTIMAL, PyomoSolution.feasible: SolutionStatus.FEASIBLE,
            PyomoSolution.infeasible: SolutionStatus.INFEASIBLE}



def _values(problem: PlanningProblem, block: pyo.Block, formulation: Formulation, name: str) -> np.ndarray:
    """A variable's values shaped like its index; zeros for one the model did not need."""
    variable = formulation.variable(name)
    component = getattr(block, name, None)
    if component is None:
        return np.zeros(variable.shape(problem))
    keys = [key if len(key) != 1 else key[0] for key in index_labels(problem, variable.index)]
    values = [component[key].value or 0.0 for key in keys] if keys != [()] else [component.value or 0.0]
    return np.array(values, dtype=float).reshape(variable.shape(problem))


def _fix(model: pyo.ConcreteModel, problem: PlanningProblem, formulation: Formulation, plan: Values) -> None:
    for name, values in plan.items():
        variable = getattr(model.plan, name, None)
        if variable is None:
            continue
        keys = index_labels(problem, formulation.variable(name).index)
        for key, value in zip(keys, np.asarray(values, dtype=float).ravel(), strict=True):
            (variable[key if len(key) != 1 else key[0]] if key else variable).fix(float(value))


def _run(model: pyo.ConcreteModel, options: SolveOptions, is_mip: bool) -> Results:
    highs_options = options.highs_settings(is_mip)
    highs_options.pop("output_flag")
    for handled in ("time_limit", "mip_rel_gap", "threads"):
        highs_options.pop(handled, None)
    return SolverFactory("highs").solve(
        model, tee=options.log, time_limit=options.time_limit, rel_gap=options.mip_gap,
        threads=options.threads, solver_options=highs_options, load_solutions=False,
        raise_exception_on_nonoptimal_result=False,
    )


def _feasible(model: pyo.ConcreteModel, options: SolveOptions, is_mip: bool) -> bool:
    """Whether any plan satisfies the rules: the same model with no cost to minimise. HiGHS's presolve
    may only say "infeasible or unbounded"; this tells which."""
    model.expected_cost.deactivate()
    model.no_cost = pyo.Objective(expr=0.0)
    try:
        results = _run(model, options, is_mip)
    finally:
        model.del_component(model.no_cost)
        model.expected_cost.activate()
    return bool(results.termination_condition == PyomoTermination.convergenceCriteriaSatisfied)


def solve_with_pyomo(request: SolveRequest) -> SolverRun:
    """Solve the request's Pyomo model with Pyomo's HiGHS interface (stage 1 fixed to its ``fixed_plan``)."""
    started = time.perf_counter()
    problem, formulation, is_mip = request.problem, request.formulation, request.whole_units
    model = build_model(problem, formulation=formulation)
    if request.fixed_plan is not None:
        _fix(model, problem, formulation, request.fixed_plan)
    if not is_mip:
        pyo.TransformationFactory("core.relax_integer_vars").apply_to(model)
    options = request.options
    built = time.perf_counter()

    results = _run(model, options, is_mip)
    solved = time.perf_counter()
    termination = TERMINATION.get(results.termination_condition, TC.ERROR)
    solution = SOLUTION.get(results.solution_status, SolutionStatus.NO_SOLUTION)
    if termination is TC.INFEASIBLE_OR_UNBOUNDED:
        termination = TC.UNBOUNDED if _feasible(model, options, is_mip) else TC.INFEASIBLE
    objective = results.incumbent_objective if solution.is_plan else None
    bound = results.objective_bound
    gap = (abs(objective - bound) / max(abs(objective), 1e-10)
           if objective is not None and bound is not None else None)
    if termination is TC.ERROR:
        outcome = SolverOutcome.failed(f"Pyomo reported '{results.termination_condition.name}'")
    else:
        outcome = SolverOutcome.of(termination, solution, "MIP" if is_mip else None,
                                   objective=objective, bound=bound, gap=gap)
    outcome.solver_seconds = float(results.timing_info.highs_time)

    plan = recourse = None
    if outcome.status.has_plan:
        results.solution_loader.load_vars()
        plan = {v.name: _values(problem, model.plan, formulation, v.name) for v in formulation.stage(1)}
        recourse = {v.name: np.stack([_values(problem, model.scenario[s], formulation, v.name)
                                      for s in problem.scenarios]) for v in formulation.stage(2)}
    extracted = time.perf_counter()
    outcome.timings = {
        "build": built - started,
        "hand_over": max(solved - built - outcome.solver_seconds, 0.0),
        "solve": outcome.solver_seconds,
        "extract": extracted - solved,
    }
    return SolverRun(outcome, plan, recourse, timings=dict(outcome.timings))


class PyomoHighsSolver:
    """The whole Pyomo extensive form, solved through Pyomo's HiGHS interface."""

    def available(self) -> bool:
        return bool(SolverFactory("highs").available())

    def versions(self) -> dict[str, str]:
        from xlplan.solver.highs_adapter import highs_versions

        return highs_versions()

    def solve(self, request: SolveRequest) -> SolverRun:
        return solve_with_pyomo(request)


PYOMO_HIGHS = PyomoHighsSolver()
