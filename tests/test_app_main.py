"""The picker's main screen driven with keys: filtering, navigation, cache, failures, favourites."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest

from tests.app_support import (
    SIZE,
    async_test,
    burst,
    catalog_loaded,
    dev_session,
    log_in,
    marks,
    notes,
    pane,
    picker,
    screen_name,
    screen_text,
    shown,
    type_text,
    unique_prefix,
    wait_until,
    with_roles,
)
from tests.conftest import Home, here
from tui.app.failures import reason_text
from tui.app.widgets.filter_list import FilterList
from tui.models import Account, Catalog, Role, utcnow
from tui.sim import Organisation, SimAccount, Simulator
from tui.store import catalog_cache
from tui.store import state as state_store


def _matches(account: SimAccount, query: str) -> bool:
    key = f"{account.name} {account.account_id} {account.email}".lower()
    return all(token in key for token in query.lower().split())


def _catalog_of(org: Organisation, **changes: Any) -> Catalog:
    accounts = tuple(Account(a.account_id, a.name, a.email) for a in org.accounts)
    roles = {a.account_id: tuple(r.name for r in a.roles) for a in org.accounts}
    catalog = Catalog(accounts=accounts, roles=roles, fetched_at=utcnow())
    return replace(catalog, **changes)


def _focused_pane(app: Any) -> str:
    focused = app.focused
    for which in ("accounts", "roles"):
        if focused is not None and focused in pane(app, which).walk_children():
            return which
    return ""


@async_test
async def test_typing_filters_accounts_by_name_id_and_email(
    sim: Simulator, sso_config: Path, org: Organisation
) -> None:
    log_in()
    app = picker()
    async with app.run_test(size=SIZE) as pilot:
        await wait_until(pilot, catalog_loaded(app, org), "the catalog")
        assert _focused_pane(app) == "accounts"
        await type_text(pilot, "prod")
        expected = {a.account_id for a in org.accounts if _matches(a, "prod")}
        assert {a.account_id for a in shown(app, "accounts")} == expected
        assert len(expected) >= 2

        # Several tokens must all match, in any column: name fragment plus an id fragment.
        target = org.by_name("umbrella-prod-ledger")
        await pilot.press(*["backspace"] * 4)
        await type_text(pilot, f"umb {target.account_id[3:7]}")
        assert [a.account_id for a in shown(app, "accounts")] == [target.account_id]
        # The roles pane follows the highlighted account.
        assert {r.role_name for r in shown(app, "roles")} == {r.name for r in target.roles}

        # Matching the e-mail works too; the best match (a prefix of the name) comes first.
        await pilot.press("ctrl+u")
        await type_text(pilot, "way")
        assert shown(app, "accounts")[0].name == "wayne-prod-search"
        assert len(shown(app, "accounts")) == 1
        await type_text(pilot, " zq")
        assert shown(app, "accounts") == []
        assert shown(app, "roles") == []


@async_test
async def test_keys_that_arrive_together_act_in_the_order_typed(
    sim: Simulator, sso_config: Path, org: Organisation
) -> None:
    """Ctrl+U then "umb" in one write (tmux send-keys, a paste, SSH) must not lose "umb"."""
    log_in()
    app = picker()

    async with app.run_test(size=SIZE) as pilot:
        await wait_until(pilot, catalog_loaded(app, org), "the catalog")
        accounts, roles_pane = pane(app, "accounts"), pane(app, "roles")

        def names() -> list[str]:
            return [row.value.name for row in accounts.row_list.visible_rows()]

        await burst(pilot, "hoo plat")
        assert accounts.query_text == "hoo plat"
        assert names() == ["hooli-dr-platform"]

        await burst(pilot, "\x15umb\x1b[B")  # Ctrl+U, three letters and Down, in one read
        assert accounts.query_text == "umb"
        assert sorted(names()) == sorted(a.name for a in org.accounts if "umb" in a.name)
        assert accounts.highlighted_item == shown(app, "accounts")[1]  # Down: the 2nd match
        roles = {r.name for r in org.by_name(names()[1]).roles}
        assert {r.role_name for r in shown(app, "roles")} == roles

        await burst(pilot, "\x7f\x7fmbrella-p")  # two Backspaces, then more letters
        assert accounts.query_text == "umbrella-p"
        assert sorted(names()) == sorted(
            a.name for a in org.accounts if a.name.startswith("umbrella-p")
        )

        # Pilot's own keys, one after another with no pause in between.
        await pilot.press("ctrl+u", "h", "o", "o", " ", "p", "l", "a", "t")
        assert accounts.query_text == "hoo plat"
        assert names() == ["hooli-dr-platform"]

        # Keys after Enter go where Enter leads: the roles filter, then the action menu.
        await burst(pilot, "\x15umb\x1b[B\rview\r")  # the 2nd "umb" account, role "view"
        await wait_until(pilot, lambda: screen_name(app) == "ActionMenu", "the action menu")
        assert accounts.query_text == "umb"
        assert roles_pane.query_text == "view"
        menu: Any = app.screen
        assert (menu.account.name, menu.role) == (names()[1], "ViewOnlyAccess")
        await pilot.press("escape", "escape")
        # Tab chooses too; after an Enter that leads nowhere, the keys stay in the box.
        await burst(pilot, "\x15ledger\tsec")
        assert roles_pane.query_text == "sec"
        assert roles_pane.caption_text.startswith("umbrella-prod-ledger")
        assert [r.role_name for r in shown(app, "roles")] == ["SecurityAudit"]
        await burst(pilot, "zz")
        assert roles_pane.row_list.placeholder == "no role matches"
        await pilot.press("escape")
        await burst(pilot, "\x15umbrella-prod-search\rx")  # an account without roles
        await wait_until(pilot, lambda: accounts.query_text.endswith("x"), "the held key")
        assert accounts.query_text == "umbrella-prod-searchx"
        # Tab in the roles filter moves on to the accounts filter; the keys after it follow.
        await burst(pilot, "\x15ledger\t")
        await wait_until(pilot, lambda: roles_pane.has_focus_within, "the roles filter")
        await burst(pilot, "\t\x15umb")
        assert accounts.query_text == "umb" and roles_pane.query_text == ""


@async_test
async def test_enter_tab_escape_and_arrows_move_between_panes(
    sim: Simulator, sso_config: Path, org: Organisation
) -> None:
    log_in()
    app = picker()
    async with app.run_test(size=SIZE) as pilot:
        await wait_until(pilot, catalog_loaded(app, org), "the catalog")
        accounts = shown(app, "accounts")
        first = pane(app, "accounts").highlighted_item
        assert first == accounts[0]
        await pilot.press("down")
        assert pane(app, "accounts").highlighted_item == accounts[1]
        assert pane(app, "roles").caption_text == f"{accounts[1].name} · {accounts[1].account_id}"
        await pilot.press("up", "up")
        assert pane(app, "accounts").highlighted_item == accounts[0]

        account = with_roles(org, 3)
        fragment = unique_prefix(account.name, [a.name for a in org.accounts])
        await type_text(pilot, fragment)
        await pilot.press("enter")
        assert _focused_pane(app) == "roles"
        roles = [r.role_name for r in shown(app, "roles")]
        assert roles == sorted((r.name for r in account.roles), key=str.casefold)
        await type_text(pilot, roles[-1][:5])
        assert [r.role_name for r in shown(app, "roles")][0] == roles[-1]
        assert all(isinstance(r, Role) for r in shown(app, "roles"))

        await pilot.press("escape")  # back a step: to the accounts, filter kept
        assert _focused_pane(app) == "accounts"
        assert pane(app, "accounts").query_text == fragment
        await pilot.press("tab")  # Tab goes to the roles like Enter, role filter cleared
        assert _focused_pane(app) == "roles"
        assert pane(app, "roles").query_text == ""
        await pilot.press("escape", "escape")  # back to accounts, then the filter is cleared
        assert pane(app, "accounts").query_text == ""
        assert len(shown(app, "accounts")) == len(org.accounts)
        await pilot.press("pagedown")
        assert pane(app, "accounts").highlighted_item != accounts[0]


@async_test
async def test_fresh_cache_is_shown_without_calling_the_portal(
    sim: Simulator, sso_config: Path, org: Organisation
) -> None:
    log_in()
    catalog_cache.save(here(), dev_session(), _catalog_of(org))
    sim.reset_calls()
    app = picker()
    async with app.run_test(size=SIZE) as pilot:
        await wait_until(pilot, catalog_loaded(app, org), "the cached catalog")
        await pilot.pause(0.2)
        assert sim.calls["ListAccounts"] == 0
        assert sim.calls["ListAccountRoles"] == 0
        assert "catalog just now" in str(app.screen.query_one("#status").render())


@async_test
async def test_stale_cache_is_refreshed_and_changes_are_marked(
    sim: Simulator, sso_config: Path, org: Organisation
) -> None:
    log_in()
    cached = _catalog_of(org, fetched_at=utcnow() - timedelta(hours=3))
    added = cached.accounts[0]  # missing from the cache: appeared since
    gone = Account("999999999999", "retired-account", "old@example.com")
    roles = dict(cached.roles)
    roles[gone.account_id] = ("ReadOnlyAccess",)
    catalog_cache.save(
        here(),
        dev_session(),
        replace(cached, accounts=(*cached.accounts[1:], gone), roles=roles),
    )
    app = picker()
    async with app.run_test(size=SIZE) as pilot:
        await wait_until(
            pilot,
            lambda: len(shown(app, "accounts")) == len(org.accounts) + 1,
            "the refreshed catalog",
        )
        await wait_until(pilot, lambda: not app.screen.model.progress.loading, "the end of it")
        # the rows are drawn again a moment after the fetch ends: wait for that, not a frame
        await wait_until(
            pilot, lambda: marks(app, "accounts").get("retired-account") == "−", "the − mark"
        )
        assert marks(app, "accounts")[added.name] == "+"
        fresh = catalog_cache.load(here(), dev_session())
        assert fresh is not None and len(fresh.accounts) == len(org.accounts)


@async_test
async def test_failed_roles_are_marked_and_retried_on_enter(
    sim: Simulator, sso_config: Path, org: Organisation
) -> None:
    log_in()
    sim.set(malformed={"ListAccountRoles"})
    app = picker()
    async with app.run_test(size=SIZE) as pilot:
        await wait_until(pilot, catalog_loaded(app, org), "the catalog")
        assert set(marks(app, "accounts").values()) == {"!"}
        account = with_roles(org, 2)
        await type_text(pilot, unique_prefix(account.name, [a.name for a in org.accounts]))
        assert "could not be listed" in pane(app, "roles").row_list.placeholder
        sim.set(malformed=set())
        await pilot.press("enter")
        await wait_until(pilot, lambda: shown(app, "roles"), "the roles after a retry")
        assert {r.role_name for r in shown(app, "roles")} == {r.name for r in account.roles}
        assert marks(app, "accounts")[account.name] != "!"


@async_test
async def test_roles_that_all_failed_for_one_reason_say_it_though_the_cached_ones_show(
    sim: Simulator, sso_config: Path, org: Organisation
) -> None:
    """Identity Center gone mid-refresh (the network, a proxy): every account kept its cached
    roles, so no roles pane said why, and the one note said only that 11 accounts "could not
    be listed"."""
    log_in()
    app = picker()
    async with app.run_test(size=SIZE) as pilot:
        await wait_until(pilot, catalog_loaded(app, org), "the catalog")
    sim.set(malformed={"ListAccountRoles"})  # every account's listing fails, one way
    app = picker(refresh=True)
    async with app.run_test(size=SIZE) as pilot:
        await wait_until(pilot, catalog_loaded(app, org), "the catalog")
        await wait_until(pilot, lambda: notes(app), "the note")
        failed = app.screen.model.failed
        assert len(failed) > 1 and len(set(failed.values())) == 1
        reason = next(iter(failed.values()))
        assert notes(app) == [
            f"The roles of {len(failed)} accounts could not be listed ({reason_text(reason)}); "
            "they are marked ! and retried on Enter."
        ]


