"""The action menu on a role: subshell, copy, write profile, print; and what can go wrong."""

from __future__ import annotations

import base64
import os
import re
import subprocess
import threading
from datetime import datetime
from pathlib import Path
from typing import Any

import botocore.session
import pytest
from textual.widgets import Input

from tests.app_support import (
    SIZE,
    async_test,
    catalog_loaded,
    dev_session,
    log_in,
    login_code,
    notes,
    open_action_menu,
    pane,
    picker,
    screen_name,
    sent_to_clipboard,
    status_text,
    type_text,
    usable_role,
    use_palette,
    wait_until,
    with_roles,
)
from tests.conftest import here
from tui.app.app import SsotuiApp
from tui.aws.token_cache import load_token
from tui.export.credentials_file import EXPIRES_KEY
from tui.export.profile_names import profile_name_part
from tui.local_time import local_time
from tui.models import Account, Catalog, utcnow
from tui.sim import Organisation, Simulator
from tui.store import catalog_cache
from tui.store import state as state_store


@async_test
async def test_s_runs_the_shell_with_the_credentials_and_comes_back(
    sim: Simulator, sso_config: Path, org: Organisation, tmp_path: Path, monkeypatch: Any
) -> None:
    out = tmp_path / "env.txt"
    shell = tmp_path / "fake-shell"
    shell.write_text(f'#!/bin/sh\nenv > "{out}"\nexit 3\n')
    shell.chmod(0o755)
    monkeypatch.setenv("SHELL", str(shell))
    with sso_config.open("a") as config:
        config.write("[profile elsewhere]\nregion = eu-west-1\n")
    monkeypatch.setenv("AWS_PROFILE", "elsewhere")  # must not reach the subshell
    log_in()
    account = with_roles(org)
    role = usable_role(account)
    app = picker()
    async with app.run_test(size=SIZE) as pilot:
        await wait_until(pilot, catalog_loaded(app, org), "the catalog")
        await open_action_menu(pilot, app, org, account, role)
        await pilot.press("s")
        await wait_until(pilot, lambda: any("subshell" in n for n in notes(app)), "the return")
        assert "exit status 3" in notes(app)[-1]
        # How long the subshell's credentials had left when it returned (they last an hour).
        label = re.escape(f"{account.name}/{role}")
        assert re.fullmatch(
            rf"Back from the subshell for {label} \(exit status 3\); "
            r"its credentials had (59|60)m left\.",
            notes(app)[-1],
        )
        assert screen_name(app) == "MainScreen"
        assert pane(app, "roles").highlighted_item.role_name == role  # where the user was
    env = dict(line.split("=", 1) for line in out.read_text().splitlines() if "=" in line)
    assert env["AWS_ACCESS_KEY_ID"]
    assert env["AWS_SECRET_ACCESS_KEY"] and env["AWS_SESSION_TOKEN"]
    assert env["SSOTUI_ACCOUNT_ID"] == account.account_id
    assert env["SSOTUI_ROLE_NAME"] == role
    assert "AWS_PROFILE" not in env
    # Using a role makes it recent: it floats to the top next time.
    assert state_store.load(here().state_file).recent_roles() == [(account.account_id, role)]


@async_test
async def test_the_return_from_a_subshell_ended_by_a_signal_names_it_in_one_sentence(
    sim: Simulator, sso_config: Path, org: Organisation, tmp_path: Path, monkeypatch: Any
) -> None:
    shell = tmp_path / "fake-shell"
    shell.write_text("#!/bin/sh\nsleep 2.5\nkill -TERM $$\n")  # outlives its credentials
    shell.chmod(0o755)
    monkeypatch.setenv("SHELL", str(shell))
    sim.set(credential_lifetime=2)
    log_in()
    account = with_roles(org)
    role = usable_role(account)
    app = picker()
    async with app.run_test(size=SIZE) as pilot:
        await wait_until(pilot, catalog_loaded(app, org), "the catalog")
        await open_action_menu(pilot, app, org, account, role)
        await pilot.press("n", "s")  # new credentials, then the subshell
        await wait_until(pilot, lambda: any("subshell" in n for n in notes(app)), "the return")
        label = re.escape(f"{account.name}/{role}")
        assert re.fullmatch(
            rf"Back from the subshell for {label} \(new credentials, ended by "
            r"SIGTERM\); its credentials expired at \d{4}-\d\d-\d\d \d\d:\d\d \S+\.",
            notes(app)[-1],
        ), notes(app)[-1]


