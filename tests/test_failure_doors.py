"""The same failure from both doors: the same line, each with its own way out.

Errors carry command-line advice ("run `ssotui list --refresh`"); the picker shows the key that
does the same instead (tui/workspace/advice.py), never a command to leave it for.
"""

from __future__ import annotations

from pathlib import Path

from tests.app_support import (
    SIZE,
    async_test,
    catalog_loaded,
    log_in,
    login_status,
    marks,
    notes,
    open_action_menu,
    picker,
    shown,
    wait_until,
)
from tests.cli_here import ssotui_here as ssotui
from tests.conftest import Home, here
from tui.sim import Organisation, Simulator
from tui.store.settings import load_settings


def _forbidden(org: Organisation) -> tuple[str, str]:
    account, role = next((a, r.name) for a in org.accounts for r in a.roles if r.forbidden)
    return account.account_id, role


@async_test
async def test_no_access_to_a_role_says_the_command_or_the_key(
    sim: Simulator, sso_config: Path, org: Organisation
) -> None:
    log_in()
    account_id, role = _forbidden(org)
    run = ssotui("export", account_id, role)
    assert run.status == 1
    assert "no access to role" in run.err and "run `ssotui list --refresh`" in run.err

    account = org.account(account_id)
    assert account is not None
    app = picker()
    async with app.run_test(size=SIZE) as pilot:
        await wait_until(pilot, catalog_loaded(app, org), "the catalog")
        await open_action_menu(pilot, app, org, account, role)
        await pilot.press("c")
        await wait_until(pilot, lambda: notes(app), "the failure")
        said = notes(app)[-1]
    assert said.startswith(f"no access to role {role}")
    assert said.endswith("ask your administrator, or press ctrl+r to refresh the list")
    assert "ssotui" not in said


@async_test
async def test_a_denied_login_says_press_r_not_run_ssotui_login(
    sim: Simulator, sso_config: Path, org: Organisation
) -> None:
    sim.set(approve="deny")
    run = ssotui("login", "--no-browser")
    assert run.status == 1
    assert run.err.strip().splitlines()[-1] == (
        "ssotui: the login to session dev was denied in the browser: run `ssotui login` again "
        "to retry"
    )

    app = picker()
    async with app.run_test(size=SIZE) as pilot:
        await wait_until(pilot, lambda: "denied" in login_status(app), "the denial")
        said = login_status(app)
    assert said == "the login to session dev was denied in the browser — press r to try again"


@async_test
async def test_a_mistake_in_config_toml_is_said_by_both_doors(
    sim: Simulator, sso_config: Path, org: Organisation, home: Home
) -> None:
    """The command line says it on stderr; the picker, which covers stderr until it closes,
    says it on screen."""
    log_in()
    home.config_dir.mkdir(parents=True, exist_ok=True)
    (home.config_dir / "config.toml").write_text('defualt_region = "eu-west-1"\n')
    said = f"{home.config_dir / 'config.toml'}: unknown key `defualt_region`; ignored"
    run = ssotui("list")
    assert run.status == 0 and run.err.splitlines() == [f"ssotui: warning: {said}"]

    app = picker(settings=load_settings(here().config_file))
    async with app.run_test(size=SIZE) as pilot:
        await wait_until(pilot, catalog_loaded(app, org), "the catalog")
        assert notes(app) == [said]


@async_test
async def test_a_favourite_that_cannot_be_saved_is_said_and_not_shown_as_kept(
    sim: Simulator, sso_config: Path, org: Organisation, home: Home
) -> None:
    """The state folder cannot be written (here: a file stands where it should be)."""
    log_in()
    home.state_dir.write_text("not a folder")
    app = picker()
    async with app.run_test(size=SIZE) as pilot:
        await wait_until(pilot, catalog_loaded(app, org), "the catalog")
        first = shown(app, "accounts")[0]
        await pilot.press("ctrl+f")
        await wait_until(pilot, lambda: notes(app), "the failure")
        [said] = notes(app)
        assert said.startswith("Favourites, recent roles and regions not saved: ")
        assert str(home.state_dir) in said
        await wait_until(pilot, lambda: marks(app, "accounts")[first.name] != "★", "the mark")
