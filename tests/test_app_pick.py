"""Pick first, then act: `make_app(pick_for=...)` opens the picker to choose a role, and Enter on
one closes it with a `Picked` for the command line to act on."""

from __future__ import annotations

from pathlib import Path

from tests.app_support import (
    SIZE,
    async_test,
    catalog_loaded,
    footer_keys,
    log_in,
    notes,
    pane,
    picker,
    shown,
    status_text,
    wait_until,
    with_roles,
)
from tests.conftest import here
from tui.app import Action, Picked
from tui.sim import Organisation, Simulator
from tui.store import state as state_store
from tui.store.state import State


@async_test
async def test_enter_on_a_role_returns_it_without_the_menu(
    sim: Simulator, sso_config: Path, org: Organisation
) -> None:
    log_in()
    account = with_roles(org, 2)
    state_store.save(State().with_region(account.account_id, "eu-north-1"), here().state_file)
    app = picker(pick_for=Action.PRINT, initial_filter=account.account_id[:6])
    async with app.run_test(size=SIZE) as pilot:
        accounts = pane(app, "accounts")
        await wait_until(
            pilot,
            lambda: (
                accounts.row_list.row_count == len(org) and not app.screen.model.progress.loading
            ),
            "the catalog",
        )
        assert accounts.query_text == account.account_id[:6]  # opened filtered
        assert shown(app, "accounts") == [accounts.highlighted_item]
        assert "Enter on a role prints its credentials" in status_text(app)
        await pilot.press("enter")
        assert footer_keys(app)["enter"] == "Export"
        role = shown(app, "roles")[1].role_name
        await pilot.press("down", "enter")
        await wait_until(pilot, lambda: not app.is_running, "the picker to close")
    picked = app.return_value
    assert isinstance(picked, Picked)
    assert (picked.account.account_id, picked.role) == (account.account_id, role)
    assert picked.session.name == "dev" and picked.region == "eu-north-1"
    assert state_store.load(here().state_file).recent_roles() == [(account.account_id, role)]


@async_test
async def test_leaving_without_a_choice_returns_none(
    sim: Simulator, sso_config: Path, org: Organisation
) -> None:
    log_in()
    app = picker(pick_for=Action.SUBSHELL)
    async with app.run_test(size=SIZE) as pilot:
        await wait_until(pilot, catalog_loaded(app, org), "the catalog")
        titles = [c.title for c in app.get_system_commands(app.screen)]
        assert not any(t.startswith("Subshell as") for t in titles)  # no action menu here
        assert any(t.startswith("Run: ") for t in titles)
        await pilot.press("escape")  # an empty accounts filter: out
        await wait_until(pilot, lambda: not app.is_running, "the picker to close")
    assert app.return_value is None


@async_test
async def test_export_s_pick_with_stdout_on_the_terminal_says_so_first_and_picks_at_the_second(
    sim: Simulator, sso_config: Path, org: Organisation
) -> None:
    """`ssotui export` with no ACCOUNT/ROLE, stdout the terminal: Enter on a role printed the
    secret keys on the screen, where the picker's own p says a note first."""
    log_in()
    account = with_roles(org, 2)
    app = picker(pick_for=Action.PRINT, initial_filter=account.account_id)
    app.print_note.on_terminal = True  # as `run` finds it when stdout is not redirected
    async with app.run_test(size=SIZE) as pilot:
        await wait_until(pilot, lambda: shown(app, "accounts"), "the account")
        await pilot.press("enter")
        await wait_until(pilot, lambda: shown(app, "roles"), "its roles")
        await pilot.press("enter")
        await wait_until(pilot, lambda: notes(app), "the note")
        [said] = notes(app)
        assert "secret keys on the screen" in said and "scrollback" in said
        assert "ssotui export --copy" in said and 'eval "$(ssotui export)"' in said
        assert said.endswith("Press Enter again to print them anyway.")
        assert app.is_running and app.return_value is None
        await pilot.press("enter")
        await wait_until(pilot, lambda: not app.is_running, "the picker to close")
    assert isinstance(app.return_value, Picked)
