"""The ``xlplan`` command: plan from workbooks on a server, in CI or in batch runs.

Exit codes (also in the README):

    0  a plan was written (optimal, or the best found when a limit stopped the solve)
    1  an unexpected error inside xlplan (please report it)
    2  the command line was wrong
    3  the workbook's inputs are invalid; every problem is listed with its sheet and cell
    4  no plan exists (infeasible) or the cost is unbounded; the reason is written to the workbook
    5  a limit stopped the solve before any plan was found
    6  a file could not be read or written (missing, locked by Excel, read-only, ...)
  130  interrupted (Ctrl+C); files are left as they were
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from rich.console import Console

import xlplan
from xlplan.analysis import AnalysisError
from xlplan.commands import BY_NAME, COMMANDS, PlanUnavailable
from xlplan.solver import SolveOptions
from xlplan.solver.options import LP_ALGORITHMS
from xlplan.workbook import (
    EXAMPLES,
    FileSource,
    OutputSheetClash,
    WorkbookError,
    WorkbookFileError,
    write_example,
    write_sheets,
    write_synthetic,
    write_template,
)
from xlplan.workbook.write.files import backup_path

OK, INTERNAL, USAGE, INVALID, NO_PLAN, STOPPED, FILE_ERROR, INTERRUPTED = 0, 1, 2, 3, 4, 5, 6, 130


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> None:  # usage errors exit 2 with a hint, as argparse does
        self.print_usage(sys.stderr)
        self.exit(USAGE, f"{self.prog}: error: {message}\n")


def _add_output(command: argparse.ArgumentParser, suffix: str) -> None:
    command.add_argument("book", type=Path, help="the workbook (.xlsx or .xlsm) holding the inputs")
    where = command.add_mutually_exclusive_group()
    where.add_argument("-o", "--output", type=Path,
                       help=f"write the resulting workbook here (default: BOOK-{suffix}.xlsx beside BOOK)")
    where.add_argument("--in-place", action="store_true",
                       help="write the results into BOOK itself (atomically; the previous version is kept "
                            "as BOOK.backup.xlsx)")
    command.add_argument("--no-backup", action="store_true", help="with --in-place: keep no backup")
    command.add_argument("--json", action="store_true",
                         help="print a machine-readable summary on stdout (progress goes to stderr)")


def _add_solver(command: argparse.ArgumentParser) -> None:
    command.add_argument("--time-limit", type=float, metavar="SECONDS", help="stop HiGHS after this long")
    command.add_argument("--mip-gap", type=float, metavar="GAP", default=1e-4,
                         help="relative MIP gap at which a plan counts as optimal (default 1e-4; 0 proves it)")
    command.add_argument("--continuous", action="store_true",
                         help="allow fractional units (solve the LP relaxation) even if the workbook asks "
                              "for whole units")
    command.add_argument("--threads", type=int, help="threads HiGHS may use")
    command.add_argument("--lp-algorithm", choices=LP_ALGORITHMS, default="auto", help="LP algorithm")
    command.add_argument("--backend", choices=("highs", "pyomo"), default="highs",
                         help="hand HiGHS compiled matrices (default) or go through Pyomo's interface")


def _add_simulation(command: argparse.ArgumentParser) -> None:
    command.add_argument("--replications", type=int, help="override the Uncertainty sheet's replications")
    command.add_argument("--seed", type=int, help="override the Uncertainty sheet's seed")


def _add_plan_choice(command: argparse.ArgumentParser) -> None:
    command.add_argument("--plan", choices=("auto", "workbook", "solve"), default="auto",
                         help="simulate the Plan sheet (workbook), a fresh optimal plan (solve), or the Plan "
                              "sheet when there is one (auto, the default)")
    command.add_argument("--exact", action="store_true",
                         help="evaluate the plan once under each of the workbook's own scenarios, weighted by "
                              "probability, without noise: the model's own expected cost")
    command.add_argument("--reproduce-seed-defect", action="store_true",
                         help="LEGACY: reproduce the seed simulator's defect, to compare with its published "
                              "figures; never for decisions")


def _parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="xlplan", description="Stochastic production planning from Excel workbooks.",
                     epilog="Exit codes: 0 ok, 1 internal error, 2 usage, 3 invalid input, 4 infeasible, "
                            "5 stopped without a plan, 6 file problem, 130 interrupted.")
    parser.add_argument("--version", action="version", version=f"xlplan {xlplan.__version__}")
    subcommands = parser.add_subparsers(dest="command", required=True, parser_class=_Parser)

    options_of = {"solve": (_add_solver,), "simulate": (_add_simulation, _add_plan_choice, _add_solver),
                  "compare": (_add_simulation, _add_solver), "validate": ()}
    for command in COMMANDS:
        if not command.on_command_line:
            continue
        sub = subcommands.add_parser(command.name, help=command.help)
        if command.output_suffix:
            _add_output(sub, command.output_suffix)
        else:
            sub.add_argument("book", type=Path, help="the workbook (.xlsx or .xlsm) holding the inputs")
            sub.add_argument("--json", action="store_true", help="print the result as JSON")
        for add in options_of[command.name]:
            add(sub)

    template = subcommands.add_parser("template", help="write the planning template workbook")
    template.add_argument("path", type=Path)
    template.add_argument("--force", action="store_true", help="overwrite PATH if it exists")

    example = subcommands.add_parser(
        "example", help="write an example workbook",
        description="Write an example workbook: one of the references, or 'synthetic': an electronics-like "
                    "workbook of any size (e.g. xlplan example synthetic big.xlsx --products 12 --scenarios 1000).")
    example.add_argument("name", choices=[*sorted(EXAMPLES), "synthetic"])
    example.add_argument("path", type=Path)
    example.add_argument("--force", action="store_true", help="overwrite PATH if it exists")
    size = example.add_argument_group("synthetic only")
    for option, default, meaning in SYNTHETIC_SIZE:
        size.add_argument(f"--{option}", type=_positive_int, metavar="N", help=f"{meaning} (default {default})")
    size.add_argument("--whole-units", action="store_true", help="whole units (a MIP) rather than continuous")
    return parser


SYNTHETIC_SIZE = (("products", 3, "products"), ("periods", 52, "periods (weeks)"),
                  ("scenarios", 100, "equally likely demand scenarios"), ("seed", 2026, "seed of the demand draws"))


def _positive_int(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a whole number: {text!r}") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be at least 1, not {value}")
    return value


def _write_example(args: argparse.Namespace, reporter: _Reporter) -> int:
    chosen = {option: getattr(args, option) for option, _, _ in SYNTHETIC_SIZE if getattr(args, option) is not None}
    if args.name != "synthetic":
        if chosen or args.whole_units:
            options = [*chosen, *(["whole_units"] if args.whole_units else [])]
            given = ", ".join(f"--{option.replace('_', '-')}" for option in options)
            reporter.problem(f"xlplan example: {given}: only for the synthetic example")
            return USAGE
        return _write_new(args.path, args.force, lambda path: write_example(args.name, path), reporter)
    size = {option: chosen.get(option, default) for option, default, _ in SYNTHETIC_SIZE}
    return _write_new(args.path, args.force,
                      lambda path: write_synthetic(path, **size, whole_units=args.whole_units), reporter)


class _Reporter:
    """Human output on stdout, or JSON on stdout with progress on stderr."""

    def __init__(self, as_json: bool):
        self.as_json = as_json
        self.err = Console(stderr=True, highlight=False, soft_wrap=True)
        self.out = Console(highlight=False, soft_wrap=True)

    def status(self, text: str):
        return self.err.status(text, spinner="dots")

    def say(self, text: str) -> None:
        if not self.as_json:
            self.out.print(text, markup=False)

    def problem(self, text: str) -> None:
        self.err.print(text, markup=False)

    def emit(self, payload: dict[str, Any]) -> None:
        if self.as_json:
            sys.stdout.write(json.dumps(payload, indent=2, default=str) + "\n")


def _invalid(reporter: _Reporter, error: WorkbookError, book: Path) -> int:
    reporter.emit({"status": "invalid", "workbook": str(book),
                   "issues": [{"where": i.where, "name": i.name, "message": i.message, "context": i.context}
                              for i in error.issues]})
    if not reporter.as_json:
        reporter.problem(str(error))
    return INVALID


EXIT_BY_OUTCOME = {"ok": OK, "no plan": NO_PLAN, "stopped": STOPPED, "error": INTERNAL}


def _options(args: argparse.Namespace) -> SolveOptions:
    return SolveOptions(time_limit=args.time_limit, mip_gap=args.mip_gap, threads=args.threads,
                        lp_algorithm=args.lp_algorithm, relax_integrality=args.continuous, backend=args.backend)


def _command_options(args: argparse.Namespace) -> dict[str, Any]:
    """The keyword options a command's ``run`` takes, from its command line."""
    if args.command == "validate":
        return {}
    options: dict[str, Any] = {"options": _options(args)}
    if args.command in ("simulate", "compare"):
        options.update(replications=args.replications, seed=args.seed)
    if args.command == "simulate":
        options.update(plan_from=args.plan, exact=args.exact, reproduce_seed_defect=args.reproduce_seed_defect)
    return options


