"""Makes this CPython behave like Pyodide in the ways xlplan must respect (imported at start-up when this
folder is on PYTHONPATH): ``sys.platform`` is ``emscripten``, and starting a thread or a process fails as it
fails in Pyodide. Each refusal is counted in ``REFUSED`` (by what was refused), so a driver can say whether
anything tried."""

import _thread
import errno
import os
import subprocess
import sys
import sysconfig
import threading
import traceback

sysconfig.get_config_vars()  # read once as this build's: the file is named after the real platform
sys.platform = "emscripten"
REFUSED: dict[str, list[str]] = {}
"""What was refused (thread, process), each with where it was asked for (the innermost frames)."""


def _refuse(what: str, error: Exception):
    def refused(*args, **kwargs):
        frames = traceback.format_stack(limit=8)[:-1]
        REFUSED.setdefault(what, []).append("".join(frames))
        raise error

    return refused


# Pyodide's CPython is built without thread support: starting one raises RuntimeError
threading.Thread.start = _refuse("thread", RuntimeError("can't start new thread"))
_thread.start_new_thread = _refuse("thread", RuntimeError("can't start new thread"))
# ... and cannot create processes: the calls fail with "not supported"
subprocess.Popen.__init__ = _refuse("process", OSError(errno.ENOTSUP, "Function not supported in Pyodide"))
for name in ("fork", "forkpty", "posix_spawn", "posix_spawnp", "system", "execv", "execve"):
    if hasattr(os, name):
        setattr(os, name, _refuse("process", OSError(errno.ENOTSUP, "Function not supported in Pyodide")))
