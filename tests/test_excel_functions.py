"""The worksheet functions of udfs.py, fed what xlwings' converters make of real workbook ranges.

Arguments are read from the example workbook by xlwings' calamine engine with the very converter
options each function declares (``@xw.arg``), and, in a second path, the whole call goes through
xlwings' own custom-function dispatch (``custom_functions_call``) the way xlwings Lite and Office.js
call them. Real HiGHS solves throughout; the cache is proven by the count of solves actually run.
"""

from __future__ import annotations

import asyncio
import importlib.util
import sys
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
import xlwings as xw
from xlwings.server import custom_functions_call, custom_functions_meta

from tests.workbooks import ELECTRONICS, ROOT
from xlplan.commands.worksheet import ARGUMENTS, CACHE
from xlplan.workbook.contract import INPUT_RANGES
from xlplan.workbook.read.file_source import FileSource

sys.path.insert(0, str(ROOT))
import udfs  # noqa: E402

FUNCTIONS = (udfs.XLPLAN_SOLVE, udfs.XLPLAN_KPI, udfs.XLPLAN_RECOURSE, udfs.XLPLAN_STATUS)


def lite_main():
    """``lite/main.py`` imported as xlwings Lite imports it."""
    spec = importlib.util.spec_from_file_location("xlplan_lite_main", ROOT / "lite" / "main.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def converted_arguments(path: Path, function=udfs.XLPLAN_SOLVE) -> list[Any]:
    """The input ranges of ``path`` as xlwings converts them for ``function``."""
    book = xw.Book(path, mode="r")
    try:
        arguments = []
        for argument, contract in zip(ARGUMENTS, INPUT_RANGES, strict=True):
            options = dict(function.__xlfunc__["argmap"][argument]["options"])
            target = book.names[contract.name].refers_to_range
            arguments.append(target.options(options.pop("convert"), **options).value)
        return arguments
    finally:
        book.close()


@pytest.fixture(scope="module")
def arguments() -> list[Any]:
    return converted_arguments(ELECTRONICS)


@pytest.fixture(autouse=True)
def empty_cache():
    CACHE.clear()
    yield
    CACHE.clear()


def test_every_function_declares_the_five_ranges_as_dataframes():
    for function in FUNCTIONS:
        declared = function.__xlfunc__["argmap"]
        for argument in ARGUMENTS:
            assert declared[argument]["options"] == {"convert": pd.DataFrame, "index": False, "err_to_str": True}
            assert declared[argument]["doc"].startswith("The ")
        assert function.__doc__ and function.__xlfunc__["ret"]["doc"] == function.__doc__


def test_the_converted_ranges_are_the_workbooks_inputs(arguments):
    assert all(isinstance(a, pd.DataFrame) for a in arguments)
    products, _, demand, scenarios, _ = arguments
    assert list(products["Product"]) == ["A", "B", "C"]
    assert list(scenarios["Scenario"]) == ["low", "med", "high"]
    assert demand.shape == (9, 14)


def test_solve_spills_the_golden_plan(arguments):
    plan = udfs.XLPLAN_SOLVE(*arguments)
    assert isinstance(plan, pd.DataFrame)
    assert list(plan.columns) == ["Product", "Period", "Production", "Regular hours", "Overtime hours", "Workforce",
                                  "Hires", "Fires", "Expected demand"]
    assert len(plan) == 36
    assert plan.groupby("Product")["Production"].sum().to_dict() == {"A": 3045, "B": 2702, "C": 2464}


def test_kpi_status_and_recourse_of_the_golden_solve(arguments):
    assert round(udfs.XLPLAN_KPI(*arguments, "expected_cost"), 2) == 564_471.50
    assert round(udfs.XLPLAN_KPI(*arguments, "Profit net of units owed at period end"), 2) == 2_476_316.00
    table = udfs.XLPLAN_KPI(*arguments)
    assert list(table.columns) == ["KPI", "Value", "Unit", "Key"]
    assert table.set_index("Key").loc["expected_cost", "Value"] == pytest.approx(564_471.50, abs=0.005)
    # the KPI sheet's units; a spilled table has no percentage format, so a share is in percent beside "%"
    fill = table.set_index("Key").loc["fill_rate"]
    assert fill["Unit"] == "%" and "fraction" not in set(table["Unit"])
    assert fill["Value"] == pytest.approx(100 * udfs.XLPLAN_KPI(*arguments, "fill_rate"), rel=1e-12)
    assert round(fill["Value"], 1) == 95.1
    assert udfs.XLPLAN_STATUS(*arguments) == "optimal: expected cost 564,472"
    high = udfs.XLPLAN_RECOURSE(*arguments, "high")
    assert set(high["Scenario"]) == {"high"} and len(high) == 36
    assert len(udfs.XLPLAN_RECOURSE(*arguments)) == 108
    assert udfs.XLPLAN_STATUS(*arguments, True) == "optimal: expected cost 564,342"


def test_a_second_call_with_the_same_inputs_does_not_solve(arguments):
    udfs.XLPLAN_SOLVE(*arguments)
    assert CACHE.solves == 1
    # what Excel's recalculation chain does: fresh argument objects, equal values, every function
    again = converted_arguments(ELECTRONICS)
    udfs.XLPLAN_SOLVE(*again)
    udfs.XLPLAN_KPI(*again, "profit_net_of_owed")
    udfs.XLPLAN_RECOURSE(*again, "low")
    udfs.XLPLAN_STATUS(*again)
    assert (CACHE.solves, CACHE.hits) == (1, 4)


def test_changed_inputs_solve_again_and_changing_back_does_not(arguments):
    udfs.XLPLAN_STATUS(*arguments)
    demand = arguments[2].copy()
    demand.iloc[0, 2] = demand.iloc[0, 2] + 50
    changed = udfs.XLPLAN_STATUS(arguments[0], arguments[1], demand, *arguments[3:])
    assert changed.startswith("optimal: expected cost ") and changed != "optimal: expected cost 564,472"
    assert CACHE.solves == 2
    assert udfs.XLPLAN_STATUS(*arguments) == "optimal: expected cost 564,472"
    assert CACHE.solves == 2


def test_problems_in_the_inputs_come_back_as_text_naming_argument_and_cell(arguments):
    products = arguments[0].astype(object)
    products.iloc[1, products.columns.get_loc("Hours per unit")] = "two"
    products.iloc[2, products.columns.get_loc("Selling price")] = "#N/A"
    lines = udfs.XLPLAN_SOLVE(products, *arguments[1:])
    assert lines[0] == ["xlplan: 2 problems in the inputs"]
    text = "\n".join(row[0] for row in lines)
    hours = products.columns.get_loc("Hours per unit") + 1
    assert f"argument products, cell {chr(64 + hours)}3 of the range: 'two' is not a number" in text
    assert "argument products, cell " in text and "#N/A" in text
    status = udfs.XLPLAN_STATUS(products, *arguments[1:])
    assert status.startswith("2 problems in the inputs: argument products, cell ") and "(and 1 more)" in status
    assert CACHE.solves == 0


def test_a_time_limit_that_is_not_a_number_is_explained(arguments):
    assert udfs.XLPLAN_SOLVE(*arguments, False, "soon") == [
        ["xlplan: time_limit must be a number of seconds, not 'soon'"]]
    assert udfs.XLPLAN_STATUS(*arguments, False, -5).startswith("xlplan: time_limit must be a positive number")
    assert CACHE.solves == 0


def test_a_missing_column_and_a_wrong_name_are_explained(arguments):
    settings = arguments[4].rename(columns={"Value": "Amount"})
    lines = udfs.XLPLAN_SOLVE(*arguments[:4], settings)
    assert "the header row has no 'Value' column" in "\n".join(row[0] for row in lines)
    assert udfs.XLPLAN_KPI(*arguments, "profit").startswith("xlplan: no KPI 'profit'; known: expected_cost")
    assert udfs.XLPLAN_RECOURSE(*arguments, "peak") == [
        ["xlplan: no scenario 'peak'; the scenarios are low, med, high"]]


def test_an_infeasible_problem_is_explained_in_words(arguments):
    settings = arguments[4].astype(object)
    row = settings.index[settings["Setting"].str.lower().str.startswith("backorders allowed")][0]
    settings.loc[row, "Value"] = False
    products = arguments[0].copy()
    products["Initial workforce"] = 1
    lines = udfs.XLPLAN_SOLVE(products, arguments[1], arguments[2], arguments[3], settings)
    assert lines[:2] == [["xlplan: no plan (infeasible)"], [
        "No plan satisfies every rule. The least change that would make one possible exceeds: no backorders "
        "(1 time), overflow space (1 time)."]]
    assert len(lines) == 4
    assert lines[3] == ["period 12, scenario low: the overflow warehouse would need 0.30 space units more than its "
                        "capacity of 500"]
    assert udfs.XLPLAN_STATUS(products, arguments[1], arguments[2], arguments[3], settings).startswith("infeasible")


def _office_js_values(path: Path) -> list[list[list[Any]]]:
    """The five ranges as Office.js sends a custom function's arguments (empty cells are "")."""
    source = FileSource(path)
    return [[["" if v is None else v for v in row] for row in source.locate(c.name).grid.values]
            for c in INPUT_RANGES]


def _call(module, name: str, arguments: list[Any]) -> Any:
    data = {"func_name": name, "args": arguments, "version": xw.__version__, "client": "Office.js",
            "runtime": "1.4", "caller_address": "Sheet1!H2", "culture_info_name": "en-US", "date_format": "M/d/yyyy"}
    return asyncio.run(custom_functions_call(data, module))


@pytest.mark.parametrize("module", [udfs, "lite"], ids=["udfs", "lite-main"])
def test_through_xlwings_own_custom_function_call(module):
    module = lite_main() if module == "lite" else module
    described = {f["name"]: f for f in custom_functions_meta(module)["functions"]}
    assert set(described) == {"XLPLAN_SOLVE", "XLPLAN_KPI", "XLPLAN_RECOURSE", "XLPLAN_STATUS", "XLPLAN_SHADOW",
                              "XLPLAN_SIMULATE", "XLPLAN_FRONTIER"}
    assert [p["name"] for p in described["XLPLAN_KPI"]["parameters"]] == [*ARGUMENTS, "kpi", "continuous",
                                                                          "time_limit"]
    ranges = _office_js_values(ELECTRONICS)
    plan = _call(module, "XLPLAN_SOLVE", ranges)
    assert plan[0][:3] == ["Product", "Period", "Production"] and len(plan) == 37
    assert sum(row[2] for row in plan[1:]) == 3045 + 2702 + 2464
    assert _call(module, "XLPLAN_KPI", [*ranges, [["expected_cost"]]]) == [[564_471.5]]
    assert _call(module, "XLPLAN_STATUS", [*ranges, [[True]]]) == [["optimal: expected cost 564,342"]]
    assert CACHE.solves == 2
