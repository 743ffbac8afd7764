"""Service levels: each product's on-time fill rate must reach a target, as a model part.

A product's on-time fill rate in scenario s is 1 - late units / demand over the horizon, where a
period's late units are min(B + L, D) (``results.flows``). The min makes the rate concave in the
recourse, so the model bounds the larger B + L instead: a plan that meets the rule meets the
target on the KPI too, a little conservatively when units owed pile up beyond a period's demand.
With target f, product p's shortfall in scenario s is

    g[p,s] = sum_t (B + L)[p,t,s] - (1 - f) sum_t D[p,t,s]          (late units beyond what f allows)

and the two policies are:

- ``expected``: the expected fill rate reaches the target, E[g[p]] <= 0, i.e.
  sum_s prob[s] g[p,s] <= 0 (one rule on an expectation per product; the KPI's fill rate is a ratio
  of expectations, so this is the KPI's own definition).
- ``chance``: the target is met in at least a share beta of the scenarios (by probability),
  P(g[p] <= 0) >= beta. Exactly that needs a binary per product and scenario; this part uses its
  convex, conservative approximation (Nemirovski and Shapiro): CVaR_beta(g[p]) <= 0, which implies
  VaR_beta(g[p]) <= 0 and so the chance constraint. In Rockafellar and Uryasev's form, with a
  per-product threshold eta[p] (free) and excess u[p,s] >= 0:

      u[p,s] >= g[p,s] - eta[p]                               (per scenario)
      eta[p] + sum_s prob[s] u[p,s] / (1 - beta) <= 0         (on an expectation)

  The share of scenarios a plan actually serves is reported beside it (``PlanResult``), and is often
  above beta.

Both rules tie every scenario together, so these plans are solved as one model (the extensive form).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from xlplan.model.declarations import ModelPart, Rule, Variable
from xlplan.problem import Settings

if TYPE_CHECKING:
    import pyomo.environ as pyo

EXPECTED, CHANCE = "expected", "chance"
POLICIES = (EXPECTED, CHANCE)


def _late_beyond_target(rec: pyo.Block, p: str, target: float) -> Any:
    """g[p,s] = sum_t (B + L)[p,t,s] - (1 - target) sum_t D[p,t,s]."""
    m = rec.model()
    late = sum(rec.backorders[p, t] for t in m.periods)
    if m.settings.lost_sales_allowed:
        late = late + sum(rec.lost_sales[p, t] for t in m.periods)
    return late - (1 - target) * sum(rec.demand[p, t] for t in m.periods)


def fill_rate_part(target: float, policy: str = EXPECTED, share: float = 0.9) -> ModelPart:
    """The part requiring every product's on-time fill rate to reach ``target``: in expectation
    (``policy`` "expected") or in at least ``share`` of the scenarios ("chance", by its CVaR
    approximation)."""
    if not 0 <= target <= 1:
        raise ValueError(f"the fill rate target must be between 0 and 1, not {target}")
    if policy not in POLICIES:
        raise ValueError(f"the fill rate policy must be one of {', '.join(POLICIES)}, not {policy!r}")
    if not 0 <= share < 1:
        raise ValueError(f"the share of scenarios must be at least 0 and below 1, not {share}")

    if policy == EXPECTED:
        def expected_fill_rate(plan: pyo.Block, p: str) -> Any:
            """sum_s prob[s] (sum_t (B + L)[p,t,s] - (1 - target) sum_t D[p,t,s]) <= 0."""
            m = plan.model()
            return sum(m.probability[s] * _late_beyond_target(m.scenario[s], p, target) for s in m.scenarios) <= 0

        def missed(settings: Settings, where: str, amount: float) -> str:
            return (f"{where}: the expected on-time fill rate would miss its target of {target:.2%} "
                    f"by {amount:,.2f} late units")

        return ModelPart("service level", rules=(
            Rule(expected_fill_rate, "fill rate target", index=("product",), expected=True, explain=missed),))

    def late_beyond_threshold(rec: pyo.Block, p: str) -> Any:
        """u[p,s] >= g[p,s] - eta[p]."""
        return rec.late_excess[p] >= _late_beyond_target(rec, p, target) - rec.model().plan.late_threshold[p]

    def fill_rate_in_share_of_scenarios(plan: pyo.Block, p: str) -> Any:
        """eta[p] + sum_s prob[s] u[p,s] / (1 - share) <= 0   (CVaR_share of g[p] at most 0)."""
        m = plan.model()
        return plan.late_threshold[p] + sum(m.probability[s] * m.scenario[s].late_excess[p]
                                            for s in m.scenarios) / (1 - share) <= 0

    def missed_in_share(settings: Settings, where: str, amount: float) -> str:
        return (f"{where}: the on-time fill rate target of {target:.2%} in {share:.0%} of scenarios would be "
                f"missed by {amount:,.2f} late units (in the mean of the worst {1 - share:.0%})")

    return ModelPart(
        "service level",
        variables=(
            Variable("late_threshold", "Late units threshold", "units",
                     "eta[p]: late units beyond the target's allowance exceeded in 1 - share of scenarios "
                     "(at most 0 when the rule holds).", index=("product",), lower=None),
            Variable("late_excess", "Late units above the threshold", "units",
                     "u[p,s]: the scenario's late units beyond the allowance, above eta[p].",
                     stage=2, index=("product",)),
        ),
        rules=(
            Rule(late_beyond_threshold, "late units above threshold", stage=2, index=("product",), gives=False),
            Rule(fill_rate_in_share_of_scenarios, "fill rate target", index=("product",), expected=True,
                 explain=missed_in_share),
        ),
    )


def policy_text(settings: Settings) -> str:
    """The fill-rate rule a problem's settings set, in words ("" without a target)."""
    if settings.fill_rate_target is None:
        return ""
    if settings.fill_rate_policy == CHANCE:
        return (f"every product's on-time fill rate at least {settings.fill_rate_target:.2%} in at least "
                f"{settings.fill_rate_share:.0%} of scenarios (a conservative approximation: the CVaR of the "
                "late units beyond the target at most 0)")
    return f"every product's expected on-time fill rate at least {settings.fill_rate_target:.2%}"


def service_part(settings: Settings) -> ModelPart | None:
    """The fill-rate part a problem's settings ask for, or None without a target."""
    if settings.fill_rate_target is None:
        return None
    return fill_rate_part(settings.fill_rate_target, settings.fill_rate_policy, settings.fill_rate_share)
