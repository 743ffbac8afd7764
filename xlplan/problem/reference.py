"""The two published reference problems, as specified in the project's reference README.

1. ``electronics``: a three-product, twelve-week, three-scenario two-stage problem with whole
   units, warehouse and overflow space and capped backorders (MIP optimum 564,471.50).
2. ``factory_physics``: Hopp & Spearman's aggregate plan (Factory Physics, section 16.4), one
   product, twelve periods, workforce in worker-hours (LP optimum 1,292,662.857143).
"""

from __future__ import annotations

from importlib import resources

import pandas as pd

from xlplan.problem.problem import PlanningProblem
from xlplan.problem.tables import problem_from_tables

ELECTRONICS_CSV = "electronics_product_data.csv"
FACTORY_PHYSICS_DEMAND = (200, 220, 230, 300, 400, 450, 320, 180, 170, 170, 160, 180)


def electronics_tables() -> dict[str, object]:
    """The electronics problem as input tables (the form a workbook holds)."""
    with resources.files("xlplan.problem.data").joinpath(ELECTRONICS_CSV).open() as handle:
        data = pd.read_csv(handle, dtype={"product": str, "t": str})
    products = pd.DataFrame({
        "product": ["A", "B", "C"],
        "hours_per_unit": [2.0, 3.0, 5.0],
        "space_per_unit": [0.2, 0.5, 1.0],
        "initial_inventory": [200.0, 200.0, 200.0],
        "initial_backorders": [0.0, 0.0, 0.0],
        "initial_workforce": [60.0, 70.0, 80.0],
        "selling_price": [150.0, 500.0, 650.0],
    })
    costs = pd.DataFrame({
        "product": data["product"],
        "period": data["t"],
        "production_cost": data["unit_production_cost"],
        "regular_hour_cost": data["unit_reg_labor_cost"],
        "overtime_hour_cost": data["unit_ot_labor_cost"],
        "workforce_cost": 0.0,
        "hire_cost": data["hiring_cost"],
        "fire_cost": data["firing_cost"],
        "holding_cost": data["unit_holding_cost"],
        "backorder_cost": data["unit_backorder_cost"],
        "lost_sale_cost": data["product"].map({"A": 150.0, "B": 500.0, "C": 650.0}),
    })
    scenarios = pd.DataFrame({"scenario": ["low", "med", "high"], "probability": [0.25, 0.5, 0.25]})
    demand = pd.concat(
        [pd.DataFrame({"product": data["product"], "period": data["t"], "scenario": name,
                       "demand": data[f"{name}_demand"]}) for name in scenarios["scenario"]],
        ignore_index=True,
    )
    settings = {
        "hours_per_worker": 40,
        "overtime_limit": 0.25,
        "warehouse_capacity": 1000,
        "overflow_capacity": 500,
        "overflow_cost_multiplier": 3,
        "backorders_allowed": True,
        "backorder_limit": 0.4,
        "integer_units": True,
        "currency": "$",  # the source names no currency; its prices (a TV at 500) read as dollars
        "workforce_unit": "workers",
    }
    periods = list(dict.fromkeys(data["t"]))
    return dict(products=products, costs=costs, demand=demand, scenarios=scenarios,
                settings=settings, periods=periods, name="Electronics portfolio")


def factory_physics_tables(demand_factor: float = 1.0, hours_per_unit: float = 12.0) -> dict[str, object]:
    """The Factory Physics aggregate plan as input tables.

    ``demand_factor`` and ``hours_per_unit`` give the original model's "inflated" plan (1.25 and 15).
    """
    periods = [str(t) for t in range(1, 13)]
    products = pd.DataFrame({
        "product": ["Product"],
        "hours_per_unit": [hours_per_unit],
        "space_per_unit": [0.0],
        "initial_inventory": [0.0],
        "initial_backorders": [0.0],
        "initial_workforce": [168.0 * 15.0],
        "selling_price": [1000.0],
    })
    costs = pd.DataFrame({
        "product": "Product",
        "period": periods,
        "production_cost": 0.0,
        "regular_hour_cost": 0.0,
        "overtime_hour_cost": 52.5,
        "workforce_cost": 35.0,
        "hire_cost": 15.0,
        "fire_cost": 9.0,
        "holding_cost": 10.0,
        "backorder_cost": 0.0,
        "lost_sale_cost": 1000.0,
    })
    demand = pd.DataFrame({"product": "Product", "period": periods, "scenario": "mean",
                           "demand": [d * demand_factor for d in FACTORY_PHYSICS_DEMAND]})
    scenarios = pd.DataFrame({"scenario": ["mean"], "probability": [1.0]})
    # unmet demand is lost, as in the original model's simulator; the LP optimum is the same with or without
    # (tests/test_golden_factory_physics.py), and the stochastic model needs that recourse
    settings = {"hours_per_worker": 1, "backorders_allowed": False, "lost_sales_allowed": True,
                "integer_units": False, "currency": "$", "workforce_unit": "worker-hours"}  # as Hopp & Spearman
    return dict(products=products, costs=costs, demand=demand, scenarios=scenarios,
                settings=settings, periods=periods, name="Factory Physics aggregate plan")


def electronics_uncertainty_tables() -> dict[str, object]:
    """The electronics example's simulation: its own three scenarios, no process noise."""
    return dict(
        settings={"replications": 100_000, "seed": 2026, "demand_distribution": "empirical",
                  "sampled_scenarios": 100, "target_service": 0.95, "buffer_from": 1.0, "buffer_to": 1.5,
                  "buffer_step": 0.01, "confidence": 0.95},
        noise=pd.DataFrame({"product": ["A", "B", "C"], "demand_cv": 0.0, "hours_sd": 0.0,
                            "availability_min": 1.0, "availability_max": 1.0}),
    )


def factory_physics_uncertainty_tables() -> dict[str, object]:
    """The original model's noise: hours per unit Normal(12, 0.1), availability Uniform(0.9, 1), demand sd 10%."""
    return dict(
        settings={"replications": 100_000, "seed": 2026, "demand_distribution": "normal",
                  "sampled_scenarios": 200, "target_service": 0.95, "buffer_from": 1.0, "buffer_to": 1.3,
                  "buffer_step": 0.01, "confidence": 0.95},
        noise=pd.DataFrame({"product": ["Product"], "demand_cv": [0.1], "hours_sd": [0.1],
                            "availability_min": [0.9], "availability_max": [1.0]}),
    )


def electronics() -> PlanningProblem:
    """Reference problem 1: the electronics portfolio (three scenarios, whole units)."""
    return problem_from_tables(**electronics_tables())  # type: ignore[arg-type]


def factory_physics(demand_factor: float = 1.0, hours_per_unit: float = 12.0) -> PlanningProblem:
    """Reference problem 2: Factory Physics' aggregate plan (one scenario, an LP)."""
    return problem_from_tables(**factory_physics_tables(demand_factor, hours_per_unit))  # type: ignore[arg-type]
