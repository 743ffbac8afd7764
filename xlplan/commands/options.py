"""Every option of every command, declared once: its name, what it takes, its default and its help.

A command of :data:`xlplan.commands.COMMANDS` lists the groups of options it takes (``Command.options``);
each group's options are declared here, and every front end is built from this table:

- the command line's arguments (``--time-limit`` for ``time_limit``, parsed by the option's ``kind``),
- the ``options`` of the JSON every command prints (by the options' names),
- the worksheet functions' arguments (``udfs.py``): the options a worksheet offers, with their worksheet
  defaults and help; an option a worksheet withholds says why,
- what a live workbook's command runs with (the Start sheet's Action cell, the ribbon, the Lite buttons):
  the ribbon's Options group sets two options, every other takes its default here.

A value typed in Excel is read by the option's ``kind`` (:mod:`xlplan.commands.option_values`).

The table is plain data, read without importing the solver stack (``xlplan --help`` reads it).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal

Kind = Literal["flag", "seconds", "gap", "positive", "count", "seed", "replications", "path", "text", "choice",
               "lp algorithm", "solver", "weights", "policies"]
"""What an option takes: ``flag`` (on or off), a number of ``seconds``, a relative ``gap``, a ``positive``
whole number, a ``count`` (0 or more), a ``seed``, ``replications``, a file ``path``, a ``text``, one of its
``choices``, an LP algorithm or a solver the solver registry knows (``lp algorithm``, ``solver``), risk
``weights``, or re-planning ``policies``."""


@dataclass(frozen=True)
class InWorksheets:
    """How a worksheet function offers an option: a blank cell means ``default``."""

    default: Any
    help: str


@dataclass(frozen=True)
class Withheld:
    """An option the worksheet functions do not offer, and why."""

    why: str


@dataclass(frozen=True)
class Option:
    """One option of a command."""

    name: str
    """Its name: the keyword in the JSON ``options`` and the worksheet functions, ``--name`` (with hyphens)
    on the command line unless ``flag`` says otherwise."""
    kind: Kind
    help: str
    """The command line's help (``%%`` for a per cent sign, as argparse reads it)."""
    worksheet: InWorksheets | Withheld
    default: Any = None
    """The command line's default; None: the command's own (for example the Uncertainty sheet's)."""
    metavar: str | None = None
    choices: tuple[str, ...] = ()
    flag: str | None = None
    keyword: str | None = None
    """The keyword the command's ``run`` takes it as, or for the ``solver`` group the field of the solve
    options (``SolveOptions``) it sets; None: its ``name``."""

    @property
    def command_line_flag(self) -> str:
        return self.flag or "--" + self.name.replace("_", "-")

    @property
    def run_keyword(self) -> str:
        return self.keyword or self.name


OptionGroup = Literal["solver", "warm start", "calm", "recourse output", "simulation", "plan choice", "weights",
                      "adopt", "solve first"]
"""A group of options. Each option of a group is a keyword of the command's ``run`` (``Option.run_keyword``),
but the ``solver`` group's, which make the one keyword ``options`` (a ``SolveOptions``) together."""
SOLVER_KEYWORD = "options"

FUNCTION_REPLICATIONS = 10_000
"""Replications a worksheet function simulates by default: a standard error near 1% of the profit's
spread, in about a second."""
FUNCTION_SEED = 2026
WEIGHTS = (0.0, 0.1, 0.25, 0.5, 1.0, 2.0, 4.0, 8.0)
"""The frontier's risk weights unless the planner gives others (the analysis's ``DEFAULT_WEIGHTS``, written
here so that reading the table imports no analysis)."""


def _listed(separator: str) -> str:
    return separator.join(f"{w:g}" for w in WEIGHTS)


FUNCTION_TIME_LIMIT = 60.0
"""Seconds a worksheet function lets HiGHS run, so a hard MIP cannot freeze Excel."""

_ONE_SOLVE = Withheld("a worksheet function solves with HiGHS's defaults and the extensive form; its time limit "
                      "and units are the choices a what-if needs")
_FILES = Withheld("a worksheet function reads and writes no files")
_OWN_PLAN = Withheld("a worksheet function simulates the optimal plan of its own inputs")

