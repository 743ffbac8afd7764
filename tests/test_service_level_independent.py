"""An independent check of the fill-rate service levels: the whole two-stage model with a fill-rate
rule, written again from the formulas in the README ("The model", "Service levels") and the docstrings
of ``xlplan/model/plan.py``, ``recourse.py`` and ``service.py`` as one LP with plain loops and
scipy.sparse, solved by scipy's HiGHS (``linprog``), must reach the optimum ``xlplan.solve`` reaches,
on small random instances of both policies, or be infeasible with it.

Nothing here builds on ``xlplan.model`` or ``xlplan.solver``: the LP reads only the problem's arrays
and settings, so a mistake in the model's parts, the compiler's rows on an expectation or the
replication of scenarios shows up as a different optimum.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np
import pytest
import scipy.sparse as sp
from scipy.optimize import linprog

import xlplan
from xlplan.analysis.value import stochastic_value
from xlplan.problem.synthetic import synthetic_problem

STAGE_ONE = ("X", "R", "O", "W", "H", "F")  # production, regular hours, overtime, workforce, hires, fires
STAGE_TWO = ("Ireg", "Iovr", "B", "L", "Y")  # inventories, backorders, lost sales, units made


@dataclass
class Solved:
    """The independent LP's answer."""

    status: str  # "optimal" or "infeasible"
    objective: float | None
    late: np.ndarray | None  # (scenarios, products): sum_t (B + L)
    kpi_fill_rate: np.ndarray | None  # per product: 1 - E[sum_t min(B + L, D)] / E[sum_t D]


class Columns:
    """Column numbers of named variables, handed out in order."""

    def __init__(self) -> None:
        self.count = 0
        self.lower: list[float] = []
        self.upper: list[float] = []
        self.cost: list[float] = []

    def add(self, lower: float = 0.0, upper: float = np.inf, cost: float = 0.0) -> int:
        self.lower.append(lower)
        self.upper.append(upper)
        self.cost.append(cost)
        self.count += 1
        return self.count - 1


class Rows:
    """Rows sum_j a_j x_j (<= | ==) rhs, collected as triplets."""

    def __init__(self) -> None:
        self.less: tuple[list[int], list[int], list[float], list[float]] = ([], [], [], [])
        self.equal: tuple[list[int], list[int], list[float], list[float]] = ([], [], [], [])

    def _add(self, into, terms: list[tuple[int, float]], rhs: float) -> None:
        rows, cols, values, right = into
        row = len(right)
        for column, value in terms:
            rows.append(row)
            cols.append(column)
            values.append(value)
        right.append(rhs)

    def at_most(self, terms: list[tuple[int, float]], rhs: float) -> None:
        self._add(self.less, terms, rhs)

    def equals(self, terms: list[tuple[int, float]], rhs: float) -> None:
        self._add(self.equal, terms, rhs)

    @staticmethod
    def matrix(triplets, n: int) -> tuple[sp.csr_array | None, np.ndarray | None]:
        rows, cols, values, right = triplets
        if not right:
            return None, None
        return sp.csr_array((values, (rows, cols)), shape=(len(right), n)), np.array(right)


NAMES = {"X": "production", "R": "regular_hours", "O": "overtime_hours", "W": "workforce", "H": "hires",
         "F": "fires"}
"""The plan's variables by their names in xlplan's plan tables."""


