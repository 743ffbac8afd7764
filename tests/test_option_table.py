"""Each command declares its options once (``xlplan/commands/options.py``), and every front end offers,
reads and reports them from there: the command line's arguments, the JSON ``options``, the worksheet
functions' arguments, and the ribbon's Options group and the Start sheet's Action cell (each option not set
there takes its declared default). An option added to a command that one front end does not take up fails
here."""

from __future__ import annotations

import argparse
import dataclasses
import inspect
import sys
from dataclasses import replace
from typing import get_args

import pytest

from tests.workbooks import ROOT
from xlplan.commands import BY_NAME, COMMANDS
from xlplan.commands.live import RIBBON_OPTIONS, action_keywords, ribbon_options
from xlplan.commands.option_values import READERS, read, run_keywords
from xlplan.commands.options import (
    OPTIONS,
    SOLVER_KEYWORD,
    InWorksheets,
    Kind,
    Withheld,
    in_worksheets,
    options_of,
)
from xlplan.commands.worksheet import ARGUMENTS
from xlplan.frontends import cli
from xlplan.frontends.excel.worksheet_functions import worksheet_function
from xlplan.solver import SolveOptions

sys.path.insert(0, str(ROOT))
import udfs  # noqa: E402

FUNCTIONS = {name: f for name, f in vars(udfs).items() if name.startswith("XLPLAN_")}


def _subparser(command: str) -> argparse.ArgumentParser:
    parser = cli._parser()
    choices = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction)).choices
    return choices[command]


def test_every_option_is_a_keyword_its_commands_run_takes():
    """An option a front end offers but ``run`` ignores cannot be declared: each is a keyword of the run of
    every command taking its group, or, for the solver's, a field of the solve options."""
    solve_fields = {f.name for f in dataclasses.fields(SolveOptions)}
    assert {option.run_keyword for option in OPTIONS["solver"]} <= solve_fields
    for command in COMMANDS:
        assert set(command.options) <= set(OPTIONS)
        taken = inspect.signature(command.run).parameters  # through with_start, to the command's own function
        for group in command.options:
            keywords = {SOLVER_KEYWORD} if group == "solver" else {option.run_keyword for option in OPTIONS[group]}
            assert keywords <= set(taken), (command.name, group)


@pytest.mark.parametrize("command", [c.name for c in COMMANDS if c.on_command_line])
def test_the_command_line_takes_every_declared_option(command):
    actions = {a.dest: a for a in _subparser(command)._actions if a.help != argparse.SUPPRESS}
    for option in options_of(BY_NAME[command].options):
        action = actions[option.name]
        assert option.command_line_flag in action.option_strings
        assert (action.default, action.help) == (option.default, option.help)


@pytest.mark.parametrize("command", [c.name for c in COMMANDS if c.on_command_line])
def test_the_json_reports_every_declared_option(command):
    args = cli._parser().parse_args([command, "book.xlsx"])
    declared = [option.name for option in options_of(BY_NAME[command].options)]
    given = cli._given_options(args)
    assert list(given) == declared + [name for name in cli.FILE_OPTIONS if hasattr(args, name)]
    assert all(given[option.name] == option.default for option in options_of(BY_NAME[command].options))


def test_every_option_says_whether_a_worksheet_takes_it_and_why_not():
    for group in OPTIONS.values():
        for option in group:
            assert isinstance(option.worksheet, InWorksheets | Withheld)
            if isinstance(option.worksheet, Withheld):
                assert option.worksheet.why.strip()


def test_the_worksheet_functions_take_their_commands_worksheet_options():
    answers_as = {"XLPLAN_SOLVE": "solve", "XLPLAN_KPI": "solve", "XLPLAN_RECOURSE": "solve", "XLPLAN_STATUS": "solve",
                  "XLPLAN_SHADOW": "solve", "XLPLAN_SIMULATE": "simulate", "XLPLAN_FRONTIER": "frontier"}
    assert set(FUNCTIONS) == set(answers_as)
    for name, function in FUNCTIONS.items():
        offered = in_worksheets(BY_NAME[answers_as[name]].options)
        parameters = list(inspect.signature(function).parameters)
        assert parameters[-len(offered):] == [option.name for option in offered]
        declared = function.__xlfunc__["argmap"]
        for option in offered:
            assert declared[option.name]["doc"] == option.worksheet.help  # Excel's help from the table
    offered_somewhere = {option.name for function in ("solve", "simulate", "frontier")
                         for option in in_worksheets(BY_NAME[function].options)}
    assert offered_somewhere == {"continuous", "time_limit", "replications", "seed", "weights"}


