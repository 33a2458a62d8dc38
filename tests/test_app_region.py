"""The region of an account's credentials, chosen in the picker (ctrl+g) and kept in state.toml."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from tests.app_support import (
    SIZE,
    async_test,
    catalog_loaded,
    log_in,
    notes,
    pane,
    picker,
    screen_name,
    shown,
    status_text,
    type_text,
    wait_until,
    with_roles,
)
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
            lambda: state_store.load().region_of(account.account_id) == "eu-west-1",
            "state.toml",
        )
        assert "region eu-west-1" in status_text(app)
        assert any("get region eu-west-1" in n for n in notes(app))

        await pilot.press("enter", "enter")
        await wait_until(pilot, lambda: screen_name(app) == "ActionMenu", "the action menu")
        assert "region eu-west-1" in str(app.screen.query_one("#actions-box").border_subtitle)
        await pilot.press("c")
        await wait_until(pilot, lambda: any("Copied" in n for n in notes(app)), "the copy")
        assert "export AWS_REGION=eu-west-1" in app.clipboard

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
            pilot, lambda: state_store.load().region_of(account.account_id) is None, "state.toml"
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
    assert state_store.load().regions == ()
