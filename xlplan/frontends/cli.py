"""The ``xlplan`` command: plan from workbooks on a server, in CI or in batch runs.

It parses the command line, runs the command on the files (:mod:`xlplan.commands.files`) and prints: the
lines, the progress, the JSON and the exit code (:mod:`xlplan.commands.endings` says which).

The arguments are parsed before anything heavy is imported: ``--help`` and ``--version`` never wait
for the solver stack (Pyomo, HiGHS, SciPy, pandas), which the commands import when they run.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import math
import os
import signal
import sys
import threading
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from pathlib import Path
from typing import Any

from xlplan import cancel, limits, progress
from xlplan.commands import BY_NAME, COMMANDS, files
from xlplan.commands.endings import (
    ERROR_STATUS,
    EXIT_BY_OUTCOME,
    FILE_ERROR,
    INTERNAL,
    INTERRUPTED,
    INVALID,
    NO_PLAN,
    OK,
    STOPPED,
    USAGE,
    envelope,
    failure,
    json_ready,
    status_word,
)
from xlplan.commands.option_values import run_keywords
from xlplan.commands.options import OPTIONS, Option, OptionGroup, options_of
from xlplan.text import shown
from xlplan.version import installed_version


class UsageError(Exception):
    """The command line was wrong; the message is one line."""


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> None:  # one line, no usage block: the message says what to fix
        raise UsageError(f"{self.prog}: error: {message} (see {self.prog} --help)")


class _Later:
    """Choices defined in a module that ``--help`` should not wait for: imported when first needed."""

    def __init__(self, load: Callable[[], Iterable[str]]):
        self._load = load

    def __contains__(self, value: object) -> bool:
        return value in tuple(self._load())

    def __iter__(self) -> Iterator[str]:
        return iter(tuple(self._load()))


def _number(kind: type, accept: Callable[[Any], bool], wanted: str) -> Callable[[str], Any]:
    """An argparse type: ``kind`` (int or float) within ``wanted``; NaN and infinity are refused."""
    def parse(text: str) -> Any:
        try:
            value = kind(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"{text!r} is not {'a whole number' if kind is int else 'a number'}") \
                from None
        if not (math.isfinite(value) and accept(value)):
            raise argparse.ArgumentTypeError(f"must be {wanted}, not {text}")
        return value

    return parse


SECONDS = _number(float, lambda v: v > 0, "a positive number of seconds")
GAP = _number(float, lambda v: 0 <= v < 1, "at least 0 and below 1 (a relative gap: 0.01 is 1%)")
POSITIVE = _number(int, lambda v: v >= 1, "a whole number of at least 1")
COUNT = _number(int, lambda v: v >= 0, "a whole number of at least 0")
SEED = _number(int, lambda v: 0 <= v < 2**63, "a whole number of at least 0")


def _add_output(command: argparse.ArgumentParser, suffix: str) -> None:
    command.add_argument("book", type=Path, help="the workbook (.xlsx or .xlsm) holding the inputs")
    where = command.add_mutually_exclusive_group()
    where.add_argument("-o", "--output", type=Path,
                       help=f"write the resulting workbook here, never BOOK itself (default: BOOK-{suffix}.xlsx "
                            "beside BOOK)")
    where.add_argument("--in-place", action="store_true",
                       help="write the results into BOOK itself (atomically; the previous version is kept "
                            "as BOOK.backup.xlsx)")
    command.add_argument("--no-backup", action="store_true", help="with --in-place: keep no backup")
    command.add_argument("--json", action="store_true",
                         help="print a machine-readable summary on stdout (progress goes to stderr)")


def REPLICATIONS(text: str) -> int:  # noqa: N802 - an argparse type, named like the others
    value: int = POSITIVE(text)
    if value > limits.MAX_REPLICATIONS:
        raise argparse.ArgumentTypeError(f"must be at most {limits.MAX_REPLICATIONS:,}, not {text}")
    return value


def _weights(text: str) -> tuple[float, ...]:
    try:
        weights = tuple(float(w) for w in text.split(",") if w.strip())
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a list of numbers: {text!r}") from None
    if not weights or any(not 0 <= w < math.inf for w in weights):
        raise argparse.ArgumentTypeError(f"the risk weights must be numbers of at least 0: {text!r}")
    if len(weights) > limits.MAX_WEIGHTS:
        raise argparse.ArgumentTypeError(f"{len(weights):,} risk weights are more than the {limits.MAX_WEIGHTS} "
                                         "a frontier solves")
    return weights


class _DeprecatedFlag(argparse.Action):
    """A flag's old name, still accepted: it sets the new flag and says once, on stderr, what to type now."""

    def __init__(self, *args: Any, replacement: str, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.replacement = replacement

    def __call__(self, parser: argparse.ArgumentParser, namespace: argparse.Namespace, values: Any,
                 option_string: str | None = None) -> None:
        print(f"xlplan: {option_string} is deprecated; use {self.replacement}", file=sys.stderr)
        setattr(namespace, self.dest, True)


def _add_deprecated_plan_choice(command: argparse.ArgumentParser) -> None:
    command.add_argument("--reproduce-seed-defect", action=_DeprecatedFlag, nargs=0, help=argparse.SUPPRESS,
                         dest="reproduce_original_defect", replacement="--reproduce-original-defect")


def _policies(text: str) -> tuple[str, ...]:
    POLICIES = files.policies()  # noqa: N806 - the analysis's constant
    chosen = tuple(dict.fromkeys(word.strip().lower() for word in text.split(",") if word.strip()))
    unknown = [word for word in chosen if word not in POLICIES]
    if unknown or not chosen:
        raise argparse.ArgumentTypeError(f"choose from {', '.join(POLICIES)}, not {text!r}")
    return chosen


def _add_document(command: argparse.ArgumentParser, suffix: str) -> None:
    command.add_argument("book", type=Path, help="the workbook (.xlsx or .xlsm)")
    command.add_argument("-o", "--output", type=Path, help=f"write the report here (default: BOOK{suffix} beside BOOK)")
    command.add_argument("--json", action="store_true",
                         help="print a machine-readable summary on stdout (progress goes to stderr)")


ALIASES: dict[str, Callable[[argparse.ArgumentParser], None]] = {"plan choice": _add_deprecated_plan_choice}
"""Old names of a group's options, still accepted."""
FILE_OPTIONS = ("output", "in_place", "no_backup")
"""The command line's own options (where the results go), reported in the JSON beside the command's."""


def _parsing(option: Option) -> dict[str, Any]:
    """How the command line reads an option of the table, by its kind."""
    if option.kind == "flag":
        return {"action": "store_true"}
    if option.kind in ("choice", "lp algorithm", "solver"):
        choices = {"lp algorithm": _Later(files.lp_algorithms), "solver": _Later(files.backends)}
        return {"choices": choices.get(option.kind, option.choices)}
    types: dict[str, Callable[[str], Any]] = {
        "seconds": SECONDS, "gap": GAP, "positive": POSITIVE, "count": COUNT, "seed": SEED,
        "replications": REPLICATIONS, "path": Path, "text": str, "weights": _weights, "policies": _policies}
    return {"type": types[option.kind]}


def _add_options(command: argparse.ArgumentParser, group: OptionGroup) -> None:
    for option in OPTIONS[group]:
        shown_as = {} if option.metavar is None else {"metavar": option.metavar}
        command.add_argument(option.command_line_flag, dest=option.name, default=option.default, help=option.help,
                             **shown_as, **_parsing(option))
    if group in ALIASES:
        ALIASES[group](command)


def _parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="xlplan", description="Stochastic production planning from Excel workbooks.",
                     epilog="Exit codes: 0 ok, 1 internal error, 2 usage, 3 invalid input, 4 infeasible, "
                            "5 stopped by a limit, 6 file problem, 130 interrupted.")
    parser.add_argument("--version", action="version", version=f"xlplan {installed_version()}")
    subcommands = parser.add_subparsers(dest="command", required=True, parser_class=_Parser)

    for command in COMMANDS:
        if not command.on_command_line:
            continue
        sub = subcommands.add_parser(command.name, help=command.help, description=command.help)
        if command.output_suffix:
            _add_output(sub, command.output_suffix)
        elif command.document_suffix:
            _add_document(sub, command.document_suffix)
        else:
            sub.add_argument("book", type=Path, help="the workbook (.xlsx or .xlsm) holding the inputs")
            sub.add_argument("--json", action="store_true", help="print the result as JSON")
        for group in command.options:
            _add_options(sub, group)

    template = subcommands.add_parser("template", help="write the planning template workbook")
    template.add_argument("path", type=Path)
    template.add_argument("--force", action="store_true", help="overwrite PATH if it exists")

    addin = subcommands.add_parser(
        "addin", help="install or remove the Excel add-in (the xlplan ribbon tab)",
        description="Put xlplan.xlam, the add-in with the xlplan ribbon tab, where Excel opens add-ins at start "
                    "(its XLSTART folder), or take it away. Restart Excel afterwards.")
    addin.add_argument("action", choices=("install", "remove"))
    addin.add_argument("--folder", type=Path, help="another folder than Excel's startup folder")

    example = subcommands.add_parser(
        "example", help="write an example workbook",
        description="Write an example workbook: one of the references, or 'synthetic': an electronics-like "
                    "workbook of any size (e.g. xlplan example synthetic big.xlsx --products 12 --scenarios 1000).")
    example.add_argument("name", choices=_Later(files.examples), metavar="NAME", help="the example: %(choices)s")
    example.add_argument("path", type=Path)
    example.add_argument("--force", action="store_true", help="overwrite PATH if it exists")
    size = example.add_argument_group("synthetic only")
    for option, default, meaning in SYNTHETIC_SIZE:
        size.add_argument(f"--{option}", type=POSITIVE, metavar="N", help=f"{meaning} (default {default})")
    size.add_argument("--whole-units", action="store_true", help="whole units (a MIP) rather than continuous")
    return parser


