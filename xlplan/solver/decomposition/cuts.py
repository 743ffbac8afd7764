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
cuts share their slope, so only the strongest (largest intercept) is kept, for each group of rows of
lambda that share no recourse column (a product, where the warehouse does not bind; see
``_cuts_by_part``); with capacity scenarios the most violated few are.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp
from scipy.sparse.csgraph import connected_components

from xlplan.solver.program import TwoStageProgram

TINY = 1e-9
MAX_CUT_BYTES = 256 * 2**20
"""The most memory one round's cuts split by part may take as dense rows; beyond, each dual vertex gives
its whole cut as before the split. (At 200 x 104 x 90, 20,800 production columns, a round split into
thousands of parts, and the process grew to 6 GB; at 12 x 52, 624 columns, this is 50,000 cuts a round.)"""
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
    if program.t_scale is None:
        return _cuts_by_part(program.W, T_support, lam, np.where(useful, d * np.where(useful, y_bound, 0.0), 0.0),
                             finite_lower, finite_upper, Tx)
    constant = finite_lower @ np.maximum(lam, 0.0).T + finite_upper @ np.minimum(lam, 0.0).T + constant_y  # (S, V)
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


def _cuts_by_part(W: sp.csr_array, T_support: sp.csc_array, lam: np.ndarray, bound_terms: np.ndarray,
                  lower: np.ndarray, upper: np.ndarray, Tx: np.ndarray) -> FeasibilityCuts:
    """Each dual vertex's cut, split into the parts of its rows that share no column.

    The rows with a dual fall apart into groups linked by no recourse column (where the warehouse does
    not bind, one per product). A group's duals alone are dual feasible too (each column's reduced cost
    comes from one group), so each group's cut is valid, and the plan's violation of the whole cut is at
    most the sum of the groups': one phase-one solve then repairs every product it caught at once, where
    the whole cut, one inequality over every production column, repaired them a little each round
    (200 x 104 x 90 found no plan after 47 minutes). The parts the plan violates are kept; a vertex
    whose rows do not split, or none of whose parts the plan violates, gives its whole cut as before.
    ``bound_terms``: (vertices, recourse columns), each column's reduced cost times its bound."""
    gradients: list[np.ndarray | sp.csr_array] = []  # the parts' kept sparse (and positive) until the end
    rhs: list[np.ndarray] = []
    wholes: list[tuple[np.ndarray, np.ndarray]] = []  # each vertex's whole cut, should the parts take too much room
    magnitude = abs(sp.csr_array(W))
    for v in range(lam.shape[0]):
        rows = np.flatnonzero(lam[v])
        count, labels = 1, np.zeros(rows.size, dtype=int)
        if rows.size > 1:
            touched = magnitude[rows]
            count, labels = connected_components(touched @ touched.T, directed=False)
        parts = sp.csr_array((lam[v, rows], (labels, rows)), shape=(count, lam.shape[1]))
        column_part = np.full(W.shape[1], -1)
        touched_rows, touched_columns = magnitude[rows].nonzero()
        column_part[touched_columns] = labels[touched_rows]
        terms = np.flatnonzero((column_part >= 0) & (bound_terms[v] != 0))
        part_terms = np.bincount(column_part[terms], weights=bound_terms[v, terms], minlength=count)
        # (S, parts): each part's intercept in every scenario
        constant = (parts.maximum(0.0) @ lower.T).T + (parts.minimum(0.0) @ upper.T).T + part_terms
        strongest = constant.max(axis=0)
        violated = strongest - parts @ Tx > TINY * (1.0 + np.abs(strongest))
        whole = (-(T_support.T @ lam[v])[None, :], -np.array([constant.sum(axis=1).max()]))
        wholes.append(whole)
        if count > 1 and violated.any():
            kept = np.flatnonzero(violated)
            gradients.append(sp.csr_array(parts[kept] @ T_support))
            rhs.append(-strongest[kept])
        else:
            gradients.append(whole[0])
            rhs.append(whole[1])
    if sum(len(r) for r in rhs) * T_support.shape[1] * 8 > MAX_CUT_BYTES:
        gradients, rhs = [g for g, _ in wholes], [r for _, r in wholes]  # one cut per vertex, as before the split
    dense = [-g.toarray() if isinstance(g, sp.csr_array) else g for g in gradients]
    if not dense:
        return FeasibilityCuts(np.zeros((0, T_support.shape[1])), np.zeros(0))
    return FeasibilityCuts(np.concatenate(dense), np.concatenate(rhs))
