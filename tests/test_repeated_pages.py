"""A listing whose page tokens go round (Identity Center sends a `nextToken` it sent before), at
every door, through both portal clients, against the second Identity Center
(`tests/other_center.py`), and in the picker's retry against the simulator (`looping_pages`).

The listing stops where the token repeats, with what came before: a ListAccounts that repeats
a page gives the accounts before it (and all their roles); a ListAccountRoles that repeats a
page gives that account the roles before it, marked incomplete, and the rest of the catalog is
whole. `list` shows what it got, says so in one line and exits 1; `populate` changes nothing
(it would drop the profiles it could not list); the picker marks the account and says so.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.app_support import (
    SIZE,
    async_test,
    catalog_loaded,
    log_in,
    marks,
    notes,
    pane,
    picker,
    screen_name,
    shown,
    status_text,
    type_text,
    unique_prefix,
    wait_until,
    with_roles,
)
from tests.cli_here import ssotui_here as ssotui
from tests.conftest import Home, here
from tests.other_center import OtherCenter
from tests.other_center_support import logged_in_by
from tui.app.app import SsotuiApp
from tui.aws.session_choice import chosen_session
from tui.aws.token_cache import delete_token
from tui.sim import Organisation, Simulator
from tui.store import catalog_cache

STAGING = "333333333333"  # "Staging": Dev, ReadOnly, "a" * 64 (pages of 2, then 1)
ROLES_GO_ROUND = {f"roles{STAGING}": 0}  # its first page points back to itself
ACCOUNTS_GO_ROUND = {"acc": 0}  # the first page of accounts (2 of 7) points back to itself


@pytest.fixture(params=["direct", "botocore"])
def center(
    request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch, home: Home
) -> Iterator[OtherCenter]:
    """The other server, logged in to, reached with ssotui's portal client or botocore's."""
    with logged_in_by(request.param, monkeypatch, home) as server:
        yield server


def _pairs(center: OtherCenter, accounts: int = 99) -> set[tuple[str, str]]:
    return {(a.account_id, r) for a in center.accounts[:accounts] for r in a.roles}


def _listed(out: str) -> set[tuple[str, str]]:
    return {(row["accountId"], row["roleName"]) for row in json.loads(out)}


def test_list_shows_the_roles_before_a_repeated_page_and_the_rest_whole(
    center: OtherCenter,
) -> None:
    # Before: every account whose roles went round was a failure ("run `ssotui list` again to
    # retry", which went round again), shown without its roles.
    center.loop_after = ROLES_GO_ROUND
    result = ssotui("list", "--json", "--refresh")
    assert result.status == 1
    assert _listed(result.out) == _pairs(center) - {(STAGING, "a" * 64)}
    assert result.err == (
        f"ssotui: warning: account Staging ({STAGING}): Identity Center repeated a page of its "
        "roles: 2 roles listed before it; run `ssotui list --refresh` later\n"
    )
    # The fresh cache says the same, without asking again.
    asked = center.calls["list_account_roles"]
    again = ssotui("list", "--json")
    assert (again.status, again.err, again.out) == (1, result.err, result.out)
    assert center.calls["list_account_roles"] == asked
    # Mended: a refresh lists it whole, and the warning is gone.
    center.loop_after = {}
    back = ssotui("list", "--json", "--refresh")
    assert (back.status, back.err) == (0, "")
    assert _listed(back.out) == _pairs(center)


def test_list_shows_the_accounts_before_a_repeated_page(center: OtherCenter) -> None:
    # Before: "Identity Center sent page tokens that go round for ListAccounts ...", and
    # nothing listed at all.
    center.loop_after = ACCOUNTS_GO_ROUND
    result = ssotui("list", "--json", "--refresh")
    assert result.status == 1
    assert _listed(result.out) == _pairs(center, accounts=2)
    assert result.err == (
        "ssotui: warning: Identity Center repeated a page of the accounts list (session other): "
        "it stops at the 2 accounts listed before it; run `ssotui list --refresh` later\n"
    )
    assert center.calls["list_accounts"] == 2  # the repeated page is not asked for again


@pytest.mark.parametrize("go_round", [ROLES_GO_ROUND, ACCOUNTS_GO_ROUND], ids=["roles", "accounts"])
def test_populate_changes_nothing_when_a_page_repeats(
    center: OtherCenter, home: Home, go_round: dict[str, int]
) -> None:
    first = ssotui("populate", "--region", "eu-west-1")
    assert first.status == 0, first.err
    config = home.aws_config.read_text()
    assert "[profile Staging.Dev]" in config and "[profile Logs.Auditor]" in config
    center.loop_after = go_round
    which = (
        f"the roles of account Staging ({STAGING})"
        if go_round is ROLES_GO_ROUND
        else "the accounts (after 2)"
    )
    for args in (("populate", "--dry-run"), ("populate",)):
        result = ssotui(*args, "--region", "eu-west-1")
        assert (result.status, result.out) == (1, "")
        assert result.err == (
            f"ssotui: Identity Center repeated a page of {which} (session other), so populate "
            "changed nothing (it would drop the profiles it could not list); run it again "
            "later, and if it persists tell your administrator\n"
        )
        assert home.aws_config.read_text() == config


def test_a_cache_file_from_before_still_loads(center: OtherCenter) -> None:
    # A catalog cache written before `incomplete` and `accountsCut` existed: none of either.
    assert ssotui("list", "--refresh").status == 0
    path = catalog_cache.cache_path(here(), chosen_session(here())[0])
    data = json.loads(path.read_text())
    del data["incomplete"], data["accountsCut"]
    path.write_text(json.dumps(data))
    path.chmod(0o600)
    loaded = catalog_cache.load(here(), chosen_session(here())[0])
    assert loaded is not None and loaded.incomplete == {} and loaded.accounts_cut == ""
    result = ssotui("list", "--json")
    assert (result.status, result.err) == (0, "")
    assert _listed(result.out) == _pairs(center)


def _loaded(app: SsotuiApp) -> bool:
    if screen_name(app) != "MainScreen":
        return False
    main: Any = app.screen
    return bool(shown(app, "accounts")) and not main.model.progress.loading


@async_test
async def test_the_picker_marks_the_account_and_shows_the_roles_before_the_repeat(
    center: OtherCenter,
) -> None:
    center.loop_after = ROLES_GO_ROUND
    app = picker(refresh=True)
    async with app.run_test(size=SIZE) as pilot:
        await wait_until(pilot, lambda: _loaded(app), "the catalog")
        await wait_until(pilot, lambda: marks(app, "accounts").get("Staging") == "◐", "the mark")
        # the rows are redrawn a moment after the model's last event: wait for them to say
        # that no account is still loading, then every other account is whole
        await wait_until(pilot, lambda: "…" not in marks(app, "accounts").values(), "the rows")
        assert {m for name, m in marks(app, "accounts").items() if name != "Staging"} <= {""}
        await wait_until(pilot, lambda: notes(app), "the warning")
        assert notes(app) == [
            "Identity Center repeated a page of the roles of 1 account; they are marked ◐ "
            "and show the roles listed before it (ctrl+r lists them again)."
        ]
        await type_text(pilot, "staging")
        await wait_until(
            pilot, lambda: [a.account_id for a in shown(app, "accounts")] == [STAGING], "Staging"
        )
        names = ["Dev", "ReadOnly"]  # not "a" * 64, on the page it never reached
        await wait_until(pilot, lambda: [r.role_name for r in shown(app, "roles")] == names, "it")
    saved = catalog_cache.load(here(), chosen_session(here())[0])
    assert saved is not None and not saved.failed
    assert saved.incomplete == {
        STAGING: "Identity Center repeated a page of its roles: 2 roles listed before it"
    }


@async_test
async def test_the_picker_shows_the_accounts_before_a_repeated_page_and_says_so(
    center: OtherCenter,
) -> None:
    center.loop_after = ACCOUNTS_GO_ROUND
    app = picker(refresh=True)
    async with app.run_test(size=SIZE) as pilot:
        await wait_until(pilot, lambda: _loaded(app), "the catalog")
        await wait_until(pilot, lambda: notes(app), "the warning")
        assert notes(app) == [
            "Identity Center repeated a page of the accounts list (session other): it stops at "
            "the 2 accounts listed before it; press ctrl+r to refresh the list later."
        ]
        wanted = {a.account_id for a in center.accounts[:2]}
        assert {a.account_id for a in shown(app, "accounts")} == wanted


@async_test
async def test_the_picker_says_so_again_when_it_shows_such_a_catalog_from_its_cache(
    center: OtherCenter,
) -> None:
    # Before: `ssotui list` said it at every run, the picker never once: a cut list looked whole.
    center.loop_after = ACCOUNTS_GO_ROUND
    assert ssotui("list", "--refresh").status == 1  # the catalog cached, cut short
    asked = center.calls["list_accounts"]
    app = picker()
    async with app.run_test(size=SIZE) as pilot:
        await wait_until(pilot, lambda: _loaded(app), "the cached catalog")
        await wait_until(pilot, lambda: notes(app), "the warning")
        warning = (
            "Identity Center repeated a page of the accounts list (session other): it stops at "
            "the 2 accounts listed before it; press ctrl+r to refresh the list later."
        )
        assert notes(app) == [warning]
        assert {a.account_id for a in shown(app, "accounts")} == {
            a.account_id for a in center.accounts[:2]
        }
        # A logout and a login in another terminal bring the same cached catalog up to date
        # again: the picker does not say it a second time.
        delete_token(here(), chosen_session(here())[0])
        await wait_until(pilot, lambda: "not logged in" in status_text(app), "logged out")
        log_in(chosen_session(here())[0])
        await wait_until(pilot, lambda: "left" in status_text(app), "logged in again")
        await pilot.pause()
        assert notes(app) == [warning]
    assert center.calls["list_accounts"] == asked  # shown from the cache, not fetched


@async_test
async def test_the_picker_says_so_when_it_shows_part_listed_accounts_from_its_cache(
    center: OtherCenter,
) -> None:
    # Before: a cut accounts list was said again from the cache, an account marked ◐ was not.
    center.loop_after = ROLES_GO_ROUND
    assert ssotui("list", "--refresh").status == 1  # the catalog cached, Staging part-listed
    asked = center.calls["list_accounts"]
    app = picker()
    async with app.run_test(size=SIZE) as pilot:
        await wait_until(pilot, lambda: _loaded(app), "the cached catalog")
        await wait_until(pilot, lambda: notes(app), "the warning")
        assert notes(app) == [
            "Identity Center repeated a page of the roles of 1 account; they are marked ◐ "
            "and show the roles listed before it (ctrl+r lists them again)."
        ]
        assert marks(app, "accounts").get("Staging") == "◐"
    assert center.calls["list_accounts"] == asked  # shown from the cache, not fetched


@async_test
async def test_a_failed_account_retried_in_the_picker_whose_roles_go_round_is_marked_incomplete(
    sim: Simulator, sso_config: Path, org: Organisation
) -> None:
    log_in()
    sim.set(malformed={"ListAccountRoles"})
    app = picker()
    async with app.run_test(size=SIZE) as pilot:
        await wait_until(pilot, catalog_loaded(app, org), "the catalog")
        account = with_roles(org, 3)
        await wait_until(pilot, lambda: marks(app, "accounts").get(account.name) == "!", "!")
        # Mended, but its roles now come one a page and the last page points back
        goes_round = {f"ListAccountRoles:{account.account_id}"}
        sim.set(malformed=set(), page_size=1, looping_pages=goes_round)
        await type_text(pilot, unique_prefix(account.name, [a.name for a in org.accounts]))
        assert "could not be listed" in pane(app, "roles").row_list.placeholder
        await pilot.press("enter")  # a failure: Enter retries it
        await wait_until(pilot, lambda: marks(app, "accounts").get(account.name) == "◐", "◐")
        listed = len(account.roles)  # the simulator goes round after the last page
        note = f"Identity Center repeated a page of its roles: {listed} roles listed before it"
        await wait_until(pilot, lambda: f"{note}." in notes(app), "the note")
        names = {r.name for r in account.roles}
        await wait_until(pilot, lambda: {r.role_name for r in shown(app, "roles")} == names, "it")
    saved = catalog_cache.load(here(), chosen_session(here())[0])
    assert saved is not None and account.account_id not in saved.failed
    assert saved.incomplete == {account.account_id: note}
    assert set(saved.roles_of(account.account_id)) == names
