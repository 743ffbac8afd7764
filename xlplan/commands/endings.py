"""How a command ended, in the words and numbers every caller of the command line reads: its exit code,
its JSON status, and the one JSON shape of every command (``envelope``).

Exit codes (also in the README):

    0  done: the plan written is optimal (or the analysis rests on optimal solves only)
    1  an unexpected error inside xlplan (please report it)
    2  the command line was wrong
    3  the workbook's inputs are invalid; every problem is listed with its sheet and cell
    4  no plan exists (infeasible) or the cost is unbounded; the reason is written to the workbook
    5  a limit stopped a solve: the best plan found is written, labelled as stopped, or there was none
    6  a file could not be read or written (missing, locked by Excel, read-only, ...)
  130  interrupted (Ctrl+C); files are left as they were

An error is classified by its kind (:mod:`xlplan.errors`), which this module knows without importing the
layer that raised it: an error can come only from a module that was imported, and importing anew after
an interrupted import would fail.
"""

from __future__ import annotations

import contextlib
import math
import os
import traceback
from collections.abc import Iterable
from typing import Any

from xlplan.commands import Outcome, Status
from xlplan.errors import FileProblem, InvalidInputs, NoResult, RefusedOptions
from xlplan.text import shown

OK, INTERNAL, USAGE, INVALID, NO_PLAN, STOPPED, FILE_ERROR, INTERRUPTED = 0, 1, 2, 3, 4, 5, 6, 130
ERROR_STATUS = {INTERNAL: "internal error", USAGE: "usage error", INVALID: "invalid", NO_PLAN: "no plan",
                STOPPED: "stopped", FILE_ERROR: "file error", INTERRUPTED: "interrupted"}
"""The JSON ``status`` of a command that ended without its own result."""
EXIT_BY_OUTCOME: dict[Status, int] = {"ok": OK, "no plan": NO_PLAN, "stopped": STOPPED, "error": INTERNAL}


def status_word(outcome: Outcome) -> str:
    """The JSON status: the solve's own status for solve, ``valid`` for validate, else done or stopped."""
    own = outcome.summary.get("status")
    if isinstance(own, str):
        return own
    words: dict[Status, str] = {"ok": "done", "stopped": "stopped", "no plan": "no plan", "error": "error"}
    return words[outcome.status]


def json_ready(value: Any) -> Any:
    """Plain JSON: numpy numbers as numbers, NaN and infinity as null, anything else odd as text."""
    if isinstance(value, dict):
        return {str(k): json_ready(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [json_ready(v) for v in value]
    if hasattr(value, "item") and callable(value.item) and not isinstance(value, str | bytes):
        with contextlib.suppress(TypeError, ValueError):
            value = value.item()
    if isinstance(value, str):
        return shown(value)
    if isinstance(value, bool) or value is None or isinstance(value, int):
        return value
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    return str(value)


def envelope(command: str | None, status: str, exit_code: int, *, versions: dict[str, str] | None = None,
             seed: int | None = None, options: dict[str, Any] | None = None,
             warnings: Iterable[tuple[str, str]] = (), figures: dict[str, Any] | None = None) -> dict[str, Any]:
    """The one JSON shape of every command: the common keys first, then the command's own figures."""
    from xlplan.commands import library_versions

    payload: dict[str, Any] = {
        "command": command, "status": status, "exit_code": exit_code, "versions": versions or library_versions(),
        "seed": seed, "options": options or {}, "warnings": [{"code": c, "message": m} for c, m in warnings]}
    for key, value in (figures or {}).items():
        payload.setdefault(key, value)
    return payload


def failure(command: str | None, error: BaseException) -> tuple[int, str, dict[str, Any]]:
    """The exit code, the one line (starting ``xlplan``) and the figures of a command that ended by
    ``error`` rather than with its result."""
    figures: dict[str, Any] = {}
    if isinstance(error, KeyboardInterrupt):
        code, line = INTERRUPTED, "xlplan: interrupted; no file was changed"
    elif isinstance(error, InvalidInputs):
        code, line = INVALID, str(error)
        figures["issues"] = [{"where": i.where, "name": i.name, "message": i.message, "context": i.context}
                             for i in error.issues]
    elif isinstance(error, RefusedOptions):  # the options ask what cannot be done
        code, line = USAGE, f"xlplan {command}: error: {error}"
    elif isinstance(error, NoResult):
        code, line = (STOPPED if error.stopped else NO_PLAN), f"xlplan: {error}"
    elif isinstance(error, FileProblem):
        code, line = FILE_ERROR, f"xlplan: {error}"
    else:
        code = INTERNAL
        line = (f"xlplan: internal error ({type(error).__name__}: {error}); please report it "
                "(set XLPLAN_TRACEBACK=1 to see where it happened)")
        if os.environ.get("XLPLAN_TRACEBACK"):
            traceback.print_exception(error)
    figures["message"] = line.removeprefix("xlplan: ")
    return code, line, figures
