"""Finding one's way: the help screen (? and F1), the footer, and the command palette (ctrl+p)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from tests.app_support import (
    SIZE,
    async_test,
    burst,
    catalog_loaded,
    footer_keys,
    log_in,
    login_code,
    notes,
    pane,
    picker,
    screen_name,
    screen_text,
    sent_to_clipboard,
    type_text,
    use_palette,
    wait_until,
    with_roles,
)
from tui.sim import Organisation, Simulator


def _help_lines(app: Any) -> dict[str, dict[str, str]]:
    """The help screen's groups: title -> {keys: what they do}."""
    return {group.title: dict(group.keys) for group in app.screen.groups}


@async_test
async def test_question_mark_and_f1_list_every_key_of_the_screen(
    sim: Simulator, sso_config: Path, org: Organisation
) -> None:
    log_in()
    app = picker()
    async with app.run_test(size=SIZE) as pilot:
        await wait_until(pilot, catalog_loaded(app, org), "the catalog")
        await pilot.press("question_mark")
        assert screen_name(app) == "HelpScreen"
        keys = _help_lines(app)
        assert keys["This screen"] == {
            "esc": "Clear/Quit",
            "ctrl+f": "Favourite",
            "ctrl+r": "Refresh",
            "ctrl+g": "Region",
            "ctrl+o": "Log out",
            "shift+tab": "Other pane",  # was Textual's "Focus Previous"
        }
        assert keys["In the list"]["↓"] == "Down" and keys["In the list"]["tab"] == "Roles"
        assert keys["Filter box"]["enter"] == "Roles"
        assert keys["Anywhere"]["? / f1"] == "Keys"
        assert keys["Anywhere"]["ctrl+c / ctrl+q"] == "Quit"
        assert keys["Anywhere"]["ctrl+z"] == "Suspend (fg brings it back)"
        assert keys["Anywhere"]["ctrl+p"] == "Command palette: every action, by name"
        # the box's title names the screen; its first heading said the name again
        drawn = screen_text(app)
        assert "Keys · Accounts and roles" in drawn and drawn.count("Accounts and roles") == 1
        assert list(keys)[0] == "This screen"
        await pilot.press("question_mark")  # closes it; "?" never lands in the filter
        assert screen_name(app) == "MainScreen" and pane(app, "accounts").query_text == ""

        account = with_roles(org)
        await type_text(pilot, account.account_id)
        await pilot.press("enter", "f1")  # in the roles pane: what the keys do there
        keys = _help_lines(app)
        assert keys["This screen"]["esc"] == "Back"
        assert keys["Filter box"]["enter"] == "Actions"
        await pilot.press("escape", "enter", "question_mark")  # the action menu's own keys
        keys = _help_lines(app)
        assert (
            keys["This screen"].items()
            >= {
                "s": "Subshell",
                "c": "Copy",
                "w": "Write",
                "p": "Print",
                "o": "Console",
                "n": "New credentials",
                "esc": "Back",
            }.items()
        )
        assert keys["Anywhere"]["ctrl+c / ctrl+q"] == "Quit"
        assert "ctrl+c" not in str(keys["This screen"])  # it quits, whatever Textual binds
        # ctrl+p opens the palette over the menu too (it was missing here, in the box whose
        # border says "ctrl+p: every action, by name")
        assert keys["Anywhere"]["ctrl+p"] == "Command palette: every action, by name"


@async_test
async def test_the_login_screens_keys_leave_out_tab_which_has_nothing_to_move_to(
    sim: Simulator, sso_config: Path
) -> None:
    """The login screen has nothing to move the focus to: "tab Focus Next" and "shift+tab
    Focus Previous", Textual's own, were listed there and did nothing."""
    sim.set(approve="manual", interval=1)
    app = picker()
    async with app.run_test(size=SIZE) as pilot:
        await wait_until(pilot, lambda: login_code(app), "the login code")
        await pilot.press("question_mark")
        keys = _help_lines(app)
        assert keys["This screen"]["c"] == "Copy code" and keys["This screen"]["esc"] == "Cancel"
        listed = {key for lines in keys.values() for key in lines}
        assert "tab" not in listed and "shift+tab" not in listed, keys


@async_test
async def test_a_question_mark_in_a_profile_name_is_typed(
    sim: Simulator, sso_config: Path, org: Organisation
) -> None:
    log_in()
    app = picker()
    async with app.run_test(size=SIZE) as pilot:
        await wait_until(pilot, catalog_loaded(app, org), "the catalog")
        await type_text(pilot, with_roles(org).account_id)
        await pilot.press("enter", "enter", "w")
        await wait_until(pilot, lambda: screen_name(app) == "ProfileNameScreen", "the prompt")
        await pilot.press("ctrl+u", "a", "question_mark", "b")
        assert app.screen.query_one("#profile-name").value == "a?b"
        assert screen_name(app) == "ProfileNameScreen"


