"""One xlwings Lite session without a browser: every script of ``lite/main.py`` and every worksheet function,
run through xlwings' own script and custom-function dispatch on the workbooks named on the command line.

Run by :mod:`tests.pyodide.test_pyodide` twice: in the normal install and in the Pyodide-equivalent
environment (``sys.platform == "emscripten"``, threads and processes refused). Prints one JSON document:
each script's status line and the sheets it left, each function's answer, the platform, what was refused,
whether highspy was used and the peak memory.
"""

from __future__ import annotations

import asyncio
import importlib.util
import json
import resource
import sys
from pathlib import Path
from typing import Any

import xlwings as xw
from xlwings.server import custom_functions_call, custom_scripts_call, custom_scripts_meta

from tests.remote import payload, remote_book, replay
from xlplan.workbook.contract import INPUT_RANGES
from xlplan.workbook.make.control import CONTROL_SHEET, STATUS_CELL
from xlplan.workbook.read.file_source import FileSource

ROOT = Path(__file__).resolve().parents[2]
STATUS_AT = (int(STATUS_CELL[1:]), ord(STATUS_CELL[0]) - 64)
FUNCTION_CALLS: dict[str, list[Any]] = {
    "XLPLAN_SOLVE": [],
    "XLPLAN_KPI": [[["expected_cost"]]],
    "XLPLAN_STATUS": [],
    "XLPLAN_RECOURSE": [],
    "XLPLAN_SHADOW": [],
    "XLPLAN_SIMULATE": [[["mean_profit"]], [[2000]], [[7]]],
    "XLPLAN_FRONTIER": [[[0, 0.5]], [[500]]],
}
"""Each function's arguments after the five ranges (Office.js sends every argument as a 2-D list)."""


def lite_main() -> Any:
    spec = importlib.util.spec_from_file_location("xlplan_lite_main", ROOT / "lite" / "main.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def run_script(module: Any, path: Path, script: str) -> dict[str, Any]:
    book_payload = payload(path, CONTROL_SHEET)
    book = remote_book(book_payload)
    asyncio.run(custom_scripts_call(module, script, typehint_to_value={xw.Book: book}))
    actions = book.json()["actions"]
    cells = replay(book_payload, actions)
    alerts = [a["args"][0] for a in actions if a["func"] == "alert"]  # a workbook without a control panel
    return {"status": cells.get(CONTROL_SHEET, {}).get(STATUS_AT) or (alerts[-1] if alerts else None),
            "sheets": list(cells)}


def call_function(module: Any, path: Path, name: str) -> Any:
    source = FileSource(path)
    ranges = [[["" if v is None else v for v in row] for row in source.locate(c.name).grid.values]
              for c in INPUT_RANGES]
    data = {"func_name": name, "args": [*ranges, *FUNCTION_CALLS[name]], "version": xw.__version__,
            "client": "Office.js", "runtime": "1.4", "caller_address": "Sheet1!H2", "culture_info_name": "en-US",
            "date_format": "M/d/yyyy"}
    return asyncio.run(custom_functions_call(data, module))


def session(paths: list[Path]) -> dict[str, Any]:
    from xlplan.solver.highs_api import HIGHSPY

    module = lite_main()
    scripts = [s["function_name"] for s in custom_scripts_meta(module)]
    books = {}
    for path in paths:
        books[path.name] = {
            "scripts": {script: run_script(module, path, script) for script in scripts},
            "functions": {name: call_function(module, path, name) for name in FUNCTION_CALLS},
        }
    refused = getattr(sys.modules.get("sitecustomize"), "REFUSED", None)
    return {"platform": sys.platform, "highspy": HIGHSPY, "refused": refused, "books": books,
            "peak_memory_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}


if __name__ == "__main__":
    print(json.dumps(session([Path(p) for p in sys.argv[1:]]), default=str))
