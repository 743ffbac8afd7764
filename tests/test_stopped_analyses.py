"""A solve stopped by a limit or by Ctrl+C is never presented as optimal: compare labels it on the
sheet, in its lines, its JSON and its exit code, gives VSS and EVPI as the ranges the bounds prove,
and Ctrl+C ends solve and compare promptly with exit 130 and the workbook as it was."""

from __future__ import annotations

import argparse
import json
import signal
import subprocess
import sys

import numpy as np
import openpyxl
import pytest

from tests.libreoffice import pdf_text
from tests.workbooks import ELECTRONICS, copy_of, digest, edited
from xlplan.analysis import sample_problem, stochastic_value
from xlplan.analysis.value import AnalysisError
from xlplan.commands import compare, frontier
from xlplan.frontends.cli import EXIT_BY_OUTCOME, INTERRUPTED, STOPPED, _failure, main
from xlplan.problem import reference
from xlplan.problem.synthetic import synthetic_problem
from xlplan.simulation import DemandModel
from xlplan.solver import SolveOptions, SolveStatus
from xlplan.workbook import FileSource, write_sheets
from xlplan.workbook.make.inputs import input_sheets
from xlplan.workbook.write.render_xlsxwriter import render_workbook

FIRST_PLAN_ONLY = {"mip_max_improving_sols": 1}
"""HiGHS stops at its first plan: a limit that stops a solve with a plan, the same on every machine."""


def _volatile_electronics():
    """Electronics with lost sales and demand CV 0.3: a MIP that HiGHS does not close at its root."""
    problem = reference.electronics().with_settings(lost_sales_allowed=True)
    demand = DemandModel("normal", problem.expected_demand, cv=np.full(3, 0.3))
    return sample_problem(problem, demand, 20, seed=7)


def test_a_stopped_recourse_solve_gives_bounds_not_figures():
    problem = _volatile_electronics()
    exact = stochastic_value(problem, SolveOptions(mip_gap=0.0))
    stopped = stochastic_value(problem, SolveOptions(mip_gap=0.0, highs_options=FIRST_PLAN_ONLY))
    assert stopped.recourse_result.status is SolveStatus.STOPPED_WITH_PLAN and not stopped.exact
    assert stopped.stopped[0].startswith("the recourse (stochastic) problem: the solution limit was reached")
    figures = stopped.as_dict()
    assert figures["VSS"] is None and figures["EVPI"] is None and figures["exact"] is False
    assert figures["RP_bound"] <= exact.recourse + 1e-6 <= figures["RP"] + 2e-6
    tolerance = 1e-6 * exact.recourse
    low, high = figures["VSS_range"]
    assert low - tolerance <= exact.vss <= high + tolerance
    low, high = figures["EVPI_range"]
    assert low - tolerance <= exact.evpi <= high + tolerance
    assert exact.as_dict()["VSS"] == pytest.approx(exact.vss) and exact.as_dict()["VSS_range"] == [exact.vss] * 2


def _volatile(book):
    """The electronics workbook with lost sales and demand CV 0.3 (see ``_volatile_electronics``)."""
    settings, uncertainty = book["Settings"], book["Uncertainty"]
    settings["B12"] = "Yes"  # lost sales allowed
    for cell, value in {"B6": 6, "B7": "normal", "B8": 20, "B10": 1.0, "B11": 1.1, "B12": 0.05}.items():
        uncertainty[cell] = value
    header = next(c.row for c in uncertainty["A"] if c.value == "Product")  # the noise table
    for row in range(header + 1, header + 4):
        uncertainty[f"B{row}"] = 0.3  # demand CV