def _run(args: argparse.Namespace, reporter: _Reporter) -> int:
    """A workbook command of the table: run it on the file, write its sheets (if it writes any), report."""
    command = BY_NAME[args.command]
    source = FileSource(args.book)
    try:
        with reporter.status(f"{command.action} {args.book.name}"):
            outcome = command.run(source, **_command_options(args))
    finally:
        source.close()
    if command.output_suffix is None:
        reporter.emit({"workbook": str(args.book), **outcome.summary})
        for line in outcome.lines:
            reporter.say(line)
        return EXIT_BY_OUTCOME[outcome.status]
    target = args.book if args.in_place else (
        args.output or args.book.with_name(f"{args.book.stem}-{command.output_suffix}{args.book.suffix}"))
    backup = args.in_place and not args.no_backup
    with reporter.status(f"Writing {target.name}"):
        write_sheets(outcome.sheets, args.book, target, retire=outcome.retire, backup=backup)
    reporter.emit({"workbook": str(args.book), "output": str(target), **outcome.summary})
    for line in outcome.lines:
        reporter.say(line)
    written = f"wrote {target}"
    if backup and backup_path(target).exists():
        written += f" (previous version kept as {backup_path(target).name})"
    reporter.say(written)
    return EXIT_BY_OUTCOME[outcome.status]


