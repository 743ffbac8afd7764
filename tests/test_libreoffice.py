"""A real spreadsheet application opens every workbook xlplan writes, recalculates its formulas to
Python's figures, and prints it."""

from __future__ import annotations

import io

import openpyxl
import pytest

import xlplan
from tests.libreoffice import pdf_pages, pdf_text
from tests.workbooks import ELECTRONICS, FACTORY_PHYSICS, TEMPLATE, edited, planner_workbook
from xlplan.frontends.cli import NO_PLAN, OK, main
from xlplan.workbook import read_workbook
from xlplan.workbook.write.render_xlsxwriter import new_workbook


def test_the_harness_really_recalculates(tmp_path, libreoffice):
    path = tmp_path / "control.xlsx"
    book, _ = new_workbook(str(path))
    sheet = book.add_worksheet("S")
    sheet.write_number("A1", 20)
    sheet.write_formula("A2", "=A1*2+2", None, 999)  # a wrong cached result on purpose
    book.close()
    assert openpyxl.load_workbook(path, data_only=True)["S"]["A2"].value == 999
    recalculated = libreoffice.convert(path, "xlsx", tmp_path / "lo")
    assert openpyxl.load_workbook(recalculated, data_only=True)["S"]["A2"].value == 42


def _solved(example, folder, capsys, *extra):
    out = folder / f"{example.stem}-plan.xlsx"
    assert main(["solve", str(example), "-o", str(out), *extra]) == OK
    capsys.readouterr()
    return out


def _table_below(rows, first_header: str, second_header: str) -> tuple[tuple, list[tuple]]:
    """The header and data rows of the table whose header starts with the two given titles."""
    start = next(i for i, row in enumerate(rows) if row[:2] == (first_header, second_header))
    body = []
    for row in rows[start + 1:]:
        if not row[0]:
            break
        body.append(row)
    return rows[start], body


def _kpi_values(path) -> tuple[dict[str, float], dict[tuple[str, str], float]]:
    rows = list(openpyxl.load_workbook(path, data_only=True)["KPI"].iter_rows(values_only=True))
    # by product: a column per product, a row per measure (the first the selling price, or the labels in full)
    top = next(i for i, row in enumerate(rows) if row[0] == "KPI" and rows[i + 1][0] in ("Selling price", "Product"))
    header, measure_rows = _table_below(rows[top:], "KPI", rows[top][1])
    # the headline table and the reference figures below it
    headline = {}
    for start in (i for i, row in enumerate(rows) if row[:2] == ("KPI", "Value")):
        _, kpi_rows = _table_below(rows[start:], "KPI", "Value")
        headline |= {row[4]: row[1] for row in kpi_rows}  # the formula key, last
    products = {(header[j], row[0]): row[j] for row in measure_rows for j in range(1, len(header)) if header[j]}
    return headline, products


@pytest.mark.parametrize("example, extra", [(ELECTRONICS, ()), (FACTORY_PHYSICS, ())])
def test_recalculated_kpis_equal_pythons(tmp_path, capsys, libreoffice, example, extra):
    out = _solved(example, tmp_path, capsys, *extra)
    result = xlplan.solve(read_workbook(example))
    recalculated = libreoffice.convert(out, "xlsx", tmp_path / "lo")
    headline, products = _kpi_values(recalculated)
    expected = {k.key: k.value for k in result.kpi_list}
    formulas = {k for k in expected if k not in ("warehouse_utilisation", "warehouse_utilisation_peak",
                                                  "overflow_utilisation")}
    assert formulas <= set(headline)
    for key in formulas:
        assert headline[key] == pytest.approx(expected[key], rel=1e-9, abs=1e-9), key
    table = result.products.set_index("product")
    columns = {"Units produced": "units_produced", "Expected demand": "expected_demand",
               "Expected demand met": "expected_demand_met", "Expected shipped": "expected_shipped",
               "Average inventory": "average_inventory", "Turnover": "turnover", "Operating cost": "operating_cost",
               "Average unit cost": "average_unit_cost", "Unit margin": "margin", "On-time fill rate": "fill_rate"}
    for (product, header), value in products.items():
        if header in columns:
            assert value == pytest.approx(table.loc[product, columns[header]], rel=1e-9), (product, header)
    costs = openpyxl.load_workbook(recalculated, data_only=True)["Costs"]
    total = next(row for row in costs.iter_rows(values_only=True) if row[0] == "Total")
    assert total[len(result.problem.products) + 1] == pytest.approx(result.objective, rel=1e-9)


def test_every_output_prints(tmp_path, capsys, libreoffice):
    out = _solved(ELECTRONICS, tmp_path, capsys)
    pdf = libreoffice.convert(out, "pdf", tmp_path / "pdf")
    text = pdf_text(pdf)
    for heading in ("Plan", "Recourse", "Costs", "KPI", "Run log", "Production and expected demand: A",
                    "Expected cost by category", "564,472"):  # the optimum, whole from 10,000 up
        assert heading in text
    assert "Sensitivity" in text
    # Start (a dashboard on one page, the input sheets linked in a row), six inputs, nine outputs at a readable scale
    # (55% or more; KPI and Run log as wide as a page, its definitions and plan IDs beside their labels; KPI at 70%,
    # its figures by product on a second page):
    # the Plan's blocks beside its table on a page of their own (its charts two a row), no table or chart cut in two,
    # Recourse, Recourse detail and Sensitivity over several pages (the Recourse profiles on a page of their own, the
    # summary on one page fewer without them; Sensitivity on five at 73%, one page wide), the Glossary on one;
    # Uncertainty on two at 71% (its settings, then the noise per product), where one page took 57%; Start on one
    assert pdf_pages(pdf) == 26


def test_infeasible_output_prints_the_conflicts(tmp_path, capsys, libreoffice):
    book = edited(ELECTRONICS, tmp_path, lambda b: b["Products"].__setitem__("D7", 2500))
    out = tmp_path / "infeasible-plan.xlsx"
    assert main(["solve", str(book), "-o", str(out)]) == NO_PLAN
    capsys.readouterr()
    text = pdf_text(libreoffice.convert(out, "pdf", tmp_path / "pdf"))
    assert "No plan" in text and "warehouse space" in text


@pytest.mark.parametrize("workbook", [TEMPLATE, ELECTRONICS, FACTORY_PHYSICS])
def test_committed_workbooks_open(tmp_path, libreoffice, workbook):
    text = pdf_text(libreoffice.convert(workbook, "pdf", tmp_path))
    for sheet in ("Products", "Cost rates", "Demand", "Scenarios", "Settings"):
        assert sheet in text


def test_spliced_macro_workbook_opens(tmp_path, capsys, libreoffice):
    book = planner_workbook(tmp_path, "planner.xlsm")
    assert main(["solve", str(book), "--in-place", "--continuous"]) == OK
    capsys.readouterr()
    text = pdf_text(libreoffice.convert(book, "pdf", tmp_path / "pdf"))
    assert "a merged note" in text and "Total high" in text and "Run log" in text


def test_pandas_reads_cached_kpis_without_recalculation(tmp_path, capsys):
    import pandas as pd

    out = _solved(FACTORY_PHYSICS, tmp_path, capsys)
    kpi = pd.read_excel(io.BytesIO(out.read_bytes()), sheet_name="KPI", header=4)
    assert kpi.set_index("Formula key").loc["expected_cost", "Value"] == pytest.approx(1_292_662.857143, abs=1e-6)
