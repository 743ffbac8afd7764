"""Results into a workbook file: render the output sheets, splice them in, write atomically."""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

from xlplan import progress
from xlplan.results import PlanResult
from xlplan.workbook.sheets.layout import Sheet
from xlplan.workbook.sheets.solve_sheets import OUTPUT_SHEETS, output_sheets
from xlplan.workbook.sheets.start_sheet import START
from xlplan.workbook.write.files import WorkbookFileError, write_atomically
from xlplan.workbook.write.package import Package, recorded_outputs, replace_output_sheets
from xlplan.workbook.write.render_xlsxwriter import render_workbook


def render_package(sheets: list[Sheet]) -> Package:
    """The sheets drawn into a workbook of their own, as a package to splice from."""
    buffer = io.BytesIO()
    render_workbook(buffer, sheets)
    return Package(buffer.getvalue())


def write_sheets(sheets: list[Sheet], source: Path, target: Path, *, retire: tuple[str, ...] = (),
                 backup: bool = False, as_outputs: bool = True) -> Path:
    """Write ``sheets`` as output sheets of ``source``'s workbook to ``target`` (may be ``source``),
    removing xlplan's earlier sheets named in ``retire``; with ``as_outputs`` False as the planner's own
    sheets (the input sheets a set-up adds), which xlplan never replaces or clears."""
    progress.phase(f"writing the output sheets ({sum(len(t.rows) for s in sheets for t in s.tables):,} table rows)")
    try:
        user = Package(source.read_bytes())
    except OSError as error:
        raise WorkbookFileError(f"{source}: could not be read ({error})") from error
    rendered = render_package(sheets)
    progress.phase(f"saving {target.name}")
    redrawn = [s.name for s in sheets if s.name == START]  # in its own place, before the input sheets
    replace_output_sheets(user, rendered, [s.name for s in sheets if s.name not in redrawn], retire,
                          as_outputs=as_outputs)
    if redrawn:
        replace_output_sheets(user, rendered, redrawn, redraw=redrawn)
    content = user.to_bytes()
    return write_atomically(target, lambda temporary: temporary.write_bytes(content), backup=backup)


def write_results(result: PlanResult, source: str | Path, target: str | Path | None = None, *,
                  history: tuple[tuple[Any, ...], ...] = (), backup: bool = False) -> Path:
    """Write a result's output sheets into the workbook ``source``, saved as ``target``.

    ``target`` defaults to ``source`` (in place, atomically; with ``backup`` the previous version is
    kept as ``NAME.backup.xlsx``). Input sheets and everything else in the workbook stay as they are.

    Examples
    --------
    >>> import openpyxl, xlplan
    >>> from xlplan.workbook import read_workbook, write_results
    >>> book = "workbooks/examples/electronics.xlsx"
    >>> written = write_results(xlplan.solve(read_workbook(book)), book, tmp / "plan.xlsx")
    >>> [s for s in openpyxl.load_workbook(written).sheetnames if s in ("Plan", "Recourse", "Recourse detail", "Costs")]
    ['Plan', 'Recourse', 'Recourse detail', 'Costs']
    """
    source = Path(source)
    target = Path(target) if target is not None else source
    sheets = output_sheets(result, source.name, history)
    return write_sheets(sheets, source, target, retire=OUTPUT_SHEETS, backup=backup)


__all__ = ["recorded_outputs", "render_package", "write_results", "write_sheets"]
