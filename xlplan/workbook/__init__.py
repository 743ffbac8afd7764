"""Workbook I/O: the named-range contract, reading inputs, writing output sheets and charts."""

from __future__ import annotations

from pathlib import Path

from xlplan.problem import PlanningProblem
from xlplan.workbook.contract import INPUT_RANGES, contract_markdown
from xlplan.workbook.make.examples import EXAMPLES, write_example, write_synthetic, write_template
from xlplan.workbook.read.file_source import FileSource
from xlplan.workbook.read.reader import (
    WorkbookError,
    WorkbookIssue,
    read_plan,
    read_problem,
    read_runs,
    read_uncertainty,
)
from xlplan.workbook.sheets.solve_sheets import OUTPUT_SHEETS
from xlplan.workbook.write.files import WorkbookFileError
from xlplan.workbook.write.markers import OutputSheetClash
from xlplan.workbook.write.writer import write_results, write_sheets


def read_workbook(path: str | Path) -> PlanningProblem:
    """Read and validate the planning problem in a workbook file.

    Raises :class:`WorkbookError` listing every problem with its sheet and cell, or
    :class:`WorkbookFileError` when the file cannot be opened.

    Examples
    --------
    >>> from xlplan.workbook import read_workbook
    >>> problem = read_workbook("workbooks/examples/electronics.xlsx")
    >>> problem.products, problem.scenarios, problem.shape
    (('A', 'B', 'C'), ('low', 'med', 'high'), (3, 3, 12))
    """
    source = FileSource(path)
    try:
        return read_problem(source)
    finally:
        source.close()


__all__ = [
    "EXAMPLES",
    "INPUT_RANGES",
    "OUTPUT_SHEETS",
    "FileSource",
    "OutputSheetClash",
    "WorkbookError",
    "WorkbookFileError",
    "WorkbookIssue",
    "contract_markdown",
    "read_plan",
    "read_problem",
    "read_runs",
    "read_uncertainty",
    "read_workbook",
    "write_example",
    "write_synthetic",
    "write_results",
    "write_sheets",
    "write_template",
]