def _record_terminal_writes(app: SsotuiApp) -> list[tuple[str, bool]]:
    """What the app writes to its terminal from now on, and whether from the UI thread."""
    writes: list[tuple[str, bool]] = []
    driver = app._driver
    assert driver is not None
    write = driver.write

    def recording(data: str) -> None:
        writes.append((data, threading.current_thread() is threading.main_thread()))
        write(data)

    driver.write = recording  # type: ignore[method-assign]
    return writes


@async_test
async def test_c_copies_export_lines_through_the_apps_own_osc52_and_says_so(
    sim: Simulator, sso_config: Path, org: Organisation, monkeypatch: Any
) -> None:
    # SSOTUI_CLIPBOARD=none (conftest): no system clipboard, so the terminal's gets the lines.
    master, slave = os.openpty()
    monkeypatch.setenv("SSOTUI_TTY", os.ttyname(slave))
    monkeypatch.delenv("TMUX", raising=False)
    monkeypatch.setenv("SHELL", "/usr/bin/fish")
    log_in()
    account = with_roles(org)
    app = picker()
    try:
        async with app.run_test(size=SIZE) as pilot:
            await wait_until(pilot, catalog_loaded(app, org), "the catalog")
            writes = _record_terminal_writes(app)
            await open_action_menu(pilot, app, org, account, usable_role(account))
            await pilot.press("c")
            await wait_until(pilot, lambda: notes(app), "a notification")
        os.set_blocking(master, False)
        with pytest.raises(BlockingIOError):
            os.read(master, 65536)  # the worker thread wrote nothing to the terminal itself
    finally:
        os.close(master)
        os.close(slave)
    text = sent_to_clipboard(app)  # what the app put on the terminal's clipboard
    assert text.startswith("set -e -g AWS_PROFILE; or true\n")  # as `ssotui export` prints them
    assert "\nset -gx AWS_ACCESS_KEY_ID " in text
    secret = re.search(r'AWS_SECRET_ACCESS_KEY "([^"]+)"', text)
    assert secret is not None
    (note,) = notes(app)
    assert "Copied fish export lines" in note and "OSC 52" in note
    # When they expire, in local time with the zone.
    expiry = re.search(r'AWS_CREDENTIAL_EXPIRATION "([^"]+)"', text)
    assert expiry is not None
    expires = datetime.fromisoformat(expiry.group(1).replace("Z", "+00:00"))
    assert f"they expire {local_time(expires)} (in " in note
    assert secret.group(1) not in note and text not in note
    osc52 = "\x1b]52;c;" + base64.b64encode(text.encode()).decode() + "\a"
    assert (osc52, True) in writes  # sent by the app, on the UI thread


@async_test
async def test_in_tmux_the_osc52_is_also_passed_through_to_the_outer_terminal(
    sim: Simulator, sso_config: Path, org: Organisation, monkeypatch: Any
) -> None:
    monkeypatch.setenv("TMUX", "/tmp/tmux-0/default,1,0")
    log_in()
    account = with_roles(org)
    app = picker()
    async with app.run_test(size=SIZE) as pilot:
        await wait_until(pilot, catalog_loaded(app, org), "the catalog")
        writes = _record_terminal_writes(app)
        await open_action_menu(pilot, app, org, account, usable_role(account))
        await pilot.press("c")
        await wait_until(pilot, lambda: notes(app), "a notification")
    payload = base64.b64encode(sent_to_clipboard(app).encode()).decode()
    sent = [data for data, _ in writes]
    assert f"\x1b]52;c;{payload}\a" in sent  # for tmux's own set-clipboard
    assert f"\x1bPtmux;\x1b\x1b]52;c;{payload}\a\x1b\\" in sent  # passed through by tmux
    # tmux 3.3 and later pass neither on by default: the note says what it takes
    (note,) = notes(app)
    assert "(OSC 52; inside tmux, only with `set -g set-clipboard on`)" in note, note


