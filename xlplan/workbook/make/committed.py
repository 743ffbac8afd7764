"""Every workbook committed under ``workbooks/``, written by code so each is reproducible:

    python -m xlplan.workbook [FOLDER]     # rewrites FOLDER/template.xlsx, xlplan.xlsm,
                                           # xlplan_lite.xlsx, xlplan.xlam and FOLDER/examples/*

``tests/test_cli.py`` checks the committed workbooks are byte for byte what this writes.
"""

from __future__ import annotations

from pathlib import Path

from xlplan.workbook.make.addin import ADDIN, write_addin
from xlplan.workbook.make.control import LITE_WORKBOOK, MACRO_WORKBOOK, write_lite_workbook, write_macro_workbook
from xlplan.workbook.make.examples import EXAMPLES, write_example, write_template


def write_all(folder: str | Path) -> list[Path]:
    """Write the template, the workbooks with buttons and every example under ``folder``."""
    folder = Path(folder)
    (folder / "examples").mkdir(parents=True, exist_ok=True)
    written = [write_template(folder / "template.xlsx"), write_macro_workbook(folder / MACRO_WORKBOOK),
               write_lite_workbook(folder / LITE_WORKBOOK), write_addin(folder / ADDIN)]
    written += [write_example(name, folder / "examples" / f"{name}.xlsx") for name in EXAMPLES]
    return written
