"""The value of the stochastic solution and of perfect information (Birge & Louveaux, ch. 4).

For a cost-minimising two-stage problem over scenarios s with probabilities prob[s]:

    RP   recourse problem: the two-stage optimum (the stochastic plan)
    EV   expected-value problem: plan for the expected demand as if it were certain
    EEV  the expected cost of the EV plan when each scenario's recourse is chosen optimally
    WS   wait-and-see: sum_s prob[s] x (the optimum had scenario s been known in advance)

    WS <= RP <= EEV,   EVPI = RP - WS >= 0,   VSS = EEV - RP >= 0

EEV is infinite when the EV plan cannot meet the rules in some scenario; the reason is kept.
The relations hold exactly for optimal solutions (LP, or MIP with a zero gap).

A solve stopped by a limit (time, Ctrl+C) returns the best plan found, whose cost is only an upper
bound on the optimum; HiGHS's best bound is a lower one. Such figures are never reported as the
optima: VSS and EVPI are then withheld and only the ranges the bounds prove are given (clipped at
0, since both are non-negative); a range end that no bound supports is None.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np

from xlplan import cancel
from xlplan.errors import NoResult
from xlplan.model import Formulation
from xlplan.problem import PlanningProblem
from xlplan.problem.numbers import finite_or_none
from xlplan.results import PlanResult
from xlplan.solver import SolveOptions, SolveStatus, solve_problem


class AnalysisError(RuntimeError, NoResult):
    """A problem the analysis needs solved has no plan (infeasible, or stopped without one)."""

    def __init__(self, message: str, *, stopped: bool = False):
        super().__init__(message)
        self.stopped = stopped
        """A limit stopped the solve before it found a plan (rather than: no plan exists)."""


Range = tuple[float | None, float | None]
"""(lowest, highest) a figure can be; None where no bound is known."""


def cost_range(result: PlanResult) -> tuple[float, float]:
    """Where the optimal cost of a solved problem lies: the objective itself when optimal; between
    the best bound (``-inf`` when none is proven) and the plan found when a limit stopped the solve."""
    objective = float(result.objective)
    if result.status is SolveStatus.OPTIMAL:
        return objective, objective
    bound = result.info.bound
    # an LP stopped early reports its objective as its bound: that proves nothing
    proven = bound is not None and result.info.is_mip and math.isfinite(bound)
    return (float(bound) if proven else -math.inf), objective


def stopped_note(what: str, result: PlanResult) -> str:
    """One line for a solve a limit stopped, e.g. for a sheet's list of stopped solves."""
    return f"{what}: {result.message}"


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
    wait_and_see_range: tuple[float, float] = (math.nan, math.nan)
    """Where WS lies when some scenario's solve was stopped (both ends equal WS otherwise)."""
    stopped: tuple[str, ...] = ()
    """One line per solve a limit stopped; empty when every figure is an optimum."""

    @property
    def exact(self) -> bool:
        """Every solve behind the figures reached its optimum."""
        return not self.stopped

    @property
    def recourse_bound(self) -> float | None:
        """The best proven lower bound on RP (RP itself when its solve was optimal)."""
        low = cost_range(self.recourse_result)[0]
        return low if math.isfinite(low) else None

    @property
    def vss_range(self) -> Range:
        """Where VSS lies: EEV's range less RP's. Unknown when the EV plan itself was stopped (EEV is
        then the cost of some other plan)."""
        if self.expected_value_result.status is not SolveStatus.OPTIMAL:
            return None, None
        if not math.isfinite(self.eev):
            return math.inf, math.inf
        eev_low, eev_high = cost_range(self.eev_result)
        rp_low, rp_high = cost_range(self.recourse_result)
        return _clipped(eev_low - rp_high), _clipped(eev_high - rp_low)

    @property
    def evpi_range(self) -> Range:
        """Where EVPI lies: RP's range less WS's."""
        rp_low, rp_high = cost_range(self.recourse_result)
        ws_low, ws_high = self.wait_and_see_range
        if math.isnan(ws_low):
            ws_low = ws_high = self.wait_and_see
        return _clipped(rp_low - ws_high), _clipped(rp_high - ws_low)

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

    def as_dict(self) -> dict[str, object]:
        """JSON-ready: VSS and EVPI are None unless every solve was optimal (then see the ranges)."""
        return {"exact": self.exact, "RP": self.recourse, "RP_bound": self.recourse_bound,
                "EV": self.expected_value, "EEV": finite_or_none(self.eev), "WS": self.wait_and_see,
                "VSS": finite_or_none(self.vss) if self.exact else None, "EVPI": self.evpi if self.exact else None,
                "VSS_range": [finite_or_none(v) for v in self.vss_range],
                "EVPI_range": [finite_or_none(v) for v in self.evpi_range],
                "stopped": list(self.stopped), "note": self.ev_plan_note}


