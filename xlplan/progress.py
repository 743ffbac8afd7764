"""Progress of long computations, reported where they happen and shown by whichever front end listens.

The solver reports HiGHS's incumbent, bound and gap as HiGHS finds them (its callbacks); the simulator
reports replications done; a command names its phases. Nothing is shown unless a front end has
installed a listener (:func:`listening`): the command line shows one live line on a terminal and one
line per phase otherwise; the Python API and the worksheet functions stay silent.
"""

from __future__ import annotations

import contextlib
import math
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Protocol

from xlplan.text import amount_text, gap_text


@dataclass(frozen=True)
class Bounds:
    """A solver's state at one moment: the best plan's cost, the proven bound, the relative gap."""

    seconds: float
    objective: float | None
    bound: float | None
    gap: float | None


class Listener(Protocol):
    def phase(self, name: str) -> None: ...

    def bounds(self, state: Bounds) -> None: ...

    def count(self, done: int, total: int, what: str) -> None: ...


class _Current:
    """The listener of the running command. One per process, not per context: HiGHS reports from its
    own solver thread, which a context variable would not reach."""

    listener: Listener | None = None

    def get(self) -> Listener | None:
        return self.listener


_listener = _Current()


@contextlib.contextmanager
def listening(listener: Listener) -> Iterator[Listener]:
    """Show the progress of what runs inside the block with ``listener``."""
    previous, _listener.listener = _listener.listener, listener
    try:
        yield listener
    finally:
        _listener.listener = previous


def phase(name: str) -> None:
    """A new phase of the work, e.g. ``solving the LP relaxation``."""
    listener = _listener.get()
    if listener is not None:
        listener.phase(name)


def bounds(objective: float | None, bound: float | None, gap: float | None, seconds: float) -> None:
    """The solver's best plan, bound and gap so far."""
    listener = _listener.get()
    if listener is not None:
        listener.bounds(Bounds(seconds, objective, bound, gap))


def count(done: int, total: int, what: str) -> None:
    """``done`` of ``total`` items (replications, scenarios, solves) finished."""
    listener = _listener.get()
    if listener is not None:
        listener.count(done, total, what)


class Stopwatch:
    """Seconds since it was made."""

    def __init__(self) -> None:
        self.started = time.perf_counter()

    @property
    def seconds(self) -> float:
        return time.perf_counter() - self.started


def state_text(bounds: Bounds | None, counted: tuple[int, int, str] | None) -> str:
    """The solver's best plan, bound and gap and the items done, in words: ``best 1,234.00, gap 0.50%`` (amounts as
    the sheets show them: ``best 564,472``)."""
    parts = []
    if bounds is not None:
        # a solver reports an infinite bound (or best) until it has one: nothing to say yet
        if bounds.objective is not None and math.isfinite(bounds.objective):
            parts.append(f"best {amount_text(bounds.objective)}")
        if bounds.bound is not None and math.isfinite(bounds.bound):
            parts.append(f"bound {amount_text(bounds.bound)}")
        if bounds.gap is not None:
            parts.append(f"gap {gap_text(bounds.gap)}")
    if counted is not None:
        parts.append(f"{counted[0]:,} of {counted[1]:,} {counted[2]}")
    return ", ".join(parts)


class OneLine:
    """A listener that keeps one line up to date: ``TEXT — phase — 12 s — best ..., gap ...``, handed to
    ``update`` (a terminal's live line, Excel's status bar). A new phase is always shown; other changes
    at most every ``every`` seconds, so a fast stream of solver reports does not flood a slow display."""

    def __init__(self, text: str, update: Callable[[str], None], every: float = 0.0) -> None:
        self.text, self.update, self.every = text, update, every
        self.watch = Stopwatch()
        self.current = ""
        self.last: Bounds | None = None
        self.counted: tuple[int, int, str] | None = None
        self.shown_at = -float("inf")

    def _show(self, always: bool = False) -> None:
        now = self.watch.seconds
        if not always and now - self.shown_at < self.every:
            return
        self.shown_at = now
        state = state_text(self.last, self.counted)
        phase = f" — {self.current}" if self.current else ""
        self.update(f"{self.text}{phase} — {now:,.0f} s" + (f" — {state}" if state else ""))

    def phase(self, name: str) -> None:
        self.current, self.counted = name, None
        self._show(always=True)

    def bounds(self, state: Bounds) -> None:
        self.last = state
        self._show()

    def count(self, done: int, total: int, what: str) -> None:
        self.counted = (done, total, what)
        self._show(always=done == total)