def _write_new(path: Path, force: bool, write, reporter: _Reporter) -> int:
    if path.exists() and not force:
        reporter.problem(f"{path}: already exists; choose another name, or pass --force to replace it")
        return FILE_ERROR
    write(path)
    reporter.say(f"wrote {path}")
    return OK


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; returns the exit code."""
    args = _parser().parse_args(argv)
    reporter = _Reporter(getattr(args, "json", False))
    try:
        if args.command in BY_NAME:
            return _run(args, reporter)
        if args.command == "template":
            return _write_new(args.path, args.force, write_template, reporter)
        return _write_example(args, reporter)
    except WorkbookError as error:
        return _invalid(reporter, error, args.book)
    except (AnalysisError, PlanUnavailable) as error:
        reporter.emit({"status": "no plan", "message": str(error)})
        reporter.problem(f"xlplan: {error}")
        return NO_PLAN
    except (WorkbookFileError, OutputSheetClash) as error:
        reporter.emit({"status": "file error", "message": str(error)})
        reporter.problem(f"xlplan: {error}")
        return FILE_ERROR
    except KeyboardInterrupt:
        reporter.problem("xlplan: interrupted; no file was changed")
        return INTERRUPTED


def entry_point() -> None:
    sys.exit(main())


if __name__ == "__main__":
    entry_point()
