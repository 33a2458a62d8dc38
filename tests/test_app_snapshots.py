"""Snapshots of the picker's screens at a fixed size, with the clock and the code frozen; the
ones that must fit a small terminal at 80x24.

Update after an intended change with `pytest tests/test_app_snapshots.py --snapshot-update`.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from textual.pilot import Pilot
from textual.widgets import Input

from tests.app_support import (
    SIZE,
    burst,
    catalog_loaded,
    log_in,
    login_code,
    picker,
    screen_name,
    wait_until,
)
from tests.conftest import here
from tui.app import clock
from tui.aws import login, login_flows
from tui.models import SsoSession
from tui.paths import Paths
from tui.sim import Organisation, Simulator
from tui.store import state as state_store
from tui.store.state import State

SMALL = (80, 24)

FIXED_CODE = "WDJB-MJHT"
FIXED_URL = "https://device.sso.us-east-1.amazonaws.com/"


def _freeze_clock(monkeypatch: pytest.MonkeyPatch, at: datetime) -> None:
    monkeypatch.setattr(clock, "now", lambda: at)


def _steady_cursor(app: Any) -> None:
    for field in app.screen.query(Input):
        field.cursor_blink = False


def _after_catalog(org: Organisation) -> Callable[[Pilot[Any]], Any]:
    async def run_before(pilot: Pilot[Any]) -> None:
        await wait_until(pilot, catalog_loaded(pilot.app, org), "the catalog")  # type: ignore[arg-type]
        _steady_cursor(pilot.app)

    return run_before


def test_login_screen(
    snap_compare: Any, sim: Simulator, sso_config: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    sim.set(approve="manual", interval=60)  # no poll happens while the snapshot is taken
    real_start = login.start_login

    def start_login(paths: Paths, session: SsoSession) -> login.DeviceAuthorization:
        auth = real_start(paths, session)
        _freeze_clock(monkeypatch, auth.expires_at - timedelta(seconds=600))
        return dataclasses.replace(
            auth,
            user_code=FIXED_CODE,
            verification_uri=FIXED_URL,
            verification_uri_complete=f"{FIXED_URL}?user_code={FIXED_CODE}",
        )

    monkeypatch.setattr(login_flows, "start_login", start_login)

    async def run_before(pilot: Pilot[Any]) -> None:
        await wait_until(pilot, lambda: login_code(pilot.app) == FIXED_CODE, "the code")  # type: ignore[arg-type]
        await pilot.pause(0.1)

    assert snap_compare(picker(), terminal_size=SIZE, run_before=run_before)


def test_main_screen_with_a_filter(
    snap_compare: Any,
    sim: Simulator,
    sso_config: Path,
    org: Organisation,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    token = log_in()
    _freeze_clock(monkeypatch, token.expires_at - timedelta(minutes=42, seconds=30))
    assert snap_compare(
        picker(), press=list("prod"), terminal_size=SIZE, run_before=_after_catalog(org)
    )


def test_action_menu(
    snap_compare: Any,
    sim: Simulator,
    sso_config: Path,
    org: Organisation,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    token = log_in()
    _freeze_clock(monkeypatch, token.expires_at - timedelta(minutes=42, seconds=30))
    assert snap_compare(
        picker(),
        press=[*"ledger", "enter", "enter"],
        terminal_size=SIZE,
        run_before=_after_catalog(org),
    )


def test_setup_screen(snap_compare: Any, home: Any) -> None:
    """No session configured: the set-up form, with a start URL it refuses."""

    async def run_before(pilot: Pilot[Any]) -> None:
        def regions_loaded() -> bool:
            return bool(getattr(pilot.app.screen, "regions", ()))

        await wait_until(pilot, regions_loaded, "the region list")  # type: ignore[arg-type]
        await burst(pilot, "acme")  # no host name: refused
        await pilot.press("enter", "tab", "enter")
        _steady_cursor(pilot.app)

    assert snap_compare(picker(), terminal_size=SIZE, run_before=run_before)


def test_main_screen_at_80x24(
    snap_compare: Any,
    sim: Simulator,
    sso_config: Path,
    org: Organisation,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The status line (with a region) and the roles caption fit; the account id stays whole."""
    token = log_in()
    _freeze_clock(monkeypatch, token.expires_at - timedelta(minutes=42, seconds=30))
    ledger = org.by_name("umbrella-prod-ledger")
    state_store.save(State().with_region(ledger.account_id, "eu-central-1"), here().state_file)
    assert snap_compare(
        picker(), press=[*"ledger", "enter"], terminal_size=SMALL, run_before=_after_catalog(org)
    )