def range_words(bounds: Range) -> str:
    """A range in words, e.g. 'between 1,200 and 3,400' or 'at least 1,200'."""
    low, high = bounds
    if low is None and high is None:
        return "unknown"
    if high is None:
        return f"at least {low:,.0f}"
    if low is None:
        return f"at most {high:,.0f}"
    return f"between {low:,.0f} and {high:,.0f}"


def plan_alone(values: Mapping[str, np.ndarray], formulation: Formulation) -> dict[str, np.ndarray]:
    """The plan (production, hours, workforce) of a solution's stage-1 values, without the thresholds
    of a CVaR (the risk part's value at risk, the chance fill-rate rule's eta): those are stage 1 only
    in form, and pricing a plan on other scenarios must choose them anew. Pinned, they would overstate
    the CVaR, or make a plan that serves the rule look infeasible. ``formulation`` is the model that
    solved ``values``: its plan variables are the plan."""
    return {v.name: values[v.name] for v in formulation.plan_variables() if v.name in values}


def _clipped(value: float) -> float | None:
    """A range end for a non-negative figure; None when no bound supports it."""
    if math.isnan(value) or value == -math.inf:
        return None
    return max(0.0, value)


def _solved(problem: PlanningProblem, options: SolveOptions, what: str, stopped: list[str],
            fixed_plan=None) -> PlanResult:
    result = PlanResult(solve_problem(problem, options, fixed_plan=fixed_plan))
    cancel.checkpoint()
    if result.status is SolveStatus.STOPPED_WITHOUT_PLAN:
        raise AnalysisError(f"{what} has no plan: {result.message}", stopped=True)
    if not result.has_plan and fixed_plan is None:
        raise AnalysisError(f"{what} has no plan: {result.message}")
    if result.status is SolveStatus.STOPPED_WITH_PLAN:
        stopped.append(stopped_note(what, result))
    return result


def stochastic_value(problem: PlanningProblem, options: SolveOptions | None = None) -> StochasticValue:
    """RP, EV, EEV, WS and with them VSS and EVPI for ``problem``'s scenarios."""
    options = options or SolveOptions(mip_gap=0.0)
    stopped: list[str] = []
    recourse = _solved(problem, options, "the recourse (stochastic) problem", stopped)
    expected = _solved(problem.expected_value_problem(), options, "the expected-value problem", stopped)
    ev_plan = plan_alone(expected.solution.plan, expected.solution.formulation)
    eev = _solved(problem, options, "the expected-value plan", stopped, fixed_plan=ev_plan)
    ws_low = ws_high = 0.0
    for s, probability in zip(problem.scenarios, problem.probabilities):
        low, high = cost_range(_solved(problem.scenario_problem(s), options, f"scenario {s} alone", stopped))
        ws_low, ws_high = ws_low + probability * low, ws_high + probability * high
    if eev.has_plan:
        eev_cost = eev.objective
    elif eev.status is SolveStatus.INFEASIBLE:
        eev_cost = math.inf
    else:
        raise AnalysisError(f"the expected-value plan could not be evaluated: {eev.message}",
                            stopped=eev.status is SolveStatus.STOPPED_WITHOUT_PLAN)
    return StochasticValue(recourse.objective, expected.objective, eev_cost, float(ws_high),
                           recourse, expected, eev, (float(ws_low), float(ws_high)), tuple(stopped))
