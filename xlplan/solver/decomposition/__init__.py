"""An L-shaped (Benders) method on the stage-1 plan, with a trust region, that exploits the scenario
structure of :class:`~xlplan.solver.compile.TwoStageProgram`.

Each iteration evaluates one plan x_k on every scenario (``scenarios.py``: HiGHS's dual simplex,
warm from the previous scenario's basis, on worker processes when it pays), which gives the plan's exact
expected cost (an upper bound) and a cut per scenario; the cuts go into the master
(``master.py``), whose minimum without the trust region is a lower bound. The next plan is the
master's minimum within a box around the best plan so far (Linderoth and Wright's trust-region
L-shaped method): plain Benders steps on a thousand stage-1 columns overshoot back and forth.

The answer carries its certificate: the best plan's exact expected cost, the lower bound and the
relative gap between them. It is called optimal only when the gap is within the tolerance.
"""

from __future__ import annotations

import dataclasses
import time
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np
import scipy.sparse as sp

from xlplan import progress as xlplan_progress
from xlplan.solver.compile import TwoStageProgram
from xlplan.solver.decomposition import start as sample_start
from xlplan.solver.decomposition.cuts import shared_feasibility_cuts
from xlplan.solver.decomposition.learned import LearnedCuts
from xlplan.solver.decomposition.master import Master, MasterSolution
from xlplan.solver.decomposition.parallel import ScenarioEvaluator, processes_for
from xlplan.solver.options import SolveOptions

__all__ = ["DecompositionResult", "LearnedCuts", "solve_by_decomposition"]

OPTIMAL = "optimal"
STOPPED_WITH_PLAN = "stopped with plan"
STOPPED_WITHOUT_PLAN = "stopped without plan"
INFEASIBLE = "infeasible"

MULTI_CUT_UP_TO = 100
"""With at most this many scenarios, every scenario has its own cost variable in the master
(multi-cut); beyond, scenarios are averaged in groups of similar ones (``default_groups``), which keeps
the master small while each iteration still adds detailed cuts. Measured on the synthetic
3 x 52 case (one process, CPU seconds): S = 300 with 30 / 100 / 300 groups took 32 / 19 / 14
iterations and 7.9 / 6.3 / 8.1 s; S = 1,000 with 100 / 300 groups 23 / 16 iterations and
16.6 / 14.9 s, of which the master 2.4 / 5.9 s, the part that a second process does not share."""
MANY_SCENARIOS = 3000
"""From this many scenarios the master gets 3 x MULTI_CUT_UP_TO groups: the scenarios' evaluations,
shared between the processes, outweigh the bigger master (measured at S = 10,000, two processes:
100 groups took 34 iterations and 126 s of CPU, 300 groups 24 iterations and 102 s)."""


def default_groups(scenarios: int) -> int:
    """How many cost variables the master has for this many scenarios."""
    return min(scenarios, MULTI_CUT_UP_TO if scenarios < MANY_SCENARIOS else 3 * MULTI_CUT_UP_TO)


SCENARIOS_INSIDE = 4
"""How many scenarios may have their rules copied into the master, the most violated one after
each evaluation that found scenarios without a recourse. Measured on the synthetic 3 x 52 case
(one process, CPU seconds): at S = 100, 0 / 4 / 10 such scenarios took 23 / 17 / 16 iterations
and 3.1 / 2.3 / 2.6 s; at S = 300, 0 / 4 took 18 / 17 iterations and 5.1 / 4.9 s."""

KEEP_TOLERANCE = 1e-3
"""The cuts a solve leaves for a what-if are those within this relative error of the exact expected
recourse cost at its best plan: the local model a nearby optimum needs (measured at 300 scenarios,
three what-ifs: 1e-2 kept almost twice as many cuts for about the same time; 1e-4 needed 4 to 6
iterations where 1e-3 needed 2 to 5)."""

Progress = Callable[[int, float, float, float], None]


