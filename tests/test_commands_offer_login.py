"""Commands run by a person at a terminal log in first when they need to, and carry on;
without a terminal (or for `credential-process`) they stay one line and exit 1."""

from __future__ import annotations

import os
import pty
import subprocess
import sys
from pathlib import Path

import pytest

from tests.app_support import usable_role, with_roles
from tests.cli_helpers import ssotui
from tests.cli_here import ssotui_here
from tests.fake_browser import use_fake_browser
from tui.models import Account, SsoSession
from tui.sim import Organisation, Simulator


def _at_a_terminal(*args: str) -> tuple[int, str, str]:
    """Run ssotui with stdin and stderr on a terminal (stdout captured): (status, out, err)."""
    leader, follower = pty.openpty()
    try:
        proc = subprocess.Popen(
            [sys.executable, "-m", "tui", *args],
            stdin=follower,
            stderr=follower,
            stdout=subprocess.PIPE,
            text=True,
            env=dict(os.environ),
        )
        os.close(follower)
        err = b""
        while True:
            try:
                chunk = os.read(leader, 4096)
            except OSError:  # the terminal closed with the process
                break
            if not chunk:
                break
            err += chunk
        out = proc.stdout.read() if proc.stdout else ""
        status = proc.wait(timeout=60)
    finally:
        os.close(leader)
    return status, out, err.decode("utf-8", "replace")


def test_list_at_a_terminal_logs_in_in_the_browser_and_lists(
    sim: Simulator,
    sso_config: Path,
    org: Organisation,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    browser = use_fake_browser(monkeypatch, tmp_path)
    status, out, err = _at_a_terminal("list")
    assert status == 0, err
    assert "not logged in to session dev; logging in first" in err
    assert with_roles(org).account_id in out
    assert browser.log.exists()  # the login went through the browser, with PKCE
    assert sim.calls["Authorize"] == 1


def test_without_a_terminal_it_stays_one_line(sim: Simulator, sso_config: Path) -> None:
    run = ssotui("list")
    assert run.status == 1
    assert run.err.strip() == "ssotui: not logged in to session dev: run `ssotui login`"


def test_credential_process_never_prompts(
    sim: Simulator,
    sso_config: Path,
    org: Organisation,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    use_fake_browser(monkeypatch, tmp_path)
    account = with_roles(org)
    role = usable_role(account)
    status, out, err = _at_a_terminal("credential-process", account.account_id, role)
    assert status == 1 and not out
    assert "run `ssotui login`" in err
    assert sim.calls["Authorize"] == 0


@pytest.mark.parametrize(
    ("command", "flag"),
    [("write-profile", "--use-device-code"), ("populate", "--no-browser")],
)
def test_write_profile_and_populate_log_in_first_with_a_device_code_when_told(
    command: str,
    flag: str,
    sim: Simulator,
    sso_config: Path,
    org: Organisation,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """They log in first at a terminal as `export` does, and took neither login option: over
    a link where the browser flow cannot work, `--no-browser` was a usage error."""
    browser = use_fake_browser(monkeypatch, tmp_path)
    account = with_roles(org)
    role = usable_role(account)
    words = (account.account_id, role) if command == "write-profile" else ()
    status, _out, err = _at_a_terminal(command, *words, flag)
    assert status == 0, err
    assert "not logged in to session dev; logging in first" in err
    assert sim.calls["StartDeviceAuthorization"] == 1 and sim.calls["Authorize"] == 0
    assert browser.log.exists() == (flag == "--use-device-code")  # the code's page, or none


def test_a_login_lost_after_the_pick_logs_in_and_goes_on_with_the_role_picked(
    sim: Simulator, session: SsoSession, org: Organisation, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`ssotui export` with no ACCOUNT/ROLE: the picker opened first; the login was gone by the
    time the credentials were fetched. It logged in, then opened the picker again, a second
    pick of the role already picked; now it goes on with that role."""
    from tui.app.pick import Picked
    from tui.commands import picker, resolve

    account = with_roles(org)
    role = usable_role(account)
    picks: list[str] = []

    def pick_role(*_args: object, **_kwargs: object) -> Picked:  # the picker, as the user left it
        picks.append(role)
        return Picked(session, Account(account.account_id, account.name), role, "eu-west-2")

    monkeypatch.setattr(picker, "pick_role", pick_role)
    monkeypatch.setattr(resolve, "on_a_terminal", lambda: True)
    monkeypatch.setattr(resolve, "picker_can_open", lambda _context: True)
    run = ssotui_here("export", "--no-browser")  # not logged in: the login was lost
    assert run.status == 0, run.err
    assert "not logged in to session dev; logging in first" in run.err
    assert "export AWS_ACCESS_KEY_ID=" in run.out
    assert "export AWS_REGION=eu-west-2" in run.out  # the region the picker showed, kept
    assert picks == [role]  # picked once
    assert sim.calls["StartDeviceAuthorization"] == 1
