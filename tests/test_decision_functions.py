"""XLPLAN_SHADOW, XLPLAN_SIMULATE and XLPLAN_FRONTIER on the electronics workbook's ranges, as xlwings
converts them: the same figures as the Python API, each computed once however many cells ask."""

from __future__ import annotations

import pandas as pd
import pytest

import xlplan
from tests.test_excel_functions import converted_arguments, udfs
from tests.workbooks import ELECTRONICS
from xlplan.analysis.sensitivity import shadow_prices
from xlplan.commands.worksheet import ARGUMENTS, CACHE
from xlplan.workbook import read_workbook

FUNCTIONS = (udfs.XLPLAN_SHADOW, udfs.XLPLAN_SIMULATE, udfs.XLPLAN_FRONTIER)


@pytest.fixture(scope="module")
def arguments():
    return converted_arguments(ELECTRONICS, udfs.XLPLAN_SHADOW)


@pytest.fixture(autouse=True)
def empty_cache():
    CACHE.clear()
    yield
    CACHE.clear()


def test_they_declare_the_five_ranges_like_the_others():
    for function in FUNCTIONS:
        declared = function.__xlfunc__["argmap"]
        for argument in ARGUMENTS:
            assert declared[argument]["options"] == {"convert": pd.DataFrame, "index": False, "err_to_str": True}
        assert function.__doc__ and function.__xlfunc__["ret"]["doc"] == function.__doc__


def test_shadow_prices_of_the_workbook(arguments):
    problem = read_workbook(ELECTRONICS)
    expected = shadow_prices(problem, xlplan.solve(problem).solution.plan)
    labour = next(p for p in expected.prices if p.rule == "labour_capacity")
    assert udfs.XLPLAN_SHADOW(*arguments, "labour hours", labour.product, labour.period) == pytest.approx(labour.value)
    assert udfs.XLPLAN_SHADOW(*arguments, "labour_capacity", labour.product, labour.period) == pytest.approx(
        labour.value)
    table = udfs.XLPLAN_SHADOW(*arguments)
    assert list(table.columns)[:5] == ["Limit", "Product", "Period", "Scenario", "Value"]
    assert len(table) == len(expected.prices)
    by_period = udfs.XLPLAN_SHADOW(*arguments, "demand", "A")
    assert isinstance(by_period, pd.DataFrame) and set(by_period["Product"]) == {"A"} and len(by_period) == 12
    assert udfs.XLPLAN_SHADOW(*arguments, "overtime limit", "A", "1") == 0.0  # does not bind
    assert udfs.XLPLAN_SHADOW(*arguments, "floor space").startswith("xlplan: no limit 'floor space'")
    assert (CACHE.solves, CACHE.derivations) == (1, 1)


def test_simulate_one_statistic_or_the_table(arguments):
    mean = udfs.XLPLAN_SIMULATE(*arguments, "mean_profit", 2_000, 7)
    table = udfs.XLPLAN_SIMULATE(*arguments, None, 2_000, 7)
    assert table.set_index("Statistic").loc["mean_profit", "Value"] == pytest.approx(mean)
    assert 0 < udfs.XLPLAN_SIMULATE(*arguments, "fill rate", 2_000, 7) <= 1
    assert udfs.XLPLAN_SIMULATE(*arguments, "profit_p5", 2_000, 7) < mean
    assert (CACHE.solves, CACHE.derivations) == (1, 1)
    # nothing to sample (the scenarios' own demand, no noise): evaluated exactly, as the Simulation sheet is
    assert udfs.XLPLAN_SIMULATE(*arguments, "mean_profit", 2_000, 8) == mean
    assert udfs.XLPLAN_SIMULATE(*arguments, "mean_profit", 50_000, 9) == mean
    assert CACHE.derivations == 1
    assert udfs.XLPLAN_SIMULATE(*arguments, "mean_profit", "many").startswith("xlplan: replications must be")


def test_frontier_spills_one_row_per_weight(arguments):
    table = udfs.XLPLAN_FRONTIER(*arguments, "0, 2", 1_000, None, True)
    assert list(table["Risk weight"]) == [0.0, 2.0] and list(table["Status"]) == ["optimal", "optimal"]
    assert table["Expected cost"][0] == pytest.approx(udfs.XLPLAN_KPI(*arguments, "expected_cost", True), rel=1e-9)
    assert table["Expected cost"][1] >= table["Expected cost"][0] - 1e-6
    assert table.columns[2] == "Worst 10%: average cost"  # the Frontier sheet's words, CVaR in its Glossary
    assert table.iloc[1, 2] <= table.iloc[0, 2] + 1e-6
    udfs.XLPLAN_FRONTIER(*arguments, "0, 2", 1_000, None, True)
    assert CACHE.derivations == 1
    reseeded = udfs.XLPLAN_FRONTIER(*arguments, "0, 2", 1_000, 7, True)  # the seed is the simulate command's option
    assert CACHE.derivations == 2 and list(reseeded["Expected cost"]) == list(table["Expected cost"])
    # the workbook's own scenarios and no noise: each plan is evaluated exactly, as the Simulation sheet evaluates
    # one, so no seed moves its simulated profit
    assert list(reseeded["Simulated mean profit"]) == list(table["Simulated mean profit"])
    assert udfs.XLPLAN_FRONTIER(*arguments, "0, -1").startswith("xlplan: the risk weights must be at least 0")
