"""The private Textual APIs the picker relies on, in one place, each with why.

Textual has no public way to do these. `tests/test_textual_private.py` checks that each still
exists with the shape used here, so a Textual upgrade that changes one fails there, loudly,
instead of somewhere in the picker.

- `App._driver.write`: raw bytes to the terminal between frames (the tmux-wrapped OSC 52 copy;
  `App.copy_to_clipboard` sends only the plain sequence).
- `App._check_bindings`: run what a key is bound to, along the focus chain, at once (keys an
  `InOrderInput` held back while the focus moved).
- `Input._watch_value`: overridden by `FilterInput` (tui/app/widgets/filter_list.py) to keep a
  keystroke from laying out the whole screen.
- `Screen._push_result_callback`: what Textual gives a screen it pushes or switches to, and
  `switch_screen` takes off the screen it replaces. The App's first screen gets none, so the
  main screen, made the first screen (`first_screen`), gets one as `switch_screen` would
  give it: a session switch can then replace it.
- `DOMNode._bindings`: the bindings of one widget (a copy of its class's), changed by `show_key`
  so each pane's footer says what Enter and Tab do there, and by `drop_keys` so a filter box's
  scrolling keys (it never scrolls) leave Up/Down to its list.
- `LinuxDriver._file`: what Textual's writer thread writes the screen to (stderr). The picker's
  driver (`surviving_a_hang_up`) wraps it so a write the terminal refuses once it has hung up
  (EIO) is dropped: Textual's writer thread died of it, and the picker's next 30 writes, those
  of its own closing, then waited for it forever (a picker left running after its terminal
  closed during a subshell, 1 run in 20).
- `App._fatal_error`: overridden by the App (`fatal_error`) so a bug ends the picker in one line
  (a traceback only with --debug, and then without local variables: Textual's shows each
  frame's, a subshell's environment, the credential endpoint's token); `App._exception` is the
  bug, which Textual sets before it calls `_fatal_error`.
"""

from __future__ import annotations

import errno
from dataclasses import replace
from typing import IO, Any

from textual.app import App
from textual.dom import DOMNode
from textual.driver import Driver
from textual.screen import Screen


def write_to_terminal(app: App[Any], text: str) -> bool:
    """Write `text` to the terminal through the app's driver; False when there is none."""
    driver = app._driver
    if driver is None:
        return False
    driver.write(text)
    return True


def first_screen(screen: Screen[Any]) -> Screen[Any]:
    """`screen`, ready to be the App's first screen (`App.get_default_screen`) and yet be
    replaced later by `App.switch_screen`, as a screen pushed or switched to can be."""
    screen._push_result_callback(screen, None)
    return screen


async def run_key_binding(app: App[Any], key: str) -> bool:
    """Run the binding of `key` along the focus chain, as the App would; True if one ran."""
    return await app._check_bindings(key)


def show_key(
    node: DOMNode, key: str, description: str, *, key_display: str | None = None, show: bool = True
) -> None:
    """Show `key` in the footer as `description` (or hide it), for this one widget: its class's
    binding for the key (same action) changes on this instance only."""
    bindings = node._bindings.key_to_bindings
    if key in bindings:  # a new list: the class's own is shared by every instance
        bindings[key] = [
            replace(b, description=description, show=show, key_display=key_display or b.key_display)
            for b in bindings[key]
        ]


def drop_keys(node: DOMNode, *keys: str) -> None:
    """Unbind `keys` on this one widget, so the same keys of its ancestors are the ones that act
    (and the help lists those)."""
    bindings = node._bindings.key_to_bindings
    for key in keys:
        bindings.pop(key, None)


def fatal_error(app: App[Any]) -> None:
    """What `App._fatal_error` does for an unexpected exception (the app closed, exit status 1,
    what it says printed once the terminal is given back), but in one line, as the command
    line says a bug; with --debug its traceback, without the values of local variables."""
    from tui import debug_mode
    from tui.errors import unexpected_error_line

    app.bell()
    if not debug_mode.debugging():
        from rich.text import Text

        app.panic(Text(unexpected_error_line(app._exception)))
        return
    import rich  # only for a bug: rich.traceback costs the picker's start ~14 ms
    from rich.traceback import Traceback

    app.panic(Traceback(show_locals=False, width=None, suppress=[rich]))


# What a terminal says to a write once it is gone: hung up (EIO), its pty closed (ENXIO), a
# closed pipe (EPIPE), the descriptor closed under it (EBADF).
_GONE = frozenset({errno.EIO, errno.ENXIO, errno.EPIPE, errno.EBADF})


class TerminalOutput:
    """The file Textual's writer thread writes the screen to, except that once the terminal is
    gone a write is dropped instead of raised: the thread would die of it, and every write
    after the 30 it queues (those of the picker's own closing) would wait for it forever. The
    hang-up's SIGHUP ends the picker as it should; nothing it draws meanwhile can be seen."""

    def __init__(self, file: IO[str]) -> None:
        self._file = file
        self.gone = False

    def write(self, text: str) -> None:
        if not self.gone:
            self._drop_when_gone(self._file.write, text)

    def flush(self) -> None:
        if not self.gone:
            self._drop_when_gone(self._file.flush)

    def fileno(self) -> int:
        return self._file.fileno()

    def _drop_when_gone(self, call: Any, *args: str) -> None:
        try:
            call(*args)
        except OSError as exc:  # (any other failure loses this write only)
            self.gone = exc.errno in _GONE


def surviving_a_hang_up(driver: type[Driver]) -> type[Driver]:
    """`driver` (the class Textual chose), writing through `TerminalOutput` when it is the
    Linux/macOS one; any other (Windows, a test's headless one, TEXTUAL_DRIVER) as it is."""
    from textual.drivers.linux_driver import LinuxDriver

    if not issubclass(driver, LinuxDriver):
        return driver

    class SurvivingAHangUp(driver):  # type: ignore[valid-type, misc]
        def __init__(self, *args: Any, **kwargs: Any) -> None:
            super().__init__(*args, **kwargs)
            self._file = TerminalOutput(vars(self)["_file"])  # (sys.__stderr__)

    return SurvivingAHangUp
