"""The subshell behaves the same from both doors (`ssotui exec` and `s` in the picker).

Each of these was a bug of one door only: a broken `subshell_command`, a shell that does not
exist, the nesting rule, and a terminal that goes away while the subshell runs.
"""

from __future__ import annotations

import os
import shlex
import shutil
import subprocess
import sys
import time
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
    picker,
    screen_name,
    unique_prefix,
    usable_role,
    wait_until,
    with_roles,
)
from tests.cli_helpers import ssotui
from tests.conftest import Home, here
from tui.sim import Organisation, Simulator


async def _press_s(pilot: Any, app: Any, org: Organisation) -> None:
    """Open the action menu on a role and press `s`."""
    account = with_roles(org)
    await wait_until(pilot, catalog_loaded(app, org), "the catalog")
    await open_action_menu(pilot, app, org, account, usable_role(account))
    await pilot.press("s")


async def _picker_says(pilot: Any, app: Any, fragment: str) -> None:
    await wait_until(pilot, lambda: any(fragment in n for n in notes(app)), repr(fragment))
    assert screen_name(app) == "MainScreen"
    await pilot.press("ctrl+f")  # still usable: keys still work
    await pilot.pause()


def _config(home: Home, text: str) -> None:
    home.config_dir.mkdir(parents=True, exist_ok=True)
    (home.config_dir / "config.toml").write_text(text, encoding="utf-8")


def _exec_shell(org: Organisation) -> tuple[str, str]:
    account = with_roles(org)
    return account.account_id, usable_role(account)


# -- a subshell_command that is not a command line ----------------------------------------------


def test_exec_says_a_broken_subshell_command_in_one_line(
    sim: Simulator, sso_config: Path, org: Organisation, home: Home
) -> None:
    log_in()
    _config(home, 'subshell_command = "sh -c \'x"\n')
    run = ssotui("exec", *_exec_shell(org))
    assert run.status == 1
    assert run.err.strip().splitlines() == [
        'ssotui: subshell_command "sh -c \'x" in config.toml is not a valid command line '
        "(check its quotes)"
    ]


@async_test
async def test_s_says_a_broken_subshell_command_and_the_picker_stays(
    sim: Simulator, sso_config: Path, org: Organisation, home: Home
) -> None:
    log_in()
    _config(home, 'subshell_command = "sh -c \'x"\n')
    from tui.store.settings import load_settings

    app = picker(settings=load_settings(here().config_file))
    async with app.run_test(size=SIZE) as pilot:
        await _press_s(pilot, app, org)
        await _picker_says(pilot, app, "is not a valid command line")


# -- a shell that does not exist ------------------------------------------------------------------


def test_exec_says_a_missing_shell_in_one_line(
    sim: Simulator, sso_config: Path, org: Organisation, monkeypatch: pytest.MonkeyPatch
) -> None:
    log_in()
    monkeypatch.setenv("SHELL", "/nonexistent/zsh")
    run = ssotui("exec", *_exec_shell(org))
    assert run.status == 127
    assert "command not found: /nonexistent/zsh" in run.err
    assert len(run.err.strip().splitlines()) == 1


@async_test
async def test_s_says_a_missing_shell_and_the_picker_stays(
    sim: Simulator, sso_config: Path, org: Organisation, monkeypatch: pytest.MonkeyPatch
) -> None:
    log_in()
    monkeypatch.setenv("SHELL", "/nonexistent/zsh")
    app = picker()
    async with app.run_test(size=SIZE) as pilot:
        await _press_s(pilot, app, org)
        await _picker_says(pilot, app, "command not found: /nonexistent/zsh")


# -- one nesting rule -----------------------------------------------------------------------------


