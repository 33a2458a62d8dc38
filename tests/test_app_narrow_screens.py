"""The picker's screens other than the main one in a small terminal (a tmux split): nothing a
user must read or type is cut, and the footers show key hints whole."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from textual.pilot import Pilot

from tests.app_support import (
    async_test,
    catalog_loaded,
    log_in,
    login_code,
    open_action_menu,
    picker,
    screen_name,
    screen_text,
    usable_role,
    wait_until,
)
from tui.app.app import SsotuiApp
from tui.sim import Organisation, Simulator

LOGIN_HINTS = ["o Open browser", "c Copy code", "esc Cancel", "? Keys", "^p Palette"]


def _cut_hints(footer: str, hints: list[str]) -> str:
    """What is left of the footer line once every whole hint is taken out ("" when none)."""
    for hint in sorted(hints, key=len, reverse=True):
        footer = footer.replace(hint, "")
    return footer.replace("▏", "").strip()


async def _open_the_action_menu(pilot: Pilot[Any], app: SsotuiApp, org: Organisation) -> None:
    """Once the catalog is shown, the action menu of the first account's first usable role."""
    await wait_until(pilot, catalog_loaded(app, org), "the catalog")
    account = next(a for a in org.accounts if a.roles)
    await open_action_menu(pilot, app, org, account, usable_role(account))


@async_test
async def test_the_action_menu_wraps_its_lines_in_a_narrow_terminal(
    sim: Simulator, sso_config: Path, org: Organisation
) -> None:
    log_in()
    app = picker()
    async with app.run_test(size=(60, 20)) as pilot:
        await _open_the_action_menu(pilot, app, org)
        await pilot.pause()
        text = " ".join(line.strip("│ ") for line in screen_text(app).splitlines())
        assert "(exit it to come back)" in text, screen_text(app)
        assert "n New credentials: off (kept ones are reused)" in text
        assert "esc Back" in text
        # A wrapped line goes on under its text, not under the keys (was "it to come back)"
        # at the box's left edge, below the "s"): the column of keys stays clear.
        inside = [line.strip("│").rstrip() for line in screen_text(app).splitlines()]
        first = next(n for n, line in enumerate(inside) if " s Open a subshell" in line)
        rest = inside[first + 1]
        column = inside[first].index("Open a subshell")
        assert rest[:column].strip() == "" and rest[column] != " ", "\n".join(inside)


@async_test
async def test_the_action_menu_shows_every_key_at_40x14_and_scrolls_below_that(
    sim: Simulator, sso_config: Path, org: Organisation
) -> None:
    """At 40x14 the menu's wrapped lines ran past its box: `o`, `n` and `esc` were below its
    edge, and the footer had no room for them either."""
    log_in()
    app = picker()
    async with app.run_test(size=(40, 14)) as pilot:
        await _open_the_action_menu(pilot, app, org)
        lines = (
            "s Subshell with the credentials",
            "c Copy export lines (sh)",
            "w Write a credentials profile",
            "p Print export lines on exit (sh)",
            "o Open the AWS console",
            "n New credentials: off",
            "esc Back",
        )
        await wait_until(pilot, lambda: all(x in screen_text(app) for x in lines), "each key")
        await pilot.press("n")  # its line in a few words says it is on now
        await wait_until(pilot, lambda: "n New credentials: on" in screen_text(app), "on")
        await pilot.resize_terminal(40, 8)  # too short even for those: ↓ scrolls to the end
        await wait_until(pilot, lambda: "esc Back" not in screen_text(app), "the cut")
        await pilot.press("down", "down", "down", "down")
        await wait_until(pilot, lambda: "esc Back" in screen_text(app), "the last line")
        await pilot.press("home")  # and the page keys, as on the keys screen and the login
        await wait_until(pilot, lambda: "esc Back" not in screen_text(app), "the top")
        await pilot.press("end")
        await wait_until(pilot, lambda: "esc Back" in screen_text(app), "the end")
        await pilot.press("pageup")
        await wait_until(pilot, lambda: "esc Back" not in screen_text(app), "a page up")
        await pilot.press("pagedown")
        await wait_until(pilot, lambda: "esc Back" in screen_text(app), "a page down")
        await pilot.resize_terminal(80, 24)  # room again: the whole lines come back
        await wait_until(pilot, lambda: "(exit it to come back)" in screen_text(app), "whole")
        assert "esc Back" in screen_text(app)


