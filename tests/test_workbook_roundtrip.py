"""Both reference problems solved from their workbooks: the golden figures in the JSON summary and
in the sheets written back."""

from __future__ import annotations

import json

import openpyxl
import pytest

from tests.workbooks import ELECTRONICS, FACTORY_PHYSICS, TEMPLATE, edited
from xlplan.frontends.cli import NO_PLAN, OK, STOPPED, main
from xlplan.problem import reference
from xlplan.workbook import read_workbook


def test_examples_hold_the_reference_problems():
    assert read_workbook(ELECTRONICS).fingerprint() == reference.electronics().fingerprint()
    assert read_workbook(FACTORY_PHYSICS).fingerprint() == reference.factory_physics().fingerprint()
    assert read_workbook(TEMPLATE).fingerprint() == reference.electronics().fingerprint()


def test_rows_added_to_a_table_are_read_though_its_name_was_not_widened(tmp_path):
    """Planners add a row at the bottom of an Excel Table; the table grows, the plain name stays."""
    def add_peak_scenario(book):
        scenarios, demand = book["Scenarios"], book["Demand"]
        scenarios["B7"] = 0.15
        scenarios.append(["peak", 0.10])
        scenarios.tables["Scenarios"].ref = "A4:B8"
        for product in "ABC":
            high = next(r for r in demand.iter_rows(min_row=5, values_only=True) if r[:2] == (product, "high"))
            demand.append([product, "peak", *(round(v * 1.2) for v in high[2:])])
        demand.tables["Demand"].ref = "A4:N16"

    path = edited(TEMPLATE, tmp_path, add_peak_scenario)
    assert str(openpyxl.load_workbook(path).defined_names["xlplan_scenarios"].attr_text) == "Scenarios!$A$4:$B$7"
    problem = read_workbook(path)
    assert list(problem.scenarios) == ["low", "med", "high", "peak"]
    assert problem.probabilities.tolist() == [0.25, 0.5, 0.15, 0.10]
    assert problem.demand.shape == (4, 3, 12)


def _solve_json(capsys, *args) -> dict:
    code = main(["solve", *map(str, args), "--json"])
    payload = json.loads(capsys.readouterr().out)
    payload["exit"] = code
    return payload


def test_electronics_from_its_workbook(tmp_path, capsys):
    out = tmp_path / "plan.xlsx"
    summary = _solve_json(capsys, ELECTRONICS, "-o", out, "--mip-gap", "0")
    assert summary["exit"] == OK and summary["status"] == "optimal"
    assert round(summary["objective"], 2) == 564_471.50
    assert summary["units_produced"] == {"A": 3045, "B": 2702, "C": 2464}
    assert round(summary["kpis"]["profit_net_of_owed"], 2) == 2_476_316.00
    assert round(summary["kpis"]["revenue_net_of_owed"], 2) == 3_040_787.50
    assert {k: round(v, 2) for k, v in summary["costs"].items()} == {
        "production": 65_348.00, "regular labour": 447_353.00, "overtime": 0, "hire/fire": 0,
        "holding": 37_132.00, "overflow holding": 5_450.25, "backorder": 9_188.25, "lost sales": 0}

    book = openpyxl.load_workbook(out, data_only=True)
    plan = list(book["Plan"].iter_rows(min_row=6, values_only=True))
    units = {p: sum(r[2] for r in plan if r[0] == p) for p in "ABC"}
    assert units == {"A": 3045, "B": 2702, "C": 2464}
    assert len(plan) == 36
    # the distribution per product and period on Recourse, each of the three scenarios in full on Recourse detail
    recourse = [r for r in book["Recourse"].iter_rows(min_row=6, max_col=10, values_only=True) if r[0] in tuple("ABC")]
    assert len(recourse) == 36 and all(isinstance(r[2], (int, float)) for r in recourse)
    detail = [r for r in book["Recourse detail"].iter_rows(min_row=6, max_col=10, values_only=True)
              if r[0] in tuple("ABC")]
    assert len(detail) == 108 and {r[2] for r in detail} == {"low", "med", "high"}
    costs = {row[0]: row[4] for row in book["Costs"].iter_rows(min_row=6, max_row=14, values_only=True)}
    assert round(costs["Total"], 2) == 564_471.50
    # the output workbook still holds the same inputs
    assert read_workbook(out).fingerprint() == reference.electronics().fingerprint()


def test_factory_physics_from_its_workbook(tmp_path, capsys):
    out = tmp_path / "plan.xlsx"
    summary = _solve_json(capsys, FACTORY_PHYSICS, "-o", out)
    assert summary["exit"] == OK and not summary["is_mip"]
    assert round(summary["objective"], 6) == 1_292_662.857143
    assert round(summary["kpis"]["profit_net_of_owed"], 6) == 1_687_337.142857
    production = [r[2] for r in openpyxl.load_workbook(out, data_only=True)["Plan"].iter_rows(
        min_row=6, values_only=True)]
    assert production == pytest.approx([2120 / 7] * 7 + [180, 170, 170, 170, 170])


def test_infeasible_workbook_gets_the_reason_in_words(tmp_path, capsys):
    book = edited(ELECTRONICS, tmp_path, lambda b: b["Products"].__setitem__("D7", 2500))
    out = tmp_path / "plan.xlsx"
    summary = _solve_json(capsys, book, "-o", out)
    assert summary["exit"] == NO_PLAN and summary["status"] == "infeasible"
    assert "warehouse space" in summary["infeasibility"]["summary"]
    sheets = openpyxl.load_workbook(out, data_only=True)
    assert sheets.sheetnames[-3:] == ["Plan", "Glossary", "Run log"]  # the terms the rules' words may need
    plan = sheets["Plan"]
    assert plan["A1"].value == "No plan"
    assert plan["A5"].value == "Rule" and plan["A6"].value in ("warehouse space", "overflow space")


def test_time_limit_without_a_plan(tmp_path, capsys):
    summary = _solve_json(capsys, ELECTRONICS, "-o", tmp_path / "plan.xlsx", "--time-limit", "0.05", "--mip-gap", "0")
    assert summary["exit"] == STOPPED
    assert summary["status"] == "stopped without plan"


def test_continuous_flag_solves_the_lp_relaxation(tmp_path, capsys):
    summary = _solve_json(capsys, ELECTRONICS, "-o", tmp_path / "plan.xlsx", "--continuous")
    assert round(summary["objective"], 2) == 564_341.51 and not summary["is_mip"]


def test_both_backends_from_the_workbook(tmp_path, capsys):
    summary = _solve_json(capsys, FACTORY_PHYSICS, "-o", tmp_path / "plan.xlsx", "--backend", "pyomo")
    assert round(summary["objective"], 6) == 1_292_662.857143
