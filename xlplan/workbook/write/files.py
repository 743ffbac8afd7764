"""Writing workbook files safely: never half a file, never over a workbook someone has open."""

from __future__ import annotations

import contextlib
import os
import shutil
import stat
from collections.abc import Callable, Iterator
from pathlib import Path


class WorkbookFileError(OSError):
    """A workbook file cannot be read or written; the message says why in plain words."""


def lock_file(path: Path) -> Path | None:
    """The lock file Excel (``~$name``) or LibreOffice (``.~lock.name#``) keeps beside an open workbook."""
    candidates = [path.with_name("~$" + path.name), path.with_name(f".~lock.{path.name}#")]
    if len(path.name) > 2:
        candidates.append(path.with_name("~$" + path.name[2:]))
    return next((c for c in candidates if c.exists()), None)


def check_writable(target: Path) -> None:
    """Raise :class:`WorkbookFileError` if ``target`` cannot be written safely right now."""
    folder = target.parent
    if not folder.exists():
        raise WorkbookFileError(f"{target}: the folder {folder} does not exist")
    if not os.access(folder, os.W_OK):
        raise WorkbookFileError(f"{target}: the folder {folder} is read-only")
    if target.exists():
        if target.is_dir():
            raise WorkbookFileError(f"{target}: is a folder, not a workbook")
        # the mode bits too: they are the planner's intent even where access() says yes (root)
        if not os.access(target, os.W_OK) or not target.stat().st_mode & stat.S_IWUSR:
            raise WorkbookFileError(f"{target}: the file is read-only; make it writable or write to another "
                                    "file with -o")
        lock = lock_file(target)
        if lock is not None:
            raise WorkbookFileError(f"{target}: the workbook is open in Excel or LibreOffice (lock file "
                                    f"{lock.name}); close it first, or write to another file with -o")


def backup_path(target: Path) -> Path:
    """Where the previous version of ``target`` is kept: ``name.backup.xlsx`` beside it."""
    return target.with_name(f"{target.stem}.backup{target.suffix}")


@contextlib.contextmanager
def _temporary_beside(target: Path) -> Iterator[Path]:
    temporary = target.with_name(f".{target.stem}.xlplan-{os.getpid()}.tmp{target.suffix}")
    try:
        yield temporary
    finally:
        temporary.unlink(missing_ok=True)


def write_atomically(target: Path, write: Callable[[Path], None], *, backup: bool = False) -> Path:
    """Call ``write(temporary)`` and move the result over ``target`` in one step.

    The temporary file sits beside the target, so the final rename is atomic: whatever happens
    (an error, Ctrl+C, a crash) ``target`` is either the old file or the complete new one. With
    ``backup`` the old file is first copied to :func:`backup_path`.
    """
    target = Path(target)
    check_writable(target)
    with _temporary_beside(target) as temporary:
        try:
            write(temporary)
            with open(temporary, "rb+") as handle:
                os.fsync(handle.fileno())
            if backup and target.exists():
                shutil.copy2(target, backup_path(target))
            os.replace(temporary, target)
        except PermissionError as error:
            raise WorkbookFileError(f"{target}: permission denied while writing ({error.strerror})") from error
        except OSError as error:
            if isinstance(error, WorkbookFileError):
                raise
            raise WorkbookFileError(f"{target}: could not be written ({error})") from error
    return target
