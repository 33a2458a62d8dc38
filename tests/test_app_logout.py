"""The picker's "Log out" (ctrl+o, the command palette, `?`): what `ssotui logout` does, said in
its words, then the login screen."""

from __future__ import annotations

from pathlib import Path

from tests.app_support import (
    SIZE,
    async_test,
    catalog_loaded,
    dev_session,
    log_in,
    login_code,
    notes,
    pane,
    picker,
    screen_name,
    use_palette,
    wait_until,
)
from tests.conftest import here
from tui.aws import token_cache
from tui.sim import Organisation, Simulator
from tui.store import catalog_cache


@async_test
async def test_log_out_from_the_palette_does_what_the_command_does_then_asks_for_a_login(
    sim: Simulator, sso_config: Path, org: Organisation
) -> None:
    log_in()
    app = picker()
    async with app.run_test(size=SIZE) as pilot:
        await wait_until(pilot, catalog_loaded(app, org), "the catalog")
        cached = catalog_cache.cache_path(here(), dev_session())
        assert cached.exists()
        sim.set(approve="manual", interval=1)  # the login screen stays until approved
        await use_palette(pilot, app, "log out")
        await wait_until(pilot, lambda: screen_name(app) == "LogoutScreen", "the question")
        await pilot.press("enter")
        await wait_until(pilot, lambda: screen_name(app) == "LoginScreen", "the login screen")
        said = "Logged out of dev: token revoked, cached token and catalog deleted."
        await wait_until(pilot, lambda: said in notes(app), "what the logout did")
        assert not cached.exists()
        assert sim.calls["Logout"] == 1  # the sign-in ended at Identity Center too
        assert all(grant.ended for grant in sim.identity.grants)
        await pilot.press("escape")  # no login now: nothing of the catalog stays in sight
        await wait_until(pilot, lambda: screen_name(app) == "MainScreen", "the main screen")
        assert pane(app, "accounts").row_list.row_count == 0
    assert not token_cache.token_path(here(), dev_session()).exists()


@async_test
async def test_ctrl_o_asks_first_and_escape_keeps_the_session(
    sim: Simulator, sso_config: Path, org: Organisation
) -> None:
    log_in()
    app = picker()
    async with app.run_test(size=SIZE) as pilot:
        await wait_until(pilot, catalog_loaded(app, org), "the catalog")
        await pilot.press("question_mark")
        keys = {group.title: dict(group.keys) for group in app.screen.groups}  # type: ignore[attr-defined]
        assert keys["This screen"]["ctrl+o"] == "Log out"
        await pilot.press("escape")
        await pilot.press("ctrl+o")
        await wait_until(pilot, lambda: screen_name(app) == "LogoutScreen", "the question")
        await pilot.press("escape")
        await wait_until(pilot, lambda: screen_name(app) == "MainScreen", "the main screen")
    assert token_cache.token_path(here(), dev_session()).exists()


@async_test
async def test_the_palette_s_log_in_says_a_valid_token_is_kept(
    sim: Simulator, sso_config: Path
) -> None:
    """After a failed fetch, ctrl+l's login keeps the valid token (the login screen closes at
    once): the palette said "Log in to the session again"."""
    log_in()
    sim.set(malformed={"ListAccounts"})  # every fetch of the catalog fails
    app = picker()
    async with app.run_test(size=SIZE) as pilot:
        note = "catalog fetch failed; ctrl+r to try again"
        await wait_until(pilot, lambda: note in app.screen.query_one("#status").note, "a failure")
        entries = {c.title: c.help for c in app.get_system_commands(app.screen)}
        assert "a token still valid is kept" in entries["Log in"]
        assert "again" not in entries["Log in"]


@async_test
async def test_a_logout_while_the_catalog_loads_stops_that_fetch_and_the_login_fetches_it_all(
    sim: Simulator, sso_config: Path, org: Organisation
) -> None:
    """The fetch running at the logout ended with what it had (nothing, after a 401) once the
    new login was in: "no accounts in this session", the catalog never fetched again."""
    log_in()
    sim.set(rate_limit=2, burst=1)  # 12 accounts: several seconds of listing
    app = picker()
    async with app.run_test(size=SIZE) as pilot:
        await wait_until(pilot, lambda: app.screen.model.progress.loading, "the fetch")
        sim.set(approve="manual", interval=1)  # the login screen stays until approved
        await pilot.press("ctrl+o")
        await wait_until(pilot, lambda: screen_name(app) == "LogoutScreen", "the question")
        await pilot.press("enter")
        await wait_until(pilot, lambda: screen_name(app) == "LoginScreen", "the login screen")
        await wait_until(pilot, lambda: login_code(app), "a login code")
        work = app.screen_stack[-2].work  # type: ignore[attr-defined]

        def fetch_over() -> bool:  # what the old fetch still does, it does before the login
            return not [w for w in work.workers if w.group == "catalog" and not w.is_finished]

        await wait_until(pilot, fetch_over, "the old fetch to be over", timeout=60)
        sim.approve(login_code(app))
        await wait_until(pilot, catalog_loaded(app, org), "the whole catalog", timeout=60)


@async_test
async def test_a_token_identity_center_would_not_revoke_is_said_as_the_command_says_it(
    sim: Simulator, sso_config: Path, org: Organisation
) -> None:
    log_in()
    app = picker()
    async with app.run_test(size=SIZE) as pilot:
        await wait_until(pilot, catalog_loaded(app, org), "the catalog")
        sim.set(fail_every=1, fail_status=503, approve="manual", interval=1)
        await pilot.press("ctrl+o")
        await wait_until(pilot, lambda: screen_name(app) == "LogoutScreen", "the question")
        await pilot.press("enter")
        await wait_until(pilot, lambda: screen_name(app) == "LoginScreen", "the login screen")

        def logged_out() -> list[str]:  # (a toast is shown by a message of its own)
            return [n for n in notes(app) if n.startswith("Logged out of dev: ")]

        await wait_until(pilot, logged_out, "what the logout did")
        [said] = logged_out()
        assert said.startswith("Logged out of dev: could not revoke the token (")
        assert "it stays valid at Identity Center until " in said
        assert said.endswith("; cached token and catalog deleted.")
        await pilot.press("escape")  # (the login screen is up, not closing with the test)
        await wait_until(pilot, lambda: screen_name(app) == "MainScreen", "the main screen")
    assert not token_cache.token_path(here(), dev_session()).exists()
