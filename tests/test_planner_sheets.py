"""Sheets a planner can act on, and figures that never overstate: one profit definition, an exact
evaluation where one exists, the original model's figures only as named reference figures."""

from __future__ import annotations

import json
import re

import openpyxl
import pytest

from tests.workbooks import ELECTRONICS, FACTORY_PHYSICS
from xlplan.frontends.cli import OK, main


def _run(capsys, *args) -> tuple[int, dict]:
    code = main([*map(str, args), "--json"])
    return code, json.loads(capsys.readouterr().out)


def _cells(path, sheet):
    return [row for row in openpyxl.load_workbook(path, data_only=True)[sheet].iter_rows(values_only=True)]


def _texts(path):
    book = openpyxl.load_workbook(path, data_only=True)
    return {(ws.title, cell.coordinate): cell.value for ws in book.worksheets for row in ws.iter_rows()
            for cell in row if isinstance(cell.value, str)}


@pytest.fixture(scope="module")
def electronics(tmp_path_factory):
    """The electronics example solved, then simulated from its Plan sheet."""
    folder = tmp_path_factory.mktemp("electronics")
    solved, simulated = folder / "plan.xlsx", folder / "simulated.xlsx"
    assert main(["solve", str(ELECTRONICS), "-o", str(solved)]) == OK
    assert main(["simulate", str(solved), "-o", str(simulated), "--json"]) == OK
    return solved, simulated


def test_empirical_demand_without_noise_is_evaluated_exactly(tmp_path, capsys):
    """Item 3: three weighted scenarios and nothing else random: a weighted sum, not 100,000 draws."""
    solved = tmp_path / "plan.xlsx"
    assert main(["solve", str(ELECTRONICS), "-o", str(solved)]) == OK
    capsys.readouterr()
    code, summary = _run(capsys, "simulate", solved, "-o", tmp_path / "sim.xlsx")
    assert code == OK
    assert summary["evaluation"] == "exact" and summary["exact"] and summary["profit_se"] is None
    assert summary["replications"] == 3 and summary["seed"] is None
    assert "empirical demand and no noise" in summary["evaluation_reason"]
    rows = _cells(tmp_path / "sim.xlsx", "Simulation")
    assert "exactly, over the problem's 3 scenarios" in rows[1][0]
    assert "Computed, not sampled" in rows[2][0]
    measures = {row[0]: row[1] for row in rows[4:] if row[0]}
    assert measures["Scenarios evaluated"] == 3 and "Replications" not in measures
    # the 95% interval is two numbers, equal to the mean when exact
    assert measures["95% interval of the mean: from"] == measures["95% interval of the mean: to"] \
        == pytest.approx(summary["mean_profit"])


def test_noisy_simulation_samples_and_says_where_the_old_defect_applies(tmp_path, capsys):
    code, summary = _run(capsys, "simulate", FACTORY_PHYSICS, "-o", tmp_path / "sim.xlsx", "--replications", 2000)
    assert code == OK and summary["evaluation"] == "sampled" and summary["profit_se"] > 0
    rows = _cells(tmp_path / "sim.xlsx", "Simulation")
    assert "Each replication starts from the plan" in rows[2][0]  # capacity is drawn: the defect could show
    measures = {row[0]: row[1] for row in rows[4:] if row[0]}
    low, high = measures["95% interval of the mean: from"], measures["95% interval of the mean: to"]
    assert isinstance(low, float) and isinstance(high, float)
    assert low < summary["mean_profit"] < high
    assert high - low == pytest.approx(2 * 1.96 * summary["profit_se"])


def test_one_profit_definition_and_the_original_figures_as_reference(electronics, capsys):
    """Item 4: the headline profit is shipped revenue less operating cost, everywhere; the original
    model's definitions are reference figures under names that say what they are."""
    solved, _ = electronics
    capsys.readouterr()
    code, summary = _run(capsys, "solve", ELECTRONICS, "-o", solved.parent / "again.xlsx")
    assert code == OK
    kpis = summary["kpis"]
    assert kpis["profit_shipped"] == pytest.approx(2_592_728.50)
    # the golden reference figures, reproduced under their new names
    assert kpis["revenue_net_of_owed"] == pytest.approx(3_040_787.50)
    assert kpis["profit_net_of_owed"] == pytest.approx(2_476_316.00)
    assert not [key for key in kpis if "seed" in key]
    rows = _cells(solved, "KPI")
    labels = {row[0]: row[1] for row in rows if row[0]}
    assert labels["Profit (planned)"] == pytest.approx(2_592_728.50)
    titles = [row[0] for row in rows if row[0] and str(row[0]).startswith("Reference figures")]
    assert len(titles) == 1
    reference_row = next(i for i, row in enumerate(rows) if row[0] == titles[0])
    headline_row = next(i for i, row in enumerate(rows) if row[0] == "Profit (planned)")
    net_row = next(i for i, row in enumerate(rows) if row[0] == "Profit net of units owed at period end")
    assert headline_row < reference_row < net_row  # the original definitions only in their own block


def test_no_output_sheet_calls_anything_the_seed(electronics):
    """"Seed" is the random-number seed only, never the name of the original model."""
    for path in electronics:
        for (sheet, cell), text in _texts(path).items():
            if sheet in ("Plan", "Recourse", "Costs", "KPI", "Run log", "Simulation", "Start"):
                words = re.findall(r"\bseed(?:'s)?\b", text, re.I)
                assert all(w.lower() == "seed" for w in words), (sheet, cell, text)
                assert "seed definition" not in text.lower() and "seed's" not in text.lower(), (sheet, cell, text)


def test_the_run_log_records_a_simulation_like_a_solve(electronics):
    """Item 17: seed, evaluation, options and versions of the latest simulation, as for a solve."""
    _, simulated = electronics
    details = {}
    for row in _cells(simulated, "Run log")[3:]:
        if row[0] is None:
            break
        details[row[0]] = row[1]
    assert details["Command"] == "xlplan simulate"
    assert details["Evaluation"].startswith("exact") and details["Scenarios evaluated"] == 3
    assert "Seed" in details and details["Options"] == "none: the plan was read, not solved"
    assert details["Version: numpy"] and details["Version: xlplan"]
    assert "LEGACY" not in details  # the old simulator's defect is mentioned only where it was reproduced


def test_the_start_headline_is_right_without_recalculation(electronics, tmp_path):
    """Every command draws the Start sheet again with its figures as values: LibreOffice, left to its default
    (show cached results, recalculate nothing), shows the solve's plan and figures, and "none yet" only in a
    workbook never solved."""
    from tests.libreoffice import LibreOffice, pdf_text

    office = LibreOffice(tmp_path / "profile", recalculate=False)
    solved, _ = electronics
    start = pdf_text(office.convert(solved, "pdf", tmp_path / "solved")).split("How to plan")[0]
    assert re.search(r"Plan\s+the optimal plan, solved \d{4}-\d\d-\d\d \d\d:\d\d UTC", start), start
    assert re.search(r"Cost \(planned\)\s+\$564,472\b", start) and "Solve writes the optimal plan" not in start
    fresh = pdf_text(office.convert(ELECTRONICS, "pdf", tmp_path / "fresh")).split("How to plan")[0]
    assert "none yet: Solve writes the optimal plan" in fresh and "564,472" not in fresh.split("plan in effect")[1]
