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
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

import numpy as np
import scipy.sparse as sp

import xlplan.solver.decomposition.start as sample_start
from xlplan import progress as xlplan_progress
from xlplan.solver.decomposition.cuts import shared_feasibility_cuts
from xlplan.solver.decomposition.master import Master, MasterSolution
from xlplan.solver.decomposition.parallel import Channel, ScenarioEvaluator, processes_for
from xlplan.solver.decomposition.recourse import Evaluation
from xlplan.solver.decomposition.warm_cuts import WarmCuts
from xlplan.solver.options import SolveOptions
from xlplan.solver.program import TwoStageProgram
from xlplan.solver.status import SolutionStatus, SolveStatus, TerminationCondition, planner_status

__all__ = ["DecompositionResult", "solve_by_decomposition"]

TC = TerminationCondition

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

ROUND_OFF = 1e-7
"""How far, relative to the cost, the master's minimum may lie above the best plan's exact cost (or its
minimum within the trust region) from the solvers' tolerances alone: a tenth of the default gap.
Further above, the master's answer is wrong (see ``_Solve._possible``)."""

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

    termination: TerminationCondition
    """Converged (the gap closed), the time limit, or proven infeasible."""
    solution: SolutionStatus
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
    cuts_forgotten: int = 0
    """Optimality cuts removed from the master after staying slack (``Master.forget_idle_cuts``)."""
    processes: int = 1
    recourse_solves: int = 0
    """Scenario evaluations that needed a simplex solve; the rest were settled by a known basis."""
    warm_start: WarmCuts | None = None
    """The cuts and the best plan, for a warm start after demand changed (None without a plan)."""
    warm: bool = False
    """Whether the solve started from the cuts of an earlier one."""

    @property
    def status(self) -> SolveStatus:
        return planner_status(self.termination, self.solution)


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
    warm_start: WarmCuts | None = None,
    options: SolveOptions | None = None,
    remote: Sequence[Channel] | None = None,
) -> DecompositionResult:
    """Solve the two-stage LP by the trust-region L-shaped method.

    Stops when the relative gap between the best plan's exact expected cost and the lower bound
    is at most ``gap`` (converged: "optimal"), or at ``time_limit`` seconds ("stopped with plan" with the
    best plan and both bounds, or "stopped without plan" if no plan works in every scenario yet).
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
    ``warm_start``: the cuts of an earlier solve (``DecompositionResult.warm_start``); when they fit the
    program (the same structure, demand may differ) the solve starts from them and from that solve's
    best plan instead (see ``warm_cuts.py``).
    ``options``: the HiGHS settings of every HiGHS instance the method makes (threads, the LP algorithm of
    the starting sample, HiGHS options by name; the time limit is ``time_limit``, kept over the whole method).
    ``remote``: channels to processes that each evaluate a batch of scenarios (MPI ranks, ``mpi.py``), in
    place of this machine's worker processes.
    """
    if program.is_mip:
        raise NotImplementedError("the decomposition solves the LP: whole units are not supported yet "
                                  "(solve the extensive form, or relax integrality)")
    if not gap >= 0:
        raise ValueError(f"gap must be a non-negative relative gap, not {gap}")
    solve = _Solve.begin(program, gap=gap, time_limit=time_limit, threads=threads, groups=groups,
                         reuse_bases=reuse_bases, warm_start=warm_start, remote=remote, options=options)
    try:
        ended = solve.first_plan(start_sample)
        while ended is None:
            evaluation, gradient = solve.evaluate()
            solve.learn(evaluation, gradient)
            step, bound = solve.next_plans()
            ended = solve.conclude(step, bound, progress)
            if ended is None:
                solve.move(step, bound)
    except BaseException:
        solve.evaluator.abandon()
        raise
    solve.evaluator.settle()  # a solve that ended before evaluating (no starting plan) leaves its workers ready
    return ended


