"""Quantities that follow from a plan and its recourse: shipments, costs by category, space used.

All arrays keep the problem's label order: (products, periods) for the plan, (scenarios,
products, periods) for recourse. Expected values weight scenarios by their probability.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np

from xlplan.model import Formulation
from xlplan.model.costs import costs_by_category
from xlplan.problem import PlanningProblem


@dataclass(frozen=True)
class Flows:
    """Plan, recourse and what follows from them, as arrays."""

    problem: PlanningProblem
    plan: Mapping[str, np.ndarray]
    recourse: Mapping[str, np.ndarray]
    formulation: Formulation
    """The model that was solved: its cost terms price the flows (a part's terms too)."""

    def expect(self, values: np.ndarray) -> np.ndarray:
        """Probability-weighted mean over the leading scenario axis."""
        return np.asarray(np.tensordot(self.problem.probabilities, values, axes=1))

    @property
    def backorders_before(self) -> np.ndarray:
        """B[p,t-1,s], with the initial backorders before the first period."""
        b = self.recourse["backorders"]
        initial = np.broadcast_to(self.problem.product.initial_backorders[None, :, None],
                                  (b.shape[0], b.shape[1], 1))
        return np.concatenate([initial, b[:, :, :-1]], axis=2)

    @property
    def made(self) -> np.ndarray:
        """Units made per scenario: the plan itself, unless capacity differs by scenario."""
        if self.problem.has_capacity_scenarios:
            return self.recourse["made"]
        return np.broadcast_to(self.plan["production"][None], self.problem.demand.shape)

    @property
    def demand_kept(self) -> np.ndarray:
        """D - L: demand met now or owed, lost sales aside."""
        return np.asarray(self.problem.demand - self.recourse["lost_sales"])

    @property
    def demand_met(self) -> np.ndarray:
        """D - B - L: demand met in its period (the original model's "demand - backorders")."""
        return np.asarray(self.demand_kept - self.recourse["backorders"])

    @property
    def shipped(self) -> np.ndarray:
        """Units leaving the warehouse: (D - L)[t] + B[t-1] - B[t] (this period's demand kept plus
        what was owed, less what is still owed)."""
        return np.asarray(self.demand_kept + self.backorders_before - self.recourse["backorders"])

    @property
    def inventory(self) -> np.ndarray:
        """Units in stock at the end of each period, regular plus overflow."""
        return np.asarray(self.recourse["regular_inventory"] + self.recourse["overflow_inventory"])

    @property
    def late(self) -> np.ndarray:
        """Units of each period's own demand not delivered in that period: min(B[t] + L[t], D[t])."""
        return np.asarray(np.minimum(self.recourse["backorders"] + self.recourse["lost_sales"], self.problem.demand))

    def space_used(self, variable: str) -> np.ndarray:
        """Warehouse space taken per scenario and period, shape (scenarios, periods)."""
        space = self.problem.product.space_per_unit
        return np.asarray(np.einsum("p,spt->st", space, self.recourse[variable]))

    def scenario_cost_by_category(self) -> dict[str, np.ndarray]:
        """Cost per category, scenario and product, each an array of shape (scenarios, products),
        from the model's cost terms. Labour costs are the same in every scenario; production is paid
        on what is made."""
        S, P = len(self.problem.scenarios), len(self.problem.products)
        values = {**self.plan, **self.recourse, "made": self.made}
        by_category = costs_by_category(self.problem, values, self.formulation)
        return {name: np.broadcast_to(v, (S, P)) for name, v in by_category.items()}

    def cost_by_category(self) -> dict[str, np.ndarray]:
        """Expected cost per category and product, each an array over products."""
        return {name: self.expect(v) for name, v in self.scenario_cost_by_category().items()}

    def scenario_cost(self) -> np.ndarray:
        """Total cost of the plan in each scenario, shape (scenarios,)."""
        return np.asarray(sum(v.sum(axis=1) for v in self.scenario_cost_by_category().values()))
