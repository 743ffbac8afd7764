"""What the Python xlplan runs in allows: Pyodide (xlwings Lite) can start neither threads nor processes.

Every place that would start one asks here first and does the work in the calling thread instead."""

from __future__ import annotations

import sys


def in_pyodide() -> bool:
    """Python compiled to WebAssembly (xlwings Lite): no threads, no processes, HiGHS's own time limit."""
    return sys.platform == "emscripten"


def can_start_threads() -> bool:
    return not in_pyodide()


def can_start_processes() -> bool:
    return not in_pyodide()
