"""Solvers sit behind one interface: the registry names them, every entry solves the same model with
honest statuses, and the command line, the options and the Run log read the registry."""

from __future__ import annotations

import dataclasses
import json
import subprocess
import sys
from pathlib import Path

import pytest

import xlplan
from xlplan.problem.synthetic import synthetic_problem
from xlplan.solver import SolveOptions, SolveStatus
from xlplan.solver.interface import SolveRequest, solver_named
from xlplan.solver.registry import BACKENDS, SOLVERS, UnsupportedRequest
from xlplan.solver.solve import chosen_solver, solve_problem


def test_the_registry_names_every_solver_and_each_is_available():
    assert BACKENDS == ("highs", "pyomo", "mpi-sppy", "decomposition")
    for name, entry in SOLVERS.items():
        solver = solver_named(name)
        assert entry.name == name and entry.method == ("decomposition" if entry.decomposes else "extensive")
        assert solver.available() and entry.supports("duals") != entry.decomposes
        versions = solver.versions()
        assert {"pyomo", "highs", "highspy"} <= set(versions) and all(versions.values())


def test_an_unknown_solver_is_refused_with_the_choices():
    with pytest.raises(ValueError, match="backend must be one of highs, pyomo, mpi-sppy, decomposition, not "):
        SolveOptions(backend="cplex")
    with pytest.raises(ValueError, match="no solver named 'cplex'; the choices are highs, pyomo, mpi-sppy, "
                                         "decomposition"):
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
    run = solver_named(backend).solve(SolveRequest.resolve(impossible, SolveOptions(backend=backend)))
    assert run.outcome.status is SolveStatus.INFEASIBLE
    assert run.plan is None
    # the Pyomo path decides infeasible or unbounded itself; it no longer hands over to the matrix path
    assert (run.matrix_model is None) == (backend == "pyomo")
    result = xlplan.solve(impossible, backend=backend)
    assert result.explanation is not None and result.explanation.rules


@pytest.mark.parametrize("backend", EXTENSIVE)
def test_a_solver_takes_every_choice_from_the_request(electronics, backend):
    request = SolveRequest.resolve(electronics, SolveOptions(backend=backend))
    assert request.whole_units and request.solver.name == backend
    whole = solver_named(backend).solve(request).outcome
    assert round(whole.objective, 2) == 564_471.50
    # the same problem and options, but a request for continuous units: the solver does not decide again
    relaxed = solver_named(backend).solve(dataclasses.replace(request, whole_units=False)).outcome
    assert relaxed.status is SolveStatus.OPTIMAL and relaxed.objective < whole.objective - 1.0
    assert relaxed.reason == "optimal"


def test_a_decomposing_solver_hands_a_fixed_plan_to_highs(electronics):
    plan = xlplan.solve(electronics).solution.plan
    continuous = electronics.with_settings(integer_units=False)
    request = SolveRequest.resolve(continuous, SolveOptions(method="decomposition"), fixed_plan=plan)
    assert request.solver.name == "decomposition"
    priced = solver_named("decomposition").solve(request)
    assert priced.matrix_model is not None  # the extensive form, solved whole by HiGHS
    extensive = solve_problem(continuous, SolveOptions(method="extensive"), fixed_plan=plan)
    assert priced.outcome.objective == pytest.approx(extensive.info.objective, rel=1e-9)
    assert priced.outcome.objective <= 564_471.50  # the optimal whole-unit plan, its recourse in fractions


def test_the_command_line_offers_the_registered_solvers(tmp_path):
    command = str(Path(sys.executable).parent / "xlplan")
    shown = subprocess.run([command, "solve", "--help"], capture_output=True, text=True, check=True).stdout
    assert "the solver: " + ", ".join(SOLVERS) in " ".join(shown.split())
    refused = subprocess.run([command, "solve", str(tmp_path / "book.xlsx"), "--backend", "cplex"],
                             capture_output=True, text=True)
    assert refused.returncode == 2
    assert "invalid choice: 'cplex'" in refused.stderr and "Traceback" not in refused.stderr


def test_the_decomposition_is_a_registered_solver_with_the_extensive_forms_answer():
    problem = synthetic_problem(periods=12, scenarios=30, seed=5)
    extensive = xlplan.solve(problem, method="extensive")
    decomposed = xlplan.solve(problem, method="decomposition")
    assert decomposed.status is SolveStatus.OPTIMAL and decomposed.info.backend == "decomposition"
    assert decomposed.objective == pytest.approx(extensive.objective, rel=1e-6)
    assert decomposed.info.bound <= extensive.objective * (1 + 1e-9) and decomposed.info.gap <= 1e-6
    assert decomposed.summary()["method"] == "decomposition" and extensive.summary()["method"] == "extensive"
    assert decomposed.costs["total"].sum() == pytest.approx(decomposed.objective, rel=1e-6)
    assert decomposed.info.history and decomposed.info.history[-1].bound == pytest.approx(decomposed.info.bound)


def test_auto_chooses_by_size_and_says_so(electronics):
    from xlplan.solver.solve import chosen_solver

    many = synthetic_problem(periods=4, scenarios=600, seed=1)
    assert chosen_solver(many, SolveOptions()) == "decomposition"
    assert chosen_solver(many, SolveOptions(method="extensive")) == "highs"
    assert chosen_solver(many.with_settings(integer_units=True), SolveOptions()) == "highs"  # whole units
    assert chosen_solver(electronics, SolveOptions()) == "highs"
    result = xlplan.solve(many)
    assert result.info.backend == "decomposition" and "method auto: decomposition, for 600 scenarios" in result.message


