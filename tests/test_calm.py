"""Calm plans: the lexicographic second solve for the least change among plans near the optimal cost."""

from __future__ import annotations

import json

import openpyxl
import pytest

import xlplan
from tests.workbooks import ELECTRONICS, copy_of
from xlplan.analysis.calm import calm_plan
from xlplan.frontends.cli import OK, main
from xlplan.model.calm import total_change
from xlplan.problem import reference
from xlplan.solver import SolveOptions

LP = SolveOptions(relax_integrality=True)


@pytest.fixture(scope="module")
def electronics_lp() -> xlplan.PlanningProblem:
    return reference.electronics()


@pytest.mark.parametrize("tolerance", [0.001, 0.01])
def test_the_calm_plan_costs_within_the_tolerance_and_changes_no_more(electronics_lp, tolerance):
    calm = calm_plan(electronics_lp, LP, tolerance=tolerance)
    optimum = calm.first.objective
    assert optimum <= calm.calm.objective <= optimum + tolerance * abs(optimum) + 1e-9 * abs(optimum)
    assert calm.change_after <= calm.change_before + 1e-6
    assert calm.change_after < calm.change_before  # the electronics plan has room to calm down
    # the change reported is the plan's own, recomputed from the written plan
    assert sum(total_change(calm.calm.solution.plan, electronics_lp.product.initial_workforce)) == pytest.approx(
        calm.change_after, abs=1e-6)
    assert calm.calm_objective == pytest.approx(calm.change_after, rel=1e-6, abs=1e-6)


def test_with_tolerance_zero_the_calm_plan_costs_the_optimum_exactly(electronics_lp):
    calm = calm_plan(electronics_lp, LP, tolerance=0.0)
    assert calm.calm.objective == pytest.approx(calm.first.objective, rel=1e-9)
    assert calm.change_after <= calm.change_before + 1e-6


def test_least_change_from_a_reference_plan_keeps_an_optimal_reference(electronics_lp):
    optimal = xlplan.solve(electronics_lp, relax_integrality=True)
    calm = calm_plan(electronics_lp, LP, tolerance=0.0, reference=optimal.solution.plan, first=optimal)
    assert calm.from_reference and calm.change_after == pytest.approx(0.0, abs=1e-6)


def test_a_negative_tolerance_is_refused(electronics_lp):
    with pytest.raises(ValueError, match="at least 0"):
        calm_plan(electronics_lp, LP, tolerance=-0.1)


def test_solve_calm_states_both_costs_in_the_run_log_and_the_json(tmp_path, capsys):
    out = tmp_path / "calm.xlsx"
    code = main(["solve", str(copy_of(ELECTRONICS, tmp_path)), "-o", str(out), "--continuous", "--calm", "--json"])
    summary = json.loads(capsys.readouterr().out)
    assert code == OK
    calm = summary["calm_plan"]
    assert calm["tolerance"] == 0.001 and calm["change_after"] <= calm["change_before"]
    assert calm["calm_cost"] <= calm["optimal_cost"] * 1.001 + 1e-6
    log = {row[0]: row[1] for row in openpyxl.load_workbook(out, data_only=True)["Run log"].iter_rows(
        min_row=4, max_row=40, max_col=2, values_only=True) if row[0]}
    assert log["Expected cost: optimal plan"] == pytest.approx(calm["optimal_cost"])
    assert log["Expected cost: calm plan"] == pytest.approx(calm["calm_cost"])
    assert log["Change avoided"] == pytest.approx(calm["reduction"])
    assert log["Expected cost"] == pytest.approx(calm["calm_cost"])  # the plan written is the calm one
    # marginal values belong to the cost optimum: a calm plan gets none, and says why
    assert "shadow_prices" not in summary and "Sensitivity" not in openpyxl.load_workbook(out).sheetnames
