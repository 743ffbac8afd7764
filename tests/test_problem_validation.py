"""Validation collects every problem at once, each naming its table, row, field and labels."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import xlplan
from xlplan.problem import InvalidProblemError, problem_from_tables
from xlplan.problem.reference import electronics_tables, factory_physics_tables


def _tables():
    """The electronics tables with untyped cells, as a spreadsheet delivers them."""
    return {k: (v.astype(object) if isinstance(v, pd.DataFrame) else
                v.copy() if isinstance(v, (dict, list)) else v)
            for k, v in electronics_tables().items()}


def _issues(**tables) -> list[str]:
    with pytest.raises(InvalidProblemError) as caught:
        problem_from_tables(**tables)
    return [str(issue) for issue in caught.value.issues]


def test_valid_tables_build_the_problem():
    problem = problem_from_tables(**_tables())
    assert problem.products == ("A", "B", "C")
    assert problem.periods == tuple(str(t) for t in range(1, 13))
    assert problem.scenarios == ("low", "med", "high")
    assert problem.demand[2, 1, 3] == 253  # high, B, week 4


def test_every_problem_is_reported_at_once():
    t = _tables()
    t["products"].loc[0, "hours_per_unit"] = -2
    t["products"].loc[1, "space_per_unit"] = "abc"
    t["costs"].loc[3, "holding_cost"] = None
    t["costs"].loc[14, "production_cost"] = "#N/A"
    t["demand"].loc[5, "demand"] = -1
    t["scenarios"].loc[2, "probability"] = 0.3
    t["settings"]["overtime_limit"] = "lots"
    t["settings"]["backorders_allowed"] = "maybe"
    issues = _issues(**t)
    assert issues == [
        "products.hours_per_unit (product A): -2 must be greater than 0",
        "products.space_per_unit (product B): 'abc' is not a number",
        "scenarios.probability: the probabilities add up to 1.05, not 1",
        "costs.holding_cost (product A, period 4): is blank; a number is required",
        "costs.production_cost (product B, period 3): holds the Excel error #N/A; a number is required",
        "demand.demand (product A, period 6, scenario low): -1 is negative; it must be 0 or more",
        "settings.overtime_limit: 'lots' is not a number",
        "settings.backorders_allowed: 'maybe' is not yes or no",
    ]


def test_issues_carry_row_and_column_for_front_ends():
    t = _tables()
    t["costs"].loc[14, "production_cost"] = "x"
    with pytest.raises(InvalidProblemError) as caught:
        problem_from_tables(**t)
    (issue,) = caught.value.issues
    assert (issue.table, issue.row, issue.column) == ("costs", 14, "production_cost")
    assert issue.labels == {"product": "B", "period": "3"}


def test_labels_duplicate_unknown_blank_and_missing():
    t = _tables()
    t["products"].loc[2, "product"] = "A"  # C renamed to A: a duplicate, and C's rows become unknown
    t["scenarios"].loc[1, "scenario"] = None
    issues = _issues(**t)
    assert "products.product (product A): product 'A' appears twice (first in row 1)" in issues
    assert "scenarios.scenario: the scenario label is blank" in issues
    assert "costs.product (product C, period 1): product 'C' is not defined in the products list" in issues
    assert any(i.startswith("demand.scenario (product A, period 1, scenario med): scenario 'med' is not "
                            "defined") for i in issues)


def test_missing_rows_are_named():
    t = _tables()
    t["costs"] = t["costs"].drop(index=[5]).reset_index(drop=True)
    assert _issues(**t) == ["costs (product A, period 6): no row for product A, period 6"]


def test_duplicate_rows_are_named():
    t = _tables()
    t["demand"] = pd.concat([t["demand"], t["demand"].iloc[[0]]], ignore_index=True)
    assert _issues(**t) == [
        "demand (product A, period 1, scenario low): this product / period / scenario appears twice "
        "(first in row 1)"]


def test_empty_horizon_and_empty_tables():
    t = _tables()
    t["periods"] = []
    t["demand"] = t["demand"].iloc[0:0]
    t["costs"] = t["costs"].iloc[0:0]
    assert _issues(**t) == ["periods: there is no period; at least one is required"]
    t = _tables()
    t["products"] = t["products"].iloc[0:0]
    t["costs"] = t["costs"].iloc[0:0]
    t["demand"] = t["demand"].iloc[0:0]
    issues = _issues(**t)
    assert issues == ["products: there is no product; at least one is required"]


def test_missing_columns_and_unknown_settings():
    t = _tables()
    t["products"] = t["products"].drop(columns=["hours_per_unit"])
    t["demand"] = t["demand"].drop(columns=["scenario"])
    t["settings"]["overtime_limt"] = 0.3
    issues = _issues(**t)
    assert "products.hours_per_unit: the column 'hours_per_unit' is missing" in issues
    assert "demand.scenario: the column 'scenario' is missing" in issues
    assert any(i.startswith("settings.overtime_limt: 'overtime_limt' is not a setting xlplan knows") for i in issues)


def test_settings_consistency():
    t = _tables()
    t["settings"]["warehouse_capacity"] = None
    assert _issues(**t) == [
        "settings.overflow_capacity: an overflow warehouse needs a regular warehouse capacity: set "
        "warehouse_capacity, or set overflow_capacity to 0"]


def test_values_spreadsheets_produce_are_accepted():
    t = factory_physics_tables()
    t["products"]["hours_per_unit"] = ["12"]            # a number stored as text
    t["costs"]["period"] = [float(p) for p in t["costs"]["period"]]  # 1.0 from a numeric cell
    t["settings"] = {"hours_per_worker": 1, "backorders_allowed": "No", "integer_units": 0}
    problem = problem_from_tables(**t)
    assert problem.periods[0] == "1"
    assert problem.product.hours_per_unit.tolist() == [12.0]
    assert problem.settings.backorders_allowed is False


def test_problem_is_immutable_and_fingerprinted(electronics):
    with pytest.raises(ValueError):
        electronics.demand[0, 0, 0] = 1
    assert electronics.fingerprint() == xlplan.reference.electronics().fingerprint()
    assert electronics.fingerprint() != electronics.with_settings(integer_units=False).fingerprint()
    assert np.isclose(electronics.probabilities.sum(), 1)


def test_whole_units_need_whole_demand_and_stock():
    t = _tables()
    t["demand"].loc[3, "demand"] = 190.5
    t["products"].loc[1, "initial_inventory"] = 10.25
    assert _issues(**t) == [
        "products.initial_inventory (product B): 10.25 is not a whole number; with Whole units = Yes, stock and "
        "demand are whole numbers",
        "demand.demand (product A, period 4, scenario low): 190.5 is not a whole number; with Whole units = Yes, "
        "stock and demand are whole numbers"]
    t["settings"]["integer_units"] = False
    assert problem_from_tables(**t).demand[0, 0, 3] == 190.5


def test_expected_and_buffered_demand_stay_whole_with_whole_units(electronics):
    assert np.array_equal(electronics.buffered(1.07).demand, np.round(electronics.demand * 1.07))
    fractional = electronics.with_scenarios(electronics.scenarios, electronics.demand + [[[0]], [[1]], [[0]]],
                                            electronics.probabilities)
    expected = fractional.expected_value_problem().demand
    assert np.array_equal(expected, np.round(expected))
