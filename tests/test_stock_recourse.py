"""The plain recourse solved without a simplex (``stock_recourse.py``) agrees with HiGHS scenario by
scenario: the same scenarios settled, the same costs, cuts that hold at other plans; its certificate
rejects a wrong recourse or dual; and it is used only where the recourse is exactly the plain one."""

from __future__ import annotations

import numpy as np
import pytest

from xlplan.problem.synthetic import synthetic_problem
from xlplan.solver.compile import TwoStageProgram, compile_two_stage
from xlplan.solver.decomposition import solve_by_decomposition
from xlplan.solver.decomposition.master import Master
from xlplan.solver.decomposition.recourse import Evaluation, recourse_data, stock_recourse
from xlplan.solver.decomposition.scenarios import ScenarioBatch
from xlplan.solver.decomposition.stock_recourse import StockRecourse


def _by_highs(program: TwoStageProgram, x: np.ndarray) -> Evaluation:
    """Every scenario's recourse at plan x by HiGHS's simplex alone."""
    data = recourse_data(program, np.arange(program.num_scenarios))
    data = type(data)(**{**data.__dict__, "stock": None})
    return ScenarioBatch(data, use_pool=False).evaluate(program.T @ x)


def _bounds(program: TwoStageProgram, x: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    Tx = program.T @ x
    return program.row2_lower - Tx, program.row2_upper - Tx


def _plans(program: TwoStageProgram) -> list[np.ndarray]:
    """The expected-value plan (it fails the high-demand scenarios), the optimum, and plans around it."""
    expected_value = Master(program, np.arange(program.num_scenarios)).solve().x
    optimum = solve_by_decomposition(program).x
    rng = np.random.default_rng(7)
    return [expected_value, optimum] + [optimum * rng.uniform(0.97, 1.05, optimum.shape) for _ in range(3)]


@pytest.fixture(scope="module")
def program() -> TwoStageProgram:
    return compile_two_stage(synthetic_problem(periods=10, scenarios=60, seed=5, products=4))


def test_the_synthetic_recourse_is_recognised_as_the_plain_one(program):
    assert stock_recourse(program) is not None


def test_it_settles_exactly_the_scenarios_highs_solves_at_the_same_cost(program):
    stock = stock_recourse(program)
    assert stock is not None
    for x in _plans(program):
        settled, y, _ = stock.solve(*_bounds(program, x))
        reference = _by_highs(program, x)
        assert (settled == reference.feasible).all()
        assert y[settled] @ program.c2 == pytest.approx(reference.value[settled], rel=1e-10, abs=1e-8)


def test_its_cuts_hold_at_other_plans(program):
    """Q_s(x') >= Q_s(x) - (T^T pi_s) (x' - x) for the scenarios settled at x and feasible at x'."""
    stock = stock_recourse(program)
    assert stock is not None
    plans = _plans(program)
    exact = [_by_highs(program, x) for x in plans]
    cuts_checked = 0
    for x in plans:
        settled, y, dual = stock.solve(*_bounds(program, x))
        value, gradient = y @ program.c2, -(program.T.T @ dual.T).T
        for other, at_other in zip(plans, exact, strict=True):
            both = settled & at_other.feasible
            predicted = value[both] + gradient[both] @ (other - x)
            assert (predicted <= at_other.value[both] + 1e-7 * (1 + np.abs(at_other.value[both]))).all()
            cuts_checked += int(both.sum())
    assert cuts_checked > 500


def test_the_certificate_rejects_a_wrong_recourse_or_dual(program):
    stock = stock_recourse(program)
    assert stock is not None
    optimum = _plans(program)[1]
    lower, upper = _bounds(program, optimum)
    settled, y, dual = stock.solve(lower, upper)
    assert settled.all()
    stocked = int(np.argmax(y[0, stock.regular.ravel()]))
    column = stock.regular.ravel()[stocked]
    more_stock, less_stock = y.copy(), y.copy()
    more_stock[:, column] += 1.0  # the inventory flow no longer balances
    less_stock[:, column] *= 0.5
    assert not stock.certified(more_stock, dual, lower, upper).any()
    assert not stock.certified(less_stock, dual, lower, upper)[0]
    cheaper = dual.copy()
    cheaper[:, stock.flow[0, -1]] -= 1.0  # the last period's stock priced lower than it costs
    assert not stock.certified(y, cheaper, lower, upper).any()


@pytest.mark.parametrize("change", ["lost sales", "capacity scenarios", "a changed coefficient", "overflow cheaper"])
def test_any_other_recourse_is_left_to_highs(change):
    problem = synthetic_problem(periods=4, scenarios=6, seed=1, products=2)
    if change == "lost sales":
        problem = problem.with_settings(lost_sales_allowed=True)
    elif change == "overflow cheaper":
        problem = problem.with_settings(overflow_cost_multiplier=0.5)
    elif change == "capacity scenarios":
        factors = np.random.default_rng(1).uniform(0.85, 1.0, problem.demand.shape)
        problem = problem.with_scenarios(problem.scenarios, problem.demand, problem.probabilities,
                                         capacity_factor=factors)
    program = compile_two_stage(problem)
    if change == "a changed coefficient":
        W = program.W.tolil()
        row, column = 0, program.recourse_columns["regular_inventory"][0, 0]
        W[row, column] = 2.0
        program = type(program)(**{**program.__dict__, "W": W.tocsr()})
    assert stock_recourse(program) is None


def test_the_decomposition_needs_almost_no_simplex_solve_on_the_plain_recourse():
    program = compile_two_stage(synthetic_problem(periods=8, scenarios=400, seed=2, products=3))
    result = solve_by_decomposition(program)
    assert result.status == "optimal"
    evaluated = result.iterations * program.num_scenarios
    assert result.recourse_solves < 0.05 * evaluated
    assert isinstance(stock_recourse(program), StockRecourse)
