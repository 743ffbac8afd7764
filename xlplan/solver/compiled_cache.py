"""Compiled programs kept per structure, so that a what-if that only changes demand recomputes only
right-hand sides.

A planner changes one demand cell and solves again. Demand enters the compiled program only in the
stage-2 rows' bounds (``row2 bounds = template bounds - AD d_s``) and in each scenario's constant cost
(``c_D . d_s``); every matrix, cost and column bound stays as it was. So the compiled program, and the
extensive form stacked from it, are kept under a key of everything else that shapes them: the labels,
the settings, the probabilities, the capacity factors, every product and cost parameter, and the model
(the formulation). A problem with the same key gets the kept matrices with its own demand put in;
anything else (a changed cost, setting, capacity factor, probability or model part) is a different key
and is compiled afresh. The answer is the same either way (``tests/test_compiled_cache.py``); only the
time differs: at 1,000 scenarios compiling and stacking take about 0.45 s, putting new demand in
about 0.02 s.
"""

from __future__ import annotations

import hashlib
import threading
import time
from collections import OrderedDict
from collections.abc import Hashable
from dataclasses import dataclass, fields, replace

import numpy as np

from xlplan.model import FORMULATION, Formulation
from xlplan.problem import PlanningProblem
from xlplan.solver.compile import MatrixModel, TwoStageProgram, compile_two_stage, extensive_form

CACHE_SIZE = 4
"""Structures kept (the most recently used)."""
KEEP_NONZEROS = 30_000_000
"""The stacked extensive forms kept hold at most this many matrix entries together (about 360 MB; the
most recent one is kept whatever its size). At 1,000 scenarios of 3 products x 52 weeks one holds 1.6
million."""

DEMAND_FIELDS = frozenset({"row2_lower", "row2_upper", "scenario_offset", "timings", "expected_lower",
                           "expected_upper"})
"""The fields of a :class:`TwoStageProgram` that :func:`with_demand` recomputes."""
STRUCTURE_FIELDS = frozenset({
    "c1", "x_lower", "x_upper", "x_integer", "A1", "row1_lower", "row1_upper", "T", "t_scale", "W", "c2",
    "y_lower", "y_upper", "y_integer", "probabilities", "offset", "plan_columns", "recourse_columns",
    "template_rows", "scenarios", "demand_terms", "E1", "E2", "expected_rows"})
"""The fields that do not depend on demand. A program with a field in neither set (a part this module
does not know about, which might move with demand) is never served from the cache."""


def structure_key(problem: PlanningProblem, formulation: Formulation) -> Hashable | None:
    """What shapes the compiled program apart from demand: a digest of every other input, and the model.
    None when the model cannot be a key (a part holding unhashable data): then nothing is cached."""
    digest = hashlib.sha256()
    for labels in (problem.products, problem.periods, problem.scenarios):
        digest.update(repr(labels).encode())
    digest.update(repr(sorted(problem.settings_dict().items())).encode())
    parameters = [getattr(group, f.name) for group in (problem.product, problem.costs) for f in fields(group)]
    for array in (problem.probabilities, problem.capacity_factor, *parameters):
        digest.update(np.ascontiguousarray(array).tobytes())
    try:
        hash(formulation)
    except TypeError:
        return None
    return digest.hexdigest(), formulation


def _knows_every_field() -> bool:
    return {f.name for f in fields(TwoStageProgram)} <= DEMAND_FIELDS | STRUCTURE_FIELDS


def with_demand(program: TwoStageProgram, problem: PlanningProblem) -> TwoStageProgram:
    """``program`` (compiled from a problem of the same structure) with ``problem``'s demand in place."""
    terms = program.demand_terms
    if terms is None:
        raise ValueError("the program does not say where demand enters it")
    started = time.perf_counter()
    placed = terms.placed(problem.demand, program.probabilities)
    return replace(program, row2_lower=placed.row2_lower, row2_upper=placed.row2_upper,
                   scenario_offset=placed.scenario_offset, expected_lower=placed.expected_lower,
                   expected_upper=placed.expected_upper, timings={"compile": time.perf_counter() - started})