@async_test
async def test_w_writes_a_profile_botocore_can_read(
    sim: Simulator, sso_config: Path, org: Organisation, home: Any
) -> None:
    log_in()
    account = with_roles(org)
    role = usable_role(account)
    app = picker()
    async with app.run_test(size=SIZE) as pilot:
        await wait_until(pilot, catalog_loaded(app, org), "the catalog")
        await open_action_menu(pilot, app, org, account, role)
        await pilot.press("w")
        await wait_until(pilot, lambda: screen_name(app) == "ProfileNameScreen", "the prompt")
        prefilled = app.screen.query_one("#profile-name").value
        # the rule populate uses too (ASCII, which every SDK reads; see test_populate_odd_names)
        assert prefilled == f"{profile_name_part(account.name) or account.account_id}.{role}"
        assert prefilled.isascii()
        await pilot.press("ctrl+u")
        await type_text(pilot, "team-dev")
        await pilot.press("enter")
        await wait_until(pilot, lambda: notes(app), "a notification")
        assert "Wrote profile [team-dev]" in notes(app)[0]
        assert "others can read" not in notes(app)[0]
    creds = botocore.session.Session(profile="team-dev").get_credentials()
    assert creds is not None
    assert creds.access_key and creds.token
    written = home.aws_credentials.read_text()
    assert f"aws_access_key_id = {creds.access_key}" in written
    expiry = re.search(rf"{EXPIRES_KEY} = (\S+)", written)
    assert expiry is not None
    expires = datetime.fromisoformat(expiry.group(1).replace("Z", "+00:00"))
    assert f"It expires {local_time(expires)} (in " in notes(app)[0]


@async_test
async def test_w_on_a_profile_with_long_lived_keys_asks_for_another_name(
    sim: Simulator, sso_config: Path, org: Organisation, home: Any
) -> None:
    static = "[static]\naws_access_key_id = AKIAEXAMPLE\naws_secret_access_key = kept\n"
    home.aws_credentials.write_text(static)
    log_in()
    account = with_roles(org)
    role = usable_role(account)
    app = picker()
    async with app.run_test(size=SIZE) as pilot:
        await wait_until(pilot, catalog_loaded(app, org), "the catalog")
        await open_action_menu(pilot, app, org, account, role)
        await pilot.press("w")
        await wait_until(pilot, lambda: screen_name(app) == "ProfileNameScreen", "the prompt")
        await pilot.press("ctrl+u")
        await type_text(pilot, "static")
        await pilot.press("enter")
        # Asked again, with why; no "--force", which the picker has no way to pass.
        await wait_until(
            pilot,
            lambda: "long-lived" in str(app.screen.query_one("#profile-error").render()),
            "the prompt again, with why",
        )
        said = str(app.screen.query_one("#profile-error").render())
        assert "--force" not in said and "another name" in said
        await pilot.press("ctrl+u")
        await type_text(pilot, "team-dev")
        await pilot.press("enter")
        await wait_until(pilot, lambda: notes(app), "a notification")
        assert "Wrote profile [team-dev]" in notes(app)[0]
    assert home.aws_credentials.read_text().startswith(static)