def test_a_worksheet_function_missing_an_option_of_its_command_is_refused():
    def no_time_limit(products, costs, demand, scenarios, settings, continuous=False):
        return None

    with pytest.raises(TypeError, match=r"must take \(.*continuous, time_limit\)"):
        worksheet_function("solve")(no_time_limit)

    def bad_default(products, costs, demand, scenarios, settings, continuous=True, time_limit=None):
        return None

    with pytest.raises(TypeError, match="continuous defaults to True"):
        worksheet_function("solve")(bad_default)
    assert tuple(inspect.signature(udfs.XLPLAN_STATUS).parameters)[:5] == ARGUMENTS


def test_an_option_added_to_a_group_reaches_the_command_line_and_the_json(monkeypatch):
    solver = OPTIONS["solver"]
    added = replace(solver[1], name="node_limit", kind="positive", help="nodes the MIP search may visit",
                    worksheet=Withheld("testing"), default=None, metavar="N")
    monkeypatch.setitem(OPTIONS, "solver", (*solver, added))
    args = cli._parser().parse_args(["solve", "book.xlsx", "--node-limit", "7"])
    assert cli._given_options(args)["node_limit"] == 7
    offered = replace(added, worksheet=InWorksheets(None, "Nodes"))
    monkeypatch.setitem(OPTIONS, "solver", (*solver, offered))

    with pytest.raises(TypeError, match="node_limit"):  # udfs.py would not import until XLPLAN_SOLVE takes it
        worksheet_function("solve")(inspect.unwrap(udfs.XLPLAN_SOLVE))


def test_the_declared_defaults_are_the_ones_that_apply():
    from xlplan.analysis.frontier import DEFAULT_WEIGHTS
    from xlplan.commands import worksheet
    from xlplan.commands.options import WEIGHTS

    assert WEIGHTS == DEFAULT_WEIGHTS  # the frontier's sweep, written in the table without importing the analysis
    assert worksheet.solve_options().time_limit == OPTIONS["solver"][1].worksheet.default == 60
    assert (worksheet.SIMULATION_REPLICATIONS, worksheet.SIMULATION_SEED) == tuple(
        option.worksheet.default for option in OPTIONS["simulation"])


@pytest.mark.parametrize("command", COMMANDS, ids=lambda c: c.name)
def test_the_action_cell_runs_each_command_with_its_declared_defaults(command):
    """The Start sheet's Action cell (and a ribbon button or Lite button) passes no option: each takes its
    declared default, the command line's, which is also the one ``run`` would take."""
    keywords = action_keywords(command, {})
    if command.on_command_line:
        assert keywords == run_keywords(command.options, vars(cli._parser().parse_args([command.name, "book.xlsx"])))
    taken = inspect.signature(command.run).parameters
    for keyword, value in keywords.items():
        default = taken[keyword].default
        assert value == (SolveOptions() if keyword == SOLVER_KEYWORD and default is None else default), keyword


def test_an_option_added_to_a_group_reaches_the_action_cell(monkeypatch):
    calm = OPTIONS["calm"]
    added = replace(calm[0], name="calm_weeks", kind="positive", default=4, keyword="weeks")
    monkeypatch.setitem(OPTIONS, "calm", (*calm, added))
    assert action_keywords(BY_NAME["solve"], {})["weeks"] == 4
    assert action_keywords(BY_NAME["solve"], {"calm_weeks": 6})["weeks"] == 6
    args = cli._parser().parse_args(["solve", "book.xlsx", "--calm-weeks", "6"])
    assert run_keywords(BY_NAME["solve"].options, vars(args))["weeks"] == 6
    with pytest.raises(ValueError, match="the validate command takes no option calm_weeks"):
        action_keywords(BY_NAME["validate"], {"calm_weeks": 6})


