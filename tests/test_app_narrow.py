"""The main screen in a narrow terminal (a tmux split): the pane in use gets the width, the
panes stack when the terminal is narrow and tall, and the footer shows key hints whole."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from textual.pilot import Pilot

from tests.app_support import (
    async_test,
    catalog_loaded,
    log_in,
    pane,
    picker,
    screen_name,
    screen_text,
    type_text,
    wait_until,
)
from tui.sim import Organisation, SimAccount, Simulator

# Every hint the main screen's footer can show, as drawn, and the palette's on the right.
HINTS = [
    "⏎/tab Roles",
    "⏎ Actions",
    "tab Accounts",
    "? Keys",
    "esc Clear/Quit",
    "esc Back",
    "^f Favourite",
    "^r Refresh",
    "^g Region",
    "^s Session",
    "^l Log in",
]
PALETTE = "^p Palette"


def _footer(app: Any) -> str:
    return screen_text(app).splitlines()[-1]


def _cut_hints(footer: str) -> str:
    """What is left of the footer line once every whole hint is taken out ("" when none)."""
    rest = footer
    for hint in sorted([*HINTS, PALETTE], key=len, reverse=True):
        rest = rest.replace(hint, "")
    return rest.replace("▏", "").strip()


def _longest_named(org: Organisation, most: int) -> SimAccount:
    """The account with the longest name of at most `most` characters that has roles."""
    fits = [a for a in org.accounts if len(a.name) <= most and a.roles]
    return max(fits, key=lambda a: len(a.name))


async def _open(pilot: Pilot[Any], org: Organisation) -> None:
    await wait_until(pilot, catalog_loaded(pilot.app, org), "the catalog")  # type: ignore[arg-type]
    await wait_until(pilot, lambda: PALETTE in _footer(pilot.app), "the footer")


@async_test
async def test_at_40_columns_the_highlighted_account_is_named_in_full(
    sim: Simulator, sso_config: Path, org: Organisation
) -> None:
    log_in()
    app = picker()
    account = _longest_named(org, 22)
    assert len(account.name) == 22  # the test means something: a name longer than the 11 cells
    async with app.run_test(size=(40, 12)) as pilot:
        await _open(pilot, org)
        await type_text(pilot, account.account_id)
        assert pane(app, "accounts").highlighted_item.name == account.name
        assert account.name in screen_text(app)


@async_test
async def test_at_40_columns_the_roles_get_the_width_when_in_use(
    sim: Simulator, sso_config: Path, org: Organisation
) -> None:
    log_in()
    app = picker()
    account = max(org.accounts, key=lambda a: max((len(r.name) for r in a.roles), default=0))
    role = max(account.roles, key=lambda r: len(r.name))
    async with app.run_test(size=(40, 12)) as pilot:
        await _open(pilot, org)
        await type_text(pilot, account.account_id)
        await pilot.press("enter")  # to its roles, the filter box there
        roles = pane(app, "roles")
        assert roles.filter_input.has_focus
        assert roles.size.width > pane(app, "accounts").size.width
        await type_text(pilot, role.name[:3])
        assert role.name in screen_text(app)
        await pilot.press("escape")  # back: the accounts get the width again
        assert pane(app, "accounts").filter_input.has_focus
        assert pane(app, "accounts").size.width > roles.size.width
        await pilot.press("tab")  # Tab goes to the roles as Enter does
        assert roles.filter_input.has_focus


@async_test
async def test_the_footer_shows_whole_key_hints_in_a_narrow_terminal(
    sim: Simulator, sso_config: Path, org: Organisation
) -> None:
    log_in()
    app = picker()
    async with app.run_test(size=(40, 12)) as pilot:
        await _open(pilot, org)
        footer = _footer(app)
        assert "? Keys" in footer and PALETTE in footer, footer
        assert _cut_hints(footer) == "", footer
        await pilot.press("enter")  # the roles' keys
        await pilot.pause()
        assert _cut_hints(_footer(app)) == "", _footer(app)
        for size in ((50, 15), (60, 16)):
            await pilot.resize_terminal(*size)
            await pilot.pause()
            footer = _footer(app)
            assert "esc Back" in footer and _cut_hints(footer) == "", (size, footer)


@async_test
async def test_from_80_columns_up_the_footer_shows_whole_key_hints_too(
    sim: Simulator, sso_config: Path, org: Organisation
) -> None:
    log_in()
    app = picker()
    async with app.run_test(size=(120, 24)) as pilot:
        await _open(pilot, org)
        # Wide enough: every key, none hidden.
        await wait_until(pilot, lambda: "^g Region" in _footer(app), "every key")
        for which in ("accounts", "roles"):
            for width in range(80, 121, 2):
                await pilot.resize_terminal(width, 24)
                await pilot.pause()
                footer = _footer(app)
                assert PALETTE in footer and _cut_hints(footer) == "", (which, width, footer)
            await pilot.press("tab")  # the roles' keys


@async_test
async def test_a_narrow_and_tall_terminal_stacks_accounts_above_roles(
    sim: Simulator, sso_config: Path, org: Organisation
) -> None:
    log_in()
    app = picker()
    account = max(org.accounts, key=lambda a: len(a.name))
    async with app.run_test(size=(50, 30)) as pilot:
        await _open(pilot, org)
        accounts, roles = pane(app, "accounts"), pane(app, "roles")
        assert accounts.region.bottom <= roles.region.y  # above
        assert accounts.region.width == roles.region.width == 50  # each the whole width
        await type_text(pilot, account.account_id)
        assert account.name in screen_text(app)
        await pilot.press("enter")
        await pilot.pause()
        assert roles.filter_input.has_focus and roles.region.height > accounts.region.height
        await pilot.resize_terminal(100, 30)  # wide again: side by side
        await pilot.pause()
        assert accounts.region.y == roles.region.y and accounts.region.right <= roles.region.x


@async_test
async def test_a_resize_under_another_screen_reaches_the_panes(
    sim: Simulator, sso_config: Path, org: Organisation
) -> None:
    log_in()
    app = picker()
    async with app.run_test(size=(100, 30)) as pilot:
        await _open(pilot, org)
        wide = pane(app, "roles").size.width
        await pilot.press("question_mark")  # the keys screen on top
        await pilot.pause()
        await pilot.resize_terminal(40, 12)
        await pilot.pause()
        await pilot.press("escape")  # back to the panes
        await wait_until(pilot, lambda: screen_name(app) == "MainScreen", "the main screen")
        await pilot.pause()
        assert pane(app, "roles").size.width < wide
        assert pane(app, "accounts").size.width > pane(app, "roles").size.width
        assert _cut_hints(_footer(app)) == "", _footer(app)


@async_test
async def test_at_10_and_20_columns_nothing_is_cut_without_an_ellipsis(
    sim: Simulator, sso_config: Path, org: Organisation
) -> None:
    """The palette's key showed as "p Palette" at 10 columns, and the roles pane's caption (the
    account's name and id) was cut short with no "…"."""
    log_in()
    app = picker()
    account = max(org.accounts, key=lambda a: len(a.name))
    async with app.run_test(size=(20, 24)) as pilot:
        await wait_until(pilot, catalog_loaded(app, org), "the catalog")
        await type_text(pilot, account.account_id)
        await pilot.press("enter")  # its roles, named in the caption
        await pilot.pause()
        caption = screen_text(app).splitlines()[10]
        assert caption == f"│ {account.name[:15]}… │", caption
        assert _footer(app).strip() == "▏" + PALETTE
        await pilot.resize_terminal(10, 24)
        await pilot.pause()
        assert "…" in screen_text(app).splitlines()[10]
        assert "Palette" not in screen_text(app)  # its key is shown whole or not at all
