"""What an L-shaped solve learned, kept for the next solve after demand changed (a warm what-if).

Demand only moves the right-hand sides of the scenarios' rules: row2 bounds = template - AD d_s
(:class:`~xlplan.solver.compile.DemandTerms`), lower and upper alike. Each cut comes from every
scenario's optimal row duals lambda_s, which stay dual feasible whatever the bounds (the recourse
matrix W, its costs and its column bounds do not move), so by weak duality, with b_s the bounds a
scenario had when the cut was made and b_s' its bounds now,

    Q_s'(x) >= Q_s(x_k) + lambda_s . (b_s' - b_s) + g_s (x - x_k).

Each group's cut therefore stays valid after a what-if, its constant moved by
sum_{s in g} (p_s / P_g) lambda_s . (b_s' - b_s). Only the rows demand enters can move, so only their
duals are kept. The feasibility cuts are made afresh from their phase-one duals (``cuts.py``), the
scenarios the master held are copied in again with their new bounds, and the solve starts from the last
best plan, in a trust region of the last radius. Anything else changed (a cost, a capacity, a policy, the
scenarios' probabilities) is another structure: the solve starts cold, with the same answer.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import scipy.sparse as sp

from xlplan.solver.decomposition.master import GroupCuts
from xlplan.solver.digest import add_sparse
from xlplan.solver.program import TwoStageProgram
from xlplan.solver.saved_arrays import MAX_ENTRIES, WarmStartRefused, read_npz

KIND = "decomposition cuts"
MEMORY = 128 * 2**20
"""Bytes of kept duals beyond which the oldest evaluations' cuts are forgotten (the latest, made near
the optimum, matter most to a what-if; fewer cuts only make the start less warm, never wrong)."""


def structure_of(program: TwoStageProgram) -> str:
    """A digest of everything in the program but where demand put the scenarios' bounds and constants."""
    digest = hashlib.blake2b(digest_size=16)
    terms = program.demand_terms
    assert terms is not None
    arrays: list[np.ndarray | sp.sparray | None] = [
        program.c1, program.x_lower, program.x_upper, program.A1, program.row1_lower, program.row1_upper,
        program.T, program.t_scale, program.W, program.c2, program.y_lower, program.y_upper,
        program.probabilities, terms.rows, terms.row_lower, terms.row_upper]
    for array in arrays:
        if array is None:
            digest.update(b"none")
            continue
        if sp.issparse(array):
            add_sparse(digest, array)
        else:
            dense = np.ascontiguousarray(array, dtype=np.float64)
            digest.update(f"dense{dense.shape}".encode())
            digest.update(dense.data)
    return digest.hexdigest()


def _reference_bounds(program: TwoStageProgram, rows: np.ndarray) -> np.ndarray:
    """(scenarios, rows): each row's finite bound (its lower one, else its upper one; 0 for a free row),
    which moves with demand exactly as both bounds do."""
    lower, upper = program.row2_lower[:, rows], program.row2_upper[:, rows]
    return np.where(np.isfinite(lower), lower, np.where(np.isfinite(upper), upper, 0.0))


