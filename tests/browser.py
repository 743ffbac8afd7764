"""Chromium, headless, as the real browser in the tests: Debian's own (``scripts/test.sh`` installs
it), driven by Playwright. A page is opened with the network cut off, and every console error,
uncaught exception, dialog and request that leaves the file is recorded."""

from __future__ import annotations

import shutil
from dataclasses import dataclass, field
from pathlib import Path

import pytest

CHROMIUM = "/usr/bin/chromium"


@dataclass
class Opened:
    """What happened while a page loaded and rendered."""

    errors: list[str] = field(default_factory=list)
    dialogs: list[str] = field(default_factory=list)
    requests: list[str] = field(default_factory=list)
    """Requests for anything but the file itself (all refused)."""


class Browser:
    def __init__(self) -> None:
        if shutil.which("chromium") is None and not Path(CHROMIUM).exists():
            pytest.fail("Chromium is not installed: run the tests with scripts/test.sh, which installs it")
        from playwright.sync_api import sync_playwright

        self._playwright = sync_playwright().start()
        # as root (in containers, CI) Chromium's sandbox cannot start
        self.browser = self._playwright.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])

    def open(self, path: Path, *, width: int = 1300, height: int = 900):
        """Open ``path`` offline; returns (page, Opened) once every Plotly chart has drawn."""
        page = self.browser.new_page(viewport={"width": width, "height": height})
        opened = Opened()
        page.on("console", lambda message: opened.errors.append(message.text) if message.type == "error" else None)
        page.on("pageerror", lambda error: opened.errors.append(str(error)))

        def dialog(d) -> None:
            opened.dialogs.append(d.message)
            d.dismiss()

        page.on("dialog", dialog)
        target = path.resolve().as_uri()

        def route(r) -> None:
            if r.request.url == target:
                r.continue_()
            else:
                opened.requests.append(r.request.url)
                r.abort()

        page.route("**/*", route)
        page.goto(target, wait_until="load")
        page.wait_for_function("""() => { const plots = document.querySelectorAll('.chart > div > div');
            return plots.length > 0 && [...plots].every(p => p.classList.contains('js-plotly-plot')
                && p.querySelector('.main-svg')); }""", timeout=30_000)
        return page, opened

    def close(self) -> None:
        self.browser.close()
        self._playwright.stop()