def _extensive_with_demand(stacked: MatrixModel, program: TwoStageProgram) -> MatrixModel | None:
    """The kept extensive form with ``program``'s right-hand sides (the plan's, the scenarios' and those of
    the rows on an expectation) and offset (None when it has rows this module does not know); the matrix
    is shared (no solver changes it), every array a caller may change (``fix_plan``) is a copy."""
    started = time.perf_counter()
    row_lower, row_upper = program.stacked_row_bounds()
    if row_lower.size != stacked.num_rows:
        return None
    model = replace(
        stacked,
        offset=program.offset + float(program.probabilities @ program.scenario_offset),
        col_lower=stacked.col_lower.copy(), col_upper=stacked.col_upper.copy(),
        row_lower=row_lower, row_upper=row_upper,
    )
    model.timings = {**program.timings, "compile": program.timings["compile"] + time.perf_counter() - started}
    return model


@dataclass
class _Kept:
    program: TwoStageProgram
    stacked: MatrixModel | None = None


class CompiledCache:
    """The most recent :data:`CACHE_SIZE` compiled structures. ``hits`` counts the compilations saved,
    ``misses`` those done."""

    def __init__(self, size: int = CACHE_SIZE):
        self.size = size
        self._kept: OrderedDict[Hashable, _Kept] = OrderedDict()
        self._lock = threading.Lock()
        self.hits = 0
        self.misses = 0

    def _entry(self, problem: PlanningProblem, formulation: Formulation) -> tuple[_Kept | None, TwoStageProgram]:
        """The kept entry of ``problem``'s structure (None when it cannot be kept) and its program."""
        key = structure_key(problem, formulation) if _knows_every_field() else None
        if key is None:
            return None, compile_two_stage(problem, formulation)
        with self._lock:
            kept = self._kept.get(key)
            if kept is not None:
                self._kept.move_to_end(key)
                self.hits += 1
        if kept is not None:
            return kept, with_demand(kept.program, problem)
        program = compile_two_stage(problem, formulation)
        kept = _Kept(program)
        with self._lock:
            self.misses += 1
            self._kept[key] = kept
            self._kept.move_to_end(key)
            while len(self._kept) > self.size:
                self._kept.popitem(last=False)
        return kept, program

    def two_stage(self, problem: PlanningProblem, formulation: Formulation = FORMULATION) -> TwoStageProgram:
        """``compile_two_stage(problem, formulation)``, from the kept structure when there is one."""
        return self._entry(problem, formulation)[1]

    def extensive(self, problem: PlanningProblem, formulation: Formulation = FORMULATION) -> MatrixModel:
        """``compile_extensive_form(problem, formulation)``, from the kept structure when there is one."""
        kept, program = self._entry(problem, formulation)
        if kept is None:
            return extensive_form(program)
        stacked = kept.stacked
        if stacked is None:
            stacked = kept.stacked = extensive_form(program)
            self._keep_within_budget()
            return replace(stacked, col_lower=stacked.col_lower.copy(), col_upper=stacked.col_upper.copy(),
                           row_lower=stacked.row_lower.copy(), row_upper=stacked.row_upper.copy(),
                           timings=dict(stacked.timings))
        return _extensive_with_demand(stacked, program) or extensive_form(program)

    def _keep_within_budget(self) -> None:
        """Drop the least recently used stacked forms beyond :data:`KEEP_NONZEROS` entries."""
        with self._lock:
            kept = list(self._kept.values())
            total = sum(k.stacked.matrix.nnz for k in kept if k.stacked is not None)
            for older in kept[:-1]:
                if total <= KEEP_NONZEROS:
                    break
                if older.stacked is not None:
                    total -= older.stacked.matrix.nnz
                    older.stacked = None

    def clear(self) -> None:
        with self._lock:
            self._kept.clear()
            self.hits = self.misses = 0


COMPILED = CompiledCache()
"""The process's cache, used by the matrix solver (and so by the worksheet functions' what-ifs)."""
