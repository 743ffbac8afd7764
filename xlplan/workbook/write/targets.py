"""Every file a command will write, checked before any work starts.

One function, :func:`check_outputs`, is used for every output of every command (``-o``, ``--in-place``
and its backup, ``--warm-start``, ``report -o``, ``template``, ``example``): a long solve must never end
in a file that cannot be written, and no command may write over a file it reads as input. The reading
side has its twin, :func:`check_readable`: only a regular file is read as a workbook.
"""

from __future__ import annotations

import contextlib
import os
import stat
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from xlplan.workbook.write.files import WorkbookFileError, backup_path, check_writable, name_limit, shown

SUFFIXES = {"workbook": (".xlsx", ".xlsm", ".xltx", ".xltm"), "report": (".html", ".htm"), "warm start": (".npz",)}
"""What each kind of output may be called: a name must say what the file holds."""


@dataclass(frozen=True)
class Output:
    """A file a command will write: its ``kind`` (a key of :data:`SUFFIXES`), the ``option`` that named it
    (for the message), whether it may be an input (``in_place``) and whether its old version is kept."""

    path: Path
    kind: str
    option: str
    suffix: str | None = None
    """The one suffix it must have (a workbook keeps its input's: an .xlsm holds macros); None: any of the kind's."""
    in_place: bool = False
    backup: bool = False


class OutputRefused(WorkbookFileError):
    """An output cannot be written; ``usage`` when the command line named a wrong file (exit 2) rather
    than the file system refusing a right one (exit 6)."""

    def __init__(self, problems: Sequence[tuple[str, bool]]):
        super().__init__("; ".join(message for message, _ in problems))
        self.usage = all(usage for _, usage in problems)


def same_file(a: Path, b: Path) -> bool:
    """Whether two paths name one file: the same inode (a hard link, another spelling) or the same real path."""
    try:
        if a.exists() and b.exists() and os.path.samefile(a, b):
            return True
        return os.path.realpath(a) == os.path.realpath(b)
    except (OSError, ValueError):
        return False


def _probe(folder: Path) -> str | None:
    """Why no file can be created in ``folder`` (a read-only mount, no rights, not a folder), or None.
    Access rights alone do not say it: an administrator passes them on a read-only file system."""
    try:
        if not folder.is_dir():
            return f"the folder {shown(folder)} does not exist" if not folder.exists() else \
                f"{shown(folder)} is not a folder"
        probe = folder / f".xlplan-probe-{os.getpid()}"
        with open(probe, "xb"):
            pass
        probe.unlink()
    except FileExistsError:
        return None
    except OSError as error:
        return f"no file can be created in the folder {shown(folder)} ({error.strerror or error})"
    return None


def _problems(output: Output, inputs: Sequence[Path], others: Iterable[Output]) -> list[tuple[str, bool]]:
    path, problems = output.path, []
    name = f"{output.option} {shown(path)}" if output.option else shown(path)
    allowed = (output.suffix,) if output.suffix else SUFFIXES[output.kind]
    if path.suffix.lower() not in allowed:
        wanted = output.suffix or allowed[0]
        problems.append((f"{name}: xlplan writes {'an' if output.kind[0] in 'aeiou' else 'a'} {output.kind} here, "
                         f"which must be named {' or '.join(allowed)}, not '{path.suffix}'; "
                         f"use {shown(path.with_suffix(wanted))}", True))
    for book in inputs:
        if same_file(path, book) and not output.in_place:
            advice = "; to write into it, use --in-place (which keeps a backup)" if output.kind == "workbook" else ""
            problems.append((f"{name} names the input workbook{advice}", True))
        elif same_file(path, backup_path(book)) and path != book:
            problems.append((f"{name} names {shown(backup_path(book))}, the backup of {shown(book)}; "
                             "choose another name", True))
    for other in others:
        if same_file(path, other.path):
            problems.append((f"{name} and {other.option} {shown(other.path)} name one file; choose two names",
                             True))
    if problems:
        return problems
    folder = path.parent if str(path.parent) else Path(".")
    limit = name_limit(folder)
    for candidate in (path, backup_path(path)) if output.backup else (path,):
        if len(os.fsencode(candidate.name)) > limit:
            problems.append((f"{shown(candidate)}: the file name is {len(os.fsencode(candidate.name))} bytes long, "
                             f"more than the {limit} the file system allows; choose a shorter name", False))
    refused = _probe(folder)
    if refused is not None:
        problems.append((f"{name}: {refused}", False))
    if problems:
        return problems
    with contextlib.suppress(FileNotFoundError):
        mode = os.stat(path).st_mode
        if not stat.S_ISREG(mode):
            kind = "a folder" if stat.S_ISDIR(mode) else "not a regular file (a device, a pipe)"
            return [(f"{name}: is {kind}; name a file", False)]
    try:
        if output.kind == "workbook":  # read-only, open in Excel, a backup over a folder
            check_writable(path, backup=output.backup)
        elif path.exists() and not os.access(path, os.W_OK):
            problems.append((f"{name}: the file is read-only", False))
    except WorkbookFileError as error:
        problems.append((str(error), False))
    return problems


def check_outputs(outputs: Sequence[Output], inputs: Sequence[Path] = ()) -> None:
    """Raise :class:`OutputRefused` listing every problem at once if any of ``outputs`` cannot be
    written: one that names an input workbook or its backup (unless written in place), two that name
    one file, a suffix that does not say what is written, a name too long for the file system, a folder
    missing or where nothing can be created, a folder or device where the file would go, a read-only
    file or a workbook open in Excel."""
    problems = []
    for k, output in enumerate(outputs):
        problems += _problems(output, inputs, outputs[:k])
    if problems:
        raise OutputRefused(problems)


def check_readable(path: Path) -> None:
    """Raise :class:`WorkbookFileError` unless ``path`` is (or links to) a regular file: a FIFO would
    block for good and a device (``/dev/zero``) reads without end, so neither is ever opened."""
    try:
        mode = os.stat(path).st_mode
    except FileNotFoundError:
        raise WorkbookFileError(f"{shown(path)}: no such file") from None
    except OSError as error:  # a name too long for the file system, a path through a file...
        raise WorkbookFileError(f"{shown(path)}: cannot be opened ({error.strerror or error})") from error
    if stat.S_ISDIR(mode):
        raise WorkbookFileError(f"{shown(path)}: is a folder, not a workbook")
    if not stat.S_ISREG(mode):
        what = "a pipe (FIFO)" if stat.S_ISFIFO(mode) else "a device" if stat.S_ISCHR(mode) or stat.S_ISBLK(mode) \
            else "a socket" if stat.S_ISSOCK(mode) else "not a regular file"
        raise WorkbookFileError(f"{shown(path)}: is {what}, not a workbook file; xlplan reads only regular files")