def roles_pane_lines(app: Any) -> list[str]:
    """The roles pane's lines as drawn (the right of the two panes), borders stripped."""
    return [
        line.split("││", 1)[1].rstrip("│ ").strip()
        for line in screen_text(app).splitlines()
        if "││" in line
    ]


@pytest.mark.parametrize("size", [(80, 24), (120, 40)])
@async_test
async def test_why_roles_could_not_be_listed_is_said_whole_with_the_key_that_retries(
    sim: Simulator, sso_config: Path, org: Organisation, size: tuple[int, int]
) -> None:
    log_in()
    sim.set(malformed={"ListAccountRoles"})  # every account's listing fails
    app = picker()
    async with app.run_test(size=size) as pilot:
        await wait_until(pilot, catalog_loaded(app, org), "the catalog")
        account = pane(app, "accounts").highlighted_item
        reason = app.screen.model.failed[account.account_id]
        assert "cannot read" in reason
        await wait_until(
            pilot, lambda: "(Enter to retry)" in roles_pane_lines(app), "the roles pane's failure"
        )
        drawn = roles_pane_lines(app)
        start = next(n for n, line in enumerate(drawn) if line.startswith("roles could not"))
        end = drawn.index("(Enter to retry)")  # the key, whole, on a line of its own
        said = " ".join(drawn[start:end])
        assert said == f"roles could not be listed: {reason_text(reason)}"


