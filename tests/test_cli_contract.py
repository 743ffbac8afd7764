"""The command line's contract: usage errors in one line, one JSON shape for every command and every
ending, arguments parsed before the solver stack loads, a stale Plan sheet flagged."""

from __future__ import annotations

import json
import subprocess
import sys

import openpyxl
import pytest

from tests.workbooks import ELECTRONICS, FACTORY_PHYSICS, copy_of, edited, folder_state
from xlplan.commands import BY_NAME
from xlplan.commands.options import options_of
from xlplan.frontends.cli import FILE_ERROR, FILE_OPTIONS, INVALID, OK, USAGE, main

COMMON = ["command", "status", "exit_code", "versions", "seed", "options", "warnings"]
"""The keys every JSON summary starts with, in this order (see the README)."""


def _json(capsys, *args) -> tuple[int, dict]:
    code = main([*map(str, args), "--json"])
    out = capsys.readouterr().out
    return code, json.loads(out)


def _shape(payload: dict, command: str | None, status: str, code: int) -> None:
    assert list(payload)[: len(COMMON)] == COMMON
    assert (payload["command"], payload["status"], payload["exit_code"]) == (command, status, code)
    if command in BY_NAME and status != "usage error":  # its options as declared, and where its results go
        declared = [option.name for option in options_of(BY_NAME[command].options)]
        assert list(payload["options"]) == declared + [o for o in FILE_OPTIONS if o in payload["options"]]
    assert payload["versions"]["xlplan"] and payload["versions"]["highspy"]
    assert all(set(w) == {"code", "message"} for w in payload["warnings"])


@pytest.mark.parametrize("command, argv, message", [
    ("solve", ["--mip-gap", "-1"], "argument --mip-gap: must be at least 0 and below 1"),
    ("solve", ["--threads", "0"], "argument --threads: must be a whole number of at least 1, not 0"),
    ("solve", ["--time-limit", "0"], "argument --time-limit: must be a positive number of seconds, not 0"),
    ("solve", ["--time-limit", "inf"], "must be a positive number of seconds, not inf"),
    ("simulate", ["--replications", "-5"], "argument --replications: must be a whole number of at least 1, not -5"),
    ("simulate", ["--replications", "0"], "argument --replications: must be a whole number of at least 1, not 0"),
    ("compare", ["--seed", "-1"], "argument --seed: must be a whole number of at least 0"),
    ("solve", ["--lp-algorithm", "hipo"], "--lp-algorithm hipo: HiGHS's parallel interior point (hipo) is not "
                                          "available"),
    ("solve", ["--no-backup"], "--no-backup only applies with --in-place"),
    ("simulate", ["-o", "BOOK"], "names the input workbook; to write into it, use --in-place"),
])
def test_user_mistakes_are_usage_errors_in_one_line(tmp_path, capsys, command, argv, message):
    book = copy_of(ELECTRONICS, tmp_path)
    before = folder_state(tmp_path)
    argv = [str(book) if a == "BOOK" else a for a in argv]
    assert main([command, str(book), *argv]) == USAGE
    err = capsys.readouterr().err
    assert message in err and err.startswith(f"xlplan {command}: error: ")
    assert err.count("\n") == 1 and "Traceback" not in err
    code, payload = _json(capsys, command, book, *argv)
    assert code == USAGE
    _shape(payload, command, "usage error", USAGE)
    assert message in payload["message"]
    assert folder_state(tmp_path) == before  # -o naming the input did not overwrite it


def test_usage_error_from_the_installed_command_has_no_traceback(tmp_path):
    run = subprocess.run([sys.executable, "-m", "xlplan", "simulate", str(ELECTRONICS),
                          "--replications", "-5", "--json"], capture_output=True, text=True, timeout=600)
    assert run.returncode == USAGE and "Traceback" not in run.stderr and len(run.stderr.splitlines()) == 1
    assert json.loads(run.stdout)["status"] == "usage error"


def test_every_command_prints_one_json_shape(tmp_path, capsys):
    book = copy_of(FACTORY_PHYSICS, tmp_path)
    code, valid = _json(capsys, "validate", book)
    _shape(valid, "validate", "valid", OK)
    assert valid["seed"] is None and valid["products"] == ["Product"]

    code, solved = _json(capsys, "solve", book, "--in-place", "--no-backup")
    _shape(solved, "solve", "optimal", OK)
    assert solved["versions"]["highs"] and solved["options"]["mip_gap"] == 1e-4 and solved["options"]["in_place"]
    assert round(solved["objective"], 6) == 1_292_662.857143 and solved["seed"] is None

    code, simulated = _json(capsys, "simulate", book, "-o", tmp_path / "s.xlsx", "--replications", 2000,
                            "--seed", 7)
    _shape(simulated, "simulate", "done", OK)
    assert simulated["seed"] == 7 and simulated["options"]["replications"] == 2000 and simulated["warnings"] == []
    assert simulated["replications"] == 2000 and simulated["output"] == str(tmp_path / "s.xlsx")

    code, exact = _json(capsys, "simulate", book, "-o", tmp_path / "x.xlsx", "--exact")
    assert code == OK and exact["seed"] is None  # nothing random

    code, compared = _json(capsys, "compare", book, "-o", tmp_path / "c.xlsx", "--replications", 2000)
    _shape(compared, "compare", "done", OK)
    assert compared["seed"] == 2026 and compared["stopped_solves"] == []
    assert compared["value_of_stochastic_solution"]["exact"] is True

    code, cleared = _json(capsys, "clear", tmp_path / "c.xlsx", "-o", tmp_path / "clean.xlsx")
    _shape(cleared, "clear", "done", OK)
    names = openpyxl.load_workbook(tmp_path / "clean.xlsx", read_only=True).sheetnames
    assert not {"Plan", "Recourse", "Compare", "Simulation", "Run log"} & set(names) and "Settings" in names


