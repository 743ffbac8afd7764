"""Rolling-horizon re-planning: test a plan policy the way a planner uses it, week after week.

Every replication draws one actual world (demand, and the hours and availability that decide what
the planned hours make) with the simulator's own draws. Then, at periods 0, k, 2k, ...:

1. what has been executed stays executed: the stock on hand, the units owed and the workforce carry
   over from the last executed period;
2. the policy plans the window of the next w periods (to the end of the horizon when w is blank)
   from that state, knowing only the forecast: the periods it has seen are over, and it never sees
   the demand still to come. The first f periods of the window keep the previous plan (frozen);
3. the first k periods of that plan are executed with the simulator's rules: what is made is the
   plan capped by what the hours actually make, what is owed is served first, shortages are owed
   up to the backorder limit and lost beyond it, stock goes to the regular warehouse and then to
   overflow.

Policies:

deterministic   the expected-value plan of the window (demand as forecast)
buffered        the deterministic plan for demand x b and hours per unit x b (b: a setting, or the
                buffer search's best factor on the whole horizon, as ``compare`` finds it)
stochastic      the two-stage plan of the window over scenarios the planner samples from the forecast
                (the workbook's own scenarios, cut to the window, when demand is empirical and there is
                no process noise); the sample depends on the seed and the re-planning point only

Every policy meets the same worlds (common random numbers), and is also run once without
re-planning (its plan of period 0, executed to the end), so that the value of re-planning shows.

Windows are solved as LPs by default, even when the workbook asks for whole units: a whole-unit
window is a MIP that can take seconds, and a study makes hundreds of solves. Re-planning points at
which every replication stands in the same state (period 0; worlds without noise) are solved once.
"""

from __future__ import annotations

import dataclasses
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from xlplan import cancel
from xlplan.analysis.buffer import BufferSearch, buffer_search
from xlplan.analysis.scenarios import sample_problem
from xlplan.analysis.value import AnalysisError
from xlplan.model import Formulation
from xlplan.model.declarations import ModelPart, Rule
from xlplan.model.formulation import formulation_for
from xlplan.problem import PlanningProblem, Settings
from xlplan.problem.numbers import finite_or_none
from xlplan.simulation import DemandModel, ProcessNoise, SimulationResult, SimulationSummary, nothing_to_sample
from xlplan.simulation.simulator import State, draws, execute, simulation_result
from xlplan.solver import SolveOptions, SolveStatus, solve_problem

POLICIES: tuple[str, ...] = ("deterministic", "buffered", "stochastic")
Plan = Mapping[str, np.ndarray]


@dataclass(frozen=True)
class RollingSettings:
    """How the rolling study runs (the Uncertainty sheet's rolling settings)."""

    replications: int = 30
    seed: int = 2026
    replan_every: int = 1
    """k: periods executed between re-plans."""
    window: int | None = None
    """w: periods each plan looks ahead; None: to the end of the horizon."""
    frozen: int = 0
    """f: the first periods of a new window that keep the previous plan."""
    policies: tuple[str, ...] = POLICIES
    buffer_factor: float | None = None
    """The buffered policy's factor; None: the buffer search's best."""
    scenarios: int = 30
    """Scenarios the stochastic policy samples at each re-planning point (unless demand is empirical
    without process noise: then the workbook's own)."""
    whole_units: bool = False
    """Solve windows with whole units when the workbook asks for them (a MIP each: slow)."""
    confidence: float = 0.95
    target_service: float = 0.95
    buffer_from: float = 1.0
    buffer_to: float = 1.5
    buffer_step: float = 0.01
    buffer_replications: int = 20_000

    def check(self, periods: int) -> None:
        """ValueError naming every setting that cannot work for a horizon of ``periods``."""
        problems = []
        if not 1 <= self.replan_every <= periods:
            problems.append(f"re-plan every must be between 1 and the {periods} periods, not {self.replan_every}")
        if self.window is not None and not self.replan_every <= self.window:
            problems.append(f"the planning window ({self.window}) must cover the {self.replan_every} period(s) "
                            "executed between re-plans")
        if self.frozen < 0 or (self.window is not None and self.frozen >= self.window):
            problems.append(f"frozen periods ({self.frozen}) must be 0 or more and fewer than the planning window")
        unknown = [p for p in self.policies if p not in POLICIES]
        if unknown or not self.policies:
            problems.append(f"policies must be some of {', '.join(POLICIES)}, not {', '.join(unknown) or 'none'}")
        if self.replications < 1 or self.scenarios < 1:
            problems.append("replications and scenarios must be at least 1")
        if problems:
            raise ValueError("; ".join(problems))