SYNTHETIC_SIZE = (("products", 3, "products"), ("periods", 52, "periods (weeks)"),
                  ("scenarios", 100, "equally likely demand scenarios"), ("seed", 2026, "seed of the demand draws"))


def _targets(args: argparse.Namespace) -> files.Targets:
    """The files a workbook command's line names."""
    in_place = getattr(args, "in_place", False)
    return files.Targets(args.book, args.output if hasattr(args, "output") else None, in_place,
                         backup=in_place and not args.no_backup, warm_start=getattr(args, "warm_start", None))


def _check_outputs(args: argparse.Namespace) -> None:
    """Every output checked before any work: a wrong name is a usage error, a file system's refusal a file
    error (raised as such)."""
    try:
        if args.command in ("template", "example"):
            files.check_new_workbook(args.path)
        elif args.command in BY_NAME:
            files.check_command_outputs(BY_NAME[args.command], _targets(args))
    except files.WrongOutput as error:
        raise UsageError(f"xlplan {args.command}: error: {error}") from None


def _check(args: argparse.Namespace) -> None:
    """What argparse cannot check alone; raises UsageError."""
    prog = f"xlplan {args.command}"

    def refuse(message: str) -> None:
        raise UsageError(f"{prog}: error: {message} (see {prog} --help)")

    if args.command == "example" and args.name != "synthetic":
        given = [f"--{option}" for option, _, _ in SYNTHETIC_SIZE if getattr(args, option) is not None]
        given += ["--whole-units"] if args.whole_units else []
        if given:
            refuse(f"{', '.join(given)}: only for the synthetic example")
    if args.command == "example" and args.name == "synthetic":
        size = {option: getattr(args, option) or default for option, default, _ in SYNTHETIC_SIZE if option != "seed"}
        too_large = files.synthetic_refusal(**size)
        if too_large is not None:
            refuse(too_large)
    if getattr(args, "no_backup", False) and not args.in_place:
        refuse("--no-backup only applies with --in-place (without it, BOOK itself is never written)")
    if getattr(args, "policies", None) and not args.rolling:
        refuse("--policies only applies with --rolling")
    if getattr(args, "rolling", False) and (args.exact or args.reproduce_original_defect or args.plan != "auto"):
        refuse("--rolling makes its own plans as it goes: it takes no --plan, --exact or --reproduce-original-defect")
    if hasattr(args, "backend"):
        try:
            run_keywords(("solver",), vars(args))  # refused (e.g. --mpi with whole units) before any reading
        except ValueError as error:
            refuse(str(error))
    if getattr(args, "lp_algorithm", None) == "hipo":
        refusal = files.hipo_refusal()
        if refusal is not None:
            refuse(f"--lp-algorithm hipo: {refusal}; install it with: pip install 'xlplan[hipo]'")


