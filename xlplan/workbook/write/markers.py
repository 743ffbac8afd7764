"""How a workbook records which sheets xlplan wrote: one hidden name per output sheet,
``_xlplan_output_1`` = ``'Plan'!$A$1`` and so on.

Range names are understood by every engine (openpyxl, Excel, xlwings' remote and calamine
engines), and Excel keeps them pointing at their sheet when it is renamed. A sheet named like an
output sheet but not recorded here is the planner's, and is never replaced.
"""

from __future__ import annotations

from collections.abc import Iterable

from xlplan.errors import FileProblem
from xlplan.workbook.addresses import quote_sheet

PREFIX = "_xlplan_output_"


class OutputSheetClash(ValueError, FileProblem):
    """The workbook has a sheet of its own where xlplan would write an output sheet."""


def refuse_clashes(names: Iterable[str], existing: Iterable[str], recorded: Iterable[str]) -> None:
    """Raise :class:`OutputSheetClash` if an output sheet in ``names`` would replace one of the
    ``existing`` sheets that is not ``recorded`` as xlplan's."""
    # Excel's sheet names ignore case: a planner's 'plan' is where xlplan's 'Plan' would go
    names, recorded = list(names), {r.lower() for r in recorded}
    theirs = {e.lower(): e for e in existing if e.lower() not in recorded}
    clashes = [theirs[n.lower()] for n in names if n.lower() in theirs]
    if clashes:
        listed = ", ".join(f"'{n}'" for n in clashes)
        many = len(clashes) > 1
        raise OutputSheetClash(
            f"the workbook has its own sheet{'s' if many else ''} {listed}, where xlplan writes its results "
            f"({', '.join(names)}); rename {'them' if many else 'it'} and run again")


MAX_SHEET_NAME = 31
FORBIDDEN_IN_SHEET_NAMES = set("[]:*?/\\")


def refuse_invalid_names(sheets: Iterable[str]) -> None:
    """Raise :class:`OutputSheetClash` if the workbook's sheets have names Excel refuses to open:
    longer than 31 characters, with one of [ ] : * ? / \\, starting or ending with an apostrophe,
    blank, or the same as another's ignoring case."""
    problems, seen = [], {}
    for sheet in sheets:
        if len(sheet) > MAX_SHEET_NAME:
            problems.append(f"'{sheet[:40]}{'...' if len(sheet) > 40 else ''}' is {len(sheet)} characters long "
                            f"(at most {MAX_SHEET_NAME})")
        elif FORBIDDEN_IN_SHEET_NAMES & set(sheet) or sheet.startswith("'") or sheet.endswith("'") \
                or not sheet.strip():
            problems.append(f"'{sheet}' has a character Excel does not allow in a sheet name")
        if sheet.lower() in seen:
            problems.append(f"'{sheet}' and '{seen[sheet.lower()]}' differ only in case")
        seen[sheet.lower()] = sheet
    if problems:
        raise OutputSheetClash(f"Excel would refuse to open the workbook: the sheet {'; the sheet '.join(problems)}; "
                               "rename it in the workbook and run again")


def is_marker(name: str) -> bool:
    return name.startswith(PREFIX)


def marker_names(sheets: Iterable[str]) -> dict[str, str]:
    """Name -> reference for the given output sheets."""
    return {f"{PREFIX}{k}": f"{quote_sheet(sheet)}!$A$1" for k, sheet in enumerate(sheets, start=1)}
