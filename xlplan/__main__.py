"""``python -m xlplan`` and the ``xlplan`` command: Ctrl+C ends it with exit 130 from its first moment.

The command line's modules are imported here, inside the guard, so that a press while Python is still
loading them (a cold start on a busy machine takes a while) ends the run like any other press: exit
130, no traceback, no file touched (nothing has been read or written yet). While they load, a press
is only recorded and acted on once they are loaded: a KeyboardInterrupt raised in the middle of a
module's initialisation (NumPy's, SciPy's, an extension's) can come out as another error, or leave a
module half made. This module imports nothing else of its own, so the moments before the guard are
the interpreter's own start.
"""

import signal
import sys
from collections.abc import Callable

INTERRUPTED = 130


def entry_point() -> None:
    try:
        command_line = _loaded_command_line()
        # called inside the guard too: a press as the call begins, before the command line's own handler is
        # in place, would otherwise end Python with a traceback (and the exit of a signal, not 130)
        command_line()
    except KeyboardInterrupt:
        _interrupted()


def _loaded_command_line() -> Callable[[], None]:
    """The command line's entry point, imported with a press held until every module is loaded."""
    presses: list[int] = []
    signal.signal(signal.SIGINT, lambda signum, frame: presses.append(signum))
    try:
        from xlplan.frontends.cli import entry_point
    finally:
        # Python's own handler, even for a run started with Ctrl+C ignored (a shell's background job): the
        # command line handles a press from its start to its end, as its main does once it runs
        signal.signal(signal.SIGINT, signal.default_int_handler)
    if presses:
        raise KeyboardInterrupt
    return entry_point


def _interrupted() -> None:
    """Exit 130 with the line (and with --json the JSON, in the shape of every command's) a press gives."""
    message = "interrupted; no file was changed"
    print(f"xlplan: {message}", file=sys.stderr, flush=True)
    if "--json" in sys.argv:
        import json

        command = next((a for a in sys.argv[1:] if not a.startswith("-")), None)
        print(json.dumps({"command": command, "status": "interrupted", "exit_code": INTERRUPTED, "versions": {},
                          "seed": None, "options": {}, "warnings": [], "message": message}, indent=2), flush=True)
    sys.exit(INTERRUPTED)


if __name__ == "__main__":
    entry_point()
