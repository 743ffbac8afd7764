"""The Problems sheet: every problem in the inputs, each linked to its cell (written by the buttons)."""

from __future__ import annotations

from xlplan.problem.issues import counted
from xlplan.workbook.read.reader import WorkbookIssue
from xlplan.workbook.sheets.layout import GENERAL, Column, Sheet, Table
from xlplan.workbook.sheets.names import PROBLEMS


def problems_sheet(issues: list[WorkbookIssue]) -> Sheet:
    """Every problem in the inputs, each linked to its cell."""
    sheet = Sheet(PROBLEMS, tab_color="C00000", widths={1: 30, 2: 20, 3: 90, 4: 40})
    sheet.text(1, 1, "Problems in the inputs", "heading")
    sheet.text(2, 1, f"{counted(len(issues), 'problem')}; click a cell address to go "
               "there. Fix them all and run again.", "bad")
    sheet.tables.append(Table(4, 1, [Column("Where", GENERAL, 30), Column("Name", GENERAL, 20),
                                     Column("Problem", GENERAL, 90), Column("About", GENERAL, 40)],
                              [[issue.where, issue.name or "", issue.message, issue.context] for issue in issues]))
    for i, issue in enumerate(issues):
        if "!" in issue.where:
            sheet.text(5 + i, 1, issue.where, "link", link=issue.where)
    return sheet
