"""What each MPI process runs under ``xlplan solve --mpi N``: mpi-sppy's hub and spokes on
:func:`xlplan.model.scenario_creator`.

Started by :mod:`xlplan.solver.mpisppy_solver` as ``mpiexec -n N python -m xlplan.solver.mpisppy_job
FOLDER``; FOLDER holds the job (``job.pickle``: the problem, its formulation or None for the
standard one, and the settings) and
receives the answer: ``bounds.json`` from the hub and ``plan.npz`` from the process holding the best
plan. The processes split into cylinders of equal size (mpi-sppy's rule):

- an even number: the L-shaped hub (its master problem gives the lower bound) and an L-shaped xhat
  spoke (the master's plans priced on every scenario: the upper bound);
- an odd multiple of 3: progressive hedging (PH) hub, a Lagrangian bound spoke (the lower bound) and
  an xhat-shuffle spoke (plans tried on every scenario: the upper bound).
"""

from __future__ import annotations

from xlplan import pyomo_scipy  # noqa: F401 - first: Pyomo and SciPy without SciPy's unused modules

# isort: split
import json
import math
import pickle
import sys
import time
from pathlib import Path
from typing import Any

import numpy as np
import pyomo.environ as pyo

from xlplan.model import FORMULATION, Formulation, scenario_creator
from xlplan.model.declarations import index_labels
from xlplan.problem import PlanningProblem

JOB = "job.pickle"
BOUNDS = "bounds.json"
PLAN = "plan.npz"
CONVERGED_PLAN = "converged-plan.npz"
"""The L-shaped hub's own last plan, written when its method converged (no cut left to add): optimal,
while the xhat spoke's best plan (``PLAN``) may still be an earlier one when the hub stops first."""
INFEASIBLE = "infeasible.json"
SOLVER = "highs"


def cylinders_for(ranks: int) -> tuple[str, ...]:
    """The cylinders ``ranks`` processes run, hub first; ValueError when mpi-sppy cannot share them.

    An even number runs L-shaped, whose bounds close on this model; PH's Lagrangian spoke needs an odd
    multiple of 3, and its bound is weak here (plan variables without upper limits leave the Lagrangian
    subproblems unbounded for many multipliers)."""
    if ranks >= 2 and ranks % 2 == 0:
        return ("lshaped", "xhatlshaped")
    if ranks >= 3 and ranks % 3 == 0:
        return ("ph", "lagrangian", "xhatshuffle")
    raise ValueError(f"mpi-sppy shares its processes equally between a hub and its spokes: --mpi takes an "
                     f"even number or a multiple of 3 (2, 3, 4, 6, ...), not {ranks}")


def _config(settings: dict[str, Any]) -> Any:
    from mpisppy.utils import config

    cfg = config.Config()
    for group in ("popular_args", "two_sided_args", "ph_args", "lagrangian_args", "xhatshuffle_args",
                  "lshaped_args", "xhatlshaped_args", "coeff_rho_args"):
        getattr(cfg, group)()
    cfg.solver_name = SOLVER
    cfg.max_iterations = settings["max_iterations"]
    cfg.time_limit = None if settings["time_limit"] is None else math.ceil(settings["time_limit"])
    cfg.rel_gap = settings["rel_gap"]
    cfg.abs_gap = 0.0
    cfg.default_rho = 1.0
    cfg.coeff_rho_multiplier = 1.0
    if settings["threads"] is not None:
        cfg.max_solver_threads = settings["threads"]
    return cfg


def _timed(hub_class: Any, time_limit: float | None) -> Any:
    """``hub_class`` that also stops at the time limit (mpi-sppy's L-shaped hub has none of its own)."""
    started = time.perf_counter()

    class TimedHub(hub_class):  # type: ignore[misc]
        def is_converged(self) -> bool:
            converged = bool(super().is_converged())
            return converged or (time_limit is not None and time.perf_counter() - started >= time_limit)

    return TimedHub


