"""The AWS console from both doors: `ssotui console` and `o` in the picker's action menu."""

from __future__ import annotations

import base64
import os
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest

from tests.app_support import (
    SIZE,
    async_test,
    catalog_loaded,
    log_in,
    notes,
    open_action_menu,
    picker,
    usable_role,
    wait_until,
    with_roles,
)
from tests.browser_support import recording_browser
from tests.cli_here import ssotui_here as ssotui
from tests.conftest import Home
from tests.test_console_signin import follow
from tui.sim import Organisation, Simulator
from tui.store.settings import Settings


def test_console_print_gives_a_link_that_signs_in(
    sim: Simulator, sso_config: Path, org: Organisation
) -> None:
    log_in()
    account = with_roles(org)
    run = ssotui("console", account.account_id, usable_role(account), "--service", "s3", "--print")
    assert run.status == 0, run.err
    url = run.out.strip()
    assert "\n" not in url and "Action=login" in url
    destination = parse_qs(urlsplit(url).query)["Destination"][0]
    assert destination.endswith("/s3/home?region=" + sim.region)
    assert follow(url) == (302, destination)
    assert url not in run.err


def test_console_shortcut_fetches_no_credentials(
    sim: Simulator, sso_config: Path, org: Organisation
) -> None:
    log_in()
    account = with_roles(org)
    role = usable_role(account)
    before = sim.calls["GetRoleCredentials"]
    run = ssotui("console", account.account_id, role, "--shortcut", "--print")
    assert run.status == 0, run.err
    assert run.out.strip() == (
        f"{sim.start_url}/#/console?account_id={account.account_id}&role_name={role}"
    )
    assert sim.calls["GetRoleCredentials"] == before


def test_console_shortcut_with_a_duration_is_bad_usage(
    sim: Simulator, sso_config: Path, org: Organisation
) -> None:
    """The portal's shortcut signs in for the permission set's own session length: a
    `--duration` beside it could not be honoured, so it is refused rather than dropped."""
    log_in()
    account = with_roles(org)
    run = ssotui(
        "console", account.account_id, usable_role(account), "--shortcut", "--duration", "900"
    )
    assert run.status == 2, run.err
    assert run.out == ""
    assert len(run.err.strip().splitlines()) == 1
    assert "--duration" in run.err and "--shortcut" in run.err


def test_console_shortcut_with_a_region_lands_in_that_region(
    sim: Simulator, sso_config: Path, org: Organisation
) -> None:
    """`--shortcut --region R` carries R in the link's destination: without one the portal
    opens the console wherever the browser was last, and the region asked for was dropped."""
    log_in()
    account = with_roles(org)
    role = usable_role(account)
    run = ssotui(
        "console", account.account_id, role, "--shortcut", "--print", "--region", "eu-west-3"
    )
    assert run.status == 0, run.err
    link = urlsplit(run.out.strip())
    query = parse_qs(link.fragment.split("?", 1)[1])
    assert query["destination"] == [
        "https://eu-west-3.console.aws.amazon.com/console/home?region=eu-west-3"
    ]
    assert query["account_id"] == [account.account_id] and query["role_name"] == [role]


def test_console_shortcut_lands_in_the_default_region(
    sim: Simulator, sso_config: Path, org: Organisation, home: Home
) -> None:
    """config.toml's `default_region` is the region of `--shortcut` as of every other console
    link: the portal's link carries its console home (without one the portal opens the
    console wherever the browser was last)."""
    home.config_dir.mkdir(parents=True, exist_ok=True)
    (home.config_dir / "config.toml").write_text('default_region = "ap-south-1"\n')
    log_in()
    account = with_roles(org)
    role = usable_role(account)
    run = ssotui("console", account.account_id, role, "--shortcut", "--print")
    assert run.status == 0, run.err
    query = parse_qs(urlsplit(run.out.strip()).fragment.split("?", 1)[1])
    assert query["destination"] == [
        "https://ap-south-1.console.aws.amazon.com/console/home?region=ap-south-1"
    ]


def test_console_destination_that_is_not_utf8_is_bad_usage(
    sim: Simulator, sso_config: Path, org: Organisation
) -> None:
    """A byte that is not UTF-8 in `--destination` (a Latin-1 terminal) is refused as usage,
    in words about the option, not as an 'unexpected error' once credentials were fetched."""
    log_in()
    account = with_roles(org)
    before = sim.calls["GetRoleCredentials"]
    destination = "https://console.aws.amazon.com/caf\udce9"
    run = ssotui("console", account.account_id, usable_role(account), "--destination", destination)
    assert run.status == 2, run.err
    assert len(run.err.strip().splitlines()) == 1
    assert "--destination" in run.err
    assert sim.calls["GetRoleCredentials"] == before


