"""A starting plan for the decomposition: the extensive form on a small sample of the scenarios,
made to work in every scenario.

The master's first plan, the expected-value plan, plans for the mean: with many scenarios it breaks
the backorder cap or the warehouse in most of the high-demand ones, and the method spends its first
iterations on feasibility cuts and then many trust-region steps getting from there to the optimum.
The extensive form on a few dozen scenarios spread over the demand range is a few percent of the
full LP and its plan already hedges: at 12 x 52 x 1,000 it is within 5e-5 of the optimum once it
works everywhere. Its optimum bounds nothing (it is a sample's); the method's own cuts make the bound.

The sample's plan is repaired before the method starts: while some scenario has no recourse at it,
the feasibility cuts its phase-one duals give (valid for every plan and every scenario, ``cuts.py``)
and the most violated scenarios' own rules join the sample's extensive form, which is re-solved
warm. The cuts then go into the master too: what was learned is kept.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field, replace

import numpy as np
import scipy.sparse as sp

from xlplan import progress
from xlplan.solver.decomposition.cuts import FeasibilityCuts, shared_feasibility_cuts
from xlplan.solver.decomposition.parallel import ScenarioEvaluator
from xlplan.solver.decomposition.recourse import Evaluation
from xlplan.solver.highs_adapter import new_highs, pass_model
from xlplan.solver.highs_api import highspy
from xlplan.solver.options import SolveOptions
from xlplan.solver.program import TwoStageProgram, extensive_form

MS = highspy.HighsModelStatus

SAMPLE = 30
"""Scenarios in the sample. Measured at 12 x 52 x 1,000 (wall seconds under load 2.3 to 3): 30
scenarios took 4 repair rounds and 23 to 25 iterations after them, 50 took 9 rounds (without
scenarios' rules in the sample) and 19 iterations, 85 s against 75 s in all; 20 took 5 rounds."""
FROM_SCENARIOS = 10 * SAMPLE
"""From this many scenarios the method starts from the sample's plan (below, a sample is no
longer small next to the whole)."""
RADIUS = 0.005
"""The first trust region around the sample's plan, as a share of its largest entry (the
expected-value plan's is 0.1: it is much further from the optimum). At 12 x 52 x 1,000: 0.002 /
0.005 / 0.01 / 0.02 took 26 / 24 / 22 / 23 iterations and 131 / 69 / 80 / 83 s (under load: the
smallest and largest had master solves that HiGHS had to restart)."""
SCENARIOS_INSIDE_PER_ROUND = 5
"""The most violated scenarios whose rules join the sample after each repair round (at 12 x 52 x
1,000: 4 rounds instead of 7, 18.6 s instead of 23.4)."""
MAX_ROUNDS = 20


def default_sample(scenarios: int) -> int:
    """How many scenarios the starting plan is optimised on (0: start from the expected-value plan)."""
    return SAMPLE if scenarios >= FROM_SCENARIOS else 0


def demand_order(program: TwoStageProgram) -> np.ndarray:
    """The scenarios from the least to the most demand (by the sum of their finite row bounds)."""
    lower = np.where(np.isfinite(program.row2_lower), program.row2_lower, 0.0)
    upper = np.where(np.isfinite(program.row2_upper), program.row2_upper, 0.0)
    return np.argsort((lower + upper).sum(axis=1), kind="stable")


def sample_program(program: TwoStageProgram, count: int) -> TwoStageProgram:
    """The program on ``count`` scenarios that stand for the rest: the scenarios ordered by demand
    are split into ``count`` strata of consecutive ones; each is represented by its member of
    highest demand (hedging towards the scenarios a plan for the mean fails), with the stratum's
    total probability."""
    strata = np.array_split(demand_order(program), min(count, program.num_scenarios))
    chosen = np.array([stratum[-1] for stratum in strata])
    return replace(
        program,
        t_scale=None if program.t_scale is None else program.t_scale[chosen],
        row2_lower=program.row2_lower[chosen], row2_upper=program.row2_upper[chosen],
        probabilities=np.array([program.probabilities[stratum].sum() for stratum in strata]),
        scenario_offset=program.scenario_offset[chosen],
        scenarios=tuple(program.scenarios[i] for i in chosen))


@dataclass
class Start:
    """A plan to start from, and the feasibility cuts found while making it work in every scenario."""

    x: np.ndarray
    cuts: list[FeasibilityCuts] = field(default_factory=list)
    evaluation: Evaluation | None = None
    """The plan's evaluation on every scenario, when it has a recourse in all of them (else None)."""
    rounds: int = 0


def repaired_sample_plan(program: TwoStageProgram, evaluator: ScenarioEvaluator, T_support: sp.csc_array,
                         support: np.ndarray, count: int, deadline: float | None = None,
                         options: SolveOptions | None = None) -> Start | None:
    """The plan of the sample's extensive form (:func:`sample_program`), repaired until it has a
    recourse in every scenario (or MAX_ROUNDS or the ``deadline`` pass; then ``evaluation`` is None).
    None if the sample's extensive form has no optimal plan (infeasible, or out of time): the caller
    starts from the master instead, which tells an infeasible problem apart with its own cuts."""
    if program.couples_scenarios:
        return None  # a sample's extensive form would drop the rules on an expectation
    progress.phase(f"decomposition: a starting plan from {count} of the {program.num_scenarios:,} scenarios")
    highs = new_highs(options or SolveOptions(), is_mip=False)  # the LP algorithm asked for solves the sample
    pass_model(highs, extensive_form(sample_program(program, count)), relax_integrality=True)
    T = sp.csr_array(program.T)
    start: Start | None = None
    for rounds in range(MAX_ROUNDS + 1):
        if rounds:
            progress.phase(f"decomposition: making the starting plan work in every scenario (round {rounds})")
        else:  # the sample's solve is the start's longest step: not to be shown as the building before it
            progress.phase(f"decomposition: solving the starting plan's {count} scenarios together")
        if deadline is not None:
            highs.setOptionValue("time_limit", max(1e-3, deadline - time.perf_counter()))
        highs.run()
        if highs.getModelStatus() != MS.kOptimal:
            return start
        x = np.asarray(highs.getSolution().col_value)[:program.c1.size]
        start = Start(x, start.cuts if start is not None else [], None, rounds)
        Tx = T @ x
        evaluation = evaluator.evaluate(Tx)
        if evaluation.feasible.all():
            start.evaluation = evaluation
            return start
        if deadline is not None and time.perf_counter() >= deadline:
            return start
        cuts = shared_feasibility_cuts(program, T_support, evaluation.violation_dual[~evaluation.feasible], Tx)
        start.cuts.append(cuts)
        k = cuts.rhs.size
        starts = (support.size * np.arange(k)).astype(np.int32)
        highs.addRows(k, np.full(k, -np.inf), cuts.rhs, k * support.size, starts, np.tile(support, k).astype(np.int32),
                      cuts.gradient.ravel())
        violation = np.where(evaluation.feasible, -np.inf, evaluation.violation)
        for s in np.argsort(-violation)[:SCENARIOS_INSIDE_PER_ROUND]:
            if not evaluation.feasible[s]:
                _add_scenario_rules(highs, program, int(s))
    return start


def _add_scenario_rules(highs: highspy.Highs, program: TwoStageProgram, s: int) -> None:
    """Scenario s's rules, T_s x + W y_s within its bounds, with a recourse of its own at no cost."""
    n1, n2 = program.c1.size, program.c2.size
    first = highs.getNumCol()
    highs.addCols(n2, np.zeros(n2), program.y_lower, program.y_upper, 0, np.zeros(0, dtype=np.int32),
                  np.zeros(0, dtype=np.int32), np.zeros(0))
    block = sp.hstack([program.T_of(s), sp.csr_array((program.W.shape[0], first - n1)), program.W], format="csr")
    highs.addRows(block.shape[0], program.row2_lower[s], program.row2_upper[s], block.nnz,
                  block.indptr[:-1].astype(np.int32), block.indices.astype(np.int32), block.data)