@dataclass(frozen=True)
class PolicyRun:
    """One policy, re-planned along every replication, and its static twin (planned once)."""

    name: str
    description: str
    rolling: SimulationResult
    static: SimulationResult
    """The same policy's plan of period 0 executed to the end without re-planning, in the same worlds."""
    plan_changes: np.ndarray
    """Per replication: sum over re-plans of |production now planned - production planned before| for the
    periods both plans cover (nervousness)."""
    solves: int
    """Solver calls (a re-planning point where every replication stands alike is solved once)."""
    replans: int
    """Plans made: re-planning points x replications."""
    stopped: int
    """Plans that are the best found because a limit stopped their solve."""
    failed: int
    """Re-plans that found no plan; the previous plan was kept."""
    seconds: float
    executed: np.ndarray = field(repr=False)
    """Production executed per replication, product and period (R, P, T): the plan in force then."""
    plans: tuple[tuple[tuple[int, np.ndarray], ...], ...] = field(repr=False, default=())
    """Per replication, every plan made: (first period, production (P, window periods))."""

    @property
    def mean_plan_changes(self) -> float:
        return float(self.plan_changes.mean())


@dataclass(frozen=True)
class RollingStudy:
    policies: tuple[PolicyRun, ...]
    settings: RollingSettings
    buffer: BufferSearch | None
    buffer_factor: float | None
    lp_windows: bool
    """True when windows were solved as LPs although the workbook asks for whole units."""

    @property
    def stopped(self) -> tuple[str, ...]:
        return tuple(f"{p.stopped} of the {p.name} policy's {p.replans} plans" for p in self.policies if p.stopped) \
            + tuple(self.buffer.stopped if self.buffer else ())

    def table(self) -> pd.DataFrame:
        """One row per policy: re-planned profit (mean, SE, P5), fill rate, nervousness, solves, time,
        and the static plan's mean profit and fill rate beside."""
        return pd.DataFrame([{
            "policy": p.name, "mean_profit": p.rolling.summary.mean_profit, "profit_se": p.rolling.summary.profit_se,
            "profit_p5": p.rolling.summary.profit_p5, "fill_rate": p.rolling.summary.fill_rate,
            "plan_changes": p.mean_plan_changes, "solves": p.solves, "replans": p.replans, "stopped": p.stopped,
            "failed": p.failed, "seconds": p.seconds, "static_mean_profit": p.static.summary.mean_profit,
            "static_fill_rate": p.static.summary.fill_rate,
            "value_of_replanning": p.rolling.summary.mean_profit - p.static.summary.mean_profit,
        } for p in self.policies])

    def summary(self) -> dict[str, Any]:
        s = self.settings
        return {
            "policies": [{k: finite_or_none(v) for k, v in row.items()} for row in self.table().to_dict("records")],
            "descriptions": {p.name: p.description for p in self.policies},
            "buffer_factor": self.buffer_factor, "lp_windows": self.lp_windows,
            "stopped_solves": list(self.stopped),
            "settings": {"replications": s.replications, "seed": s.seed, "replan_every": s.replan_every,
                         "planning_window": s.window, "frozen_periods": s.frozen, "scenarios": s.scenarios,
                         "whole_units": s.whole_units, "policies": list(s.policies)},
        }


# ---------------------------------------------------------------------------- the policies
def _window_demand(demand: DemandModel, start: int, stop: int) -> DemandModel:
    paths = demand.paths[:, :, start:stop] if demand.paths.size else demand.paths
    return dataclasses.replace(demand, mean=demand.mean[:, start:stop], paths=paths)


def _sample_seed(seed: int, start: int) -> int:
    """The stochastic policy's own sampling seed at a re-planning point: apart from the worlds' draws."""
    return int(np.random.SeedSequence([seed, 7, start]).generate_state(1)[0])


PolicyProblem = Callable[[PlanningProblem, int, int], PlanningProblem]
"""(window problem, first period, last period + 1) -> the problem the policy solves."""


def _policy(name: str, demand: DemandModel, noise: ProcessNoise, factor: float | None,
            settings: RollingSettings) -> tuple[str, PolicyProblem]:
    if name == "deterministic":
        return "the expected-value plan of each window (demand as forecast)", \
            lambda window, a, b: window.expected_value_problem()
    if name == "buffered":
        assert factor is not None
        return f"the deterministic plan for demand x {factor:.3f} and hours per unit x {factor:.3f}", \
            lambda window, a, b: window.expected_value_problem().buffered(factor, factor)
    own = demand.kind == "empirical" and noise.is_none
    words = ("the two-stage plan over the workbook's scenarios, cut to each window" if own else
             f"the two-stage plan over {settings.scenarios} scenarios sampled from the forecast at each re-plan")

    def stochastic(window: PlanningProblem, a: int, b: int) -> PlanningProblem:
        cut = _window_demand(demand, a, b)
        if own:
            return window.with_scenarios(window.scenarios, cut.paths, cut.path_probabilities)
        return sample_problem(window, cut, settings.scenarios, seed=_sample_seed(settings.seed, a), noise=noise)

    return words, stochastic


