"""``xlplan.xlam``: the Excel add-in with an xlplan ribbon tab, acting on the active workbook.

Made from xlwings' own ribbon add-in (``quickstart_addin_ribbon.xlam`` in the installed xlwings, BSD-3):
its package and its xlwings VBA module (RunPython) are kept, its ribbon and its one ribbon macro are
replaced. Every button calls one VBA callback, ``XlplanRibbon.OnButton``, which passes the pressed
control's id (``IRibbonControl.Id``) and the Options group's settings to
``xlplan.frontends.excel.ribbon.clicked``; that looks the id up in :data:`RIBBON` and runs the command
of the same table the sheet buttons and the command line use.
"""

from __future__ import annotations

import io
import tempfile
import zipfile
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any
from xml.sax.saxutils import quoteattr

from xlplan.workbook.make.vba_project import VbaProject
from xlplan.workbook.write.files import write_atomically

ADDIN = "xlplan.xlam"
VBA_MODULE = "XlplanRibbon"
CUSTOM_UI_NAMESPACE = "http://schemas.microsoft.com/office/2009/07/customui"
CUSTOM_UI_PART = "customUI/customUI14.xml"
CUSTOM_UI_RELATIONSHIP = "http://schemas.microsoft.com/office/2007/relationships/ui/extensibility"
OLD_CUSTOM_UI = "customUI/customUI.xml"
CONFIG_SHEET = "_xlwings.conf"
"""xlwings' settings sheet of the add-in (``Interpreter_Win``, ``PYTHONPATH``...); the leading underscore
keeps it off, as xlwings ships it: rename it to ``xlwings.conf`` to use it. The add-in also reads the
settings xlwings' own tools write (``%USERPROFILE%\\.xlwings\\xlwings.conf``) and a workbook's
``xlwings.conf`` sheet, as ``xlplan.xlsm`` does."""
PYTHON_ENTRY = "xlplan.frontends.excel.ribbon"


@dataclass(frozen=True)
class RibbonButton:
    id: str
    label: str
    command: str
    """The command's name in ``xlplan.commands.COMMANDS``."""
    image: str
    """An Office built-in icon (``imageMso``)."""
    tip: str
    options: tuple[tuple[str, Any], ...] = ()
    """Keyword options the command runs with (``rolling`` for Re-plan)."""
    large: bool = False


@dataclass(frozen=True)
class RibbonGroup:
    id: str
    label: str
    buttons: tuple[RibbonButton, ...] = field(default_factory=tuple)


RIBBON: tuple[RibbonGroup, ...] = (
    RibbonGroup("xlplanPlan", "Plan", (
        RibbonButton("xlplanSolve", "Solve", "solve", "MacroPlay",
                     "Solve the active workbook's plan and write Plan, Recourse, Costs, KPI and Run log", large=True),
        RibbonButton("xlplanAdopt", "Adopt plan", "adopt", "AcceptTask",
                     "Put the plan Compare recommends on the Plan sheet, priced over the scenarios, to simulate, "
                     "report and act on", large=True),
        RibbonButton("xlplanValidate", "Check inputs", "validate", "AcceptInvitation",
                     "Check every input and list each problem, linked to its cell, on a Problems sheet"),
    )),
    RibbonGroup("xlplanTest", "Test the plan", (
        RibbonButton("xlplanSimulate", "Simulate", "simulate", "ChartTypeOtherInsertGallery",
                     "Simulate the Plan sheet under the Uncertainty sheet's demand and noise", large=True),
        RibbonButton("xlplanCompare", "Compare", "compare", "CompareAndCombine",
                     "Set the deterministic, best-buffered and stochastic plans side by side", large=True),
        RibbonButton("xlplanFrontier", "Frontier", "frontier", "ChartTypeLineInsertGallery",
                     "Expected cost against risk for a sweep of risk weights"),
        RibbonButton("xlplanReplan", "Re-plan", "simulate", "Repeat",
                     "Re-plan each policy every few weeks along simulated demand", options=(("rolling", True),)),
    )),
    RibbonGroup("xlplanShare", "Share", (
        RibbonButton("xlplanReport", "Report", "report", "FileSaveAsWebPage",
                     "Write an interactive HTML report beside the workbook", large=True),
        RibbonButton("xlplanClear", "Clear outputs", "clear", "Clear",
                     "Remove the sheets xlplan wrote; your own sheets stay"),
    )),
    RibbonGroup("xlplanWorkbook", "Workbook", (
        RibbonButton("xlplanSetUp", "Set up inputs", "setup", "TableInsert",
                     "Add the input sheets, tables and names to this workbook (your sheets stay)", large=True),
    )),
)
"""The xlplan tab: every button, the command it runs and how it looks."""
TIME_LIMIT_BOX = "xlplanTimeLimit"
UNITS_MENU = "xlplanUnits"
UNITS = (("settings", "As in Settings"), ("continuous", "Continuous"))
"""The Units choices: as the Settings sheet says (whole units or not), or continuous quantities (the LP
relaxation: faster, a bound on the whole-unit plan's cost)."""


