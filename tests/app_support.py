"""Helpers for the picker's Pilot tests: build the app as the CLI does, wait, read the screen."""

from __future__ import annotations

import asyncio
import contextlib
import functools
import html
import re
import time
import weakref
from collections.abc import Callable, Coroutine
from typing import Any

from textual.command import CommandList, CommandPalette
from textual.css.query import NoMatches
from textual.notifications import Notification, Notifications
from textual.pilot import Pilot, WaitForScreenTimeout

from tests.conftest import here
from tests.finishing import PATIENCE
from tui.app import make_app
from tui.app.app import SsotuiApp
from tui.app.widgets.big_code import BigCode
from tui.app.widgets.filter_list import FilterList
from tui.aws import login
from tui.aws.sessions import load_sessions
from tui.models import SsoSession, Token
from tui.sim import Organisation, SimAccount
from tui.store.settings import Settings

SIZE = (100, 30)


def async_test(test: Callable[..., Coroutine[Any, Any, None]]) -> Callable[..., None]:
    """Run an async test in a fresh event loop (no asyncio plugin is installed)."""

    @functools.wraps(test)
    def run(*args: Any, **kwargs: Any) -> None:
        asyncio.run(test(*args, **kwargs))

    return run


def picker(**kwargs: Any) -> SsotuiApp:
    """The app exactly as `ssotui` builds it, with default settings and no browser; what it
    puts on the terminal's clipboard is recorded (`sent_to_clipboard`)."""
    kwargs.setdefault("open_browser", False)
    kwargs.setdefault("settings", Settings())
    app = make_app(sessions=load_sessions(here()), **kwargs)
    _CLIPBOARDS[app] = []
    send = app.send_to_clipboard

    def recording(text: str) -> None:
        _CLIPBOARDS[app].append(text)
        send(text)

    app.send_to_clipboard = recording  # type: ignore[method-assign]
    return app


_CLIPBOARDS: weakref.WeakKeyDictionary[SsotuiApp, list[str]] = weakref.WeakKeyDictionary()


def sent_to_clipboard(app: SsotuiApp) -> str:
    """What a `picker()` last put on the terminal's clipboard (OSC 52: `c` with no system
    clipboard), which the app itself does not keep: an Input's ctrl+v would paste it."""
    sent = _CLIPBOARDS[app]
    assert sent, "nothing was sent to the terminal's clipboard"
    return sent[-1]


def dev_session() -> SsoSession:
    """The `[sso-session dev]` of the `sso_config` fixture."""
    return load_sessions(here())[0]


def log_in(session: SsoSession | None = None) -> Token:
    """Log in to `session` (default: the dev session) without the UI, as a test's setup (the
    simulator approves at the first poll)."""
    return login.login(
        here(),
        session or dev_session(),
        open_browser=False,
        announce=lambda _auth: None,
        sleep=lambda _s: None,
    )


async def wait_until(
    pilot: Pilot[Any], predicate: Callable[[], object], what: str, timeout: float = PATIENCE
) -> None:
    """Let the app run until `predicate()` is true (or fail after `timeout` seconds). A widget
    the predicate looks for that is not there yet (its screen is current, not yet composed:
    the picker's first screen is) is not yet true."""
    deadline = time.monotonic() + timeout
    while not _holds(predicate):
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        # What `pilot.pause(0.02)` does (every widget of the screen done with its messages,
        # then the screen drawn: what the predicate sees next is what screen_text reads), but
        # a screen switched while Textual counts its widgets (the login screen giving way to
        # the accounts) never answers the count: 1 s, not pause's 30 s and its failure.
        with contextlib.suppress(WaitForScreenTimeout):
            await pilot._wait_for_screen(timeout=1.0)
        await asyncio.sleep(0.02)
        pilot.app.screen._on_timer_update()


def _holds(predicate: Callable[[], object]) -> bool:
    try:
        return bool(predicate())
    except NoMatches:
        return False


async def type_text(pilot: Pilot[Any], text: str) -> None:
    """Type `text` into whatever has focus, all at once as a fast typist's keys arrive."""
    await burst(pilot, text)


def pane(app: SsotuiApp, which: str) -> FilterList[Any]:
    """The accounts or roles pane of the main screen."""
    found: FilterList[Any] = app.screen.query_one(f"#{which}", FilterList)
    return found


def shown(app: SsotuiApp, which: str) -> list[Any]:
    """The items a pane lists, in order."""
    return [row.value for row in pane(app, which).row_list.visible_rows()]


def marks(app: SsotuiApp, which: str) -> dict[str, str]:
    """Each listed row's first column and its mark."""
    return {row.columns[0]: row.mark for row in pane(app, which).row_list.visible_rows()}


class ShownNotifications(Notifications):
    """An app's notifications that also keeps every one it was given (conftest installs it in
    every app): a toast leaves after its timeout (5 s), and a test slowed by a busy machine must
    still see the notes it waits for or counts."""

    def __init__(self) -> None:
        super().__init__()
        self.shown: list[Notification] = []

    def add(self, notification: Notification) -> ShownNotifications:
        self.shown.append(notification)
        super().add(notification)
        return self


def notes(app: SsotuiApp) -> list[str]:
    """The notifications shown so far (messages only), whether or not their toasts are still
    on screen."""
    shown = app._notifications
    assert isinstance(shown, ShownNotifications), "conftest keeps every app's notifications"
    return [n.message for n in shown.shown]


def footer_keys(app: SsotuiApp) -> dict[str, str]:
    """What the footer of the screen on top shows: each shown key and its description."""
    return {
        key: active.binding.description
        for key, active in app.screen.active_bindings.items()
        if active.binding.show
    }


