"""The model describes itself: a part with a scalar stage-1 variable and a per-scenario scalar (a
mean-CVaR risk measure), and a part with a new cost term, go through the builder, the matrix compiler,
both solvers, the results and the infeasibility explanation without touching any of them."""

from __future__ import annotations

from typing import Any

import numpy as np
import pyomo.environ as pyo
import pytest

import xlplan
from xlplan.model import FORMULATION, CostTerm, ModelPart, Rule, Variable, build_model
from xlplan.problem.synthetic import synthetic_problem
from xlplan.solver import SolveStatus
from xlplan.solver.compile import compile_two_stage, extensive_form

ALPHA, WEIGHT = 0.8, 0.5


def shortfall_above_value_at_risk(rec: pyo.Block) -> Any:
    """u[s] >= cost[s] - eta   (Rockafellar-Uryasev: u[s] is the cost above the value at risk eta)."""
    m = rec.model()
    return rec.shortfall >= m.plan.cost + rec.cost - m.plan.value_at_risk


RISK = ModelPart(
    "risk",
    variables=(
        Variable("value_at_risk", "Value at risk", "currency", "eta: the cost exceeded with probability 1 - alpha.",
                 index=(), lower=None),
        Variable("shortfall", "Cost above VaR", "currency", "u[s]: the scenario's cost above eta.", stage=2, index=()),
    ),
    rules=(Rule(shortfall_above_value_at_risk, "shortfall above value at risk", stage=2, index=()),),
    costs=(
        CostTerm("risk", "value_at_risk", lambda problem: WEIGHT, "lambda", in_cost=False),
        CostTerm("risk", "shortfall", lambda problem: WEIGHT / (1 - ALPHA), "lambda / (1 - alpha)", in_cost=False),
    ),
)
"""Objective E[cost] + lambda CVaR_alpha(cost), with CVaR = eta + E[u] / (1 - alpha) at the optimum."""


def _cvar(costs: np.ndarray, probabilities: np.ndarray, alpha: float) -> float:
    """CVaR_alpha of a discrete distribution: the least eta + E[(cost - eta)+] / (1 - alpha) (at a support point)."""
    return min(eta + probabilities @ np.maximum(costs - eta, 0) / (1 - alpha) for eta in costs)


@pytest.fixture(scope="module")
def problem() -> xlplan.PlanningProblem:
    return synthetic_problem(periods=6, scenarios=8, seed=7)


def test_scalar_and_per_scenario_variables_compile(problem):
    formulation = FORMULATION.with_parts(RISK)
    program = compile_two_stage(problem, formulation)
    assert program.plan_columns["value_at_risk"].shape == ()
    assert program.recourse_columns["shortfall"].shape == ()
    assert program.plan_columns["value_at_risk"] >= 0
    scalar_rows = [r for r in program.template_rows if r.family == "shortfall_above_value_at_risk"]
    assert len(scalar_rows) == 1 and scalar_rows[0].product is None and scalar_rows[0].period is None
    assert extensive_form(program).recourse_columns["shortfall"].shape == (len(problem.scenarios),)


def test_both_solvers_agree_on_a_model_with_a_risk_part(problem):
    formulation = FORMULATION.with_parts(RISK)
    by_matrix = xlplan.solve(problem, formulation=formulation)
    by_pyomo = xlplan.solve(problem, formulation=formulation, backend="pyomo")
    assert by_matrix.status is by_pyomo.status is SolveStatus.OPTIMAL
    assert by_matrix.objective == pytest.approx(by_pyomo.objective, rel=1e-9)

    # the objective is the expected cost plus lambda times the plan's CVaR, both computed from the results
    costs = by_matrix.scenarios["cost"].to_numpy()
    expected = float(problem.probabilities @ costs)
    assert by_matrix.costs["total"].sum() == pytest.approx(expected, rel=1e-9)  # risk terms are no cost category
    assert "risk" not in by_matrix.costs.index
    cvar = _cvar(costs, problem.probabilities, ALPHA)
    assert by_matrix.objective == pytest.approx(expected + WEIGHT * cvar, rel=1e-9)
    eta = float(by_matrix.solution.plan["value_at_risk"])
    shortfall = by_matrix.solution.recourse["shortfall"]
    assert shortfall.shape == (len(problem.scenarios),)
    assert eta + problem.probabilities @ shortfall / (1 - ALPHA) == pytest.approx(cvar, rel=1e-9)

    # caring about risk costs expected cost and buys a lower CVaR
    neutral = xlplan.solve(problem)
    assert expected >= neutral.objective - 1e-6
    assert cvar <= _cvar(neutral.scenarios["cost"].to_numpy(), problem.probabilities, ALPHA) + 1e-6