def buttons() -> dict[str, RibbonButton]:
    return {button.id: button for group in RIBBON for button in group.buttons}


def custom_ui() -> str:
    """The ribbon's customUI XML (Office 2010 and later)."""
    lines = [f'<customUI xmlns="{CUSTOM_UI_NAMESPACE}">', "  <ribbon>", "    <tabs>",
             '      <tab id="xlplanTab" label="xlplan">']
    for group in RIBBON:
        lines.append(f'        <group id="{group.id}" label={quoteattr(group.label)}>')
        for b in group.buttons:
            size = "large" if b.large else "normal"
            lines.append(f'          <button id="{b.id}" label={quoteattr(b.label)} size="{size}" imageMso="{b.image}" '
                         f'screentip={quoteattr(b.label)} supertip={quoteattr(b.tip)} '
                         f'onAction="{VBA_MODULE}.OnButton"/>')
        lines.append("        </group>")
    lines += ['        <group id="xlplanOptions" label="Options">',
              f'          <editBox id="{TIME_LIMIT_BOX}" label="Time limit (s)" sizeString="00000" maxLength="6" '
              'screentip="Time limit" supertip="Seconds a solve may run; blank: no limit (a stopped solve says so)" '
              f'onChange="{VBA_MODULE}.OnTimeLimit"/>',
              f'          <dropDown id="{UNITS_MENU}" label="Units" screentip="Units" '
              'supertip="Whole units as the Settings say, or continuous quantities (faster; a bound)" '
              f'onAction="{VBA_MODULE}.OnUnits">']
    lines += [f'            <item id="{key}" label="{label}"/>' for key, label in UNITS]
    lines += ["          </dropDown>", "        </group>", "      </tab>", "    </tabs>", "  </ribbon>",
              "</customUI>", ""]
    return "\n".join(lines)


def ribbon_vba() -> str:
    """The add-in's ribbon module: three callbacks, each a few lines, all the work in Python."""
    return f"""' xlplan's ribbon: every button runs one Python function with the pressed button's id.
' The Options group's settings are kept here while Excel runs and passed along with each click.
Option Explicit

Private TimeLimit As String
Private Units As String

Sub OnButton(control As IRibbonControl)
    Dim command As String
    command = "ribbon.clicked('" & control.Id & "', '" & TimeLimit & "', '" & Units & "')"
    RunPython "import {PYTHON_ENTRY} as ribbon; " & command
End Sub

Sub OnTimeLimit(control As IRibbonControl, text As String)
    ' only digits and a decimal point reach Python; anything else is left for it to refuse in words
    Dim i As Integer, kept As String
    For i = 1 To Len(text)
        If InStr("0123456789.", Mid(text, i, 1)) > 0 Then kept = kept & Mid(text, i, 1) Else kept = kept & "?"
    Next i
    TimeLimit = kept
End Sub

Sub OnUnits(control As IRibbonControl, selectedId As String, selectedIndex As Integer)
    Units = selectedId
End Sub
"""