def status_text(app: SsotuiApp) -> str:
    """The main screen's status line as drawn."""
    return str(app.screen.query_one("#status").render())


def screen_text(app: SsotuiApp) -> str:
    """The whole terminal as text lines, as drawn (from the app's own SVG screenshot)."""
    svg = app.export_screenshot()
    lines: dict[int, list[tuple[int, str]]] = {}
    cell = 12.2  # the SVG's cell width
    for match in re.finditer(
        r'<text class="[^"]*" x="([\d.]+)" y="[\d.]+" textLength="[\d.]+" '
        r'clip-path="url\(#[\w-]*-line-(\d+)\)">([^<]*)</text>',
        svg,
    ):
        x, line, text = match.groups()
        text = html.unescape(text).replace("\xa0", " ")
        lines.setdefault(int(line), []).append((round(float(x) / cell), text))
    out = []
    for n in range(max(lines, default=-1) + 1):
        row = ""
        for column, text in sorted(lines.get(n, [])):
            row = row.ljust(column) + text
        out.append(row.rstrip())
    return "\n".join(out)


async def use_palette(pilot: Pilot[Any], app: SsotuiApp, words: str) -> None:
    """Open the command palette (ctrl+p), type `words` (as a fast typist's keys arrive) and
    run the best match."""
    await pilot.press("ctrl+p")
    await wait_until(pilot, lambda: screen_name(app) == "CommandPalette", "the palette")
    await burst(pilot, words)
    await wait_until(pilot, lambda: _palette_found(app), f"the palette's matches for {words!r}")
    await pilot.press("enter")
    await wait_until(pilot, lambda: screen_name(app) != "CommandPalette", "the palette to close")


# The group of the palette's search worker (Textual's own name: loud if it goes).
PALETTE_SEARCH = CommandPalette._GATHER_COMMANDS_GROUP


def _palette_found(app: SsotuiApp) -> bool:
    """The palette has searched for what was typed (its search, a worker, has ended) and
    highlights a match."""
    searching = any(
        worker.group == PALETTE_SEARCH and not worker.is_finished for worker in app.screen.workers
    )
    matches = app.screen.query_one(CommandList)
    return not searching and matches.option_count > 0 and matches.highlighted is not None


def screen_name(app: SsotuiApp) -> str:
    """The class name of the screen on top."""
    return type(app.screen).__name__


def login_status(app: SsotuiApp) -> str:
    """The login screen's status line: what it waits for, or why the login failed."""
    return str(app.screen.query_one("#login-status").render())


def login_code(app: SsotuiApp) -> str:
    """The user code the login screen shows ("" until it shows one)."""
    if screen_name(app) != "LoginScreen":
        return ""
    found = app.screen.query(BigCode)
    return found.first().code if found else ""


def catalog_loaded(app: SsotuiApp, org: Organisation) -> Callable[[], bool]:
    """A predicate: the main screen lists every account of `org`, is done loading, and its
    rows show it (they are redrawn a moment after the model changes: no row still loading)."""

    def done() -> bool:
        if screen_name(app) != "MainScreen":
            return False
        main: Any = app.screen
        rows = pane(app, "accounts").row_list.visible_rows()
        return (
            len(rows) == len(org.accounts)
            and not main.model.progress.loading
            and all(row.mark_kind != "loading" for row in rows)
        )

    return done


def with_roles(org: Organisation, count: int = 2) -> SimAccount:
    """The first account with at least `count` roles, none forbidden."""
    return next(
        a for a in org.accounts if len(a.roles) >= count and not any(r.forbidden for r in a.roles)
    )


def unique_prefix(text: str, among: list[str]) -> str:
    """The shortest prefix of `text` that no other string of `among` starts with."""
    others = [o.lower() for o in among if o != text]
    for n in range(1, len(text) + 1):
        if not any(o.startswith(text[:n].lower()) for o in others):
            return text[:n]
    return text


async def burst(
    pilot: Pilot[Any], raw: str, *, settle: bool = True, nothing_follows: bool = False
) -> None:
    """Send `raw` as a terminal would in ONE write (e.g. "\\x15umb" is Ctrl+U then "umb").

    Every key event is queued before the app handles the first, as when tmux, a paste or a
    slow SSH link delivers several keys at once (Pilot's `press` waits after each key).
    `settle`: wait for the app to go idle afterwards (not while something polls busily).
    `nothing_follows`: the keys the parser holds, waiting for more, go too, as the driver sends
    them when nothing more comes (ESC d: alt+d).
    """
    from textual._xterm_parser import XTermParser

    driver = pilot.app._driver
    assert driver is not None
    parser = XTermParser()
    for event in [*parser.feed(raw), *(parser.feed("") if nothing_follows else ())]:
        event.set_sender(pilot.app)
        driver.send_message(event)
    if settle:
        await pilot.pause()


def usable_role(account: SimAccount) -> str:
    """The first role of `account` the user may take."""
    return next(r.name for r in account.roles if not r.forbidden)


async def open_action_menu(
    pilot: Pilot[Any], app: SsotuiApp, org: Organisation, account: SimAccount, role: str
) -> None:
    """Filter to the account and the role with a few keys, then Enter on each: the menu."""
    await type_text(pilot, unique_prefix(account.account_id, [a.account_id for a in org.accounts]))
    await pilot.press("enter")
    await type_text(pilot, unique_prefix(role, [r.name for r in account.roles]))
    await pilot.press("enter")
    await wait_until(pilot, lambda: screen_name(app) == "ActionMenu", "the action menu")
