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
    lam = np.clip(np.unique(np.round(duals, 12), axis=0), -1.0, 1.0)  # one row per dual vertex
    lam[np.abs(lam) < TINY] = 0.0
    # a row bound that is infinite cannot carry a dual of that sign (the same in every scenario)
    lam[(lam > 0) & ~np.isfinite(lower[0])] = 0.0
    lam[(lam < 0) & ~np.isfinite(upper[0])] = 0.0
    d = -(program.W.T @ lam.T).T  # (vertices, stage-2 columns): reduced costs of y
    y_bound = np.where(d > 0, program.y_lower, program.y_upper)
    useful = np.abs(d) > TINY
    dual_feasible = np.where(useful, np.isfinite(y_bound), True).all(axis=1)  # after cleaning; else no cut
    lam, d, y_bound, useful = lam[dual_feasible], d[dual_feasible], y_bound[dual_feasible], useful[dual_feasible]
    constant_y = np.where(useful, d * np.where(useful, y_bound, 0.0), 0.0).sum(axis=1)
    # sum_i lam_i bound_i(s): the lower bound where lam_i > 0, the upper one where lam_i < 0, for
    # every scenario and vertex at once
    finite_lower = np.where(np.isfinite(lower), lower, 0.0)
    finite_upper = np.where(np.isfinite(upper), upper, 0.0)
    if not lam.shape[0]:
        return FeasibilityCuts(np.zeros((0, T_support.shape[1])), np.zeros(0))
    constant = finite_lower @ np.maximum(lam, 0.0).T + finite_upper @ np.minimum(lam, 0.0).T + constant_y  # (S, V)
    if program.t_scale is None:
        return FeasibilityCuts(-(T_support.T @ lam.T).T, -constant.max(axis=0))
    gradients, rhs = [], []
    for v in range(lam.shape[0]):
        scaled = program.t_scale * lam[v]  # (S, rows)
        violation = constant[:, v] - scaled @ Tx
        for s in np.argsort(-violation)[:SHARED_PER_VERTEX]:
            if violation[s] > 0:
                gradients.append(-(T_support.T @ scaled[s]))
                rhs.append(-float(constant[s, v]))
    if not gradients:
        return FeasibilityCuts(np.zeros((0, T_support.shape[1])), np.zeros(0))
    return FeasibilityCuts(np.array(gradients), np.array(rhs))
