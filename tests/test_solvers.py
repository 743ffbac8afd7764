"""Solvers sit behind one interface: the registry names them, every entry solves the same model with
honest statuses, and the command line, the options and the Run log read the registry."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

import xlplan
from xlplan.solver import SolveOptions, SolveStatus
from xlplan.solver.interface import BACKENDS, SOLVERS, solver_named


def test_the_registry_names_every_solver_and_each_is_available():
    assert BACKENDS == ("highs", "pyomo", "mpi-sppy")
    for name, entry in SOLVERS.items():
        solver = solver_named(name)
        assert solver.name == name and solver.method == entry.method and solver.available()
        versions = solver.versions()
        assert {"pyomo", "highs", "highspy"} <= set(versions) and all(versions.values())


def test_an_unknown_solver_is_refused_with_the_choices():
    with pytest.raises(ValueError, match="backend must be one of highs, pyomo, mpi-sppy, not 'cplex'"):
        SolveOptions(backend="cplex")
    with pytest.raises(ValueError, match="no solver named 'cplex'; the choices are highs, pyomo, mpi-sppy"):
        solver_named("cplex")


# the extensive form's solvers; mpi-sppy's processes are tested in tests/test_mpi.py
EXTENSIVE = tuple(name for name, entry in SOLVERS.items() if entry.method == "extensive")


@pytest.mark.parametrize("backend", EXTENSIVE)
def test_every_solver_gives_the_reference_optimum_and_records_itself(electronics, backend):
    result = xlplan.solve(electronics, backend=backend)
    assert result.status is SolveStatus.OPTIMAL
    assert round(result.objective, 2) == 564_471.50
    assert result.info.backend == backend
    assert result.info.versions["xlplan"] == xlplan.__version__


@pytest.mark.parametrize("backend", EXTENSIVE)
def test_every_solver_says_infeasible_by_itself_and_the_explanation_is_shared(electronics, backend):
    impossible = electronics.with_settings(backorders_allowed=False, warehouse_capacity=1.0, overflow_capacity=0.0)
    run = solver_named(backend).solve(impossible, SolveOptions())
    assert run.outcome.status is SolveStatus.INFEASIBLE
    assert run.plan is None
    # the Pyomo path decides infeasible or unbounded itself; it no longer hands over to the matrix path
    assert (run.matrix_model is None) == (backend == "pyomo")
    result = xlplan.solve(impossible, backend=backend)
    assert result.explanation is not None and result.explanation.rules


def test_the_command_line_offers_the_registered_solvers(tmp_path):
    command = str(Path(sys.executable).parent / "xlplan")
    shown = subprocess.run([command, "solve", "--help"], capture_output=True, text=True, check=True).stdout
    assert "the solver: " + ", ".join(SOLVERS) in " ".join(shown.split())
    refused = subprocess.run([command, "solve", str(tmp_path / "book.xlsx"), "--backend", "cplex"],
                             capture_output=True, text=True)
    assert refused.returncode == 2
    assert "invalid choice: 'cplex'" in refused.stderr and "Traceback" not in refused.stderr