class _PhaseLines:
    """The progress listener when stderr is no terminal (a log, CI): a plain line when a phase starts, at
    most one progress line every ``EVERY`` seconds while it runs (step k of n, best plan, bound, gap), and
    one when a phase that took at least ``LONG`` seconds ends, with where it got to. ``clock`` gives the
    seconds (a test passes its own)."""

    LONG = 2.0
    EVERY = 10.0

    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        self.clock = clock
        self.current: str | None = None
        self.started = self.shown = clock()
        self.last: progress.Bounds | None = None
        self.counted: tuple[int, int, str] | None = None

    @staticmethod
    def _print(line: str) -> None:
        print(f"xlplan: {line}", file=sys.stderr, flush=True)

    def _line(self) -> str:
        state = progress.state_text(self.last, self.counted)
        return f"{self.current}: {self.clock() - self.started:,.1f} s" + (f", {state}" if state else "")

    def _end(self) -> None:
        if self.current is not None and self.clock() - self.started >= self.LONG:
            self._print(self._line())

    def _maybe_show(self) -> None:
        now = self.clock()
        if self.current is not None and now - self.shown >= self.EVERY:
            self.shown = now
            self._print(self._line())

    def phase(self, name: str) -> None:
        self._end()
        repeated = name == self.current  # an analysis's hundred solves of one kind: said once
        self.current, self.counted = name, None
        self.started = self.shown = self.clock()
        if not repeated:
            self._print(name)

    def bounds(self, state: progress.Bounds) -> None:
        self.last = state
        self._maybe_show()

    def count(self, done: int, total: int, what: str) -> None:
        self.counted = (done, total, what)
        self._maybe_show()

    def close(self) -> None:
        self._end()
        self.current = None


