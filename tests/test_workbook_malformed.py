"""Malformed workbooks: every defect is reported with its sheet, cell and named range, the command
exits non-zero, and no file is written or changed."""

from __future__ import annotations

import re

import pytest
from openpyxl.workbook.defined_name import DefinedName

from tests.workbooks import TEMPLATE, edited, folder_state
from xlplan.frontends.cli import INVALID, main


def put(sheet: str, ref: str, value):
    def change(book):
        book[sheet][ref] = value
    return change


def rename_defined(name: str, text: str):
    def change(book):
        book.defined_names[name] = DefinedName(name, attr_text=text)
    return change


def delete_defined(name: str):
    def change(book):
        del book.defined_names[name]
    return change


def delete_rows(sheet: str, row: int, count: int = 1):
    def change(book):
        book[sheet].delete_rows(row, count)
        table = next(iter(book[sheet].tables.values()))
        first, last = table.ref.split(":")
        column = "".join(c for c in last if c.isalpha())
        table.ref = f"{first}:{column}{int(''.join(c for c in last if c.isdigit())) - count}"
    return change


def both(*changes):
    def change(book):
        for c in changes:
            c(book)
    return change


def merge(sheet: str, ref: str):
    def change(book):
        book[sheet].merge_cells(ref)
    return change


