"""The master forgets optimality cuts that stayed slack, never others, and stays a relaxation (its minimum
only falls); a decomposition that forgets eagerly still reaches the extensive form's optimum, certified."""

from __future__ import annotations

import numpy as np

from xlplan.problem.synthetic import synthetic_problem
from xlplan.solver.compile import compile_two_stage
from xlplan.solver.decomposition import master as master_module
from xlplan.solver.decomposition import solve_by_decomposition
from xlplan.solver.decomposition.master import Master
from xlplan.solver.decomposition.parallel import ScenarioEvaluator


def _cut(master: Master, evaluator: ScenarioEvaluator, program, x: np.ndarray) -> None:
    evaluation = evaluator.evaluate(program.T @ x)
    gradient = -(program.T.T @ evaluation.dual.T).T[:, master.support]
    master.add_optimality_cuts(x, evaluation.value, gradient, np.ones(master.G, dtype=bool))


def test_only_optimality_cuts_slack_in_both_instances_are_forgotten_and_the_minimum_only_falls():
    program = compile_two_stage(synthetic_problem(periods=6, scenarios=40, seed=4, products=2))
    master = Master(program, np.arange(program.num_scenarios) % 4)
    evaluator = ScenarioEvaluator(program)
    optimum = solve_by_decomposition(program).x
    rng = np.random.default_rng(3)
    plans = [optimum] + [optimum * rng.uniform(0.9, 1.3, optimum.shape) for _ in range(6)]
    for x in plans:
        _cut(master, evaluator, program, x)
    # a feasibility cut far from binding: never forgotten however long it is slack
    master.add_feasibility_cuts(np.zeros((1, master.support.size)), np.array([1.0]))
    rows_before = master.rows
    first = master.solve()
    master.solve(optimum, 1.0)
    assert master.forget_idle_cuts(solves=2) == 0  # slack once is not enough
    second = master.solve()
    master.solve(optimum, 1.0)
    forgotten = master.forget_idle_cuts(solves=2)
    assert forgotten > 0 and master.rows == rows_before - forgotten
    assert master.bound.getNumRow() == master.step.getNumRow() == master.rows
    assert not master.forgettable[-1]  # the feasibility cut is still there, last
    third = master.solve()
    assert third.value <= second.value + 1e-7 * abs(second.value) and second.value == first.value


def test_forgetting_cuts_keeps_the_extensive_forms_optimum(monkeypatch):
    from tests.test_decomposition import assert_certified, extensive_optimum

    monkeypatch.setattr(master_module, "IDLE_SOLVES", 1)  # forget eagerly: this case needs few iterations
    program = compile_two_stage(synthetic_problem(periods=12, scenarios=300, seed=6, products=3))
    result = solve_by_decomposition(program)
    status, optimum = extensive_optimum(program)
    assert status == "optimal" and result.status == "optimal" and result.cuts_forgotten > 0
    assert abs(result.upper_bound - optimum) <= 1e-6 * abs(optimum)
    assert result.lower_bound <= optimum + 1e-7 * abs(optimum)
    assert_certified(program, result)
