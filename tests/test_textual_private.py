"""The private Textual APIs the picker uses (tui/app/textual_private.py) are still there.

If a Textual upgrade removes or reshapes one, this fails with its name, rather than the picker
misbehaving somewhere less obvious.
"""

from __future__ import annotations

import contextlib
import inspect
import os
import threading
from typing import Any

import pytest
from textual.app import App
from textual.drivers.headless_driver import HeadlessDriver
from textual.screen import Screen
from textual.widgets import Input

from tests.app_support import async_test
from tests.conftest import Home
from tui.app import make_app
from tui.app.app import SsotuiApp
from tui.app.textual_private import (
    TerminalOutput,
    drop_keys,
    run_key_binding,
    show_key,
    write_to_terminal,
)
from tui.app.widgets.filter_list import FilterInput


def test_app_check_bindings_takes_a_key_and_is_awaitable() -> None:
    method = App._check_bindings
    assert inspect.iscoroutinefunction(method)
    assert list(inspect.signature(method).parameters)[:2] == ["self", "key"]


def test_input_still_watches_its_value_where_filter_input_overrides_it() -> None:
    assert "_watch_value" in vars(Input), (
        "Input no longer has _watch_value: FilterInput's speed-up is dead"
    )
    assert "_watch_value" in vars(FilterInput)


def test_a_screen_still_takes_a_result_callback_as_switch_screen_gives_it() -> None:
    parameters = list(inspect.signature(Screen._push_result_callback).parameters)
    assert parameters[:3] == ["self", "requester", "callback"]
    assert "_pop_result_callback" in vars(Screen)  # what switch_screen calls on the one replaced


def test_app_still_has_the_fatal_error_the_app_overrides() -> None:
    assert list(inspect.signature(App._fatal_error).parameters) == ["self"]
    assert "_fatal_error" in vars(SsotuiApp)
    assert "_exception" in vars(App())  # the bug it says


def test_the_driver_can_write() -> None:
    assert callable(HeadlessDriver.write)


@async_test
async def test_the_picker_s_driver_writes_through_what_survives_a_hang_up(home: Home) -> None:
    from textual.drivers.linux_driver import LinuxDriver

    app = make_app(sessions=[])
    driver_class = app.get_driver_class()
    if not issubclass(driver_class, LinuxDriver):
        pytest.skip("Textual chose another driver here (TEXTUAL_DRIVER or not Linux/macOS)")
    driver = driver_class(app)
    assert isinstance(vars(driver)["_file"], TerminalOutput)  # Textual's own: LinuxDriver._file


def test_the_screen_s_writes_go_on_after_the_terminal_hung_up() -> None:
    """A terminal closed under the picker (EIO on every write) killed Textual's writer thread,
    and the picker's closing writes then waited for it forever: the picker outlived its
    terminal. Its writes are now dropped, as many as it makes, and the thread ends when told."""
    from textual.drivers._writer_thread import WriterThread

    primary, secondary = os.openpty()
    os.close(primary)  # the terminal window closed: every write to its tty is EIO
    terminal = os.fdopen(secondary, "w", buffering=1)
    writer = WriterThread(TerminalOutput(terminal))  # type: ignore[arg-type]
    writer.start()

    def draw_then_close() -> None:
        for _ in range(200):  # more than the 30 writes Textual queues
            writer.write("\x1b[?1006l" + "x" * 100 + "\n")
        writer.stop()

    closing = threading.Thread(target=draw_then_close, daemon=True)
    closing.start()
    closing.join(timeout=30)  # (a hang, not a speed: it takes milliseconds)
    assert not closing.is_alive(), "the picker's writes waited for a writer thread that died"
    assert not writer.is_alive()
    with contextlib.suppress(OSError):
        terminal.close()


@async_test
async def test_the_helpers_work_on_a_running_app() -> None:
    ran: list[str] = []

    class Probe(App[None]):
        BINDINGS = [("x", "mark", "")]

        def action_mark(self) -> None:
            ran.append("x")

    app = Probe()
    async with app.run_test():
        assert await run_key_binding(app, "x") is True
        assert ran == ["x"]
        assert await run_key_binding(app, "y") is False
        assert write_to_terminal(app, "") is True


@async_test
async def test_one_widget_can_show_or_drop_a_key_of_its_class_alone() -> None:
    class Probe(App[None]):
        def compose(self) -> Any:
            yield Input(id="a")
            yield Input(id="b")

    app = Probe()
    async with app.run_test() as pilot:
        first, second = app.query_one("#a", Input), app.query_one("#b", Input)
        show_key(first, "enter", "Go", key_display="⏎/tab")
        drop_keys(first, "left")
        first.focus()
        await pilot.pause()
        shown = app.screen.active_bindings["enter"].binding
        assert (shown.description, shown.show, shown.key_display) == ("Go", True, "⏎/tab")
        assert shown.action == "submit"  # what Enter does is unchanged
        assert app.screen.active_bindings.get("left") is None or (
            app.screen.active_bindings["left"].node is not first
        )
        second.focus()
        await pilot.pause()
        other = app.screen.active_bindings["enter"].binding
        assert (other.description, other.show) == ("Submit", False)
        assert app.screen.active_bindings["left"].node is second
