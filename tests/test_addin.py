"""The Excel add-in ``xlplan.xlam``: its package parts, its ribbon, its VBA, and the ribbon's buttons run end to
end through xlwings' remote engine and mock caller (no Excel on Linux), on both examples and on a workbook
set up from scratch; Excel's status bar is recorded through xlwings' App."""

from __future__ import annotations

import io
import os
import random
import zipfile
from importlib import resources
from pathlib import Path

import olefile
import openpyxl
import pytest
import xlwings as xw
from lxml import etree
from oletools.olevba import VBA_Parser, decompress_stream

from tests.remote import payload, remote_book, replay
from tests.workbooks import ELECTRONICS, FACTORY_PHYSICS, WORKBOOKS, edited
from xlplan.commands import BY_NAME
from xlplan.frontends.cli import main as cli
from xlplan.frontends.excel.ribbon import clicked
from xlplan.workbook.contract import INPUT_RANGES
from xlplan.workbook.make.addin import (
    ADDIN,
    CUSTOM_UI_NAMESPACE,
    CUSTOM_UI_PART,
    CUSTOM_UI_RELATIONSHIP,
    RIBBON,
    VBA_MODULE,
    addin_package,
    buttons,
)
from xlplan.workbook.make.compound_file import Storage, compound_file
from xlplan.workbook.make.control import CONTROL_SHEET, STATUS_CELL
from xlplan.workbook.make.vba_project import compress, decompress

COMMITTED = WORKBOOKS / ADDIN
STATUS_AT = (int(STATUS_CELL[1:]), ord(STATUS_CELL[0]) - 64)
ADDIN_CONTENT_TYPE = "application/vnd.ms-excel.addin.macroEnabled.main+xml"


def _parts(path: Path = COMMITTED) -> dict[str, bytes]:
    with zipfile.ZipFile(path) as package:
        return {name: package.read(name) for name in package.namelist()}


def _modules(vba: bytes) -> dict[str, str]:
    parser = VBA_Parser("vbaProject.bin", data=vba)
    return {name.rsplit(".", 1)[0]: code for _, _, name, code in parser.extract_macros()}


# ---------------------------------------------------------------------------- the package
def test_the_committed_addin_is_what_the_code_makes():
    assert COMMITTED.read_bytes() == addin_package()


def test_the_package_is_an_addin_with_its_ribbon_and_vba():
    parts = _parts()
    types = etree.fromstring(parts["[Content_Types].xml"])
    overrides = {o.get("PartName"): o.get("ContentType") for o in types}
    assert overrides["/xl/workbook.xml"] == ADDIN_CONTENT_TYPE
    assert overrides["/xl/vbaProject.bin"] == "application/vnd.ms-office.vbaProject"
    relationships = {r.get("Type"): r.get("Target") for r in etree.fromstring(parts["_rels/.rels"])}
    assert relationships[CUSTOM_UI_RELATIONSHIP] == CUSTOM_UI_PART and CUSTOM_UI_PART in parts
    assert not any(name.startswith("customUI/") and name != CUSTOM_UI_PART for name in parts)
    workbook_relationships = [r.get("Target") for r in etree.fromstring(parts["xl/_rels/workbook.xml.rels"])]
    assert "vbaProject.bin" in workbook_relationships
    assert b'name="_xlwings.conf"' in parts["xl/workbook.xml"]


def test_the_ribbon_is_well_formed_and_every_callback_is_in_the_vba():
    parts = _parts()
    ribbon = etree.fromstring(parts[CUSTOM_UI_PART])
    assert ribbon.tag == f"{{{CUSTOM_UI_NAMESPACE}}}customUI"
    tabs = ribbon.findall(f".//{{{CUSTOM_UI_NAMESPACE}}}tab")
    assert [t.get("label") for t in tabs] == ["xlplan"]
    ids = [e.get("id") for e in ribbon.iter() if e.get("id")]
    assert len(ids) == len(set(ids))
    callbacks = {e.get(a) for e in ribbon.iter() for a in ("onAction", "onChange") if e.get(a)}
    assert callbacks == {f"{VBA_MODULE}.OnButton", f"{VBA_MODULE}.OnTimeLimit", f"{VBA_MODULE}.OnUnits"}
    source = _modules(parts["xl/vbaProject.bin"])[VBA_MODULE]
    assert "Sub OnButton(control As IRibbonControl)" in source
    assert "Sub OnTimeLimit(control As IRibbonControl, text As String)" in source
    assert "Sub OnUnits(control As IRibbonControl, selectedId As String, selectedIndex As Integer)" in source
    assert "control.Id" in source and "RunPython" in source
    buttons_in_xml = [e.get("id") for e in ribbon.iter(f"{{{CUSTOM_UI_NAMESPACE}}}button")]
    assert buttons_in_xml == list(buttons())


