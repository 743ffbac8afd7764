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
from xlplan.solver import SolveOptions, SolveStatus
from xlplan.solver.options import LP_ALGORITHMS
from xlplan.workbook import (
    EXAMPLES,
    FileSource,
    OutputSheetClash,
    WorkbookError,
    WorkbookFileError,
    read_history,
    read_problem,
    write_example,
    write_results,
    write_template,
)
from xlplan.workbook.files import backup_path

OK, INTERNAL, USAGE, INVALID, NO_PLAN, STOPPED, FILE_ERROR, INTERRUPTED = 0, 1, 2, 3, 4, 5, 6, 130
EXIT_BY_STATUS = {SolveStatus.OPTIMAL: OK, SolveStatus.STOPPED_WITH_PLAN: OK, SolveStatus.INFEASIBLE: NO_PLAN,
                  SolveStatus.UNBOUNDED: NO_PLAN, SolveStatus.STOPPED_WITHOUT_PLAN: STOPPED,
                  SolveStatus.ERROR: INTERNAL}


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> None:  # usage errors exit 2 with a hint, as argparse does
        self.print_usage(sys.stderr)
        self.exit(USAGE, f"{self.prog}: error: {message}\n")


def _parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="xlplan", description="Stochastic production planning from Excel workbooks.",
                     epilog="Exit codes: 0 ok, 1 internal error, 2 usage, 3 invalid input, 4 infeasible, "
                            "5 stopped without a plan, 6 file problem, 130 interrupted.")
    parser.add_argument("--version", action="version", version=f"xlplan {xlplan.__version__}")
    commands = parser.add_subparsers(dest="command", required=True, parser_class=_Parser)

    solve = commands.add_parser("solve", help="solve a workbook and write the plan into a workbook")
    solve.add_argument("book", type=Path, help="the workbook (.xlsx or .xlsm) holding the inputs")
    where = solve.add_mutually_exclusive_group()
    where.add_argument("-o", "--output", type=Path, help="write the solved workbook here "
                       "(default: BOOK-plan.xlsx beside BOOK)")
    where.add_argument("--in-place", action="store_true",
                       help="write the results into BOOK itself (atomically; the previous version is kept "
                            "as BOOK.backup.xlsx)")
    solve.add_argument("--time-limit", type=float, metavar="SECONDS", help="stop HiGHS after this long")
    solve.add_argument("--mip-gap", type=float, metavar="GAP", default=1e-4,
                       help="relative MIP gap at which a plan counts as optimal (default 1e-4; 0 proves it)")
    solve.add_argument("--continuous", action="store_true",
                       help="allow fractional units (solve the LP relaxation) even if the workbook asks "
                            "for whole units")
    solve.add_argument("--threads", type=int, help="threads HiGHS may use")
    solve.add_argument("--lp-algorithm", choices=LP_ALGORITHMS, default="auto", help="LP algorithm")
    solve.add_argument("--backend", choices=("highs", "pyomo"), default="highs",
                       help="hand HiGHS compiled matrices (default) or go through Pyomo's interface")
    solve.add_argument("--no-backup", action="store_true", help="with --in-place: keep no backup")
    solve.add_argument("--json", action="store_true",
                       help="print a machine-readable summary on stdout (progress goes to stderr)")

    validate = commands.add_parser("validate", help="check a workbook's inputs and list every problem")
    validate.add_argument("book", type=Path)
    validate.add_argument("--json", action="store_true", help="print the result as JSON")

    template = commands.add_parser("template", help="write the planning template workbook")
    template.add_argument("path", type=Path)
    template.add_argument("--force", action="store_true", help="overwrite PATH if it exists")

    example = commands.add_parser("example", help="write an example workbook")
    example.add_argument("name", choices=sorted(EXAMPLES))
    example.add_argument("path", type=Path)
    example.add_argument("--force", action="store_true", help="overwrite PATH if it exists")
    return parser


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


def _default_output(book: Path) -> Path:
    return book.with_name(f"{book.stem}-plan{book.suffix}")


def _solve(args: argparse.Namespace, reporter: _Reporter) -> int:
    options = SolveOptions(time_limit=args.time_limit, mip_gap=args.mip_gap, threads=args.threads,
                           lp_algorithm=args.lp_algorithm, relax_integrality=args.continuous, backend=args.backend)
    target = args.book if args.in_place else (args.output or _default_output(args.book))
    with reporter.status(f"Reading {args.book.name}"):
        source = FileSource(args.book)
        try:
            problem = read_problem(source, name=args.book.stem)
            history = read_history(source.book)
        finally:
            source.close()
    S, P, T = problem.shape
    kind = "MIP" if problem.settings.integer_units and not args.continuous else "LP"
    with reporter.status(f"Solving {P} products x {T} periods x {S} scenarios ({kind}) with HiGHS"):
        result = xlplan.solve(problem, options)
    with reporter.status(f"Writing {target.name}"):
        write_results(result, args.book, target, history=history, backup=args.in_place and not args.no_backup)

    summary = {"workbook": str(args.book), "output": str(target), **result.summary()}
    reporter.emit(summary)
    status = result.status.value
    reporter.say(f"{args.book.name}: {status}" + (f" ({result.message})" if result.message != status else ""))
    if result.has_plan:
        units = ", ".join(f"{p} {v:,.6g}" for p, v in summary["units_produced"].items())
        reporter.say(f"expected cost {result.objective:,.2f}; seed profit {result.kpi('profit_seed'):,.2f}; "
                     f"units produced: {units}")
        if result.info.gap:
            reporter.say(f"best bound {result.info.bound:,.2f} (relative gap {result.info.gap:.2%})")
    elif result.explanation is not None:
        reporter.say(str(result.explanation))
    written = f"wrote {target}"
    if args.in_place and not args.no_backup and backup_path(target).exists():
        written += f" (previous version kept as {backup_path(target).name})"
    reporter.say(written)
    return EXIT_BY_STATUS[result.status]


def _validate(args: argparse.Namespace, reporter: _Reporter) -> int:
    source = FileSource(args.book)
    try:
        problem = read_problem(source, name=args.book.stem)
    except WorkbookError as error:
        return _invalid(reporter, error, args.book)
    finally:
        source.close()
    S, P, T = problem.shape
    reporter.emit({"status": "valid", "workbook": str(args.book), "products": list(problem.products),
                   "periods": list(problem.periods), "scenarios": list(problem.scenarios),
                   "fingerprint": problem.fingerprint()})
    reporter.say(f"{args.book.name} is valid: {P} products, {T} periods, {S} scenarios "
                 f"(fingerprint {problem.fingerprint()})")
    return OK


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
        if args.command == "solve":
            return _solve(args, reporter)
        if args.command == "validate":
            return _validate(args, reporter)
        if args.command == "template":
            return _write_new(args.path, args.force, write_template, reporter)
        return _write_new(args.path, args.force, lambda path: write_example(args.name, path), reporter)
    except WorkbookError as error:
        return _invalid(reporter, error, args.book)
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