DEFECTS = {
    # ----------------------------------------------------------------- layout
    "missing name": (delete_defined("xlplan_products"), [
        "workbook (xlplan_products): the workbook has no name 'xlplan_products'; define it over the input "
        "table (Formulas > Name Manager), or start from the template: xlplan template PATH"]),
    "name to a deleted range": (rename_defined("xlplan_scenarios", "#REF!"), [
        "workbook (xlplan_scenarios): the name 'xlplan_scenarios' refers to a deleted range (#REF!); point it at "
        "the table again (Formulas > Name Manager)"]),
    "name to a missing table": (rename_defined("xlplan_costs", "Costs2[#All]"), [
        "workbook (xlplan_costs): the name 'xlplan_costs' refers to Costs2[#All], but the workbook has no table "
        "'Costs2'"]),
    "name to a missing sheet": (rename_defined("xlplan_settings", "'Old settings'!$A$4:$D$12"), [
        "workbook (xlplan_settings): the name 'xlplan_settings' refers to the sheet 'Old settings', which the "
        "workbook does not have"]),
    "name to two areas": (rename_defined("xlplan_products", "Products!$A$4:$C$7,Products!$E$4:$G$7"), [
        "workbook (xlplan_products): the name 'xlplan_products' refers to 'Products!$A$4:$C$7,Products!$E$4:$G$7', "
        "which is not one range xlplan can read; use an Excel Table or a range such as Sheet!$A$1:$D$20"]),
    "name to part of a table": (rename_defined("xlplan_demand", "Demand[Scenario]"), [
        "workbook (xlplan_demand): the name 'xlplan_demand' refers to part of a table (Demand[Scenario]); "
        "point it at the whole table: =Demand[#All]"]),
    "misspelt header": (put("Products", "B4", "Hours/unit"), [
        "Products!B4 (xlplan_products): 'Hours/unit' is not a column xlplan knows (expected: Product, Hours per "
        "unit, Space per unit, Initial inventory, Initial backorders, Initial workforce, Selling price; columns "
        "headed Note... or Comment... are ignored)",
        "Products!A4:G4 (xlplan_products): the header row has no 'Hours per unit' column"]),
    "header twice": (put("Cost rates", "D4", "Production cost"), [
        "'Cost rates'!D4 (xlplan_costs): the column 'Production cost' appears twice",
        "'Cost rates'!A4:K4 (xlplan_costs): the header row has no 'Regular hour cost' column"]),
    "merged cells": (merge("Scenarios", "A6:B6"), [
        "Scenarios!A6:B6 (xlplan_scenarios): merged cells inside an input range: each cell needs its own value; "
        "unmerge them (Home > Merge & Center)"]),
    "unknown setting": (put("Settings", "A6", "Overtime limt"), [
        "Settings!A6 (xlplan_settings): 'Overtime limt' is not a setting xlplan knows (known: Regular hours per "
        "workforce unit, Overtime limit, Warehouse capacity, Overflow capacity, Overflow cost multiplier, "
        "Backorders allowed, Backorder limit, Lost sales allowed, Whole units, Risk weight, Risk level, "
        "Calm plan tolerance, Fill rate target, Fill rate policy, Fill rate share of scenarios, Currency, "
        "Workforce unit)",
        "Settings!A4:D21 (xlplan_settings): the setting 'Overtime limit' is missing: add a row for it (leave its "
        "value blank for no limit)"]),
    "setting twice": (put("Settings", "A12", "Backorders allowed"), [
        "Settings!A12 (xlplan_settings): the setting 'Backorders allowed' appears twice",
        "Settings!A4:D21 (xlplan_settings): the setting 'Lost sales allowed' is missing: add a row for it"]),
    # ----------------------------------------------------------------- values
    "text in demand": (put("Demand", "E7", "abc"), [
        "Demand!E7 (xlplan_demand): 'abc' is not a number (Demand, product A, period 3, scenario high)"]),
    "negative demand": (put("Demand", "C9", -5), [
        "Demand!C9 (xlplan_demand): -5 is negative; it must be 0 or more (Demand, product B, period 1, "
        "scenario med)"]),
    "Excel error in a cost": (put("Cost rates", "I10", "#N/A"), [
        "'Cost rates'!I10 (xlplan_costs): holds the Excel error #N/A; a number is required (Holding cost, "
        "product A, period 6)"]),
    "division error in products": (put("Products", "G6", "#DIV/0!"), [
        "Products!G6 (xlplan_products): holds the Excel error #DIV/0!; a number is required (Selling price, "
        "product B)"]),
    "blank cost": (put("Cost rates", "C20", None), [
        "'Cost rates'!C20 (xlplan_costs): is blank; a number is required (Production cost, product B, period 4)"]),
    "formula without a saved result": (put("Demand", "N13", "=M13*1.1"), [
        "Demand!N13 (xlplan_demand): has the formula =M13*1.1 but no saved result; open the workbook in Excel or "
        "LibreOffice and save it so the result is stored, or type the value in (Demand, product C, period 12, "
        "scenario high)"]),
    "yes/no in a number cell": (put("Products", "C5", True), [
        "Products!C5 (xlplan_products): True is a yes/no value, not a number (Space per unit, product A)"]),
    "probabilities do not add up": (put("Scenarios", "B7", 0.3), [
        "Scenarios!B5:B7 (xlplan_scenarios): the probabilities add up to 1.05, not 1 (Probability)"]),
    "probability above one": (put("Scenarios", "B5", 1.5), [
        "Scenarios!B5 (xlplan_scenarios): 1.5 is more than 1; a probability is between 0 and 1 (Probability, "
        "scenario low)"]),
    "negative probability": (put("Scenarios", "B6", -0.5), [
        "Scenarios!B6 (xlplan_scenarios): -0.5 is negative; it must be 0 or more (Probability, scenario med)"]),
    "zero hours per unit": (put("Products", "B7", 0), [
        "Products!B7 (xlplan_products): 0 must be greater than 0 (Hours per unit, product C)"]),
    "product twice": (both(put("Products", "A7", "B")), [
        "Products!A7 (xlplan_products): product 'B' appears twice (first at Products!A6) (Product)"]
        + [f"'Cost rates'!A{28 + t} (xlplan_costs): product 'C' is not defined in the products list (Product, "
           f"period {t})" for t in range(1, 13)]
        + [f"Demand!A{r} (xlplan_demand): product 'C' is not defined in the products list (Product, scenario {s})"
           for r, s in ((11, "low"), (12, "med"), (13, "high"))]),
    "blank scenario label": (put("Scenarios", "A6", None), [
        "Scenarios!A6 (xlplan_scenarios): the scenario label is blank (Scenario)"]
        + [f"Demand!B{r} (xlplan_demand): scenario 'med' is not defined in the scenarios list (Scenario, "
           f"product {p})" for r, p in ((6, "A"), (9, "B"), (12, "C"))]),
    "unknown product in costs": (put("Cost rates", "A15", "D"), [
        "'Cost rates'!A15 (xlplan_costs): product 'D' is not defined in the products list (Product, period 11)",
        "'Cost rates'!A4:K40 (xlplan_costs): no row for product A, period 11"]),
    "unknown scenario in demand": (put("Demand", "B13", "peak"), [
        "Demand!B13 (xlplan_demand): scenario 'peak' is not defined in the scenarios list (Scenario, product C)",
        "Demand!A4:N13 (xlplan_demand): no row for product C, scenario high"]),
    "cost row missing": (delete_rows("Cost rates", 17), [
        "'Cost rates'!A4:K39 (xlplan_costs): no row for product B, period 1"]),
    "cost row twice": (put("Cost rates", "B6", "1"), [
        "'Cost rates'!A6 (xlplan_costs): this product / period appears twice (first at 'Cost rates'!A5) "
        "(product A, period 1)",
        "'Cost rates'!A4:K40 (xlplan_costs): no row for product A, period 2"]),
    "period twice": (put("Demand", "D4", "1"), [
        "Demand!D4 (xlplan_demand): period '1' appears twice (first at Demand!C4) (Period)",
        *[f"'Cost rates'!B{r} (xlplan_costs): period '2' is not defined in the periods list (Period, product {p})"
          for r, p in ((6, "A"), (18, "B"), (30, "C"))]]),
    "flag not yes or no": (put("Settings", "B10", "maybe"), [
        "Settings!B10 (xlplan_settings): 'maybe' is not yes or no (Backorders allowed)"]),
    "overflow without a warehouse": (put("Settings", "B7", None), [
        "Settings!B8 (xlplan_settings): an overflow warehouse needs a regular warehouse capacity: set "
        "warehouse_capacity, or set overflow_capacity to 0 (Overflow capacity)"]),
    "negative capacity": (put("Settings", "B7", -5), [
        "Settings!B7 (xlplan_settings): -5 is negative; it must be 0 or more (Warehouse capacity)"]),
    "text in a setting": (put("Settings", "B6", "lots"), [
        "Settings!B6 (xlplan_settings): 'lots' is not a number (Overtime limit)"]),
    "no products": (delete_rows("Products", 5, 3), None),
    "several defects at once": (both(put("Demand", "E7", "abc"), put("Products", "G6", "#DIV/0!"),
                                     put("Settings", "B6", "lots")), [
        "Products!G6 (xlplan_products): holds the Excel error #DIV/0!; a number is required (Selling price, "
        "product B)",
        "Demand!E7 (xlplan_demand): 'abc' is not a number (Demand, product A, period 3, scenario high)",
        "Settings!B6 (xlplan_settings): 'lots' is not a number (Overtime limit)"]),
}