def test_the_ribbon_sets_options_of_the_table_read_by_their_kinds():
    from xlplan.workbook.make.addin import buttons

    names = {option.name for group in OPTIONS.values() for option in group}
    assert set(RIBBON_OPTIONS) <= names
    for button in buttons().values():  # a button's own options are its command's, by name
        assert {name for name, _ in button.options} <= {o.name for o in options_of(BY_NAME[button.command].options)}
    solve = buttons()["xlplanSolve"]
    assert ribbon_options(solve, " 90 ", "continuous") == {"time_limit": 90.0, "continuous": True}
    assert ribbon_options(solve) == {"time_limit": None, "continuous": False}
    with pytest.raises(ValueError, match=r"^the ribbon's Time limit box must be a positive number of seconds, not 0$"):
        ribbon_options(solve, "0")
    assert ribbon_options(buttons()["xlplanValidate"], "soon") == {}  # validate takes no solver options
    assert ribbon_options(buttons()["xlplanReplan"], "5") == {"time_limit": 5.0, "continuous": False, "rolling": True}


def test_every_kind_of_option_is_read_by_the_command_line_and_in_excel():
    assert set(READERS) == set(get_args(Kind))
    for kind in get_args(Kind):  # argparse's type or action for it
        assert cli._parsing(replace(OPTIONS["solver"][6], kind=kind)), kind


@pytest.mark.parametrize(("kind", "bad", "said"), [
    ("seconds", "soon", "x must be a number of seconds, not 'soon'"),
    ("seconds", -5, "x must be a positive number of seconds, not -5"),
    ("gap", "2", "x must be at least 0 and below 1"),
    ("positive", 0, "x must be from 1 to "),
    ("count", -1, "x must be from 0 to "),
    ("seed", 1.5, "x must be a whole number from 1 to "),
    ("replications", "many", "x must be a whole number, not 'many'"),
    ("choice", "sometimes", "x must be one of auto, extensive, decomposition, not 'sometimes'"),
    ("lp algorithm", "fast", "x must be one of auto, dual-simplex"),
    ("solver", "nope", "x must be one of highs"),
    ("weights", "0, -1", "the risk weights must be at least 0"),
    ("policies", "psychic", "x must be some of deterministic"),
])
def test_a_value_of_the_wrong_kind_is_refused_in_words(kind, bad, said):
    option = replace(OPTIONS["solver"][6], name="x", kind=kind)  # method: its choices for "choice"
    with pytest.raises(ValueError) as refused:
        read(option, bad, None)
    assert str(refused.value).startswith(said)
    assert read(option, "  ", "the default") == read(option, None, "the default") == "the default"


def test_a_value_of_the_right_kind_is_read_as_it():
    option = OPTIONS["solver"][6]
    read_as = {"flag": ("TRUE", True), "seconds": ("90", 90.0), "gap": (0.01, 0.01), "positive": (4.0, 4),
               "count": ("0", 0), "seed": (7, 7), "replications": ("2000", 2000), "path": ("a.bas", "a.bas"),
               "text": (" calm ", "calm"), "choice": ("extensive", "extensive"), "lp algorithm": ("ipm", "ipm"),
               "solver": ("highs", "highs"), "weights": ([[0], [0.5]], (0.0, 0.5)),
               "policies": ("stochastic, deterministic", ("stochastic", "deterministic"))}
    assert set(read_as) == set(READERS)
    for kind, (value, wanted) in read_as.items():
        assert str(read(replace(option, kind=kind), value, None)) == str(wanted), kind
    assert read(replace(option, kind="seed"), 0, 2026) == 2026  # a reference to an empty cell: the default


def test_the_worksheet_functions_read_their_options_from_the_table():
    from xlplan.commands import worksheet

    for option in (option for group in OPTIONS.values() for option in group):
        if isinstance(option.worksheet, InWorksheets):
            assert worksheet.option_value(option.name, None) == option.worksheet.default
    assert worksheet.solve_options("TRUE", "30") == SolveOptions(time_limit=30.0, relax_integrality=True)
    assert worksheet.option_value("weights", "0, 2") == (0.0, 2.0)
