"""The picker's catalog fetch leaves the portal alone while the user is elsewhere.

A refresh still running when `s` hands the terminal to a subshell sends nothing more until the
picker is back (the user's own AWS calls in the subshell share the rate limit), then carries
on where it was; one still running when the picker closes (`ssotui exec` run with no role
picks one, then runs its command in the same process) sends nothing more at all.
"""

from __future__ import annotations

import os
import sys
import threading
import time
from collections import Counter
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest

from tests.app_support import (
    SIZE,
    async_test,
    dev_session,
    log_in,
    notes,
    open_action_menu,
    picker,
    screen_name,
    type_text,
    unique_prefix,
    usable_role,
    wait_until,
    with_roles,
)
from tests.conftest import here
from tui.app.pick import Action
from tui.aws.call_switch import CallsStopped, CallSwitch
from tui.aws.catalog import fetch_catalog
from tui.models import Account, Catalog, SsoSession, Token, utcnow
from tui.sim import Organisation, SimAccount, Simulator
from tui.store import catalog_cache

SETTLE = 0.3  # seconds for calls already on the wire to be answered


@pytest.fixture
def org() -> Organisation:
    """Enough accounts for a refresh at 8 calls/s to take several seconds."""
    return Organisation.generate(accounts=60, seed=7)


def listing_calls(sim: Simulator) -> int:
    calls: Counter[str] = sim.calls
    return calls["ListAccounts"] + calls["ListAccountRoles"]


def stale_cache(org: Organisation) -> None:
    """The whole organisation cached three hours ago: shown at once, refreshed meanwhile."""
    accounts = tuple(Account(a.account_id, a.name, a.email) for a in org.accounts)
    roles = {a.account_id: tuple(r.name for r in a.roles) for a in org.accounts}
    fetched = utcnow() - timedelta(hours=3)
    catalog_cache.save(here(), dev_session(), Catalog(accounts, roles, fetched_at=fetched))


def refreshing(app: Any) -> bool:
    return screen_name(app) == "MainScreen" and bool(app.screen.model.progress.loading)


class Watch:
    """The portal's listing calls counted when the subshell had run `SETTLE` seconds and when
    it ended (it writes `started`, waits, writes `ended`)."""

    def __init__(self, sim: Simulator, folder: Path) -> None:
        self.started, self.ended = folder / "started", folder / "ended"
        self.counts: list[int] = []
        self._sim = sim
        threading.Thread(target=self._watch, daemon=True).start()

    def _watch(self) -> None:
        for marker, wait in ((self.started, SETTLE), (self.ended, 0.0)):
            deadline = time.monotonic() + 30
            while not marker.exists() and time.monotonic() < deadline:
                time.sleep(0.005)
            time.sleep(wait)
            self.counts.append(listing_calls(self._sim))


@async_test
async def test_a_refresh_sends_nothing_while_the_subshell_runs_and_carries_on_after(
    sim: Simulator, sso_config: Path, org: Organisation, tmp_path: Path, monkeypatch: Any
) -> None:
    log_in()
    stale_cache(org)
    watch = Watch(sim, tmp_path)
    shell = tmp_path / "fake-shell"
    shell.write_text(
        f"#!{sys.executable}\nimport pathlib, time\n"
        f"pathlib.Path({str(watch.started)!r}).touch()\ntime.sleep(1.2)\n"
        f"pathlib.Path({str(watch.ended)!r}).touch()\n"
    )
    shell.chmod(0o755)
    monkeypatch.setenv("SHELL", str(shell))
    sim.set(rate_limit=5)  # a refresh of 60 accounts takes ~13 s: still running when the shell ends
    account = with_roles(org)
    app = picker()
    async with app.run_test(size=SIZE) as pilot:
        await wait_until(pilot, lambda: refreshing(app), "the refresh")
        await open_action_menu(pilot, app, org, account, usable_role(account))
        await pilot.press("s")
        await wait_until(pilot, lambda: any("subshell" in n for n in notes(app)), "the return")
        assert refreshing(app)  # the subshell came while it ran (or this proves nothing)
        assert len(watch.counts) == 2
        # nothing sent from a moment after the subshell started until it ended
        assert watch.counts[1] == watch.counts[0]
        # back in the picker, the refresh carries on where it was and ends (the service no
        # longer holds it back: the slow rate only had to outlast the subshell)
        sim.set(rate_limit=None)
        await wait_until(pilot, lambda: not refreshing(app), "the refresh's end")
    cached = catalog_cache.load(here(), dev_session())
    assert cached is not None and cached.is_fresh(timedelta(minutes=1))
    assert len(cached.accounts) == len(org.accounts) and not cached.failed


@async_test
async def test_a_refresh_sends_nothing_once_the_picker_has_closed(
    sim: Simulator, sso_config: Path, org: Organisation
) -> None:
    log_in()
    stale_cache(org)
    sim.set(rate_limit=8)
    account = with_roles(org)
    app = picker(pick_for=Action.SUBSHELL)  # as `ssotui exec` opens it
    async with app.run_test(size=SIZE) as pilot:
        await wait_until(pilot, lambda: refreshing(app), "the refresh")
        await pick(pilot, org, account)
        await wait_until(pilot, lambda: not app.is_running, "the picker to close")
    assert app.return_value is not None  # a role picked: exec's command runs now
    time.sleep(SETTLE)
    closed = listing_calls(sim)
    time.sleep(1.0)  # the command runs; the refresh would have sent ~8 calls by now
    assert listing_calls(sim) == closed


async def pick(pilot: Any, org: Organisation, account: SimAccount) -> None:
    """Enter on the account, then on its role: in a picker opened to pick, that picks it."""
    role = usable_role(account)
    await type_text(pilot, unique_prefix(account.account_id, [a.account_id for a in org.accounts]))
    await pilot.press("enter")
    await type_text(pilot, unique_prefix(role, [r.name for r in account.roles]))
    await pilot.press("enter")


# -- the switch under the fetch (tui.aws.call_switch) ------------------------------------------


def test_a_fetch_held_longer_than_a_deadline_carries_on_unharmed(
    session: SsoSession, token: Token, sim: Simulator, org: Organisation
) -> None:
    # A subshell that lasts an hour is no call that took an hour: time held is not counted
    # against a call's deadline, so the fetch ends complete, nothing marked failed.
    switch = CallSwitch()
    result: list[Catalog] = []
    with switch.paused():
        fetch = threading.Thread(
            target=lambda: result.append(
                fetch_catalog(session, token, deadline=0.5, switch=switch, environ=os.environ)
            )
        )
        fetch.start()
        time.sleep(1.0)  # twice the deadline
        assert listing_calls(sim) == 0  # held before the first call
    fetch.join(10)
    (catalog,) = result
    assert len(catalog.accounts) == len(org.accounts) and not catalog.failed


def test_a_stopped_fetch_sends_nothing_more_and_says_it_was_stopped(
    session: SsoSession, token: Token, sim: Simulator
) -> None:
    switch = CallSwitch()
    failure: list[BaseException] = []

    def fetch() -> None:
        try:
            fetch_catalog(session, token, switch=switch, environ=os.environ)
        except BaseException as exc:
            failure.append(exc)

    with switch.paused():
        thread = threading.Thread(target=fetch)
        thread.start()
        time.sleep(0.2)
        switch.stop()
    thread.join(10)
    assert [type(exc) for exc in failure] == [CallsStopped]
    assert listing_calls(sim) == 0
