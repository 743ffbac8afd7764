"""Every scenario's recourse in full, to a file beside the workbook (``--recourse-detail``).

A sheet shows the distribution and a few scenarios; the whole detail (one row per product, period and
scenario, millions of rows at scale) goes to a CSV file, or Parquet when pyarrow is installed.
"""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pandas as pd

from xlplan.results import PlanResult
from xlplan.workbook.write.files import WorkbookFileError, check_writable, write_atomically

SUFFIXES = (".csv", ".parquet")


def check_detail_path(path: Path) -> None:
    """Raise :class:`WorkbookFileError` before any work if the detail cannot be written to ``path``."""
    suffix = path.suffix.lower()
    if suffix not in SUFFIXES:
        raise WorkbookFileError(f"{path}: the recourse detail is written as .csv or .parquet, not "
                                f"{suffix or 'a file without a suffix'}")
    if suffix == ".parquet" and importlib.util.find_spec("pyarrow") is None:
        raise WorkbookFileError(f"{path}: writing Parquet needs pyarrow (pip install pyarrow); or write .csv")
    check_writable(path)


def recourse_detail(result: PlanResult) -> pd.DataFrame:
    """One row per product, period and scenario (scenario-major), headed like the Recourse detail sheet."""
    p, f = result.problem, result.flows
    table = result.recourse
    probability = pd.Series(p.probabilities, index=list(p.scenarios))
    return pd.DataFrame({
        "Product": table["product"], "Period": table["period"], "Scenario": table["scenario"],
        "Probability": probability.loc[table["scenario"]].to_numpy(), "Demand": table["demand"],
        "Made": table["made"], "Regular inventory": table["regular_inventory"],
        "Overflow inventory": table["overflow_inventory"], "Backorders": table["backorders"],
        "Lost sales": table["lost_sales"], "Shipped": table["shipped"], "Late": f.late.ravel()})


FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def _as_text(detail: pd.DataFrame) -> pd.DataFrame:
    """Labels that a spreadsheet opening the CSV would read as a formula, kept as text (a leading ')."""
    labels = {}
    for column in ("Product", "Period", "Scenario"):
        text = detail[column].astype(str)
        labels[column] = text.where(~text.str.startswith(FORMULA_STARTS), "'" + text)
    return detail.assign(**labels)


def write_recourse_detail(result: PlanResult, path: Path) -> str:
    """Write every scenario's recourse to ``path`` atomically; the line that says so."""
    detail = recourse_detail(result)
    if path.suffix.lower() == ".parquet":
        write_atomically(path, lambda temporary: detail.to_parquet(temporary, index=False))
    else:
        write_atomically(path, lambda temporary: _as_text(detail).to_csv(temporary, index=False))
    return f"every scenario's recourse ({len(detail):,} rows) written to {path}"


__all__ = ["check_detail_path", "recourse_detail", "write_recourse_detail"]