@async_test
async def test_favourites_float_to_the_top_and_persist_across_runs(
    sim: Simulator, sso_config: Path, org: Organisation
) -> None:
    log_in()
    account = with_roles(org, 3)
    last_role = sorted((r.name for r in account.roles), key=str.casefold)[-1]
    app = picker()
    async with app.run_test(size=SIZE) as pilot:
        await wait_until(pilot, catalog_loaded(app, org), "the catalog")
        await type_text(pilot, unique_prefix(account.name, [a.name for a in org.accounts]))
        await pilot.press("ctrl+f", "enter")
        await type_text(pilot, unique_prefix(last_role, [r.name for r in account.roles]))
        await pilot.press("ctrl+f")
        await wait_until(
            pilot, lambda: state_store.load(here().state_file).favourite_roles, "the state file"
        )
        await pilot.press("ctrl+q")
    saved = state_store.load(here().state_file)
    assert saved.favourite_accounts == {account.account_id}
    assert saved.favourite_roles == {(account.account_id, last_role)}

    again = picker()
    async with again.run_test(size=SIZE) as pilot:
        await wait_until(pilot, catalog_loaded(again, org), "the catalog")
        assert shown(again, "accounts")[0].account_id == account.account_id
        assert marks(again, "accounts")[account.name] == "★"
        await pilot.press("enter")
        assert shown(again, "roles")[0].role_name == last_role
        assert marks(again, "roles")[last_role] == "★"
        await pilot.press("ctrl+f")  # and off again
        await wait_until(
            pilot, lambda: not state_store.load(here().state_file).favourite_roles, "the state file"
        )