def solve_independently(problem: xlplan.PlanningProblem, plan: Mapping[str, np.ndarray] | None = None) -> Solved:
    """min  sum_pt (c_prod X + c_reg R + c_ot O + c_wage W + c_hire H + c_fire F)
          + sum_s prob[s] sum_pt (c_hold Ireg + m c_hold Iovr + c_back B + c_lost L)
    (with capacity scenarios c_prod prices Y, in each scenario), under the README's rules and the
    settings' fill-rate rule; with ``plan`` (values by xlplan's names, (products, periods)) the plan is
    pinned to it and only the recourse (and the rule's own threshold) is chosen."""
    settings = problem.settings
    assert settings.risk_weight == 0 and settings.calm_tolerance is None and not settings.integer_units
    S, P, T = problem.demand.shape
    prob, D = np.asarray(problem.probabilities, dtype=float), np.asarray(problem.demand, dtype=float)
    c, q = problem.costs, problem.product
    capacity = problem.has_capacity_scenarios
    k = np.asarray(problem.capacity_factor, dtype=float) if capacity else None

    cols, rows = Columns(), Rows()
    one = {name: np.empty((P, T), dtype=int) for name in STAGE_ONE}
    two = {name: np.full((S, P, T), -1) for name in STAGE_TWO}
    stage_one_cost = {"X": None if capacity else c.production_cost, "R": c.regular_hour_cost,
                      "O": c.overtime_hour_cost, "W": c.workforce_cost, "H": c.hire_cost, "F": c.fire_cost}
    for name in STAGE_ONE:
        rate = stage_one_cost[name]
        for p in range(P):
            for t in range(T):
                value = None if plan is None else float(plan[NAMES[name]][p, t])
                one[name][p, t] = cols.add(lower=0.0 if value is None else value,
                                           upper=np.inf if value is None else value,
                                           cost=0.0 if rate is None else float(rate[p, t]))
    for s in range(S):
        for p in range(P):
            for t in range(T):
                two["Ireg"][s, p, t] = cols.add(cost=prob[s] * c.holding_cost[p, t])
                two["Iovr"][s, p, t] = cols.add(
                    upper=np.inf if settings.has_overflow else 0.0,
                    cost=prob[s] * settings.overflow_cost_multiplier * c.holding_cost[p, t])
                if not settings.backorders_allowed:
                    b_upper = 0.0
                elif settings.backorder_limit is None:
                    b_upper = np.inf
                else:
                    b_upper = settings.backorder_limit * D[s, p, t]  # backorder cap B <= limit D
                two["B"][s, p, t] = cols.add(upper=b_upper, cost=prob[s] * c.backorder_cost[p, t])
                if settings.lost_sales_allowed:  # lost sales cap L <= D
                    two["L"][s, p, t] = cols.add(upper=D[s, p, t], cost=prob[s] * c.lost_sale_cost[p, t])
                if capacity:
                    two["Y"][s, p, t] = cols.add(cost=prob[s] * c.production_cost[p, t])

    X, R, O, W, H, F = (one[name] for name in STAGE_ONE)  # noqa: E741 (the README's notation)
    for p in range(P):
        for t in range(T):
            # workforce balance: W[t] - W[t-1] - H[t] + F[t] = 0, W[-1] the initial workforce
            terms = [(W[p, t], 1.0), (H[p, t], -1.0), (F[p, t], 1.0)]
            if t:
                rows.equals(terms + [(W[p, t - 1], -1.0)], 0.0)
            else:
                rows.equals(terms, float(q.initial_workforce[p]))
            rows.at_most([(R[p, t], 1.0), (W[p, t], -settings.hours_per_worker)], 0.0)  # regular hours
            if settings.overtime_limit is not None:
                rows.at_most([(O[p, t], 1.0), (R[p, t], -settings.overtime_limit)], 0.0)
            rows.at_most([(X[p, t], float(q.hours_per_unit[p])), (R[p, t], -1.0), (O[p, t], -1.0)], 0.0)

    for s in range(S):
        for p in range(P):
            for t in range(T):
                Ireg, Iovr, B, L, Y = (two[name][s, p, t] for name in STAGE_TWO)
                if capacity:  # Y <= X;  hours_per_unit Y <= k (hours_per_worker W + O)
                    rows.at_most([(Y, 1.0), (X[p, t], -1.0)], 0.0)
                    rows.at_most([(Y, float(q.hours_per_unit[p])),
                                  (W[p, t], -k[s, p, t] * settings.hours_per_worker),
                                  (O[p, t], -k[s, p, t])], 0.0)
                made = Y if capacity else X[p, t]
                # inventory flow: net[t] - net[t-1] - made - L = -D, net = Ireg + Iovr - B
                terms = [(Ireg, 1.0), (Iovr, 1.0), (B, -1.0), (made, -1.0)]
                if L >= 0:
                    terms.append((L, -1.0))
                if t:
                    previous = (two[name][s, p, t - 1] for name in ("Ireg", "Iovr", "B"))
                    terms += [(column, -sign) for column, sign in zip(previous, (1.0, 1.0, -1.0), strict=True)]
                    rows.equals(terms, -D[s, p, t])
                else:
                    rows.equals(terms, q.initial_inventory[p] - q.initial_backorders[p] - D[s, p, t])
        for t in range(T):
            if settings.warehouse_capacity is not None:
                rows.at_most([(two["Ireg"][s, p, t], float(q.space_per_unit[p])) for p in range(P)],
                             settings.warehouse_capacity)
            if settings.has_overflow:
                rows.at_most([(two["Iovr"][s, p, t], float(q.space_per_unit[p])) for p in range(P)],
                             settings.overflow_capacity)

    def late_terms(s: int, p: int, weight: float) -> list[tuple[int, float]]:
        """weight x sum_t (B + L)[p, t, s]."""
        return [(two[name][s, p, t], weight) for name in ("B", "L") for t in range(T) if two[name][s, p, t] >= 0]

    target = settings.fill_rate_target
    if target is not None:
        allowed = (1 - target) * D.sum(axis=2)  # (S, P): the late units the target allows
        if settings.fill_rate_policy == "expected":
            for p in range(P):  # sum_s prob[s] sum_t (B + L) <= (1 - f) sum_s prob[s] sum_t D
                rows.at_most([term for s in range(S) for term in late_terms(s, p, prob[s])],
                             float(prob @ allowed[:, p]))
        else:
            beta = settings.fill_rate_share
            for p in range(P):  # CVaR_beta(late - allowed) <= 0 in Rockafellar-Uryasev form
                eta = cols.add(lower=-np.inf)
                excess = [cols.add() for _ in range(S)]
                for s in range(S):  # late - allowed - eta <= u
                    rows.at_most(late_terms(s, p, 1.0) + [(eta, -1.0), (excess[s], -1.0)], float(allowed[s, p]))
                rows.at_most([(eta, 1.0)] + [(excess[s], prob[s] / (1 - beta)) for s in range(S)], 0.0)

    n = cols.count
    A_ub, b_ub = Rows.matrix(rows.less, n)
    A_eq, b_eq = Rows.matrix(rows.equal, n)
    answer = linprog(np.array(cols.cost), A_ub=A_ub, b_ub=b_ub, A_eq=A_eq, b_eq=b_eq,
                     bounds=list(zip(cols.lower, cols.upper, strict=True)), method="highs")
    if answer.status == 2:
        return Solved("infeasible", None, None, None)
    assert answer.status == 0, answer.message
    x = answer.x
    late_by_period = x[two["B"]] + np.where(two["L"] >= 0, x[np.maximum(two["L"], 0)], 0.0)  # (S, P, T)
    kpi_late = prob @ np.minimum(late_by_period, D).sum(axis=2)
    return Solved("optimal", float(answer.fun), late_by_period.sum(axis=2), 1 - kpi_late / (prob @ D.sum(axis=2)))