def test_main_screen_at_40x12(
    snap_compare: Any,
    sim: Simulator,
    sso_config: Path,
    org: Organisation,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A narrow tmux split: the accounts pane, in use, is the wide one; whole key hints."""
    token = log_in()
    _freeze_clock(monkeypatch, token.expires_at - timedelta(minutes=42, seconds=30))
    assert snap_compare(
        picker(), press=list("umb"), terminal_size=(40, 12), run_before=_after_catalog(org)
    )


def test_setup_screen_at_80x24(snap_compare: Any, home: Any) -> None:
    """The set-up form's button shows at 80x24."""

    async def run_before(pilot: Pilot[Any]) -> None:
        def regions_loaded() -> bool:
            return bool(getattr(pilot.app.screen, "regions", ()))

        await wait_until(pilot, regions_loaded, "the region list")  # type: ignore[arg-type]
        _steady_cursor(pilot.app)

    assert snap_compare(picker(), terminal_size=SMALL, run_before=run_before)


def test_not_logged_in_at_80x24(
    snap_compare: Any, sim: Simulator, sso_config: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Escape on the login screen: the main screen says so, and how to log in, until then."""
    sim.set(approve="manual", interval=60)

    async def run_before(pilot: Pilot[Any]) -> None:
        await wait_until(pilot, lambda: sim.pending(), "a pending login")
        await pilot.press("escape")
        await wait_until(pilot, lambda: screen_name(pilot.app) == "MainScreen", "the main screen")  # type: ignore[arg-type]
        await pilot.pause(0.2)
        _steady_cursor(pilot.app)

    assert snap_compare(picker(), terminal_size=SMALL, run_before=run_before)


def test_session_chooser_at_80x24(snap_compare: Any, sim: Simulator, sso_config: Path) -> None:
    """Several sessions and no default: every one is listed, the first highlighted."""
    with sso_config.open("a") as config:
        config.write(
            f"\n[sso-session ops]\nsso_start_url = {sim.start_url}\nsso_region = eu-west-1\n"
        )

    async def run_before(pilot: Pilot[Any]) -> None:
        await wait_until(pilot, lambda: screen_name(pilot.app) == "SessionScreen", "the chooser")  # type: ignore[arg-type]

    assert snap_compare(picker(session=None), terminal_size=SMALL, run_before=run_before)


def test_help_screen(
    snap_compare: Any,
    sim: Simulator,
    sso_config: Path,
    org: Organisation,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """? on the main screen: every key that works there."""
    token = log_in()
    _freeze_clock(monkeypatch, token.expires_at - timedelta(minutes=42, seconds=30))
    assert snap_compare(
        picker(), press=["question_mark"], terminal_size=SIZE, run_before=_after_catalog(org)
    )


def test_region_chooser_at_80x24(
    snap_compare: Any,
    sim: Simulator,
    sso_config: Path,
    org: Organisation,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """ctrl+g: the partition's regions, filtered by what is typed."""
    token = log_in()
    _freeze_clock(monkeypatch, token.expires_at - timedelta(minutes=42, seconds=30))

    async def run_before(pilot: Pilot[Any]) -> None:
        await _after_catalog(org)(pilot)
        await pilot.press("ctrl+g")
        await wait_until(pilot, lambda: screen_name(pilot.app) == "RegionScreen", "the list")  # type: ignore[arg-type]
        regions: Any = pilot.app.screen
        await wait_until(pilot, lambda: regions.regions.row_list.row_count > 10, "the regions")
        await pilot.press(*"eu")
        _steady_cursor(pilot.app)

    assert snap_compare(picker(), terminal_size=SMALL, run_before=run_before)