@async_test
async def test_the_footer_says_what_enter_and_tab_do_in_each_pane(
    sim: Simulator, sso_config: Path, org: Organisation
) -> None:
    log_in()
    app = picker()
    async with app.run_test(size=SIZE) as pilot:
        await wait_until(pilot, catalog_loaded(app, org), "the catalog")
        footer = footer_keys(app)
        assert footer["enter"] == "Roles" and "tab" not in footer  # "⏎/tab Roles", once
        assert app.screen.active_bindings["enter"].binding.key_display == "⏎/tab"
        assert "ctrl+l" not in footer  # logged in: nothing to log in to
        await type_text(pilot, with_roles(org).account_id)
        await pilot.press("enter")
        footer = footer_keys(app)
        assert (footer["enter"], footer["tab"], footer["escape"]) == ("Actions", "Accounts", "Back")
        await pilot.press("enter")  # the action menu shows its own keys, and only those
        assert set(footer_keys(app)) == {"s", "c", "w", "p", "o", "n", "escape"}


@async_test
async def test_the_palette_offers_every_action_and_runs_it(
    sim: Simulator, sso_config: Path, org: Organisation
) -> None:
    log_in()
    account = with_roles(org)
    app = picker()
    async with app.run_test(size=SIZE) as pilot:
        await wait_until(pilot, catalog_loaded(app, org), "the catalog")
        await type_text(pilot, account.account_id)
        main = app.screen
        titles = [command.title for command in app.get_system_commands(main)]
        role = pane(app, "roles").highlighted_item.role_name
        label = f"{account.name}/{role}"
        for expected in (
            "Keys",
            "Refresh the catalog",
            f"Mark account {account.name} as a favourite",
            f"Region for {account.name}…",
            f"Subshell as {label}",
            f"Copy export lines for {label}",
            f"Write a credentials profile for {label}",
            f"Print export lines on exit for {label}",
            f"Open the AWS console as {label}",
            f"Mark role {label} as a favourite",
            "Theme",
            "Suspend",
            "Quit",
        ):
            assert expected in titles
        # Textual's "Maximize the focused widget" drew the one-line filter box over a hatched
        # screen, the panes and the status line gone
        assert "Maximize" not in titles
        # Textual's own words ("Quit the application as soon as possible", "Change the
        # current theme", "Save an SVG 'screenshot'…"): the app's instead, as `?` says them
        helps = {c.title: c.help for c in app.get_system_commands(main)}
        assert helps["Quit"] == "Leave ssotui (ctrl+q or ctrl+c)"
        assert helps["Suspend"].endswith("`fg` brings it back (ctrl+z)")
        assert helps["Theme"].startswith("Try another theme's colours")
        assert "Screenshot" not in helps
        assert not any("application" in h or "Textual" in h for h in helps.values())

        sim.reset_calls()
        await use_palette(pilot, app, "refresh the catalog")
        await wait_until(pilot, lambda: sim.calls["ListAccounts"] >= 1, "a fresh ListAccounts")

        await use_palette(pilot, app, f"copy export lines for {account.name}")
        await wait_until(pilot, lambda: any("Copied" in n for n in notes(app)), "the copy")
        assert "AWS_SESSION_TOKEN" in sent_to_clipboard(app)

        await use_palette(pilot, app, "keys")
        assert screen_name(app) == "HelpScreen"


def _drawn_footer(app: Any) -> str:
    """The footer as the user sees it: the last line drawn."""
    return screen_text(app).splitlines()[-1]


