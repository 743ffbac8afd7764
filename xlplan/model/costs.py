"""The cost of a plan by category, computed from the model's own cost terms.

The Pyomo objective (``builder``), the results' cost breakdown and the simulator's costs all sum the
same declared terms (``CostTerm``: rate x quantity), so a new cost term is one declaration: every
figure follows. Only the arrays differ: values per scenario (results) or per replication (simulation).
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np

from xlplan.model.declarations import PRODUCT_PERIOD, Formulation
from xlplan.model.formulation import FORMULATION
from xlplan.problem import PlanningProblem


def costs_by_category(problem: PlanningProblem, values: Mapping[str, np.ndarray],
                      formulation: Formulation = FORMULATION) -> dict[str, np.ndarray]:
    """Cost per category and product: sum over the category's terms of sum_t rate[p,t] x q[..., p, t].

    ``values`` maps each priced quantity (variable name) to its values with products and periods as
    the last two axes, and anything in front (scenarios, replications); a stage-1 quantity may
    have none. Each category's array has the leading axes of its quantities, then products; arrays
    of different categories broadcast against each other. Categories come in the declared order;
    terms that are not costs of the plan (``in_cost=False``) are left out.
    """
    shape = (len(problem.products), len(problem.periods))
    by_category: dict[str, np.ndarray] = {}
    for term in formulation.costs:
        if not term.in_cost:
            continue
        if formulation.variable(term.quantity).index != PRODUCT_PERIOD:
            raise ValueError(f"the cost term '{term.category}' prices '{term.quantity}', which is not by product "
                             "and period: a cost category is reported by product")
        rate = np.broadcast_to(np.asarray(term.rate(problem), dtype=float), shape)
        amount = np.einsum("pt,...pt->...p", rate, values[term.quantity], optimize=True)
        so_far = by_category.get(term.category)
        by_category[term.category] = amount if so_far is None else so_far + amount
    return by_category


def operating(costs: Mapping[str, np.ndarray], formulation: Formulation = FORMULATION) -> np.ndarray:
    """The costs profit is net of: every category but the opportunity costs (lost sales), whose
    revenue is already missing from revenue."""
    left_out = set(formulation.opportunity_categories)
    return sum((v for k, v in costs.items() if k not in left_out), start=np.zeros(()))
