"""Results: the solved plan as tidy tables, cost breakdowns and KPIs."""

from xlplan.results.flows import COST_CATEGORIES, OPPORTUNITY_COSTS, Flows
from xlplan.results.result import Kpi, NoPlanError, PlanResult

__all__ = ["COST_CATEGORIES", "OPPORTUNITY_COSTS", "Flows", "Kpi", "NoPlanError", "PlanResult"]
