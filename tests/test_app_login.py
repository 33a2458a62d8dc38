"""The picker's login screen, driven with keys against the simulator."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest

from tests.app_support import (
    SIZE,
    async_test,
    catalog_loaded,
    dev_session,
    footer_keys,
    log_in,
    login_code,
    login_status,
    notes,
    pane,
    picker,
    screen_name,
    sent_to_clipboard,
    status_text,
    wait_until,
)
from tests.browser_support import recording_browser
from tests.conftest import here
from tui.app.widgets.big_code import big_lines
from tui.aws import token_cache
from tui.models import utcnow
from tui.sim import Organisation, Simulator
from tui.store.settings import Settings


@async_test
async def test_a_code_with_no_plausible_lifetime_is_not_said_to_expire_at_0_00(
    sim: Simulator, sso_config: Path, org: Organisation, monkeypatch: pytest.MonkeyPatch
) -> None:
    """expiresIn of two days is no deadline ssotui trusts: the countdown assumes ten minutes
    and the login goes on after them, until Identity Center says the code expired. The
    screen said "The code expires in 0:00" all that while."""
    from tui.app import clock

    sim.set(approve="manual", interval=1, device_code_lifetime=2 * 86400)
    app = picker()
    async with app.run_test(size=SIZE) as pilot:
        await wait_until(pilot, lambda: sim.pending(), "a pending device login")

        def countdown() -> str:
            return str(app.screen.query_one("#login-countdown").render())

        await wait_until(pilot, lambda: "expires in about " in countdown(), "the countdown")
        later = utcnow() + timedelta(minutes=11)
        monkeypatch.setattr(clock, "now", lambda: later)
        await wait_until(pilot, lambda: "may have expired" in countdown(), "the wait said")
        assert "0:00" not in countdown()
        assert sim.approve() == 1  # the login still goes on, and ends in the catalog
        await wait_until(pilot, catalog_loaded(app, org), "the catalog after approval")


@async_test
async def test_login_screen_shows_code_then_approval_opens_the_catalog(
    sim: Simulator, sso_config: Path, org: Organisation
) -> None:
    sim.set(approve="manual", interval=1)
    app = picker()
    async with app.run_test(size=SIZE) as pilot:
        await wait_until(pilot, lambda: sim.pending(), "a pending device login")
        code = sim.pending()[0]
        await wait_until(pilot, lambda: login_code(app) == code, "the code")
        assert screen_name(app) == "LoginScreen"
        screen_text = str(app.screen.query_one("#login-url").render())
        assert screen_text.startswith(sim.url)
        assert "expires in 10:00" in str(app.screen.query_one("#login-countdown").render()) or (
            "expires in 9:5" in str(app.screen.query_one("#login-countdown").render())
        )
        assert sim.approve() == 1
        await wait_until(pilot, catalog_loaded(app, org), "the catalog after approval")
        # The token went to the AWS CLI cache, so `aws` works without another login.
        assert token_cache.load_token(here(), dev_session()) is not None


@async_test
async def test_denied_login_says_so_and_r_retries(
    sim: Simulator, sso_config: Path, org: Organisation
) -> None:
    sim.set(approve="deny")
    app = picker()
    async with app.run_test(size=SIZE) as pilot:
        await wait_until(pilot, lambda: "denied" in login_status(app), "the denial")
        assert "press r to try again" in login_status(app)
        assert "`ssotui login`" not in login_status(app)  # r is the picker's way to retry
        sim.set(approve="auto")
        await pilot.press("r")
        await wait_until(pilot, catalog_loaded(app, org), "the catalog after the retry")


@async_test
async def test_escape_cancels_the_login_and_ctrl_l_logs_in_later(
    sim: Simulator, sso_config: Path, org: Organisation
) -> None:
    sim.set(approve="manual", interval=1)
    app = picker()
    async with app.run_test(size=SIZE) as pilot:
        await wait_until(pilot, lambda: sim.pending(), "a pending device login")
        await pilot.press("escape")
        await wait_until(pilot, lambda: screen_name(app) == "MainScreen", "the main screen")
        # It stays said: on the status line, in the accounts pane, and ctrl+l in the footer.
        await wait_until(
            pilot,
            lambda: "not logged in" in status_text(app) and "ctrl+l to log in" in status_text(app),
            "not logged in, on the status line",
        )
        assert "ctrl+l to log in" in pane(app, "accounts").row_list.placeholder
        assert footer_keys(app)["ctrl+l"] == "Log in"
        await pilot.press("ctrl+l")
        await wait_until(pilot, lambda: screen_name(app) == "LoginScreen", "the login screen")
        await wait_until(pilot, lambda: login_code(app), "a second code")
        sim.approve(login_code(app))
        await wait_until(pilot, catalog_loaded(app, org), "the catalog")


@async_test
async def test_an_approval_while_the_keys_screen_is_open_closes_both_and_opens_the_catalog(
    sim: Simulator, sso_config: Path, org: Organisation
) -> None:
    # Textual's dismiss pops the screen on top: the keys screen went, the login stayed up,
    # "Approved." for good, and its Escape then ended the picker in a traceback.
    sim.set(approve="manual", interval=1)
    app = picker()
    async with app.run_test(size=SIZE) as pilot:
        await wait_until(pilot, lambda: login_code(app), "the code")
        code = login_code(app)
        await pilot.press("?")
        await wait_until(pilot, lambda: screen_name(app) == "HelpScreen", "the keys screen")
        sim.approve(code)
        await wait_until(pilot, catalog_loaded(app, org), "the catalog after approval")
        assert screen_name(app) == "MainScreen"
        await pilot.press("escape")  # the accounts filter is empty: Escape quits, cleanly
        await wait_until(pilot, lambda: app.return_code is not None, "the picker to end")
        assert app.return_code == 0


@async_test
async def test_c_copies_the_code_and_o_opens_the_browser(
    sim: Simulator, sso_config: Path, monkeypatch: Any, tmp_path: Path
) -> None:
    monkeypatch.setenv("SSOTUI_TTY", str(tmp_path / "not-a-terminal"))
    opened = recording_browser(monkeypatch, tmp_path)
    sim.set(approve="manual", interval=1)
    app = picker()
    async with app.run_test(size=SIZE) as pilot:
        await wait_until(pilot, lambda: login_code(app), "the code")
        await pilot.press("c")
        await wait_until(pilot, lambda: notes(app), "a notification")
        # No system clipboard (SSOTUI_CLIPBOARD=none): the app sends it with OSC 52.
        assert sent_to_clipboard(app) == login_code(app)
        assert notes(app)[0] == "Copied the code to the terminal clipboard (OSC 52)."
        await pilot.press("o")
        await wait_until(pilot, lambda: opened.exists(), "the browser")
        assert "user_code=" in opened.read_text()


@async_test
async def test_c_copies_the_browser_pages_url_which_wraps_in_its_box(
    sim: Simulator, sso_config: Path, monkeypatch: Any, tmp_path: Path
) -> None:
    """The browser login's address wraps inside a bordered box: a mouse selection takes the
    border with it, line by line. `c` (in the footer) copies it whole."""
    monkeypatch.setenv("SSOTUI_TTY", str(tmp_path / "not-a-terminal"))
    opened = recording_browser(monkeypatch, tmp_path)
    app = picker(open_browser=True)
    async with app.run_test(size=(60, 30)) as pilot:
        await wait_until(pilot, opened.exists, "the browser page")
        await wait_until(pilot, lambda: footer_keys(app).get("c") == "Copy URL", "c Copy URL")
        page = app.screen.browser_page  # type: ignore[attr-defined]
        assert len(page.url) > 60  # (it wraps)
        await pilot.press("c")
        await wait_until(pilot, lambda: notes(app), "a notification")
        # No system clipboard (SSOTUI_CLIPBOARD=none): the app sends it with OSC 52.
        assert sent_to_clipboard(app) == page.url == opened.read_text().strip()
        assert notes(app)[-1] == (
            "Copied the URL to the terminal clipboard (OSC 52): open it in a browser on this "
            "machine."
        )


def test_big_code_draws_every_letter_of_a_code_three_lines_high() -> None:
    lines = big_lines("WDJB-MJHT")
    assert len(lines) == 3
    assert len({len(line) for line in lines}) == 1
    assert len(lines[0]) == 9 * 5 + 8
    assert all(set(line) <= set(" ▀▄█") for line in lines)


@async_test
async def test_a_cached_token_the_portal_refuses_leads_to_a_login_then_the_catalog(
    sim: Simulator, sso_config: Path, org: Organisation
) -> None:
    log_in()
    sim.revoke_tokens()  # still valid in the local cache, refused by the portal
    sim.set(approve="manual", interval=1)
    app = picker()
    async with app.run_test(size=SIZE) as pilot:
        await wait_until(pilot, lambda: login_code(app), "the login screen")
        assert "no longer accepts" in str(app.screen.query_one("#login-reason").render())
        sim.approve(login_code(app))
        await wait_until(pilot, catalog_loaded(app, org), "the catalog after the login")


def _login_reason(app: Any) -> str:
    reason = app.screen.query_one("#login-reason")
    return str(reason.render()) if reason.display else ""


@pytest.mark.parametrize(
    ("content", "why"),
    [
        ('{"accessToken": "abc", "expiresAt": ', "(not valid JSON)"),  # cut short
        # a time that is no time, and that would retitle the terminal and break the line
        ('{"accessToken": "abc", "expiresAt": "\\u001b]0;owned\\u0007\\nsoon"}', "owned"),
    ],
)
@async_test
async def test_a_token_file_that_cannot_be_read_is_said_on_the_login_screen(
    sim: Simulator, sso_config: Path, content: str, why: str
) -> None:
    path = token_cache.token_path(here(), dev_session())
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(content)
    sim.set(approve="manual", interval=1)
    app = picker()
    async with app.run_test(size=SIZE) as pilot:
        await wait_until(pilot, lambda: login_code(app), "the login screen")
        # what `ssotui list` says, but its advice: this is the login
        said = _login_reason(app)
        assert said.startswith(f"the token cache {path} of session dev is unusable (")
        assert why in said and said.endswith(")")
        assert said.isprintable()  # one line, no escape sequence


@async_test
async def test_an_expired_token_whose_refresh_is_refused_is_said_on_the_login_screen(
    sim: Simulator, sso_config: Path
) -> None:
    token = log_in()
    sim.revoke_tokens()  # its refresh token is refused too
    token_cache.save_token(
        here(), dev_session(), replace(token, expires_at=utcnow() - timedelta(hours=1))
    )
    sim.set(approve="manual", interval=1)
    app = picker()
    async with app.run_test(size=SIZE) as pilot:
        await wait_until(pilot, lambda: login_code(app), "the login screen", timeout=15)
        assert _login_reason(app) == "session dev expired"


@async_test
async def test_a_first_login_needs_no_reason(sim: Simulator, sso_config: Path) -> None:
    sim.set(approve="manual", interval=1)
    app = picker()
    async with app.run_test(size=SIZE) as pilot:
        await wait_until(pilot, lambda: login_code(app), "the login screen")
        assert _login_reason(app) == ""  # the title says it: "Log in to … session dev"


@async_test
async def test_without_a_desktop_or_browser_setting_no_browser_is_started(
    sim: Simulator, sso_config: Path, monkeypatch: Any
) -> None:
    for name in ("BROWSER", "DISPLAY", "WAYLAND_DISPLAY"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setattr("webbrowser.open_new_tab", lambda url: pytest.fail("a browser ran"))
    sim.set(approve="manual", interval=1)
    app = picker(open_browser=True)
    async with app.run_test(size=SIZE) as pilot:
        await wait_until(pilot, lambda: login_code(app), "the code")
        assert "No browser here" in login_status(app)
        await pilot.press("o")  # not offered, and does nothing
        await pilot.pause(0.1)


@async_test
async def test_open_browser_false_in_config_toml_is_not_said_to_have_opened_one(
    sim: Simulator, sso_config: Path, tmp_path: Path, monkeypatch: Any
) -> None:
    """`open_browser = false` keeps the browser shut from both doors; the picker said it had
    opened it (it looked only at --no-browser)."""
    ran = recording_browser(monkeypatch, tmp_path)
    sim.set(approve="manual", interval=1)
    app = picker(open_browser=True, settings=Settings(open_browser=False))
    async with app.run_test(size=SIZE) as pilot:
        await wait_until(pilot, lambda: login_code(app), "the code")
        assert login_status(app) == "Waiting for approval…"
        await pilot.pause(0.2)
        assert not ran.exists()


@pytest.mark.usefixtures("quick_retries")  # the catalog's retries fail: no need to wait them
@async_test
async def test_ctrl_l_after_the_scopes_changed_logs_in_again_and_says_why(
    sim: Simulator, sso_config: Path, org: Organisation
) -> None:
    log_in()  # for sso:account:access
    sso_config.write_text(
        sso_config.read_text().replace(
            "sso_registration_scopes = sso:account:access",
            "sso_registration_scopes = sso:account:access, codewhisperer:completions",
        )
    )
    sim.set(fail_every=1, fail_status=503, approve="manual", interval=1)  # the catalog cannot load
    app = picker()
    async with app.run_test(size=SIZE) as pilot:
        await wait_until(pilot, lambda: footer_keys(app).get("ctrl+l"), "ctrl+l", timeout=30)
        sim.set(fail_every=None)
        await pilot.press("ctrl+l")
        await wait_until(pilot, lambda: login_code(app), "a login code")
        assert "The session's scopes changed: logging in again." in notes(app)
        sim.approve(login_code(app))
        await wait_until(pilot, catalog_loaded(app, org), "the catalog after the login")


@async_test
async def test_use_device_code_starts_the_picker_s_login_with_a_code_and_its_page_opened(
    sim: Simulator, sso_config: Path, tmp_path: Path, monkeypatch: Any
) -> None:
    """`ssotui --use-device-code`: the code at once (the picker took only --no-browser, which
    also keeps the browser shut), its page opened in the browser where one runs."""
    ran = recording_browser(monkeypatch, tmp_path)
    sim.set(approve="manual", interval=1)
    app = picker(open_browser=True, use_device_code=True)
    async with app.run_test(size=SIZE) as pilot:
        await wait_until(pilot, lambda: login_code(app), "the code")
        await wait_until(pilot, ran.exists, "the code's page in the browser")
        assert login_code(app) in ran.read_text()
        assert sim.calls["Authorize"] == 0


@async_test
async def test_a_browser_that_cannot_be_started_is_not_said_to_have_opened_the_code_s_page(
    sim: Simulator, sso_config: Path, monkeypatch: Any
) -> None:
    """BROWSER=false (a broken opener): the browser login falls back to a device code, whose
    page is not sent to that browser; the screen said "The browser was opened for you"."""
    monkeypatch.setenv("BROWSER", "false")
    sim.set(approve="manual", interval=1)
    app = picker(open_browser=True)
    async with app.run_test(size=SIZE) as pilot:
        await wait_until(pilot, lambda: login_code(app), "the code")
        assert "Using a device code: no browser could be started." in notes(app)
        assert login_status(app) == (
            "No browser could be started: open the address on any device; waiting for approval…"
        )
