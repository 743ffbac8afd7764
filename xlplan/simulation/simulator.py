"""Test a plan the way the real world will: replications of demand, productivity and attendance.

For each replication, period and product:

    capacity  = availability x (hours_per_worker W + O) / realised hours per unit
    made      = min(planned X, capacity)
    shipped   = min(stock + made, demand + owed)          what is owed is served first
    owed      = the rest, up to the backorder limit (when backorders are allowed); beyond it, lost
    stock     = the rest, in the regular warehouse first (by holding cost per unit of space, as the
                model would) and overflow after; what fits in neither is disposed of

Stage-1 labour is paid as planned (regular hours, the wage on the workforce, overtime); hires and
fires are charged on the change of workforce from the previous period; production cost on units
made; holding, overflow and backorder costs on what is left at the end of each period. Revenue is
the selling price of the units shipped; profit is revenue less those costs. The cost of lost sales
is reported beside (it is the model's opportunity cost, not a cash cost).

Each replication starts from the plan. The original Factory Physics simulator instead overwrote the plan
with each replication's realised production, so that every replication was capped by the worst
capacity draw of all earlier ones; ``reproduce_original_defect=True`` does that, and exists only to
reproduce the published figures.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Iterable, Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

import numpy as np

from xlplan.model import Formulation, formulation_for
from xlplan.model.costs import costs_by_category, operating
from xlplan.problem import PlanningProblem
from xlplan.progress import count as report_count
from xlplan.runtime import can_start_threads
from xlplan.simulation.draws import DemandModel, ProcessNoise
from xlplan.simulation.statistics import SimulationSummary, summarise

BATCH_CELLS = 300_000
"""Product-period-replications per random stream, and at least 8,192 replications, so that each
period's arrays are long enough for numpy's per-call overhead not to matter. The batch size
follows from the problem's shape alone, so a seed gives the same numbers on any machine."""


