"""New credentials from the picker: `n` in the action menu, then the action (as `--refresh` on
the command line), for kept credentials the service no longer honours (revoked sessions)."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import botocore.session

from tests.app_support import (
    SIZE,
    async_test,
    catalog_loaded,
    footer_keys,
    log_in,
    notes,
    open_action_menu,
    picker,
    screen_name,
    screen_text,
    sent_to_clipboard,
    type_text,
    usable_role,
    use_palette,
    wait_until,
    with_roles,
)
from tests.cli_helpers import ssotui
from tui.app.app import SsotuiApp
from tui.sim import Organisation, Simulator
from tui.store.settings import Settings


def _copied_key(app: SsotuiApp) -> str:
    """The access key of the export lines last copied."""
    found = re.search(r"^export AWS_ACCESS_KEY_ID=(\S+)$", sent_to_clipboard(app), re.MULTILINE)
    assert found is not None
    return found.group(1)


def _kept_key(account_id: str, role: str) -> str:
    """The access key `ssotui credential-process` hands out now (the kept one, if any)."""
    run = ssotui("credential-process", account_id, role)
    assert run.status == 0, run.err
    key: str = json.loads(run.out)["AccessKeyId"]
    return key


async def _copy(pilot: Any, app: SsotuiApp, *keys: str) -> str:
    """On the open action menu, press `keys`; wait for the copy; the note it gave."""
    before = len(notes(app))
    await pilot.press(*keys)
    await wait_until(pilot, lambda: len(notes(app)) > before, "the copy")
    note = notes(app)[-1]
    assert note.startswith("Copied"), note
    return note


@async_test
async def test_n_then_c_copies_new_credentials_where_c_reuses_the_kept_ones(
    sim: Simulator, sso_config: Path, org: Organisation, monkeypatch: Any
) -> None:
    monkeypatch.setenv("SHELL", "/bin/bash")
    log_in()
    account = with_roles(org)
    role = usable_role(account)
    app = picker()
    async with app.run_test(size=SIZE) as pilot:
        await wait_until(pilot, catalog_loaded(app, org), "the catalog")
        await open_action_menu(pilot, app, org, account, role)
        await _copy(pilot, app, "c")
        kept = _copied_key(app)
        assert sim.calls["GetRoleCredentials"] == 1

        # c again: the kept ones, no call.
        await pilot.press("enter")
        await wait_until(pilot, lambda: screen_name(app) == "ActionMenu", "the menu again")
        assert "New credentials: off" in screen_text(app)
        assert "n" in footer_keys(app)
        note = await _copy(pilot, app, "c")
        assert _copied_key(app) == kept and "new credentials" not in note
        assert sim.calls["GetRoleCredentials"] == 1

        # n, then c: one call, the new ones copied, and the note says they are new.
        await pilot.press("enter")
        await wait_until(pilot, lambda: screen_name(app) == "ActionMenu", "the menu again")
        await pilot.press("n")
        assert "New credentials: on" in screen_text(app)
        note = await _copy(pilot, app, "c")
        fresh = _copied_key(app)
        assert fresh != kept
        assert sim.calls["GetRoleCredentials"] == 2
        assert f"for {account.name}/{role} (new credentials) to the" in note

        # The switch is for one action: the next menu starts with it off, and n twice is off.
        await pilot.press("enter")
        await wait_until(pilot, lambda: screen_name(app) == "ActionMenu", "the menu again")
        assert "New credentials: off" in screen_text(app)
        await pilot.press("n", "n")
        await _copy(pilot, app, "c")
        assert _copied_key(app) == fresh
        assert sim.calls["GetRoleCredentials"] == 2
    # The new ones are the ones kept: the command line hands them out without a call.
    assert _kept_key(account.account_id, role) == fresh
    assert sim.calls["GetRoleCredentials"] == 2


@async_test
async def test_n_then_w_writes_the_new_credentials_to_the_profile(
    sim: Simulator, sso_config: Path, org: Organisation
) -> None:
    log_in()
    account = with_roles(org)
    role = usable_role(account)
    kept = _kept_key(account.account_id, role)  # kept by an earlier command
    calls = sim.calls["GetRoleCredentials"]
    app = picker()
    async with app.run_test(size=SIZE) as pilot:
        await wait_until(pilot, catalog_loaded(app, org), "the catalog")
        await open_action_menu(pilot, app, org, account, role)
        await pilot.press("n", "w")
        await wait_until(pilot, lambda: screen_name(app) == "ProfileNameScreen", "the prompt")
        await pilot.press("ctrl+u")
        await type_text(pilot, "team-dev")
        await pilot.press("enter")
        await wait_until(pilot, lambda: notes(app), "a notification")
        assert notes(app)[0].startswith("Wrote profile [team-dev] (new credentials) to ")
    assert sim.calls["GetRoleCredentials"] == calls + 1
    written = botocore.session.Session(profile="team-dev").get_credentials()
    assert written is not None and written.access_key != kept
    assert _kept_key(account.account_id, role) == written.access_key


@async_test
async def test_the_palette_offers_each_action_with_new_credentials(
    sim: Simulator, sso_config: Path, org: Organisation, monkeypatch: Any
) -> None:
    monkeypatch.setenv("SHELL", "/bin/bash")
    log_in()
    account = with_roles(org)
    role = usable_role(account)
    kept = _kept_key(account.account_id, role)
    calls = sim.calls["GetRoleCredentials"]
    app = picker()
    async with app.run_test(size=SIZE) as pilot:
        await wait_until(pilot, catalog_loaded(app, org), "the catalog")
        await type_text(pilot, account.account_id)
        await pilot.press("enter")
        await type_text(pilot, role)
        titles = [command.title for command in app.get_system_commands(app.screen)]
        label = f"{account.name}/{role}"
        for title in (
            "Subshell as",
            "Copy export lines for",
            "Write a credentials profile for",
            "Print export lines on exit for",
            "Open the AWS console as",
        ):
            assert f"{title} {label} with new credentials" in titles
        await use_palette(pilot, app, f"copy export lines for {label} with new credentials")
        await wait_until(pilot, lambda: notes(app), "the copy")
        assert "(new credentials)" in notes(app)[0]
    assert _copied_key(app) != kept
    assert sim.calls["GetRoleCredentials"] == calls + 1


@async_test
async def test_with_no_credentials_kept_the_menu_says_every_one_is_new(
    sim: Simulator, sso_config: Path, org: Organisation
) -> None:
    log_in()
    account = with_roles(org)
    role = usable_role(account)
    app = picker(settings=Settings(cache_role_credentials=False))
    async with app.run_test(size=SIZE) as pilot:
        await wait_until(pilot, catalog_loaded(app, org), "the catalog")
        await open_action_menu(pilot, app, org, account, role)
        assert "New credentials every time" in screen_text(app)
        assert "n" not in footer_keys(app)  # nothing to switch
        await pilot.press("escape")
        await wait_until(pilot, lambda: screen_name(app) == "MainScreen", "the main screen")
        titles = [command.title for command in app.get_system_commands(app.screen)]
        assert f"Copy export lines for {account.name}/{role}" in titles
        assert not any("with new credentials" in t for t in titles)


@async_test
async def test_the_n_line_is_whole_in_a_60_column_terminal(
    sim: Simulator, sso_config: Path, org: Organisation
) -> None:
    log_in()
    account = with_roles(org)
    role = usable_role(account)
    app = picker()
    async with app.run_test(size=(60, 20)) as pilot:
        await wait_until(pilot, catalog_loaded(app, org), "the catalog")
        await open_action_menu(pilot, app, org, account, role)
        assert "n New credentials: off (kept ones are reused)" in screen_text(app)
        await pilot.press("n")
        # was: "n new credentials: on (fetched anew for the next", cut at the box's edge
        assert "n New credentials: on (new ones for the next action)" in screen_text(app)
