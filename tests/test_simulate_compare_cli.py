"""xlplan simulate and xlplan compare on workbooks: the plan on the Plan sheet (as solved or as the
planner edits it), the Uncertainty sheet, errors at their cells, sheets a planner can read."""

from __future__ import annotations

import json
import math

import openpyxl
import pytest

from tests.libreoffice import pdf_text
from tests.workbooks import ELECTRONICS, FACTORY_PHYSICS, copy_of, edited, folder_state
from xlplan.frontends.cli import INVALID, OK, main
from xlplan.workbook.contract import PROFIT_ERROR


def _run(capsys, *args) -> tuple[int, dict]:
    code = main([*map(str, args), "--json"])
    out = capsys.readouterr().out
    return code, json.loads(out) if out.strip() else {}


def _sheet(path, name):
    return openpyxl.load_workbook(path, data_only=True)[name]


def test_simulate_solves_when_there_is_no_plan_sheet(tmp_path, capsys):
    out = tmp_path / "out.xlsx"
    code, summary = _run(capsys, "simulate", FACTORY_PHYSICS, "-o", out)
    assert code == OK and summary["plan"] == "the optimal plan (solved now)"
    assert summary["replications"] == 100_000 and not summary["legacy_simulator_defect"]
    assert abs(summary["mean_profit"] - 1.5307e6) <= 3 * math.hypot(summary["profit_se"], 70)
    sheet = _sheet(out, "Simulation")
    assert sheet["A1"].value == "Simulation"
    measures = {row[0]: row[1] for row in sheet.iter_rows(min_row=6, max_col=2, values_only=True) if row[0]}
    assert measures["Mean profit"] == pytest.approx(summary["mean_profit"])
    assert measures["On-time fill rate"] == pytest.approx(summary["fill_rate"])
    assert "Each replication starts from the plan" in sheet["A3"].value


def test_simulate_reads_the_plan_sheet_and_the_planners_edits(tmp_path, capsys):
    book = copy_of(FACTORY_PHYSICS, tmp_path)
    assert main(["solve", str(book), "--in-place"]) == OK
    capsys.readouterr()
    code, from_sheet = _run(capsys, "simulate", book, "--in-place", "--replications", 20_000)
    assert code == OK and from_sheet["plan"] == "the plan on the Plan sheet"
    code, solved = _run(capsys, "simulate", book, "-o", tmp_path / "x.xlsx", "--replications", 20_000,
                        "--plan", "solve")
    assert from_sheet["mean_profit"] == pytest.approx(solved["mean_profit"], rel=1e-12)
    runs = [r[1] for r in _sheet(book, "Run log").iter_rows(values_only=True) if r[1] in ("solve", "simulate")]
    assert runs == ["simulate", "solve"]  # most recent first
    assert {"Plan", "Recourse", "Costs", "KPI", "Simulation", "Run log"} <= set(
        openpyxl.load_workbook(book, read_only=True).sheetnames)

    edited_book = edited(book, tmp_path, lambda b: b["Plan"].__setitem__("C6", 250), name="edited.xlsx")
    code, typed = _run(capsys, "simulate", edited_book, "-o", tmp_path / "y.xlsx", "--replications", 20_000)
    assert code == OK and typed["mean_profit"] < from_sheet["mean_profit"]


def test_an_unreadable_plan_is_reported_at_its_cell(tmp_path, capsys):
    book = copy_of(FACTORY_PHYSICS, tmp_path)
    assert main(["solve", str(book), "--in-place", "--no-backup"]) == OK
    broken = edited(book, tmp_path, lambda b: b["Plan"].__setitem__("C6", "lots"), name="broken.xlsx")
    capsys.readouterr()
    before = folder_state(tmp_path)
    assert main(["simulate", str(broken), "--in-place"]) == INVALID
    assert ("Plan!C6 (xlplan_plan): 'lots' is not a number (Production, product Product, period 1)"
            in capsys.readouterr().err)
    assert folder_state(tmp_path) == before


