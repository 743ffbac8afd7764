"""A Pyodide-equivalent Python for the tests: a virtual environment under ``.cache/pyodide-env/VERSION`` with
the packages xlwings Lite would install in Pyodide ``VERSION`` (:mod:`tests.pyodide.resolve`), the
compiled ones (numpy, scipy, pandas, lxml, highspy) at exactly the lock's versions where PyPI has them for
this Python, and run with ``sys.platform`` set to ``emscripten`` and threads and processes refused
(``emscripten/sitecustomize.py``)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import venv
from dataclasses import dataclass
from pathlib import Path

from packaging.version import Version

from tests.pyodide.resolve import CACHE, ROOT, lite_requirements, pyodide_lock, resolve, xlplan_requirements

COMPILED = ("numpy", "scipy", "pandas", "lxml", "highspy")
"""Pyodide's own builds that shape xlplan's answers; each is installed at the lock's version when PyPI has
that version for this Python."""
EMSCRIPTEN_SITE = Path(__file__).resolve().parent / "emscripten"


@dataclass(frozen=True)
class Environment:
    pyodide: str
    python: Path
    installed: dict[str, str]
    """What was installed, by package; a compiled package whose lock version PyPI lacks for this Python
    is named with the version used instead in ``substituted``."""
    substituted: dict[str, str]

    def run(self, *arguments: str, timeout: float = 2400) -> subprocess.CompletedProcess[str]:
        """Run the environment's Python as Pyodide would (platform, no threads, no processes)."""
        env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(EMSCRIPTEN_SITE), str(ROOT)]),
               "XLWINGS_LICENSE_KEY": "noncommercial", "XLWINGS_ON_SERVER": "true", "PYTHONHASHSEED": "0"}
        return subprocess.run([str(self.python), *arguments], capture_output=True, text=True, env=env,
                              stdin=subprocess.DEVNULL, timeout=timeout, cwd=ROOT)


def _available(python: Path, name: str, version: str) -> bool:
    """Whether PyPI has ``name==version`` as a wheel for this Python (pip's own answer)."""
    found = subprocess.run([str(python), "-m", "pip", "download", "--no-deps", "--only-binary", ":all:", "-q",
                            "-d", str(CACHE / "wheels"), f"{name}=={version}"], capture_output=True,
                           stdin=subprocess.DEVNULL)
    return found.returncode == 0


def _newest_for_this_python(python: Path, name: str, below: str) -> str:
    """The newest version of ``name`` not newer than ``below`` that PyPI has for this Python."""
    listed = subprocess.run([str(python), "-m", "pip", "index", "versions", name, "--only-binary", ":all:"],
                            capture_output=True, text=True, stdin=subprocess.DEVNULL, check=True).stdout
    versions = [v.strip() for v in listed.split("Available versions:")[1].splitlines()[0].split(",")]
    return str(max(Version(v) for v in versions if Version(v) <= Version(below)))


def pyodide_environment(pyodide: str) -> Environment:
    """The environment for Pyodide ``pyodide``, built once and kept (rebuilt when what it needs changed)."""
    resolution = resolve(xlplan_requirements() + lite_requirements(), pyodide)
    assert not resolution.problems, resolution.problems
    wanted = {name: str(version) for name, (_, version) in resolution.chosen.items()
              if name not in ("openblas", "libopenblas")}
    lock = {name: entry["version"] for name, entry in pyodide_lock(pyodide)["packages"].items()}
    if "highspy" in lock:
        wanted["highspy"] = lock["highspy"]
    wanted["xlplan"] = "wheel, no dependencies"
    folder = CACHE / "pyodide-env" / pyodide
    python = folder / "bin" / "python"
    record = folder / "xlplan-installed.json"
    if record.exists():
        kept = json.loads(record.read_text())
        if kept["wanted"] == wanted:
            return Environment(pyodide, python, kept["installed"], kept["substituted"])
    venv.EnvBuilder(with_pip=True, clear=True).create(folder)
    installed = {name: version for name, version in wanted.items() if name != "xlplan"}
    substituted = {}
    for name in COMPILED:
        if name in wanted and not _available(python, name, wanted[name]):
            installed[name] = _newest_for_this_python(python, name, wanted[name])
            substituted[name] = f"{wanted[name]} (Pyodide {pyodide}) -> {installed[name]} (none for Python " \
                                f"{sys.version_info.major}.{sys.version_info.minor} on PyPI)"
    subprocess.run([str(python), "-m", "pip", "install", "-q", "--only-binary", "numpy,scipy,pandas,lxml,highspy",
                    *(f"{name}=={version}" for name, version in installed.items())], check=True,
                   stdin=subprocess.DEVNULL)
    # xlplan itself as xlwings Lite takes it: a wheel without dependencies (its code is run from this
    # checkout, first on the path; the installed copy gives the package's metadata, as in Lite)
    subprocess.run([str(python), "-m", "pip", "install", "-q", "--no-deps", str(ROOT)], check=True,
                   stdin=subprocess.DEVNULL)
    record.write_text(json.dumps({"wanted": wanted, "installed": installed, "substituted": substituted}))
    return Environment(pyodide, python, installed, substituted)
