"""The extensive form solved whole by HiGHS: the compiled matrices handed over, warm from an earlier basis
when one fits, and the outcome read back."""

from __future__ import annotations

import time

import numpy as np

from xlplan import progress
from xlplan.solver.digest import matrix_digest
from xlplan.solver.highs_adapter import MS, new_highs, pass_model, read_outcome, release_threads, run
from xlplan.solver.options import SolveOptions
from xlplan.solver.program import MatrixModel
from xlplan.solver.status import SolutionStatus, SolverOutcome, SolveStatus, TerminationCondition
from xlplan.solver.warm import WarmBasis, basis_of, start_from

WARM_PRICING = "simplex_dual_edge_weight_strategy"
"""Set to devex (1) for a warm start: dual steepest edge first computes its weights for the whole basis,
which after one demand cell changed costs more than the few iterations left (measured at 1,000
scenarios, 53 iterations: 1.8 s with steepest edge, 0.8 s with devex)."""


def solve_matrix_model(model: MatrixModel, options: SolveOptions, *, whole_units: bool,
                       warm_start: WarmBasis | None = None) -> SolverOutcome:
    """Solve the compiled extensive form with HiGHS, as a MIP in ``whole_units`` (else its LP relaxation; an
    LP from ``warm_start``'s basis when it fits)."""
    is_mip = whole_units
    started = time.perf_counter()
    highs = new_highs(options, is_mip)
    pass_model(highs, model, relax_integrality=not is_mip)
    matrix = None if is_mip else matrix_digest(model.matrix)
    warm = not is_mip and warm_start is not None and warm_start.fits(model) and start_from(highs, warm_start, matrix)
    if warm and WARM_PRICING not in options.highs_options:
        highs.setOptionValue(WARM_PRICING, 1)
    handed = time.perf_counter()
    progress.phase(("solving the MIP" if is_mip else "solving the LP") + (" (HiGHS, warm)" if warm else " (HiGHS)"))
    history = run(highs, is_mip=is_mip)
    solved = time.perf_counter()
    outcome = read_outcome(highs, is_mip)
    outcome.history = history
    if not is_mip and outcome.status is SolveStatus.OPTIMAL:
        outcome.warm_start = basis_of(highs, matrix)
    if outcome.termination is TerminationCondition.INFEASIBLE_OR_UNBOUNDED:
        outcome = _disambiguate(model, options, outcome, is_mip)
    outcome.timings = {"hand_over": handed - started, "solve": solved - handed,
                       "extract": time.perf_counter() - solved}
    return outcome


def _disambiguate(model: MatrixModel, options: SolveOptions, outcome: SolverOutcome, is_mip: bool) -> SolverOutcome:
    """HiGHS's presolve may only say "unbounded or infeasible": a zero-cost solve tells which."""
    probe = new_highs(options, is_mip)
    pass_model(probe, model, relax_integrality=not is_mip)
    probe.changeColsCost(model.num_cols, np.arange(model.num_cols, dtype=np.int32),
                         np.zeros(model.num_cols))
    probe.run()
    release_threads()
    feasible = probe.getModelStatus() == MS.kOptimal
    outcome.settle(TerminationCondition.UNBOUNDED if feasible else TerminationCondition.INFEASIBLE,
                   SolutionStatus.NO_SOLUTION)
    return outcome