@dataclass
class DecompositionResult:
    """The outcome of :func:`solve_by_decomposition`, with its certificate.

    ``upper_bound`` is the exact expected cost of the plan ``x`` (what the extensive form would
    report for it, constants included), ``lower_bound`` a proven bound on every plan's cost, and
    ``gap`` their relative difference, (upper - lower) / max(1, |upper|).
    """

    status: str
    """"optimal" | "stopped with plan" | "stopped without plan" | "infeasible"."""
    x: np.ndarray | None
    """The stage-1 column values of the best plan (None without a plan)."""
    y: np.ndarray | None
    """(scenarios, stage-2 columns): each scenario's optimal recourse under ``x``."""
    lower_bound: float
    upper_bound: float
    gap: float
    iterations: int
    history: list[tuple[float, float, float]] = field(default_factory=list)
    """(seconds, lower bound, upper bound) after every iteration."""
    timings: dict[str, float] = field(default_factory=dict)
    message: str = ""
    cuts: int = 0
    processes: int = 1
    recourse_solves: int = 0
    """Scenario evaluations that needed a simplex solve; the rest were settled by a known basis."""
    learned: LearnedCuts | None = None
    """The cuts and the best plan, for a warm start after demand changed (None without a plan)."""
    warm: bool = False
    """Whether the solve started from the cuts of an earlier one."""


def relative_gap(lower: float, upper: float) -> float:
    if not np.isfinite(upper) or not np.isfinite(lower):
        return np.inf
    return max(0.0, upper - lower) / max(1.0, abs(upper))


def scenario_groups(program: TwoStageProgram, count: int) -> np.ndarray:
    """Split the scenarios into ``count`` groups of similar ones (by the sum of their finite row
    bounds, which is how much demand they carry); group index per scenario."""
    S = program.num_scenarios
    if count >= S:
        return np.arange(S)
    lower = np.where(np.isfinite(program.row2_lower), program.row2_lower, 0.0)
    upper = np.where(np.isfinite(program.row2_upper), program.row2_upper, 0.0)
    order = np.argsort((lower + upper).sum(axis=1), kind="stable")
    groups = np.empty(S, dtype=int)
    for g, members in enumerate(np.array_split(order, count)):
        groups[members] = g
    return groups


class _TrustRegion:
    """The box around the best plan: grows after good steps that reached its edge, shrinks after
    steps that made things clearly worse (Linderoth and Wright 2003, section 3)."""

    def __init__(self, x: np.ndarray, value: float, support: np.ndarray, share: float = 0.1,
                 radius: float | None = None) -> None:
        # share: the first radius as a share of the plan's largest entry (radius: the first radius itself)
        self.center, self.value, self.support = x, value, support
        scale = float(np.max(np.abs(x[support]), initial=0.0))
        self.radius = max(1.0, share * scale) if radius is None else max(1.0, radius)
        self.max_radius = max(1e3, 10.0 * scale)
        self.worse_steps = 0

    def step(self, x: np.ndarray, value: float, predicted: float) -> None:
        """Take x (true cost ``value``, model cost ``predicted``) as the center, or not."""
        predicted_decrease = self.value - predicted
        decrease = self.value - value
        reached_edge = np.max(np.abs(x[self.support] - self.center[self.support]), initial=0.0) >= 0.999 * self.radius
        if predicted_decrease > 0 and decrease >= 1e-4 * predicted_decrease:
            if decrease >= 0.5 * predicted_decrease and reached_edge:
                self.radius = min(2.0 * self.radius, self.max_radius)
            self.center, self.value, self.worse_steps = x, value, 0
            return
        if predicted_decrease <= 0:
            return
        ratio = min(1.0, self.radius) * (-decrease) / predicted_decrease
        if ratio > 0:
            self.worse_steps += 1
        if ratio > 3 or (self.worse_steps >= 3 and 1 < ratio <= 3):
            self.radius /= min(ratio, 4.0)
            self.worse_steps = 0


