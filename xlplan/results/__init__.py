"""Results: the solved plan as tidy tables, cost breakdowns and KPIs."""

from xlplan.results.flows import Flows
from xlplan.results.result import Kpi, NoPlanError, PlanResult

__all__ = ["Flows", "Kpi", "NoPlanError", "PlanResult"]
