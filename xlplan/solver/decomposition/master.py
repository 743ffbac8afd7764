"""The master problem: the stage-1 rules, a cutting-plane model of the expected recourse cost, and a
trust region around the best plan so far.

    min  c1 x + sum_g P_g theta_g
    s.t. row1_lower <= A1 x <= row1_upper                             stage-1 rules
         theta_g >= sum_{s in g} (p_s / P_g) (Q_s(x_k) + g_s (x - x_k))   optimality cuts, group g
         F_s(x_k) + g_s (x - x_k) <= 0                                 feasibility cuts
         T_bar x + W y_bar within the mean bounds,  sum_g P_g theta_g >= c2 y_bar    Jensen's bound
         |x_j - center_j| <= radius   for the columns the scenarios see (trust region; optional)

Scenarios are split into groups, each with its cost variable theta_g (one group per scenario is
the multi-cut method). Jensen's bound holds because Q_s is convex in the bounds of its rows,
which move linearly with the scenario's data: the expected recourse cost is at least the recourse
cost of the mean scenario. It makes the very first master (no cuts yet) the expected-value
problem, bounded and a valid lower bound, and keeps every later master bounded.
"""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp

from xlplan.runtime import can_start_threads
from xlplan.solver.highs_adapter import new_highs
from xlplan.solver.highs_api import highspy
from xlplan.solver.options import SolveOptions
from xlplan.solver.program import TwoStageProgram
from xlplan.solver.status import TerminationCondition

MS = highspy.HighsModelStatus
POOL_TOLERANCE = 1e-9
"""Relative violation from which a cut of the pool joins the master."""
IDLE_SOLVES = 8
"""An optimality cut slack in both instances for this many iterations in a row is removed (``forget_idle_cuts``).
Measured at 12 x 52 x 1,000 (one run each, load 1.2 to 1.8; the solve's wall seconds, iterations): all cuts
kept 57.0 s (24); 3: 43.0 s (29); 5: 50.0 s (25); 8: 38.9, 40.3 and 42.3 s (24); 12: 47.1 s (25). The
master's dense cut rows are most of its simplex work, and most of the 3,365 cuts made are slack by the end."""
MASTER_TUNING: dict[str, bool | int | float | str] = {
    "solver": "simplex", "simplex_strategy": 1,
    # devex pricing: dual steepest edge's weights cost more than they save on a warm
    # re-solve with many dense cuts (12 x 52 x 1,000: master CPU 16.6 s against 22.5 s)
    "simplex_dual_edge_weight_strategy": 1}
"""The master's own HiGHS settings, after the common ones and before the user's named HiGHS options: the dual
simplex, which restarts warm after cuts are added."""


@dataclass(frozen=True)
class GroupCuts:
    """One evaluation's optimality cuts, one per group: theta_g >= value_g + gradient_g (x - x_k)."""

    x_support: np.ndarray
    """x_k on the support columns."""
    value: np.ndarray
    """(groups,): sum_{s in g} (p_s / P_g) Q_s(x_k)."""
    gradient: np.ndarray
    """(groups, support columns): the groups' averaged subgradients."""
    made: np.ndarray
    """(groups,) bool: the groups whose scenarios all had a recourse at x_k (only they got a cut)."""


@dataclass
class MasterSolution:
    status: TerminationCondition
    """Converged (optimal), proven infeasible, or the time limit."""
    x: np.ndarray | None = None
    value: float = np.nan
    """c1 x + sum_g P_g theta_g: the model's cost (without the program's constants)."""
    is_bound: bool = False
    """The value bounds every plan's cost: no trust region, or one that does not bind at x (the
    model is convex, so a minimum inside the box is the minimum)."""