class _Reporter:
    """Human output on stdout, or JSON on stdout with progress and messages on stderr."""

    def __init__(self, as_json: bool):
        self.as_json = as_json
        self.emitted = False
        """The JSON was printed whole."""
        self.ended = False
        """The command's ending (its result, or the line of a press) was said."""

    @contextlib.contextmanager
    def status(self, text: str) -> Iterator[None]:
        """Show what runs: on a terminal one live line (phase, elapsed time, the solver's best cost,
        bound and gap, replications done); otherwise one line on stderr per phase that took a while."""
        from rich.console import Console

        console = Console(stderr=True, highlight=False)
        text = shown(text)
        if console.is_terminal:
            with console.status(text, spinner="dots") as live:
                with progress.listening(progress.OneLine(text, live.update)):
                    yield
        else:
            lines = _PhaseLines()
            with progress.listening(lines):
                yield
            lines.close()

    def say(self, text: str) -> None:
        if not self.as_json:
            print(shown(text), flush=True)

    def problem(self, text: str) -> None:
        print(shown(text), file=sys.stderr, flush=True)

    def emit(self, payload: dict[str, Any]) -> None:
        if self.as_json:
            text = json.dumps(json_ready(payload), indent=2, allow_nan=False) + "\n"
            sys.stdout.write(text)
            sys.stdout.flush()
            self.emitted = True


def _given_options(args: argparse.Namespace) -> dict[str, Any]:
    """The options in effect (defaults included), by their names: the command's, declared in its table, and
    where its results go."""
    command = BY_NAME.get(args.command)
    names = [option.name for option in options_of(command.options)] if command is not None else []
    return {name: str(value) if isinstance(value, Path) else value
            for name, value in ((name, getattr(args, name)) for name in [*names, *FILE_OPTIONS] if hasattr(args, name))}