def test_the_pyomo_model_carries_the_part(problem):
    model = build_model(problem, formulation=FORMULATION.with_parts(RISK))
    assert model.plan.value_at_risk.is_indexed() is False
    assert len(model.scenario[problem.scenarios[0]].shortfall_above_value_at_risk) == 1


def test_a_new_cost_term_is_one_declaration(problem):
    levy = ModelPart("levy", costs=(CostTerm("levy", "production", lambda problem: 2.0, "2 per unit"),))
    base = xlplan.solve(problem)
    levied = xlplan.solve(problem, formulation=FORMULATION.with_parts(levy))
    assert list(levied.costs.index) == [*FORMULATION.categories, "levy"]
    assert levied.costs.loc["levy", "total"] == pytest.approx(2.0 * levied.plan["production"].sum(), rel=1e-12)
    assert levied.costs["total"].sum() == pytest.approx(levied.objective, rel=1e-9)
    assert levied.objective >= base.objective
    # the Costs sheet lays out the model that was solved, the part's category included
    from xlplan.workbook.sheets.solve_sheets import costs_sheet
    from xlplan.workbook.sheets.units import category_label

    table = costs_sheet(levied).tables[0]
    assert [row[0] for row in table.rows] == [category_label(c) for c in (*FORMULATION.categories, "levy")]
    assert table.rows[-1][0] == "Levy"  # capitalised as the sheet's headers are
    assert table.rows[-1][-1] == pytest.approx(levied.costs.loc["levy", "total"], rel=1e-12)


def test_an_infeasible_part_is_explained_in_its_own_words(problem):
    def production_cap(plan: pyo.Block, p: str, t: str) -> Any:
        """X[p,t] <= 0: nothing may be made."""
        return plan.production[p, t] <= 0

    def cap_text(settings, where: str, amount: float) -> str:
        return f"{where}: production would exceed the cap by {amount:,.2f} units"

    cap = ModelPart("cap", rules=(Rule(production_cap, "production cap", explain=cap_text),))
    result = xlplan.solve(problem.with_settings(backorders_allowed=False, warehouse_capacity=None,
                                                overflow_capacity=0.0), formulation=FORMULATION.with_parts(cap))
    assert result.status is SolveStatus.INFEASIBLE
    assert "production cap" in result.explanation.rules
    assert any("would exceed the cap" in v.text for v in result.explanation.violations)


def test_the_declarations_list_the_plan_once():
    assert [v.name for v in FORMULATION.plan_inputs()] == ["production", "regular_hours", "overtime_hours",
                                                            "workforce"]
    assert [v.name for v in FORMULATION.plan_variables()] == ["production", "regular_hours", "overtime_hours",
                                                              "workforce", "hires", "fires"]
    assert FORMULATION.categories == ("production", "regular labour", "overtime", "hire/fire", "holding",
                                      "overflow holding", "backorder", "lost sales")
    assert FORMULATION.opportunity_categories == ("lost sales",)
    whole = {v.name for v in FORMULATION.variables if v.whole}
    assert whole == {"production", "regular_inventory", "overflow_inventory", "backorders", "lost_sales", "made"}