def test_every_ribbon_button_runs_a_command_of_the_table():
    for button in buttons().values():
        assert button.command in BY_NAME, button.id
    labels = [b.label for group in RIBBON for b in group.buttons]
    assert labels == ["Solve", "Adopt plan", "Check inputs", "Simulate", "Compare", "Frontier", "Re-plan", "Report",
                      "Clear outputs", "Set up inputs"]
    assert buttons()["xlplanReplan"].options == (("rolling", True),)


def test_the_vba_keeps_xlwings_own_module():
    with resources.files("xlwings").joinpath("quickstart_addin_ribbon.xlam").open("rb") as handle:
        original = _modules(zipfile.ZipFile(handle).read("xl/vbaProject.bin"))
    ours = _modules(_parts()["xl/vbaProject.bin"])
    assert set(ours) == set(original) - {"RibbonMyAddin"} | {VBA_MODULE}
    assert ours["xlwings"] == original["xlwings"].replace('PROJECT_NAME As String = "myaddin"',
                                                          'PROJECT_NAME As String = "xlwings"')
    assert ours["Dictionary"] == original["Dictionary"]


# ---------------------------------------------------------------------------- the formats written
@pytest.mark.parametrize("size", [0, 5, 3000, 4096, 4097, 20000])
def test_vba_compression_is_read_back_by_oletools(size):
    rng = random.Random(size)
    words = ["Sub ", "End Sub\r\n", "Dim x As Long\r\n", "RunPython ", "' comment\r\n", "x = x + 1\r\n"]
    text = "".join(rng.choice(words) for _ in range(size))[:size].encode("cp1252")
    packed = compress(text)
    assert bytes(decompress_stream(bytearray(packed))) == text == decompress(packed)
    noise = bytes(rng.getrandbits(8) for _ in range(size))  # incompressible: raw chunks
    assert bytes(decompress_stream(bytearray(compress(noise)))) == noise


def test_a_compound_file_is_read_back_by_olefile():
    big = os.urandom(9000)
    root = Storage({"PROJECT": b"Name=x", "VBA": Storage({"dir": b"abc" * 100, "big": big, "empty": b""}),
                    **{f"s{k}": bytes([k]) * (50 * k) for k in range(1, 12)}})
    data = compound_file(root)
    with olefile.OleFileIO(io.BytesIO(data)) as ole:
        assert ole.openstream("VBA/big").read() == big
        assert ole.openstream("VBA/dir").read() == b"abc" * 100
        assert ole.openstream("VBA/empty").read() == b""
        for k in range(1, 12):
            assert ole.openstream(f"s{k}").read() == bytes([k]) * (50 * k)
    assert compound_file(root) == data


# ---------------------------------------------------------------------------- install
def test_addin_install_and_remove_in_a_folder(tmp_path, capsys):
    assert cli(["addin", "install", "--folder", str(tmp_path)]) == 0
    assert (tmp_path / ADDIN).read_bytes() == COMMITTED.read_bytes()
    assert "restart Excel" in capsys.readouterr().out
    assert cli(["addin", "remove", "--folder", str(tmp_path)]) == 0
    assert not (tmp_path / ADDIN).exists()
    assert cli(["addin", "remove", "--folder", str(tmp_path)]) == 0
    assert "nothing removed" in capsys.readouterr().out


def test_addin_install_says_where_excel_is_missing(capsys):
    if os.name == "nt" or os.uname().sysname == "Darwin":
        pytest.skip("Excel's startup folder exists here")
    assert cli(["addin", "install"]) == 6
    assert "Excel has no startup folder on this system" in capsys.readouterr().err


# ---------------------------------------------------------------------------- the buttons, end to end
class StatusBarSeen:
    """Excel's status bar as xlwings' App sets it, recorded (the remote engine has none of its own)."""

    def __init__(self, monkeypatch) -> None:
        self.shown: list = []
        engine_app = type(remote_book(payload(ELECTRONICS)).app.impl)
        monkeypatch.setattr(engine_app, "status_bar", property(lambda app: self.shown[-1] if self.shown else False,
                                                               lambda app, value: self.shown.append(value)),
                            raising=False)


@pytest.fixture
def status_bar(monkeypatch):
    return StatusBarSeen(monkeypatch)


def press(path: Path, control: str, time_limit: str = "", units: str = "") -> tuple[str, dict, list]:
    """Press a ribbon button with ``path`` as Excel's active workbook, as RunPython would call it."""
    book_payload = payload(path, CONTROL_SHEET if CONTROL_SHEET in openpyxl.load_workbook(path).sheetnames
                           else None)
    book = remote_book(book_payload)
    book.set_mock_caller()
    message = clicked(control, time_limit, units)
    actions = book.json()["actions"]
    return message, replay(book_payload, actions), actions


