"""xlplan's model for mpi-sppy's own drivers, in its module contract: a workbook's plan solved by
``generic_cylinders``, with any of its hubs and spokes or its extensive form::

    python -m mpisppy.generic_cylinders --module-name xlplan.frontends.mpisppy_module \\
        --xlplan-workbook BOOK.xlsx --solver-name highs --EF

    mpiexec -n 2 python -m mpi4py -m mpisppy.generic_cylinders --module-name xlplan.frontends.mpisppy_module \\
        --xlplan-workbook BOOK.xlsx --solver-name highs --lshaped --xhatlshaped --max-iterations 50

``inparser_adder`` adds ``--xlplan-workbook``; ``kw_creator`` reads it once into the keyword arguments of
:func:`xlplan.model.scenario_creator` (the problem, and the model its settings ask for: a risk weight adds
mean-CVaR); ``scenario_names_creator`` names the workbook's scenarios; ``scenario_denouement`` has nothing
to add. ``xlplan solve --mpi N`` runs the same model through its own job files, and prices and writes the
plan into the workbook; this module leaves the answer to mpi-sppy's own options (``--solution-base-name``).
"""

from __future__ import annotations

from typing import Any

from xlplan.model import Formulation, scenario_creator
from xlplan.model.formulation import formulation_for
from xlplan.problem import PlanningProblem

__all__ = ["inparser_adder", "kw_creator", "scenario_creator", "scenario_denouement", "scenario_names_creator"]

_read: dict[str, tuple[PlanningProblem, Formulation]] = {}
"""The workbooks read in this process, by path: every scenario of a process is made from one reading."""


def inparser_adder(cfg: Any) -> None:
    """mpi-sppy's options, plus the workbook to solve."""
    cfg.num_scens_optional()
    cfg.add_to_config("xlplan_workbook", description="the xlplan workbook (.xlsx or .xlsm) whose plan to solve",
                      domain=str, default=None)


def _problem(path: str | None) -> tuple[PlanningProblem, Formulation]:
    if path is None:
        raise ValueError("name the workbook to solve: --xlplan-workbook BOOK.xlsx")
    if path not in _read:
        from xlplan.workbook import FileSource
        from xlplan.workbook.read.reader import read_problem

        source = FileSource(path)
        try:
            problem = read_problem(source)
        finally:
            source.close()
        _read[path] = (problem, formulation_for(problem.settings))
    return _read[path]


def kw_creator(cfg: Any) -> dict[str, Any]:
    """The keyword arguments of ``scenario_creator``: the workbook's problem and its model."""
    problem, formulation = _problem(cfg.xlplan_workbook)
    return {"problem": problem, "formulation": formulation}


def scenario_names_creator(num_scens: int | None, start: int | None = None) -> list[str]:
    """The workbook's scenario names (``num_scens`` of them from ``start``; all when None). The workbook is
    the one ``kw_creator`` read, which mpi-sppy's drivers call first."""
    if len(_read) != 1:
        raise RuntimeError("the scenario names come from the workbook kw_creator reads: call it first")
    (problem, _), = _read.values()
    first = start or 0
    names = list(problem.scenarios)
    return names[first:] if num_scens is None else names[first:first + num_scens]


def scenario_denouement(rank: int, scenario_name: str, scenario: Any) -> None:
    """Nothing to report per scenario: the plan is read from mpi-sppy's solution files."""
