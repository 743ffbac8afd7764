"""What xlwings Lite would install for xlplan, worked out without a browser.

A Pyodide release dictates the versions of compiled packages: its ``pyodide-lock.json`` (shipped in the
``pyodide`` npm package) lists them, and micropip takes any other package from PyPI only as a pure-Python
wheel. :func:`resolve` follows xlplan's requirements (and those of ``lite/requirements.txt``) the way
micropip does: a package in the lock comes from the lock, at the lock's version, which must satisfy every
requirement on it; any other comes from PyPI's newest pure-Python wheel that satisfies them, whose own
requirements are followed in turn, with markers evaluated for that Pyodide's Python on ``emscripten``.
"""

from __future__ import annotations

import io
import json
import os
import re
import subprocess
import tarfile
import tomllib
import urllib.request
import zipfile
from dataclasses import dataclass, field
from email.parser import Parser
from pathlib import Path

from packaging.requirements import Requirement
from packaging.specifiers import SpecifierSet
from packaging.utils import canonicalize_name, parse_wheel_filename
from packaging.version import Version

ROOT = Path(__file__).resolve().parents[2]
CACHE = Path(os.environ.get("XLPLAN_TEST_CACHE", ROOT / ".cache"))
PYPI_SIMPLE = "https://pypi.org/simple"

XLWINGS_LITE_PYODIDE = "0.27.5"
"""The Pyodide xlwings Lite runs (its changelog: upgraded to 0.27.5 in April 2025, unchanged since)."""
NEWEST_PYODIDE = "314.0.8"
"""The newest Pyodide release on the npm registry when this was written."""
PYODIDE_VERSIONS = (XLWINGS_LITE_PYODIDE, "0.29.3", NEWEST_PYODIDE)
"""Every Pyodide the requirements are resolved against; 0.29.3 is the first with highspy (1.11.0)."""


def pyodide_lock(version: str) -> dict:
    """The ``pyodide-lock.json`` of Pyodide ``version``, from the ``pyodide`` npm package (``npm pack``),
    kept under ``.cache/pyodide/VERSION``."""
    folder = CACHE / "pyodide" / version
    lock = folder / "pyodide-lock.json"
    if not lock.exists():
        folder.mkdir(parents=True, exist_ok=True)
        packed = subprocess.run(["npm", "pack", f"pyodide@{version}", "--silent"], cwd=folder, check=True,
                                capture_output=True, text=True, stdin=subprocess.DEVNULL).stdout.split()[-1]
        with tarfile.open(folder / packed) as archive:
            member = archive.extractfile("package/pyodide-lock.json")
            assert member is not None
            temporary = lock.with_suffix(".partial")
            temporary.write_bytes(member.read())
            temporary.replace(lock)
        (folder / packed).unlink()
    return json.loads(lock.read_text())


def marker_environment(lock: dict) -> dict[str, str]:
    """PEP 508 marker values inside that Pyodide (as micropip evaluates them)."""
    python = lock["info"]["python"]
    return {"python_version": ".".join(python.split(".")[:2]), "python_full_version": python,
            "sys_platform": "emscripten", "platform_system": "Emscripten", "platform_machine": "wasm32",
            "os_name": "posix", "implementation_name": "cpython", "platform_python_implementation": "CPython",
            "implementation_version": python, "platform_release": "", "platform_version": "", "extra": ""}


def xlplan_requirements() -> list[Requirement]:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    return [Requirement(line) for line in project["dependencies"]]


def lite_requirements() -> list[Requirement]:
    """``lite/requirements.txt`` less its comments and the address of xlplan's own wheel."""
    lines = [line.split("#")[0].strip() for line in (ROOT / "lite" / "requirements.txt").read_text().splitlines()]
    return [Requirement(line) for line in lines if line and "://" not in line]


def _get(url: str, accept: str | None = None) -> bytes:
    key = re.sub(r"[^A-Za-z0-9._-]", "_", url)[-200:]
    cached = CACHE / "pypi" / key
    if cached.exists():
        return cached.read_bytes()
    request = urllib.request.Request(url, headers={"Accept": accept} if accept else {})
    with urllib.request.urlopen(request, timeout=60) as response:
        body = response.read()
    cached.parent.mkdir(parents=True, exist_ok=True)
    cached.with_suffix(".partial").write_bytes(body)
    cached.with_suffix(".partial").replace(cached)
    return body


