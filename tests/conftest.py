"""Shared fixtures: the reference problems, solved once per test session with real HiGHS runs."""

from __future__ import annotations

import os

# xlwings' remote and calamine engines (PolyForm Noncommercial) exercise the Excel adapter without
# Excel; they register when xlwings is first imported, so the key is set here, for the tests only.
# XLWINGS_ON_SERVER makes @xw.func and @xw.script record what Excel is told (arguments, converters,
# buttons), as they do in xlwings Lite, so the tests call the worksheet functions and scripts
# through xlwings' own dispatch.
os.environ.setdefault("XLWINGS_LICENSE_KEY", "noncommercial")
os.environ.setdefault("XLWINGS_ON_SERVER", "true")

import pytest  # noqa: E402

import xlplan
from xlplan.problem import reference


@pytest.fixture(scope="session")
def electronics() -> xlplan.PlanningProblem:
    return reference.electronics()


@pytest.fixture(scope="session")
def electronics_result(electronics) -> xlplan.PlanResult:
    return xlplan.solve(electronics, mip_gap=0)


@pytest.fixture(scope="session")
def factory_physics() -> xlplan.PlanningProblem:
    return reference.factory_physics()


@pytest.fixture(scope="session")
def factory_physics_result(factory_physics) -> xlplan.PlanResult:
    return xlplan.solve(factory_physics)


@pytest.fixture(scope="session")
def libreoffice(tmp_path_factory):
    from tests.libreoffice import LibreOffice

    return LibreOffice(tmp_path_factory.mktemp("libreoffice-profile"))