def _instance(k: int) -> tuple[xlplan.PlanningProblem, dict]:
    """The k-th small random instance, with settings drawn around the electronics-like base."""
    rng = np.random.default_rng(7000 + k)
    problem = synthetic_problem(periods=int(rng.integers(3, 6)), scenarios=int(rng.integers(3, 8)),
                                products=int(rng.integers(2, 4)), seed=100 + k)
    probabilities = rng.dirichlet(np.full(len(problem.scenarios), 2.0))  # unequal: the weights matter
    capacity = rng.uniform(0.85, 1.05, problem.demand.shape) if k % 5 == 4 else None
    problem = problem.with_scenarios(problem.scenarios, problem.demand, probabilities, capacity_factor=capacity)
    lost_sales = bool(rng.integers(2))
    settings = {
        "lost_sales_allowed": lost_sales,
        # without lost sales an uncapped backlog keeps most instances feasible; with them, lost sales do
        "backorder_limit": None if rng.integers(2) else float(rng.choice([0.2, 0.4])),
        "overflow_capacity": problem.settings.overflow_capacity if rng.integers(2) else 0.0,
        "overtime_limit": None if k % 7 == 3 else problem.settings.overtime_limit,
        "integer_units": False,
    }
    if k % 11 == 5:  # a product can only lose sales, or must be served on time
        settings["backorders_allowed"] = False
    if k % 6 == 2:  # a warehouse too small to hold the stock that serves every scenario on time
        settings["warehouse_capacity"] = 0.03 * problem.settings.warehouse_capacity
        settings["overflow_capacity"] = 0.0
    return problem.with_settings(**settings), settings