@dataclass(eq=False)
class WarmCuts:
    """The cuts of an L-shaped solve, in a form that survives a change of demand (see the module)."""

    structure: str
    groups: np.ndarray
    """(scenarios,): each scenario's group in the master (kept: the cuts are averages over them)."""
    rows: np.ndarray
    """The stage-2 rows demand enters (within one scenario's block)."""
    reference: np.ndarray
    """(scenarios, rows): those rows' bounds when the cuts were made."""
    optimality: list[tuple[GroupCuts, np.ndarray]] = field(default_factory=list)
    """Each evaluation's group cuts, with every scenario's row duals on ``rows`` (scenarios, rows)."""
    feasibility: list[tuple[np.ndarray, np.ndarray]] = field(default_factory=list)
    """Each evaluation's phase-one duals (scenarios without a recourse, all rows) and the plan's T x."""
    inside: list[int] = field(default_factory=list)
    """The scenarios whose rules the master held."""
    plan: np.ndarray | None = None
    """The best plan's stage-1 columns."""
    radius: float = 1.0
    """The trust region's last radius."""

    @classmethod
    def begin(cls, program: TwoStageProgram, groups: np.ndarray) -> WarmCuts | None:
        """An empty record for a solve of ``program``; None when the program does not say where demand
        enters (nothing learned could be carried over)."""
        if program.demand_terms is None:
            return None
        rows = np.unique(sp.coo_array(program.demand_terms.rows).row).astype(np.int64)
        return cls(structure_of(program), groups.copy(), rows, _reference_bounds(program, rows))

    def fits(self, program: TwoStageProgram) -> bool:
        return (program.demand_terms is not None and self.groups.size == program.num_scenarios
                and self.structure == structure_of(program))

    @property
    def nbytes(self) -> int:
        return sum(duals.nbytes for _, duals in self.optimality)

    def record_optimality(self, cuts: GroupCuts, duals: np.ndarray) -> None:
        """Keep an evaluation's cuts and the duals (scenarios, all stage-2 rows) they came from."""
        self.keep(cuts, np.ascontiguousarray(duals[:, self.rows]))

    def keep(self, cuts: GroupCuts, duals: np.ndarray) -> None:
        """Keep cuts made at this record's bounds, with their duals on ``rows`` (scenarios, rows)."""
        self.optimality.append((cuts, duals))
        while len(self.optimality) > 1 and self.nbytes > MEMORY:
            self.optimality.pop(0)

    def keep_near(self, x_support: np.ndarray, tolerance: float = 1e-3) -> None:
        """Keep only the cuts that are nearly exact at the plan ``x_support`` (the best plan): the ones its
        value is made of, the model a what-if around it needs. A cut's error there is measured against the
        group's exact cost at that plan, from the cuts made at it; without those, nothing is pruned."""
        at_plan = [cuts for cuts, _ in self.optimality if np.array_equal(cuts.x_support, x_support)]
        if not at_plan:
            return
        exact = at_plan[-1].value
        kept = []
        for cuts, duals in self.optimality:
            error = exact - (cuts.value + cuts.gradient @ (x_support - cuts.x_support))
            made = cuts.made & (error <= tolerance * (1.0 + np.abs(exact)))
            if made.any():
                kept.append((GroupCuts(cuts.x_support, cuts.value, cuts.gradient, made), duals))
        self.optimality = kept

    def record_feasibility(self, duals: np.ndarray, Tx: np.ndarray) -> None:
        if len(duals):
            self.feasibility.append((duals.copy(), Tx.copy()))

    def moved(self, program: TwoStageProgram, weight: np.ndarray) -> list[tuple[GroupCuts, np.ndarray]]:
        """The optimality cuts for ``program`` (which :meth:`fits`): each evaluation's group cuts with
        their constants moved by how far demand moved the bounds, and the duals they came from.
        ``weight``: each scenario's p_s / P_g."""
        change = _reference_bounds(program, self.rows) - self.reference  # (scenarios, rows)
        groups = int(self.groups.max()) + 1
        moved = []
        for cuts, duals in self.optimality:
            shift = np.bincount(self.groups, weights=weight * np.einsum("sr,sr->s", duals, change), minlength=groups)
            moved.append((GroupCuts(cuts.x_support, cuts.value + shift, cuts.gradient, cuts.made), duals))
        return moved

    # -- a file for the command line's --warm-start ------------------------------------------------

    def save(self, path: str | Path) -> None:
        """Write it to ``path`` as a numpy .npz file (exactly there: the caller makes the write atomic)."""
        optimality = self.optimality
        feasibility = self.feasibility
        n = self.rows.size
        with open(path, "wb") as handle:
            np.savez(
                handle, kind=np.array(KIND), structure=np.array(self.structure), groups=self.groups, rows=self.rows,
                reference=self.reference, inside=np.array(self.inside, dtype=np.int64),
                plan=self.plan if self.plan is not None else np.zeros(0), radius=np.array(self.radius),
                x_support=np.array([c.x_support for c, _ in optimality]),
                value=np.array([c.value for c, _ in optimality]),
                gradient=np.array([c.gradient for c, _ in optimality]), made=np.array([c.made for c, _ in optimality]),
                duals=np.array([d for _, d in optimality]).reshape(len(optimality), self.groups.size, n),
                feasibility_counts=np.array([len(d) for d, _ in feasibility], dtype=np.int64),
                feasibility_duals=(np.concatenate([d for d, _ in feasibility]) if feasibility else np.zeros((0, 0))),
                feasibility_tx=np.array([t for _, t in feasibility]) if feasibility else np.zeros((0, 0)))

    @classmethod
    def load(cls, path: str | Path, max_entries: int = MAX_ENTRIES) -> WarmCuts | None:
        """The cuts saved at ``path``; None when the file holds another kind. Raises
        :class:`~xlplan.solver.warm.WarmStartRefused` when it is damaged, holds more than ``max_entries``
        numbers, or its arrays do not fit together."""
        saved = read_npz(path, max_entries)
        if "kind" not in saved or saved["kind"].dtype.kind != "U" or str(saved["kind"]) != KIND:
            return None
        try:
            _check_cuts(saved)
            made = saved["made"].astype(bool)
            optimality = [(GroupCuts(saved["x_support"][k], saved["value"][k], saved["gradient"][k], made[k]),
                           saved["duals"][k]) for k in range(made.shape[0])]
            ends = np.cumsum(saved["feasibility_counts"])
            duals = saved["feasibility_duals"]
            feasibility = [(duals[end - count:end], saved["feasibility_tx"][k])
                           for k, (count, end) in enumerate(zip(saved["feasibility_counts"], ends, strict=True))]
            plan = saved["plan"]
            return cls(str(saved["structure"]), saved["groups"], saved["rows"], saved["reference"], optimality,
                       feasibility, [int(s) for s in saved["inside"]], plan if plan.size else None,
                       float(saved["radius"]))
        except (KeyError, ValueError, IndexError, TypeError) as error:
            raise WarmStartRefused(f"its cuts do not fit together ({error})") from None