@async_test
async def test_the_footer_leaves_out_the_keys_that_act_on_a_row_while_none_matches(
    sim: Simulator, sso_config: Path, org: Organisation
) -> None:
    """Before, "⏎/tab Roles", "^f Favourite" and "^g Region" stayed in the footer over "no
    account matches" (and "⏎ Actions" over "no role matches"), and did nothing."""
    log_in()
    app = picker()
    async with app.run_test(size=SIZE) as pilot:
        await wait_until(pilot, catalog_loaded(app, org), "the catalog")
        await wait_until(pilot, lambda: "^g Region" in _drawn_footer(app), "the region key")
        assert "⏎/tab Roles" in _drawn_footer(app) and "^f Favourite" in _drawn_footer(app)
        await type_text(pilot, "qqqzzz")  # no account has it
        await wait_until(pilot, lambda: "Roles" not in _drawn_footer(app), "the footer redrawn")
        footer = _drawn_footer(app)
        assert "Favourite" not in footer and "Region" not in footer
        assert "esc Clear/Quit" in footer and "^r Refresh" in footer  # those still work
        await pilot.press(*["backspace"] * 6)  # every account again: the keys are back
        await wait_until(pilot, lambda: "⏎/tab Roles" in _drawn_footer(app), "the keys back")
        assert "^f Favourite" in _drawn_footer(app) and "^g Region" in _drawn_footer(app)

        await type_text(pilot, with_roles(org).account_id)
        await pilot.press("enter")  # in the roles pane
        await wait_until(pilot, lambda: "⏎ Actions" in _drawn_footer(app), "the roles' keys")
        await type_text(pilot, "qqqzzz")  # no role has it
        await wait_until(pilot, lambda: "Actions" not in _drawn_footer(app), "the footer redrawn")
        assert "Favourite" not in _drawn_footer(app)
        assert "tab Accounts" in _drawn_footer(app) and "esc Back" in _drawn_footer(app)
        await pilot.press("enter")  # nothing to act on: no menu
        assert screen_name(app) == "MainScreen"


@async_test
async def test_every_key_is_described_in_one_casing_in_the_footer_the_keys_and_the_palette(
    sim: Simulator, sso_config: Path, org: Organisation
) -> None:
    """The action menu's footer said "s subshell … esc Back", its box "esc back", and the
    footer's last key "^p palette": each key's description starts with a capital, as
    Textual's own do ("Quit", "Copy selected text") and the rest of ours did."""
    from tests.app_support import open_action_menu, usable_role

    log_in()
    app = picker()
    account = with_roles(org)

    def lower(texts: list[str]) -> list[str]:
        return [t for t in texts if t[:1].islower()]

    async with app.run_test(size=SIZE) as pilot:
        await wait_until(pilot, catalog_loaded(app, org), "the catalog")
        await wait_until(pilot, lambda: "▏^p " in _drawn_footer(app), "the footer")
        assert _drawn_footer(app).rstrip().endswith("▏^p Palette")
        await open_action_menu(pilot, app, org, account, usable_role(account))
        drawn = screen_text(app)
        assert "esc Back" in drawn and "s Open a subshell" in drawn
        assert lower(list(footer_keys(app).values())) == []
        palette = [c.title for c in app.get_system_commands(app.screen)]
        assert "Subshell" in palette and lower(palette) == []
        await pilot.press("question_mark")
        assert lower([what for g in _help_lines(app).values() for what in g.values()]) == []


@async_test
async def test_the_filter_boxs_keys_are_those_a_terminal_sends_said_as_they_act(
    sim: Simulator, sso_config: Path, org: Organisation
) -> None:
    """Textual's Input listed "super+c Copy selected text" (no terminal without the kitty
    keyboard protocol sends super, nor ctrl+shift+a, nor ctrl+backspace) and "alt+backspace
    Delete right to start of word", which deletes the word to the left in a terminal: it
    arrives as ESC DEL, which Textual reads as ctrl+w."""
    log_in()
    app = picker()
    async with app.run_test(size=SIZE) as pilot:
        await wait_until(pilot, catalog_loaded(app, org), "the catalog")
        await pilot.press("question_mark")
        box = _help_lines(app)["Filter box"]
        listed = " / ".join(box)
        for never_sent in ("super", "ctrl+shift+a", "ctrl+backspace"):
            assert never_sent not in listed, box
        assert box["ctrl+w / alt+backspace"] == "Delete the word to the left"
        assert box["alt+d / ctrl+del"] == "Delete the word to the right"
        assert box["→"] == "Move cursor right"  # no completion to accept: there is none
        assert box["ctrl+v"] == "Paste what ctrl+x cut here (the terminal's own paste works too)"
        assert "Copy selected text" not in box.values()  # ctrl+c quits, super+c is never sent
        await pilot.press("escape")

        accounts = pane(app, "accounts")
        for keys in (["alt+backspace"], ["ctrl+backspace"]):  # as the kitty protocol says them
            await type_text(pilot, "prod web")
            await pilot.press(*keys)
            assert accounts.query_text == "prod ", keys
            await pilot.press("ctrl+u")
        await type_text(pilot, "prod web")
        await burst(pilot, "\x1b\x7f")  # alt+backspace as any other terminal sends it
        assert accounts.query_text == "prod "
        await pilot.press("home")
        await burst(
            pilot, "\x1bd", nothing_follows=True
        )  # alt+d as a terminal sends it: ESC d (not a "d" typed)
        assert accounts.query_text == ""
        await type_text(pilot, "prod web")
        await pilot.press("home", "ctrl+delete")
        assert accounts.query_text == "web"
