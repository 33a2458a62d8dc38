"""Browsing the main screen: the roles filter per account, the highlight while rows stream in,
leaving with Escape or Ctrl+C, the fuzzy fallback, and names that hold control characters."""

from __future__ import annotations

import threading
from pathlib import Path
from typing import Any

import pytest
from textual.pilot import Pilot

from tests.app_support import (
    SIZE,
    async_test,
    burst,
    catalog_loaded,
    footer_keys,
    log_in,
    pane,
    picker,
    screen_name,
    screen_text,
    shown,
    type_text,
    wait_until,
    with_roles,
)
from tui.sim import Organisation, SimAccount, SimRole, Simulator
from tui.store.settings import Settings
from tui.text import printable
from tui.workspace.session_token import SessionToken


def _roles_text(app: Any) -> str:
    return str(pane(app, "roles").query_text)


@async_test
async def test_the_roles_filter_is_cleared_when_another_account_is_highlighted(
    sim: Simulator, sso_config: Path, org: Organisation
) -> None:
    log_in()
    app = picker()
    async with app.run_test(size=SIZE) as pilot:
        await wait_until(pilot, catalog_loaded(app, org), "the catalog")
        account = with_roles(org, 2)
        await type_text(pilot, account.account_id)
        await pilot.press("enter")
        await type_text(pilot, "zz")  # nothing matches in this account
        assert pane(app, "roles").row_list.placeholder == "no role matches"
        await pilot.press("escape", "ctrl+u", "down")  # back, and browse to another account
        assert pane(app, "accounts").highlighted_item.account_id != account.account_id
        assert _roles_text(app) == ""
        assert shown(app, "roles")  # its roles, not "no role matches"
        # Back on the same account through another one: still cleared.
        await pilot.press("up")
        assert _roles_text(app) == "" and shown(app, "roles")


@pytest.fixture
def org() -> Organisation:
    """Three pages of accounts (100 a page); the first by name comes on the third."""
    return Organisation.generate(accounts=250, seed=1)


@async_test
async def test_the_highlight_stays_on_top_while_accounts_stream_in(
    sim: Simulator, sso_config: Path, org: Organisation
) -> None:
    log_in()
    sim.set(latency=0.4)  # pages of 100 accounts arrive one after another, slowly
    app = picker()
    async with app.run_test(size=SIZE) as pilot:
        accounts = pane(app, "accounts")
        await wait_until(pilot, lambda: accounts.highlighted_item is not None, "the first page")
        first_seen = accounts.highlighted_item
        await wait_until(pilot, catalog_loaded(app, org), "the whole catalog", timeout=30)
        top = shown(app, "accounts")[0]
        assert top != first_seen  # the test means something: the first page's top sank
        assert accounts.highlighted_item == top
        assert pane(app, "roles").caption_text.startswith(top.name)


@async_test
async def test_a_highlight_the_user_moved_stays_on_its_account_while_streaming(
    sim: Simulator, sso_config: Path, org: Organisation
) -> None:
    log_in()
    sim.set(latency=0.4)
    app = picker()
    async with app.run_test(size=SIZE) as pilot:
        accounts = pane(app, "accounts")
        await wait_until(pilot, lambda: len(shown(app, "accounts")) >= 2, "the first page")
        await pilot.press("down")
        chosen = accounts.highlighted_item
        await wait_until(pilot, catalog_loaded(app, org), "the whole catalog", timeout=30)
        assert accounts.highlighted_item == chosen


@async_test
async def test_what_is_typed_stays_readable_in_a_narrow_terminal(
    sim: Simulator, sso_config: Path, org: Organisation
) -> None:
    log_in()
    app = picker()
    async with app.run_test(size=(40, 12)) as pilot:  # a narrow tmux split
        await wait_until(pilot, catalog_loaded(app, org), "the catalog")
        await type_text(pilot, "prod")
        matches = len(shown(app, "accounts"))
        filter_line = screen_text(app).splitlines()[2]
        assert "prod" in filter_line, filter_line
        assert str(matches) in filter_line  # the count, as short as it must be
        await pilot.resize_terminal(100, 30)  # and back: the whole count again
        await pilot.pause()
        assert f"{matches}/{len(org.accounts)}" in screen_text(app).splitlines()[2]


