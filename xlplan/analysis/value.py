"""The value of the stochastic solution and of perfect information (Birge & Louveaux, ch. 4).

For a cost-minimising two-stage problem over scenarios s with probabilities prob[s]:

    RP   recourse problem: the two-stage optimum (the stochastic plan)
    EV   expected-value problem: plan for the expected demand as if it were certain
    EEV  the expected cost of the EV plan when each scenario's recourse is chosen optimally
    WS   wait-and-see: sum_s prob[s] x (the optimum had scenario s been known in advance)

    WS <= RP <= EEV,   EVPI = RP - WS >= 0,   VSS = EEV - RP >= 0

EEV is infinite when the EV plan cannot meet the rules in some scenario; the reason is kept.
The relations hold exactly for optimal solutions (LP, or MIP with a zero gap).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from xlplan.problem import PlanningProblem
from xlplan.problem.numbers import finite_or_none
from xlplan.results import PlanResult
from xlplan.solver import SolveOptions, SolveStatus, solve_problem


class AnalysisError(RuntimeError):
    """A problem the analysis needs solved has no plan (infeasible, or stopped without one)."""


@dataclass(frozen=True)
class StochasticValue:
    recourse: float
    expected_value: float
    eev: float
    """Expected cost of the EV plan; ``math.inf`` when it cannot work in some scenario."""
    wait_and_see: float
    recourse_result: PlanResult
    expected_value_result: PlanResult
    eev_result: PlanResult
    """The EV plan facing the scenarios (its explanation says why when infeasible)."""

    @property
    def vss(self) -> float:
        """Value of the stochastic solution: what planning for the expected demand costs."""
        return self.eev - self.recourse

    @property
    def evpi(self) -> float:
        """Expected value of perfect information: what knowing the future would save."""
        return self.recourse - self.wait_and_see

    @property
    def ev_plan_note(self) -> str:
        if math.isfinite(self.eev):
            return "The expected-value plan works in every scenario."
        explanation = self.eev_result.explanation
        reason = explanation.summary if explanation is not None else self.eev_result.message
        return f"The expected-value plan fails in some scenario, so EEV and VSS are infinite: {reason}"

    def as_dict(self) -> dict[str, float | str | None]:
        return {"RP": self.recourse, "EV": self.expected_value, "EEV": finite_or_none(self.eev),
                "WS": self.wait_and_see, "VSS": finite_or_none(self.vss), "EVPI": self.evpi, "note": self.ev_plan_note}


def _solved(problem: PlanningProblem, options: SolveOptions, what: str, fixed_plan=None) -> PlanResult:
    result = PlanResult(solve_problem(problem, options, fixed_plan=fixed_plan))
    if not result.has_plan and fixed_plan is None:
        raise AnalysisError(f"{what} has no plan: {result.message}")
    return result


def stochastic_value(problem: PlanningProblem, options: SolveOptions | None = None) -> StochasticValue:
    """RP, EV, EEV, WS and with them VSS and EVPI for ``problem``'s scenarios."""
    options = options or SolveOptions(mip_gap=0.0)
    recourse = _solved(problem, options, "the recourse (stochastic) problem")
    expected = _solved(problem.expected_value_problem(), options, "the expected-value problem")
    eev = _solved(problem, options, "the expected-value plan", fixed_plan=expected.solution.plan)
    wait_and_see = sum(
        probability * _solved(problem.scenario_problem(s), options, f"scenario {s} alone").objective
        for s, probability in zip(problem.scenarios, problem.probabilities)
    )
    if eev.has_plan:
        eev_cost = eev.objective
    elif eev.status is SolveStatus.INFEASIBLE:
        eev_cost = math.inf
    else:
        raise AnalysisError(f"the expected-value plan could not be evaluated: {eev.message}")
    return StochasticValue(recourse.objective, expected.objective, eev_cost, float(wait_and_see),
                           recourse, expected, eev)
