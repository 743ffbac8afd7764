"""How a workbook records which sheets xlplan wrote: one hidden name per output sheet,
``_xlplan_output_1`` = ``'Plan'!$A$1`` and so on.

Range names are understood by every engine (openpyxl, Excel, xlwings' remote and calamine
engines), and Excel keeps them pointing at their sheet when it is renamed. A sheet named like an
output sheet but not recorded here is the planner's, and is never replaced.
"""

from __future__ import annotations

from collections.abc import Iterable

from xlplan.workbook.addresses import quote_sheet

PREFIX = "_xlplan_output_"


class OutputSheetClash(ValueError):
    """The workbook has a sheet of its own where xlplan would write an output sheet."""


def refuse_clashes(names: Iterable[str], existing: Iterable[str], recorded: Iterable[str]) -> None:
    """Raise :class:`OutputSheetClash` if an output sheet in ``names`` would replace one of the
    ``existing`` sheets that is not ``recorded`` as xlplan's."""
    names, existing, recorded = list(names), set(existing), set(recorded)
    clashes = [n for n in names if n in existing and n not in recorded]
    if clashes:
        listed = ", ".join(f"'{n}'" for n in clashes)
        many = len(clashes) > 1
        raise OutputSheetClash(
            f"the workbook has its own sheet{'s' if many else ''} {listed}, where xlplan writes its results "
            f"({', '.join(names)}); rename {'them' if many else 'it'} and run again")


def is_marker(name: str) -> bool:
    return name.startswith(PREFIX)


def marker_names(sheets: Iterable[str]) -> dict[str, str]:
    """Name -> reference for the given output sheets."""
    return {f"{PREFIX}{k}": f"{quote_sheet(sheet)}!$A$1" for k, sheet in enumerate(sheets, start=1)}


def sheet_of(reference: str) -> str | None:
    """The sheet a marker refers to: ``'Run log'!$A$1`` -> ``Run log``."""
    reference = reference.lstrip("=").strip()
    if "!" not in reference:
        return None
    sheet = reference.rsplit("!", 1)[0]
    if sheet.startswith("'") and sheet.endswith("'"):
        sheet = sheet[1:-1].replace("''", "'")
    return sheet