def _pure_wheels(name: str) -> list[dict]:
    """PyPI's pure-Python wheels of ``name`` (PEP 691 JSON), newest version first."""
    index = json.loads(_get(f"{PYPI_SIMPLE}/{name}/", "application/vnd.pypi.simple.v1+json"))
    wheels = []
    for entry in index["files"]:
        if not entry["filename"].endswith(".whl") or entry.get("yanked"):
            continue
        _, version, _, tags = parse_wheel_filename(entry["filename"])
        if any(tag.abi == "none" and tag.platform == "any" for tag in tags):
            wheels.append({**entry, "version": version})
    return sorted(wheels, key=lambda entry: entry["version"], reverse=True)


def _wheel_requirements(entry: dict) -> list[Requirement]:
    """The wheel's ``Requires-Dist``: from PEP 658 metadata where the index offers it, else from the wheel."""
    if entry.get("core-metadata") or entry.get("data-dist-info-metadata"):
        text = _get(entry["url"] + ".metadata").decode()
    else:
        with zipfile.ZipFile(io.BytesIO(_get(entry["url"]))) as wheel:
            text = wheel.read(next(n for n in wheel.namelist() if n.endswith(".dist-info/METADATA"))).decode()
    metadata = Parser().parsestr(text)
    return [Requirement(line) for line in metadata.get_all("Requires-Dist") or []]


@dataclass
class Resolution:
    """Where each package would come from: ``lock`` (Pyodide's own build) or ``pypi`` (a pure wheel)."""

    pyodide: str
    chosen: dict[str, tuple[str, Version]] = field(default_factory=dict)
    problems: list[str] = field(default_factory=list)

    def source(self, name: str) -> str | None:
        found = self.chosen.get(canonicalize_name(name))
        return found[0] if found else None

    def version(self, name: str) -> Version | None:
        found = self.chosen.get(canonicalize_name(name))
        return found[1] if found else None


def resolve(requirements: list[Requirement], version: str) -> Resolution:
    """Follow ``requirements`` inside Pyodide ``version``; problems are listed, not raised."""
    lock = pyodide_lock(version)
    packages = {canonicalize_name(name): entry for name, entry in lock["packages"].items()}
    environment = marker_environment(lock)
    python = Version(environment["python_full_version"])
    resolution = Resolution(version)
    wanted: dict[str, SpecifierSet] = {}
    queue: list[tuple[Requirement, str]] = [(r, "xlplan") for r in requirements]
    while queue:
        requirement, wanted_by = queue.pop(0)
        if requirement.marker is not None and not requirement.marker.evaluate(environment):
            continue
        name = canonicalize_name(requirement.name)
        wanted[name] = wanted.get(name, SpecifierSet()) & requirement.specifier
        specifier = wanted[name]
        if name in resolution.chosen:
            _, chosen = resolution.chosen[name]
            if not specifier.contains(chosen, prereleases=True):
                resolution.problems.append(f"{name} {chosen} is chosen, but {wanted_by} needs {name}{specifier}")
            continue
        if name in packages:
            entry = packages[name]
            chosen = Version(entry["version"])
            resolution.chosen[name] = ("lock", chosen)
            if not specifier.contains(chosen, prereleases=True):
                resolution.problems.append(f"{wanted_by} needs {name}{specifier}; Pyodide {version} ships {chosen}")
            queue += [(Requirement(dependency), name) for dependency in entry.get("depends", [])]
            continue
        candidates = [w for w in _pure_wheels(name) if specifier.contains(w["version"], prereleases=False)
                      and SpecifierSet(w.get("requires-python") or "").contains(python, prereleases=True)]
        if not candidates:
            resolution.problems.append(f"{wanted_by} needs {name}{specifier}: Pyodide {version} does not ship it "
                                       "and PyPI has no pure-Python wheel of it for that Python")
            continue
        best = candidates[0]
        resolution.chosen[name] = ("pypi", best["version"])
        for dependency in _wheel_requirements(best):
            for extra in requirement.extras or {""}:
                if dependency.marker is None or dependency.marker.evaluate({**environment, "extra": extra}):
                    queue.append((Requirement(str(dependency).split(";")[0]), name))
                    break
    return resolution
