"""The plain recourse (where stock is kept, what is owed) solved without a simplex, with its certificate.

When stage 2 holds only regular inventory R, overflow inventory O and backorders B, its rules are
the inventory flow, the two warehouses' space and the backorder cap (``xlplan/model/recourse.py``
without lost sales or capacity scenarios), and the plan fixes each product's net position

    N[p,t] = R[p,t] + O[p,t] - B[p,t] = (initial position + cumulative production - cumulative demand)[p,t].

Each period then stands alone: B = max(0, -N), and the stock max(0, N) is split between the
warehouses as a fractional knapsack. Overflow costs a premium (c_O - c_R)[p,t] per unit, that is
(c_O - c_R) / space per unit of regular space, so the regular warehouse takes the products of the
highest premium per space first and the overflow warehouse the rest. The row duals follow: the
regular space's price mu[t] is the premium per space of the dearest product left in overflow (0
while space is free); a unit more net position at the end of t costs phi = c_R + mu space (kept
regular), c_O (overflow) or -c_B (owed); and the inventory flow's dual in period t is the sum of phi
over t and the periods after it, since that row's right-hand side moves every later net position.

Nothing here is taken on trust: every scenario's recourse and duals are checked against the LP
itself (W, c2, the bounds) for primal feasibility, dual feasibility and complementary slackness at
HiGHS's own tolerances. A scenario that passes has exactly the optimum and an optimal dual HiGHS's
simplex could return, so its value and cut are as good; one that does not (no recourse, a full
overflow warehouse, a tie the formulas do not settle) goes to HiGHS as before. Measured at
12 x 52 x 1,000: see ``benchmarks/README.md`` ("Fifth pass").
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp

FAMILIES = ("inventory_flow", "warehouse_space", "overflow_space", "backorder_cap")
TOLERANCE = 1e-7
"""Primal and dual feasibility tolerance, relative to 1 + |bound| or 1 + |cost| (HiGHS's defaults)."""


@dataclass(frozen=True)
class StockRecourse:
    """Where the recourse's columns and rows are, per product p and period t (positions in y and in the
    stage-2 rows), with the costs and space of each column."""

    regular: np.ndarray
    """(P, T) columns of R."""
    overflow: np.ndarray | None
    """(P, T) columns of O, or None without an overflow warehouse."""
    backorders: np.ndarray
    """(P, T) columns of B."""
    flow: np.ndarray
    """(P, T) inventory-flow rows."""
    warehouse: np.ndarray | None
    """(T,) regular-space rows, or None without a capacity."""
    overflow_rows: np.ndarray | None
    """(T,) overflow-space rows."""
    cap: np.ndarray | None
    """(P, T) backorder-cap rows, or None without a cap."""
    space: np.ndarray
    """(P, T) space per unit."""
    premium: np.ndarray
    """(P, T) what overflow costs above regular stock per unit of space (zero without an overflow warehouse)."""
    W: sp.csr_array
    c2: np.ndarray

    @staticmethod
    def recognise(W: sp.csr_array, c2: np.ndarray, y_lower: np.ndarray, y_upper: np.ndarray, families: list[str],
                  columns: dict[str, np.ndarray], t_scale: np.ndarray | None) -> StockRecourse | None:
        """The structure, if the recourse problem is exactly the plain one (checked against W itself)."""
        names = {name for name, where in columns.items() if (where >= 0).any()}
        if t_scale is not None or not set(families) <= set(FAMILIES) or not names <= {
                "regular_inventory", "overflow_inventory", "backorders"}:
            return None
        regular, backorders = columns.get("regular_inventory"), columns.get("backorders")
        if regular is None or backorders is None or (regular < 0).any() or (backorders < 0).any() or regular.ndim != 2:
            return None
        overflow = columns.get("overflow_inventory")
        overflow = overflow if overflow is not None and (overflow >= 0).all() else None
        if not (np.all(y_lower == 0.0) and np.all(np.isinf(y_upper))):
            return None
        P, T = regular.shape
        coo = sp.coo_array(W)
        entries: dict[int, dict[int, float]] = {}  # column -> {row: coefficient}
        for r, c, v in zip(coo.row.tolist(), coo.col.tolist(), coo.data.tolist(), strict=True):
            entries.setdefault(c, {})[r] = v

        def row_of(column: np.ndarray, family: str, coefficient: float | None = None) -> np.ndarray | None:
            """The row of ``family`` each column enters (with ``coefficient``, if given); None unless
            exactly one, and the same for every product where the rows are per period."""
            found = np.full(column.shape, -1)
            for index, c in np.ndenumerate(column):
                hits = [r for r, v in entries.get(int(c), {}).items()
                        if families[r] == family and (coefficient is None or v == coefficient)]
                if len(hits) != 1:
                    return None
                found[index] = hits[0]
            return found

        def period_rows(column: np.ndarray | None, family: str) -> np.ndarray | None:
            by_column = None if column is None else row_of(column, family)
            return by_column[0] if by_column is not None and (by_column == by_column[:1]).all() else None

        flow = row_of(regular, "inventory_flow", 1.0)
        warehouse = period_rows(regular, "warehouse_space") if "warehouse_space" in families else None
        overflow_rows = period_rows(overflow, "overflow_space") if "overflow_space" in families else None
        cap = row_of(backorders, "backorder_cap") if "backorder_cap" in families else None
        missing = [family for family, rows in (("warehouse_space", warehouse), ("overflow_space", overflow_rows),
                                               ("backorder_cap", cap)) if family in families and rows is None]
        if flow is None or missing:
            return None
        space = np.ones((P, T))
        if warehouse is not None:
            space = np.array([[entries[int(regular[p, t])][int(warehouse[t])] for t in range(T)] for p in range(P)])
        expected = _matrix(W.shape, regular, overflow, backorders, flow, warehouse, overflow_rows, cap, space)
        if (space <= 0).any() or abs(sp.csr_array(W) - expected).sum() != 0:
            return None
        if overflow is not None:
            premium = (c2[overflow] - c2[regular]) / space
            if (premium < 0).any():  # overflow cheaper than regular: not the knapsack below
                return None
        else:
            premium = np.zeros((P, T))
        return StockRecourse(regular, overflow, backorders, flow, warehouse, overflow_rows, cap, space, premium,
                             W, np.asarray(c2, dtype=float))

    def solve(self, lower: np.ndarray, upper: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """For scenarios' shifted row bounds (k, m): which are settled (certified optimal), their
        recourse y (k, n) and row duals (k, m), in HiGHS's sign convention (d cost / d bound)."""
        k = lower.shape[0]
        c2 = self.c2
        net = np.cumsum(lower[:, self.flow], axis=2)  # (k, P, T)
        stock, owed = np.maximum(net, 0.0), np.maximum(-net, 0.0)
        y = np.zeros((k, c2.size))
        dual = np.zeros(lower.shape)
        regular = stock
        price = np.zeros((k, net.shape[2]))
        if self.warehouse is not None:
            capacity = upper[:, self.warehouse]  # (k, T)
            order = np.argsort(-self.premium, axis=0, kind="stable")[None]  # highest premium first
            used = np.take_along_axis(stock * self.space, order, axis=1)
            before = np.cumsum(used, axis=1) - used
            kept = np.clip(capacity[:, None, :] - before, 0.0, used)
            regular_space = np.empty_like(kept)
            np.put_along_axis(regular_space, np.broadcast_to(order, kept.shape), kept, axis=1)
            regular = regular_space / self.space
            left = (stock - regular) * self.space > TOLERANCE * (1.0 + capacity[:, None, :])
            if self.overflow is not None:
                price = np.where(left, self.premium[None], 0.0).max(axis=1)
            dual[:, self.warehouse] = -price
        over = stock - regular
        y[:, self.regular] = regular
        y[:, self.backorders] = owed
        if self.overflow is not None:
            y[:, self.overflow] = over
        cost_regular = c2[self.regular][None] + price[:, None, :] * self.space[None]
        cost_overflow = c2[self.overflow][None] if self.overflow is not None else np.inf
        phi = np.where(net > 0, np.where(regular > 0, cost_regular, cost_overflow), -c2[self.backorders][None])
        dual[:, self.flow] = np.cumsum(phi[:, :, ::-1], axis=2)[:, :, ::-1]
        return self.certified(y, dual, lower, upper), y, dual

    def certified(self, y: np.ndarray, dual: np.ndarray, lower: np.ndarray, upper: np.ndarray) -> np.ndarray:
        """Which scenarios' (y, dual) are optimal for the LP: y within the rows' bounds, the reduced costs
        and row duals of the right signs, and complementary slackness, at HiGHS's tolerances."""
        W, c2 = self.W, self.c2
        activity = (W @ y.T).T
        with np.errstate(invalid="ignore"):  # inf - inf on a free side compares False, as wanted
            slack_lower = activity - lower
            slack_upper = upper - activity
            tol_lower = TOLERANCE * (1.0 + np.abs(lower))
            tol_upper = TOLERANCE * (1.0 + np.abs(upper))
            feasible = ((slack_lower >= -tol_lower) | np.isneginf(lower)).all(axis=1) & (
                (slack_upper >= -tol_upper) | np.isposinf(upper)).all(axis=1) & (y >= -TOLERANCE).all(axis=1)
            at_lower = np.abs(slack_lower) <= tol_lower
            at_upper = np.abs(slack_upper) <= tol_upper
        dual_tolerance = TOLERANCE * (1.0 + np.abs(dual))
        rows_ok = ((dual <= dual_tolerance) | at_lower) & ((dual >= -dual_tolerance) | at_upper)
        reduced = c2[None] - (W.T @ dual.T).T
        reduced_tolerance = TOLERANCE * (1.0 + np.abs(c2))[None]
        columns_ok = (reduced >= -reduced_tolerance) & ((reduced <= reduced_tolerance) | (y <= TOLERANCE))
        return np.asarray(feasible & rows_ok.all(axis=1) & columns_ok.all(axis=1))


def _matrix(shape: tuple[int, ...], regular: np.ndarray, overflow: np.ndarray | None, backorders: np.ndarray,
            flow: np.ndarray, warehouse: np.ndarray | None, overflow_rows: np.ndarray | None, cap: np.ndarray | None,
            space: np.ndarray) -> sp.csr_array:
    """The plain recourse's W: the inventory flow N[p,t] - N[p,t-1], each warehouse's space, the cap's B."""
    entries: list[tuple[np.ndarray, np.ndarray, np.ndarray | float]] = []
    signs = [(regular, 1.0), (backorders, -1.0)] + ([(overflow, 1.0)] if overflow is not None else [])
    for column, sign in signs:
        entries.append((flow, column, sign))
        entries.append((flow[:, 1:], column[:, :-1], -sign))
    if warehouse is not None:
        entries.append((np.broadcast_to(warehouse, regular.shape), regular, space))
    if overflow_rows is not None and overflow is not None:
        entries.append((np.broadcast_to(overflow_rows, overflow.shape), overflow, space))
    if cap is not None:
        entries.append((cap, backorders, 1.0))
    rows = np.concatenate([r.ravel() for r, _, _ in entries])
    cols = np.concatenate([c.ravel() for _, c, _ in entries])
    data = np.concatenate([np.broadcast_to(v, r.shape).ravel() for r, _, v in entries])
    return sp.csr_array(sp.coo_array((data, (rows, cols)), shape=shape))