def _ribbon_source() -> Path:
    return Path(str(resources.files("xlwings").joinpath("quickstart_addin_ribbon.xlam")))


def addin_vba(xlwings_vba: bytes) -> bytes:
    """xlwings' ribbon add-in VBA with xlplan's ribbon module and project name."""
    with tempfile.TemporaryDirectory() as folder:
        source = Path(folder) / "vbaProject.bin"
        source.write_bytes(xlwings_vba)
        project = VbaProject.read(source)
    project.rename_project("xlplan")
    project.replace_module("RibbonMyAddin", VBA_MODULE, ribbon_vba())
    # xlwings' own settings (its config file and a workbook's xlwings.conf sheet), not an add-in's own
    project.edit_module("xlwings", 'PROJECT_NAME As String = "myaddin"', 'PROJECT_NAME As String = "xlwings"')
    return project.to_bytes()


def _root_relationships(original: bytes) -> bytes:
    text = original.decode("utf-8")
    old = f'Type="{CUSTOM_UI_RELATIONSHIP}" Target="{OLD_CUSTOM_UI}"'
    if old not in text:
        raise ValueError("xlwings' ribbon add-in has changed: its customUI relationship was not found")
    return text.replace(old, f'Type="{CUSTOM_UI_RELATIONSHIP}" Target="{CUSTOM_UI_PART}"').encode("utf-8")


def addin_package() -> bytes:
    """The bytes of ``xlplan.xlam`` (the same for the same installed xlwings)."""
    with zipfile.ZipFile(_ribbon_source()) as original:
        parts = {info.filename: original.read(info) for info in original.infolist()}
    parts.pop(OLD_CUSTOM_UI)
    parts[CUSTOM_UI_PART] = custom_ui().encode("utf-8")
    parts["_rels/.rels"] = _root_relationships(parts["_rels/.rels"])
    parts["xl/vbaProject.bin"] = addin_vba(parts["xl/vbaProject.bin"])
    parts["xl/workbook.xml"] = parts["xl/workbook.xml"].replace(b'name="_myaddin.conf"',
                                                                f'name="{CONFIG_SHEET}"'.encode())
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as package:
        for name in ["[Content_Types].xml", *sorted(n for n in parts if n != "[Content_Types].xml")]:
            package.writestr(zipfile.ZipInfo(name, date_time=(1980, 1, 1, 0, 0, 0)), parts[name],
                             compress_type=zipfile.ZIP_DEFLATED)
    return buffer.getvalue()


def write_addin(path: str | Path) -> Path:
    """Write ``xlplan.xlam`` to ``path``."""
    content = addin_package()
    return write_atomically(Path(path), lambda temporary: temporary.write_bytes(content))


def startup_folder() -> Path:
    """The folder Excel opens every add-in in at start (its user XLSTART folder); OSError where this
    system has no Excel (Linux)."""
    import os
    import sys

    if sys.platform == "win32":
        return Path(os.environ["APPDATA"]) / "Microsoft" / "Excel" / "XLSTART"
    if sys.platform == "darwin":
        return (Path.home() / "Library" / "Group Containers" / "UBF8T346G9.Office" / "User Content.localized"
                / "Startup.localized" / "Excel")
    raise OSError(f"Excel has no startup folder on this system ({sys.platform}); name one with --folder")


def install_addin(folder: Path | None = None) -> Path:
    """Write ``xlplan.xlam`` into ``folder`` (default: Excel's startup folder, made if missing)."""
    folder = folder if folder is not None else startup_folder()
    folder.mkdir(parents=True, exist_ok=True)
    return write_addin(folder / ADDIN)


def remove_addin(folder: Path | None = None) -> Path | None:
    """Remove ``xlplan.xlam`` from ``folder`` (default: Excel's startup folder); None if it was not there."""
    target = (folder if folder is not None else startup_folder()) / ADDIN
    if not target.exists():
        return None
    target.unlink()
    return target
