"""The xlplan command: sub-commands, exit codes, and the installed console script."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys

import pytest

from tests.workbooks import ELECTRONICS, TEMPLATE, copy_of, digest
from xlplan.commands.committed import write_all
from xlplan.frontends.cli import FILE_ERROR, OK, USAGE, main
from xlplan.workbook import read_workbook


def test_committed_workbooks_are_what_the_generator_writes(tmp_path):
    written = write_all(tmp_path)
    assert [p.relative_to(tmp_path).as_posix() for p in written] == [
        "template.xlsx", "xlplan.xlsm", "xlplan_lite.xlsx", "xlplan.xlam",
        "examples/electronics.xlsx", "examples/factory_physics.xlsx"]
    for path in written:
        committed = TEMPLATE.parent / path.relative_to(tmp_path)
        assert digest(committed) == digest(path), f"{committed} is stale: run python -m xlplan.commands.committed"


def test_template_and_example_commands(tmp_path, capsys):
    assert main(["template", str(tmp_path / "mine.xlsx")]) == OK
    assert main(["example", "factory_physics", str(tmp_path / "fp.xlsx")]) == OK
    assert read_workbook(tmp_path / "fp.xlsx").periods == tuple(str(t) for t in range(1, 13))
    assert digest(tmp_path / "mine.xlsx") == digest(TEMPLATE)
    before = digest(tmp_path / "fp.xlsx")
    assert main(["example", "electronics", str(tmp_path / "fp.xlsx")]) == FILE_ERROR
    assert "already exists; choose another name, or pass --force" in capsys.readouterr().err
    assert digest(tmp_path / "fp.xlsx") == before
    assert main(["example", "electronics", str(tmp_path / "fp.xlsx"), "--force"]) == OK
    assert digest(tmp_path / "fp.xlsx") != before


def test_validate_reports_a_valid_workbook(capsys):
    assert main(["validate", str(ELECTRONICS)]) == OK
    assert capsys.readouterr().out.startswith("electronics.xlsx is valid: 3 products, 12 periods, 3 scenarios")


@pytest.mark.parametrize("argv", [[], ["solve"], ["example", "nosuch", "x.xlsx"],
                                  ["solve", "a.xlsx", "-o", "b.xlsx", "--in-place"]])
def test_usage_errors_exit_2(argv, capsys):
    assert main(argv) == USAGE
    err = capsys.readouterr().err
    assert err.startswith("xlplan") and err.count("\n") == 1 and "--help)" in err


def test_installed_command(tmp_path):
    command = shutil.which("xlplan", path=str(__import__("pathlib").Path(sys.executable).parent))
    assert command, "the xlplan console script is not installed"
    book = copy_of(ELECTRONICS, tmp_path)
    run = subprocess.run([command, "solve", str(book), "-o", str(tmp_path / "out.xlsx"), "--json", "--continuous"],
                         capture_output=True, text=True, timeout=300, stdin=subprocess.DEVNULL)
    assert run.returncode == OK, run.stderr
    summary = json.loads(run.stdout)  # nothing but JSON on stdout, HiGHS's banner included
    assert round(summary["objective"], 2) == 564_341.51
    version = subprocess.run([command, "--version"], capture_output=True, text=True)
    assert version.stdout.startswith("xlplan ")


def test_messages_show_money_as_the_sheets_do_and_json_keeps_every_digit(tmp_path, capsys):
    out = tmp_path / "out.xlsx"
    assert main(["solve", str(ELECTRONICS), "-o", str(out)]) == OK
    # no cents from 10,000 up, rounded half away from zero as Excel shows the KPI cell (2,592,728.50 -> 729)
    assert "expected cost 564,472; expected profit 2,592,729; units produced: A 3,045" in capsys.readouterr().out
    assert main(["solve", str(ELECTRONICS), "-o", str(tmp_path / "again.xlsx"), "--json"]) == OK
    summary = json.loads(capsys.readouterr().out)
    assert summary["objective"] == pytest.approx(564_471.50, abs=1e-6)
    assert summary["kpis"]["profit_shipped"] == pytest.approx(2_592_728.50, abs=1e-6)


def test_readme_documents_the_contract_as_the_code_defines_it():
    from tests.workbooks import ROOT
    from xlplan.workbook import contract_markdown

    assert contract_markdown() in (ROOT / "README.md").read_text()


def test_readme_python_example_runs(tmp_path, monkeypatch):
    import re

    from tests.workbooks import ROOT

    code = re.search(r"## Python API\n\n```python\n(.*?)```", (ROOT / "README.md").read_text(), re.S).group(1)
    (tmp_path / "workbooks").symlink_to(ROOT / "workbooks")
    monkeypatch.chdir(tmp_path)
    namespace: dict = {}
    exec(compile(code, "README.md", "exec"), namespace)
    assert round(namespace["result"].objective, 2) == 564_471.50
    assert (tmp_path / "plan.xlsx").exists()
