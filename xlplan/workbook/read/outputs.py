"""Reading back the output tables xlplan wrote (Plan, Recourse, Recourse detail, Costs, KPI, Simulation,
Compare, Run log), each by its workbook-scoped name (see :mod:`xlplan.workbook.contract`), as a DataFrame.

These are xlplan's own tables, so their layout is known and only their presence is in question: a
table that is missing (never written, or its sheet removed) is simply absent. Cells holding a
formula without a saved result read as NaN, so a figure nobody calculated is never shown as 0.
"""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np
import pandas as pd

from xlplan.problem.tables import UnreadableValue, is_blank
from xlplan.workbook.read.grids import WorkbookSource


def _cell(value: object) -> object:
    if isinstance(value, UnreadableValue):
        return np.nan
    return value


def read_output_table(source: WorkbookSource, name: str) -> pd.DataFrame | None:
    """The table named ``name`` (its header row as the columns, blank rows dropped), or None when
    the workbook has no such table."""
    grid = source.locate(name).grid
    if grid is None or not grid.values:
        return None
    header = ["" if is_blank(h) else str(h).strip() for h in grid.values[0]]
    rows = [[_cell(v) for v in row] + [None] * (len(header) - len(row)) for row in grid.values[1:]
            if any(not is_blank(v) for v in row)]
    return pd.DataFrame(rows, columns=header)


def kpi_row(kpi: pd.DataFrame | None, key: str) -> pd.Series | None:
    """The row of a KPI table (the KPI sheet's, read back) whose formula key is ``key``, or None when it has none
    (a workbook written before the column was called :data:`~xlplan.workbook.contract.KPI_KEY` calls it Key)."""
    from xlplan.workbook.contract import KPI_KEY

    column = next((c for c in (KPI_KEY, "Key") if kpi is not None and c in kpi), None)
    if kpi is None or column is None:
        return None
    rows = kpi[kpi[column].astype(str) == key]
    return None if rows.empty else rows.iloc[0]


def read_output_tables(source: WorkbookSource, names: Iterable[str]) -> dict[str, pd.DataFrame]:
    """The tables of ``names`` the workbook has, by name."""
    tables = {}
    for name in dict.fromkeys(names):
        table = read_output_table(source, name)
        if table is not None:
            tables[name] = table
    return tables


__all__ = ["read_output_table", "read_output_tables"]