@async_test
async def test_w_asks_again_for_a_name_from_which_the_javascript_sdk_reads_a_comment(
    sim: Simulator, sso_config: Path, org: Organisation, home: Any
) -> None:
    log_in()
    account = with_roles(org)
    role = usable_role(account)
    app = picker()
    async with app.run_test(size=SIZE) as pilot:
        await wait_until(pilot, catalog_loaded(app, org), "the catalog")
        await open_action_menu(pilot, app, org, account, role)
        await pilot.press("w")
        await wait_until(pilot, lambda: screen_name(app) == "ProfileNameScreen", "the prompt")
        await pilot.press("ctrl+u")
        await type_text(pilot, "team #2")
        await pilot.press("enter")
        await wait_until(
            pilot,
            lambda: "JavaScript" in str(app.screen.query_one("#profile-error").render()),
            "the prompt again, with why",
        )
        assert screen_name(app) == "ProfileNameScreen"
    assert not home.aws_credentials.exists()


@async_test
async def test_w_into_a_credentials_file_botocore_cannot_parse_says_why_and_leaves_it(
    sim: Simulator, sso_config: Path, org: Organisation, home: Any
) -> None:
    log_in()
    account = with_roles(org)
    role = usable_role(account)
    app = picker()
    broken = b"aws_access_key_id = AKIAEXAMPLE\n[mine]\nk = v\n"  # a setting before any header
    async with app.run_test(size=SIZE) as pilot:
        await wait_until(pilot, catalog_loaded(app, org), "the catalog")
        await open_action_menu(pilot, app, org, account, role)
        await pilot.press("w")
        await wait_until(pilot, lambda: screen_name(app) == "ProfileNameScreen", "the prompt")
        # Broken while the prompt is open: the credentials are already in hand.
        home.aws_credentials.write_bytes(broken)
        await pilot.press("enter")
        await wait_until(pilot, lambda: notes(app), "a notification")
        said = notes(app)[0]
        assert said.startswith(f"the shared credentials file {home.aws_credentials}, line 1")
        assert "a setting before any [section] header" in said and "\n" not in said
    assert home.aws_credentials.read_bytes() == broken


@async_test
async def test_w_names_a_credentials_file_with_brackets_and_escapes_as_it_is_and_safely(
    sim: Simulator, sso_config: Path, org: Organisation, tmp_path: Path, monkeypatch: Any
) -> None:
    """The prompt read "[b]" in the folder's name as markup ("awswork"); the toast that says
    where the profile went had the ESC of the name raw."""
    folder = tmp_path / "aws[b]work \x1b[7m"
    folder.mkdir()
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(folder / "credentials"))
    log_in()
    account = with_roles(org)
    app = picker()
    async with app.run_test(size=SIZE) as pilot:
        await wait_until(pilot, catalog_loaded(app, org), "the catalog")
        await open_action_menu(pilot, app, org, account, usable_role(account))
        await pilot.press("w")
        await wait_until(pilot, lambda: screen_name(app) == "ProfileNameScreen", "the prompt")
        prompt = str(app.screen.query_one("#profile-file").render())
        assert prompt.endswith("/aws[b]work ␛[7m/credentials:")
        await pilot.press("enter")
        await wait_until(pilot, lambda: notes(app), "a notification")
        [said] = notes(app)
        assert said.startswith("Wrote profile [") and "aws[b]work " in said
        assert "\x1b" not in said
    assert (folder / "credentials").exists()


@async_test
async def test_p_prints_export_lines_after_the_app_exits(
    sim: Simulator, sso_config: Path, org: Organisation, monkeypatch: Any
) -> None:
    monkeypatch.setenv("SHELL", "/bin/bash")
    log_in()
    account = with_roles(org)
    role = usable_role(account)
    app = picker()
    async with app.run_test(size=SIZE) as pilot:
        await wait_until(pilot, catalog_loaded(app, org), "the catalog")
        await open_action_menu(pilot, app, org, account, role)
        await pilot.press("p")
        await wait_until(pilot, lambda: app.return_value is not None, "the exit")
    printed = app.return_value
    assert printed is not None and printed.startswith("unset AWS_PROFILE ")
    assert "\nexport AWS_ACCESS_KEY_ID=" in printed
    shell = subprocess.run(
        ["sh", "-c", 'eval "$1"; echo "$SSOTUI_ROLE_NAME $AWS_SESSION_TOKEN"', "sh", printed],
        capture_output=True,
        text=True,
        check=True,
    )
    role_seen, token = shell.stdout.split()
    assert role_seen == role and token
    assert state_store.load(here().state_file).recent_roles() == [(account.account_id, role)]