@pytest.mark.parametrize("cell, value, message", [
    ("B5", "many", "Uncertainty!B5 (xlplan_simulation): 'many' is not a number (Replications)"),
    ("B7", "gauss", "Uncertainty!B7 (xlplan_simulation): 'gauss' is not one of normal, poisson, multipliers, "
                    "empirical (Demand distribution)"),
    ("B11", 0.5, "Uncertainty!B11 (xlplan_simulation): the buffer range ends (0.5) before it starts (1) "
                 "(Buffer to)"),
    ("E26", 0.8, "Uncertainty!E26 (xlplan_noise): availability max 0.8 is below availability min 0.9 "
                 "(Availability max, product Product)"),
])
def test_uncertainty_problems_are_reported_at_their_cells(tmp_path, capsys, cell, value, message):
    book = edited(FACTORY_PHYSICS, tmp_path, lambda b: b["Uncertainty"].__setitem__(cell, value))
    assert main(["simulate", str(book)]) == INVALID
    assert message in capsys.readouterr().err
    assert main(["compare", str(book)]) == INVALID
    assert not (tmp_path / "book-simulation.xlsx").exists() and not (tmp_path / "book-compare.xlsx").exists()


def test_a_workbook_without_an_uncertainty_sheet_says_what_is_missing(tmp_path, capsys):
    def drop(book):
        del book.defined_names["xlplan_simulation"]

    assert main(["simulate", str(edited(FACTORY_PHYSICS, tmp_path, drop))]) == INVALID
    assert "workbook (xlplan_simulation): the workbook has no name 'xlplan_simulation'" in capsys.readouterr().err


def test_exact_simulation_is_the_models_expected_cost(tmp_path, capsys):
    code, solved = _run(capsys, "solve", ELECTRONICS, "-o", tmp_path / "a.xlsx", "--continuous")
    code, exact = _run(capsys, "simulate", ELECTRONICS, "-o", tmp_path / "b.xlsx", "--plan", "solve", "--exact",
                       "--continuous")
    assert code == OK and exact["exact"] and exact["profit_se"] is None
    assert sum(exact["mean_cost"].values()) == pytest.approx(solved["objective"], abs=0.005)


def test_the_original_simulators_defect_is_labelled_wherever_it_appears(tmp_path, capsys):
    out = tmp_path / "legacy.xlsx"
    code, summary = _run(capsys, "simulate", FACTORY_PHYSICS, "-o", out, "--replications", 20,
                         "--reproduce-original-defect")
    assert code == OK and summary["legacy_simulator_defect"]
    assert _sheet(out, "Simulation")["A3"].value.startswith("LEGACY MODE")
    assert _sheet(out, "Run log")["B7"].value == "legacy"


def test_the_old_flag_name_still_works_and_says_the_new_one(tmp_path, capsys):
    """--reproduce-seed-defect named the source documents ("seeds"), not the random seed: its new name says
    what it reproduces; the old one is a hidden alias with a one-line notice, never in --help."""
    code = main(["simulate", str(FACTORY_PHYSICS), "-o", str(tmp_path / "old.xlsx"), "--replications", "20",
                 "--reproduce-seed-defect", "--json"])
    captured = capsys.readouterr()
    assert code == OK and json.loads(captured.out)["legacy_simulator_defect"]
    notice = [line for line in captured.err.splitlines() if "deprecated" in line]
    assert notice == ["xlplan: --reproduce-seed-defect is deprecated; use --reproduce-original-defect"]
    with pytest.raises(SystemExit):
        main(["simulate", "--help"])
    helped = capsys.readouterr().out
    assert "--reproduce-original-defect" in helped and "seed-defect" not in helped
    assert "Factory Physics original simulator" in " ".join(helped.split())


