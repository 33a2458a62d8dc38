"""The picker against a second Identity Center (`tests/other_center.py`), driven with keys.

Pages of 1-3 items, an account listed twice (on one page and across pages), JSON nulls for
absent members, an account with no name or e-mail, one with no roles: the panes show what
`ssotui list` lists, and a role of the nameless account can be chosen and acted on. Role
credentials whose `expiration` is in seconds are handed on for their hour; credentials with an
empty key are a note, never handed on.
"""

from __future__ import annotations

import json
import re
import subprocess
import time
from collections.abc import Iterator
from datetime import datetime
from typing import Any

import pytest

from tests.app_support import (
    SIZE,
    async_test,
    log_in,
    notes,
    pane,
    picker,
    screen_name,
    shown,
    type_text,
    wait_until,
)
from tests.cli_helpers import ssotui
from tests.conftest import Home, here
from tests.other_center import OtherCenter
from tests.other_center_support import reached
from tui.app.app import SsotuiApp
from tui.aws.session_choice import chosen_session


@pytest.fixture
def center(monkeypatch: pytest.MonkeyPatch, home: Home) -> Iterator[OtherCenter]:
    """The other server at its most awkward, logged in to its one session."""
    with reached(OtherCenter(), monkeypatch, home) as server:
        log_in(chosen_session(here())[0])
        server.nulls = server.duplicate_accounts = server.repeat_in_page = True
        server.last_token = None
        yield server


def _loaded(app: SsotuiApp, center: OtherCenter) -> bool:
    if screen_name(app) != "MainScreen":
        return False
    main: Any = app.screen
    rows = pane(app, "accounts").row_list.visible_rows()
    return len(rows) == len(center.accounts) and not main.model.progress.loading


@async_test
async def test_the_panes_list_what_the_cli_lists_and_a_nameless_account_works(
    center: OtherCenter, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SHELL", "/bin/sh")
    listed = json.loads(ssotui("list", "--json", "--refresh").out)
    by_cli: dict[str, list[str]] = {}
    for row in listed:
        by_cli.setdefault(row["accountId"], []).append(row["roleName"])

    app = picker()
    async with app.run_test(size=SIZE) as pilot:
        await wait_until(pilot, lambda: _loaded(app, center), "the catalog")
        accounts = shown(app, "accounts")
        assert sorted(a.account_id for a in accounts) == sorted(
            a.account_id for a in center.accounts
        )
        # Down through every account: its roles pane is what `list` printed for it
        by_picker: dict[str, list[str]] = {}
        for n, account in enumerate(accounts):
            if n:
                await pilot.press("down")
            await wait_until(
                pilot,
                lambda a=account: {r.account_id for r in shown(app, "roles")} <= {a.account_id},
                "the roles pane to follow",
            )
            roles = [r.role_name for r in shown(app, "roles")]
            if roles:
                by_picker[account.account_id] = sorted(roles)
        assert by_picker == {k: sorted(v) for k, v in by_cli.items()}

        # the account with no name: found by its id, its odd role chosen, printed on exit
        await pilot.press("ctrl+u")
        await type_text(pilot, "2222")
        assert [a.account_id for a in shown(app, "accounts")] == ["222222222222"]
        await pilot.press("enter")
        await type_text(pilot, "ops")
        assert [r.role_name for r in shown(app, "roles")] == ["Ops+Dev=1,2.x@y-z"]
        await pilot.press("enter")
        await wait_until(pilot, lambda: screen_name(app) == "ActionMenu", "the action menu")
        await pilot.press("p")
        await wait_until(pilot, lambda: app.return_value is not None, "the exit")
    printed = app.return_value
    assert printed is not None
    shell = subprocess.run(
        ["sh", "-c", 'eval "$1"; echo "$SSOTUI_ACCOUNT_ID|$SSOTUI_ROLE_NAME|$AWS_ACCESS_KEY_ID"']
        + ["sh", printed],
        capture_output=True,
        text=True,
        check=True,
    )
    account_id, role, key = shell.stdout.strip().split("|")
    assert (account_id, role) == ("222222222222", "Ops+Dev=1,2.x@y-z")
    assert key.startswith("ASIAOTHER")


async def _pick_prod_admin(pilot: Any, app: SsotuiApp, center: OtherCenter) -> None:
    await wait_until(pilot, lambda: _loaded(app, center), "the catalog")
    await type_text(pilot, "1111")
    await pilot.press("enter")
    await type_text(pilot, "admin")
    await pilot.press("enter")
    await wait_until(pilot, lambda: screen_name(app) == "ActionMenu", "the action menu")


@async_test
async def test_credentials_expiring_in_seconds_are_printed_for_their_hour(
    center: OtherCenter,
) -> None:
    center.expiration_ms = int(time.time() + 3600)  # seconds, where the model has milliseconds
    app = picker()
    async with app.run_test(size=SIZE) as pilot:
        await _pick_prod_admin(pilot, app, center)
        await pilot.press("p")
        await wait_until(pilot, lambda: app.return_value is not None, "the exit")
    printed = str(app.return_value)
    expiration = re.search(r"AWS_CREDENTIAL_EXPIRATION=(\S+)", printed)
    assert expiration is not None, printed
    left = datetime.fromisoformat(expiration.group(1)).timestamp() - time.time()
    assert 3500 < left <= 3600, printed  # was a note: "check this computer's clock"


@async_test
async def test_credentials_with_an_empty_key_are_one_note_and_never_handed_on(
    center: OtherCenter,
) -> None:
    center.rewrite["get_role_credentials"] = lambda answer: {
        "roleCredentials": {**answer["roleCredentials"], "accessKeyId": ""}
    }
    app = picker()
    async with app.run_test(size=SIZE) as pilot:
        await _pick_prod_admin(pilot, app, center)
        await pilot.press("p")
        await wait_until(pilot, lambda: any("empty accessKeyId" in n for n in notes(app)), "a note")
        assert app.return_value is None and app.is_running
