"""The names of the sheets xlplan writes, apart from the modules that draw them: checking that a workbook
has room for its outputs (``validate`` does) needs the names, not the results, solver and SciPy that the
drawing modules bring in."""

from __future__ import annotations

from xlplan.workbook.contract import CANDIDATES

RECOURSE, RECOURSE_DETAIL = "Recourse", "Recourse detail"
RECOURSE_PROFILES = "Recourse profiles"
"""Stock and backorders over time, all products together: a sheet of its own, as the summary's label columns
print on every page of the Recourse sheet (print titles are a sheet's), and would on the profiles' too."""
RUN_LOG = "Run log"
OUTPUT_SHEETS = ("Plan", RECOURSE, RECOURSE_PROFILES, RECOURSE_DETAIL, "Costs", "KPI", RUN_LOG)
"""The sheets a solve writes."""
SENSITIVITY = "Sensitivity"
FRONTIER = "Frontier"
SIMULATION = "Simulation"
COMPARE = "Compare"
ROLLING = "Rolling"
PLANS = CANDIDATES.sheet
GLOSSARY = "Glossary"
PROBLEMS = "Problems"
