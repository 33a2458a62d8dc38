"""First-run set-up in the picker: no session configured, so a form writes one, then login."""

from __future__ import annotations

import argparse
import io
from collections.abc import Callable
from pathlib import Path
from typing import Any

import botocore.session
import pytest
from textual.widgets import Input, Select

from tests.app_support import (
    SIZE,
    async_test,
    burst,
    catalog_loaded,
    footer_keys,
    login_code,
    notes,
    picker,
    screen_name,
    wait_until,
)
from tui.app import make_app
from tui.app.app import SsotuiApp
from tui.commands import picker as commands
from tui.errors import ConfigError
from tui.sim import Organisation, Simulator
from tui.store.settings import Settings
from tui.workspace import Context


def _error(app: SsotuiApp, field: str) -> str:
    """The inline problem shown under a field ("" when hidden)."""
    shown = app.screen.query_one(f"#setup-{field}-error")
    return str(shown.render()) if shown.has_class("-shown") else ""


def _focused_id(app: SsotuiApp) -> str:
    return (app.focused.id or "") if app.focused is not None else ""


async def _regions_loaded(pilot: Any, app: SsotuiApp) -> None:
    def loaded() -> bool:
        return screen_name(app) == "SetupScreen" and bool(app.screen.regions)  # type: ignore[attr-defined]

    await wait_until(pilot, loaded, "the region list")


@async_test
async def test_no_session_asks_for_one_writes_it_and_logs_in(
    sim: Simulator, home: Any, org: Organisation
) -> None:
    assert not home.aws_config.exists()
    sim.set(approve="manual", interval=0)  # approved below, once the code is on screen
    app = picker()
    async with app.run_test(size=SIZE) as pilot:
        await _regions_loaded(pilot, app)
        assert _focused_id(app) == "setup-url"

        # Nothing typed: each missing value is said under its field; focus goes to the first.
        await pilot.press("tab", "tab", "ctrl+u", "enter")
        await wait_until(pilot, lambda: _error(app, "url") == "the start URL is needed", "1")
        assert _error(app, "name") == "a name is needed"
        await wait_until(pilot, lambda: _focused_id(app) == "setup-url", "focus on the URL")
        await burst(pilot, "acme")  # no host name: not a URL
        await wait_until(pilot, lambda: not _error(app, "url"), "editing clears the problem")
        await pilot.press("enter")  # Enter moves on to the next field
        await wait_until(pilot, lambda: _focused_id(app) == "setup-region", "the region")
        await pilot.press("tab", "enter")
        await wait_until(pilot, lambda: "is not a start URL" in _error(app, "url"), "2")
        await wait_until(pilot, lambda: _focused_id(app) == "setup-url", "focus on the URL")
        # Typed without https://, as `ssotui configure` and --start-url take it (and its
        # prompt's example shows it): the form adds it, as they do.
        assert sim.start_url.startswith("https://")
        typed = sim.start_url.removeprefix("https://")
        await burst(pilot, "\x15" + typed + "\r")  # Ctrl+U, the URL, Enter
        await wait_until(pilot, lambda: _focused_id(app) == "setup-region", "the region")

        # The region from the list of real ones: open it, type to find, Enter.
        region = app.screen.query_one("#setup-region", Select)
        await pilot.press("enter")
        await wait_until(pilot, lambda: region.expanded, "the region list open")
        await burst(pilot, "eu-west-2")
        await pilot.press("enter")
        await wait_until(pilot, lambda: region.value == "eu-west-2", "the region chosen")
        await pilot.press("tab")
        await wait_until(pilot, lambda: _focused_id(app) == "setup-name", "the name")
        await burst(pilot, "bad name\r")
        await wait_until(pilot, lambda: "not a usable session name" in _error(app, "name"), "3")
        assert not home.aws_config.exists()

        await burst(pilot, "\x15acme\r", settle=False)  # the login polls busily (interval 0)
        await wait_until(pilot, lambda: login_code(app), "the login screen's code")
        assert any("Wrote [sso-session acme] to ~/.aws/config" in n for n in notes(app))
        sim.approve(login_code(app))  # approved: straight on to the accounts
        await wait_until(pilot, catalog_loaded(app, org), "the catalog")
        assert "acme" in str(app.screen.query_one("#status").render())

    # The AWS CLI's own format: botocore reads the section back as the session ssotui used.
    assert botocore.session.Session().full_config["sso_sessions"]["acme"] == {
        "sso_start_url": sim.start_url,
        "sso_region": "eu-west-2",
        "sso_registration_scopes": "sso:account:access",
    }