@pytest.mark.parametrize(("products", "scenarios", "decomposed"), [
    (3, 499, False), (3, 500, True), (6, 500, True), (7, 500, False), (7, 999, False),
    (7, 1000, True), (12, 1000, True), (12, 999, False), (13, 1000, False), (12, 10_000, True)])
def test_auto_decomposes_from_500_scenarios_of_6_products_or_1000_of_12(products, scenarios, decomposed):
    from xlplan.solver.solve import chosen_solver

    problem = synthetic_problem(periods=2, scenarios=scenarios, seed=1, products=products)
    assert chosen_solver(problem, SolveOptions()) == ("decomposition" if decomposed else "highs")


def test_whole_units_by_decomposition_are_refused_in_words(electronics):
    with pytest.raises(UnsupportedRequest, match="the decomposition method solves continuous plans"):
        xlplan.solve(electronics, method="decomposition")


@pytest.mark.parametrize(("options", "words"), [
    ({"method": "extensive", "mpi": 2, "backend": "mpi-sppy"},
     "mpi-sppy decomposes the scenarios and method 'extensive' solves the extensive form whole: choose one"),
    ({"method": "extensive", "mpi": 2}, "method 'extensive' solves the extensive form whole: choose one"),
    ({"mpi": 2, "backend": "pyomo"}, "mpi runs the decomposition"),
    ({"method": "extensive", "backend": "decomposition"}, "backend 'decomposition' decomposes the scenarios and "
                                                          "method 'extensive' solves the extensive form whole"),
    ({"method": "extensive", "backend": "mpi-sppy"}, "backend 'mpi-sppy' decomposes the scenarios"),
    ({"method": "decomposition", "backend": "pyomo"}, "method 'decomposition' runs the built-in decomposition and "
                                                      "backend 'pyomo' the extensive form: choose one"),
])
def test_contradictory_options_are_refused_in_one_sentence(options, words):
    with pytest.raises(UnsupportedRequest, match=words):
        SolveOptions(**options)


def test_options_that_agree_choose_their_solver():
    problem = synthetic_problem(periods=2, scenarios=3, seed=1)
    assert chosen_solver(problem, SolveOptions(method="decomposition")) == "decomposition"
    assert chosen_solver(problem, SolveOptions(method="decomposition", backend="mpi-sppy")) == "mpi-sppy"
    assert chosen_solver(problem, SolveOptions(method="extensive", backend="pyomo")) == "pyomo"
    assert chosen_solver(problem, SolveOptions(backend="decomposition")) == "decomposition"
    assert chosen_solver(problem, SolveOptions(method="decomposition", mpi=4)) == "decomposition"  # on 4 ranks
    assert chosen_solver(problem, SolveOptions(mpi=2, backend="mpi-sppy")) == "mpi-sppy"


@pytest.mark.parametrize("arguments", [["--method", "extensive", "--backend", "decomposition"],
                                       ["--method", "extensive", "--mpi", "2"]])
def test_contradictory_options_exit_2_at_the_command_line(tmp_path, capsys, arguments):
    from xlplan.frontends.cli import USAGE, main
    from xlplan.workbook import write_synthetic

    book = tmp_path / "book.xlsx"
    write_synthetic(book, products=2, periods=3, scenarios=2, seed=1)
    capsys.readouterr()
    assert main(["solve", str(book), "--json", *arguments]) == USAGE
    captured = capsys.readouterr()
    payload = json.loads(captured.out)
    assert payload["status"] == "usage error" and "choose one" in payload["message"]
    assert len(captured.err.strip().splitlines()) == 1 and not (tmp_path / "book-plan.xlsx").exists()


def test_a_fill_rate_target_under_the_decomposition_is_a_usage_error(tmp_path, capsys):
    """The workbook's rule on an expectation cannot be split by scenario: exit 2 and the reason, not an
    internal error (1)."""
    from xlplan.frontends.cli import USAGE, main
    from xlplan.workbook.make.inputs import input_sheets
    from xlplan.workbook.write.render_xlsxwriter import render_workbook

    book = tmp_path / "served.xlsx"
    served = synthetic_problem(periods=4, scenarios=3, seed=3).with_settings(fill_rate_target=0.9)
    render_workbook(str(book), input_sheets(served), title="served")
    assert main(["solve", str(book), "--json", "--method", "decomposition"]) == USAGE
    payload = json.loads(capsys.readouterr().out)
    assert payload["exit_code"] == USAGE and payload["status"] == "usage error"
    assert "fill rate target ties all scenarios together" in payload["message"]
    assert not (tmp_path / "served-plan.xlsx").exists()


def test_a_solver_is_its_module_and_one_registry_line(tmp_path, capsys, monkeypatch):
    """Nothing but the registry names a solver: the built-in decomposition registered again under a new name
    (its module standing for a new one) is offered, chosen, recorded and reported as a decomposition."""
    from tests.workbooks import FACTORY_PHYSICS, copy_of
    from xlplan.frontends.cli import main

    monkeypatch.setitem(SOLVERS, "lshaped-2", dataclasses.replace(SOLVERS["decomposition"], name="lshaped-2"))
    book = copy_of(FACTORY_PHYSICS, tmp_path)
    assert main(["solve", str(book), "--backend", "lshaped-2", "--method", "decomposition", "--json"]) == 0
    payload = json.loads(capsys.readouterr().out)
    assert (payload["solver"], payload["method"], payload["status"]) == ("lshaped-2", "decomposition", "optimal")
    assert round(payload["objective"], 6) == 1_292_662.857143
    served = synthetic_problem(periods=4, scenarios=3, seed=3).with_settings(fill_rate_target=0.9)
    with pytest.raises(UnsupportedRequest, match="which lshaped-2 cannot split"):  # its refusal names it
        xlplan.solve(served, backend="lshaped-2", method="decomposition")
