"""End to end as a planner runs it: read, solve and write through the command line, beside the same
solve through the Python API, and the built-in decomposition beside ``--mpi 2``, in one run.

    .venv/bin/python benchmarks/end_to_end.py                  # 3x52x1,000, 12x52x1,000, 3x52x10,000
    .venv/bin/python benchmarks/end_to_end.py --cases 3x52x1000 --mpi-cases 3x52x1000
    .venv/bin/python benchmarks/end_to_end.py --cases 12x52x1000 --mpi-cases --read-only --repeat 4 \
        --against /tmp/base   # a tree from `git archive`: each read timed in both, one after the other

Per case: ``xlplan validate BOOK --json`` (read + validate, the interpreter's start included; wall and CPU
seconds, the CPU ones being what a loaded machine does not stretch), ``xlplan
solve BOOK -o OUT --json`` (end to end; its JSON gives the solve's own seconds, so the rest is writing),
``read_workbook(BOOK)`` and ``xlplan.solve(problem)`` in this process (the read and the solve alone),
and for the ``--mpi-cases`` ``xlplan solve BOOK -o OUT --json --mpi 2``. The machine's load
(os.getloadavg) is printed beside each case: on a shared machine every figure is only comparable with
the others of the same run.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import xlplan
from xlplan.workbook import read_workbook
from xlplan.workbook.make.examples import write_synthetic

CASES = ("3x52x1000", "12x52x1000", "3x52x10000")


def _shape(case: str) -> tuple[int, int, int]:
    products, periods, scenarios = (int(n) for n in case.split("x"))
    return products, periods, scenarios


def _children_cpu() -> float:
    used = resource.getrusage(resource.RUSAGE_CHILDREN)
    return used.ru_utime + used.ru_stime


def _command(*arguments: str, tree: str | None = None) -> tuple[float, float, dict]:
    """Wall and CPU seconds (the command's process and the processes it waited for) and its JSON; ``tree``:
    the source tree to run instead of this one (on ``PYTHONPATH``)."""
    started, cpu = time.perf_counter(), _children_cpu()
    environment = None if tree is None else {**os.environ, "PYTHONPATH": tree}
    run = subprocess.run([sys.executable, "-m", "xlplan", *arguments], capture_output=True, text=True,
                         stdin=subprocess.DEVNULL, env=environment, cwd=tree)
    seconds = time.perf_counter() - started
    if run.returncode not in (0, 3):
        raise RuntimeError(f"xlplan {' '.join(arguments)} ended with {run.returncode}: {run.stderr[-2000:]}")
    return seconds, _children_cpu() - cpu, json.loads(run.stdout)


def _load() -> str:
    return "/".join(f"{v:.1f}" for v in os.getloadavg())


def measure(case: str, folder: Path, mpi: bool, read_only: bool = False, tree: str | None = None) -> dict:
    products, periods, scenarios = _shape(case)
    book = folder / f"{case}.xlsx"
    if not book.exists():  # written once per case (``--repeat``)
        write_synthetic(book, products=products, periods=periods, scenarios=scenarios)
    row: dict = {"case": case, "tree": tree or "this", "load before": _load()}
    row["read (validate)"], row["read CPU"], _ = _command("validate", str(book), "--json", tree=tree)
    if read_only or tree is not None:
        row["load after"] = _load()
        return row
    row["end to end"], row["end to end CPU"], summary = _command("solve", str(book), "-o",
                                                                 str(folder / f"{case}-plan.xlsx"), "--json")
    row["solve (CLI's own)"] = summary["seconds"]["total"]
    row["write (the rest)"] = max(0.0, row["end to end"] - row["read (validate)"] - row["solve (CLI's own)"])
    row["objective"], row["status"], row["method"] = summary["objective"], summary["status"], summary["method"]
    started = time.perf_counter()
    problem = read_workbook(book)
    row["read (API)"] = time.perf_counter() - started
    started = time.perf_counter()
    api = xlplan.solve(problem)
    row["solve (API)"] = time.perf_counter() - started
    assert api.objective is not None and abs(api.objective - summary["objective"]) <= 1e-6 * abs(api.objective)
    row["end to end / API solve"] = row["end to end"] / row["solve (API)"]
    if mpi:
        row["end to end --mpi 2"], _, ranked = _command("solve", str(book), "-o", str(folder / f"{case}-mpi.xlsx"),
                                                     "--json", "--mpi", "2")
        row["solve --mpi 2 (CLI's own)"] = ranked["seconds"]["total"]
        row["--mpi 2 / single machine (solves)"] = ranked["seconds"]["total"] / summary["seconds"]["total"]
        row["--mpi 2 objective"], row["--mpi 2 status"] = ranked["objective"], ranked["status"]
    row["load after"] = _load()
    return row


def table(rows: list[dict]) -> str:
    columns = list(dict.fromkeys(key for row in rows for key in row))
    lines = ["| " + " | ".join(columns) + " |", "|" + "---|" * len(columns)]
    for row in rows:
        cells = []
        for key in columns:
            value = row.get(key, "")
            cells.append(f"{value:,.2f}" if isinstance(value, float) else str(value))
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cases", nargs="+", default=list(CASES), help="PxTxS, e.g. 3x52x1000")
    parser.add_argument("--mpi-cases", nargs="*", default=["3x52x1000"], help="cases also solved with --mpi 2")
    parser.add_argument("--read-only", action="store_true", help="time only the read (validate), e.g. three times")
    parser.add_argument("--repeat", type=int, default=1, help="measure each case this many times")
    parser.add_argument("--against", metavar="TREE", help="also time the read with the source tree TREE (e.g. "
                        "an earlier commit from git archive), alternating with this one")
    args = parser.parse_args()
    rows = []
    with tempfile.TemporaryDirectory(prefix="xlplan-e2e-") as name:
        for case in args.cases:
            for _ in range(args.repeat):
                for tree in (None, args.against) if args.against else (None,):
                    rows.append(measure(case, Path(name), case in args.mpi_cases, args.read_only, tree))
                    print(table(rows[-1:]), flush=True)
    print()
    print(f"{os.cpu_count()} cores; seconds\n")
    print(table(rows))


if __name__ == "__main__":
    main()