def test_errors_print_the_same_shape(tmp_path, capsys):
    code, missing = _json(capsys, "solve", tmp_path / "nowhere.xlsx")
    assert code == FILE_ERROR
    _shape(missing, "solve", "file error", FILE_ERROR)
    assert "nowhere.xlsx" in missing["message"]

    broken = edited(ELECTRONICS, tmp_path, lambda b: b["Settings"].__setitem__("B7", "lots"))
    code, invalid = _json(capsys, "compare", broken)
    assert code == INVALID
    _shape(invalid, "compare", "invalid", INVALID)
    assert invalid["issues"][0]["where"].startswith("Settings!B7")


def test_a_plan_solved_for_other_inputs_is_flagged(tmp_path, capsys):
    book = copy_of(FACTORY_PHYSICS, tmp_path)
    assert main(["solve", str(book), "--in-place", "--no-backup"]) == OK
    capsys.readouterr()

    def double_demand(workbook):
        for row in workbook["Demand"].iter_rows(min_row=5, min_col=3):
            for cell in row:
                if isinstance(cell.value, int | float):
                    cell.value *= 2

    changed = edited(book, tmp_path, double_demand, name="changed.xlsx")
    code, fresh = _json(capsys, "simulate", book, "-o", tmp_path / "fresh.xlsx", "--replications", 1000)
    assert code == OK and fresh["warnings"] == []

    out = tmp_path / "stale.xlsx"
    code, stale = _json(capsys, "simulate", changed, "-o", out, "--replications", 1000)
    assert code == OK
    assert [w["code"] for w in stale["warnings"]] == ["stale_plan"]
    assert "--plan solve" in stale["warnings"][0]["message"]
    assert openpyxl.load_workbook(out)["Simulation"]["A3"].value.startswith(
        "WARNING: The Plan sheet was solved for other inputs")
    assert main(["simulate", str(changed), "-o", str(tmp_path / "words.xlsx"), "--replications", "1000"]) == OK
    assert capsys.readouterr().out.startswith("WARNING: the Plan sheet was solved for other inputs")

    code, solved_now = _json(capsys, "simulate", changed, "-o", tmp_path / "now.xlsx", "--replications", 1000,
                             "--plan", "solve")
    assert code == OK and solved_now["warnings"] == []
    assert solved_now["fill_rate"] > stale["fill_rate"] + 0.2


HEAVY = ("pyomo", "highspy", "scipy", "pandas", "numpy")
"""The solver stack: loading it first made ``--help`` take 1.4 to 3.7 s."""


def test_help_and_version_do_not_load_the_solver_stack():
    """Read from Python's own record of every import (``-X importtime``), not from a clock."""
    probe = ("import sys, xlplan.frontends.cli as cli\n"
             f"heavy = [m for m in {HEAVY!r} if m in sys.modules]\n"
             "print(','.join(heavy))")
    run = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, timeout=600)
    assert run.returncode == 0 and run.stdout.strip() == "", run.stdout + run.stderr
    for flag in ("--help", "--version"):
        run = subprocess.run([sys.executable, "-X", "importtime", "-m", "xlplan", flag], capture_output=True,
                             text=True, timeout=600)
        assert run.returncode == 0 and run.stdout.startswith("usage: xlplan" if flag == "--help" else "xlplan ")
        imported = {line.rsplit("|", 1)[-1].strip().split(".")[0] for line in run.stderr.splitlines()
                    if line.startswith("import time:")}
        assert "xlplan" in imported and not imported & set(HEAVY), sorted(imported & set(HEAVY))


UNUSED = ("scipy.stats", "scipy.integrate", "scipy.spatial")
"""SciPy modules no command but ``compare``'s optimality gap uses; Pyomo imported them beside SciPy's
sparse matrices, about a second of CPU on every command that builds a model (xlplan.pyomo_scipy)."""


def test_a_solve_and_a_simulation_do_not_load_scipys_statistics(tmp_path):
    """Read from Python's own record of every import (``-X importtime``), after a real solve and simulation."""
    book = copy_of(FACTORY_PHYSICS, tmp_path)
    for arguments in (["solve", str(book), "-o", str(tmp_path / "solved.xlsx"), "--json"],
                      ["simulate", str(tmp_path / "solved.xlsx"), "-o", str(tmp_path / "simulated.xlsx"), "--json",
                       "--replications", "1000"]):
        run = subprocess.run([sys.executable, "-X", "importtime", "-m", "xlplan", *arguments], capture_output=True,
                             text=True, timeout=600)
        assert run.returncode == 0, run.stderr[-2000:]
        assert json.loads(run.stdout)["status"] in ("optimal", "done")
        imported = {line.rsplit("|", 1)[-1].strip() for line in run.stderr.splitlines()
                    if line.startswith("import time:")}
        assert {"pyomo.environ", "scipy.sparse"} <= imported and not imported & set(UNUSED), sorted(
            imported & set(UNUSED))


def test_pyomo_still_reaches_scipys_statistics_when_it_asks():
    """The hook taken off loaded them up front; Pyomo's deferred SciPy still loads one when it is used."""
    probe = ("import sys, xlplan.model.builder, scipy.sparse\n"
             "from pyomo.common.dependencies import scipy\n"
             "before = 'scipy.stats' in sys.modules\n"
             "print(before, round(float(scipy.stats.norm.ppf(0.5)), 6), 'scipy.stats' in sys.modules)")
    run = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, timeout=600)
    assert run.returncode == 0 and run.stdout.split() == ["False", "0.0", "True"], run.stdout + run.stderr