@async_test
async def test_p_with_stdout_on_the_terminal_says_so_first_and_prints_at_the_second(
    sim: Simulator, sso_config: Path, org: Organisation
) -> None:
    """Plain `ssotui` (stdout the terminal): the first p would have put the secret keys on
    the screen and in the scrollback; it says so and how to do without, the menu stays."""
    log_in()
    account = with_roles(org)
    app = picker()
    app.print_note.on_terminal = True  # as `run` finds it when stdout is not redirected
    async with app.run_test(size=SIZE) as pilot:
        await wait_until(pilot, catalog_loaded(app, org), "the catalog")
        await open_action_menu(pilot, app, org, account, usable_role(account))
        await pilot.press("p")
        await wait_until(pilot, lambda: notes(app), "the note")
        [said] = notes(app)
        assert "secret keys on the screen" in said and "scrollback" in said
        assert "c copies them" in said and 'eval "$(ssotui)"' in said
        assert said.endswith("Press p again to print them anyway.")
        assert screen_name(app) == "ActionMenu" and app.return_value is None
        await pilot.press("p")
        await wait_until(pilot, lambda: app.return_value is not None, "the exit")
    printed = app.return_value
    assert isinstance(printed, str) and "\nexport AWS_ACCESS_KEY_ID=" in printed


@async_test
async def test_the_palettes_print_entry_says_the_same_note_first_on_the_terminal(
    sim: Simulator, sso_config: Path, org: Organisation
) -> None:
    log_in()
    account = with_roles(org)
    app = picker()
    app.print_note.on_terminal = True
    async with app.run_test(size=SIZE) as pilot:
        await wait_until(pilot, catalog_loaded(app, org), "the catalog")
        await open_action_menu(pilot, app, org, account, usable_role(account))
        await pilot.press("escape")  # back on the role, for the palette
        await wait_until(pilot, lambda: screen_name(app) == "MainScreen", "the main screen")
        await use_palette(pilot, app, f"print export lines on exit for {account.name}")
        await wait_until(pilot, lambda: notes(app), "the note")
        [said] = notes(app)
        assert "secret keys on the screen" in said
        assert said.endswith("Choose it again to print them anyway.")
        assert app.return_value is None
        await use_palette(pilot, app, f"print export lines on exit for {account.name}")
        await wait_until(pilot, lambda: app.return_value is not None, "the exit")
    printed = app.return_value
    assert isinstance(printed, str) and "\nexport AWS_ACCESS_KEY_ID=" in printed


@async_test
async def test_a_role_without_access_is_a_notification(
    sim: Simulator, sso_config: Path, org: Organisation
) -> None:
    log_in()
    account = next(a for a in org.accounts if any(r.forbidden for r in a.roles))
    forbidden = next(r.name for r in account.roles if r.forbidden)
    app = picker()
    async with app.run_test(size=SIZE) as pilot:
        await wait_until(pilot, catalog_loaded(app, org), "the catalog")
        await open_action_menu(pilot, app, org, account, forbidden)
        await pilot.press("c")
        await wait_until(pilot, lambda: notes(app), "a notification")
        assert notes(app)[0].startswith(f"no access to role {forbidden}")
        # The picker's key for the command line's advice (`ssotui list --refresh`).
        assert notes(app)[0].endswith("or press ctrl+r to refresh the list")
        assert "`ssotui" not in notes(app)[0]
        assert screen_name(app) == "MainScreen"
    assert state_store.load(here().state_file).recent == ()