@async_test
async def test_a_favourite_the_state_file_does_not_take_is_said(
    sim: Simulator, sso_config: Path, org: Organisation, home: Home
) -> None:
    """ctrl+f shows the star at once; when state.toml cannot be written, the user is told
    (it was silent, and the favourite was gone at the next start)."""
    log_in()
    home.state_dir.write_text("not a folder", encoding="utf-8")
    app = picker()
    async with app.run_test(size=SIZE) as pilot:
        await wait_until(pilot, catalog_loaded(app, org), "the catalog")
        await pilot.press("ctrl+f")
        await wait_until(pilot, lambda: any("not saved" in n for n in notes(app)), "a note")
        await pilot.press("ctrl+f")  # and off: the same reason is not said again
        await app.workers.wait_for_complete()
        await pilot.pause()
    (said,) = [n for n in notes(app) if "not saved" in n]
    assert str(home.state_dir) in said


@async_test
async def test_a_key_that_keeps_the_account_highlighted_leaves_the_roles_pane_alone(
    sim: Simulator, sso_config: Path, org: Organisation
) -> None:
    # Most keys typed in the accounts keep the same account on top: its roles, their
    # highlight, the caption and the region stay as they are (nothing is rebuilt for them).
    log_in()
    target = org.by_name("umbrella-prod-ledger")
    moved: list[str] = []

    def hook(message: object) -> None:
        if isinstance(message, FilterList.Highlighted) and message.filter_list.id == "roles":
            moved.append(str(message.item))

    app = picker()
    async with app.run_test(size=SIZE, message_hook=hook) as pilot:
        await wait_until(pilot, catalog_loaded(app, org), "the catalog")
        await type_text(pilot, "umbrella-prod-ledg")
        assert pane(app, "accounts").highlighted_item.account_id == target.account_id
        await pilot.pause()
        roles_before = shown(app, "roles")
        moved.clear()
        await type_text(pilot, "er")
        await pilot.press("backspace")
        assert pane(app, "accounts").highlighted_item.account_id == target.account_id
        assert shown(app, "roles") == roles_before
        assert moved == []
