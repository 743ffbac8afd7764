"""Regenerate the committed workbooks: ``python -m xlplan.workbook [FOLDER]`` (default ``workbooks``)."""

import sys

from xlplan.workbook.make.committed import write_all

for written in write_all(sys.argv[1] if len(sys.argv) > 1 else "workbooks"):
    print(written)