@async_test
async def test_the_status_line_says_credentials_are_on_their_way_until_they_come(
    sim: Simulator, sso_config: Path, org: Organisation
) -> None:
    log_in()
    account = with_roles(org)
    role = usable_role(account)
    forbidden_in = next(a for a in org.accounts if any(r.forbidden for r in a.roles))
    forbidden = next(r.name for r in forbidden_in.roles if r.forbidden)
    app = picker()
    async with app.run_test(size=SIZE) as pilot:
        await wait_until(pilot, catalog_loaded(app, org), "the catalog")
        sim.set(hang={"GetRoleCredentials"})  # a slow or throttled portal: it takes a while
        await open_action_menu(pilot, app, org, account, role)
        await pilot.press("c")
        await wait_until(pilot, lambda: sim.calls["GetRoleCredentials"], "the call")
        await wait_until(
            pilot, lambda: "getting credentials…" in status_text(app), "the call on the status line"
        )
        sim.set(hang=())
        await wait_until(pilot, lambda: any("Copied" in n for n in notes(app)), "the copy")
        assert "getting credentials" not in status_text(app)
        # A refusal ends the wait too.
        await pilot.press("tab", "ctrl+u")
        await open_action_menu(pilot, app, org, forbidden_in, forbidden)
        await pilot.press("c")
        await wait_until(pilot, lambda: any("no access" in n for n in notes(app)), "the refusal")
        assert "getting credentials" not in status_text(app)


@async_test
async def test_escape_closes_the_menu(sim: Simulator, sso_config: Path, org: Organisation) -> None:
    log_in()
    account = with_roles(org)
    app = picker()
    async with app.run_test(size=SIZE) as pilot:
        await wait_until(pilot, catalog_loaded(app, org), "the catalog")
        await open_action_menu(pilot, app, org, account, usable_role(account))
        await pilot.press("escape")
        assert screen_name(app) == "MainScreen"
        sim.reset_calls()
        await pilot.pause(0.1)
        assert sim.calls["GetRoleCredentials"] == 0


@async_test
async def test_a_session_lost_mid_use_logs_in_again_and_finishes_the_action(
    sim: Simulator, sso_config: Path, org: Organisation, tmp_path: Path, monkeypatch: Any
) -> None:
    out = tmp_path / "env.txt"
    shell = tmp_path / "fake-shell"
    shell.write_text(f'#!/bin/sh\nenv > "{out}"\n')
    shell.chmod(0o755)
    monkeypatch.setenv("SHELL", str(shell))
    log_in()
    account = with_roles(org)
    role = usable_role(account)
    app = picker()
    async with app.run_test(size=SIZE) as pilot:
        await wait_until(pilot, catalog_loaded(app, org), "the catalog")
        sim.set(approve="manual", interval=1)
        sim.revoke_tokens()  # the refresh token too: only a login helps
        await open_action_menu(pilot, app, org, account, role)
        await pilot.press("s")
        await wait_until(pilot, lambda: login_code(app), "the login screen")
        assert "no longer accepts" in str(app.screen.query_one("#login-reason").render())
        sim.approve(login_code(app))
        await wait_until(pilot, lambda: out.exists(), "the subshell after the login")
        await wait_until(pilot, lambda: screen_name(app) == "MainScreen", "the main screen")
        assert pane(app, "roles").highlighted_item.role_name == role
    assert f"SSOTUI_ROLE_NAME={role}" in out.read_text()


@async_test
async def test_a_session_lost_mid_use_is_said_so_though_its_token_file_went_first(
    sim: Simulator, sso_config: Path, org: Organisation, tmp_path: Path, monkeypatch: Any
) -> None:
    """The dead token's file is deleted before the call that met the 401 fails; the picker's
    look at the token file may see it go first ("not logged in"). The login screen still says
    the session was lost (it said nothing, once, under load)."""
    from tui.aws import tokens

    monkeypatch.setenv("SHELL", "/bin/true")
    seen_gone = threading.Event()
    forget = tokens._forget

    def forget_then_wait(*args: Any) -> None:
        forget(*args)
        seen_gone.wait(30)  # until the picker has seen the file go

    monkeypatch.setattr(tokens, "_forget", forget_then_wait)
    log_in()
    account = with_roles(org)
    role = usable_role(account)
    app = picker()
    async with app.run_test(size=SIZE) as pilot:
        await wait_until(pilot, catalog_loaded(app, org), "the catalog")
        sim.set(approve="manual", interval=1)
        sim.revoke_tokens()
        await open_action_menu(pilot, app, org, account, role)
        await pilot.press("s")
        await wait_until(pilot, lambda: "not logged in" in status_text(app), "the file seen gone")
        seen_gone.set()
        await wait_until(pilot, lambda: login_code(app), "the login screen")
        await wait_until(
            pilot,
            lambda: "no longer accepts" in str(app.screen.query_one("#login-reason").render()),
            "the reason",
        )


