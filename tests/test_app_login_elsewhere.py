"""Logging in and out somewhere else while the picker is open: its login screen carries on with
a token another program saved, steps aside for a login started in a terminal, and its status
line follows the token file."""

from __future__ import annotations

import threading
import time
from pathlib import Path

from tests.app_support import (
    SIZE,
    async_test,
    catalog_loaded,
    dev_session,
    footer_keys,
    log_in,
    login_code,
    login_status,
    picker,
    screen_name,
    status_text,
    wait_until,
)
from tests.conftest import here
from tests.threads import in_a_thread
from tui.aws import login, token_cache
from tui.aws.flow_choice import Flow
from tui.aws.login import DeviceAuthorization
from tui.aws.login_flows import LoginEvent
from tui.aws.login_flows import log_in as ssotui_login
from tui.aws.login_lock import one_login_at_a_time
from tui.models import Token
from tui.sim import Organisation, Simulator


@async_test
async def test_a_token_another_program_saves_ends_the_login_screen(
    sim: Simulator, sso_config: Path, org: Organisation
) -> None:
    sim.set(approve="manual", interval=0)  # polled without a wait: approved at once below
    app = picker()
    async with app.run_test(size=SIZE) as pilot:
        await wait_until(pilot, lambda: login_code(app), "the picker's code")
        mine = login_code(app)
        # `aws sso login` in another terminal: a device login of its own, no ssotui lock
        codes: list[str] = []
        thread, out = in_a_thread(
            lambda: login.login(
                here(),
                dev_session(),
                force=True,
                open_browser=False,
                announce=lambda auth: codes.append(auth.user_code),
                sleep=lambda _s: time.sleep(0.05),
            )
        )
        await wait_until(pilot, lambda: codes, "the other program's code")
        sim.approve(codes[0])
        thread.join(60)  # at once when it is done; a loaded machine may take a while
        assert isinstance(out[0], Token)
        await wait_until(pilot, catalog_loaded(app, org), "the catalog, with no approval here")
        assert mine in sim.pending()  # the picker's own code was never approved
        assert "left" in status_text(app)


@async_test
async def test_a_login_started_in_a_terminal_is_not_held_up_by_the_login_screen(
    sim: Simulator, sso_config: Path, org: Organisation
) -> None:
    sim.set(approve="manual", interval=1)  # both logins poll as a real one does
    app = picker()
    async with app.run_test(size=SIZE) as pilot:
        await wait_until(pilot, lambda: login_code(app), "the picker's code")
        # `ssotui login --use-device-code` in another terminal
        events: list[LoginEvent] = []
        thread, out = in_a_thread(
            lambda: ssotui_login(
                here(),
                dev_session(),
                flow=Flow.DEVICE_CODE,
                announce=events.append,
                open_url=None,
            )
        )
        await wait_until(
            pilot,
            lambda: any(isinstance(e, DeviceAuthorization) for e in events),
            "the terminal's own code, within seconds (not after the picker's wait)",
        )
        await wait_until(
            pilot, lambda: "Another ssotui is logging in" in login_status(app), "the picker's word"
        )
        assert not login_code(app)  # the picker's own code is no longer offered
        code = next(e for e in events if isinstance(e, DeviceAuthorization)).user_code
        sim.approve(code)
        thread.join(60)  # at once when it is done; a loaded machine may take a while
        assert isinstance(out[0], Token)
        await wait_until(pilot, catalog_loaded(app, org), "the catalog with the terminal's token")
        assert sim.calls["CreateToken"] >= 1
        saved = token_cache.load_token(here(), dev_session())
        assert saved is not None and saved.access_token == out[0].access_token


@async_test
async def test_the_status_line_follows_a_logout_and_a_login_elsewhere(
    sim: Simulator, sso_config: Path, org: Organisation
) -> None:
    log_in()
    app = picker()
    async with app.run_test(size=SIZE) as pilot:
        await wait_until(pilot, catalog_loaded(app, org), "the catalog")
        assert "left" in status_text(app)
        token_cache.delete_token(here(), dev_session())  # `ssotui logout` in another terminal
        await wait_until(pilot, lambda: "not logged in" in status_text(app), "logged out")
        assert screen_name(app) == "MainScreen"  # no screen jumps up by itself
        assert "ctrl+l to log in" in status_text(app)
        log_in()  # `ssotui login` (or `aws sso login`) in another terminal
        await wait_until(pilot, lambda: "left" in status_text(app), "the new token's time")
        assert "not logged in" not in status_text(app)
        assert screen_name(app) == "MainScreen"


@async_test
async def test_a_token_that_ends_while_the_picker_is_open_offers_ctrl_l_to_log_in_again(
    sim: Simulator, sso_config: Path, org: Organisation
) -> None:
    """A token with no refresh token runs out while the picker is open: as after a logout
    elsewhere, the status line says ctrl+l logs in, the footer offers it, and it does."""
    log_in()
    app = picker()
    async with app.run_test(size=SIZE) as pilot:
        await wait_until(pilot, catalog_loaded(app, org), "the catalog")
        # `aws sso login` elsewhere saves a token that cannot be renewed and soon ends
        sim.set(token_lifetime=2, refresh=False)
        login.login(
            here(), dev_session(), force=True, announce=lambda _a: None, sleep=lambda _s: None
        )
        await wait_until(pilot, lambda: "token expired" in status_text(app), "the token's end")
        await wait_until(pilot, lambda: "ctrl+l to log in" in status_text(app), "what to do")
        assert footer_keys(app).get("ctrl+l") == "Log in"
        assert screen_name(app) == "MainScreen"  # no screen jumps up by itself
        sim.set(token_lifetime=3600, refresh=True, approve="manual", interval=0)
        await pilot.press("ctrl+l")
        await wait_until(pilot, lambda: login_code(app), "a login code")
        sim.approve(login_code(app))
        await wait_until(pilot, lambda: "59m left" in status_text(app), "the new token's time")
        assert "ctrl+l" not in footer_keys(app)