class Master:
    """The master LP, in two HiGHS instances that receive the same cuts: one without the trust
    region (the lower bound) and one with it (the next plan), so that each stays warm: moving the
    box on and off one instance costs more simplex iterations than the cuts do. ``options`` give the
    HiGHS settings (threads, options by name; their time limit is the caller's to pass per solve)."""

    def __init__(self, program: TwoStageProgram, groups: np.ndarray, options: SolveOptions | None = None) -> None:
        self.program = program
        self.groups = groups
        self.num_groups = int(groups.max()) + 1
        p = program.probabilities
        self.group_probability = np.bincount(groups, weights=p, minlength=self.num_groups)
        self.weight = p / self.group_probability[groups]  # p_s / P_g
        n1, n2, G = program.c1.size, program.c2.size, self.num_groups
        self.n1, self.G = n1, G
        self.theta = n1 + np.arange(G)
        self.support = np.unique(sp.csr_array(program.T).indices)  # the columns the scenarios see

        mean_scale = None if program.t_scale is None else p @ program.t_scale
        T_bar = program.T if mean_scale is None else sp.diags_array(mean_scale) @ program.T
        finite = np.isfinite(program.row2_lower[0])
        mean_lower = np.where(finite, p @ np.where(np.isfinite(program.row2_lower), program.row2_lower, 0), -np.inf)
        finite = np.isfinite(program.row2_upper[0])
        mean_upper = np.where(finite, p @ np.where(np.isfinite(program.row2_upper), program.row2_upper, 0), np.inf)
        r1, r2 = program.A1.shape[0], program.W.shape[0]
        matrix = sp.vstack([
            sp.hstack([program.A1, sp.csr_array((r1, G + n2))]),
            sp.hstack([T_bar, sp.csr_array((r2, G)), program.W]),
            sp.hstack([sp.csr_array((1, n1)), sp.csr_array(self.group_probability[None, :]),
                       sp.csr_array(-program.c2[None, :])]),
        ], format="csc")
        self.col_lower = np.concatenate([program.x_lower, np.full(G, -np.inf), program.y_lower])
        self.col_upper = np.concatenate([program.x_upper, np.full(G, np.inf), program.y_upper])
        cost = np.concatenate([program.c1, self.group_probability, np.zeros(n2)])
        row_lower = np.concatenate([program.row1_lower, mean_lower, [0.0]])
        row_upper = np.concatenate([program.row1_upper, mean_upper, [np.inf]])
        n = cost.size
        options = options or SolveOptions()
        self.bound, self.step = new_highs(options, False, MASTER_TUNING), new_highs(options, False, MASTER_TUNING)
        for h in (self.bound, self.step):
            h.passModel(
                n, row_lower.size, matrix.nnz, int(highspy.MatrixFormat.kColwise), int(highspy.ObjSense.kMinimize),
                0.0, cost, self.col_lower, self.col_upper, row_lower, row_upper, matrix.indptr.astype(np.int32),
                matrix.indices.astype(np.int32), matrix.data, np.zeros(n, dtype=np.int32))
        self.num_cuts = 0
        self.num_forgotten = 0
        self.rows = row_lower.size
        """Rows in each instance (the same in both)."""
        self.forgettable = np.zeros(0, dtype=bool)
        """Per row after the first ``base_rows``: an optimality cut, which may be forgotten when idle."""
        self.idle = np.zeros(0, dtype=int)
        """Per row after the first ``base_rows``: how many solves in a row it has been slack in both instances."""
        self.base_rows = row_lower.size
        self.scenarios_inside: list[int] = []
        self.pool: list[GroupCuts] = []
        """Valid cuts kept out of the LP until a solution violates them (an earlier solve's, see
        ``warm_cuts.py``): a master started with hundreds of dense cuts solves far slower than one that
        takes the few it needs."""

    # -- cuts -----------------------------------------------------------------------------------

    def add_optimality_cuts(self, x: np.ndarray, value: np.ndarray, gradient: np.ndarray,
                            groups: np.ndarray) -> GroupCuts:
        """Cuts from every scenario's Q_s(x) and subgradient g_s (rows of ``gradient``, support
        columns only), averaged within each group; for the groups marked in ``groups`` (those whose
        scenarios all have a recourse at x). Returns the groups' cuts (all groups, as made)."""
        G = self.G
        weighted = gradient * self.weight[:, None]
        group_gradient = np.zeros((G, self.support.size))
        np.add.at(group_gradient, self.groups, weighted)
        cuts = GroupCuts(x[self.support].copy(), np.bincount(self.groups, weights=self.weight * value, minlength=G),
                         group_gradient, groups.copy())
        self.add_group_cuts(cuts)
        return cuts

    def add_group_cuts(self, cuts: GroupCuts) -> None:
        """The cuts theta_g >= value_g + gradient_g (x - x_k) of the groups ``cuts.made`` marks."""
        made = cuts.made
        # theta_g - gbar x >= Qbar - gbar x_k
        rhs = cuts.value - cuts.gradient @ cuts.x_support
        k = int(made.sum())
        self._add_rows(np.concatenate([-cuts.gradient[made], np.ones((k, 1))], axis=1),
                       np.concatenate([np.repeat(self.support[None, :], k, axis=0), self.theta[made, None]], axis=1),
                       rhs[made], np.full(k, np.inf), forgettable=True)

    def add_to_pool(self, cuts: GroupCuts) -> None:
        self.pool.append(cuts)

    def _take_violated(self, solution: np.ndarray) -> bool:
        """Move the pool's cuts that ``solution`` (all master columns) violates into the LP."""
        x, theta = solution[self.support], solution[self.theta]
        taken = False
        for k, cuts in enumerate(self.pool):
            below = cuts.value + cuts.gradient @ (x - cuts.x_support) - theta
            violated = cuts.made & (below > POOL_TOLERANCE * (1.0 + np.abs(theta)))
            if violated.any():
                self.add_group_cuts(GroupCuts(cuts.x_support, cuts.value, cuts.gradient, violated))
                self.pool[k] = GroupCuts(cuts.x_support, cuts.value, cuts.gradient, cuts.made & ~violated)
                taken = True
        self.pool = [cuts for cuts in self.pool if cuts.made.any()]
        return taken

    def add_feasibility_cuts(self, gradient: np.ndarray, rhs: np.ndarray) -> None:
        """Cuts gradient @ x[support] <= rhs (see ``cuts.py``)."""
        k = rhs.size
        if k:
            self._add_rows(gradient, np.repeat(self.support[None, :], k, axis=0), np.full(k, -np.inf), rhs)

    def _added(self, count: int, forgettable: bool) -> None:
        self.rows += count
        self.forgettable = np.concatenate([self.forgettable, np.full(count, forgettable)])
        self.idle = np.concatenate([self.idle, np.zeros(count, dtype=int)])

    def forget_idle_cuts(self, solves: int | None = None) -> int:
        """Remove the optimality cuts slack in both instances at their last ``solves`` solves (default
        IDLE_SOLVES; counted at each call, once an iteration); how many.

        A master with fewer cuts is a relaxation of the one with all of them, so its minimum is still a
        lower bound; both instances keep the same cuts, so the minimum without the box stays at most the
        minimum within it. A forgotten cut that is needed again comes back as a new cut when a plan
        violates it (the evaluation at that plan makes it again)."""
        solves = IDLE_SOLVES if solves is None else solves
        slack = np.ones(self.rows - self.base_rows, dtype=bool)
        for h in (self.bound, self.step):
            status = h.getBasis().row_status
            if len(status) != self.rows:
                return 0
            slack &= np.fromiter((st == highspy.HighsBasisStatus.kBasic for st in status[self.base_rows:]),
                                 dtype=bool, count=self.rows - self.base_rows)
        self.idle = np.where(slack, self.idle + 1, 0)
        forget = self.forgettable & (self.idle >= solves)
        count = int(forget.sum())
        if count:
            rows = (self.base_rows + np.flatnonzero(forget)).astype(np.int32)
            for h in (self.bound, self.step):
                h.deleteRows(count, rows)
            self.rows -= count
            self.num_forgotten += count
            self.forgettable, self.idle = self.forgettable[~forget], self.idle[~forget]
        return count

    def _add_rows(self, values: np.ndarray, columns: np.ndarray, lower: np.ndarray, upper: np.ndarray,
                  forgettable: bool = False) -> None:
        # round-off in the duals leaves coefficients many orders below the rest of their row: they
        # carry no information and trouble the simplex
        keep = np.abs(values) > 1e-11 * np.abs(values).max(axis=1, keepdims=True, initial=0.0)
        counts = keep.sum(axis=1)
        starts = np.concatenate([[0], np.cumsum(counts)[:-1]]).astype(np.int32)
        for h in (self.bound, self.step):
            h.addRows(lower.size, lower, upper, int(counts.sum()), starts, columns[keep].astype(np.int32), values[keep])
        self.num_cuts += lower.size
        self._added(lower.size, forgettable)

    def add_scenario(self, s: int) -> None:
        """Scenario s's own rules, T_s x + W y_s within its bounds, with a recourse y_s of its own
        and no cost: every plan the master proposes from now on has a recourse in scenario s.
        (For scenarios that stopped plans repeatedly: one block replaces many feasibility cuts.)"""
        program = self.program
        n2 = program.c2.size
        for h in (self.bound, self.step):
            first = h.getNumCol()
            h.addCols(n2, np.zeros(n2), program.y_lower, program.y_upper, 0, np.zeros(0, dtype=np.int32),
                      np.zeros(0, dtype=np.int32), np.zeros(0))
            block = sp.hstack([program.T_of(s), sp.csr_array((program.W.shape[0], first - self.n1)),
                               program.W], format="csr")
            h.addRows(block.shape[0], program.row2_lower[s], program.row2_upper[s], block.nnz,
                      block.indptr[:-1].astype(np.int32), block.indices.astype(np.int32), block.data)
        self._added(program.W.shape[0], forgettable=False)
        self.scenarios_inside.append(s)

    # -- solving --------------------------------------------------------------------------------

    def solve(self, center: np.ndarray | None = None, radius: float = np.inf,
              time_limit: float | None = None) -> MasterSolution:
        """Minimise the model; within the box ``|x - center| <= radius`` on the support columns
        when a center is given (then the value is no lower bound)."""
        cols = self.support.astype(np.int32)
        if center is not None:
            h = self.step
            lower = np.maximum(self.col_lower[cols], center[cols] - radius)
            upper = np.minimum(self.col_upper[cols], center[cols] + radius)
            h.changeColsBounds(cols.size, cols, lower, upper)
        else:
            h = self.bound
        h.setOptionValue("time_limit", float(time_limit) if time_limit is not None else np.inf)
        while True:
            h.run()
            status = h.getModelStatus()
            if status not in (MS.kOptimal, MS.kInfeasible, MS.kUnboundedOrInfeasible, MS.kTimeLimit):
                status = self._rescue(h)
            if status != MS.kOptimal or not self.pool or not self._take_violated(np.asarray(h.getSolution().col_value)):
                break
        if status == MS.kOptimal:
            x = np.asarray(h.getSolution().col_value)[:self.n1]
            is_bound = True
            if center is not None:  # does the box bind anywhere it is tighter than the column's own bounds?
                tol = 1e-9 * (1 + np.abs(x[cols]))
                binds = ((x[cols] <= lower + tol) & (lower > self.col_lower[cols])) | (
                    (x[cols] >= upper - tol) & (upper < self.col_upper[cols]))
                is_bound = not binds.any()
            value = float(h.getInfo().objective_function_value)
            return MasterSolution(TerminationCondition.CONVERGED, x, value, is_bound)
        if status in (MS.kInfeasible, MS.kUnboundedOrInfeasible):
            if center is not None:
                return MasterSolution(TerminationCondition.INFEASIBLE)  # within the box: says nothing of the problem
            if status == MS.kUnboundedOrInfeasible and self._is_feasible(h):
                raise RuntimeError("the master problem is unbounded: the recourse costs have no lower bound")
            return MasterSolution(TerminationCondition.INFEASIBLE)
        if status == MS.kTimeLimit:
            return MasterSolution(TerminationCondition.TIME_LIMIT)
        raise RuntimeError(f"HiGHS could not solve the master problem: {h.modelStatusToString(status)}")

    def can_solve_both_at_once(self) -> bool:
        """Whether :meth:`solve_both` may solve the two instances on two threads: HiGHS releases Python's lock
        while it solves, but cuts taken from the pool during a solve go into both instances."""
        return not self.pool and can_start_threads()

    def solve_both(self, center: np.ndarray, radius: float,
                   time_limit: float | None = None) -> tuple[MasterSolution, MasterSolution]:
        """The minimum within the box and the minimum without it, solved at the same time (the instance
        without the box on a thread of its own): from a sample's plan both are needed every iteration,
        and each is a serial simplex, so on two cores the pair takes about as long as the longer one."""
        # a Ctrl+C during the pair ends the solve once both have returned, as it would after one solve
        with ThreadPoolExecutor(max_workers=1) as pool:
            unboxed = pool.submit(self.solve, None, np.inf, time_limit)
            boxed = self.solve(center, radius, time_limit)
            return boxed, unboxed.result()

    def solve_bound_again(self, time_limit: float | None = None, afresh: bool = False) -> MasterSolution:
        """The minimum without the box once more, for an answer that cannot be right (above the best
        plan's exact cost, or above the minimum within the box): from the basis HiGHS reached with a new
        factorisation, or ``afresh`` from no basis at all."""
        _cleared(self.bound, keep_basis=not afresh)
        return self.solve(time_limit=time_limit)

    @staticmethod
    def _rescue(h: highspy.Highs) -> highspy.HighsModelStatus:
        """The warm simplex gave up (numerical trouble after many cuts): the same basis with a new
        factorisation, then the primal simplex from it, then afresh, then by the interior point method
        with crossover if need be. (At 12 x 52 x 1,000 the basis HiGHS gave up at was already optimal
        and a new factorisation confirmed it in 0.2 s of CPU, where a fresh solve of a master with
        thousands of dense cuts took 11 s; earlier, the primal simplex settled one of two such solves in
        0.3 s.)"""
        settled = (MS.kOptimal, MS.kInfeasible, MS.kUnboundedOrInfeasible, MS.kTimeLimit)
        _cleared(h, keep_basis=True)
        h.run()
        if h.getModelStatus() in settled:
            return h.getModelStatus()
        h.setOptionValue("simplex_strategy", 4)
        h.run()
        h.setOptionValue("simplex_strategy", 1)
        if h.getModelStatus() in settled:
            return h.getModelStatus()
        h.clearSolver()
        h.run()
        if h.getModelStatus() in settled:
            return h.getModelStatus()
        h.setOptionValue("solver", "ipm")
        h.clearSolver()
        h.run()
        h.setOptionValue("solver", "simplex")
        return h.getModelStatus()

    @staticmethod
    def _is_feasible(h: highspy.Highs) -> bool:
        n = h.getNumCol()
        cols = np.arange(n, dtype=np.int32)
        cost = np.asarray(h.getLp().col_cost_)
        h.changeColsCost(n, cols, np.zeros(n))
        h.run()
        feasible = h.getModelStatus() == MS.kOptimal
        h.changeColsCost(n, cols, cost)
        return feasible


def _cleared(h: highspy.Highs, keep_basis: bool) -> None:
    """HiGHS's factorisation, scaling and solution state cleared, for the next run to start from the basis
    reached (``keep_basis``) with a new factorisation, or from none."""
    basis = h.getBasis()
    h.clearSolver()
    if keep_basis:
        h.setBasis(basis)