def test_compare_on_stopped_solves_says_so_everywhere(tmp_path, libreoffice):
    book = edited(ELECTRONICS, tmp_path, _volatile)
    source = FileSource(book)
    try:
        outcome = compare(source, replications=2000,
                          options=SolveOptions(mip_gap=0.0, highs_options=FIRST_PLAN_ONLY))
    finally:
        source.close()
    assert outcome.status == "stopped" and EXIT_BY_OUTCOME[outcome.status] == STOPPED
    assert outcome.lines[0].startswith("STOPPED: a limit stopped")
    assert any("(bounds only: a solve was stopped)" in line for line in outcome.lines)
    assert outcome.warnings and {w.code for w in outcome.warnings} == {"stopped"}
    value = outcome.summary["value_of_stochastic_solution"]
    assert value["VSS"] is None and value["EVPI"] is None and None not in value["EVPI_range"]
    assert any(line.startswith("the recourse (stochastic) problem") for line in outcome.summary["stopped_solves"])
    stochastic = next(s for s in outcome.summary["strategies"] if s["strategy"] == "stochastic")
    assert stochastic["stopped"] is True

    out = tmp_path / "compare.xlsx"
    write_sheets(outcome.sheets, book, out)
    sheet = openpyxl.load_workbook(out, data_only=True)["Compare"]
    assert sheet["A2"].value.startswith("STOPPED: a limit stopped")
    cells = {row[0]: row[1:] for row in sheet.iter_rows(values_only=True) if row[0]}
    rp, bound, vss = "Stochastic plan: expected cost", "Stochastic plan: cost proven at least", \
        "Gain from planning for uncertainty"
    assert cells[rp][1].startswith("best plan found (stopped)")
    assert cells[bound][0] == pytest.approx(value["RP_bound"])
    assert cells[vss][0] in (None, "") and "between" in cells[vss][1]
    assert "optimal expected cost" not in cells[rp][1]
    log = openpyxl.load_workbook(out, data_only=True)["Run log"]
    assert log["B7"].value.startswith("stopped; recommended: ")
    text = pdf_text(libreoffice.convert(out, "pdf", tmp_path / "pdf"))
    assert "STOPPED" in text and "best plan found (stopped)" in text


def test_compare_stopped_before_the_stochastic_plan_exits_5_and_writes_what_it_finished(tmp_path, capsys):
    book = copy_of(ELECTRONICS, tmp_path)
    before = digest(book)
    code = main(["compare", str(book), "--time-limit", "0.05", "--mip-gap", "0", "--replications", "1000", "--json"])
    payload = json.loads(capsys.readouterr().out)
    assert code == STOPPED == payload["exit_code"] and payload["status"] == "stopped"
    assert "before any plan was found" in payload["unfinished"][0]
    assert [s["strategy"] for s in payload["strategies"]] == ["deterministic", "best buffered"]
    assert digest(book) == before  # the input is never written; the finished plans went to BOOK-compare.xlsx
    written = openpyxl.load_workbook(payload["output"])
    assert {"Compare", "Plans", "Run log"} <= set(written.sheetnames)


def test_frontier_on_stopped_solves_ends_stopped_not_done(tmp_path):
    """Every point stopped at HiGHS's first plan: the command ends 'stopped' (exit 5), never 'done'."""
    book = edited(ELECTRONICS, tmp_path, _volatile)
    source = FileSource(book)
    try:
        outcome = frontier(source, weights=(0.0, 1.0), replications=200,
                           options=SolveOptions(mip_gap=0.0, highs_options=FIRST_PLAN_ONLY))
    finally:
        source.close()
    assert [p["status"] for p in outcome.summary["points"]] == ["stopped with plan"] * 2
    assert outcome.summary["all_optimal"] is False
    assert outcome.status == "stopped" and EXIT_BY_OUTCOME[outcome.status] == STOPPED
    assert outcome.lines[0].startswith("STOPPED: a limit stopped 2 solve(s)")
    assert all(line.endswith("(best found, stopped)") for line in outcome.lines[1:])
    assert [w.code for w in outcome.warnings] == ["stopped", "stopped"]


def test_frontier_stopped_before_any_plan_exits_5_not_4(tmp_path):
    """A limit that stops a point's solve before any plan is a limit (5), not a plan that cannot exist (4)."""
    book = copy_of(ELECTRONICS, tmp_path)
    source = FileSource(book)
    no_iterations = {"simplex_iteration_limit": 0, "presolve": "off"}
    try:
        with pytest.raises(AnalysisError, match="before any plan was found") as raised:
            frontier(source, weights=(0.0,), replications=100,
                     options=SolveOptions(relax_integrality=True, highs_options=no_iterations))
    finally:
        source.close()
    code, payload, _ = _failure(argparse.Namespace(command="frontier", book=book), raised.value)
    assert raised.value.stopped and code == STOPPED == payload["exit_code"] and payload["status"] == "stopped"


