"""Adopting a plan: every plan compare, frontier and a calm solve make is kept on the Plans sheet, and one
command puts it on the Plan sheet, where simulate, report and compare take it like a solved plan."""

from __future__ import annotations

import json

import openpyxl
import pytest

from tests.workbooks import FACTORY_PHYSICS, copy_of
from xlplan.commands import ACTIONS, BY_NAME
from xlplan.frontends.cli import NO_PLAN, OK, main


def _run(capsys, *args) -> tuple[int, dict]:
    code = main([*map(str, args), "--json"])
    out = capsys.readouterr().out
    return code, json.loads(out) if out.strip() else {}


def _runs(book) -> list[tuple]:
    sheet = openpyxl.load_workbook(book, data_only=True)["Run log"]
    header = next(r for r in sheet.iter_rows(values_only=True) if r[:2] == ("Finished (UTC)", "Command"))
    rows = list(sheet.iter_rows(values_only=True))
    return [r for r in rows[rows.index(header) + 1:] if r[1]]


def test_the_compare_recommendation_is_adopted_then_simulated_in_two_commands(tmp_path, capsys):
    book = copy_of(FACTORY_PHYSICS, tmp_path)
    code, compared = _run(capsys, "compare", book, "--in-place", "--replications", 5_000)
    assert code == OK
    strategies = {s["strategy"]: s for s in compared["strategies"]}
    headline = openpyxl.load_workbook(book, data_only=True)["Compare"]["A2"].value
    # the headline names the recommendation, its trade-off (mean and P5 profit, fill rate) and how to adopt it
    stochastic = strategies["stochastic"]
    assert headline.startswith(f"Recommended: the stochastic plan, mean profit {stochastic['mean_profit']:,.0f}, "
                               f"P5 profit {stochastic['profit_p5']:,.0f}, on-time fill rate "
                               f"{stochastic['fill_rate']:.1%}")
    # in Excel's terms: the command line's form is for the terminal (and the Glossary)
    assert "less P5 profit" in headline and "to use it, choose Adopt plan" in headline
    # the safest plan by its bad case is named when it is neither the recommended one nor the runner-up
    safest = max(strategies.values(), key=lambda s: s["profit_p5"])
    if safest["strategy"] != "stochastic" and f"against the {safest['strategy']} plan" not in headline:
        assert (f"(the {safest['strategy']} plan has the highest P5 profit: {safest['profit_p5']:,.0f}"
                in headline), headline
    assert "xlplan adopt" not in headline

    # 1: adopt (the recommendation by default); 2: simulate the Plan sheet
    code, adopted = _run(capsys, "adopt", book, "--in-place")
    assert code == OK and adopted["adopted"] == "stochastic" and adopted["made_by"] == "compare"
    code, simulated = _run(capsys, "simulate", book, "--in-place", "--replications", 5_000)
    assert code == OK and simulated["plan"] == "the plan on the Plan sheet" and not simulated.get("warnings")
    # the same plan under the same draws: Compare's figures exactly
    assert simulated["mean_profit"] == pytest.approx(stochastic["mean_profit"], rel=1e-12)
    assert simulated["profit_p5"] == pytest.approx(stochastic["profit_p5"], rel=1e-12)

    runs = _runs(book)
    assert [r[1] for r in runs[:3]] == ["simulate", "adopt", "compare"]
    assert runs[1][3] == "adopted" and runs[2][3].startswith("recommended: stochastic")
    plan = openpyxl.load_workbook(book, data_only=True)["Plan"]
    assert "adopted the stochastic plan made by compare" in plan["A2"].value


def test_any_kept_plan_by_name_and_an_unknown_name_lists_them(tmp_path, capsys):
    book = copy_of(FACTORY_PHYSICS, tmp_path)
    code, _ = _run(capsys, "compare", book, "--in-place", "--replications", 2_000)
    assert code == OK
    code, adopted = _run(capsys, "adopt", book, "-o", tmp_path / "det.xlsx", "--plan", " Deterministic ")
    # the workbook's own problem is the expected-value one: its optimum, priced again, is the golden cost
    assert code == OK and adopted["adopted"] == "deterministic"
    assert adopted["objective"] == pytest.approx(1_292_662.857143, abs=1e-6)
    code, stochastic = _run(capsys, "adopt", book, "-o", tmp_path / "sto.xlsx", "--plan", "stochastic")
    assert code == OK and stochastic["objective"] > adopted["objective"]

    code = main(["adopt", str(book), "-o", str(tmp_path / "x.xlsx"), "--plan", "no such plan"])
    assert code == NO_PLAN and not (tmp_path / "x.xlsx").exists()
    said = capsys.readouterr().err
    assert "no plan 'no such plan' on the Plans sheet; its plans: deterministic, best buffered, stochastic" in said


def test_frontier_and_compare_keep_each_others_plans(tmp_path, capsys):
    book = copy_of(FACTORY_PHYSICS, tmp_path)
    assert main(["compare", str(book), "--in-place", "--replications", "1000"]) == OK
    assert main(["frontier", str(book), "--in-place", "--replications", "1000", "--weights", "0,1"]) == OK
    capsys.readouterr()
    sheet = openpyxl.load_workbook(book, data_only=True)["Plans"]
    names = {r[0] for r in sheet.iter_rows(min_row=6, values_only=True) if r[0]}
    assert names == {"deterministic", "best buffered", "stochastic", "risk weight 0", "risk weight 1"}
    code, adopted = _run(capsys, "adopt", book, "-o", tmp_path / "risk.xlsx", "--plan", "risk weight 1")
    assert code == OK and adopted["made_by"] == "frontier"


def test_a_workbook_without_kept_plans_says_which_commands_make_them(tmp_path, capsys):
    code = main(["adopt", str(FACTORY_PHYSICS), "-o", str(tmp_path / "x.xlsx")])
    assert code == NO_PLAN
    assert "keeps no plans yet: compare, frontier or solve --calm make them" in capsys.readouterr().err


def test_adopt_is_an_action_of_every_front_end():
    assert BY_NAME["adopt"].action in ACTIONS