OPTIONS: dict[OptionGroup, tuple[Option, ...]] = {
    "solver": (
        Option("continuous", "flag", "allow fractional units (solve the LP relaxation) even if the workbook asks for "
               "whole units", InWorksheets(False, "TRUE to allow fractional units (the LP relaxation); default FALSE"),
               default=False, keyword="relax_integrality"),
        Option("time_limit", "seconds", "stop each solve after this long (its best plan is then labelled as stopped); "
               "it covers the solving only: reading the workbook and writing the results come on top",
               InWorksheets(FUNCTION_TIME_LIMIT, f"Seconds the solver may run; default {FUNCTION_TIME_LIMIT:g}"),
               metavar="SECONDS"),
        Option("mip_gap", "gap", "relative MIP gap at which a plan counts as optimal (default 1e-4; 0 proves it)",
               _ONE_SOLVE, default=1e-4, metavar="GAP"),
        Option("threads", "positive", "threads HiGHS may use", _ONE_SOLVE),
        Option("lp_algorithm", "lp algorithm", "LP algorithm: %(choices)s (default auto; hipo needs the hipo extra)",
               _ONE_SOLVE, default="auto", metavar="ALGORITHM"),
        Option("backend", "solver", "the solver: %(choices)s (default highs: HiGHS on the matrices compiled from the "
               "model; pyomo: the whole Pyomo model through Pyomo's HiGHS interface)", _ONE_SOLVE, default="highs",
               metavar="SOLVER"),
        Option("method", "choice", "extensive: the whole stochastic program in one solve; decomposition: the L-shaped "
               "method over the scenarios (continuous plans, many scenarios); auto (default): decomposition for "
               "continuous plans of many scenarios (500 of up to 6 products, 1,000 of up to 12), or whose extensive "
               "form would not fit in memory", _ONE_SOLVE, default="auto",
               choices=("auto", "extensive", "decomposition")),
        Option("gap", "gap", "relative gap at which the decomposition calls its plan optimal (default 1e-6)",
               _ONE_SOLVE, default=1e-6, metavar="GAP"),
        Option("mpi", "positive", "solve by decomposition on N MPI processes, its scenarios spread over them (needs "
               "xlplan[mpi]); with --backend mpi-sppy: mpi-sppy's hub and spokes (N even or a multiple of 3)",
               Withheld("Excel's Python process starts no MPI processes"), metavar="N"),
    ),
    "warm start": (
        Option("warm_start", "path", "start an LP from the basis saved in FILE by an earlier solve of a workbook of "
               "the same shape (a what-if: one cell changed), and save the new one there",
               Withheld("a worksheet function keeps the last basis of each shape in memory by itself"),
               metavar="FILE", keyword="warm_start_file"),
    ),
    "calm": (
        Option("calm", "flag", "a calm plan: a second solve for the least week-to-week change in production and "
               "workforce among plans within the Settings sheet's Calm plan tolerance (default 0.1%%) of the optimal "
               "expected cost", Withheld("a worksheet function answers from the optimal solve alone; the Settings "
                                         "sheet's Calm plan tolerance is for the Solve command"), default=False),
        Option("calm_from_plan", "flag", "like --calm, but the least change from the plan already on the Plan sheet",
               Withheld("a worksheet function sees its arguments, not the Plan sheet"), default=False),
    ),
    "recourse output": (
        Option("recourse_scenarios", "count", "scenarios the Recourse detail sheet shows in full (default: all when "
               "they are at most 20 and fill at most 1,000 rows, about 20 printed pages; otherwise as many as that "
               "allows: the cheapest, the costliest and the most probable); its summary covers every scenario",
               Withheld("XLPLAN_RECOURSE takes the scenario to show"), metavar="N"),
        Option("recourse_detail", "path", "write every scenario's recourse (one row per product, period and "
               "scenario) to FILE, .csv (or .parquet with pyarrow)", _FILES, metavar="FILE"),
    ),
    "simulation": (
        Option("replications", "replications", "override the Uncertainty sheet's replications",
               InWorksheets(FUNCTION_REPLICATIONS, f"Simulated paths; default {FUNCTION_REPLICATIONS:,}")),
        Option("seed", "seed", "override the Uncertainty sheet's seed",
               InWorksheets(FUNCTION_SEED, f"Seed of the random numbers; default {FUNCTION_SEED}")),
    ),
    "plan choice": (
        Option("plan", "choice", "simulate the Plan sheet (workbook), a fresh optimal plan (solve), or the Plan "
               "sheet when there is one (auto, the default)", _OWN_PLAN, default="auto",
               choices=("auto", "workbook", "solve"), keyword="plan_from"),
        Option("exact", "flag", "evaluate the plan once under each of the workbook's own scenarios, weighted by "
               "probability, without noise: the model's own expected cost",
               Withheld("XLPLAN_KPI gives the optimal plan's expected cost over the scenarios"), default=False),
        Option("reproduce_original_defect", "flag", "LEGACY: reproduce the defect of the Factory Physics original "
               "simulator (each replication capped by all earlier capacity draws), to compare with its published "
               "figures; never for decisions", Withheld("a legacy comparison, never for decisions"), default=False),
        Option("rolling", "flag", "re-plan instead: each policy plans, executes the next periods of each simulated "
               "world and plans again (the Uncertainty sheet's re-planning settings; --replications overrides its "
               "rolling replications); writes the Rolling sheet",
               Withheld("re-planning solves hundreds of times: too long for a cell"), default=False),
        Option("policies", "policies", "with --rolling: the policies to re-plan, comma separated (default: "
               "deterministic,buffered,stochastic)", Withheld("re-planning is not offered in a cell"), metavar="LIST"),
    ),
    "weights": (
        Option("weights", "weights", f"the risk weights lambda to solve (default {_listed(',')})",
               InWorksheets(WEIGHTS, "Risk weights lambda: a range of numbers or a text such as \"0, 0.5, 1\"; "
                                     f"default {_listed(', ')}"), metavar="L1,L2,..."),
    ),
    "adopt": (
        Option("plan", "text", "the plan to adopt, as the Plans sheet names it (e.g. stochastic, 'best buffered', "
               "'risk weight 0.5', calm); default: the plan Compare recommends",
               Withheld("adopting writes the Plan sheet: a command, not a cell's answer"), metavar="NAME"),
    ),
    "solve first": (
        Option("solve", "flag", "solve the workbook first and report that solve (the workbook itself is not changed)",
               Withheld("a report is a file, not a cell's answer"), default=False, keyword="solve_first"),
    ),
}
"""The options of each group, in the order the command line lists them and the worksheet functions take
them."""


def options_of(groups: tuple[OptionGroup, ...]) -> tuple[Option, ...]:
    """The options of ``groups``, in order."""
    return tuple(option for group in groups for option in OPTIONS[group])


def in_worksheets(groups: tuple[OptionGroup, ...]) -> tuple[Option, ...]:
    """The options of ``groups`` a worksheet function takes, in the order it takes them."""
    return tuple(option for option in options_of(groups) if isinstance(option.worksheet, InWorksheets))
