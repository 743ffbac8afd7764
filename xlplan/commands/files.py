"""A command on workbook files (the command line's way): the outputs checked before any work, the command
run on the file, its sheets or its document written atomically beside it; and the files that are no
command's (the template, an example, the add-in).

The command line parses and prints; what it runs is here, so that it imports nothing but the commands.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable
from contextlib import AbstractContextManager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from xlplan.commands import Command, Notice, Outcome, output_sheet_names, sheets_written
from xlplan.errors import RefusedOptions

Showing = Callable[[str], AbstractContextManager[Any]]
"""How the caller shows what runs: ``with showing("Solve book.xlsx"): ...``."""


# ---------------------------------------------------------------------------- the choices a front end offers
def lp_algorithms() -> tuple[str, ...]:
    from xlplan.solver.options import LP_ALGORITHMS

    return LP_ALGORITHMS


def backends() -> tuple[str, ...]:
    """The solvers' names, read from the registry when asked."""
    from xlplan.solver.registry import SOLVERS

    return tuple(SOLVERS)


def examples() -> list[str]:
    from xlplan.workbook.make.examples import EXAMPLES

    return [*sorted(EXAMPLES), "synthetic"]


def policies() -> tuple[str, ...]:
    from xlplan.analysis.rolling import POLICIES

    return POLICIES


def synthetic_refusal(products: int, periods: int, scenarios: int) -> str | None:
    """Why a synthetic workbook of this size would be refused when read (None: it would not)."""
    from xlplan.workbook.make.examples import synthetic_refusal as refusal

    return refusal(products, periods, scenarios)


def solve_options(**values: Any) -> Any:
    """The solve options (``SolveOptions``) of these values; ValueError, in words, for options that cannot
    go together (``--mpi`` with whole units, ...)."""
    from xlplan.solver import SolveOptions

    return SolveOptions(**values)


def hipo_refusal() -> str | None:
    """Why HiGHS's hipo LP algorithm cannot run here (None: it can)."""
    from xlplan.solver import SolveOptions
    from xlplan.solver.highs_adapter import new_highs

    try:
        new_highs(SolveOptions(lp_algorithm="hipo"), is_mip=False)
    except ValueError as error:
        return str(error)
    return None


# ---------------------------------------------------------------------------- where a command writes
def document_path(book: Path, suffix: str) -> Path:
    """Where a command's document goes by default: ``BOOK<suffix>`` beside the workbook."""
    return book.with_name(book.stem + suffix)


def workbook_target(command: Command, book: Path, output: Path | None, in_place: bool) -> Path:
    """Where a workbook command writes: BOOK itself (in place), ``output``, or BOOK-<suffix> beside BOOK."""
    return book if in_place else (output or book.with_name(f"{book.stem}-{command.output_suffix}{book.suffix}"))


class WrongOutput(ValueError, RefusedOptions):
    """The command line named an output that cannot be (the input itself, a folder, a wrong suffix...)."""


def _checked(outputs: list[Any], inputs: list[Path]) -> None:
    """``check_outputs``, with a wrongly named output as :class:`WrongOutput` (a file system's refusal of a
    right one stays ``OutputRefused``, a file problem)."""
    from xlplan.workbook.write.targets import OutputRefused, check_outputs

    try:
        check_outputs(outputs, inputs)
    except OutputRefused as error:
        if error.usage:
            raise WrongOutput(str(error)) from None
        raise


@dataclass(frozen=True)
class Targets:
    """What the command line named for a command's files."""

    book: Path
    output: Path | None = None
    in_place: bool = False
    backup: bool = False
    warm_start: Path | None = None


def check_command_outputs(command: Command, targets: Targets) -> None:
    """Every file ``command`` will write, checked before any work starts: :class:`WrongOutput` for a file
    named wrong, ``OutputRefused`` for one the file system refuses, or nothing."""
    from xlplan.workbook.write.targets import SUFFIXES, Output

    outputs = []
    suffix = targets.book.suffix.lower()  # an .xlsm holds macros: its results are an .xlsm too
    if command.output_suffix is not None and suffix in SUFFIXES["workbook"]:  # else reading it is refused
        option = "--in-place" if targets.in_place else "-o" if targets.output is not None else "the output"
        outputs.append(Output(workbook_target(command, targets.book, targets.output, targets.in_place), "workbook",
                              option, suffix=suffix, in_place=targets.in_place, backup=targets.backup))
    elif command.document_suffix is not None:
        outputs.append(Output(targets.output or document_path(targets.book, command.document_suffix), "report",
                              "-o" if targets.output is not None else "the report"))
    if targets.warm_start is not None:
        outputs.append(Output(targets.warm_start, "warm start", "--warm-start"))
    _checked(outputs, [targets.book])


def check_new_workbook(path: Path) -> None:
    """A workbook to be made (the template, an example) can be written at ``path`` (see
    :func:`check_command_outputs`)."""
    from xlplan.workbook.write.targets import Output

    _checked([Output(path, "workbook", "", suffix=".xlsx")], [])


