"""The Glossary (the technical terms and the command line the business sheets point to) is written by every
command that writes output sheets, through the one step every front end runs them by (the command table's
``run``: the command line, the Action cell, the ribbon and the Lite scripts alike), and Start links to it."""

from __future__ import annotations

import openpyxl

from xlplan.commands import BY_NAME, sheets_written
from xlplan.commands.live import action_keywords
from xlplan.commands.options import options_of
from xlplan.workbook.make.examples import write_synthetic
from xlplan.workbook.read.file_source import FileSource
from xlplan.workbook.sheets.glossary import GLOSSARY, TERMS
from xlplan.workbook.sheets.names import RUN_LOG
from xlplan.workbook.write.writer import write_sheets

QUICK = {"replications": 200, "weights": (0.0, 1.0), "policies": ("deterministic",)}
"""Options that keep each command small (those a command takes)."""
RUNS = (("solve", {}), ("simulate", {}), ("simulate", {"rolling": True}), ("compare", {}), ("frontier", {}),
        ("adopt", {}), ("clear", {}))


def test_every_command_that_writes_sheets_writes_the_glossary_before_the_run_log(tmp_path):
    book = write_synthetic(tmp_path / "small.xlsx", products=2, periods=6, scenarios=3, seed=1)
    for name, extra in RUNS:
        command = BY_NAME[name]
        taken = {option.name for option in options_of(command.options)}
        values = {k: v for k, v in {**QUICK, **extra}.items() if k in taken}
        source = FileSource(book)
        try:
            outcome = command.run(source, **action_keywords(command, values))
        finally:
            source.close()
        written = [sheet.name for sheet in outcome.sheets]
        if name == "clear":  # it writes nothing, and the Glossary goes with the other output sheets
            assert GLOSSARY not in written and GLOSSARY in outcome.retire
        else:
            assert written.count(GLOSSARY) == 1, (name, written)
            assert written.index(GLOSSARY) == written.index(RUN_LOG) - 1, (name, written)  # the tabs' order
            assert GLOSSARY in sheets_written(name)  # its room checked before the work, like the others'
        write_sheets(outcome.sheets, book, book, retire=outcome.retire)
        names = openpyxl.load_workbook(book, read_only=True).sheetnames
        assert (GLOSSARY in names) == (name != "clear"), (name, names)


def test_a_plain_solve_leaves_a_glossary_with_every_term_and_start_links_to_it(tmp_path):
    from xlplan.frontends.cli import OK, main

    book = write_synthetic(tmp_path / "small.xlsx", products=2, periods=6, scenarios=3, seed=1)
    assert main(["solve", str(book), "--in-place", "--no-backup"]) == OK
    workbook = openpyxl.load_workbook(book)
    terms = [row[0] for row in workbook[GLOSSARY].iter_rows(min_row=5, max_col=1, values_only=True) if row[0]]
    assert terms == [term for term, _ in TERMS]
    start = workbook["Start"]
    links = {c.value: c.hyperlink.location for row in start.iter_rows() for c in row if c.hyperlink is not None}
    assert links[GLOSSARY] == f"{GLOSSARY}!A1"
    texts = [str(c.value) for row in start.iter_rows() for c in row if c.value is not None]
    assert not any("README" in t for t in texts if "Needs " not in t)  # the install note aside
