"""The kinds of ending that are no result, as exception types every layer can raise and every front end
can tell apart without importing the layer that raised (the command line maps them to its exit codes).

Each is a mixin: the concrete error keeps the built-in type it is (``WorkbookError`` is a ValueError,
``WorkbookFileError`` an OSError) and adds its kind.
"""

from __future__ import annotations

from typing import Any


class InvalidInputs(Exception):
    """The inputs cannot be read as a planning problem; ``issues`` lists every problem found."""

    issues: list[Any]


class RefusedOptions(Exception):
    """The options ask for what cannot be done, or contradict each other: a usage error, in one sentence."""


class NoResult(Exception):
    """No plan to give: a limit stopped the work before it found one (``stopped``), or none exists."""

    stopped: bool = False


class FileProblem(Exception):
    """A file cannot be read or written as asked (missing, locked, read-only, a sheet in the way)."""
