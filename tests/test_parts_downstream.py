"""A part added with ``with_parts`` (the no-edit extension) reaches everything after the solve: the result's
tables, the sheets written, the simulation of the plan and the rolling re-plans all take the model that
was solved, never the module's default model."""

from __future__ import annotations

from typing import Any

import numpy as np
import openpyxl
import pyomo.environ as pyo
import pytest

import xlplan
from xlplan.analysis.rolling import RollingSettings, rolling_study
from xlplan.model import FORMULATION, CostTerm, ModelPart, Rule, Variable
from xlplan.simulation import DemandModel, ProcessNoise, simulate
from xlplan.workbook import read_workbook, write_results
from xlplan.workbook.make.examples import write_synthetic

RATE, SHARE = 30.0, 0.1


def inspection_of_production(plan: pyo.Block, p: str, t: str) -> Any:
    """I[p,t] >= 0.1 X[p,t]: a tenth of an hour's inspection for every unit made."""
    return plan.inspection_hours[p, t] >= SHARE * plan.production[p, t]


INSPECTION = ModelPart(
    "inspection",
    variables=(Variable("inspection_hours", "Inspection hours", "h", "I[p,t]: hours spent inspecting."),),
    rules=(Rule(inspection_of_production, "inspection of production"),),
    costs=(CostTerm("inspection", "inspection_hours", lambda problem: RATE, "30 per hour"),),
)
MODEL = FORMULATION.with_parts(INSPECTION)


@pytest.fixture(scope="module")
def book(tmp_path_factory: pytest.TempPathFactory) -> Any:
    return write_synthetic(tmp_path_factory.mktemp("parts") / "book.xlsx", products=2, periods=8, scenarios=5)


@pytest.fixture(scope="module")
def solved(book: Any) -> xlplan.PlanResult:
    result = xlplan.solve(read_workbook(book), formulation=MODEL)
    assert result.status is xlplan.SolveStatus.OPTIMAL
    return result


def test_the_result_tables_carry_the_parts_variable_and_cost(solved: xlplan.PlanResult) -> None:
    hours = solved.plan["inspection_hours"].to_numpy()
    assert hours == pytest.approx(SHARE * solved.plan["production"].to_numpy(), rel=1e-9, abs=1e-9)
    assert solved.costs.loc["inspection", "total"] == pytest.approx(RATE * hours.sum(), rel=1e-9)


def test_the_simulation_prices_the_plan_with_the_model_solved(solved: xlplan.PlanResult) -> None:
    problem = solved.problem
    exact = simulate(problem, solved.solution.plan, exact=True, formulation=solved.solution.formulation)
    inspection = RATE * solved.solution.plan["inspection_hours"].sum()
    assert inspection > 0
    assert exact.costs["inspection"] == pytest.approx(np.full(len(problem.scenarios), inspection), rel=1e-12)
    # every scenario met as solved: the simulated profit is the solve's, the part's cost taken off
    assert exact.summary.mean_profit == pytest.approx(solved.kpi("profit_shipped"), rel=1e-9)


def test_the_written_sheets_show_the_part(book: Any, solved: xlplan.PlanResult, tmp_path: Any) -> None:
    written = openpyxl.load_workbook(write_results(solved, book, tmp_path / "out.xlsx"), read_only=True)
    costs = [row[0] for row in written["Costs"].iter_rows(values_only=True)]
    assert "Inspection" in costs  # the part's category, capitalised as the sheet's other row labels
    plan_header = next(row for row in written["Plan"].iter_rows(values_only=True) if "Product" in row)
    assert "Inspection hours" in plan_header


def test_rolling_re_plans_solve_and_price_the_model_given(solved: xlplan.PlanResult) -> None:
    problem = solved.problem
    study = rolling_study(problem, DemandModel.from_problem(problem), ProcessNoise.none(len(problem.products)),
                          RollingSettings(replications=2, replan_every=4, policies=("deterministic",)),
                          formulation=MODEL)
    run = study.policies[0]
    assert run.rolling.summary.mean_cost["inspection"] > 0
    assert run.static.summary.mean_cost["inspection"] > 0
