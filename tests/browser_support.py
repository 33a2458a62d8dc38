"""The browser opener a login in a test is given: this test process's environment (conftest's
BROWSER, or a fake browser a test put there), as the CLI hands down its own."""

from __future__ import annotations

import os

from tui import browser


def open_here(url: str) -> bool:
    """Open `url` as ssotui would with this process's environment."""
    return browser.open_url(url, os.environ)