@async_test
async def test_a_role_chosen_while_logged_out_asks_for_the_login_it_never_had(
    sim: Simulator, sso_config: Path, org: Organisation
) -> None:
    # Accounts from the cache, no token: the user left the first login screen, then picks.
    accounts = tuple(Account(a.account_id, a.name, a.email) for a in org.accounts)
    roles = {a.account_id: tuple(r.name for r in a.roles) for a in org.accounts}
    catalog_cache.save(here(), dev_session(), Catalog(accounts, roles, fetched_at=utcnow()))
    sim.set(approve="manual", interval=1)
    account = with_roles(org)
    role = usable_role(account)
    app = picker()
    async with app.run_test(size=SIZE) as pilot:
        await wait_until(pilot, lambda: login_code(app), "the first login screen")
        await pilot.press("escape")
        await wait_until(pilot, catalog_loaded(app, org), "the cached catalog")
        await open_action_menu(pilot, app, org, account, role)
        await pilot.press("c")
        await wait_until(pilot, lambda: login_code(app), "the login screen for the role")
        # Nothing "no longer accepts" a session that was never logged in.
        assert not app.screen.query_one("#login-reason").display
        sim.approve(login_code(app))
        await wait_until(pilot, lambda: any("Copied" in n for n in notes(app)), "the copy")


@async_test
async def test_an_access_token_ended_early_is_renewed_without_a_login(
    sim: Simulator, sso_config: Path, org: Organisation, tmp_path: Path, monkeypatch: Any
) -> None:
    out = tmp_path / "env.txt"
    shell = tmp_path / "fake-shell"
    shell.write_text(f'#!/bin/sh\nenv > "{out}"\n')
    shell.chmod(0o755)
    monkeypatch.setenv("SHELL", str(shell))
    first = log_in()
    account = with_roles(org)
    role = usable_role(account)
    app = picker()
    async with app.run_test(size=SIZE) as pilot:
        await wait_until(pilot, catalog_loaded(app, org), "the catalog")
        sim.set(approve="manual", interval=1)  # a login screen would wait: the test times out
        sim.expire_tokens()  # refused by the portal long before the expiry the cache says
        await open_action_menu(pilot, app, org, account, role)
        await pilot.press("s")
        await wait_until(pilot, lambda: out.exists(), "the subshell with a renewed token")
        await wait_until(pilot, lambda: screen_name(app) == "MainScreen", "the main screen")
        assert not sim.pending()  # no login was started
        main: Any = app.screen
        renewed = load_token(here(), dev_session())
        assert renewed is not None and renewed.access_token != first.access_token
        # The catalog fetch renews the same way, and starts over with the new token.
        sim.expire_tokens()
        fetched = sim.calls["ListAccounts"]
        await pilot.press("ctrl+r")
        await wait_until(
            pilot, lambda: sim.calls["ListAccounts"] > fetched + 1, "a fetch, then another"
        )
        await wait_until(pilot, lambda: not main.model.progress.loading, "the catalog again")
        assert screen_name(app) == "MainScreen" and not sim.pending()
        assert main.model.progress.roles_done == len(org.accounts)
        assert sim.calls["CreateToken"] == 3  # the login, then one refresh each time
        assert len(notes(app)) == 1  # "Back from the subshell": no error on the way
    assert f"SSOTUI_ROLE_NAME={role}" in out.read_text()