def test_compare_factory_physics(tmp_path, capsys, libreoffice):
    out = tmp_path / "compare.xlsx"
    code, summary = _run(capsys, "compare", FACTORY_PHYSICS, "-o", out, "--replications", 20_000)
    assert code == OK
    strategies = {s["strategy"]: s for s in summary["strategies"]}
    assert list(strategies) == ["deterministic", "best buffered", "stochastic"]
    assert strategies["stochastic"]["mean_profit"] > strategies["best buffered"]["mean_profit"] \
        > strategies["deterministic"]["mean_profit"]
    assert summary["value_of_stochastic_solution"]["VSS"] > 0
    sheet = _sheet(out, "Compare")
    names = [r[0] for r in sheet.iter_rows(min_row=6, max_row=8, values_only=True)]
    assert names == ["deterministic", "best buffered", "stochastic"]
    text = pdf_text(libreoffice.convert(out, "pdf", tmp_path / "pdf"))
    for heading in ("Compare", "Profit by plan", "Mean profit by buffer factor", "Gain from planning",
                    "Is the sample big enough?"):
        assert heading in text
    gap = summary["optimality_gap_ci"]
    assert gap["lower"] == 0 and 0 <= gap["upper"] < 0.01 * gap["plan_cost"]
    assert (gap["confidence"], gap["replications"], gap["scenarios"]) == (0.95, 10, 200)
    cells = {row[0]: row[1] for row in sheet.iter_rows(values_only=True) if row[0]}
    assert cells["Gap: upper limit"] == pytest.approx(gap["upper"])


def test_compare_electronics_reports_an_infinite_vss(tmp_path, capsys):
    code, summary = _run(capsys, "compare", ELECTRONICS, "-o", tmp_path / "c.xlsx", "--replications", 5_000,
                         "--continuous")
    assert code == OK
    value = summary["value_of_stochastic_solution"]
    assert value["VSS"] is None and value["EEV"] is None
    assert "backorder cap" in value["note"]
    assert summary["strategies"][-1]["strategy"] == "stochastic"


def test_simulation_sheet_prints(tmp_path, capsys, libreoffice):
    out = tmp_path / "sim.xlsx"
    assert main(["simulate", str(FACTORY_PHYSICS), "-o", str(out), "--replications", "10000"]) == OK
    capsys.readouterr()
    text = pdf_text(libreoffice.convert(out, "pdf", tmp_path / "pdf"))
    assert "Distribution of profit" in text and "Mean profit" in text


def test_one_plan_has_one_simulated_profit_on_simulation_compare_and_frontier(tmp_path, capsys):
    """Electronics has nothing to sample (its own scenarios, no process noise): the Simulation sheet evaluates a
    plan exactly, and Compare and Frontier evaluate the stochastic plan the same way, so the workbook shows one
    simulated profit for it, not a second from random draws."""
    book = copy_of(ELECTRONICS, tmp_path)
    assert main(["solve", str(book), "--in-place", "--continuous"]) == OK
    capsys.readouterr()
    code, simulated = _run(capsys, "simulate", book, "--in-place", "--no-backup")
    assert code == OK and simulated["evaluation"] == "exact"
    code, compared = _run(capsys, "compare", book, "--in-place", "--no-backup", "--continuous")
    assert code == OK and compared["evaluation"] == "exact"
    code, frontier = _run(capsys, "frontier", book, "--in-place", "--no-backup", "--continuous", "--weights", "0")
    assert code == OK and frontier["evaluation"] == "exact"

    measures = {row[0]: row[1] for row in _sheet(book, "Simulation").iter_rows(values_only=True) if row[0]}
    compare = list(_sheet(book, "Compare").iter_rows(values_only=True))
    header = next(i for i, row in enumerate(compare) if row[0] == "Strategy")
    columns = list(compare[header])
    stochastic = next(row for row in compare[header + 1:] if row[0] == "stochastic")
    points = list(_sheet(book, "Frontier").iter_rows(values_only=True))
    first = next(i for i, row in enumerate(points) if row[0] == "Risk weight")
    mean = measures["Mean profit"]
    assert stochastic[columns.index("Mean profit")] == pytest.approx(mean, rel=1e-9)
    assert points[first + 1][columns.index("Mean profit") + 1] == pytest.approx(mean, rel=1e-9)
    assert stochastic[columns.index("Profit P5")] == pytest.approx(measures["Profit P5"], rel=1e-9)
    assert PROFIT_ERROR not in columns  # an exact evaluation has no sampling error
    texts = " ".join(str(v) for row in compare for v in row if isinstance(v, str))
    assert "evaluated exactly over the workbook's 3 scenarios" in texts and "replications" not in texts