def _wheel(problem: PlanningProblem, formulation: Formulation, settings: dict[str, Any]) -> Any:
    from mpisppy.spin_the_wheel import WheelSpinner
    from mpisppy.utils import cfg_vanilla as vanilla

    cfg = _config(settings)
    names = list(problem.scenarios)
    common = {"scenario_creator": scenario_creator, "scenario_denouement": None, "all_scenario_names": names,
              "scenario_creator_kwargs": {"problem": problem, "formulation": formulation}}
    hub_name, *spoke_names = cylinders_for(settings["ranks"])
    if hub_name == "ph":
        hub = vanilla.ph_hub(cfg, **common)
        # rho in proportion to each plan variable's cost: costs here run from cents to thousands
        vanilla.add_coeff_rho(hub, cfg)
        spokes = [vanilla.lagrangian_spoke(cfg, **common), vanilla.xhatshuffle_spoke(cfg, **common)]
    else:
        hub = vanilla.lshaped_hub(cfg, **common)
        hub["hub_class"] = _timed(hub["hub_class"], settings["time_limit"])
        spokes = [vanilla.xhatlshaped_spoke(cfg, **common)]
    assert len(spokes) == len(spoke_names)
    return WheelSpinner(hub, spokes)


def _plan_writer(problem: PlanningProblem, formulation: Formulation) -> Any:
    """mpi-sppy's first-stage writer, writing the plan by variable name, shaped like its index."""

    def write(file_name: str, scenario: pyo.ConcreteModel, bundling: bool) -> None:
        plan = {}
        for variable in formulation.stage(1):
            component = getattr(scenario.plan, variable.name, None)
            if component is None:
                continue
            keys = [key if len(key) != 1 else key[0] for key in index_labels(problem, variable.index)]
            values = [pyo.value(component[key]) for key in keys] if keys != [()] else [pyo.value(component)]
            plan[variable.name] = np.array(values, dtype=float).reshape(variable.shape(problem))
        with open(file_name, "wb") as file:
            np.savez(file, **plan)  # type: ignore[arg-type]  # numpy types **kwds as its allow_pickle

    return write


def _alone_infeasible(problem: PlanningProblem, formulation: Formulation, comm: Any) -> list[str]:
    """The scenarios that no plan can meet even alone, each process checking its share.

    One such scenario proves the whole problem infeasible; mpi-sppy would abort on it instead."""
    from xlplan.solver.interface import SolveRequest, solver_named
    from xlplan.solver.options import SolveOptions
    from xlplan.solver.status import SolveStatus

    highs = solver_named("highs")
    options = SolveOptions(relax_integrality=True, threads=1, method="extensive")
    mine = [name for name in problem.scenarios[comm.Get_rank()::comm.Get_size()]
            if highs.solve(SolveRequest.resolve(problem.scenario_problem(name), options, formulation)).outcome.status
            is SolveStatus.INFEASIBLE]
    return [name for share in comm.allgather(mine) for name in share]


def run(folder: Path) -> None:
    """Spin mpi-sppy's wheel on the job in ``folder`` and leave the answer there."""
    from mpisppy import MPI

    with open(folder / JOB, "rb") as file:
        problem, formulation, settings = pickle.load(file)
    formulation = formulation or FORMULATION  # the model's own parts are lambdas: sent as None
    started = time.perf_counter()
    infeasible = _alone_infeasible(problem, formulation, MPI.COMM_WORLD)
    if infeasible:
        if MPI.COMM_WORLD.Get_rank() == 0:
            (folder / INFEASIBLE).write_text(json.dumps(infeasible))
        return
    wheel = _wheel(problem, formulation, settings)
    wheel.spin()
    wheel.write_first_stage_solution(str(folder / PLAN), first_stage_solution_writer=_plan_writer(problem, formulation))
    opt = getattr(wheel.spcomm, "opt", None)
    root = getattr(opt, "root", None)
    if (wheel.global_rank == 0 and cylinders_for(settings["ranks"])[0] == "lshaped"
            and getattr(opt, "first_stage_solution_available", False) and hasattr(root, "plan")):
        _plan_writer(problem, formulation)(str(folder / CONVERGED_PLAN), root, False)
    if wheel.global_rank == 0:
        hub = wheel.spcomm
        answer = {
            "inner_bound": float(wheel.BestInnerBound), "outer_bound": float(wheel.BestOuterBound),
            "iterations": int(hub.current_iteration()), "seconds": time.perf_counter() - started,
            "cylinders": list(cylinders_for(settings["ranks"])), "ranks": MPI.COMM_WORLD.Get_size(),
        }
        (folder / BOUNDS).write_text(json.dumps(answer))


if __name__ == "__main__":
    run(Path(sys.argv[1]))
