"""The decomposition method as a registered solver: the L-shaped solver of ``solver/decomposition`` on the
compiled two-stage program, its certificate (lower bound, the plan's exact expected cost, gap) reported
like any other solver's."""

from __future__ import annotations

import time
from typing import Any

import numpy as np

from xlplan import progress
from xlplan.solver.compile import compile_two_stage, values_of
from xlplan.solver.decomposition import WarmCuts, solve_by_decomposition
from xlplan.solver.highs_adapter import highs_versions, release_threads
from xlplan.solver.interface import SolverRun
from xlplan.solver.request import SolveRequest
from xlplan.solver.status import SolverOutcome


class DecompositionSolver:
    """A trust-region L-shaped method over the scenarios: for many scenarios of continuous plans."""

    def available(self) -> bool:
        from xlplan.solver.highs_api import HIGHSPY  # its master and scenarios add rows to a kept HiGHS

        return HIGHSPY

    def versions(self) -> dict[str, str]:
        return highs_versions()

    def solve(self, request: SolveRequest) -> SolverRun:
        if request.fixed_plan is not None:  # nothing to decompose: each scenario's recourse, priced in one LP
            from xlplan.solver.highs_solver import HIGHS_MATRIX

            return HIGHS_MATRIX.solve(request.priced_by_highs())
        from xlplan.solver.highs_api import requires_highspy

        requires_highspy("The decomposition (--method decomposition)")
        started = time.perf_counter()
        options, warm_start = request.options, request.warm_start
        # whole units and rules on an expectation were refused by the request (the registry's features)
        program = compile_two_stage(request.problem, request.formulation)
        handed = time.perf_counter()
        history: list[progress.Bounds] = []

        def report(iteration: int, seconds: float, lower: float, upper: float) -> None:
            gap = (upper - lower) / max(1.0, abs(upper)) if np.isfinite(upper) else None
            state = progress.Bounds(seconds, upper if np.isfinite(upper) else None, lower, gap)
            history.append(state)
            progress.bounds(state.objective, state.bound, state.gap, seconds)

        cuts = warm_start if isinstance(warm_start, WarmCuts) else None
        warm = cuts is not None and cuts.fits(program)
        progress.phase("solving by decomposition (L-shaped" + (", from the last solve's cuts)" if warm else ")"))
        settings: dict[str, Any] = {"gap": options.gap, "time_limit": options.time_limit, "threads": options.threads,
                                    "warm_start": cuts, "options": options}
        try:
            if options.mpi is not None:
                from xlplan.solver.decomposition.mpi import solve_on_ranks

                progress.phase(f"solving by decomposition (L-shaped) on {options.mpi} MPI processes")
                result = solve_on_ranks(program, options.mpi, settings, progress=report)
            else:
                result = solve_by_decomposition(program, progress=report, **settings)
        finally:
            release_threads()
        solved = time.perf_counter()
        has_plan = result.solution.is_plan and result.x is not None and result.y is not None
        method = "decomposition" if options.mpi is None else f"decomposition on {result.processes} MPI processes"
        outcome = SolverOutcome.of(result.termination, result.solution, method,
                                   objective=result.upper_bound if has_plan else None,
                                   bound=result.lower_bound if has_plan else None, gap=result.gap if has_plan else None,
                                   solver_seconds=solved - handed,
                                   iterations={"decomposition": result.iterations, "cuts": result.cuts,
                                               "recourse_solves": result.recourse_solves},
                                   history=history)
        outcome.warm_start = result.warm_start
        plan = recourse = None
        if has_plan:
            x, y = result.x, result.y
            assert x is not None and y is not None
            plan, recourse = values_of(x, program.plan_columns), values_of(y, program.recourse_columns)
        compiled = program.timings.get("build", 0.0) + program.timings.get("compile", 0.0)
        timings = {**program.timings, "hand_over": max(handed - started - compiled, 0.0), "solve": solved - handed,
                   "extract": time.perf_counter() - solved}
        size = {"scenarios_decomposed": program.num_scenarios, "stage_one_columns": int(program.c1.size),
                "recourse_columns_per_scenario": int(program.c2.size), "processes": result.processes}
        return SolverRun(outcome, plan, recourse, timings=timings, model_size=size)


DECOMPOSITION = DecompositionSolver()