@dataclass
class _Solve:
    """One decomposition solve as it goes: the master, the scenarios' evaluator, both bounds, the best
    plan so far and the plan to evaluate next (``x``, with the master's ``predicted`` cost for it)."""

    program: TwoStageProgram
    gap: float
    started: float
    deadline: float | None
    constant: float
    group_of: np.ndarray
    master: Master
    T: sp.csr_array
    T_support: sp.csc_array
    leaves: WarmCuts | None
    """The warm start this solve leaves for the next one: its cuts, recorded as they are made."""
    evaluator: ScenarioEvaluator
    warm_start: WarmCuts | None
    timings: dict[str, float]
    options: SolveOptions
    """The HiGHS settings of every HiGHS instance (the time limit is the solve's own ``deadline``)."""
    lower: float = -np.inf
    upper: float = np.inf
    best_x: np.ndarray | None = None
    best_y: np.ndarray | None = None
    history: list[tuple[float, float, float]] = field(default_factory=list)
    iteration: int = 0
    recourse_solves: int = 0
    region: _TrustRegion | None = None
    start: np.ndarray | None = None
    """A sample's repaired plan the solve starts from (None: the expected-value plan or an earlier solve's)."""
    start_evaluation: Evaluation | None = None
    first_radius: float = 0.1
    start_radius: float | None = None
    near_optimum: bool = False
    x: np.ndarray | None = None
    predicted: float | None = None

    @classmethod
    def begin(cls, program: TwoStageProgram, *, gap: float, time_limit: float | None, threads: int | None,
              groups: int | None, reuse_bases: bool, warm_start: WarmCuts | None,
              remote: Sequence[Channel] | None, options: SolveOptions | None) -> _Solve:
        """The master and the evaluator set up; no plan yet."""
        started = time.perf_counter()
        options = dataclasses.replace(options or SolveOptions(), time_limit=None)
        S = program.num_scenarios
        if warm_start is not None and (warm_start.plan is None or not warm_start.fits(program)):
            warm_start = None
        group_of = warm_start.groups if warm_start is not None else scenario_groups(
            program, groups if groups is not None else default_groups(S))
        master = Master(program, group_of, options)
        T = sp.csr_array(program.T)
        evaluator = ScenarioEvaluator(program, processes_for(program, threads), reuse_bases=reuse_bases,
                                      remote=remote, options=options)
        return cls(program=program, gap=gap, started=started,
                   deadline=None if time_limit is None else started + time_limit,
                   constant=program.offset + float(program.probabilities @ program.scenario_offset),
                   group_of=group_of, master=master, T=T, T_support=sp.csc_array(T[:, master.support]),
                   leaves=WarmCuts.begin(program, group_of), evaluator=evaluator, warm_start=warm_start,
                   timings={"setup": time.perf_counter() - started, "master": 0.0, "scenarios": 0.0},
                   options=options)

    def remaining(self) -> float | None:
        return None if self.deadline is None else max(1e-3, self.deadline - time.perf_counter())

    def result(self, termination: TerminationCondition, message: str) -> DecompositionResult:
        """The outcome as it stands, with its certificate: the best plan, unless no plan can work."""
        best_x, master, leaves = self.best_x, self.master, self.leaves
        has_plan = best_x is not None and termination is not TC.INFEASIBLE
        solution = (SolutionStatus.OPTIMAL if termination is TC.CONVERGED else SolutionStatus.FEASIBLE) if has_plan \
            else SolutionStatus.NO_SOLUTION
        lower_total, upper_total = self.lower + self.constant, self.upper + self.constant
        self.timings["total"] = time.perf_counter() - self.started
        if leaves is not None and has_plan and best_x is not None:
            leaves.plan, leaves.inside = best_x, list(master.scenarios_inside)
            leaves.keep_near(best_x[master.support], KEEP_TOLERANCE)
            leaves.radius = self.region.radius if self.region is not None else leaves.radius
        return DecompositionResult(
            termination=termination, solution=solution, x=best_x if has_plan else None,
            y=self.best_y if has_plan else None,
            lower_bound=lower_total if termination is not TC.INFEASIBLE else np.inf,
            upper_bound=upper_total if has_plan else np.inf,
            gap=relative_gap(lower_total, upper_total) if has_plan else np.inf,
            iterations=self.iteration, history=self.history, timings=self.timings, message=message,
            cuts=master.num_cuts, cuts_forgotten=master.num_forgotten, processes=self.evaluator.processes,
            recourse_solves=self.recourse_solves,
            warm_start=leaves if has_plan else None, warm=self.warm_start is not None)

    def first_plan(self, start_sample: int | None) -> DecompositionResult | None:
        """The plan to start from: an earlier solve's (``warm_start``), else a sample's (``start.py``;
        none: the expected-value plan), with the first trust-region radius; the outcome if the solve
        ends here (no plan even for the mean scenario, or the time is up)."""
        warm_start, master, program = self.warm_start, self.master, self.program
        if warm_start is not None and warm_start.plan is not None:
            _replay(warm_start, program, master, self.T_support, self.leaves)
            self.x, self.predicted, self.start_radius = warm_start.plan, None, warm_start.radius
            self.near_optimum = True
            return None
        S = program.num_scenarios
        sample = sample_start.default_sample(S) if start_sample is None else start_sample
        if sample:
            tick = time.perf_counter()
            repaired = sample_start.repaired_sample_plan(program, self.evaluator, self.T_support, master.support,
                                                         sample, deadline=self.deadline, options=self.options)
            if repaired is not None:
                for cuts in repaired.cuts:
                    master.add_feasibility_cuts(cuts.gradient, cuts.rhs)
                self.start, self.start_evaluation = repaired.x, repaired.evaluation
                self.first_radius = sample_start.RADIUS
            self.timings["start"] = time.perf_counter() - tick
            xlplan_progress.phase("solving by decomposition (L-shaped), from the starting plan")
        tick = time.perf_counter()
        first = master.solve(time_limit=self.remaining())  # the expected-value problem: Jensen's bound
        self.timings["master"] += time.perf_counter() - tick
        if first.status is TC.INFEASIBLE:
            return self.result(TC.INFEASIBLE, "no plan satisfies the rules even for the mean scenario")
        if first.status is TC.TIME_LIMIT:
            return self.result(TC.TIME_LIMIT, "the time limit was reached before any plan was found")
        assert first.x is not None  # a master that is neither infeasible nor stopped has its plan
        self.lower, self.x, self.predicted = first.value, first.x, None
        if self.start is not None:
            self.x = self.start
        self.near_optimum = self.start is not None
        return None

    def evaluate(self) -> tuple[Evaluation, np.ndarray]:
        """The plan ``x`` on every scenario, and each scenario's subgradient on the master's columns."""
        self.iteration += 1
        tick = time.perf_counter()
        assert self.x is not None
        program = self.program
        if self.start_evaluation is not None and self.x is self.start:
            evaluation, self.start_evaluation = self.start_evaluation, None
        else:
            evaluation = self.evaluator.evaluate(self.T @ self.x)
        self.recourse_solves += evaluation.solved_by_highs
        scaled = evaluation.dual if program.t_scale is None else evaluation.dual * program.t_scale
        gradient = -(self.T_support.T @ scaled.T).T  # (S, support columns): subgradients of Q_s
        self.timings["scenarios"] += time.perf_counter() - tick
        return evaluation, gradient

    def learn(self, evaluation: Evaluation, gradient: np.ndarray) -> None:
        """What the evaluation teaches: a better plan (and the trust region's move), or feasibility cuts
        and a scenario copied into the master; optimality cuts for the groups fully evaluated."""
        tick = time.perf_counter()
        program, master, leaves, x = self.program, self.master, self.leaves, self.x
        assert x is not None
        feasible = evaluation.feasible
        if feasible.all():
            value = float(program.c1 @ x + program.probabilities @ evaluation.value)
            if value < self.upper:
                self.upper, self.best_x, self.best_y = value, x, evaluation.y
            if self.region is None:
                self.region = _TrustRegion(x, value, master.support, self.first_radius, self.start_radius)
            elif self.predicted is not None:
                self.region.step(x, value, self.predicted)
        else:
            Tx = self.T @ x
            cuts = shared_feasibility_cuts(program, self.T_support, evaluation.violation_dual[~feasible], Tx)
            master.add_feasibility_cuts(cuts.gradient, cuts.rhs)
            if leaves is not None:
                leaves.record_feasibility(evaluation.violation_dual[~feasible], Tx)
            if len(master.scenarios_inside) < SCENARIOS_INSIDE:
                worst = int(np.argmax(np.where(feasible, -np.inf, evaluation.violation)))
                master.add_scenario(worst)
        complete = np.bincount(self.group_of, weights=~feasible, minlength=master.G) == 0
        if complete.any():
            made = master.add_optimality_cuts(x, evaluation.value, gradient, complete)
            if leaves is not None:
                leaves.record_optimality(made, evaluation.dual)
        self.timings["master"] += time.perf_counter() - tick

    def next_plans(self) -> tuple[MasterSolution | None, MasterSolution | None]:
        """The next plan (``step``): the model's minimum within the trust region, or a plain
        cutting-plane step while no plan has a recourse everywhere; and, when needed, the model's
        minimum without the box (``bound``), a lower bound.

        The step's value is a lower bound if the box does not bind; otherwise the model is minimised
        without the box for the bound, unless even the box's minimum is too far below the best plan
        for the gap to close now (the unboxed one is lower still), which saves most of those solves.
        From a sample's plan (or an earlier solve's) the bound master is solved every time: the
        steps' values are near the best plan's from the start, so the bound would otherwise be solved
        once at the end from a basis thousands of cuts old (measured at 12 x 52 x 1,000: 16.9 s for
        that one solve, 9.9 s for all 24 when kept warm); the two are then solved at the same time."""
        tick = time.perf_counter()
        master, region, start, upper = self.master, self.region, self.start, self.upper
        step = None
        if region is not None and self.near_optimum and master.can_solve_both_at_once():
            both = self._both_at_once(region)
            self.timings["master"] += time.perf_counter() - tick
            return both
        if region is not None:
            step = master.solve(region.center, region.radius, time_limit=self.remaining())
        elif start is not None:  # no plan with a recourse everywhere yet: stay near the start
            step = master.solve(start, self.first_radius * float(np.max(np.abs(start[master.support]), initial=1.0)),
                                time_limit=self.remaining())
            if step.status is not TC.CONVERGED:
                step = None
        bound: MasterSolution | None = None
        if step is not None and step.status is TC.CONVERGED and step.is_bound:
            bound = step
        elif not (step is not None and step.status is TC.CONVERGED
                  and upper - step.value > self.gap * max(1.0, abs(upper + self.constant))) or self.near_optimum:
            bound = master.solve(time_limit=self.remaining())
        if bound is not None and not self._possible(step, bound):
            bound = self._bound_again(step, bound)
        self.timings["master"] += time.perf_counter() - tick
        return step, bound

    def _both_at_once(self, region: _TrustRegion) -> tuple[MasterSolution, MasterSolution]:
        """The step and the bound solved at the same time (``Master.solve_both``); the better of the two
        bounds where the box does not bind."""
        step, unboxed = self.master.solve_both(region.center, region.radius, time_limit=self.remaining())
        bound = unboxed
        if step.status is TC.CONVERGED and step.is_bound and not (
                unboxed.status is TC.CONVERGED and unboxed.value > step.value):
            bound = step
        if not self._possible(step, bound):
            bound = self._bound_again(step, bound)
        return step, bound

    def _possible(self, step: MasterSolution | None, bound: MasterSolution | None) -> bool:
        """Whether the master's minimum ``bound`` can be right: it cannot lie above the best plan's exact
        cost, nor above the master's own minimum within the box (the same cuts, fewer plans), by more
        than round-off. HiGHS has called a warm re-solve optimal at a value above both (12 x 52 x 1,000:
        8,949,959 with a plan costing 8,949,881 known and 8,949,780 the minimum within the box); taken as
        the bound, that would certify a plan that is not optimal."""
        if bound is None or bound.status is not TC.CONVERGED:
            return True
        ceiling = self.upper
        if step is not None and step is not bound and step.status is TC.CONVERGED:
            ceiling = min(ceiling, step.value)
        return bound.value <= ceiling + ROUND_OFF * max(1.0, abs(ceiling + self.constant))

    def _bound_again(self, step: MasterSolution | None, impossible: MasterSolution) -> MasterSolution:
        """The minimum without the box solved again, from its basis with a new factorisation and then
        afresh; if no answer can be right, the ``impossible`` one marked as no bound (the lower bound stays
        where it was; its plan may still be the next to evaluate). Only a minimum is taken from a re-solve
        (or the time limit): a re-solve that called the master infeasible would contradict the first."""
        for afresh in (False, True):
            bound = self.master.solve_bound_again(time_limit=self.remaining(), afresh=afresh)
            if bound.status is TC.TIME_LIMIT or (bound.status is TC.CONVERGED and self._possible(step, bound)):
                return bound
        return dataclasses.replace(impossible, is_bound=False)

    def conclude(self, step: MasterSolution | None, bound: MasterSolution | None,
                 progress: Progress | None) -> DecompositionResult | None:
        """The lower bound raised, the iteration recorded and reported; the outcome if the solve ends:
        the gap closed, no plan possible, or the time is up."""
        if bound is not None and bound.status is TC.INFEASIBLE:
            return self.result(TC.INFEASIBLE, "no plan satisfies the rules in every scenario: the feasibility cuts "
                                           "exclude every plan")
        if bound is not None and bound.status is TC.CONVERGED and bound.is_bound:
            # the master's tolerances may put its minimum a hair above the best plan's exact cost
            self.lower = min(max(self.lower, bound.value), self.upper)
        seconds = time.perf_counter() - self.started
        lower, upper = self.lower + self.constant, self.upper + self.constant
        self.history.append((seconds, lower, upper))
        if progress is not None:
            progress(self.iteration, seconds, lower, upper)
        reached = relative_gap(lower, upper)
        if reached <= self.gap:
            return self.result(TC.CONVERGED, f"optimal: the relative gap is {reached:.1e}")
        stopped = any(solution is not None and solution.status is TC.TIME_LIMIT for solution in (step, bound))
        if self.deadline is not None and time.perf_counter() >= self.deadline or stopped:
            if self.best_x is None:
                return self.result(TC.TIME_LIMIT, "the time limit was reached before a plan worked in every scenario")
            return self.result(TC.TIME_LIMIT, "the time limit was reached; the best plan is returned with its gap")
        return None

    def move(self, step: MasterSolution | None, bound: MasterSolution | None) -> None:
        """On to the next plan: the step's, or the bound's where there is no step; the master's idle cuts
        forgotten."""
        self.master.forget_idle_cuts()
        if step is not None and step.status is TC.CONVERGED and step.x is not None:
            self.x, self.predicted = step.x, step.value
        else:
            assert bound is not None and bound.x is not None
            self.x, self.predicted = bound.x, None


def _replay(warm_start: WarmCuts, program: TwoStageProgram, master: Master, T_support: sp.csc_array,
            leaves: WarmCuts | None) -> None:
    """Put an earlier solve's cuts, moved to ``program``'s demand, into the master (and into ``leaves``,
    which records them against this demand for the next what-if)."""
    assert warm_start.plan is not None
    at_plan = warm_start.plan[master.support]
    for cuts, duals in warm_start.moved(program, master.weight):
        # the cuts made at the plan the solve starts from go in; the others wait until needed
        if np.array_equal(cuts.x_support, at_plan):
            master.add_group_cuts(cuts)
        else:
            master.add_to_pool(cuts)
        if leaves is not None:
            leaves.keep(cuts, duals)
    for duals, Tx in warm_start.feasibility:
        feasibility = shared_feasibility_cuts(program, T_support, duals, Tx)
        master.add_feasibility_cuts(feasibility.gradient, feasibility.rhs)
        if leaves is not None:
            leaves.record_feasibility(duals, Tx)
    for s in warm_start.inside:
        master.add_scenario(s)
