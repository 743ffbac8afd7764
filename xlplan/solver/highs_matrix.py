"""The default solver: HiGHS on the extensive form's matrices, compiled once from a one-scenario template
(and kept per structure: a what-if that only changes demand recomputes right-hand sides, ``compiled_cache``).

Large whole-unit problems start from the LP relaxation's rounded plan (``whole_units``)."""

from __future__ import annotations

import time

from xlplan.model import FORMULATION, Formulation
from xlplan.problem import PlanningProblem
from xlplan.solver.compile import values_of
from xlplan.solver.compiled_cache import COMPILED
from xlplan.solver.extensive_form import solve_matrix_model
from xlplan.solver.highs_direct import highs_versions
from xlplan.solver.interface import SolverRun, Values
from xlplan.solver.options import SolveOptions
from xlplan.solver.warm import Learned, WarmStart
from xlplan.solver.whole_units import is_large_mip, solve_whole_units


class HighsMatrixSolver:
    """HiGHS on the extensive form's matrices, compiled once from a one-scenario template."""

    def available(self) -> bool:
        return True

    def versions(self) -> dict[str, str]:
        return highs_versions()

    def solve(self, problem: PlanningProblem, options: SolveOptions, *, fixed_plan: Values | None = None,
              formulation: Formulation | None = None, warm_start: Learned | None = None) -> SolverRun:
        model = COMPILED.extensive(problem, formulation or FORMULATION)
        if fixed_plan is not None:
            model.fix_plan(fixed_plan)
        if is_large_mip(model, options):
            outcome = solve_whole_units(model, options)
        else:
            outcome = solve_matrix_model(model, options, warm_start if isinstance(warm_start, WarmStart) else None)
        plan = recourse = None
        if outcome.x is not None:
            extract_started = time.perf_counter()
            plan = values_of(outcome.x, model.plan_columns)
            recourse = values_of(outcome.x, model.recourse_columns)
            outcome.timings["extract"] += time.perf_counter() - extract_started
        size = {"rows": model.num_rows, "columns": model.num_cols, "nonzeros": int(model.matrix.nnz),
                "integer_columns": 0 if options.relax_integrality else int(model.integer.sum())}
        return SolverRun(outcome, plan, recourse, timings={**model.timings, **outcome.timings},
                         model_size=size, matrix_model=model)


HIGHS_MATRIX = HighsMatrixSolver()
