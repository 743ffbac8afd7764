"""A starting plan for the decomposition: the extensive form on a small sample of the scenarios.

The expected-value plan (the master's first minimum) is far from the optimum when products share
a warehouse and demand is uncertain: it plans for the mean, breaks the backorder cap in the
high-demand scenarios and needs many feasibility cuts and trust-region steps to recover. The
extensive form on a few dozen scenarios spread over the demand range costs little (its LP is a
few percent of the full one) and its plan already hedges: it is close to the optimum. Its
bound is not used (a sample's optimum bounds nothing); the method's own cuts make the bound.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field, replace

import highspy
import numpy as np
import scipy.sparse as sp

from xlplan.solver.compile import TwoStageProgram, extensive_form
from xlplan.solver.decomposition.cuts import FeasibilityCuts, shared_feasibility_cuts
from xlplan.solver.decomposition.parallel import ScenarioEvaluator
from xlplan.solver.decomposition.recourse import Evaluation
from xlplan.solver.highs_direct import new_highs, pass_model
from xlplan.solver.options import SolveOptions

MS = highspy.HighsModelStatus


def demand_order(program: TwoStageProgram) -> np.ndarray:
    """The scenarios from the least to the most demand (by the sum of their finite row bounds)."""
    lower = np.where(np.isfinite(program.row2_lower), program.row2_lower, 0.0)
    upper = np.where(np.isfinite(program.row2_upper), program.row2_upper, 0.0)
    return np.argsort((lower + upper).sum(axis=1), kind="stable")


def sample_program(program: TwoStageProgram, count: int) -> TwoStageProgram:
    """The program on ``count`` scenarios that stand for the rest: the scenarios ordered by demand
    are split into ``count`` strata of consecutive ones; each stratum is represented by its member
    of highest demand (hedging towards the scenarios that need more stock: those are the ones a
    plan for the mean fails), with the stratum's total probability."""
    order = demand_order(program)
    strata = np.array_split(order, count)
    chosen = np.array([stratum[-1] for stratum in strata])
    weight = np.array([program.probabilities[stratum].sum() for stratum in strata])
    return replace(
        program,
        t_scale=None if program.t_scale is None else program.t_scale[chosen],
        row2_lower=program.row2_lower[chosen], row2_upper=program.row2_upper[chosen],
        probabilities=weight, scenario_offset=program.scenario_offset[chosen],
        scenarios=tuple(program.scenarios[i] for i in chosen))


def sample_plan(program: TwoStageProgram, count: int, time_limit: float | None = None) -> np.ndarray | None:
    """The stage-1 plan that is optimal for the extensive form on a sample of ``count`` scenarios
    (:func:`sample_program`); None if HiGHS finds none in time (the caller starts elsewhere)."""
    sample = extensive_form(sample_program(program, count))
    highs = new_highs(SolveOptions(), is_mip=False)
    if time_limit is not None:
        highs.setOptionValue("time_limit", float(time_limit))
    pass_model(highs, sample, relax_integrality=True)
    highs.run()
    if highs.getModelStatus() != MS.kOptimal:
        return None
    return np.asarray(highs.getSolution().col_value)[:program.c1.size]


@dataclass
class Start:
    """A plan to start from, and the feasibility cuts found while making it work in every scenario."""

    x: np.ndarray
    cuts: list[FeasibilityCuts] = field(default_factory=list)
    evaluation: Evaluation | None = None
    """The plan's evaluation on every scenario, when it has a recourse in all of them."""
    rounds: int = 0


def repaired_sample_plan(program: TwoStageProgram, evaluator: ScenarioEvaluator, T_support: sp.csc_array,
                         support: np.ndarray, count: int, max_rounds: int = 20,
                         deadline: float | None = None) -> Start | None:
    """The plan of the sample's extensive form (:func:`sample_program`), made to work in every scenario:
    while some scenario has no recourse at the plan, the feasibility cuts its phase-one duals give
    (valid for every plan, ``cuts.py``) are added to the sample's extensive form, which is re-solved
    warm. None if the sample has no optimal plan (the caller starts from the master instead)."""
    sample = extensive_form(sample_program(program, count))
    highs = new_highs(SolveOptions(), is_mip=False)
    pass_model(highs, sample, relax_integrality=True)
    T = sp.csr_array(program.T)
    start: Start | None = None
    for rounds in range(max_rounds + 1):
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
        if not cuts.rhs.size:
            return start
        start.cuts.append(cuts)
        k = cuts.rhs.size
        highs.addRows(k, np.full(k, -np.inf), cuts.rhs, k * support.size,
                      (support.size * np.arange(k)).astype(np.int32),
                      np.tile(support, k).astype(np.int32), cuts.gradient.ravel())
    return start