def _inside_a_subshell(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Path:
    ran = tmp_path / "shell-ran"
    shell = tmp_path / "fake-shell"
    shell.write_text(f'#!/bin/sh\ntouch "{ran}"\n')
    shell.chmod(0o755)
    monkeypatch.setenv("SHELL", str(shell))
    monkeypatch.setenv("SSOTUI_SUBSHELL", "1")
    monkeypatch.setenv("SSOTUI_ACCOUNT_ID", "999999999999")
    monkeypatch.setenv("SSOTUI_ACCOUNT_NAME", "Staging")
    monkeypatch.setenv("SSOTUI_ROLE_NAME", "ReadOnly")
    return ran


def test_exec_refuses_a_nested_subshell(
    sim: Simulator,
    sso_config: Path,
    org: Organisation,
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
) -> None:
    log_in()
    ran = _inside_a_subshell(monkeypatch, tmp_path)
    run = ssotui("exec", *_exec_shell(org))
    assert run.status == 1 and "already in an ssotui subshell for Staging/ReadOnly" in run.err
    assert not ran.exists()


@pytest.mark.parametrize("picked", [True, False], ids=["to-pick", "typed"])
def test_exec_refuses_a_nested_subshell_before_any_work(
    picked: bool,
    sim: Simulator,
    sso_config: Path,
    org: Organisation,
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
) -> None:
    """The answer cannot change while a role is picked, logged in to and fetched: it came
    after all that (a picker opened, a login, then the refusal); now before any of it."""
    ran = _inside_a_subshell(monkeypatch, tmp_path)
    run = ssotui("exec", *([] if picked else _exec_shell(org)))  # not logged in, no terminal
    assert run.status == 1
    assert run.err.strip().splitlines() == [
        "ssotui: you are already in an ssotui subshell for Staging/ReadOnly; exit it first, "
        "or use --force to start another inside it"
    ]
    assert not ran.exists() and not sim.calls


def test_a_shell_that_evaluated_export_lines_is_not_a_subshell_but_an_exec_child_is(
    sim: Simulator,
    sso_config: Path,
    org: Organisation,
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
) -> None:
    # `eval "$(ssotui export ...)"` in the login shell set the SSOTUI_* markers for the prompt;
    # a later subshell was refused with "exit it first", which would close the terminal.
    log_in()
    ran = tmp_path / "shell-ran"
    shell = tmp_path / "fake-shell"
    shell.write_text(f'#!/bin/sh\ntouch "{ran}"\n')
    shell.chmod(0o755)
    monkeypatch.setenv("SHELL", str(shell))
    account, role = _exec_shell(org)
    tui = f"{shlex.quote(sys.executable)} -m tui"
    script = f'eval "$({tui} export {account} {role} --format sh)" && {tui} exec {account} {role}'
    after_export = subprocess.run(["sh", "-c", script], capture_output=True, text=True)
    assert after_export.returncode == 0, after_export.stderr
    assert ran.exists()
    ran.unlink()
    # Inside a subshell ssotui started (here: exec's command), the rule still holds.
    nested = ssotui("exec", account, role, "--", "sh", "-c", f"{tui} exec {account} {role}")
    assert nested.status == 1 and "already in an ssotui subshell" in nested.err
    assert not ran.exists()


@async_test
async def test_s_refuses_a_nested_subshell_unless_forced(
    sim: Simulator,
    sso_config: Path,
    org: Organisation,
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
) -> None:
    log_in()
    ran = _inside_a_subshell(monkeypatch, tmp_path)
    app = picker()
    async with app.run_test(size=SIZE) as pilot:
        await _press_s(pilot, app, org)
        await _picker_says(pilot, app, "already in an ssotui subshell for Staging/ReadOnly")
        assert sim.calls["GetRoleCredentials"] == 0  # refused before any credentials
        # --force is no key of the picker's: it says where the flag goes (not "use --force")
        assert any(
            n.endswith("exit it first, or start the picker as `ssotui --force` to start another")
            for n in notes(app)
        ), notes(app)
    assert not ran.exists()
    app = picker(force=True)  # `ssotui --force`
    async with app.run_test(size=SIZE) as pilot:
        await _press_s(pilot, app, org)
        await wait_until(pilot, lambda: any("Back from" in n for n in notes(app)), "the return")
    assert ran.exists()


# -- the terminal goes away -----------------------------------------------------------------------


def _tmux(socket: str, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        ["tmux", "-L", socket, *args], capture_output=True, text=True, timeout=10, check=False
    )


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    # A zombie has exited; only its parent has not read its status yet.
    stat = Path(f"/proc/{pid}/stat")
    return not (stat.exists() and stat.read_text().split(") ", 1)[1].startswith("Z"))


@pytest.mark.skipif(shutil.which("tmux") is None, reason="tmux is not installed")
def test_the_picker_exits_when_its_terminal_goes_away_during_a_subshell(
    sim: Simulator, sso_config: Path, org: Organisation, tmp_path: Path, home: Home
) -> None:
    log_in()
    account = with_roles(org)
    role = usable_role(account)
    pid_file = tmp_path / "ssotui.pid"
    in_shell = tmp_path / "in-shell"
    shell = tmp_path / "fake-shell"
    # An interactive shell would wait for input; this one waits the same way, on the terminal.
    shell.write_text(f'#!/bin/sh\ntouch "{in_shell}"\nread line\n')
    shell.chmod(0o755)
    _config(home, f'subshell_command = "{shell}"\n')  # tmux sets SHELL in its windows
    env = {**os.environ, "TERM": "xterm-256color"}
    socket = f"ssotui-test-{os.getpid()}"
    command = f"echo $$ > {pid_file}; exec {sys.executable} -m tui"
    started = _tmux(socket, "-f", "/dev/null", "new-session", "-d", "-x", "120", "-y", "35")
    assert started.returncode == 0, started.stderr
    try:
        _tmux(socket, "set-environment", "-g", "PATH", env["PATH"])
        for key in ("HOME", "TERM", *(k for k in env if k.startswith(("AWS_", "SSOTUI")))):
            _tmux(socket, "set-environment", "-g", key, env[key])
        _tmux(socket, "new-window", "-d", "-n", "picker", f"sh -c '{command}'")

        def screen() -> str:
            return _tmux(socket, "capture-pane", "-p", "-t", "picker").stdout

        deadline = time.monotonic() + 20
        while account.name not in screen() and time.monotonic() < deadline:
            time.sleep(0.2)
        assert account.name in screen(), screen()
        for keys in (unique_prefix(account.account_id, [a.account_id for a in org.accounts]),):
            _tmux(socket, "send-keys", "-t", "picker", "-l", keys)
        time.sleep(0.3)
        _tmux(socket, "send-keys", "-t", "picker", "Enter")
        time.sleep(0.3)
        _tmux(socket, "send-keys", "-t", "picker", "-l", role)
        time.sleep(0.3)
        _tmux(socket, "send-keys", "-t", "picker", "Enter")
        time.sleep(0.5)
        _tmux(socket, "send-keys", "-t", "picker", "s")
        deadline = time.monotonic() + 10
        while not in_shell.exists() and time.monotonic() < deadline:
            time.sleep(0.1)
        assert in_shell.exists(), screen()
        pid = int(pid_file.read_text())
        assert _alive(pid)
    finally:
        _tmux(socket, "kill-server")
    deadline = time.monotonic() + 10
    while _alive(pid) and time.monotonic() < deadline:
        time.sleep(0.1)
    if _alive(pid):
        os.kill(pid, 9)
        pytest.fail("ssotui was still running 10 s after its terminal went away")


# -- signals sent to a whole process group --------------------------------------------------------


_COUNTS_TERMS = """
import os, signal, sys, time
got = []
signal.signal(signal.SIGTERM, lambda *_: got.append(1))
open(sys.argv[1], "w").write(str(os.getpid()))
deadline = time.monotonic() + 20
while not got and time.monotonic() < deadline:
    time.sleep(0.01)
time.sleep(0.5)  # a forwarded copy would come now
print(len(got), flush=True)
"""


def test_exec_cmd_gets_a_group_sigterm_once_as_ssotuis_own_process(
    sim: Simulator, sso_config: Path, org: Organisation, tmp_path: Path
) -> None:
    """`timeout`, systemd and job control signal a whole process group. ssotui stayed as the
    command's parent and passed SIGTERM on, so the command got it twice (Terraform quits at
    once on a second one, leaving its state locked). Now the command takes ssotui's place, as
    with `env`: one SIGTERM, and ssotui's process id is the command's."""
    log_in()
    account, role = _exec_shell(org)
    pid_file = tmp_path / "pid"
    child = subprocess.Popen(
        [sys.executable, "-m", "tui", "exec", account, role, "--"]
        + [sys.executable, "-c", _COUNTS_TERMS, str(pid_file)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,  # a process group of its own, as `timeout` makes
    )
    try:
        deadline = time.monotonic() + 30
        while not (pid_file.exists() and pid_file.read_text()) and time.monotonic() < deadline:
            time.sleep(0.02)
        assert pid_file.read_text() == str(child.pid)  # the command is ssotui's process
        os.killpg(child.pid, 15)
        out, err = child.communicate(timeout=30)
    finally:
        if child.poll() is None:
            os.killpg(child.pid, 9)
    assert out.strip() == "1", err
    assert child.returncode == 0
