"""LibreOffice, headless, as the real spreadsheet application in the tests.

A private profile makes LibreOffice recalculate every formula when it opens a workbook (its
default keeps Excel's cached results), so a converted copy holds LibreOffice's own figures.
``scripts/test.sh`` installs LibreOffice and poppler-utils.
"""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

RECALCULATE_ALWAYS = """<?xml version="1.0" encoding="UTF-8"?>
<oor:items xmlns:oor="http://openoffice.org/2001/registry" xmlns:xs="http://www.w3.org/2001/XMLSchema"
 xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">
<item oor:path="/org.openoffice.Office.Calc/Formula/Load"><prop oor:name="OOXMLRecalcMode" oor:op="fuse">
<value>0</value></prop></item>
</oor:items>
"""


class LibreOffice:
    def __init__(self, profile: Path, recalculate: bool = True):
        """``recalculate=False`` keeps LibreOffice's default for Excel files: show the cached results
        (it calculates only formulas stored without one), as a planner's LibreOffice does."""
        executable = shutil.which("soffice") or shutil.which("libreoffice")
        if executable is None:
            pytest.fail("LibreOffice is not installed: run the tests with scripts/test.sh, which installs it")
        self.executable = executable
        (profile / "user").mkdir(parents=True, exist_ok=True)
        if recalculate:
            (profile / "user" / "registrymodifications.xcu").write_text(RECALCULATE_ALWAYS)
        self.profile = profile

    def convert(self, path: Path, to: str, folder: Path) -> Path:
        """Open ``path`` in LibreOffice and save it as ``to`` (``xlsx`` or ``pdf``) in ``folder``."""
        folder.mkdir(parents=True, exist_ok=True)
        run = subprocess.run(
            [self.executable, f"-env:UserInstallation={self.profile.as_uri()}", "--headless", "--norestore",
             "--convert-to", to, "--outdir", str(folder), str(path)],
            capture_output=True, text=True, timeout=600, stdin=subprocess.DEVNULL)
        converted = folder / f"{path.stem}.{to}"
        assert run.returncode == 0 and converted.exists(), f"LibreOffice failed on {path.name}: {run.stderr}"
        return converted


def pdf_text(pdf: Path) -> str:
    return subprocess.run(["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True,
                          check=True).stdout


def pdf_pages(pdf: Path) -> int:
    info = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True, check=True).stdout
    return int(next(line.split()[-1] for line in info.splitlines() if line.startswith("Pages:")))
