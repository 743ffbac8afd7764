"""One headline profit: the plan's profit, planned (expected over the scenarios) and simulated (averaged
over the Uncertainty sheet's outcomes), is the same number wherever it is shown (Start, KPI, Simulation,
Compare, the HTML report), read back from the files, and labelled planned or simulated everywhere."""

from __future__ import annotations

import re

import openpyxl
import pytest

from tests.workbooks import ELECTRONICS
from xlplan.frontends.cli import OK, main
from xlplan.workbook.sheets.units import whole_text


def _rows(book, sheet):
    return [row for row in book[sheet].iter_rows(values_only=True)]


def _beside(rows, label, column=0):
    return next(row[column + 1] for row in rows if len(row) > column + 1 and row[column] == label)


@pytest.fixture(scope="module")
def analysed(tmp_path_factory):
    folder = tmp_path_factory.mktemp("headline")
    book = folder / "analysed.xlsx"
    assert main(["solve", str(ELECTRONICS), "-o", str(book)]) == OK
    assert main(["simulate", str(book), "--in-place", "--no-backup"]) == OK
    assert main(["compare", str(book), "--in-place", "--no-backup", "--replications", "500", "--continuous"]) == OK
    report = folder / "analysed.html"
    assert main(["report", str(book), "-o", str(report)]) == OK
    return openpyxl.load_workbook(book, data_only=True), report.read_text(encoding="utf-8")  # as stored


def test_the_planned_and_simulated_profit_reconcile_on_every_sheet_and_the_report(analysed):
    book, page = analysed
    kpi = _rows(book, "KPI")
    planned = _beside(kpi, "Profit (planned)")
    assert planned == pytest.approx(2_592_728.50)  # the golden optimum's profit

    simulation = _rows(book, "Simulation")
    simulated = _beside(simulation, "Mean profit")
    assert _beside(simulation, "Profit (planned)") == pytest.approx(planned)
    meaning = next(row[3] for row in simulation if row[0] == "Mean profit")
    assert meaning.startswith("Profit (simulated)")
    planned_meaning = next(row[3] for row in simulation if row[0] == "Profit (planned)")
    assert "Planned: " in planned_meaning and "Simulated: " in planned_meaning  # the difference, in one line

    start = [row[1:] for row in _rows(book, "Start")]
    assert _beside(start, "Profit (planned)") == pytest.approx(planned)
    assert _beside(start, "Profit (simulated)") == pytest.approx(simulated)

    compare = " ".join(str(v) for row in _rows(book, "Compare") for v in row if isinstance(v, str))
    shown = f"profit (planned) {whole_text(planned)} and profit (simulated) {whole_text(simulated)} on average"
    assert shown in compare and "2,592,729" in shown  # 2,592,728.50 rounded as Excel shows the KPI cell

    cards = dict(re.findall(r'data-key="(\w+)" data-value="([^"]*)"><div class="label">', page))
    labels = dict(re.findall(r'data-key="(\w+)" data-value="[^"]*"><div class="label">([^<]*)<', page))
    assert float(cards["profit_shipped"]) == pytest.approx(planned) and labels["profit_shipped"] == "Profit (planned)"
    assert float(cards["simulated_profit"]) == pytest.approx(simulated)
    assert labels["simulated_profit"] == "Profit (simulated)"
    assert f">${whole_text(planned)}<" in page and f">${whole_text(simulated)}<" in page  # whole, as Excel rounds


def test_start_says_how_the_comparisons_figures_relate_to_the_simulations(analysed):
    """Electronics has nothing to sample: Compare evaluates exactly, as Simulation does, and Start says so
    (a sampled Compare's own outcomes would be named instead)."""
    book, _ = analysed
    start = [row[1:] for row in _rows(book, "Start")]
    recommended = _beside(start, "Its profit (simulated)")
    simulated = _beside(start, "Profit (simulated)")
    assert isinstance(recommended, float) and isinstance(simulated, float)
    notes = " ".join(str(v) for row in start for v in row if isinstance(v, str))
    assert "Compare evaluates every plan exactly over the workbook's scenarios, as above." in notes
    assert "same outcomes of its own" not in notes
