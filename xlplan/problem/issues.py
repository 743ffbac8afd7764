"""Validation issues: what is wrong, in which table, row and column, for which labels."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field


@dataclass(frozen=True)
class ProblemIssue:
    """One problem found in the input data.

    ``table`` is one of ``products``, ``costs``, ``demand``, ``scenarios``, ``periods`` or
    ``settings``; ``row`` is the 0-based position in the table as it was given (None when the
    issue concerns the table as a whole, such as a missing row); ``column`` is the field name;
    ``labels`` names the product, period and scenario involved; ``other_row`` is the row where a
    repeated label first appears. Front ends use ``table``, ``row`` and ``column`` to point at
    the offending cell.
    """

    table: str
    message: str
    row: int | None = None
    column: str | None = None
    labels: Mapping[str, str] = field(default_factory=dict)
    other_row: int | None = None
    """For a repeated label or key: the row where it first appears."""
    code: str = ""
    """What kind of problem it is, for programs: ``missing_row`` for a key with no row; "" otherwise."""

    def describe_labels(self) -> str:
        return ", ".join(f"{k} {v}" for k, v in self.labels.items())

    def __str__(self) -> str:
        where = self.table
        if self.column:
            where += f".{self.column}"
        labels = self.describe_labels()
        if labels:
            where += f" ({labels})"
        first = f" (first in row {self.other_row + 1})" if self.other_row is not None else ""
        return f"{where}: {self.message}{first}"


def counted(n: int, noun: str) -> str:
    """``3 problems``, ``1 problem``."""
    return f"{n} {noun}{'' if n == 1 else 's'}"


class InvalidProblemError(ValueError):
    """The input data has one or more problems; ``issues`` lists every one of them."""

    def __init__(self, issues: Iterable[ProblemIssue]):
        self.issues: tuple[ProblemIssue, ...] = tuple(issues)
        lines = "\n".join(f"  - {issue}" for issue in self.issues)
        super().__init__(f"{counted(len(self.issues), 'problem')} in the input data:\n{lines}")
