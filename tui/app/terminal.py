"""The terminal: handing it to a child process (the subshell) and back; its clipboard."""

from __future__ import annotations

import contextlib
import os
import sys
from collections.abc import Callable, Iterator
from typing import Any, Protocol, runtime_checkable

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


def stdout_is_terminal() -> bool:
    """Whether standard output is a terminal (not redirected to a file or a pipe)."""
    try:
        return os.isatty(1)
    except OSError:
        return False


@contextlib.contextmanager
def drawing_on_the_terminal() -> Iterator[None]:
    """While the block runs, let stdout be the terminal when only stdout is redirected.

    `eval "$(ssotui)"` captures stdout for the `p` action's text; the UI draws on stderr, but
    Textual sizes the screen from stdout (80x24 when it is a pipe) and the subshell would write
    into the capture. So fd 1 points at the terminal (stderr's) until the UI is done, then the
    captured stdout is put back for the text to print.
    """
    try:
        redirected = not os.isatty(1) and os.isatty(2)
    except OSError:
        redirected = False
    if not redirected:
        yield
        return
    sys.stdout.flush()
    saved = os.dup(1)
    os.dup2(2, 1)
    try:
        yield
    finally:
        sys.stdout.flush()
        os.dup2(saved, 1)
        os.close(saved)


@runtime_checkable
class SendsToClipboard(Protocol):
    """An App that puts text on the terminal's clipboard without keeping it (the picker's)."""

    def send_to_clipboard(self, text: str) -> None: ...


def copier(app: App[Any]) -> Callable[[str], None]:
    """For `clipboard.copy(text, terminal=...)` in a thread worker: the app sends the OSC 52.

    The sequence then goes out through the app's own output on the UI thread, between two
    frames, instead of being written to the terminal from the worker in the middle of one.
    The picker does not keep the text as its own clipboard, which an Input's ctrl+v pastes.
    """
    send = app.send_to_clipboard if isinstance(app, SendsToClipboard) else app.copy_to_clipboard

    def copy(text: str) -> None:
        app.call_from_thread(send, text)

    return copy
