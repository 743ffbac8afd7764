"""Workbook I/O: the named-range contract, reading inputs, writing output sheets and charts."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from xlplan.lazy import lazy_names

if TYPE_CHECKING:
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
    from xlplan.workbook.sheets.names import OUTPUT_SHEETS
    from xlplan.workbook.write.files import WorkbookFileError
    from xlplan.workbook.write.markers import OutputSheetClash
    from xlplan.workbook.write.writer import write_results, write_sheets

# Reading a workbook needs neither the sheets' writers nor, through them, the results, the solver and
# Pyomo and SciPy (2 s of imports): each name is imported when first used, as in ``xlplan/__init__.py``.
_LAZY = {
    "INPUT_RANGES": "xlplan.workbook.contract", "contract_markdown": "xlplan.workbook.contract",
    "EXAMPLES": "xlplan.workbook.make.examples", "write_example": "xlplan.workbook.make.examples",
    "write_synthetic": "xlplan.workbook.make.examples", "write_template": "xlplan.workbook.make.examples",
    "FileSource": "xlplan.workbook.read.file_source",
    "WorkbookError": "xlplan.workbook.read.reader", "WorkbookIssue": "xlplan.workbook.read.reader",
    "read_plan": "xlplan.workbook.read.reader", "read_problem": "xlplan.workbook.read.reader",
    "read_runs": "xlplan.workbook.read.reader", "read_uncertainty": "xlplan.workbook.read.reader",
    "OUTPUT_SHEETS": "xlplan.workbook.sheets.names",
    "WorkbookFileError": "xlplan.workbook.write.files",
    "OutputSheetClash": "xlplan.workbook.write.markers",
    "write_results": "xlplan.workbook.write.writer", "write_sheets": "xlplan.workbook.write.writer",
}


__getattr__ = lazy_names(__name__, _LAZY)


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
    from xlplan.workbook.read.file_source import FileSource
    from xlplan.workbook.read.reader import read_problem

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
