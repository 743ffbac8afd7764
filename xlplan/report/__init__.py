"""An interactive HTML report of a solved workbook: one self-contained file to open in any browser.

``build_report(source)`` reads the workbook's output sheets (Plan, Recourse, Costs, KPI, and where
present Simulation, Compare and the Run log) and lays them out as a headline and sections of
Plotly charts and tables (:mod:`xlplan.report.sections`, :mod:`xlplan.report.charts`,
:mod:`xlplan.report.html`).
"""

from xlplan.report.html import NoSolvedPlan, Report, build_report

__all__ = ["NoSolvedPlan", "Report", "build_report"]
