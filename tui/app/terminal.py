"""Handing the terminal to a child process (the subshell) and taking it back."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from typing import Any

from textual.app import App, SuspendNotSupported


@contextlib.contextmanager
def handed_over(app: App[Any]) -> Iterator[None]:
    """Suspend the UI while the block runs, so a child owns the terminal; then redraw.

    Where the app cannot suspend (headless tests, Textual Web) the block simply runs.
    """
    with contextlib.ExitStack() as stack:
        with contextlib.suppress(SuspendNotSupported):
            stack.enter_context(app.suspend())
        yield
