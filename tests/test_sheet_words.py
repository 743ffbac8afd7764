"""Sheets speak Excel, not the command line: the Start sheet of every committed workbook says what to click,
and the commands themselves, like the technical terms, are the Glossary's."""

from __future__ import annotations

import re

import openpyxl
import pytest

from tests.workbooks import ELECTRONICS, FACTORY_PHYSICS, TEMPLATE, WORKBOOKS
from xlplan.workbook.sheets.glossary import TERMS

COMMITTED = (TEMPLATE, ELECTRONICS, FACTORY_PHYSICS, WORKBOOKS / "xlplan.xlsm", WORKBOOKS / "xlplan_lite.xlsx")
COMMAND_LINE = re.compile(r"\bxlplan (validate|solve|simulate|compare|example)\b|THIS\.xlsx| --[a-z]")
"""What a command line looks like: a command, a placeholder file, an option."""


def _texts(path, sheet):
    book = openpyxl.load_workbook(path, keep_vba=path.suffix == ".xlsm")
    return [str(c.value) for row in book[sheet].iter_rows() for c in row if isinstance(c.value, str)]


@pytest.mark.parametrize("path", COMMITTED, ids=lambda p: p.name)
def test_start_says_what_to_click_not_what_to_type(path):
    texts = _texts(path, "Start")
    assert not [t for t in texts if COMMAND_LINE.search(t)]
    how = " ".join(texts)
    # with buttons: the Action cell; without: the ribbon's buttons, and where the commands are
    assert ("Action cell" in how) == (path.suffix == ".xlsm" or "lite" in path.name)
    assert "Check inputs" in how or "choose Validate in the Action cell" in how
    assert all(word not in how for word in ("Stage 1", "an LP", "a MIP", "recourse"))


def test_the_glossary_holds_the_command_line_and_the_terms_the_sheets_leave_out():
    meanings = dict(TERMS)
    assert "xlplan validate BOOK.xlsx" in meanings["Command line"]
    assert "xlplan solve BOOK.xlsx -o plan.xlsx" in meanings["Command line"]
    assert "--recourse-detail FILE.csv" in meanings["Every scenario's detail (--recourse-detail)"]
    assert "Stage 1" in meanings["Stage 1, stage 2 (a two-stage plan)"]


def test_the_solved_sheets_headings_and_kpis_in_business_words():
    import xlplan
    from xlplan.problem.synthetic import synthetic_problem
    from xlplan.solver import SolveOptions
    from xlplan.workbook.sheets.solve_sheets import detail_sheet, plan_sheet, recourse_sheet

    solved = xlplan.solve(synthetic_problem(periods=4, scenarios=5, products=2, seed=7),
                          SolveOptions(relax_integrality=True))
    words = " ".join(str(t.value) for sheet in (plan_sheet(solved), recourse_sheet(solved), detail_sheet(solved))
                     for t in sheet.texts if isinstance(t.value, str))
    assert "decided now" in words and "once each scenario's demand is known" in words
    assert not re.search(r"[Ss]tage[ -][12]|recourse cost|--recourse", words)
    definitions = " ".join(k.definition for k in solved.kpi_list)
    assert "Stage-1" not in definitions and "the objective" not in definitions


def test_input_sheets_show_shares_as_percentages_and_thousands_with_separators():
    from xlplan.workbook import read_workbook

    book = openpyxl.load_workbook(ELECTRONICS)
    settings = {row[0].value: row for row in book["Settings"].iter_rows(min_row=5) if row[0].value}
    uncertainty = {row[0].value: row for row in book["Uncertainty"].iter_rows(min_row=5) if row[0].value}
    # the cell holds the share xlplan reads (0.95), shown as 95%, its unit '%'
    for rows, label in ((uncertainty, "Target fill rate"), (uncertainty, "Confidence level"),
                        (settings, "Overtime limit"), (settings, "Backorder limit")):
        _, value, unit = rows[label][:3]
        assert 0 < value.value < 1 and value.number_format == "0%" and unit.value.startswith("%")
    assert settings["Warehouse capacity"][1].number_format == "#,##0"  # 1,000, not 1000
    assert uncertainty["Seed"][1].number_format == "General"  # 2026: a name for random numbers, not an amount
    # a choice's unit fits its column: the choices are in the description
    assert len(uncertainty["Demand distribution"][2].value) <= 24
    note = next(v for v in uncertainty if isinstance(v, str) and v.startswith("One row per product"))
    assert "Availability min in %" in note and "Demand CV in % of mean" in note
    noise = next(i for i, row in enumerate(book["Uncertainty"].iter_rows(values_only=True)) if row[0] == "Product")
    first = book["Uncertainty"][noise + 2]  # the first product's noise: Demand CV, then availability min and max
    assert all(c.number_format == "0%" for c in (first[1], first[3], first[4]))
    assert "Used by Simulate and Compare." in book["Uncertainty"]["A2"].value
    problem = read_workbook(ELECTRONICS)
    assert problem.settings.warehouse_capacity == 1000 and problem.settings.overtime_limit == 0.25