def _hard_workbook(folder):
    """A workbook whose solve to a zero gap takes HiGHS about 50 s here, so it is still running when
    Ctrl+C is pressed, even on a machine several times faster."""
    path = folder / "hard.xlsx"
    render_workbook(str(path), input_sheets(synthetic_problem(periods=52, scenarios=20, integer_units=True)),
                    title="hard")
    return path


@pytest.mark.parametrize("command, moment, later", [
    ("solve", "solving the MIP (HiGHS): ", "laying out the output sheets"),
    ("compare", "compare: step 1 of 4", "compare: step 2 of 4")])
def test_ctrl_c_exits_130_promptly_and_leaves_the_file(tmp_path, command, moment, later):
    """Ctrl+C pressed while the command works (its progress line says so: for the solve, a line of HiGHS's
    search, its best plan and bound) ends it with 130 where it stands: it does not carry on to its next step
    (``later``), and the file is as it was."""
    book = _hard_workbook(tmp_path) if command == "solve" else copy_of(ELECTRONICS, tmp_path)
    before = digest(book)
    process = subprocess.Popen([sys.executable, "-m", "xlplan", command, str(book), "--in-place",
                                "--mip-gap", "0", "--json"], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                               stdin=subprocess.DEVNULL, text=True)
    assert process.stderr is not None
    seen = ""
    for line in process.stderr:
        seen += line
        if line.startswith(f"xlplan: {moment}"):
            break
    assert process.poll() is None, "the command ended before it could be interrupted"
    process.send_signal(signal.SIGINT)
    out, err = process.communicate(timeout=600)
    err = seen + err
    assert process.returncode == INTERRUPTED, err
    assert f"xlplan: {later}" not in err  # it stopped where it stood
    payload = json.loads(out)  # highspy's "Ctrl-C pressed" line went to stderr
    assert payload["status"] == "interrupted" and payload["exit_code"] == INTERRUPTED
    assert "Traceback" not in err and "interrupted; no file was changed" in err
    assert digest(book) == before
    assert sorted(p.name for p in tmp_path.iterdir() if p.is_file()) == [book.name]


def test_compare_keeps_the_plans_it_finished_when_a_limit_stops_the_stochastic_plan(tmp_path):
    """An iteration limit (the same on every machine) that the deterministic plans' small LPs stay within and
    the stochastic problem's does not: the buffer search's work is written, labelled stopped, not thrown away."""
    from tests.workbooks import FACTORY_PHYSICS

    limited = SolveOptions(highs_options={"simplex_iteration_limit": 200})
    outcome = compare(FileSource(FACTORY_PHYSICS), replications=500, options=limited)
    assert outcome.status == "stopped" and EXIT_BY_OUTCOME[outcome.status] == STOPPED
    assert [s["strategy"] for s in outcome.summary["strategies"]] == ["deterministic", "best buffered"]
    assert outcome.summary["value_of_stochastic_solution"] is None
    assert "the iteration limit was reached before any plan was found" in outcome.summary["unfinished"][0]
    assert outcome.lines[0].startswith("STOPPED: a limit stopped 1 solve(s)")
    target = tmp_path / "stopped.xlsx"
    write_sheets(outcome.sheets, FACTORY_PHYSICS, target)
    book = openpyxl.load_workbook(target)
    compared = [c.value for row in book["Compare"].iter_rows() for c in row if isinstance(c.value, str)]
    assert compared[1].startswith("STOPPED: a limit stopped 1 solve(s)")
    assert "What planning for uncertainty is worth: not computed, the stochastic plan was not finished" in compared
    kept = {row[0] for row in book["Plans"].iter_rows(min_row=6, values_only=True) if row[0]}
    assert kept == {"deterministic", "best buffered"}
    log = book["Run log"]
    assert log["B7"].value.startswith("stopped; recommended: ")
