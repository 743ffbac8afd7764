"""A solved plan as tidy tables and KPIs: what front ends show and scripts read."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property
from typing import Any

import numpy as np
import pandas as pd

from xlplan.model.service import policy_text
from xlplan.problem import PlanningProblem
from xlplan.problem.numbers import finite_or_none
from xlplan.results.flows import Flows
from xlplan.solver.infeasibility import InfeasibilityExplanation
from xlplan.solver.registry import registered
from xlplan.solver.solution import Solution, SolveInfo
from xlplan.solver.status import SolveStatus
from xlplan.text import amount_text


class NoPlanError(RuntimeError):
    """Raised when plan tables are asked of a solve that returned no plan."""


@dataclass(frozen=True)
class Kpi:
    key: str
    label: str
    value: float
    unit: str
    definition: str
    reference: bool = False
    """A figure by the original model's definitions, kept to reproduce its published numbers; the
    headline figures use the consistent definitions."""


TARGET_TOLERANCE = 1e-9
"""A fill rate this close below its target counts as reaching it (the solver's arithmetic)."""


def _ratio(numerator: float, denominator: float) -> float:
    return float(numerator / denominator) if denominator else float("nan")


class PlanResult:
    """The outcome of :func:`xlplan.solve`: status, plan, recourse, costs and KPIs.

    Tables are tidy pandas DataFrames with labels in columns. Asking for a table of a solve that
    returned no plan (see :attr:`status`) raises :class:`NoPlanError` with the reason.
    """

    def __init__(self, solution: Solution):
        self.solution = solution

    # ---------------------------------------------------------------- status
    @property
    def problem(self) -> PlanningProblem:
        return self.solution.problem

    @property
    def info(self) -> SolveInfo:
        return self.solution.info

    @property
    def status(self) -> SolveStatus:
        return self.info.status

    @property
    def has_plan(self) -> bool:
        return self.status.has_plan

    @property
    def message(self) -> str:
        """The outcome in words."""
        return self.info.message

    @property
    def objective(self) -> float | None:
        """Expected cost of the plan (None without a plan)."""
        return self.info.objective

    @property
    def explanation(self) -> InfeasibilityExplanation | None:
        """For an infeasible problem: the rules in conflict and by how much they would have to give."""
        return self.solution.explanation

    @cached_property
    def flows(self) -> Flows:
        if self.solution.plan is None or self.solution.recourse is None:
            raise NoPlanError(f"No plan: {self.message}")
        return Flows(self.problem, self.solution.plan, self.solution.recourse, self.solution.formulation)

    # ---------------------------------------------------------------- tables
    @cached_property
    def plan(self) -> pd.DataFrame:
        """Stage-1 plan, one row per product and period."""
        p = self.problem
        index = pd.MultiIndex.from_product([p.products, p.periods], names=["product", "period"])
        variables = self.solution.formulation.plan_variables()  # the model solved: a part's variables too
        table = pd.DataFrame({v.name: self.flows.plan[v.name].ravel() for v in variables}, index=index)
        return table.reset_index()

    @cached_property
    def recourse(self) -> pd.DataFrame:
        """Stage-2 recourse, one row per product, period and scenario."""
        p, f = self.problem, self.flows
        index = pd.MultiIndex.from_product([p.scenarios, p.products, p.periods],
                                           names=["scenario", "product", "period"])
        variables = self.solution.formulation.recourse_variables()
        columns = {"demand": p.demand, **{v.name: f.recourse[v.name] for v in variables}, "shipped": f.shipped}
        columns["made"] = f.made
        table = pd.DataFrame({name: values.ravel() for name, values in columns.items()}, index=index)
        return table.reset_index()[["product", "period", "scenario", *columns]]

    @cached_property
    def costs(self) -> pd.DataFrame:
        """Expected cost by category (rows) and product (columns), with a total column."""
        by_category = self.flows.cost_by_category()
        table = pd.DataFrame(by_category,
                             index=pd.Index(self.problem.products, name="product")).T
        table.index.name = "category"
        table["total"] = table.sum(axis=1)
        return table

    @cached_property
    def scenarios(self) -> pd.DataFrame:
        """Per scenario: probability, cost, revenue (of units shipped, and the reference figure net of
        units owed at period end), profit (of units shipped) and fill rate."""
        p, f = self.problem, self.flows
        price = p.product.selling_price[None, :, None]
        cost = f.scenario_cost()
        return pd.DataFrame({
            "scenario": p.scenarios,
            "probability": p.probabilities,
            "cost": cost,
            "revenue_net_of_owed": (price * f.demand_met).sum(axis=(1, 2)),
            "revenue_shipped": (price * f.shipped).sum(axis=(1, 2)),
            "fill_rate": 1 - f.late.sum(axis=(1, 2)) / np.maximum(p.demand.sum(axis=(1, 2)), 1e-12),
        }).assign(profit_shipped=lambda d: d.revenue_shipped - d.cost)

    @cached_property
    def fill_rates(self) -> pd.DataFrame:
        """On-time fill rate per product and scenario: 1 - sum_t min(B[t], D[t]) / sum_t D[t]."""
        p, f = self.problem, self.flows
        demand = p.demand.sum(axis=2)
        late = f.late.sum(axis=2)
        index = pd.MultiIndex.from_product([p.scenarios, p.products], names=["scenario", "product"])
        table = pd.DataFrame({"demand": demand.ravel(), "late": late.ravel(),
                              "fill_rate": np.where(demand > 0, 1 - late / np.maximum(demand, 1e-12), 1.0).ravel()},
                             index=index).reset_index()
        return table[["product", "scenario", "demand", "late", "fill_rate"]]

    @cached_property
    def service_level(self) -> pd.DataFrame | None:
        """With a fill rate target (Settings), per product: the target, the policy, the expected on-time
        fill rate and the share of scenarios (by probability) whose fill rate reaches the target; None
        without a target. The model bounds backorders + lost sales, which are at least the late units,
        so a plan meeting its rule meets these figures too."""
        settings = self.problem.settings
        target = settings.fill_rate_target
        if target is None:
            return None
        by_scenario = self.fill_rates.pivot(index="scenario", columns="product", values="fill_rate")
        by_scenario = by_scenario.loc[list(self.problem.scenarios), list(self.problem.products)]
        reached = (by_scenario.to_numpy() >= target - TARGET_TOLERANCE)
        return pd.DataFrame({
            "product": self.problem.products,
            "target": target,
            "policy": settings.fill_rate_policy,
            "required_share": settings.fill_rate_share if settings.fill_rate_policy == "chance" else None,
            "expected_fill_rate": self.products.fill_rate.to_numpy(),
            "share_of_scenarios_meeting_target": self.problem.probabilities @ reached,
        })

    @cached_property
    def products(self) -> pd.DataFrame:
        """Per product: units, expected demand, turnover, operating cost, average unit cost and margin
        (the original model's product table) plus the expected on-time fill rate."""
        p, f = self.problem, self.flows
        T = len(p.periods)
        produced = f.plan["production"].sum(axis=1)
        demand = f.expect(p.demand).sum(axis=1)
        demand_met = f.expect(f.demand_met).sum(axis=1)
        average_inventory = f.expect(f.inventory).sum(axis=1) / T
        opportunity = list(self.solution.formulation.opportunity_categories)
        cost = self.costs.drop(index=opportunity, columns="total").sum(axis=0).to_numpy()
        with np.errstate(divide="ignore", invalid="ignore"):
            unit_cost = np.where(produced > 0, cost / produced, np.nan)
            price = p.product.selling_price
            return pd.DataFrame({
                "product": p.products,
                "units_produced": produced,
                "expected_demand": demand,
                "expected_demand_met": demand_met,
                "expected_shipped": f.expect(f.shipped).sum(axis=1),
                "average_inventory": average_inventory,
                "turnover": np.where(average_inventory > 0, demand_met / average_inventory, np.nan),
                "operating_cost": cost,
                "average_unit_cost": unit_cost,
                "selling_price": price,
                "margin": np.where(price > 0, (price - unit_cost) / price, np.nan),
                "fill_rate": 1 - f.expect(f.late).sum(axis=1) / np.maximum(demand, 1e-12),
            })

    @cached_property
    def kpi_list(self) -> list[Kpi]:
        p, f = self.problem, self.flows
        cost = float(self.costs["total"].sum())
        operating = float(self.costs["total"].drop(index=list(self.solution.formulation.opportunity_categories)).sum())
        revenue_net_of_owed = float(f.expect(p.product.selling_price[None, :, None] * f.demand_met).sum())
        revenue = float(f.expect(p.product.selling_price[None, :, None] * f.shipped).sum())
        produced = float(f.plan["production"].sum())
        demand = float(f.expect(p.demand).sum())
        demand_met = float(f.expect(f.demand_met).sum())
        average_inventory = float(f.expect(f.inventory).sum() / len(p.periods))
        lost = " and lost" if p.settings.lost_sales_allowed else ""
        kpis = [
            Kpi("expected_cost", "Expected cost", cost, "currency",
                "The plan's own cost plus each scenario's response cost weighted by its probability: what the "
                "optimiser minimises."),
            Kpi("operating_cost", "Expected operating cost", operating, "currency",
                "Expected cost without the cost of lost sales, whose revenue is already missing from revenue."),
            Kpi("revenue_shipped", "Expected revenue", revenue, "currency",
                "sum of prob x price x units shipped, where shipped = demand + backorders owed before "
                "- backorders owed after - lost sales: every unit is paid when it leaves, late or not; "
                "a lost unit earns nothing."),
            Kpi("profit_shipped", "Profit (planned)", revenue - operating, "currency",
                "The headline profit: expected revenue - expected operating cost, over the workbook's scenarios "
                "(planned). Simulated, the same measure is averaged over the Uncertainty sheet's outcomes."),
            Kpi("margin_shipped", "Operating margin", _ratio(revenue - operating, revenue), "fraction",
                "Expected profit / expected revenue."),
            Kpi("units_produced", "Units produced", produced, "units", "Total planned production."),
            Kpi("expected_demand", "Expected demand", demand, "units", "sum of prob x demand."),
            Kpi("fill_rate", "On-time fill rate", 1 - float(f.expect(f.late).sum()) / demand if demand else 1.0,
                "fraction", f"1 - expected units late{lost} / expected demand, where a period's late units are "
                "min(backorders + lost sales, its demand): a lost unit counts as late."),
            Kpi("average_inventory", "Average inventory", average_inventory, "units",
                "sum of prob x (regular + overflow inventory) / number of periods."),
            Kpi("turnover", "Inventory turnover", _ratio(demand_met, average_inventory), "turns",
                "Expected demand met in its period (demand - backorders - lost sales) / average inventory."),
            Kpi("average_unit_cost", "Average unit cost", _ratio(operating, produced), "currency / unit",
                "Expected operating cost / units produced."),
            Kpi("ending_backorders", "Expected backorders at the end",
                float(f.expect(f.recourse["backorders"][:, :, -1]).sum()), "units",
                "Units still owed after the last period (expected)."),
            Kpi("revenue_net_of_owed", "Revenue net of units owed at period end", revenue_net_of_owed, "currency",
                "sum of prob x price x (demand - backorders - lost sales): the original model's revenue, which "
                "counts a unit still owed at a period's end as never sold although it ships later.",
                reference=True),
            Kpi("profit_net_of_owed", "Profit net of units owed at period end", revenue_net_of_owed - operating,
                "currency", "Revenue net of units owed at period end - expected operating cost: the original "
                "model's profit.", reference=True),
            Kpi("margin_net_of_owed", "Margin net of units owed at period end",
                _ratio(revenue_net_of_owed - operating, revenue_net_of_owed), "fraction",
                "Profit / revenue, both net of units owed at period end: the original model's margin.",
                reference=True),
        ]
        capacity = p.settings.warehouse_capacity
        if capacity:
            used = f.space_used("regular_inventory") / capacity
            kpis += [
                Kpi("warehouse_utilisation", "Warehouse utilisation (average)", float(f.expect(used).mean()),
                    "fraction", "Expected regular warehouse space used / capacity, averaged over periods."),
                Kpi("warehouse_utilisation_peak", "Warehouse utilisation (peak)", float(used.max()),
                    "fraction", "Largest space used / capacity in any period and scenario."),
            ]
        if p.settings.lost_sales_allowed:
            kpis.append(Kpi("lost_sales", "Expected lost sales", float(f.expect(f.recourse["lost_sales"]).sum()),
                            "units", "Units of demand lost for good (expected)."))
        if p.settings.has_overflow:
            used = f.space_used("overflow_inventory") / p.settings.overflow_capacity
            kpis.append(Kpi("overflow_utilisation", "Overflow utilisation (average)", float(f.expect(used).mean()),
                            "fraction", "Expected overflow space used / capacity, averaged over periods."))
        service = self.service_level
        if service is not None:
            kpis += [
                Kpi("fill_rate_target", "Fill rate target", float(p.settings.fill_rate_target or 0.0), "fraction",
                    f"The Settings' service level: {policy_text(p.settings)}."),
                Kpi("lowest_product_fill_rate", "Lowest product fill rate", float(service.expected_fill_rate.min()),
                    "fraction", "The smallest expected on-time fill rate of any product."),
                Kpi("share_meeting_target", "Share of scenarios meeting the target",
                    float(service.share_of_scenarios_meeting_target.min()), "fraction",
                    "The smallest, over products, share of scenarios (by probability) whose fill rate reaches "
                    "the target."),
            ]
        return kpis

    @cached_property
    def kpis(self) -> pd.DataFrame:
        """Headline KPIs: key, label, value, unit, definition."""
        return pd.DataFrame([k.__dict__ for k in self.kpi_list])

    def kpi(self, key: str) -> float:
        """One KPI by key (see :attr:`kpis`), e.g. ``result.kpi("profit_shipped")``."""
        for k in self.kpi_list:
            if k.key == key:
                return k.value
        raise KeyError(f"no KPI '{key}'; known: {', '.join(k.key for k in self.kpi_list)}")

    # ---------------------------------------------------------------- summaries
    def summary(self) -> dict[str, Any]:
        """A JSON-ready summary: status, objective, bound, gap, KPIs, units per product, timings.

        Examples
        --------
        >>> import json, xlplan
        >>> summary = xlplan.solve(xlplan.reference.factory_physics()).summary()
        >>> summary["status"], round(summary["objective"], 3), summary["units_produced"]
        ('optimal', 1292662.857, {'Product': 2980.0})
        >>> json.loads(json.dumps(summary)) == summary
        True
        """
        info = self.info
        summary: dict[str, Any] = {
            "problem": self.problem.name,
            "status": info.status.value,
            "message": info.message,
            "objective": info.objective,
            "bound": info.bound,
            "gap": info.gap,
            "is_mip": info.is_mip,
            "solver": info.backend,
            "method": registered(info.backend).method,
            "fingerprint": info.fingerprint,
            "seconds": dict(info.seconds),
            "model_size": dict(info.model_size),
            "versions": dict(info.versions),
            "history": [{"seconds": point.seconds, "objective": point.objective, "bound": point.bound,
                         "gap": point.gap} for point in info.history],
        }
        if self.has_plan:
            summary["kpis"] = {k.key: _json_number(k.value) for k in self.kpi_list}
            summary["units_produced"] = dict(zip(self.problem.products,
                                                 self.flows.plan["production"].sum(axis=1).tolist(), strict=False))
            summary["costs"] = {k: _json_number(v) for k, v in self.costs["total"].items()}
            if self.service_level is not None:
                summary["service_level"] = [{key: _json_number(v) if isinstance(v, float) else v
                                             for key, v in row.items()}
                                            for row in self.service_level.to_dict(orient="records")]
        if self.explanation is not None:
            summary["infeasibility"] = {
                "summary": self.explanation.summary,
                "violations": [v.__dict__ for v in self.explanation.violations],
            }
        return summary

    def __repr__(self) -> str:
        objective = f", expected cost {amount_text(self.objective)}" if self.objective is not None else ""
        return f"<PlanResult {self.problem.name!r}: {self.status.value}{objective}>"


def _json_number(value: float | None) -> float | None:
    return None if value is None else finite_or_none(float(value))
