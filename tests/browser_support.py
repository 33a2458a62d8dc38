"""The browser opener a login in a test is given: this test process's environment (conftest's
BROWSER, or a fake browser a test put there), as the CLI hands down its own; and a browser
that only writes down what it was asked to open."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from tui import browser


def open_here(url: str) -> bool:
    """Open `url` as ssotui would with this process's environment."""
    return browser.open_url(url, os.environ)


def recording_browser(monkeypatch: pytest.MonkeyPatch, folder: Path) -> Path:
    """Set BROWSER to a script that writes down each URL it is asked to open, one a line, and
    return the file it writes: it appears (and changes) only whole, so a test may wait for it
    to exist, then read it."""
    opened = folder / "opened"
    script = folder / "browser"
    script.write_text(
        f'#!/bin/sh\nprintf "%s\\n" "$1" >> "{opened}.part"\n'
        f'cp "{opened}.part" "{opened}.new" && mv "{opened}.new" "{opened}"\n'
    )
    script.chmod(0o755)
    monkeypatch.setenv("BROWSER", str(script))
    return opened
