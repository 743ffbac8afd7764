"""Feasibility cuts shared across scenarios.

When scenario s has no recourse at x_k, the phase-one problem

    F_s(x) = min 1(e+ + e-)   s.t.  row2_lower[s] - T_s x <= W y + e+ - e- <= row2_upper[s] - T_s x,
                                    y_lower <= y <= y_upper, e+, e- >= 0

has F_s(x_k) > 0 and row duals lambda. Every scenario's phase-one problem has the same matrix and
costs, so lambda is dual feasible for all of them and weak duality bounds each from below:

    F_s'(x) >= D_s'(lambda, x) = sum_i lambda_i (bound_i(s') - (T_s' x)_i) + sum_j d_j ybound_j

with bound_i(s') the lower row bound where lambda_i > 0 and the upper one where lambda_i < 0, and
d = -W' lambda the reduced costs of y. A plan with a recourse in s' has F_s'(x) = 0, hence the cut
D_s'(lambda, x) <= 0, for every s', from one phase-one solve. Without capacity scenarios all these
cuts share their slope, so only the strongest (largest intercept) is kept; with them the most
violated few are.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp

from xlplan.solver.compile import TwoStageProgram

TINY = 1e-9
SHARED_PER_VERTEX = 3
"""With capacity scenarios (slopes differ by scenario), cuts kept per phase-one dual vertex."""


@dataclass(frozen=True)
class FeasibilityCuts:
    """Cuts gradient @ x[support] <= rhs."""

    gradient: np.ndarray
    rhs: np.ndarray


def shared_feasibility_cuts(program: TwoStageProgram, T_support: sp.csc_array, duals: np.ndarray,
                            Tx: np.ndarray) -> FeasibilityCuts:
    """The cuts the phase-one duals ``duals`` (one row per infeasible scenario) give for all
    scenarios: per dual vertex the strongest one (or the most violated few at the plan whose T x is
    ``Tx``)."""
    lower = program.row2_lower
    upper = program.row2_upper
    gradients, rhs = [], []
    for lam in np.unique(np.round(duals, 12), axis=0):
        lam = np.clip(lam, -1.0, 1.0)
        lam[np.abs(lam) < TINY] = 0.0
        # a row bound that is infinite cannot carry a dual of that sign (the same in every scenario)
        lam[(lam > 0) & ~np.isfinite(lower[0])] = 0.0
        lam[(lam < 0) & ~np.isfinite(upper[0])] = 0.0
        d = -(program.W.T @ lam)
        y_bound = np.where(d > 0, program.y_lower, program.y_upper)
        useful = np.abs(d) > TINY
        if not np.isfinite(y_bound[useful]).all():
            continue  # not dual feasible after cleaning: no cut
        constant_y = float(d[useful] @ y_bound[useful])
        bound = np.where(lam > 0, lower, np.where(lam < 0, upper, 0.0))  # (S, rows)
        bound = np.where(lam != 0, bound, 0.0)
        constant = bound @ lam + constant_y  # (S,)
        if program.t_scale is None:
            gradients.append(-(T_support.T @ lam))
            rhs.append(-float(constant.max()))
            continue
        scaled = program.t_scale * lam  # (S, rows)
        violation = constant - scaled @ Tx
        for s in np.argsort(-violation)[:SHARED_PER_VERTEX]:
            if violation[s] > 0:
                gradients.append(-(T_support.T @ scaled[s]))
                rhs.append(-float(constant[s]))
    if not gradients:
        return FeasibilityCuts(np.zeros((0, T_support.shape[1])), np.zeros(0))
    return FeasibilityCuts(np.array(gradients), np.array(rhs))
