"""Two status axes, as in Pyomo's contrib/solver: why the solver stopped (the termination condition) and what
it holds (the solution status). Every solver reports both, and the planner's word follows from them in one
place."""

from __future__ import annotations

import pytest

import xlplan
from xlplan.problem.synthetic import synthetic_problem
from xlplan.solver import SolveOptions, SolveStatus
from xlplan.solver.registry import SOLVERS
from xlplan.solver.status import SolutionStatus, TerminationCondition, planner_status, reason

TC, SS = TerminationCondition, SolutionStatus
LIMITS = (TC.TIME_LIMIT, TC.ITERATION_LIMIT, TC.SOLUTION_LIMIT, TC.OBJECTIVE_LIMIT, TC.MIN_STEP_LENGTH,
          TC.MEMORY_LIMIT, TC.INTERRUPTED)
EXTENSIVE = tuple(name for name, entry in SOLVERS.items() if entry.method == "extensive")


def test_the_planner_word_follows_from_the_two_axes():
    for limit in LIMITS:
        assert limit.is_limit
        assert planner_status(limit, SS.FEASIBLE) is SolveStatus.STOPPED_WITH_PLAN
        assert planner_status(limit, SS.NO_SOLUTION) is SolveStatus.STOPPED_WITHOUT_PLAN
        assert planner_status(limit, SS.INFEASIBLE) is SolveStatus.STOPPED_WITHOUT_PLAN
    assert planner_status(TC.CONVERGED, SS.OPTIMAL) is SolveStatus.OPTIMAL
    assert planner_status(TC.CONVERGED, SS.FEASIBLE) is SolveStatus.OPTIMAL  # within the gap asked for
    assert planner_status(TC.CONVERGED, SS.NO_SOLUTION) is SolveStatus.ERROR  # never optimal without a plan
    assert planner_status(TC.INFEASIBLE, SS.NO_SOLUTION) is SolveStatus.INFEASIBLE
    assert planner_status(TC.UNBOUNDED, SS.NO_SOLUTION) is SolveStatus.UNBOUNDED
    for unsettled in (TC.INFEASIBLE_OR_UNBOUNDED, TC.ERROR, TC.UNKNOWN):
        assert not unsettled.is_limit
        assert planner_status(unsettled, SS.FEASIBLE) is SolveStatus.ERROR


def test_the_reason_is_written_once_for_every_solver():
    assert reason(TC.CONVERGED, SS.OPTIMAL, 0.0) == "optimal"
    assert reason(TC.CONVERGED, SS.OPTIMAL, 2e-5) == "optimal within the relative MIP gap (2.00e-05)"
    assert reason(TC.CONVERGED, SS.OPTIMAL, 2e-5, gap_of=None) == "optimal"  # an LP's gap is no gap
    assert reason(TC.TIME_LIMIT, SS.FEASIBLE, 0.0123) == (
        "the time limit was reached; the best plan found is returned (relative gap 1.23%)")
    assert reason(TC.INTERRUPTED, SS.NO_SOLUTION) == "the solve was interrupted before any plan was found"
    assert reason(TC.ITERATION_LIMIT, SS.FEASIBLE, None, limit="mpi-sppy stopped after 7 iterations") == (
        "mpi-sppy stopped after 7 iterations; the best plan found is returned")
    assert reason(TC.INFEASIBLE, SS.NO_SOLUTION) == "no plan satisfies every rule"


@pytest.mark.parametrize("backend", EXTENSIVE)
def test_every_extensive_solver_reports_both_axes_the_same(electronics, backend):
    optimal = xlplan.solve(electronics, SolveOptions(backend=backend))
    assert (optimal.info.termination, optimal.info.solution) == (TC.CONVERGED, SS.OPTIMAL)
    assert round(optimal.objective, 2) == 564_471.50

    # three simplex iterations find no plan: a limit, not an error, and nothing called optimal
    cut_short = xlplan.solve(electronics, SolveOptions(backend=backend, relax_integrality=True,
                                                       highs_options={"simplex_iteration_limit": 3}))
    assert (cut_short.info.termination, cut_short.info.solution) == (TC.ITERATION_LIMIT, SS.NO_SOLUTION)
    assert cut_short.status is SolveStatus.STOPPED_WITHOUT_PLAN
    assert cut_short.message == "the iteration limit was reached before any plan was found"

    impossible = electronics.with_settings(backorders_allowed=False, warehouse_capacity=1.0, overflow_capacity=0.0)
    infeasible = xlplan.solve(impossible, SolveOptions(backend=backend))
    assert (infeasible.info.termination, infeasible.status) == (TC.INFEASIBLE, SolveStatus.INFEASIBLE)


def test_the_decomposition_reports_both_axes():
    problem = synthetic_problem(8, 20, seed=3, integer_units=False)
    result = xlplan.solve(problem, SolveOptions(method="decomposition"))
    assert (result.info.termination, result.info.solution) == (TC.CONVERGED, SS.OPTIMAL)
    assert result.status is SolveStatus.OPTIMAL and result.info.backend == "decomposition"
    extensive = xlplan.solve(problem, SolveOptions(method="extensive"))
    assert abs(result.objective - extensive.objective) <= 1e-6 * abs(extensive.objective)


def test_every_planner_word_ends_a_command_with_its_exit_code():
    """A command that rests on one solve ends by the solve's status (an enum, never a string that could be
    misspelt): only an optimal plan is 0, a limit 5 with or without a plan, no plan 4, an error 1."""
    from xlplan.commands import _ending
    from xlplan.commands.endings import EXIT_BY_OUTCOME

    codes = {status: EXIT_BY_OUTCOME[_ending(status)] for status in SolveStatus}
    assert codes == {SolveStatus.OPTIMAL: 0, SolveStatus.STOPPED_WITH_PLAN: 5, SolveStatus.STOPPED_WITHOUT_PLAN: 5,
                     SolveStatus.INFEASIBLE: 4, SolveStatus.UNBOUNDED: 4, SolveStatus.ERROR: 1}
