"""The business sheets answer in business words: Sensitivity says first what one more unit of each limit is
worth, in the workbook's units, and explains its empty ranges; Compare names what planning for uncertainty
is worth with the technical terms in a column of their own (and the Glossary sheet), and never leaves a
figure blank without saying why; means of counts are labelled averages."""

from __future__ import annotations

import openpyxl
import pytest

from tests.workbooks import ELECTRONICS, FACTORY_PHYSICS
from xlplan.frontends.cli import OK, main
from xlplan.workbook.sheets.decision_sheets import NO_ROOM
from xlplan.workbook.sheets.glossary import GLOSSARY, TERMS


def _rows(path, sheet):
    return [row for row in openpyxl.load_workbook(path, data_only=True)[sheet].iter_rows(values_only=True)]


@pytest.fixture(scope="module")
def factory(tmp_path_factory):
    book = tmp_path_factory.mktemp("words") / "factory.xlsx"
    assert main(["solve", str(FACTORY_PHYSICS), "-o", str(book)]) == OK
    return book


def test_sensitivity_answers_what_one_more_unit_is_worth_first_in_the_workbooks_units(factory):
    rows = _rows(factory, "Sensitivity")
    header = next(i for i, row in enumerate(rows) if row[0] == "Limit")
    detail = max(i for i, row in enumerate(rows) if row[0] == "Limit")
    assert header < detail and "What one more unit is worth" in rows[header - 1][0]  # the answer before the list
    answers = {row[0]: row for row in rows[header + 1:detail] if row[0] and row[4] is not None}
    # the workforce is counted in worker-hours: one more worker-hour, priced per worker-hour
    _, product, period, scenario, value, unit, words, _, valid = answers["workforce"]
    assert unit == "$ / worker-hour" and words.startswith("one more worker-hour")
    assert (product, period, scenario) == ("Product", "1", "expected") and value == pytest.approx(15.0)  # its best
    assert valid == pytest.approx(1_114.285714, rel=1e-6)  # valid for up to this many more
    assert {"regular hours", "labour hours"} <= set(answers)
    details = [row for row in rows[detail + 1:] if row[0]]
    assert all(row[6].startswith("one more worker-hour") for row in details if row[0] == "workforce")


def test_a_range_of_zero_is_explained_not_shown_as_zero(factory):
    rows = _rows(factory, "Sensitivity")
    detail = max(i for i, row in enumerate(rows) if row[0] == "Limit")  # the list below the answers
    ends = [v for row in rows[detail + 1:] for v in row[7:9] if v is not None]
    assert NO_ROOM in ends  # the degenerate ranges of periods 9 to 12
    assert not [v for v in ends if isinstance(v, float) and abs(v) < 1e-9]
    notes = " ".join(str(row[0]) for row in rows[:detail] if row[0])
    assert "'none (see note)': at this optimum" in notes


def test_compare_names_the_value_of_planning_for_uncertainty_in_words(tmp_path):
    book = tmp_path / "compared.xlsx"
    assert main(["compare", str(ELECTRONICS), "-o", str(book), "--replications", "500", "--continuous"]) == OK
    rows = _rows(book, "Compare")
    measures = {row[0]: row[1:3] for row in rows if row[0]}
    assert isinstance(measures["Stochastic plan: expected cost"][0], float)  # words, then the figure: no code
    codes = {"RP", "EV", "EEV", "WS", "VSS", "EVPI"}  # the technical names are the Glossary's alone
    assert not {word.strip("(),:=") for row in rows for v in row if isinstance(v, str) for word in v.split()} & codes
    gain = measures["Gain from planning for uncertainty"]
    # electronics' average-demand plan breaks the backorder cap in a scenario: said in the cell, never blank
    assert gain[0] == "no figure" and "the average-demand plan breaks a rule in some scenario" in gain[1]
    assert measures["Average-demand plan: expected cost"][0] == "no figure"
    notes = " ".join(str(row[0]) for row in rows if row[0])
    assert "breaks a rule in some scenario" in notes and "EEV and VSS are infinite" not in notes
    terms = {row[0] for row in _rows(book, GLOSSARY)[4:] if row[0]}
    assert {"RP", "EEV", "VSS", "EVPI", "CVaR"} <= terms == {t for t, _ in TERMS}
    assert "Stockout periods (average)" in [c for c in rows[4] if c]
