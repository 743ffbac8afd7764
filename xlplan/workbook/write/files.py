"""Writing workbook files safely: never half a file, never over a workbook someone has open."""

from __future__ import annotations

import contextlib
import os
import secrets
import shutil
import socket
import stat
from collections.abc import Callable, Iterator
from pathlib import Path

from xlplan.errors import FileProblem
from xlplan.text import shown


class WorkbookFileError(OSError, FileProblem):
    """A workbook file cannot be read or written; the message says why in plain words."""


MAX_NAME_BYTES = 255
"""The longest file name (in bytes) common file systems allow (when the file system does not say)."""


def name_limit(folder: Path) -> int:
    """The longest file name (in bytes) the file system holding ``folder`` accepts."""
    try:
        return int(os.pathconf(folder if str(folder) else ".", "PC_NAME_MAX"))
    except (OSError, ValueError, AttributeError):  # no such folder, or a system without pathconf
        return MAX_NAME_BYTES


def lock_file(path: Path) -> Path | None:
    """The lock file Excel (``~$name``) or LibreOffice (``.~lock.name#``) keeps beside an open workbook."""
    candidates = [path.with_name("~$" + path.name), path.with_name(f".~lock.{path.name}#")]
    if len(path.name) > 2:
        candidates.append(path.with_name("~$" + path.name[2:]))
    # a lock file's name can be too long to exist where the workbook's is not
    return next((c for c in candidates if len(os.fsencode(c.name)) <= MAX_NAME_BYTES and c.exists()), None)


def run_lock_path(book: Path) -> Path:
    """The lock file an xlplan run writing ``book`` in place keeps beside it (hidden, like LibreOffice's)."""
    return book.with_name(f".~xlplan.{book.name}#")


def _holder(lock: Path) -> tuple[int, str] | None:
    """The process and host named in a lock file; None when it cannot be read."""
    try:
        pid, host = lock.read_text(encoding="utf-8").split(maxsplit=1)
        return int(pid), host.strip()
    except (OSError, ValueError):
        return None


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except (PermissionError, OSError):  # another user's process (or no way to ask): count it as running
        return True
    return True


@contextlib.contextmanager
def locked(book: Path) -> Iterator[None]:
    """Hold the workbook for one run that writes it in place: a second run at the same time would read
    the same version and silently replace the first one's results. Raises :class:`WorkbookFileError`
    ("busy") while another run holds it; a lock left by a run on this computer that no longer runs
    (killed) is taken over."""
    lock = run_lock_path(book)
    mine = f"{os.getpid()} {socket.gethostname()}\n".encode()
    for _ in range(2):
        try:
            handle = os.open(lock, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o644)
        except FileExistsError:
            holder = _holder(lock)
            if holder is not None and holder[1] == socket.gethostname() and not _alive(holder[0]):
                lock.unlink(missing_ok=True)  # left by a run that was killed
                continue
            who = f"process {holder[0]} on {holder[1]}" if holder is not None else "another run"
            raise WorkbookFileError(f"{shown(book)}: the workbook is busy: another xlplan run ({who}) is writing it "
                                    f"(lock file {shown(lock.name)}); wait for it to finish, or delete the lock file "
                                    "if no run is going on") from None
        except OSError as error:
            raise WorkbookFileError(f"{shown(book)}: cannot take the lock {shown(lock.name)} beside it "
                                    f"({error.strerror or error})") from error
        try:
            os.write(handle, mine)
        finally:
            os.close(handle)
        break
    try:
        yield
    finally:
        if lock.exists() and lock.read_bytes() == mine:
            lock.unlink(missing_ok=True)


def check_writable(target: Path, *, backup: bool = False) -> None:
    """Raise :class:`WorkbookFileError` if ``target`` (and with ``backup`` its backup) cannot be
    written safely right now."""
    try:
        _check_writable(target)
        if backup and target.exists():
            kept = backup_path(target)
            _check_name(kept)
            if kept.is_dir():
                raise WorkbookFileError(f"{target}: the backup {kept.name} would replace a folder of that name; "
                                        "move the folder, or run without a backup (--no-backup)")
    except WorkbookFileError:
        raise
    except OSError as error:  # a name too long, a path through a file, ...
        raise WorkbookFileError(f"{target}: cannot be written ({error.strerror or error})") from error


def _check_name(path: Path) -> None:
    limit = name_limit(path.parent)
    if len(os.fsencode(path.name)) > limit:
        raise WorkbookFileError(f"{shown(path)}: the file name is {len(os.fsencode(path.name))} bytes long, more "
                                f"than the {limit} the file system allows; choose a shorter name (-o)")


def _check_writable(target: Path) -> None:
    _check_name(target)
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
    """A fresh name beside ``target`` (short, whatever the length of the target's), removed afterwards."""
    temporary = target.with_name(f".xlplan-{os.getpid()}-{secrets.token_hex(4)}.tmp{target.suffix}")
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
    check_writable(target, backup=backup)
    with _temporary_beside(target) as temporary, _temporary_beside(target) as kept:
        try:
            write(temporary)
            with open(temporary, "rb+") as handle:
                os.fsync(handle.fileno())
            if backup and target.exists():  # the backup too is whole or absent
                shutil.copy2(target, kept)
                os.replace(kept, backup_path(target))
            os.replace(temporary, target)
        except PermissionError as error:
            raise WorkbookFileError(f"{target}: permission denied while writing ({error.strerror})") from error
        except OSError as error:
            if isinstance(error, WorkbookFileError):
                raise
            raise WorkbookFileError(f"{target}: could not be written ({error})") from error
    return target
