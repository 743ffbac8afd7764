"""Reference problem 1, the electronics portfolio: every published figure, to the cent."""

from __future__ import annotations

import pytest

import xlplan


def test_mip_optimum(electronics_result):
    assert electronics_result.status is xlplan.SolveStatus.OPTIMAL
    assert electronics_result.info.is_mip
    assert round(electronics_result.objective, 2) == 564_471.50
    assert electronics_result.info.gap == 0


def test_units_produced(electronics_result):
    units = electronics_result.plan.groupby("product")["production"].sum()
    assert units.to_dict() == {"A": 3045, "B": 2702, "C": 2464}


def test_cost_breakdown(electronics_result):
    total = electronics_result.costs["total"].round(2)
    assert total["production"] == 65_348.00
    assert total["regular labour"] == 447_353.00
    assert total["overtime"] == 0
    assert total["hire/fire"] == 0
    assert round(total["holding"] + total["overflow holding"], 2) == 42_582.25
    assert total["backorder"] == 9_188.25
    assert round(total.sum(), 2) == 564_471.50


def test_seed_revenue_and_profit(electronics_result):
    assert round(electronics_result.kpi("revenue_net_of_owed"), 2) == 3_040_787.50
    assert round(electronics_result.kpi("profit_net_of_owed"), 2) == 2_476_316.00
    assert round(electronics_result.kpi("margin_net_of_owed"), 3) == 0.814  # "Operating Margin: ~81.4%"


@pytest.mark.parametrize("product, demand, turnover, unit_cost, margin", [
    ("A", 2829, 8.56, 51.09, 65.9),
    ("B", 2552, 7.26, 61.72, 87.7),
    ("C", 2295, 6.70, 98.27, 84.9),
])
def test_seed_product_table(electronics_result, product, demand, turnover, unit_cost, margin):
    row = electronics_result.products.set_index("product").loc[product]
    assert int(row["expected_demand"]) == demand  # the seed prints the integer part
    assert round(row["turnover"], 2) == turnover
    assert round(row["average_unit_cost"], 2) == unit_cost
    assert round(100 * row["margin"], 1) == margin


def test_lp_relaxation(electronics):
    result = xlplan.solve(electronics, relax_integrality=True)
    assert result.status is xlplan.SolveStatus.OPTIMAL
    assert not result.info.is_mip
    assert round(result.objective, 2) == 564_341.51


def test_continuous_setting_is_the_lp_relaxation(electronics):
    result = xlplan.solve(electronics.with_settings(integer_units=False))
    assert round(result.objective, 2) == 564_341.51
