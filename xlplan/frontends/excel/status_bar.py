"""Excel's status bar during a button or ribbon run: the phase and its progress (the solver's best plan,
bound and gap; replications simulated), at most a few times a second, and Excel's own text back at the end.

xlwings Lite and Office.js have no status bar (xlwings' remote engine refuses it): there the first refusal
turns the display off and the run goes on; the Status cell tells the outcome either way.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from typing import Any

from xlplan import progress

EVERY_SECONDS = 0.25
"""The status bar is rewritten at most four times a second (a new phase is always shown)."""


class StatusBar:
    """Writes lines to an xlwings ``App``'s status bar until the first refusal."""

    def __init__(self, app: Any) -> None:
        self.app = app
        self.working = True

    def show(self, text: Any) -> None:
        if not self.working:
            return
        try:
            self.app.status_bar = text
        except Exception:  # noqa: BLE001 - engines without a status bar (Lite, Office.js): show nothing
            self.working = False

    def reset(self) -> None:
        """Give the status bar back to Excel (``Application.StatusBar = False``)."""
        self.show(False)


@contextlib.contextmanager
def showing_progress(app: Any, action: str) -> Iterator[StatusBar]:
    """Show the progress of what runs inside the block on ``app``'s status bar, and restore it afterwards,
    also when the block raises."""
    bar = StatusBar(app)
    bar.show(f"xlplan: {action} — starting")
    try:
        with progress.listening(progress.OneLine(f"xlplan: {action}", bar.show, every=EVERY_SECONDS)):
            yield bar
    finally:
        bar.reset()