# ---------------------------------------------------------------------------- running on a file
@dataclass
class FileRun:
    """A command run on a file: its outcome, where it wrote, and the JSON figures of that."""

    outcome: Outcome
    figures: dict[str, Any] = field(default_factory=dict)
    written: str | None = None
    """The line saying what was written (None: nothing)."""


def run_on_file(command: Command, targets: Targets, options: dict[str, Any], showing: Showing,
                computing: Callable[[], AbstractContextManager[Any]] = contextlib.nullcontext) -> FileRun:
    """Run ``command`` on the workbook file with its keyword ``options`` and write what it made: its sheets
    into the output workbook (atomically; in place while the file is held, with a backup if asked), or its
    document. ``computing()`` wraps the work itself (the command line's Ctrl+C), ``showing(text)`` each step."""
    from xlplan.workbook.write.files import locked

    with locked(targets.book) if targets.in_place else contextlib.nullcontext():
        return _run_held(command, targets, options, showing, computing)


def _run_held(command: Command, targets: Targets, options: dict[str, Any], showing: Showing,
              computing: Callable[[], AbstractContextManager[Any]]) -> FileRun:
    from xlplan.workbook.read.file_source import FileSource
    from xlplan.workbook.write.files import backup_path, write_atomically

    book = targets.book
    source = FileSource(book)
    try:
        if command.output_suffix is not None:
            source.check_room_for(sheets_written(command.name))
        with computing(), showing(f"{command.action} {book.name}"):
            outcome = command.run(source, **options)
        if command.name == "validate":
            _warn_of_outputs(book, source, outcome)
    finally:
        source.close()
    run = FileRun(outcome, {"workbook": str(book)})
    if command.output_suffix is not None:
        from xlplan.workbook.write.writer import write_sheets  # the results' modules: not for validate

        target = workbook_target(command, book, targets.output, targets.in_place)
        backup = targets.in_place and targets.backup
        with showing(f"Writing {target.name}"):
            write_sheets(outcome.sheets, book, target, retire=outcome.retire, backup=backup,
                         as_outputs=outcome.as_outputs)
        run.figures["output"] = str(target)
        run.written = f"wrote {target}"
        if backup and backup_path(target).exists():
            run.written += f" (previous version kept as {backup_path(target).name})"
    elif command.document_suffix is not None and outcome.document is not None:
        target = targets.output or document_path(book, command.document_suffix)
        document = outcome.document
        with showing(f"Writing {target.name}"):
            write_atomically(target, lambda temporary: temporary.write_text(document, encoding="utf-8"))
        run.figures["output"] = str(target)
        run.written = f"wrote {target}"
    return run


def _warn_of_outputs(book: Path, source: Any, outcome: Outcome) -> None:
    """validate: what would stop a command from writing its results, found now rather than after a solve
    (a sheet of the planner's where an output sheet goes, a folder where nothing can be created, a backup
    name too long, a read-only workbook), as warnings: the inputs themselves are valid."""
    from xlplan.workbook.write.markers import OutputSheetClash
    from xlplan.workbook.write.targets import Output, OutputRefused, check_outputs

    found = []
    try:
        source.check_room_for(output_sheet_names())
    except OutputSheetClash as error:
        found.append(str(error))
    outputs = [("-o", Output(book.with_name(f"{book.stem}-plan{book.suffix}"), "workbook", "")),
               ("--in-place", Output(book, "workbook", "", in_place=True, backup=True))]
    for how, output in outputs:
        try:
            check_outputs([output], [book])
        except OutputRefused as error:
            found.append(f"solve {'--in-place' if how == '--in-place' else 'without -o'} would fail: {error}")
    for message in found:
        outcome.warnings.append(Notice("outputs", message))
        outcome.lines.append(f"WARNING: {message}")


# ---------------------------------------------------------------------------- files that are no command's
class AlreadyThere(Exception):
    """The file to make exists and may not be replaced."""


def write_new(path: Path, force: bool, what: str, size: dict[str, int] | None = None,
              whole_units: bool = False) -> Path:
    """Write ``what`` (``template``, an example's name, or ``synthetic`` of ``size``) at ``path``; AlreadyThere
    when it exists and ``force`` is not given."""
    from xlplan.text import shown
    from xlplan.workbook import write_example, write_synthetic, write_template

    if path.exists() and not force:
        raise AlreadyThere(f"{shown(path)}: already exists; choose another name, or pass --force to replace it")
    if what == "template":
        write_template(path)
    elif what == "synthetic":
        write_synthetic(path, **(size or {}), whole_units=whole_units)
    else:
        write_example(what, path)
    return path


def install_addin(folder: Path | None) -> Path:
    from xlplan.workbook.make.addin import install_addin as install

    return install(folder)


def remove_addin(folder: Path | None) -> Path | None:
    from xlplan.workbook.make.addin import remove_addin as remove

    return remove(folder)


__all__ = ["AlreadyThere", "FileRun", "Targets", "WrongOutput", "backends", "check_command_outputs",
           "check_new_workbook", "document_path", "examples", "hipo_refusal", "install_addin", "lp_algorithms",
           "policies", "remove_addin", "run_on_file", "solve_options", "synthetic_refusal", "workbook_target",
           "write_new"]
