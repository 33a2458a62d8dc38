"""The picker against answers botocore's models allow and a tidy service never gives (the
simulator's `shapes`), driven with keys: names huge, shared or absent, a token said to last
0 seconds, credentials already expired or said to last a century.
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import pytest
from textual.command import CommandList

from tests.app_support import (
    SIZE,
    async_test,
    catalog_loaded,
    log_in,
    notes,
    open_action_menu,
    picker,
    screen_name,
    screen_text,
    shown,
    type_text,
    usable_role,
    wait_until,
    with_roles,
)
from tui.sim import Simulator
from tui.sim.shapes import HUGE_NAME_LENGTH


@pytest.fixture
def logged_in(sim: Simulator, sso_config: Path) -> None:
    log_in()


@async_test
async def test_huge_shared_and_nameless_names_are_listed_and_drawn(
    sim: Simulator, logged_in: None
) -> None:
    sim.set(shapes={"account-names-huge", "extra-members"})
    app = picker()
    async with app.run_test(size=SIZE) as pilot:
        await wait_until(pilot, catalog_loaded(app, sim.org), "the catalog")
        assert {len(a.name) for a in shown(app, "accounts")} == {HUGE_NAME_LENGTH}
        text = screen_text(app)
        assert all(len(line) <= SIZE[0] for line in text.splitlines())
    sim.set(shapes={"accounts-nameless", "roles-twice"})
    app = picker()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("ctrl+r")  # the catalog anew: every account without a name now
        await wait_until(
            pilot,
            lambda: (
                {a.name for a in shown(app, "accounts")} == {""} and catalog_loaded(app, sim.org)()
            ),
            "the nameless catalog",
        )
        account = with_roles(sim.org)
        await open_action_menu(pilot, app, sim.org, account, usable_role(account))
        await pilot.press("p")
        await wait_until(pilot, lambda: app.return_value is not None, "the exit")
    assert f"export SSOTUI_ACCOUNT_NAME={account.account_id}\n" in str(app.return_value) + "\n"


@async_test
async def test_expired_credentials_are_one_note_and_never_handed_on(
    sim: Simulator, logged_in: None
) -> None:
    sim.set(shapes={"credentials-expired"})
    app = picker()
    async with app.run_test(size=SIZE) as pilot:
        await wait_until(pilot, catalog_loaded(app, sim.org), "the catalog")
        account = with_roles(sim.org)
        await open_action_menu(pilot, app, sim.org, account, usable_role(account))
        await pilot.press("p")
        await wait_until(
            pilot, lambda: any("check this computer's clock" in n for n in notes(app)), "a note"
        )
        assert app.return_value is None and app.is_running


@async_test
async def test_a_token_said_to_last_no_time_is_renewed_when_needed_not_in_a_loop(
    sim: Simulator, sso_config: Path
) -> None:
    sim.set(shapes={"token-expires-zero"})
    log_in()
    app = picker()
    async with app.run_test(size=SIZE) as pilot:
        await wait_until(pilot, catalog_loaded(app, sim.org), "the catalog")
        renewed = sim.calls["CreateToken"]
        started = time.monotonic()
        while time.monotonic() - started < 3:
            await pilot.pause(0.1)
        main: Any = app.screen
        assert main is not None
        # the one renewal the catalog needed, and none while the picker just stands there
        assert sim.calls["CreateToken"] - renewed <= 1, sim.calls


@async_test
async def test_a_huge_name_leaves_a_toast_and_the_palette_short_enough_to_read(
    sim: Simulator, logged_in: None
) -> None:
    """A 10 kB account name filled the screen with the toast of a profile written (what it said
    after the name, when the credentials expire, never on screen) and the palette with one
    entry of 170 lines."""
    sim.set(shapes={"account-names-huge"})
    app = picker()
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await wait_until(pilot, catalog_loaded(app, sim.org), "the catalog")
        account = with_roles(sim.org)
        await open_action_menu(pilot, app, sim.org, account, usable_role(account))
        await pilot.press("w")
        await wait_until(pilot, lambda: screen_name(app) == "ProfileNameScreen", "the prompt")
        await pilot.press("enter")
        await wait_until(pilot, lambda: notes(app), "the toast")
        said = notes(app)[-1]
        assert said.startswith("Wrote profile [") and "It expires" in said, said[:200]
        assert len(said) < 600, len(said)
        await wait_until(pilot, lambda: app.screen.query("Toast"), "the toast on screen")
        assert all(toast.region.height <= 12 for toast in app.screen.query("Toast"))
        await pilot.press("ctrl+p")
        await wait_until(pilot, lambda: screen_name(app) == "CommandPalette", "the palette")
        await type_text(pilot, "subshell")
        entries = app.screen.query_one(CommandList)
        await wait_until(pilot, lambda: entries.option_count > 0, "the palette's entries")
        for n in range(entries.option_count):
            prompt = entries.get_option_at_index(n).prompt
            assert len(str(getattr(prompt, "plain", prompt))) < 300, n