@async_test
async def test_the_login_shows_the_whole_code_and_address_at_40x12(
    sim: Simulator, sso_config: Path
) -> None:
    sim.set(approve="manual", interval=1)
    app = picker()
    async with app.run_test(size=(40, 12)) as pilot:
        await wait_until(pilot, lambda: sim.pending(), "a pending device login")
        code = sim.pending()[0]
        await wait_until(pilot, lambda: login_code(app) == code, "the code")
        await pilot.pause()
        drawn = screen_text(app)
        assert f"code {code}" in drawn, drawn
        assert f"{sim.url}/device" in drawn, drawn
        assert "expires in" in drawn
        # The large code is not drawn cut short (it does not fit 40 columns: it is left out).
        assert "█" not in drawn and "▀" not in drawn, drawn
        for size in ((40, 12), (50, 15), (60, 20)):
            await pilot.resize_terminal(*size)
            await pilot.pause()
            footer = screen_text(app).splitlines()[-1]
            assert "c Copy code" in footer and _cut_hints(footer, LOGIN_HINTS) == "", footer


@async_test
async def test_a_short_login_keeps_its_countdown_and_scrolls_to_the_code_with_keys(
    sim: Simulator, sso_config: Path
) -> None:
    """At 80x10 the large code pushed the countdown and "Waiting for approval" below the box's
    edge; at 30x8 the code itself was there: no key scrolled to them, only a mouse wheel."""
    sim.set(approve="manual", interval=1)
    app = picker()
    async with app.run_test(size=(80, 10)) as pilot:
        await wait_until(pilot, lambda: sim.pending(), "a pending device login")
        code = sim.pending()[0]
        await wait_until(pilot, lambda: login_code(app) == code, "the code")

        def said(*words: str) -> bool:
            return all(word in screen_text(app) for word in words)

        await wait_until(pilot, lambda: said("expires in", "Waiting for approval"), "the wait")
        assert said(f"code {code}")
        await pilot.resize_terminal(30, 8)
        await wait_until(pilot, lambda: not said(f"code {code}"), "the code below the edge")
        await pilot.press("end")
        await wait_until(pilot, lambda: said(f"code {code}"), "the code, scrolled to")
        await pilot.press("c")  # the screen's keys still work
        await pilot.press("escape")
        await wait_until(pilot, lambda: screen_name(app) == "MainScreen", "the login cancelled")


@async_test
async def test_the_session_chooser_shows_the_sessions_at_40x12(
    sim: Simulator, sso_config: Path
) -> None:
    with sso_config.open("a") as config:
        config.write(
            f"\n[sso-session ops]\nsso_start_url = {sim.start_url}\nsso_region = {sim.region}\n"
        )
    app = picker(session=None)
    async with app.run_test(size=(40, 12)) as pilot:
        await wait_until(pilot, lambda: screen_name(app) == "SessionScreen", "the chooser")
        await pilot.pause()
        drawn = screen_text(app)
        assert "▊ dev" in drawn and "awsapps.com" in drawn, drawn


@async_test
async def test_the_region_chooser_shows_regions_at_40x12(
    sim: Simulator, sso_config: Path, org: Organisation
) -> None:
    log_in()
    app = picker()
    async with app.run_test(size=(40, 12)) as pilot:
        await wait_until(pilot, catalog_loaded(app, org), "the catalog")
        await pilot.press("ctrl+g")
        await wait_until(pilot, lambda: "af-south-1" in screen_text(app), "the regions")
        assert "default" in screen_text(app)
        # the footer is drawn a moment after the list: waited for, not read at once
        await wait_until(
            pilot,
            lambda: screen_text(app).splitlines()[-1].strip() == "⏎ Use esc Back",
            "the chooser's own keys in the footer",
        )


@async_test
async def test_the_keys_screen_wraps_a_long_line_under_its_own_text(
    sim: Simulator, sso_config: Path, org: Organisation
) -> None:
    """Before, the rest of "Command palette: every action, by name" went back to the box's
    left edge, under the keys, at 60 columns."""
    log_in()
    app = picker()
    async with app.run_test(size=(60, 60)) as pilot:
        await wait_until(pilot, catalog_loaded(app, org), "the catalog")
        await pilot.press("question_mark")
        await wait_until(pilot, lambda: "Command palette: every" in screen_text(app), "the keys")
        lines = [line.strip("│").rstrip() for line in screen_text(app).splitlines()]
        first = next(n for n, line in enumerate(lines) if "Command palette: every" in line)
        column = lines[first].index("Command palette")
        rest = lines[first + 1]
        assert rest.strip() and not lines[first].rstrip().endswith("name"), lines[first]
        assert rest[:column].strip() == "" and rest[column] != " ", "\n".join(lines)
        assert "every action, by name" in lines[first] + " " + rest.strip()
