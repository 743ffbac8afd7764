"""Each command declares its options once (``xlplan/commands/options.py``), and every front end offers and
reports them from there: the command line's arguments, the JSON ``options``, the worksheet functions'
arguments. An option added to a command that one front end does not take up fails here."""

from __future__ import annotations

import argparse
import dataclasses
import inspect
import sys

import pytest

from tests.workbooks import ROOT
from xlplan.commands import BY_NAME, COMMANDS
from xlplan.commands.options import OPTIONS, SOLVER_KEYWORD, InWorksheets, Withheld, in_worksheets, options_of
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
    from dataclasses import replace

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