def test_solve_from_the_ribbon_shows_its_progress_and_resets_the_status_bar(status_bar):
    message, cells, actions = press(ELECTRONICS, "xlplanSolve")
    assert "optimal; expected cost 564,472" in message
    # the example's Start sheet is no control panel: its cells stay, the outcome comes in a message box
    assert cells[CONTROL_SHEET].get(STATUS_AT) is None
    assert [a["args"][:2] for a in actions if a["func"] == "alert"] == [[f"Solve: {message}", "xlplan"]]
    assert {"Plan", "Recourse", "Costs", "KPI", "Run log"} <= set(cells)
    shown = status_bar.shown
    assert shown[0] == "xlplan: Solve — starting" and shown[-1] is False
    texts = [s for s in shown if isinstance(s, str)]
    order = [next(k for k, s in enumerate(texts) if phase in s)
             for phase in ("reading the workbook", "solving", "writing the sheets")]
    assert order == sorted(order)


def test_the_status_bar_is_reset_when_the_inputs_are_wrong(status_bar, tmp_path):
    broken = edited(ELECTRONICS, tmp_path, lambda book: book["Products"].cell(5, 2, "two"))
    message, cells, _ = press(broken, "xlplanSolve")
    assert "in the inputs: see the Problems sheet" in message and "Problems" in cells
    assert status_bar.shown[-1] is False


def test_every_ribbon_button_runs_on_the_electronics_example(status_bar):
    expected = {"xlplanSolve": "optimal; expected cost 564,472", "xlplanValidate": "valid: 3 products",
                "xlplanAdopt": "keeps no plans yet",
                "xlplanSimulate": "mean profit", "xlplanCompare": "compared 3 plans",
                "xlplanFrontier": "mean-CVaR plans", "xlplanReplan": "re-plan",
                "xlplanReport": "has no solved plan to report", "xlplanClear": "cleared the output sheets",
                "xlplanSetUp": "is a planning workbook already"}
    assert set(expected) == set(buttons())
    for control, words in expected.items():
        message, _, _ = press(ELECTRONICS, control)
        assert words.lower() in message.lower(), (control, message)
        assert "failed" not in message, (control, message)
    assert status_bar.shown.count(False) == len(expected)


def test_the_ribbon_options_reach_the_solve():
    message, _, _ = press(FACTORY_PHYSICS, "xlplanSolve", time_limit="120")
    assert "optimal; expected cost 1,292,663" in message
    message, _, _ = press(ELECTRONICS, "xlplanSolve", units="continuous")
    assert "optimal; expected cost 564,342" in message  # the LP relaxation
    message, cells, _ = press(ELECTRONICS, "xlplanSolve", time_limit="1?")
    assert message == "the ribbon's Time limit box must be a number of seconds, not '1?'"
    assert "Plan" not in cells


def test_set_up_turns_a_workbook_of_ones_own_into_a_planning_workbook(tmp_path):
    own = tmp_path / "budget.xlsx"
    book = openpyxl.Workbook()
    book.active.title = "Budget"
    book.active["A1"] = "my numbers"
    book.save(own)
    message, cells, actions = press(own, "xlplanSetUp")
    assert message.startswith("added the input sheets Products, Cost rates, Demand, Scenarios, Settings, Uncertainty")
    assert cells["Budget"][(1, 1)] == "my numbers"
    names = {a["args"][0] for a in actions if a["func"] == "namesAdd"}
    assert {c.name for c in INPUT_RANGES} <= names
    assert not any(name.startswith("_xlplan_output_") for name in names)  # the planner's sheets, not outputs

    # the same command from the command line, then the ribbon on the workbook it made
    assert cli(["setup", str(own), "-o", str(tmp_path / "planning.xlsx")]) == 0
    planning = tmp_path / "planning.xlsx"
    for control, words in (("xlplanSolve", "optimal; expected cost 564,472"), ("xlplanSimulate", "mean profit"),
                           ("xlplanClear", "cleared")):
        message, cells, _ = press(planning, control)
        assert words in message, (control, message)
        assert cells["Budget"][(1, 1)] == "my numbers"
    assert {"Products", "Demand"} <= set(cells)  # Clear outputs keeps the inputs the set-up added


def test_a_control_panel_gets_the_outcome_in_its_status_cell(tmp_path):
    message, cells, actions = press(WORKBOOKS / "xlplan_lite.xlsx", "xlplanValidate")
    assert cells[CONTROL_SHEET][STATUS_AT] == f"Validate: {message}"
    assert not [a for a in actions if a["func"] == "alert"]


def test_the_active_workbook_is_the_callers_app_active_book():
    book = remote_book(payload(ELECTRONICS))
    book.set_mock_caller()
    assert xw.Book.caller().app.books.active.name == "electronics.xlsx"


def test_adopt_from_the_ribbon_puts_compares_recommendation_on_the_plan_sheet(tmp_path):
    compared = tmp_path / "compared.xlsx"
    assert cli(["compare", str(ELECTRONICS), "-o", str(compared), "--replications", "2000"]) == 0
    message, cells, _ = press(compared, "xlplanAdopt")
    assert "adopted" in message.lower() and "failed" not in message, message
    assert {"Plan", "Recourse", "Costs", "KPI", "Run log"} <= set(cells)