def solve_by_decomposition(
    program: TwoStageProgram,
    *,
    gap: float = 1e-6,
    time_limit: float | None = None,
    threads: int | None = None,
    progress: Progress | None = None,
    groups: int | None = None,
    reuse_bases: bool = False,
    start_sample: int | None = None,
    learned: LearnedCuts | None = None,
    options: SolveOptions | None = None,
) -> DecompositionResult:
    """Solve the two-stage LP by the trust-region L-shaped method.

    Stops when the relative gap between the best plan's exact expected cost and the lower bound
    is at most ``gap`` ("optimal"), or at ``time_limit`` seconds ("stopped with plan" with the best
    plan and both bounds, or "stopped without plan" if no plan works in every scenario yet).
    "infeasible" means the feasibility cuts proved that no plan works in every scenario.
    ``threads`` caps the processes evaluating scenarios (by default all cores, when it pays);
    ``progress(iteration, seconds, lower, upper)`` is called after every iteration; ``groups``
    sets how many cost variables the master has (default: ``default_groups``: one per scenario up to
    MULTI_CUT_UP_TO scenarios, that many beyond, three times as many from MANY_SCENARIOS);
    ``reuse_bases`` settles scenarios by the bases
    of earlier ones before asking HiGHS (see ``scenarios.py``; off by default: measured on the
    synthetic 3 x 52 cases at S = 100 and 1,000 it costs more CPU time than it saves, since the
    trust-region steps move most scenarios to a new basis).
    ``start_sample``: how many scenarios the starting plan is optimised on (``start.py``; default
    ``start.default_sample``: 30 from 300 scenarios; 0 starts from the expected-value plan).
    ``learned``: the cuts of an earlier solve (``DecompositionResult.learned``); when they fit the
    program (the same structure, demand may differ) the solve starts from them and from that solve's
    best plan instead (see ``learned.py``).
    ``options``: the HiGHS settings of every HiGHS instance the method makes (threads, the LP algorithm of
    the starting sample, HiGHS options by name; the time limit is ``time_limit``, kept over the whole method).
    """
    if program.is_mip:
        raise NotImplementedError("the decomposition solves the LP: whole units are not supported yet "
                                  "(solve the extensive form, or relax integrality)")
    if not gap >= 0:
        raise ValueError(f"gap must be a non-negative relative gap, not {gap}")
    started = time.perf_counter()
    deadline = None if time_limit is None else started + time_limit
    S = program.num_scenarios
    p = program.probabilities
    constant = program.offset + float(p @ program.scenario_offset)
    warm_start = learned if learned is not None and learned.plan is not None and learned.fits(program) else None
    group_of = warm_start.groups if warm_start is not None else scenario_groups(
        program, groups if groups is not None else default_groups(S))

    options = dataclasses.replace(options or SolveOptions(), time_limit=None)
    master = Master(program, group_of, options)
    T = sp.csr_array(program.T)
    T_support = sp.csc_array(T[:, master.support])
    memory = LearnedCuts.begin(program, group_of)
    evaluator = ScenarioEvaluator(program, processes_for(program, threads), reuse_bases=reuse_bases, options=options)
    timings = {"setup": time.perf_counter() - started, "master": 0.0, "scenarios": 0.0}

    def remaining() -> float | None:
        return None if deadline is None else max(1e-3, deadline - time.perf_counter())

    def result(status: str, message: str) -> DecompositionResult:
        has_plan = best_x is not None and status in (OPTIMAL, STOPPED_WITH_PLAN)
        lower_total, upper_total = lower + constant, upper + constant
        timings["total"] = time.perf_counter() - started
        if memory is not None and has_plan and best_x is not None:
            memory.plan, memory.inside = best_x, list(master.scenarios_inside)
            memory.keep_near(best_x[master.support], KEEP_TOLERANCE)
            memory.radius = region.radius if region is not None else memory.radius
        return DecompositionResult(
            status=status, x=best_x if has_plan else None, y=best_y if has_plan else None,
            lower_bound=lower_total if status != INFEASIBLE else np.inf,
            upper_bound=upper_total if has_plan else np.inf,
            gap=relative_gap(lower_total, upper_total) if has_plan else np.inf,
            iterations=iteration, history=history, timings=timings, message=message,
            cuts=master.num_cuts, processes=evaluator.processes, recourse_solves=recourse_solves,
            learned=memory if has_plan else None, warm=warm_start is not None)

    lower, upper = -np.inf, np.inf
    best_x: np.ndarray | None = None
    best_y: np.ndarray | None = None
    history: list[tuple[float, float, float]] = []
    iteration = recourse_solves = 0
    region: _TrustRegion | None = None

    # the plan to start from: an earlier solve's (warm_start), else a sample's (start; None: the
    # expected-value plan), its evaluation, and the first radius
    start = start_evaluation = None
    first_radius, start_radius = 0.1, None
    if warm_start is not None and warm_start.plan is not None:
        _replay(warm_start, program, master, T_support, memory)
        x, predicted, start_radius = warm_start.plan, None, warm_start.radius
    else:
        sample = sample_start.default_sample(S) if start_sample is None else start_sample
        if sample:
            tick = time.perf_counter()
            repaired = sample_start.repaired_sample_plan(program, evaluator, T_support, master.support, sample,
                                                         deadline=deadline, options=options)
            if repaired is not None:
                for cuts in repaired.cuts:
                    master.add_feasibility_cuts(cuts.gradient, cuts.rhs)
                start, start_evaluation, first_radius = repaired.x, repaired.evaluation, sample_start.RADIUS
            timings["start"] = time.perf_counter() - tick
            xlplan_progress.phase("solving by decomposition (L-shaped), from the starting plan")
        tick = time.perf_counter()
        first = master.solve(time_limit=remaining())  # the expected-value problem: Jensen's bound
        timings["master"] += time.perf_counter() - tick
        if first.status == "infeasible":
            return result(INFEASIBLE, "no plan satisfies the rules even for the mean scenario")
        if first.status == "stopped":
            return result(STOPPED_WITHOUT_PLAN, "the time limit was reached before any plan was found")
        assert first.x is not None  # a master that is neither infeasible nor stopped has its plan
        lower, x, predicted = first.value, first.x, None
        if start is not None:
            x = start
    near_optimum = start is not None or warm_start is not None

    while True:
        iteration += 1
        tick = time.perf_counter()
        Tx = T @ x
        if start_evaluation is not None and x is start:
            evaluation, start_evaluation = start_evaluation, None
        else:
            evaluation = evaluator.evaluate(Tx)
        recourse_solves += evaluation.solved_by_highs
        scaled = evaluation.dual if program.t_scale is None else evaluation.dual * program.t_scale
        gradient = -(T_support.T @ scaled.T).T  # (S, support columns): subgradients of Q_s
        timings["scenarios"] += time.perf_counter() - tick

        tick = time.perf_counter()
        feasible = evaluation.feasible
        if feasible.all():
            value = float(program.c1 @ x + p @ evaluation.value)
            if value < upper:
                upper, best_x, best_y = value, x, evaluation.y
            if region is None:
                region = _TrustRegion(x, value, master.support, first_radius, start_radius)
            elif predicted is not None:
                region.step(x, value, predicted)
        else:
            cuts = shared_feasibility_cuts(program, T_support, evaluation.violation_dual[~feasible], Tx)
            master.add_feasibility_cuts(cuts.gradient, cuts.rhs)
            if memory is not None:
                memory.record_feasibility(evaluation.violation_dual[~feasible], Tx)
            if len(master.scenarios_inside) < SCENARIOS_INSIDE:
                worst = int(np.argmax(np.where(feasible, -np.inf, evaluation.violation)))
                master.add_scenario(worst)
        complete = np.bincount(group_of, weights=~feasible, minlength=master.G) == 0
        if complete.any():
            made = master.add_optimality_cuts(x, evaluation.value, gradient, complete)
            if memory is not None:
                memory.record_optimality(made, evaluation.dual)

        # the next plan: the model's minimum within the trust region (plain cutting-plane step
        # while no plan has a recourse everywhere). Its value is a lower bound if the box does not
        # bind; otherwise the model is minimised without the box for the bound, unless even the
        # box's minimum is too far below the best plan for the gap to close now (the unboxed one
        # is lower still), which saves most of those solves. From a sample's plan (or an earlier
        # solve's) the bound master is solved every time: the steps' values are near the best plan's
        # from the start, so the bound would otherwise be solved once at the end from a basis
        # thousands of cuts old
        # (measured at 12 x 52 x 1,000: 16.9 s for that one solve, 9.9 s for all 24 when kept warm)
        step = None
        if region is not None:
            step = master.solve(region.center, region.radius, time_limit=remaining())
        elif start is not None:  # no plan with a recourse everywhere yet: stay near the start
            step = master.solve(start, first_radius * float(np.max(np.abs(start[master.support]), initial=1.0)),
                                time_limit=remaining())
            if step.status != "optimal":
                step = None
        bound: MasterSolution | None = None
        if step is not None and step.status == "optimal" and step.is_bound:
            bound = step
        elif not (step is not None and step.status == "optimal"
                  and upper - step.value > gap * max(1.0, abs(upper + constant))) or near_optimum:
            bound = master.solve(time_limit=remaining())
        timings["master"] += time.perf_counter() - tick
        if bound is not None and bound.status == "infeasible":
            return result(INFEASIBLE, "no plan satisfies the rules in every scenario: the feasibility cuts "
                                      "exclude every plan")
        if bound is not None and bound.status == "optimal":
            # the master's tolerances may put its minimum a hair above the best plan's exact cost
            lower = min(max(lower, bound.value), upper)
        seconds = time.perf_counter() - started
        history.append((seconds, lower + constant, upper + constant))
        if progress is not None:
            progress(iteration, seconds, lower + constant, upper + constant)
        reached = relative_gap(lower + constant, upper + constant)
        if reached <= gap:
            return result(OPTIMAL, f"optimal: the relative gap is {reached:.1e}")
        stopped = any(solution is not None and solution.status == "stopped" for solution in (step, bound))
        if deadline is not None and time.perf_counter() >= deadline or stopped:
            if best_x is None:
                return result(STOPPED_WITHOUT_PLAN, "the time limit was reached before a plan worked in every scenario")
            return result(STOPPED_WITH_PLAN, "the time limit was reached; the best plan is returned with its gap")
        if step is not None and step.status == "optimal" and step.x is not None:
            x, predicted = step.x, step.value
        else:
            assert bound is not None and bound.x is not None
            x, predicted = bound.x, None


def _replay(learned: LearnedCuts, program: TwoStageProgram, master: Master, T_support: sp.csc_array,
            memory: LearnedCuts | None) -> None:
    """Put an earlier solve's cuts, moved to ``program``'s demand, into the master (and into ``memory``,
    which records them against this demand for the next what-if)."""
    assert learned.plan is not None
    at_plan = learned.plan[master.support]
    for cuts, duals in learned.moved(program, master.weight):
        # the cuts made at the plan the solve starts from go in; the others wait until needed
        if np.array_equal(cuts.x_support, at_plan):
            master.add_group_cuts(cuts)
        else:
            master.add_to_pool(cuts)
        if memory is not None:
            memory.keep(cuts, duals)
    for duals, Tx in learned.feasibility:
        feasibility = shared_feasibility_cuts(program, T_support, duals, Tx)
        master.add_feasibility_cuts(feasibility.gradient, feasibility.rhs)
        if memory is not None:
            memory.record_feasibility(duals, Tx)
    for s in learned.inside:
        master.add_scenario(s)
