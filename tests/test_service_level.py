"""Service levels: a fill rate target per product, in expectation or in a share of scenarios, solved
as one model (a rule on an expectation ties the scenarios), reported in the results and the workbook."""

from __future__ import annotations

import json

import numpy as np
import openpyxl
import pytest

import xlplan
from tests.workbooks import ELECTRONICS, edited
from xlplan.frontends.cli import OK, main
from xlplan.model.formulation import formulation_for
from xlplan.problem.synthetic import synthetic_problem
from xlplan.solver import SolveOptions, SolveStatus
from xlplan.solver.compile import compile_extensive_form
from xlplan.solver.registry import UnsupportedRequest
from xlplan.solver.solve import chosen_solver


@pytest.fixture(scope="module")
def problem() -> xlplan.PlanningProblem:
    return synthetic_problem(periods=6, scenarios=10, seed=11)


@pytest.fixture(scope="module")
def plain(problem) -> xlplan.PlanResult:
    return xlplan.solve(problem)


def _share_meeting(result: xlplan.PlanResult, target: float) -> np.ndarray:
    """Per product, the probability of the scenarios whose on-time fill rate reaches ``target``,
    recomputed from the recourse (late units min(B + L, D) per period)."""
    p, recourse = result.problem, result.solution.recourse
    late = np.minimum(recourse["backorders"] + recourse["lost_sales"], p.demand).sum(axis=2)
    rate = 1 - late / p.demand.sum(axis=2)
    return p.probabilities @ (rate >= target - 1e-9)


def test_a_target_the_plain_plan_meets_changes_nothing(problem, plain):
    lowest = float(plain.products.fill_rate.min())
    served = xlplan.solve(problem.with_settings(fill_rate_target=lowest - 0.01))
    assert served.objective == pytest.approx(plain.objective, rel=1e-9)


@pytest.mark.parametrize("backend", ["highs", "pyomo"])
def test_an_expected_target_is_met_and_paid_for(problem, plain, backend):
    target = float(plain.products.fill_rate.max()) + 0.01  # above every product's fill rate today
    served = xlplan.solve(problem.with_settings(fill_rate_target=target), backend=backend)
    assert served.status is SolveStatus.OPTIMAL
    assert (served.products.fill_rate >= target - 1e-9).all()
    assert served.objective > plain.objective
    assert served.kpi("lowest_product_fill_rate") >= target - 1e-9
    assert served.kpi("fill_rate_target") == target


def test_the_matrix_compiler_and_pyomo_agree_on_the_rule(problem, plain):
    """The rows on an expectation ([E1, prob_1 E2, ..., prob_S E2]) are the Pyomo model's own."""
    target = float(plain.products.fill_rate.mean())
    for policy in ("expected", "chance"):
        served = problem.with_settings(fill_rate_target=target, fill_rate_policy=policy, fill_rate_share=0.7)
        by_matrix = xlplan.solve(served, backend="highs")
        by_pyomo = xlplan.solve(served, backend="pyomo")
        assert by_matrix.objective == pytest.approx(by_pyomo.objective, rel=1e-9)
        model = compile_extensive_form(served, formulation_for(served.settings))
        assert [label.family for label in model.expected_rows] == ["expected_fill_rate" if policy == "expected"
                                                                    else "fill_rate_in_share_of_scenarios"] * 3
        assert model.row_label(model.num_rows - 1).product == served.products[-1]


def test_a_chance_target_is_met_in_at_least_the_share_of_scenarios(problem, plain):
    target, share = float(plain.products.fill_rate.max()) + 0.01, 0.7
    served = xlplan.solve(problem.with_settings(fill_rate_target=target, fill_rate_policy="chance",
                                                fill_rate_share=share))
    assert served.status is SolveStatus.OPTIMAL
    meeting = _share_meeting(served, target)
    assert (meeting >= share - 1e-9).all()
    assert served.service_level.share_of_scenarios_meeting_target.to_numpy() == pytest.approx(meeting)
    assert served.kpi("share_meeting_target") == pytest.approx(meeting.min())
    assert served.objective > plain.objective
    assert (_share_meeting(plain, target) < share).any()  # the plain plan did not


