"""The calm plan: a lexicographic second solve for the least change at (nearly) the optimal cost.

1. Solve the problem: the optimal objective z*.
2. Solve it again minimising the change in production and workforce (week to week, or from a
   reference plan), with the first objective bounded by z* + tolerance |z*| (``model/calm.py``).
   That bound ties every scenario to one row (a rule on an expectation), so this solve is always the
   extensive form, by HiGHS on its matrices: a decomposition by scenario cannot split it.
3. Price the calm plan exactly (recourse only, the model without the calm part): its expected cost,
   cost breakdown and KPIs, as any plan's.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np

from xlplan import cancel
from xlplan.analysis.value import AnalysisError
from xlplan.model.calm import calm_formulation, total_change
from xlplan.model.formulation import formulation_for
from xlplan.problem import PlanningProblem
from xlplan.results import PlanResult
from xlplan.solver import SolveOptions, SolveStatus, solve_problem
from xlplan.text import amount_text

DEFAULT_TOLERANCE = 0.001
"""0.1% of the optimal expected cost, when the Settings sheet leaves the calm plan tolerance blank."""


@dataclass(frozen=True)
class CalmPlan:
    """The first (optimal) plan, the calm plan priced exactly, and the change each makes."""

    first: PlanResult
    calm: PlanResult
    tolerance: float
    from_reference: bool
    """True: change counted from the plan already on the Plan sheet; False: week to week."""
    first_change: tuple[float, float]
    """(production, workforce) change of the first plan."""
    calm_change: tuple[float, float]
    calm_objective: float
    """The second solve's objective: the calm plan's total change."""

    @property
    def change_before(self) -> float:
        return sum(self.first_change)

    @property
    def change_after(self) -> float:
        return sum(self.calm_change)

    @property
    def reduction(self) -> float:
        """The share of the first plan's change the calm plan avoids (0 when the first had none)."""
        return 1 - self.change_after / self.change_before if self.change_before else 0.0

    @property
    def cost_increase(self) -> float:
        assert self.first.objective is not None and self.calm.objective is not None
        return self.calm.objective - self.first.objective

    @property
    def measure(self) -> str:
        return "change from the plan on the Plan sheet" if self.from_reference else "week-to-week change"

    def lines(self) -> list[str]:
        """The second solve in words, for the command's output and the Run log."""
        assert self.first.objective is not None and self.calm.objective is not None
        return [
            f"calm plan: least {self.measure} in production and workforce among plans within "
            f"{self.tolerance:.3%} of the optimal expected cost (a second, lexicographic solve)",
            f"expected cost: optimal {amount_text(self.first.objective)}, calm {amount_text(self.calm.objective)} "
            f"({self.cost_increase:+,.2f}, {self.cost_increase / abs(self.first.objective or 1):+.4%})",
            f"{self.measure}: {self.change_before:,.2f} -> {self.change_after:,.2f} "
            f"({self.reduction:.1%} less; production {self.first_change[0]:,.2f} -> {self.calm_change[0]:,.2f}, "
            f"workforce {self.first_change[1]:,.2f} -> {self.calm_change[1]:,.2f})",
        ]

    def as_dict(self) -> dict[str, object]:
        return {"tolerance": self.tolerance, "measure": self.measure, "optimal_cost": self.first.objective,
                "calm_cost": self.calm.objective, "change_before": self.change_before,
                "change_after": self.change_after, "reduction": self.reduction,
                "production_change": {"before": self.first_change[0], "after": self.calm_change[0]},
                "workforce_change": {"before": self.first_change[1], "after": self.calm_change[1]}}


def calm_plan(problem: PlanningProblem, options: SolveOptions | None = None, *, tolerance: float = DEFAULT_TOLERANCE,
              reference: Mapping[str, np.ndarray] | None = None, first: PlanResult | None = None) -> CalmPlan:
    """The calm plan of ``problem`` (see the module docstring); ``first`` is its optimal solve when the
    caller has it. The first solve must be proven optimal (a tolerance around a stopped solve's best
    plan would be no tolerance around the optimum): otherwise :class:`AnalysisError`."""
    if not tolerance >= 0:
        raise ValueError(f"the calm plan tolerance must be at least 0, not {tolerance}")
    options = options or SolveOptions()
    first = first or PlanResult(solve_problem(problem, options))
    cancel.checkpoint()
    if first.status is not SolveStatus.OPTIMAL or first.objective is None:
        raise AnalysisError(f"no calm plan: the first solve is not optimal ({first.message})",
                            stopped=first.status in (SolveStatus.STOPPED_WITH_PLAN, SolveStatus.STOPPED_WITHOUT_PLAN))
    base = formulation_for(problem.settings)
    as_one_model = dataclasses.replace(options, method="extensive", backend="highs", mpi=None)
    second = solve_problem(problem, as_one_model,
                           formulation=calm_formulation(base, first.objective, tolerance, reference))
    cancel.checkpoint()
    if second.plan is None or second.info.status not in (SolveStatus.OPTIMAL, SolveStatus.STOPPED_WITH_PLAN):
        raise AnalysisError(f"no calm plan: the second solve found none ({second.info.message})",
                            stopped=second.info.status is SolveStatus.STOPPED_WITHOUT_PLAN)
    inputs = {v.name: second.plan[v.name] for v in base.plan_variables()}
    # the recourse priced exactly (MIP gap 0): a recourse within a gap could overstate the plan's cost
    priced = solve_problem(problem, dataclasses.replace(options, mip_gap=0.0), fixed_plan=inputs)
    cancel.checkpoint()
    if priced.info.status is not SolveStatus.OPTIMAL or priced.info.objective is None:
        raise AnalysisError(f"no calm plan: pricing it failed ({priced.info.message})")
    # the optimum is a proven bound on the calm plan's cost: shown as its bound and gap, as a MIP's are
    cost, optimum = priced.info.objective, first.objective
    gap = (cost - optimum) / max(abs(cost), 1e-10)
    info = dataclasses.replace(
        priced.info, bound=optimum, gap=max(gap, 0.0),
        message=f"calm plan: the least change in production and workforce among plans within {tolerance:.3%} of "
                f"the optimal expected cost {amount_text(optimum)} (its recourse optimal)")
    calm = PlanResult(dataclasses.replace(priced, info=info))
    workforce = problem.product.initial_workforce
    return CalmPlan(first, calm, tolerance, reference is not None,
                    total_change(first.solution.plan, workforce, reference),
                    total_change(calm.solution.plan, workforce, reference), float(second.info.objective or 0.0))