@async_test
async def test_escape_quits_the_set_up_and_writes_nothing(home: Any) -> None:
    app = picker(settings=Settings(default_region="eu-central-1", default_session="work"))
    async with app.run_test(size=SIZE) as pilot:
        await _regions_loaded(pilot, app)
        # ssotui's own config guesses the region and the name.
        assert app.screen.query_one("#setup-region", Select).value == "eu-central-1"
        assert app.screen.query_one("#setup-name", Input).value == "work"
        await pilot.press("escape")
        await wait_until(pilot, lambda: not app.is_running, "the exit")
    assert app.return_value is None
    assert not home.aws_config.exists()


@async_test
async def test_a_file_that_cannot_be_written_is_said_on_the_form(
    sim: Simulator, home: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    blocked = tmp_path / "not-a-folder"
    blocked.write_text("")
    monkeypatch.setenv("AWS_CONFIG_FILE", str(blocked / "config"))  # its folder is a file
    app = make_app(sessions=[], open_browser=False, settings=Settings())  # (none to read there)
    async with app.run_test(size=SIZE) as pilot:
        await _regions_loaded(pilot, app)
        await burst(pilot, sim.start_url)
        await pilot.press("tab", "tab", "enter")
        status = app.screen.query_one("#setup-status")
        await wait_until(pilot, lambda: status.has_class("-error"), "the error")
        assert "not-a-folder" in str(status.render())
        assert screen_name(app) == "SetupScreen"


class _Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def plain_ssotui() -> argparse.Namespace:
    """The arguments of `ssotui` with no session and no flags (but --no-browser)."""
    return argparse.Namespace(
        session=None,
        start_url=None,
        sso_region=None,
        no_browser=True,
        use_device_code=False,
        refresh=False,
        force=False,
    )


def at_a_terminal_with(monkeypatch: pytest.MonkeyPatch, make_app: Callable[..., Any]) -> None:
    """Standard input and error a terminal, and the picker built by `make_app`."""
    monkeypatch.setattr("sys.stdin", _Terminal())
    monkeypatch.setattr("sys.stderr", _Terminal())
    monkeypatch.setattr("tui.app.make_app", make_app)


def test_ssotui_with_no_session_opens_the_set_up(monkeypatch: pytest.MonkeyPatch) -> None:
    """`ssotui` itself: no session and no flags is no longer an error but the set-up form."""
    built: dict[str, Any] = {}

    class Ran:
        return_code = 0

        def run(self) -> None:
            return None

    def make_app(**kwargs: Any) -> Ran:
        built.update(kwargs)
        return Ran()

    at_a_terminal_with(monkeypatch, make_app)
    assert commands.picker(plain_ssotui(), Context.load()) == 0
    assert built["sessions"] == [] and built["session"] is None


def test_ssotui_with_an_empty_aws_config_file_says_why_instead_of_a_form_it_cannot_save(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """AWS_CONFIG_FILE set but empty: the AWS tools read no config file, so no session could be
    written where they would see it; the one line says so, and no picker opens."""

    def make_app(**kwargs: Any) -> Any:
        raise AssertionError("the picker opened with its set-up form")

    at_a_terminal_with(monkeypatch, make_app)
    monkeypatch.setenv("AWS_CONFIG_FILE", "")
    with pytest.raises(ConfigError, match="AWS_CONFIG_FILE is set but empty, so no AWS config"):
        commands.picker(plain_ssotui(), Context.load())


@async_test
async def test_the_footer_says_how_to_move_between_fields_and_save(home: Any) -> None:
    """The form's footer said only "esc Quit": nothing on how to reach the next field or
    save. Tab and shift+tab move, Enter moves on from the URL and saves from the name."""
    app = picker()
    async with app.run_test(size=SIZE) as pilot:
        await _regions_loaded(pilot, app)
        assert _focused_id(app) == "setup-url"
        footer = footer_keys(app)
        assert footer["enter"] == "Next field" and "tab" not in footer  # "⏎/tab Next field"
        assert app.screen.active_bindings["enter"].binding.key_display == "⏎/tab"
        assert footer["shift+tab"] == "Previous field" and footer["escape"] == "Quit"
        await pilot.press("tab")
        assert _focused_id(app) == "setup-region"
        footer = footer_keys(app)
        assert footer["enter"] == "Choose the region" and footer["tab"] == "Next field"
        await pilot.press("tab")
        assert _focused_id(app) == "setup-name"
        assert footer_keys(app)["enter"] == "Save and log in"
        await pilot.press("tab")
        assert _focused_id(app) == "setup-save"
        assert footer_keys(app)["enter"] == "Save and log in"
        await pilot.press("shift+tab")
        assert _focused_id(app) == "setup-name"
        await pilot.press("f1")  # and the keys screen: no "↑ Scroll Up" in a one-line box
        listed = {what for group in app.screen.groups for _, what in group.keys}
        assert "Previous field" in listed and not any("Scroll" in w or "Page" in w for w in listed)