def test_a_copied_shortcut_is_not_said_to_expire(
    sim: Simulator, sso_config: Path, org: Organisation
) -> None:
    """`--shortcut --copy` copies the portal's link, which holds no secret and no time limit;
    it was announced as "the console link ... works for 15 minutes"."""
    log_in()
    account = with_roles(org)
    role = usable_role(account)
    leader, follower = os.openpty()  # the terminal OSC 52 goes to
    try:
        run = ssotui(
            "console",
            account.account_id,
            role,
            "--shortcut",
            "--copy",
            env={"SSOTUI_TTY": os.ttyname(follower)},
        )
        sent = os.read(leader, 4096)
    finally:
        os.close(follower)
        os.close(leader)
    assert run.status == 0, run.err
    link = f"{sim.start_url}/#/console?account_id={account.account_id}&role_name={role}"
    assert base64.b64encode(link.encode()) in sent
    assert run.err.strip() == (
        f"Copied the access portal's shortcut link for {account.name}/{role} (OSC 52)."
    )


def test_a_copied_console_link_is_said_to_sign_in_for_15_minutes_as_in_the_picker(
    sim: Simulator, sso_config: Path, org: Organisation
) -> None:
    """One wording for the link's 15 minutes: the picker's `o` and the no-browser error say
    "it signs in for 15 minutes"; `console --copy` said "it works for 15 minutes"."""
    log_in()
    account = with_roles(org)
    role = usable_role(account)
    leader, follower = os.openpty()  # the terminal OSC 52 goes to
    try:
        run = ssotui(
            "console", account.account_id, role, "--copy", env={"SSOTUI_TTY": os.ttyname(follower)}
        )
    finally:
        os.close(follower)
        os.close(leader)
    assert run.status == 0, run.err
    assert run.err.startswith(
        f"Copied the console link for {account.name}/{role} (OSC 52); it signs in for 15 "
        "minutes; the console session lasts until "
    ), run.err


@pytest.mark.parametrize("in_tmux", [False, True])
def test_a_copy_inside_tmux_says_the_setting_it_needs_to_arrive(
    sim: Simulator, sso_config: Path, org: Organisation, in_tmux: bool
) -> None:
    """tmux 3.3 and later drop a program's OSC 52 unless `set-clipboard on`: "Copied" alone
    sent a tmux user to paste nothing."""
    log_in()
    account = with_roles(org)
    role = usable_role(account)
    env = {"TMUX": "/tmp/tmux-0/default,1,0"} if in_tmux else {}
    leader, follower = os.openpty()  # the terminal OSC 52 goes to
    try:
        env["SSOTUI_TTY"] = os.ttyname(follower)
        runs = [
            ssotui("export", account.account_id, role, "--copy", env=env),
            ssotui("console", account.account_id, role, "--copy", env=env),
            ssotui("console", account.account_id, role, "--copy", "--shortcut", env=env),
        ]
    finally:
        os.close(follower)
        os.close(leader)
    for run in runs:
        assert run.status == 0, run.err
        said = "(OSC 52; inside tmux, only with `set -g set-clipboard on`)"
        assert (said in run.err) is in_tmux, run.err
        assert ("(OSC 52)" in run.err) is not in_tmux, run.err


@pytest.mark.parametrize(
    ("flags", "fragment"),
    [
        (("--duration", "60"), "900"),
        (("--destination", "http://console.aws.amazon.com/"), "https"),
        (("--service", "s3/../../x y"), "service"),
    ],
)
def test_console_bad_usage_is_exit_2_before_any_call(
    sim: Simulator, sso_config: Path, org: Organisation, flags: tuple[str, ...], fragment: str
) -> None:
    log_in()
    account = with_roles(org)
    before = sim.calls["GetRoleCredentials"]
    run = ssotui("console", account.account_id, usable_role(account), *flags, "--print")
    assert run.status == 2, run.err
    assert fragment in run.err and len(run.err.strip().splitlines()) == 1
    assert sim.calls["GetRoleCredentials"] == before and not run.out