@async_test
async def test_escape_in_an_empty_accounts_filter_quits(
    sim: Simulator, sso_config: Path, org: Organisation
) -> None:
    log_in()
    app = picker()
    async with app.run_test(size=SIZE) as pilot:
        await wait_until(pilot, catalog_loaded(app, org), "the catalog")
        await type_text(pilot, "prod")
        assert footer_keys(app)["escape"] == "Clear/Quit"
        await pilot.press("escape")
        assert pane(app, "accounts").query_text == "" and app.is_running
        await pilot.press("enter")
        assert footer_keys(app)["escape"] == "Back"
        await pilot.press("escape", "escape")
        await wait_until(pilot, lambda: not app.is_running, "the exit")
    assert app.return_value is None


@async_test
async def test_ctrl_c_quits_at_once_even_in_a_filter_box(
    sim: Simulator, sso_config: Path, org: Organisation
) -> None:
    log_in()
    app = picker()
    async with app.run_test(size=SIZE) as pilot:
        await wait_until(pilot, catalog_loaded(app, org), "the catalog")
        await type_text(pilot, "prod")
        await pilot.press("ctrl+c")
        await wait_until(pilot, lambda: not app.is_running, "the exit")


@async_test
async def test_ctrl_r_while_the_picker_opens_fetches_the_catalog_afresh_without_a_login(
    sim: Simulator, sso_config: Path, org: Organisation, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A ctrl+r pressed while the picker still reads the token (a moment, longer on a busy
    machine) fetches the whole catalog once the token is read: no login screen for a user who
    is logged in, and not the fresh cache shown in place of the fetch."""
    log_in()
    first = picker()
    async with first.run_test(size=SIZE) as pilot:
        await wait_until(pilot, catalog_loaded(first, org), "the catalog, cached")
    sim.set(shapes={"accounts-nameless"})  # what only a fetch anew shows
    token_read = threading.Event()
    read_token = SessionToken.token

    def slow_token(self: SessionToken) -> Any:
        token_read.wait(20)
        return read_token(self)

    monkeypatch.setattr(SessionToken, "token", slow_token)
    app = picker()
    async with app.run_test(size=SIZE) as pilot:
        await wait_until(pilot, lambda: len(shown(app, "accounts")) > 0, "the cached catalog")
        await pilot.press("ctrl+r")  # the token is still being read
        await pilot.pause()
        assert screen_name(app) == "MainScreen"
        token_read.set()
        await wait_until(
            pilot,
            lambda: {a.name for a in shown(app, "accounts")} == {""} and catalog_loaded(app, org)(),
            "the catalog fetched anew",
        )
        assert screen_name(app) == "MainScreen"


def test_ctrl_q_quits_at_once_while_a_call_hangs(
    sim: Simulator, sso_config: Path, org: Organisation
) -> None:
    """The picker ends when asked, not when the portal answers: the shell prompt comes back
    while a refresh still waits on Identity Center (here for good, or a deadline away)."""
    log_in()
    app = picker(settings=Settings(request_deadline=600))
    held = threading.Event()

    async def use(pilot: Pilot[Any]) -> None:
        await wait_until(pilot, catalog_loaded(app, org), "the catalog")
        sim.set(hang={"ListAccounts"})
        held.set()
        await pilot.press("ctrl+r")
        await wait_until(pilot, lambda: sim.calls["ListAccounts"] >= 2, "the refresh's call")
        await pilot.press("ctrl+q")

    # Should the picker wait for the call, let it go after a while, so the test ends anyway.
    release = threading.Timer(20, lambda: sim.set(hang=()))
    release.start()
    try:
        app.run(headless=True, size=SIZE, auto_pilot=use)
        assert held.is_set() and sim.knobs.hang, "ctrl+q waited for the portal to answer"
    finally:
        release.cancel()
        sim.set(hang=())


@async_test
async def test_letters_in_order_find_an_account_when_no_word_matches(
    sim: Simulator, sso_config: Path, org: Organisation
) -> None:
    log_in()
    app = picker()
    async with app.run_test(size=SIZE) as pilot:
        await wait_until(pilot, catalog_loaded(app, org), "the catalog")
        await burst(pilot, "umbsand")
        assert shown(app, "accounts")[0].name.startswith("umbrella-sandbox")
        await burst(pilot, "\x15umb")  # as soon as a word matches, words only
        assert all("umb" in a.name for a in shown(app, "accounts"))


HOSTILE = SimAccount(
    "111122223333",
    "evil\x1b]52;c;cHduZWQ=\x07\x1b[2J-prod",
    "x\x9b31m@example.com",
    [SimRole("Admin\x1b[31m\rRed")],
)


@async_test
async def test_names_with_control_characters_are_drawn_without_them(
    sim: Simulator, sso_config: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    sim.org.accounts.append(HOSTILE)
    sim.org._by_id[HOSTILE.account_id] = HOSTILE
    monkeypatch.setenv("SHELL", "/bin/sh")
    log_in()
    app = picker()
    async with app.run_test(size=SIZE) as pilot:
        await wait_until(pilot, lambda: len(shown(app, "accounts")) > 12, "the catalog")
        await type_text(pilot, "evil")
        await pilot.press("enter", "enter")  # the action menu: its title names the role
        await wait_until(pilot, lambda: "Admin" in screen_text(app), "the action menu")
        await pilot.press("c")  # the toast names the account and the role
        await wait_until(pilot, lambda: app._notifications, "the toast")
        drawn = screen_text(app) + " ".join(n.message for n in app._notifications)
        for control in ("\x1b", "\x07", "\x9b", "\r"):
            assert control not in drawn
        assert printable(HOSTILE.name) in drawn  # as the command line shows it


# Hangul fillers: blank to the eye, 0 cells to Rich but 1 or 2 to terminals (wcwidth, tmux)
FILLERS = "\u3164\uffa0\u115f\u1160"
BLANK = SimAccount("111122224444", FILLERS, "blank@example.com", [SimRole("Admin")])


@async_test
async def test_an_account_named_with_invisible_fillers_is_drawn_with_visible_stand_ins(
    sim: Simulator, sso_config: Path
) -> None:
    """A name of Hangul fillers looked blank (a spoof) and was measured by Rich otherwise than
    the terminal draws it: the row ran past its pane and the border went."""
    sim.org.accounts.append(BLANK)
    sim.org._by_id[BLANK.account_id] = BLANK
    log_in()
    app = picker()
    async with app.run_test(size=SIZE) as pilot:
        await wait_until(pilot, lambda: len(shown(app, "accounts")) > 12, "the catalog")
        await type_text(pilot, "111122224444")
        await wait_until(pilot, lambda: len(shown(app, "accounts")) == 1, "the one account")
        drawn = screen_text(app)
        assert not set(FILLERS) & set(drawn)
        assert "\ufffd" * 4 in drawn


def test_work_nearly_done_at_a_quit_is_not_cut_off(tmp_path: Path) -> None:
    """A favourite being saved when the user quits is saved: the threads still running get a
    moment before the process ends (a call hanging on the network does not hold it longer;
    see the test above)."""
    from tui.app.leaving import LeftBehind

    executor = LeftBehind()
    saved = tmp_path / "state.toml"

    def save() -> None:
        threading.Event().wait(0.2)  # a save held up by another ssotui's lock, briefly
        saved.write_text("favourites = []\n")

    executor.submit(save)
    executor.shutdown(wait=True)
    assert saved.exists()


@async_test
async def test_a_pasted_account_id_opens_that_account_even_when_another_is_named_so(
    sim: Simulator, sso_config: Path, org: Organisation
) -> None:
    owner = with_roles(org)
    # An account whose name is another account's id (and sorts ahead of it).
    decoy = SimAccount("100000000003", owner.account_id, "decoy@example.com", [SimRole("Decoy")])
    sim.org.accounts.append(decoy)
    sim.org._by_id[decoy.account_id] = decoy
    log_in()
    app = picker()
    async with app.run_test(size=SIZE) as pilot:
        await wait_until(pilot, catalog_loaded(app, sim.org), "the catalog")
        await type_text(pilot, owner.account_id)
        await pilot.press("enter")
        await wait_until(pilot, lambda: pane(app, "roles").has_focus_within, "the roles pane")
        assert pane(app, "accounts").highlighted_item.account_id == owner.account_id
        await wait_until(pilot, lambda: shown(app, "roles"), "the roles")
        assert {r.role_name for r in shown(app, "roles")} == {r.name for r in owner.roles}