def test_an_unreachable_target_is_explained_in_words(problem):
    tight = problem.with_settings(fill_rate_target=1.0, backorder_limit=None, overtime_limit=0.0)
    result = xlplan.solve(tight)
    if result.status is SolveStatus.OPTIMAL:  # the plant can serve every unit on time: squeeze it
        tight = tight.with_settings(warehouse_capacity=0.0, overflow_capacity=0.0)
        result = xlplan.solve(tight)
    assert result.status is SolveStatus.INFEASIBLE
    assert "fill rate target" in result.explanation.rules
    texts = [v.text for v in result.explanation.violations if v.rule == "fill rate target"]
    assert texts and all("expected on-time fill rate would miss its target of 100.00%" in t for t in texts)


def test_decomposition_and_mpi_refuse_a_rule_tying_the_scenarios_in_words(problem):
    served = problem.with_settings(fill_rate_target=0.9)
    with pytest.raises(UnsupportedRequest, match="fill rate target ties all scenarios together"):
        xlplan.solve(served, method="decomposition")
    with pytest.raises(UnsupportedRequest, match="which mpi-sppy cannot split"):
        xlplan.solve(served, mpi=2, backend="mpi-sppy")
    with pytest.raises(UnsupportedRequest, match="which the decomposition method cannot split"):
        xlplan.solve(served, mpi=2)
    many = synthetic_problem(periods=4, scenarios=600, seed=3)
    assert chosen_solver(many, SolveOptions()) == "decomposition"
    with_target = many.with_settings(fill_rate_target=0.9)
    assert chosen_solver(with_target, SolveOptions(), formulation_for(with_target.settings)) == "highs"


def test_bad_parts_are_refused():
    from xlplan.model.service import fill_rate_part

    with pytest.raises(ValueError, match="fill rate target"):
        fill_rate_part(1.5)
    with pytest.raises(ValueError, match="policy"):
        fill_rate_part(0.9, "sometimes")
    with pytest.raises(ValueError, match="share of scenarios"):
        fill_rate_part(0.9, "chance", 1.0)


def _set(label: str, value: object):
    def change(book: openpyxl.Workbook) -> None:
        sheet = book["Settings"]
        for row in sheet.iter_rows(min_col=1, max_col=2):
            if row[0].value == label:
                row[1].value = value
                return
        raise AssertionError(f"no setting {label}")
    return change


def test_the_settings_sheet_sets_the_target_and_the_workbook_reports_it(tmp_path, capsys):
    def change(book: openpyxl.Workbook) -> None:
        _set("Fill rate target", 0.97)(book)
        _set("Fill rate policy", "expected")(book)
        _set("Whole units", "No")(book)

    book = edited(ELECTRONICS, tmp_path, change)
    out = tmp_path / "served.xlsx"
    assert main(["solve", str(book), "-o", str(out), "--json"]) == OK
    summary = json.loads(capsys.readouterr().out)
    levels = summary["service_level"]
    assert [row["product"] for row in levels] == ["A", "B", "C"]
    assert all(row["expected_fill_rate"] >= 0.97 - 1e-9 and row["policy"] == "expected" for row in levels)
    written = openpyxl.load_workbook(out)
    kpis = {row[0]: row[1] for row in written["KPI"].iter_rows(values_only=True) if row and row[0]}
    assert kpis["Fill rate target"] == 0.97 and kpis["Lowest product fill rate"] >= 0.97 - 1e-9
    log = {row[0]: row[1] for row in written["Run log"].iter_rows(values_only=True) if row and row[0]}
    assert log["Service level"] == "every product's expected on-time fill rate at least 97.00%"


def test_a_policy_word_xlplan_does_not_know_names_its_cell(tmp_path, capsys):
    book = edited(ELECTRONICS, tmp_path, _set("Fill rate policy", "sometimes"))
    assert main(["validate", str(book)]) != OK
    err = capsys.readouterr().err
    assert "Settings!B" in err and "'sometimes' is not one of expected, chance" in err
