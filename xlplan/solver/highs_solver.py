"""The default solver: HiGHS on the extensive form's matrices, compiled once from a one-scenario template
(and kept per structure: a what-if that only changes demand recomputes right-hand sides, ``compiled_cache``).

Large whole-unit problems start from the LP relaxation's rounded plan (``whole_units``)."""

from __future__ import annotations

import time

from xlplan.solver.compiled_cache import COMPILED
from xlplan.solver.extensive_form import solve_matrix_model
from xlplan.solver.highs_adapter import highs_versions
from xlplan.solver.interface import SolverRun
from xlplan.solver.program import values_of
from xlplan.solver.request import SolveRequest
from xlplan.solver.warm import WarmBasis
from xlplan.solver.whole_units import is_large_mip, solve_whole_units


class HighsMatrixSolver:
    """HiGHS on the extensive form's matrices, compiled once from a one-scenario template."""

    def available(self) -> bool:
        return True

    def versions(self) -> dict[str, str]:
        return highs_versions()

    def solve(self, request: SolveRequest) -> SolverRun:
        model = COMPILED.extensive(request.problem, request.formulation)
        if request.fixed_plan is not None:
            model.fix_plan(request.fixed_plan)
        whole, warm_start = request.whole_units, request.warm_start
        if is_large_mip(model, whole):
            outcome = solve_whole_units(model, request.options)
        else:
            outcome = solve_matrix_model(model, request.options, whole_units=whole,
                                         warm_start=warm_start if isinstance(warm_start, WarmBasis) else None)
        plan = recourse = None
        if outcome.x is not None:
            extract_started = time.perf_counter()
            plan = values_of(outcome.x, model.plan_columns)
            recourse = values_of(outcome.x, model.recourse_columns)
            outcome.timings["extract"] += time.perf_counter() - extract_started
        size = {"rows": model.num_rows, "columns": model.num_cols, "nonzeros": int(model.matrix.nnz),
                "integer_columns": int(model.integer.sum()) if whole else 0}
        return SolverRun(outcome, plan, recourse, timings={**model.timings, **outcome.timings},
                         model_size=size, matrix_model=model)


HIGHS_MATRIX = HighsMatrixSolver()