@async_test
async def test_a_picker_waiting_for_a_login_carries_on_once_it_saved_its_token(
    sim: Simulator, sso_config: Path, org: Organisation
) -> None:
    """A login elsewhere has saved its token and not yet let go of the login lock (its
    process is still ending): the picker that waits for it carries on with the token then."""
    let_go = threading.Event()
    held = threading.Event()

    def login_elsewhere() -> None:
        with one_login_at_a_time(here(), dev_session()):
            held.set()
            let_go.wait(30)

    holder, _ = in_a_thread(login_elsewhere)
    held.wait(10)
    app = picker()
    async with app.run_test(size=SIZE) as pilot:
        await wait_until(
            pilot, lambda: "Another ssotui is logging in" in login_status(app), "its wait"
        )
        log_in()  # the login elsewhere saves its token
        await wait_until(pilot, catalog_loaded(app, org), "the catalog, the lock still held")
        assert holder.is_alive()
        let_go.set()
    holder.join(60)


@async_test
async def test_a_picker_that_gave_way_is_not_held_up_by_a_second_login_waiting(
    sim: Simulator, sso_config: Path, org: Organisation
) -> None:
    """`ssotui login`, then `ssotui login --force` in other terminals while the picker's login
    screen waits for the user: the picker steps aside for the first, and carries on with its
    token as soon as it is saved, though the second still waits for its turn."""
    sim.set(approve="manual", interval=1)
    app = picker()
    async with app.run_test(size=SIZE) as pilot:
        await wait_until(pilot, lambda: login_code(app), "the picker's code")
        let_go, held, second_waits = threading.Event(), threading.Event(), threading.Event()
        saved: list[Token] = []

        def approve_once_the_second_waits(auth: DeviceAuthorization) -> None:
            second_waits.wait(30)  # the token must be newer than the second's wait
            sim.approve(auth.user_code)

        def first_login() -> None:  # saves its token, then takes a while to end
            with one_login_at_a_time(here(), dev_session()):
                held.set()
                saved.append(
                    login.login(
                        here(),
                        dev_session(),
                        force=True,
                        open_browser=False,
                        announce=approve_once_the_second_waits,
                        sleep=lambda _s: time.sleep(0.05),
                    )
                )
                let_go.wait(30)

        first, _ = in_a_thread(first_login)
        await wait_until(pilot, held.is_set, "the picker stepping aside for the first login")
        events: list[LoginEvent] = []

        def heard(event: LoginEvent) -> None:
            events.append(event)
            second_waits.set()

        second, out = in_a_thread(
            lambda: ssotui_login(
                here(),
                dev_session(),
                flow=Flow.DEVICE_CODE,
                announce=heard,
                open_url=None,
                force=True,
                sleep=lambda _s: time.sleep(0.05),
            )
        )
        await wait_until(pilot, lambda: events, "the second login's word that it waits")
        await wait_until(pilot, lambda: saved, "the first login's token")
        await wait_until(pilot, catalog_loaded(app, org), "the catalog with the first's token")
        assert not out  # the second login still waits for the first to let go
        let_go.set()
        first.join(60)
        second.join(60)
        assert isinstance(out[0], Token)
    assert out[0].access_token == saved[0].access_token  # and then takes the same token


@async_test
async def test_a_logout_elsewhere_while_the_catalog_loads_offers_ctrl_l_once_it_is_loaded(
    sim: Simulator, sso_config: Path, org: Organisation
) -> None:
    """`ssotui logout` in another terminal while a refresh is still listing: the status line
    said "not logged in" once the listing was done, but neither it nor the footer offered
    ctrl+l, which did nothing."""
    log_in()
    app = picker()
    async with app.run_test(size=SIZE) as pilot:
        await wait_until(pilot, catalog_loaded(app, org), "the catalog")
        sim.set(hang={"ListAccounts"})
        await pilot.press("ctrl+r")
        await wait_until(pilot, lambda: sim.calls["ListAccounts"] >= 2, "the refresh's call")
        token_cache.delete_token(here(), dev_session())  # `ssotui logout` in another terminal
        await wait_until(pilot, lambda: "not logged in" in status_text(app), "logged out")
        sim.set(hang=())  # the listing ends, with the token it had
        await wait_until(pilot, catalog_loaded(app, org), "the refreshed catalog")
        await wait_until(pilot, lambda: "ctrl+l to log in" in status_text(app), "what to do")
        assert footer_keys(app).get("ctrl+l") == "Log in"
        assert screen_name(app) == "MainScreen"  # no screen jumps up by itself
        sim.set(approve="manual", interval=0)
        await pilot.press("ctrl+l")
        await wait_until(pilot, lambda: login_code(app), "a login code")