def _frozen_part(values: Mapping[str, np.ndarray], window: PlanningProblem, periods: int,
                 formulation: Formulation) -> ModelPart:
    """Rules that pin ``formulation``'s plan inputs in the first ``periods`` periods of ``window`` to ``values``."""
    frozen = set(window.periods[:periods])
    position = {p: i for i, p in enumerate(window.products)}
    rules = []
    for name in (v.name for v in formulation.plan_inputs()):
        def pin(plan: Any, p: str, t: str, name: str = name) -> Any:
            import pyomo.environ as pyo

            if t not in frozen:
                return pyo.Constraint.Skip
            return getattr(plan, name)[p, t] == float(values[name][position[p], window.periods.index(t)])

        pin.__name__ = f"frozen_{name}"
        rules.append(Rule(pin, f"frozen {name.replace('_', ' ')}", gives=False))
    return ModelPart("frozen", rules=tuple(rules))


def _model(settings: Settings, base: Formulation | None) -> Formulation:
    """The model a re-plan solves: ``base`` (the production-planning model if None) with the parts the
    settings ask for."""
    return formulation_for(settings) if base is None else formulation_for(settings, base)


# ---------------------------------------------------------------------------- the loop
def _run_policy(problem: PlanningProblem, plan_for: PolicyProblem, worlds: tuple[np.ndarray, ...],
                settings: RollingSettings, options: SolveOptions, every: int, window: int | None,
                report: Callable[[str], None], name: str, base: Formulation | None) -> dict[str, Any]:
    demand, hours, availability = worlds
    priced = _model(problem.settings, base)
    names = [v.name for v in priced.plan_variables()]
    R, P, T = demand.shape
    state = State.initial(problem, R)
    totals: dict[str, np.ndarray] = {}
    executed = np.zeros((R, P, T))
    changes = np.zeros(R)
    current: list[tuple[int, Plan] | None] = [None] * R
    made: list[list[tuple[int, np.ndarray]]] = [[] for _ in range(R)]
    solves = replans = stopped = failed = 0
    whole = problem.settings.integer_units and settings.whole_units
    for start in range(0, T, every):
        stop = T if window is None else min(T, start + window)
        executed_stop = min(T, start + every)
        cache: dict[bytes, tuple[Plan | None, SolveStatus]] = {}
        segment: dict[str, np.ndarray] = {n: np.zeros((R, P, executed_stop - start)) for n in names}
        for r in range(R):
            cancel.checkpoint()
            initial = [state.stock[:, r], state.owing[:, r], state.workforce[:, r]]
            if whole:
                initial = [np.round(v) for v in initial]
            previous = current[r]
            keep = 0 if previous is None else min(settings.frozen, previous[0] + _length(previous[1]) - start,
                                                  stop - start)
            key = np.concatenate(initial).tobytes() + (b"" if not keep else _slice(previous, start, start + keep))
            if key not in cache:
                window_problem = problem.window(start, stop, initial_inventory=initial[0],
                                                initial_backorders=initial[1], initial_workforce=initial[2])
                planned = plan_for(window_problem, start, stop)
                formulation = _model(planned.settings, base)  # the workbook's risk weight, fill-rate target
                if keep:
                    pinned = {n: v[:, start - previous[0]:] for n, v in previous[1].items()}  # type: ignore[index]
                    formulation = formulation.with_parts(_frozen_part(pinned, window_problem, keep, formulation))
                solution = solve_problem(planned, options, formulation=formulation)
                solves += 1
                cache[key] = (solution.plan, solution.info.status)
            plan, status = cache[key]
            replans += 1
            stopped += status is SolveStatus.STOPPED_WITH_PLAN
            if plan is None:
                if previous is None:
                    raise AnalysisError(f"the {name} policy has no plan for periods {problem.periods[start]} to "
                                        f"{problem.periods[stop - 1]}: {status.value}",
                                        stopped=status is SolveStatus.STOPPED_WITHOUT_PLAN)
                failed += 1
                plan_here = _extend(previous, start, stop)
            else:
                plan_here = {n: np.asarray(plan[n], dtype=float) for n in names}
                if previous is not None:
                    overlap = min(previous[0] + _length(previous[1]), stop) - start
                    before = previous[1]["production"][:, start - previous[0]:start - previous[0] + overlap]
                    changes[r] += np.abs(plan_here["production"][:, :overlap] - before).sum()
            current[r] = (start, plan_here)
            made[r].append((start, plan_here["production"].copy()))
            for n in names:
                segment[n][r] = plan_here[n][:, :executed_stop - start]
        part = problem.window(start, executed_stop)
        cut = (slice(None), slice(None), slice(start, executed_stop))
        got, state = execute(part, priced, segment, demand[cut], hours[cut], availability[cut], state)
        executed[cut] = segment["production"]
        totals = got if not totals else {k: totals[k] + v for k, v in got.items()}
        report(f"{name}: executed periods to {problem.periods[executed_stop - 1]} of {T} "
               f"({solves} solves so far)")
    return {"totals": totals, "changes": changes, "solves": solves, "replans": replans, "stopped": stopped,
            "failed": failed, "executed": executed, "plans": tuple(tuple(m) for m in made)}