def batch_size(products: int, periods: int) -> int:
    return max(8192, BATCH_CELLS // (products * periods))


Plan = Mapping[str, np.ndarray]


def plan_inputs(problem: PlanningProblem, plan: Plan, formulation: Formulation) -> dict[str, np.ndarray]:
    """The stage-1 values a simulation needs (the model's plan inputs: the others follow from them),
    each shaped (products, periods); ValueError naming what is missing or misshapen."""
    shape = (len(problem.products), len(problem.periods))
    names = [v.name for v in formulation.plan_inputs()]
    missing = [name for name in names if name not in plan]
    if missing:
        raise ValueError(f"the plan to simulate has no {', '.join(missing)}")
    values = {name: np.asarray(plan[name], dtype=float) for name in names}
    misshapen = [name for name, v in values.items() if v.shape != shape]
    if misshapen:
        raise ValueError(f"the plan's {', '.join(misshapen)} must be shaped (products, periods) = {shape}")
    return values


@dataclass
class SimulationResult:
    """Per-replication outcomes and their summary."""

    profit: np.ndarray
    revenue: np.ndarray
    costs: dict[str, np.ndarray]
    """Cost per category and replication (categories as in the cost breakdown)."""
    demand: np.ndarray
    late: np.ndarray
    lost: np.ndarray
    disposed: np.ndarray
    stockout_periods: np.ndarray
    """Periods with any product short, per replication."""
    weights: np.ndarray
    exact: bool
    """True when the replications are the problem's own scenarios, weighted by probability."""
    summary: SimulationSummary

    @property
    def fill_rate(self) -> np.ndarray:
        """On-time fill rate per replication: 1 - late / demand (the original model's service level)."""
        return 1.0 - self.late / np.maximum(self.demand, 1e-12)

    @property
    def model_cost(self) -> np.ndarray:
        """Cost per replication as the model counts it (lost sales included)."""
        return sum(self.costs.values())  # type: ignore[return-value]


def _split_stock(stock: np.ndarray, space: np.ndarray, holding: np.ndarray, capacity: float | None,
                 overflow: float) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(regular, overflow, disposed) units, each (products, replications): the regular warehouse takes
    the products dearest to hold per unit of space first, as the cost-minimising model does."""
    if capacity is None:
        return stock, np.zeros_like(stock), np.zeros_like(stock)
    regular = np.empty_like(stock)
    room = np.full(stock.shape[1], float(capacity))
    for p in np.argsort(-holding / np.where(space > 0, space, np.inf), kind="stable"):
        if space[p] == 0:
            regular[p] = stock[p]
            continue
        np.minimum(stock[p], room / space[p], out=regular[p])
        room -= regular[p] * space[p]
    spilled = stock - regular
    used = space @ spilled
    kept = spilled * np.where(used > overflow, overflow / np.maximum(used, 1e-12), 1.0)
    return regular, kept, spilled - kept


def _by_period(values: np.ndarray) -> np.ndarray:
    """(replications, products, periods) -> (periods, products, replications), contiguous: each
    period's slice is one block of memory, which the loop below reads many times."""
    return np.ascontiguousarray(values.transpose(2, 1, 0))


@dataclass(frozen=True)
class State:
    """Where each replication stands before a period: units on hand, units owed and the workforce,
    each shaped (products, replications)."""

    stock: np.ndarray
    owing: np.ndarray
    workforce: np.ndarray

    @classmethod
    def initial(cls, problem: PlanningProblem, replications: int) -> State:
        """The problem's initial state, the same in every replication."""
        pr = problem.product
        return cls(*(np.repeat(np.asarray(v, dtype=float)[:, None], replications, axis=1)
                     for v in (pr.initial_inventory, pr.initial_backorders, pr.initial_workforce)))


def _period_major_plan(values: np.ndarray) -> np.ndarray:
    """A plan's values, (products, periods) for all replications or (replications, products, periods)
    for each its own, as (periods, products, 1 or replications)."""
    return values.T[:, :, None] if values.ndim == 2 else values.transpose(2, 1, 0)


def _run(problem: PlanningProblem, formulation: Formulation, plan: Mapping[str, np.ndarray], demand: np.ndarray,
         hours: np.ndarray, availability: np.ndarray, carry: np.ndarray | None, start: State | None = None
         ) -> tuple[dict[str, np.ndarray], State]:
    """Simulate replications given their draws (each (R, P, T)); returns per-replication totals and
    where each replication ends.

    Only the stock recursion runs period by period; every total is a contraction over periods and
    products afterwards. ``carry`` (P, T) is the running minimum of realised capacity of the original model's
    defective simulator. The plan's values are (P, T), or (R, P, T) when each replication has its
    own (rolling re-planning); ``start`` is each replication's state before the first period
    (default: the problem's initial state).
    """
    s, c, pr = problem.settings, problem.costs, problem.product
    R, P, T = demand.shape
    hours_planned = _period_major_plan(s.hours_per_worker * plan["workforce"] + plan["overtime_hours"])
    capacity = _by_period(availability) * hours_planned / _by_period(hours)
    planned = np.broadcast_to(_period_major_plan(plan["production"]), capacity.shape)
    if carry is not None:  # the original simulator's defect: each replication capped by all earlier capacity draws
        earlier = np.minimum.accumulate(capacity, axis=2)
        earlier = np.concatenate([carry.T[:, :, None], earlier[:, :, :-1]], axis=2)
        planned = np.minimum(planned, np.minimum(earlier, carry.T[:, :, None]))
        carry[:] = np.minimum(carry, capacity.min(axis=2).T)
    made = np.minimum(planned, capacity)
    demand = _by_period(demand)

    shipped, owed, lost = np.empty_like(demand), np.zeros_like(demand), np.zeros_like(demand)
    regular, overflow = np.empty_like(demand), np.zeros_like(demand)
    disposed = np.zeros(R)
    given = start is not None
    start = start or State.initial(problem, R)
    stock, owing = start.stock.copy(), start.owing.copy()
    limit = s.backorder_limit if s.backorders_allowed else 0.0
    overflow_capacity = s.overflow_capacity if s.has_overflow else 0.0
    for t in range(T):
        available = stock + made[t]
        due = demand[t] + owing
        np.minimum(available, due, out=shipped[t])
        stock = available - shipped[t]
        unmet = due - shipped[t]
        if limit is None:
            owed[t] = unmet
        elif limit == 0.0:
            lost[t] = unmet
        else:
            np.minimum(unmet, limit * demand[t], out=owed[t])
            np.subtract(unmet, owed[t], out=lost[t])
        owing = owed[t]
        if s.warehouse_capacity is None:
            regular[t] = stock
        else:
            regular[t], overflow[t], spilled = _split_stock(stock, pr.space_per_unit, c.holding_cost[:, t],
                                                            s.warehouse_capacity, overflow_capacity)
            disposed += spilled.sum(axis=0)
            stock = regular[t] + overflow[t]

    workforce = plan["workforce"]
    if given:  # each replication's own workforce before the first period: hires and fires per replication
        workforce = np.broadcast_to(workforce, (R, P, T))
        changes = np.diff(workforce, axis=-1, prepend=start.workforce.T[:, :, None])
    else:
        changes = np.diff(workforce, axis=-1, prepend=pr.initial_workforce[:, None])
    by_replication = lambda units: units.transpose(2, 1, 0)  # (T, P, R) -> (R, P, T)  # noqa: E731
    quantities = {**plan, "hires": np.maximum(changes, 0), "fires": np.maximum(-changes, 0),
                  "made": by_replication(made), "regular_inventory": by_replication(regular),
                  "overflow_inventory": by_replication(overflow), "backorders": by_replication(owed),
                  "lost_sales": by_replication(lost)}
    costs = {name: np.broadcast_to(v.sum(axis=-1), (R,))
             for name, v in costs_by_category(problem, quantities, formulation).items()}
    unmet_all = owed + lost
    totals = {
        "demand": demand.sum(axis=(0, 1)),
        "revenue": np.einsum("p,tpr->r", pr.selling_price, shipped, optimize=True),
        "late": np.minimum(unmet_all, demand).sum(axis=(0, 1)),
        "lost": lost.sum(axis=(0, 1)),
        "disposed": disposed,
        "stockouts": (unmet_all > 1e-9).any(axis=1).sum(axis=0).astype(float),
        **costs,
    }
    end_workforce = np.broadcast_to(workforce[..., -1].T if workforce.ndim == 3 else workforce[:, -1:], (P, R))
    return totals, State(stock, owing, end_workforce.copy())


def _draw(problem: PlanningProblem, demand: DemandModel, noise: ProcessNoise, stream: np.random.SeedSequence,
          n: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """One batch's demand, realised hours per unit and availability, each (n, P, T)."""
    rng = np.random.Generator(np.random.PCG64(stream))
    drawn = demand.sample(rng, n)
    hours, availability = noise.sample(rng, problem.product.hours_per_unit, n, len(problem.periods))
    return drawn, hours, availability


def draws(problem: PlanningProblem, demand: DemandModel, noise: ProcessNoise, replications: int, seed: int
          ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The demand, realised hours per unit and availability :func:`simulate` draws for ``replications``
    paths from ``seed``, each (replications, products, periods): the same numbers, so that another
    way of running the plan (re-planning as it goes) meets the same world."""
    size = batch_size(len(problem.products), len(problem.periods))
    streams = np.random.SeedSequence(seed).spawn((replications + size - 1) // size)
    parts = [_draw(problem, demand, noise, stream, min(size, replications - b * size))
             for b, stream in enumerate(streams)]
    return tuple(np.concatenate([part[k] for part in parts]) for k in range(3))  # type: ignore[return-value]


def execute(problem: PlanningProblem, formulation: Formulation, plan: Plan, demand: np.ndarray, hours: np.ndarray,
            availability: np.ndarray, start: State) -> tuple[dict[str, np.ndarray], State]:
    """Run each replication's own plan (values (R, P, T)) through the problem's periods from its own
    state, with the rules of :func:`simulate`, priced by ``formulation``'s cost terms; returns
    per-replication totals (revenue, each cost category, demand, late, lost, disposed, stockouts) and
    where each replication ends."""
    return _run(problem, formulation, plan, demand, hours, availability, None, start)


def simulation_result(formulation: Formulation, totals: dict[str, np.ndarray], confidence: float = 0.95
                      ) -> SimulationResult:
    """The result and summary of equally weighted replications whose totals are ``totals``, their costs
    in ``formulation``'s categories."""
    replications = len(totals["revenue"])
    return _result(formulation, totals, np.full(replications, 1.0 / replications), False, confidence)


def simulate(
    problem: PlanningProblem,
    plan: Plan,
    demand: DemandModel | None = None,
    noise: ProcessNoise | None = None,
    *,
    replications: int = 100_000,
    seed: int = 2026,
    exact: bool = False,
    confidence: float = 0.95,
    progress: bool | None = None,
    reproduce_original_defect: bool = False,
    formulation: Formulation | None = None,
) -> SimulationResult:
    """Simulate a stage-1 plan.

    Parameters
    ----------
    problem:
        Costs, prices, capacities and policies (its demand is used only with ``exact``).
    plan:
        Stage-1 values by name (``production``, ``workforce``, ``overtime_hours``,
        ``regular_hours``), e.g. ``result.solution.plan``.
    demand, noise:
        What to draw. With ``exact`` the problem's own scenarios are evaluated once each, weighted
        by their probabilities, with no draws: their capacity factors stand for availability (then
        ``noise`` must be None).
    replications, seed:
        How many paths, from which seed (numpy's PCG64, one stream per batch of a size fixed by the
        problem's shape, so the same seed gives the same numbers on any machine).
    confidence:
        For value at risk: profit's (1 - confidence) quantile, and CVaR the mean below it.
    progress:
        Show a progress bar on stderr (default: for long runs in a terminal).
    reproduce_original_defect:
        Reproduce the original simulator's defect (see module docstring). Never for decisions.
    formulation:
        The model the plan was solved with, whose cost terms price it (a part added with
        ``with_parts`` too): ``result.solution.formulation``. Default: the model the problem's
        settings ask for.

    Examples
    --------
    >>> import xlplan
    >>> from xlplan.simulation import ProcessNoise, simulate
    >>> problem = xlplan.reference.factory_physics()
    >>> plan = xlplan.solve(problem).solution.plan
    >>> exact = simulate(problem, plan, exact=True)  # the problem's own scenarios, no draws
    >>> exact.exact, round(exact.summary.mean_profit, 2), exact.summary.fill_rate
    (True, 1687337.14, 1.0)
    >>> noisy = simulate(problem, plan, noise=ProcessNoise.uniform(1, hours_sd=0.1, availability=(0.9, 1.0)),
    ...                  replications=10_000, seed=7)
    >>> noisy.summary.replications, noisy.summary.fill_rate < 1.0
    (10000, True)
    """
    formulation = formulation or formulation_for(problem.settings)
    tested = plan_inputs(problem, plan, formulation)
    P, T = len(problem.products), len(problem.periods)
    if exact:
        if noise is not None and not noise.is_none:
            raise ValueError("an exact evaluation over the problem's scenarios takes no process noise")
        hours = np.broadcast_to(problem.product.hours_per_unit[None, :, None], problem.demand.shape)
        totals, _ = _run(problem, formulation, tested, problem.demand, hours, problem.capacity_factor, None)
        weights = problem.probabilities.copy()
        return _result(formulation, totals, weights, True, confidence)

    demand = demand or DemandModel.from_problem(problem)
    noise = noise or ProcessNoise.none(P)
    size = batch_size(P, T)
    streams = np.random.SeedSequence(seed).spawn((replications + size - 1) // size)
    carry = np.full((P, T), np.inf) if reproduce_original_defect else None
    show = progress if progress is not None else (replications * P * T > 50_000_000 and sys.stderr.isatty())
    batches = range(len(streams))
    if show:
        from rich.progress import track

        batches = track(batches, description=f"Simulating {replications:,} replications", transient=True)

    def batch(b: int) -> dict[str, np.ndarray]:
        n = min(size, replications - b * size)
        drawn, hours, availability = _draw(problem, demand, noise, streams[b], n)
        return _run(problem, formulation, tested, drawn, hours, availability, carry)[0]

    def counted(results: Iterable[dict[str, np.ndarray]]) -> list[dict[str, np.ndarray]]:
        parts = []
        for b, part in enumerate(results):
            parts.append(part)
            report_count(min((b + 1) * size, replications), replications, "replications")
        return parts

    # the defect chains replications one after another; Pyodide (xlwings Lite) cannot start threads
    if reproduce_original_defect or len(streams) == 1 or not can_start_threads():
        parts = counted(batch(b) for b in batches)
    else:  # batches are independent streams; numpy releases the GIL, so threads use every core
        with ThreadPoolExecutor(max_workers=os.cpu_count() or 1) as pool:
            parts = counted(pool.map(batch, batches))
    totals = {key: np.concatenate([p[key] for p in parts]) for key in parts[0]}
    return _result(formulation, totals, np.full(replications, 1.0 / replications), False, confidence)


def _result(formulation: Formulation, totals: dict[str, np.ndarray], weights: np.ndarray, exact: bool,
            confidence: float) -> SimulationResult:
    costs = {name: totals[name] for name in formulation.categories}
    profit = totals["revenue"] - operating(costs, formulation)
    result = SimulationResult(profit=profit, revenue=totals["revenue"], costs=costs, demand=totals["demand"],
                              late=totals["late"], lost=totals["lost"], disposed=totals["disposed"],
                              stockout_periods=totals["stockouts"], weights=weights, exact=exact,
                              summary=None)  # type: ignore[arg-type]
    result.summary = summarise(result, confidence)
    return result