def _target(k: int, plain_fill_rate: float, rng: np.random.Generator) -> float:
    """A target between the plain plan's lowest fill rate and 1, now and then exactly 1; close to 1
    where the warehouse is tight, so that some targets cannot be met."""
    if k % 6 == 2:
        return (1.0, 0.99, 0.98)[k // 6 % 3]
    if rng.random() < 0.15:
        return 1.0
    return float(plain_fill_rate + (1 - plain_fill_rate) * rng.uniform(0.05, 0.95))


INSTANCES = 30
POLICIES = ("expected", "chance")


@pytest.mark.parametrize("k", range(INSTANCES))
def test_the_fill_rate_rule_reaches_the_independent_optimum(k):
    base, _ = _instance(k)
    plain = solve_independently(base)
    ours_plain = xlplan.solve(base)
    if plain.status == "infeasible":  # then no target can help, for xlplan either
        assert ours_plain.status is xlplan.SolveStatus.INFEASIBLE
        assert xlplan.solve(base.with_settings(fill_rate_target=0.5)).status is xlplan.SolveStatus.INFEASIBLE
        return
    assert ours_plain.objective == pytest.approx(plain.objective, rel=1e-7)

    rng = np.random.default_rng(9000 + k)
    policy = POLICIES[k % 2] if k % 6 != 2 else POLICIES[k // 6 % 2]
    share = float(rng.uniform(0.5, 0.95))
    target = _target(k, float(plain.kpi_fill_rate.min()), rng)
    served = base.with_settings(fill_rate_target=target, fill_rate_policy=policy, fill_rate_share=share)
    theirs = solve_independently(served)
    ours = xlplan.solve(served)
    if theirs.status == "infeasible":
        assert ours.status is xlplan.SolveStatus.INFEASIBLE, (target, policy, ours.objective)
        return
    assert ours.status is xlplan.SolveStatus.OPTIMAL, (target, policy, ours.message)
    assert ours.objective == pytest.approx(theirs.objective, rel=1e-7)
    assert ours.objective >= plain.objective * (1 - 1e-9)  # a rule can only cost
    # the rule's promise holds on the KPI (late units min(B + L, D)), from xlplan's own recourse
    assert (ours.products.fill_rate.to_numpy() >= target - 1e-7).all()


def _binding(policy: str):
    """Instance 0 with lost sales and no backorder cap, its independent plain optimum, the target halfway
    from its best product's fill rate to 1 (the rule binds), and the problem with that target."""
    base, _ = _instance(0)
    base = base.with_settings(lost_sales_allowed=True, backorder_limit=None)
    plain = solve_independently(base)
    target = float(plain.kpi_fill_rate.max()) + 0.5 * (1 - float(plain.kpi_fill_rate.max()))
    return plain, target, base.with_settings(fill_rate_target=target, fill_rate_policy=policy, fill_rate_share=0.8)


@pytest.mark.parametrize("policy", ["expected", "chance"])
def test_the_independent_lp_sees_the_rule_bind(policy):
    """The comparison has teeth: on an instance where the target binds, the independent optimum with
    the rule is dearer than without it, and a chance target is met in its share of scenarios."""
    plain, target, served = _binding(policy)
    theirs = solve_independently(served)
    assert theirs.status == "optimal" and theirs.objective > plain.objective * (1 + 1e-6)
    assert xlplan.solve(served).objective == pytest.approx(theirs.objective, rel=1e-7)
    allowed = (1 - target) * served.demand.sum(axis=2)
    meeting = served.probabilities @ (theirs.late <= allowed + 1e-6)
    if policy == "chance":
        assert (meeting >= 0.8 - 1e-9).all()
    else:
        expected_late = served.probabilities @ theirs.late
        assert (expected_late <= served.probabilities @ allowed + 1e-6).all()


@pytest.mark.parametrize("policy", ["expected", "chance"])
def test_the_expected_value_plan_is_priced_with_the_rule_s_threshold_chosen_anew(policy):
    """EEV is the expected-value plan's production, hours and workforce priced on every scenario. The
    chance rule's threshold eta[p] is no part of that plan: the CVaR of the scenarios at hand chooses
    it, as the independent LP does (pinning the expected-value problem's eta overstates EEV, or makes
    a plan that can serve the rule look infeasible)."""
    base = synthetic_problem(periods=4, scenarios=6, seed=1)
    base = base.with_settings(lost_sales_allowed=True, backorder_limit=None)
    plain = solve_independently(base)
    served = base.with_settings(fill_rate_target=float(plain.kpi_fill_rate.min()), fill_rate_policy=policy,
                                fill_rate_share=0.5)
    value = stochastic_value(served)
    ev_plan = value.expected_value_result.solution.plan
    priced = solve_independently(served, {name: ev_plan[name] for name in NAMES.values()})
    assert priced.status == "optimal"
    assert value.eev == pytest.approx(priced.objective, rel=1e-7)
    assert value.recourse == pytest.approx(solve_independently(served).objective, rel=1e-7)


@pytest.mark.parametrize("policy", ["expected", "chance"])
def test_prices_with_the_rule_equal_the_independent_lp_s_finite_differences(policy):
    """The Sensitivity sheet's prices through the rows on an expectation: demand's price in each
    scenario (its share of the expected cost, through the scenario's rows and the rule's), and for the
    expected policy the rule's own price (d cost / d target = sum_p price[p] E[sum_t D[p]]), against
    central differences of the independent LP."""
    from xlplan.analysis.sensitivity import shadow_prices

    plain, target, served = _binding(policy)
    prices = shadow_prices(served)
    h = 1e-3

    def cost(**changes) -> float:
        answer = solve_independently(served.with_settings(**changes) if changes else served)
        assert answer.status == "optimal" and answer.objective is not None
        return answer.objective

    if policy == "expected":
        slope = (cost(fill_rate_target=target + h) - cost(fill_rate_target=target - h)) / (2 * h)
        expected_demand = served.probabilities @ served.demand.sum(axis=2)
        by_prices = sum(prices.price("expected_fill_rate", p) * expected_demand[i]
                        for i, p in enumerate(served.products))
        assert by_prices > 0 and by_prices == pytest.approx(slope, rel=1e-6)

    def cost_with_demand(s: int, i: int, j: int, step: float) -> float:
        demand = served.demand.copy()
        demand[s, i, j] += step
        answer = solve_independently(served.with_scenarios(served.scenarios, demand, served.probabilities))
        assert answer.objective is not None
        return answer.objective

    last = len(served.periods) - 1
    for s, scenario in enumerate(served.scenarios):
        for i, p in enumerate(served.products):
            for j in (0, last):
                slope = (cost_with_demand(s, i, j, h) - cost_with_demand(s, i, j, -h)) / (2 * h)
                price = prices.price("demand", p, served.periods[j], scenario)
                assert price == pytest.approx(slope / served.probabilities[s], rel=1e-6, abs=1e-6), (scenario, p, j)