def _check_cuts(saved: dict[str, np.ndarray]) -> None:
    """Raise ValueError unless the saved arrays have the types, shapes and ranges a solve leaves."""
    groups, rows, inside = saved["groups"], saved["rows"], saved["inside"]
    for name in ("groups", "rows", "inside", "feasibility_counts"):
        array = saved[name]
        if array.ndim != 1 or array.dtype.kind not in "iu" or (array.size and array.min() < 0):
            raise ValueError(f"{name} is not a list of whole numbers of at least 0")
    scenarios, n, k = groups.size, rows.size, saved["made"].shape[0] if saved["made"].ndim else -1
    if k < 0:
        raise ValueError("made is not a table")
    if inside.size and inside.max() >= scenarios:
        raise ValueError("inside names a scenario beyond the last")
    if saved["reference"].shape != (scenarios, n) or saved["duals"].shape != (k, scenarios, n):
        raise ValueError("the duals and reference bounds are not one row per scenario")
    group_count = int(groups.max()) + 1 if scenarios else 0
    if k and (saved["made"].shape != (k, group_count) or saved["value"].shape != (k, group_count)
              or saved["gradient"].shape[:2] != (k, group_count) or saved["x_support"].shape[0] != k):
        raise ValueError("the cuts are not one per group and evaluation")
    counts = saved["feasibility_counts"]
    if int(counts.sum()) != saved["feasibility_duals"].shape[0] or counts.size != saved["feasibility_tx"].shape[0]:
        raise ValueError("the feasibility cuts and their counts differ")
    for name in ("reference", "x_support", "value", "gradient", "duals", "plan", "radius"):
        if saved[name].dtype.kind not in "iuf" or not np.isfinite(saved[name]).all():
            raise ValueError(f"{name} holds values that are not finite numbers")
    if saved["radius"].ndim != 0 or not float(saved["radius"]) > 0:
        raise ValueError("the trust region's radius is not a positive number")