class _CtrlC:
    """Ctrl+C ends the command with exit 130 and no file changed.

    HiGHS catches the KeyboardInterrupt to stop its solve cleanly and returns the best plan so far;
    xlplan must not carry on with that plan nor start the next solve of an analysis: the press is
    recorded (:mod:`xlplan.cancel`), the computations stop at their next checkpoint, and a command
    that returns after a press counts as interrupted. While the file is being written, the atomic
    write removes its temporary file.
    """

    def __init__(self) -> None:
        self.pressed = False
        self._done = False
        self._previous: Any = None

    def __enter__(self) -> _CtrlC:
        cancel.reset()
        if threading.current_thread() is threading.main_thread():
            self._previous = signal.signal(signal.SIGINT, self._handle)
        return self

    def __exit__(self, *exc: object) -> None:
        self._done = True
        if self._previous is not None:
            signal.signal(signal.SIGINT, self._previous)
        cancel.reset()

    def _handle(self, signum: int, frame: object) -> None:
        if self._done:
            return
        self.pressed = True
        cancel.request()
        raise KeyboardInterrupt

    @contextlib.contextmanager
    def computing(self) -> Iterator[None]:
        yield
        if self.pressed:
            raise KeyboardInterrupt


@contextlib.contextmanager
def _stdout_to_stderr() -> Iterator[None]:
    """With --json, stdout holds the JSON alone: while the command runs, whatever else is written to
    stdout (HiGHS's native output, highspy's "Ctrl-C pressed" line) goes to stderr, at the file
    descriptor as well as in Python."""
    sys.stdout.flush()
    try:
        saved = os.dup(1)
        os.dup2(2, 1)
    except (OSError, AttributeError, ValueError):  # no real stdout
        saved = None
    try:
        with contextlib.redirect_stdout(sys.stderr):
            yield
    finally:
        sys.stderr.flush()
        if saved is not None:
            os.dup2(saved, 1)
            os.close(saved)


def _run(args: argparse.Namespace, reporter: _Reporter, ctrl_c: _CtrlC) -> tuple[int, dict[str, Any]]:
    """A workbook command of the table: run it on the file, write its sheets (if it writes any), report."""
    command = BY_NAME[args.command]
    keywords = run_keywords(command.options, vars(args))
    run = files.run_on_file(command, _targets(args), keywords, reporter.status, ctrl_c.computing)
    outcome = run.outcome
    code = EXIT_BY_OUTCOME[outcome.status]
    for line in outcome.lines:
        reporter.say(line)
    if run.written:
        reporter.say(run.written)
    if reporter.as_json:
        for notice in outcome.warnings:
            reporter.problem(f"xlplan: warning: {notice.message}")
    return code, envelope(args.command, status_word(outcome), code, versions=outcome.versions or None,
                          seed=outcome.seed, options=_given_options(args),
                          warnings=[(w.code, w.message) for w in outcome.warnings],
                          figures={**run.figures, **outcome.summary})


def _write_new(args: argparse.Namespace, reporter: _Reporter) -> int:
    """The template, a reference example, or the synthetic one at the size asked for."""
    what = "template" if args.command == "template" else args.name
    size = {option: getattr(args, option) or default for option, default, _ in SYNTHETIC_SIZE} \
        if what == "synthetic" else None
    try:
        written = files.write_new(args.path, args.force, what, size, whole_units=getattr(args, "whole_units", False))
    except files.AlreadyThere as error:
        reporter.problem(str(error))
        return FILE_ERROR
    reporter.say(f"wrote {written}")
    return OK


def _addin(args: argparse.Namespace, reporter: _Reporter) -> int:
    try:
        if args.action == "install":
            written = files.install_addin(args.folder)
            reporter.say(f"installed the xlplan add-in as {written}; restart Excel to see the xlplan tab")
        else:
            removed = files.remove_addin(args.folder)
            reporter.say(f"removed {removed}; restart Excel" if removed else
                         "the xlplan add-in was not installed there: nothing removed")
    except OSError as error:
        reporter.problem(f"xlplan: {error}")
        return FILE_ERROR
    return OK


def _command_named(argv: Sequence[str]) -> str | None:
    return next((a for a in argv if a in BY_NAME or a in ("template", "example", "addin")), None)


def _failure(args: argparse.Namespace, error: BaseException) -> tuple[int, dict[str, Any], str]:
    """The exit code, JSON and one line for a command that ended without its result."""
    code, line, figures = failure(args.command, error)
    figures = {"workbook": str(getattr(args, "book", "") or "") or None, **figures}
    return code, envelope(args.command, ERROR_STATUS[code], code, options=_given_options(args),
                          figures=figures), line


