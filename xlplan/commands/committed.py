"""Every workbook committed under ``workbooks/``, written by code so each is reproducible:

    python -m xlplan.commands.committed [FOLDER]   # rewrites FOLDER/template.xlsx, xlplan.xlsm,
                                                   # xlplan_lite.xlsx, xlplan.xlam and FOLDER/examples/*

The workbooks with buttons offer the command table's actions in their Action cell, so they are written
here, above both the table and the workbook layer. ``tests/test_cli.py`` checks the committed workbooks
are byte for byte what this writes.
"""

from __future__ import annotations

import sys
from pathlib import Path

from xlplan.commands import ACTIONS
from xlplan.workbook.make.addin import ADDIN, write_addin
from xlplan.workbook.make.control import LITE_WORKBOOK, MACRO_WORKBOOK, write_lite_workbook, write_macro_workbook
from xlplan.workbook.make.examples import EXAMPLES, write_example, write_template


def write_all(folder: str | Path) -> list[Path]:
    """Write the template, the workbooks with buttons and every example under ``folder``."""
    folder = Path(folder)
    (folder / "examples").mkdir(parents=True, exist_ok=True)
    written = [write_template(folder / "template.xlsx"), write_macro_workbook(folder / MACRO_WORKBOOK, ACTIONS),
               write_lite_workbook(folder / LITE_WORKBOOK, ACTIONS), write_addin(folder / ADDIN)]
    written += [write_example(name, folder / "examples" / f"{name}.xlsx") for name in EXAMPLES]
    return written


if __name__ == "__main__":
    for path in write_all(sys.argv[1] if len(sys.argv) > 1 else "workbooks"):
        print(path)
