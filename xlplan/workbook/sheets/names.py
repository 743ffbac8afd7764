"""The names of the sheets xlplan writes, apart from the modules that draw them: checking that a workbook
has room for its outputs (``validate`` does) needs the names, not the results, solver and SciPy that the
drawing modules bring in."""

from __future__ import annotations

from xlplan.workbook.contract import CANDIDATES

RECOURSE, RECOURSE_DETAIL = "Recourse", "Recourse detail"
RUN_LOG = "Run log"
OUTPUT_SHEETS = ("Plan", RECOURSE, RECOURSE_DETAIL, "Costs", "KPI", RUN_LOG)
"""The sheets a solve writes."""
SENSITIVITY = "Sensitivity"
FRONTIER = "Frontier"
SIMULATION = "Simulation"
COMPARE = "Compare"
ROLLING = "Rolling"
PLANS = CANDIDATES.sheet
GLOSSARY = "Glossary"
PROBLEMS = "Problems"
