"""The region of an account's credentials, chosen in the picker (ctrl+g) and kept in state.toml."""

from __future__ import annotations

import configparser
from pathlib import Path
from typing import Any

import pytest

from tests.app_support import (
    SIZE,
    async_test,
    catalog_loaded,
    log_in,
    notes,
    open_action_menu,
    pane,
    picker,
    screen_name,
    sent_to_clipboard,
    shown,
    status_text,
    type_text,
    usable_role,
    wait_until,
    with_roles,
)
from tests.cli_helpers import ssotui
from tests.conftest import Home, here
from tui.sim import Organisation, Simulator
from tui.store import state as state_store
from tui.store.settings import Settings


async def _choose_region(pilot: Any, app: Any, typed: str) -> None:
    await pilot.press("ctrl+g")
    await wait_until(pilot, lambda: screen_name(app) == "RegionScreen", "the region list")
    regions = app.screen.regions
    await wait_until(pilot, lambda: regions.row_list.row_count > 10, "the partition's regions")
    await type_text(pilot, typed)
    await pilot.press("enter")
    await wait_until(pilot, lambda: screen_name(app) == "MainScreen", "the main screen")


@async_test
async def test_a_region_chosen_for_an_account_goes_with_its_credentials(
    sim: Simulator, sso_config: Path, org: Organisation, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SHELL", "/bin/bash")
    log_in()
    account = with_roles(org)
    app = picker()
    async with app.run_test(size=SIZE) as pilot:
        await wait_until(pilot, catalog_loaded(app, org), "the catalog")
        await type_text(pilot, account.account_id)
        assert "no region" in status_text(app)  # none set anywhere: none used, as before

        await _choose_region(pilot, app, "eu-west-1")
        await wait_until(
            pilot,
            lambda: (
                state_store.load(here().state_file).region_of(account.account_id) == "eu-west-1"
            ),
            "state.toml",
        )
        assert "region eu-west-1" in status_text(app)
        assert any("get region eu-west-1" in n for n in notes(app))

        await pilot.press("enter", "enter")
        await wait_until(pilot, lambda: screen_name(app) == "ActionMenu", "the action menu")
        assert "region eu-west-1" in str(app.screen.query_one("#actions-box").border_subtitle)
        await pilot.press("c")
        await wait_until(pilot, lambda: any("Copied" in n for n in notes(app)), "the copy")
        assert "export AWS_REGION=eu-west-1" in sent_to_clipboard(app)

        # Another account keeps no region.
        await pilot.press("escape", "ctrl+u")
        other = next(a for a in shown(app, "accounts") if a.account_id != account.account_id)
        await type_text(pilot, other.account_id)
        assert "no region" in status_text(app)

    # The next run remembers it; "default" forgets it.
    again = picker()
    async with again.run_test(size=SIZE) as pilot:
        await wait_until(pilot, catalog_loaded(again, org), "the catalog")
        await type_text(pilot, account.account_id)
        assert "region eu-west-1" in status_text(again)
        await _choose_region(pilot, again, "default")
        await wait_until(
            pilot,
            lambda: state_store.load(here().state_file).region_of(account.account_id) is None,
            "state.toml",
        )
        assert "no region" in status_text(again)


@async_test
async def test_without_a_choice_the_sessions_default_region_is_used(
    sim: Simulator, sso_config: Path, org: Organisation
) -> None:
    log_in()
    app = picker(settings=Settings(default_region="ap-south-1"))
    async with app.run_test(size=SIZE) as pilot:
        await wait_until(pilot, catalog_loaded(app, org), "the catalog")
        assert "region ap-south-1" in status_text(app)
        await pilot.press("ctrl+g")
        await wait_until(pilot, lambda: screen_name(app) == "RegionScreen", "the region list")
        regions = pane(app, "regions")
        first = regions.row_list.visible_rows()[0]
        assert first.columns == ("default", "the session's default region (ap-south-1)")
        assert regions.highlighted_item == ""  # the default is what is in use
        await wait_until(pilot, lambda: regions.row_list.row_count > 10, "the regions")
        names = [row.value for row in regions.row_list.visible_rows()]
        assert "eu-west-1" in names and "cn-north-1" not in names  # the session's partition
        await pilot.press("escape")
        await wait_until(pilot, lambda: screen_name(app) == "MainScreen", "the main screen")
    assert state_store.load(here().state_file).regions == ()


def _profile_region(home: Home, profile: str) -> str | None:
    written = configparser.ConfigParser(interpolation=None)
    written.read(home.aws_credentials, encoding="utf-8")
    return written[profile].get("region")


async def _write_profile(app: Any, org: Organisation, account: Any, name: str) -> None:
    async with app.run_test(size=SIZE) as pilot:
        await wait_until(pilot, catalog_loaded(app, org), "the catalog")
        await open_action_menu(pilot, app, org, account, usable_role(account))
        await pilot.press("w")
        await wait_until(pilot, lambda: screen_name(app) == "ProfileNameScreen", "the prompt")
        await pilot.press("ctrl+u")
        await type_text(pilot, name)
        await pilot.press("enter")
        await wait_until(pilot, lambda: any("Wrote" in n for n in notes(app)), "the profile")


@async_test
async def test_a_profile_gets_the_region_chosen_for_its_account_never_default_region(
    sim: Simulator, sso_config: Path, org: Organisation, home: Home
) -> None:
    """`default_region` stays out of the credentials file from both doors (README "Regions");
    a region chosen for the account in the picker goes in, as --region does."""
    log_in()
    account = with_roles(org)
    home.config_dir.mkdir(parents=True, exist_ok=True)
    (home.config_dir / "config.toml").write_text('default_region = "eu-west-1"\n')
    run = ssotui("write-profile", account.account_id, usable_role(account), "--profile", "cli")
    assert run.status == 0, run.err
    assert _profile_region(home, "cli") is None

    await _write_profile(picker(settings=Settings(default_region="eu-west-1")), org, account, "tui")
    assert _profile_region(home, "tui") is None

    state_store.update(here(), lambda s: s.with_region(account.account_id, "us-west-2"))
    await _write_profile(picker(settings=Settings(default_region="eu-west-1")), org, account, "set")
    assert _profile_region(home, "set") == "us-west-2"


@async_test
async def test_a_default_region_of_another_partition_is_refused_in_the_pickers_words(
    sim: Simulator, sso_config: Path, org: Organisation
) -> None:
    """`default_region` in another partition than the session's: the refusal said "choose one
    of them (--region, default_region in config.toml)", a flag the picker has none of; its
    way is ctrl+g, which lists the session's partition only."""
    log_in()
    account = with_roles(org)
    app = picker(settings=Settings(default_region="cn-north-1"))
    async with app.run_test(size=SIZE) as pilot:
        await wait_until(pilot, catalog_loaded(app, org), "the catalog")
        await open_action_menu(pilot, app, org, account, usable_role(account))
        await pilot.press("c")
        await wait_until(pilot, lambda: notes(app), "what happened")
        said = notes(app)[-1]
    assert "cn-north-1 is not in the partition of session dev" in said, said
    assert "--region" not in said, said
    assert said.endswith("choose one of them (ctrl+g, or default_region in config.toml)"), said
