"""Ctrl+C across many solves.

HiGHS catches Ctrl+C to stop its solve cleanly and returns the best plan found so far, so a command
of many solves (compare) would go on to the next one, and a single solve would carry on with a plan
nobody asked it to stop at. A front end that wants Ctrl+C to end the whole command calls
:func:`request` from its signal handler; computations call :func:`checkpoint` after each solve,
which raises ``KeyboardInterrupt`` once a stop was requested.
"""

from __future__ import annotations

import threading

_requested = threading.Event()


def request() -> None:
    """Ask the running command to stop at its next checkpoint."""
    _requested.set()


def reset() -> None:
    """Forget an earlier request (a front end calls this before it starts a command)."""
    _requested.clear()


def checkpoint() -> None:
    """Raise ``KeyboardInterrupt`` if a stop was requested; call it after each solve."""
    if _requested.is_set():
        raise KeyboardInterrupt