def test_console_for_a_role_you_may_not_take_is_one_line(
    sim: Simulator, sso_config: Path, org: Organisation
) -> None:
    log_in()
    account, role = next((a, r.name) for a in org.accounts for r in a.roles if r.forbidden)
    run = ssotui("console", account.account_id, role, "--print")
    assert run.status == 1 and "no access to role" in run.err
    assert not run.out and "Traceback" not in run.err


@async_test
async def test_o_opens_the_console_in_the_browser(
    sim: Simulator, sso_config: Path, org: Organisation, tmp_path: Path, monkeypatch: Any
) -> None:
    opened = recording_browser(monkeypatch, tmp_path)
    log_in()
    account = with_roles(org)
    role = usable_role(account)
    app = picker()
    async with app.run_test(size=SIZE) as pilot:
        await wait_until(pilot, catalog_loaded(app, org), "the catalog")
        await open_action_menu(pilot, app, org, account, role)
        await pilot.press("o")
        await wait_until(pilot, lambda: any("console" in n for n in notes(app)), "the toast")
        assert "Opened the AWS console" in notes(app)[-1]
        assert "SigninToken" not in " ".join(notes(app))
        # webbrowser starts the browser and does not wait for it.
        await wait_until(
            pilot,
            opened.exists,
            "the browser to have the URL",
        )
    url = opened.read_text().strip()
    destination = parse_qs(urlsplit(url).query)["Destination"][0]
    assert follow(url) == (302, destination)


@async_test
async def test_o_and_the_command_land_in_the_default_region_alike(
    sim: Simulator, sso_config: Path, org: Organisation, tmp_path: Path, monkeypatch: Any
) -> None:
    """`default_region` is where both doors open the console (one ConsoleRequest rule)."""
    opened = recording_browser(monkeypatch, tmp_path)
    log_in()
    account = with_roles(org)
    role = usable_role(account)
    app = picker(settings=Settings(default_region="ap-south-1"))
    async with app.run_test(size=SIZE) as pilot:
        await wait_until(pilot, catalog_loaded(app, org), "the catalog")
        await open_action_menu(pilot, app, org, account, role)
        await pilot.press("o")
        await wait_until(pilot, opened.exists, "the browser to have the URL")
    home_page = "https://ap-south-1.console.aws.amazon.com/console/home?region=ap-south-1"
    assert parse_qs(urlsplit(opened.read_text().strip()).query)["Destination"] == [home_page]


def test_credentials_the_sign_in_endpoint_refuses_are_fetched_anew_next_time(
    sim: Simulator, sso_config: Path, org: Organisation
) -> None:
    """Kept credentials revoked before they expired: the error says run it again, and that
    works (they are no longer kept), rather than failing the same way until they expire."""
    log_in()
    account = with_roles(org)
    role = usable_role(account)
    assert ssotui("console", account.account_id, role, "--print").status == 0  # now kept
    sim.portal.issued.clear()  # the service no longer honours them

    refused = ssotui("console", account.account_id, role, "--print")
    assert refused.status == 1
    assert "refused the credentials" in refused.err and "run it again" in refused.err

    again = ssotui("console", account.account_id, role, "--print")
    assert again.status == 0, again.err
    assert follow(again.out.strip())[0] == 302


def _text_browsers(folder: Path, ran: Path) -> str:
    """A PATH whose console browsers (what `webbrowser` finds without a desktop) record that
    they ran instead of taking over the terminal."""
    folder.mkdir()
    for name in ("www-browser", "links", "elinks", "lynx", "w3m"):
        program = folder / name
        program.write_text(f'#!/bin/sh\necho {name} >> "{ran}"\n')
        program.chmod(0o755)
    return f"{folder}{os.pathsep}{os.environ['PATH']}"


@async_test
async def test_without_a_desktop_neither_door_starts_a_text_browser(
    sim: Simulator, sso_config: Path, org: Organisation, tmp_path: Path, monkeypatch: Any
) -> None:
    """Over SSH or on a headless box a text browser would take the terminal with a sign-in
    link it cannot use: the command says to --print or --copy, the picker copies the link."""
    for name in ("BROWSER", "DISPLAY", "WAYLAND_DISPLAY"):
        monkeypatch.delenv(name, raising=False)
    ran = tmp_path / "ran"
    monkeypatch.setenv("PATH", _text_browsers(tmp_path / "bin", ran))
    monkeypatch.setenv("TERM", "xterm")
    log_in()
    account = with_roles(org)
    role = usable_role(account)

    run = ssotui("console", account.account_id, role)
    assert run.status == 1 and not ran.exists()
    assert run.err.strip().splitlines() == [
        "ssotui: no browser could be opened here: use `--print` or `--copy` and open the link "
        "yourself (it signs in for 15 minutes)"
    ]
    shortcut = ssotui("console", account.account_id, role, "--shortcut")
    assert shortcut.status == 0 and not ran.exists()
    assert "open the link above yourself" in shortcut.err

    app = picker()
    async with app.run_test(size=SIZE) as pilot:
        await wait_until(pilot, catalog_loaded(app, org), "the catalog")
        await open_action_menu(pilot, app, org, account, role)
        await pilot.press("o")
        await wait_until(pilot, lambda: any("console" in n for n in notes(app)), "the toast")
        assert notes(app)[-1].startswith("No browser here: copied the console link")
    assert not ran.exists()