PROGRESS = re.compile(r"xlplan: (reading|validating) ")
"""The phases a command reports while it reads (a line each when stderr is a log, as here)."""


@pytest.mark.parametrize("defect", DEFECTS)
def test_defect_is_reported_at_its_cell_and_nothing_is_written(defect, tmp_path, capsys):
    change, expected = DEFECTS[defect]
    book = edited(TEMPLATE, tmp_path, change)
    before = folder_state(tmp_path)

    assert main(["validate", str(book)]) == INVALID
    # in a log the reading's progress lines come first; then the headline and one line per problem
    lines = [line for line in capsys.readouterr().err.splitlines() if not PROGRESS.match(line)]
    reported = [line.removeprefix("  - ") for line in lines[1:]]
    if expected is not None:
        assert reported == expected
    else:
        assert reported

    assert main(["solve", str(book), "-o", str(tmp_path / "plan.xlsx")]) == INVALID
    assert main(["solve", str(book), "--in-place"]) == INVALID
    capsys.readouterr()
    assert folder_state(tmp_path) == before


def test_no_products_is_named(tmp_path, capsys):
    book = edited(TEMPLATE, tmp_path, delete_rows("Products", 5, 3))
    assert main(["validate", str(book)]) == INVALID
    err = capsys.readouterr().err
    assert "Products!A4:G4 (xlplan_products): there is no product; at least one is required" in err


def test_json_lists_every_issue(tmp_path, capsys):
    import json

    book = edited(TEMPLATE, tmp_path, both(put("Demand", "E7", "abc"), put("Settings", "B6", "lots")))
    assert main(["validate", str(book), "--json"]) == INVALID
    payload = json.loads(capsys.readouterr().out)
    assert payload["status"] == "invalid"
    assert [(i["where"], i["name"]) for i in payload["issues"]] == [
        ("Demand!E7", "xlplan_demand"), ("Settings!B6", "xlplan_settings")]


def test_at_least_thirty_distinct_defects():
    assert len(DEFECTS) >= 30