def main(argv: Sequence[str] | None = None, reporter: _Reporter | None = None) -> int:
    """Run the command line; returns the exit code.

    Ctrl+C is handled from the first line to the last: while the arguments are read, while the command
    runs, and while its result is printed, a press ends the run with exit 130 (and no file changed
    unless the new one was already in place, whole). ``reporter`` is the caller's when the caller must
    know, after a press that escaped, whether the ending was already said (see :func:`entry_point`)."""
    argv = list(sys.argv[1:] if argv is None else argv)
    reporter = reporter or _Reporter("--json" in argv)
    ctrl_c = _CtrlC()
    with ctrl_c:
        try:
            code, payload = _parsed_and_run(argv, reporter, ctrl_c)
            if payload is not None:
                reporter.emit(payload)
        except KeyboardInterrupt:  # pressed while reading the arguments or printing the result
            _say_interrupted(reporter, argv)
            code = INTERRUPTED
        reporter.ended = True
    return INTERRUPTED if ctrl_c.pressed else code


def _say_interrupted(reporter: _Reporter, argv: Sequence[str]) -> None:
    """The line (and with --json the JSON, unless it was printed whole) of a press outside a command's run."""
    reporter.problem("xlplan: interrupted" if reporter.emitted else "xlplan: interrupted; no file was changed")
    if reporter.as_json and not reporter.emitted:
        reporter.emit(envelope(_command_named(argv), ERROR_STATUS[INTERRUPTED], INTERRUPTED,
                               figures={"message": "interrupted; no file was changed"}))


def _parsed_and_run(argv: list[str], reporter: _Reporter, ctrl_c: _CtrlC) -> tuple[int, dict[str, Any] | None]:
    """The exit code and the JSON of the command ``argv`` names (None when it prints none)."""
    try:
        args = _parser().parse_args(argv)
        _check(args)
        if getattr(args, "threads", None) is not None:
            args.threads, note = limits.threads(args.threads)
            if note is not None:
                reporter.problem(f"xlplan: {note}")
    except UsageError as error:
        reporter.problem(str(error))
        return USAGE, envelope(_command_named(argv), ERROR_STATUS[USAGE], USAGE, figures={"message": str(error)})
    payload: dict[str, Any] | None = None
    try:
        with _stdout_to_stderr() if reporter.as_json else contextlib.nullcontext():
            _check_outputs(args)
            if args.command in BY_NAME:
                code, payload = _run(args, reporter, ctrl_c)
            elif args.command == "addin":
                code = _addin(args, reporter)
            else:
                code = _write_new(args, reporter)
    except UsageError as error:  # an output the command line named wrong, found before any work
        reporter.problem(str(error))
        return USAGE, envelope(args.command, ERROR_STATUS[USAGE], USAGE, options=_given_options(args),
                               figures={"message": str(error)})
    except (KeyboardInterrupt, Exception) as error:  # every ending gets its exit code and a sentence
        code, payload, line = _failure(args, error)
        reporter.problem(line)
    except SystemExit:  # highspy gives up waiting for HiGHS after five Ctrl+C and exits
        if not ctrl_c.pressed:
            raise
        code, payload, line = _failure(args, KeyboardInterrupt())
        reporter.problem(line)
    return code, payload


def entry_point() -> None:
    """The ``xlplan`` command (see ``xlplan/__main__.py``, which reaches it with Ctrl+C already handled)."""
    argv = sys.argv[1:]
    reporter = _Reporter("--json" in argv)
    try:
        code = main(argv, reporter)
    except KeyboardInterrupt:
        # pressed as main began, before its handler was in place, or as it handed back its code after the
        # handler was removed: the ending is said here unless main had said it
        if not reporter.ended:
            _say_interrupted(reporter, argv)
        code = INTERRUPTED
    sys.exit(code)


__all__ = ["FILE_ERROR", "INTERNAL", "INTERRUPTED", "INVALID", "NO_PLAN", "OK", "STOPPED", "USAGE", "entry_point",
           "main"]

if __name__ == "__main__":
    entry_point()