def test_copy_without_a_clipboard_says_to_print_the_link(
    sim: Simulator, sso_config: Path, org: Organisation
) -> None:
    """Not `ssotui export`, which the export lines' failure names: the link is what was asked
    for, and `--print` gives it."""
    log_in()
    account = with_roles(org)
    run = ssotui("console", account.account_id, usable_role(account), "--copy")
    assert run.status == 1 and not run.out
    [line] = run.err.strip().splitlines()
    assert line.startswith("ssotui: no clipboard available: ")
    assert line.endswith("; use `--print` and open the link yourself")
    exports = ssotui("export", account.account_id, usable_role(account), "--copy")
    assert exports.err.strip().endswith(
        "; use `ssotui export` without --copy and copy the lines yourself"
    )


@pytest.mark.parametrize(
    ("option", "said"),
    [
        # urlsplit's ValueError reached the user as "unexpected error (ValueError)", exit 1
        (["--destination", "https://[::1/s3"], "--destination must be an https:// URL"),
        (["--destination", "https://console\x1b[31m.aws.amazon.com/"], "must be an https:// URL"),
        # a region with a line break after it was taken, and put in the console's host name
        (["--region", "eu-west-1\n"], "is not an AWS region name"),
    ],
    ids=["unclosed-bracket", "escape-in-host", "region-line-break"],
)
def test_a_destination_or_region_that_is_no_such_thing_is_usage(
    sim: Simulator, sso_config: Path, org: Organisation, option: list[str], said: str
) -> None:
    log_in()
    account = with_roles(org)
    before = sim.calls["GetRoleCredentials"]
    run = ssotui("console", account.account_id, usable_role(account), *option, "--print")
    assert (run.status, run.out) == (2, "")
    assert said in run.err.splitlines()[-1] and "\x1b" not in run.err
    assert sim.calls["GetRoleCredentials"] == before


def test_a_partition_ssotui_does_not_know_asks_for_all_it_needs_at_once(
    sim: Simulator, home: Home, org: Organisation, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Identity Center in a partition ssotui knows no console nor sign-in endpoint of: the
    first line names both what to give, and neither is asked for after credentials were
    fetched. Before: "give --destination URL", then, given, "set AWS_ENDPOINT_URL_SIGNIN"."""
    home.write_config(
        f"[sso-session dev]\nsso_start_url = {sim.start_url}\nsso_region = eusc-de-east-1\n"
    )
    log_in()
    account = with_roles(org)
    role = usable_role(account)
    signin = os.environ["AWS_ENDPOINT_URL_SIGNIN"]
    monkeypatch.delenv("AWS_ENDPOINT_URL_SIGNIN")
    before = sim.calls["GetRoleCredentials"]
    first = ssotui("console", account.account_id, role, "--print")
    assert (first.status, first.out) == (1, "")
    assert "--destination URL" in first.err and "AWS_ENDPOINT_URL_SIGNIN" in first.err, first.err
    given = ssotui(
        "console", account.account_id, role, "--destination", "https://console.example/", "--print"
    )
    assert (given.status, given.out) == (1, "")
    assert "set AWS_ENDPOINT_URL_SIGNIN" in given.err
    assert sim.calls["GetRoleCredentials"] == before  # nothing fetched for nothing
    monkeypatch.setenv("AWS_ENDPOINT_URL_SIGNIN", signin)
    done = ssotui(
        "console", account.account_id, role, "--destination", "https://console.example/", "--print"
    )
    assert done.status == 0, done.err
    # with the endpoint set, the destination is all that is missing
    assert ssotui("console", account.account_id, role, "--print").err.endswith(
        "partitions): give --destination URL\n"
    )