def _length(plan: Plan) -> int:
    """How many periods a plan covers."""
    return int(plan["production"].shape[1])


def _slice(previous: tuple[int, Plan] | None, start: int, stop: int) -> bytes:
    assert previous is not None
    first, plan = previous
    return b"".join(plan[n][:, start - first:stop - first].tobytes() for n in sorted(plan))


def _extend(previous: tuple[int, Plan], start: int, stop: int) -> dict[str, np.ndarray]:
    """The previous plan from ``start`` to ``stop``, its last period repeated where it ends earlier."""
    first, plan = previous
    out = {}
    for n in plan:
        values = plan[n][:, start - first:]
        if values.shape[1] == 0:
            values = plan[n][:, -1:]
        missing = stop - start - values.shape[1]
        out[n] = np.concatenate([values, np.repeat(values[:, -1:], missing, axis=1)], axis=1) if missing > 0 \
            else values[:, :stop - start]
    return out


def rolling_study(problem: PlanningProblem, demand: DemandModel, noise: ProcessNoise,
                  settings: RollingSettings | None = None, options: SolveOptions | None = None,
                  progress: Callable[[str], None] | None = None, formulation: Formulation | None = None
                  ) -> RollingStudy:
    """Re-plan every ``replan_every`` periods along ``replications`` worlds, for each policy (see the
    module docstring), and set the policies side by side. Every re-plan solves ``formulation`` (default:
    the production-planning model) with the parts the workbook's settings add (risk weight, fill-rate
    target), and the executed plans are priced by its cost terms.

    Examples
    --------
    >>> from xlplan import reference
    >>> from xlplan.analysis.rolling import RollingSettings, rolling_study
    >>> from xlplan.simulation import DemandModel, ProcessNoise
    >>> problem = reference.factory_physics()
    >>> study = rolling_study(problem, DemandModel.from_problem(problem, "normal", 0.1), ProcessNoise.none(1),
    ...                       RollingSettings(replications=3, replan_every=6, policies=("deterministic",)))
    >>> run = study.policies[0]
    >>> run.name, run.replans, run.rolling.summary.replications
    ('deterministic', 6, 3)
    """
    settings = settings or RollingSettings()
    options = options or SolveOptions()
    base, priced = formulation, _model(problem.settings, formulation)
    T = len(problem.periods)
    settings.check(T)
    report = progress or (lambda line: None)
    lp = problem.settings.integer_units and not settings.whole_units
    if lp:
        options = dataclasses.replace(options, relax_integrality=True)
    worlds = draws(problem, demand, noise, settings.replications, settings.seed)

    buffer, factor = None, settings.buffer_factor
    if "buffered" in settings.policies and factor is None:
        report("buffered: searching the best buffer factor")
        buffer = buffer_search(problem, demand, noise, target_service=settings.target_service,
                               low=settings.buffer_from, high=settings.buffer_to, step=settings.buffer_step,
                               replications=min(settings.buffer_replications, 20_000), seed=settings.seed,
                               options=options, exact=nothing_to_sample(demand, noise))  # Compare's choice
        factor = buffer.best.factor if buffer.best is not None else max(
            buffer.points, key=lambda p: p.summary.fill_rate).factor

    runs = []
    for name in settings.policies:
        description, plan_for = _policy(name, demand, noise, factor, settings)
        started = time.perf_counter()
        rolled = _run_policy(problem, plan_for, worlds, settings, options, settings.replan_every, settings.window,
                             report, name, base)
        seconds = time.perf_counter() - started
        static = _run_policy(problem, plan_for, worlds, settings, options, T, None, lambda line: None, name, base)
        runs.append(PolicyRun(
            name, description, simulation_result(priced, rolled["totals"], settings.confidence),
            simulation_result(priced, static["totals"], settings.confidence), rolled["changes"], rolled["solves"],
            rolled["replans"], rolled["stopped"], rolled["failed"], seconds, rolled["executed"], rolled["plans"]))
    return RollingStudy(tuple(runs), settings, buffer, factor if "buffered" in settings.policies else None, lp)


__all__ = ["POLICIES", "PolicyRun", "RollingSettings", "RollingStudy", "SimulationSummary", "rolling_study"]