@async_test
async def test_w_into_a_credentials_file_others_can_read_says_so(
    sim: Simulator, sso_config: Path, org: Organisation, home: Any
) -> None:
    log_in()
    account = with_roles(org)
    role = usable_role(account)
    home.aws_credentials.parent.mkdir(parents=True, exist_ok=True)
    home.aws_credentials.write_text("")
    home.aws_credentials.chmod(0o640)
    app = picker()
    async with app.run_test(size=SIZE) as pilot:
        await wait_until(pilot, catalog_loaded(app, org), "the catalog")
        await open_action_menu(pilot, app, org, account, role)
        await pilot.press("w")
        await wait_until(pilot, lambda: screen_name(app) == "ProfileNameScreen", "the prompt")
        await pilot.press("enter")
        await wait_until(pilot, lambda: notes(app), "a notification")
        assert notes(app)[0].endswith(
            f"But others can read {home.aws_credentials} (mode 0640), and with it the keys just "
            f"written: chmod 600 {home.aws_credentials}."
        )


@async_test
async def test_ctrl_v_in_a_filter_box_never_pastes_the_credentials_c_copied(
    sim: Simulator, sso_config: Path, org: Organisation, monkeypatch: Any
) -> None:
    """ctrl+v in an Input pastes Textual's own clipboard: what the app last copied. After `c`
    (OSC 52) that was the export lines, secret key and all, shown in the roles' filter box."""
    monkeypatch.delenv("TMUX", raising=False)
    log_in()
    account = with_roles(org)
    app = picker()
    async with app.run_test(size=SIZE) as pilot:
        await wait_until(pilot, catalog_loaded(app, org), "the catalog")
        writes = _record_terminal_writes(app)
        await open_action_menu(pilot, app, org, account, usable_role(account))
        await pilot.press("c")
        await wait_until(pilot, lambda: notes(app), "a notification")
        (sent,) = [data for data, _ in writes if data.startswith("\x1b]52;c;")]
        text = base64.b64decode(sent.removeprefix("\x1b]52;c;").removesuffix("\a")).decode()
        assert "AWS_SECRET_ACCESS_KEY" in text  # the terminal got the lines
        assert screen_name(app) == "MainScreen"  # back in the roles' filter box
        roles, accounts = pane(app, "roles"), pane(app, "accounts")
        await pilot.press("ctrl+u", "ctrl+v")
        assert roles.query_text == ""
        await pilot.press("shift+tab", "ctrl+u", "ctrl+v")
        assert app.focused is accounts.query_one(Input) and accounts.query_text == ""
        # what ctrl+x cut in a box is still what ctrl+v pastes
        await type_text(pilot, "web")
        await pilot.press("shift+home", "ctrl+x", "ctrl+v", "ctrl+v")
        assert accounts.query_text == "webweb"


@async_test
async def test_a_click_on_a_line_of_the_action_menu_does_what_its_key_does(
    sim: Simulator, sso_config: Path, org: Organisation
) -> None:
    """The menu's lines look like a menu, and the footer's keys take clicks: its own lines
    took none."""
    log_in()
    account = with_roles(org)
    role = usable_role(account)
    app = picker()
    async with app.run_test(size=SIZE) as pilot:
        await wait_until(pilot, catalog_loaded(app, org), "the catalog")
        await open_action_menu(pilot, app, org, account, role)
        await pilot.click("#action-new")  # the n line: new credentials on
        await wait_until(pilot, lambda: app.screen.has_class("-fresh"), "new credentials on")
        await pilot.click("#action-back")  # esc: back to the roles, nothing done
        await wait_until(pilot, lambda: screen_name(app) == "MainScreen", "the main screen")
        await pilot.press("enter")
        await wait_until(pilot, lambda: screen_name(app) == "ActionMenu", "the action menu")
        await pilot.click("#action-p")  # p: the export lines, printed once the picker closes
        await wait_until(pilot, lambda: app.return_value is not None, "the exit")
    printed = app.return_value
    assert isinstance(printed, str) and "\nexport AWS_ACCESS_KEY_ID=" in printed
