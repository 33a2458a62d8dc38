"""Running a command or the user's shell with the credentials: environment, status, signals."""

from __future__ import annotations

import json
import os
import shlex
import signal
import subprocess
import sys
import threading
from datetime import UTC, datetime
from pathlib import Path

import pytest

from tests.conftest import Home
from tui.errors import SsotuiError
from tui.export import subshell
from tui.export.subshell import plan_subshell, run_with_credentials, user_shell
from tui.models import Account, RoleCredentials

SECRET = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY"

main_thread_only = pytest.mark.skipif(
    threading.current_thread() is not threading.main_thread(),
    reason="signal handlers need the main thread",
)


def make_creds() -> RoleCredentials:
    return RoleCredentials(
        account=Account("123456789012", "Zürich Prod", "ops@example.com"),
        role_name="Admin",
        access_key_id="ASIAEXAMPLEKEY123456",
        secret_access_key=SECRET,
        session_token="token-value",
        expiration=datetime(2030, 1, 2, 3, 4, 5, tzinfo=UTC),
        region="eu-west-1",
        session_label="dev",
    )


def dump_env_command(target: Path) -> list[str]:
    code = "import json, os, sys; open(sys.argv[1], 'w').write(json.dumps(dict(os.environ)))"
    return [sys.executable, "-c", code, str(target)]


def fake_shell(tmp_path: Path, status: int) -> Path:
    """A stand-in for the user's shell: records its environment, exits with `status`."""
    script = tmp_path / "fake-shell"
    script.write_text(
        f"#!{sys.executable}\n"
        "import json, os, sys\n"
        f"open({str(tmp_path / 'shell-env.json')!r}, 'w').write(json.dumps(dict(os.environ)))\n"
        f"sys.exit({status})\n",
        encoding="utf-8",
    )
    script.chmod(0o755)
    return script


def test_exit_status_is_the_childs() -> None:
    assert run_with_credentials(make_creds(), ["sh", "-c", "exit 7"], environ=os.environ) == 7
    assert run_with_credentials(make_creds(), ["true"], environ=os.environ) == 0


def test_child_sees_credentials_and_not_the_old_profile(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("AWS_PROFILE", "old-profile")
    monkeypatch.setenv("AWS_DEFAULT_PROFILE", "old-profile")
    monkeypatch.setenv("AWS_SECURITY_TOKEN", "stale")
    out = tmp_path / "env.json"
    assert run_with_credentials(make_creds(), dump_env_command(out), environ=os.environ) == 0
    env = json.loads(out.read_text())
    assert env["AWS_ACCESS_KEY_ID"] == "ASIAEXAMPLEKEY123456"
    assert env["AWS_SECRET_ACCESS_KEY"] == SECRET
    assert env["AWS_SESSION_TOKEN"] == "token-value"
    assert env["AWS_CREDENTIAL_EXPIRATION"] == "2030-01-02T03:04:05Z"
    assert env["AWS_REGION"] == env["AWS_DEFAULT_REGION"] == "eu-west-1"
    assert env["SSOTUI_ACCOUNT_NAME"] == "Zürich Prod"
    assert env["SSOTUI_ROLE_NAME"] == "Admin"
    for gone in ("AWS_PROFILE", "AWS_DEFAULT_PROFILE", "AWS_SECURITY_TOKEN"):
        assert gone not in env
    assert os.environ["AWS_PROFILE"] == "old-profile"  # ssotui's own environment is untouched


def test_no_command_runs_the_users_shell(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SHELL", str(fake_shell(tmp_path, 3)))
    assert run_with_credentials(make_creds(), None, environ=os.environ) == 3
    env = json.loads((tmp_path / "shell-env.json").read_text())
    assert env["SSOTUI_ACCOUNT_ID"] == "123456789012"


def test_shell_falls_back_to_bin_sh() -> None:
    assert user_shell(None, {}) == ["/bin/sh"]
    assert user_shell(None, {"SHELL": "/usr/bin/fish"}) == ["/usr/bin/fish"]
    assert user_shell("fish -l", {"SHELL": "/bin/bash"}) == ["fish", "-l"]


def test_nesting_guard(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SHELL", str(fake_shell(tmp_path, 0)))
    monkeypatch.setenv("SSOTUI_SUBSHELL", "1")
    monkeypatch.setenv("SSOTUI_ACCOUNT_ID", "999999999999")
    monkeypatch.setenv("SSOTUI_ACCOUNT_NAME", "Staging")
    monkeypatch.setenv("SSOTUI_ROLE_NAME", "ReadOnly")
    with pytest.raises(SsotuiError) as caught:
        run_with_credentials(make_creds(), None, environ=os.environ)
    assert "already in an ssotui subshell for Staging/ReadOnly" in caught.value.message
    assert "--force" in caught.value.message
    assert not (tmp_path / "shell-env.json").exists()
    # A command is fine inside a subshell, and --force starts the nested shell.
    assert run_with_credentials(make_creds(), ["sh", "-c", "exit 4"], environ=os.environ) == 4
    assert run_with_credentials(make_creds(), None, force=True, environ=os.environ) == 0
    env = json.loads((tmp_path / "shell-env.json").read_text())
    assert env["SSOTUI_ACCOUNT_NAME"] == "Zürich Prod"


def test_signal_death_is_128_plus_n() -> None:
    assert (
        run_with_credentials(make_creds(), ["sh", "-c", "kill -TERM $$"], environ=os.environ)
        == 128 + 15
    )


def test_missing_command_is_one_clear_line() -> None:
    with pytest.raises(SsotuiError) as caught:
        run_with_credentials(make_creds(), ["ssotui-no-such-command-xyz"], environ=os.environ)
    assert caught.value.message == "command not found: ssotui-no-such-command-xyz"
    assert caught.value.exit_code == 127


@main_thread_only
def test_a_path_that_cannot_run_is_126_with_its_reason_as_a_shell_says(tmp_path: Path) -> None:
    # It was "command not found" (127) for a script that is there but not executable.
    script = tmp_path / "deploy.sh"
    script.write_text("#!/bin/sh\nexit 0\n")
    for path, reason in ((script, "permission denied"), (tmp_path, "is a directory")):
        with pytest.raises(SsotuiError) as caught:
            run_with_credentials(make_creds(), [str(path)], environ=os.environ)
        assert caught.value.exit_code == 126
        assert caught.value.message == f"cannot run {path}: {reason}"
        shell = subprocess.run(["sh", "-c", shlex.quote(str(path))], capture_output=True)
        assert shell.returncode == 126


def test_a_script_without_a_shebang_runs_in_sh_with_its_arguments_as_env_runs_it(
    tmp_path: Path,
) -> None:
    # It was "cannot run …: Exec format error" (126), where env, bash and execvp run it.
    script = tmp_path / "deploy"
    out = tmp_path / "args"
    script.write_text(f'printf "[%s]" "$@" > {shlex.quote(str(out))}\nexit 4\n')
    script.chmod(0o755)
    args = ["a b", "q'\"", "l1\nl2", "\udcff"]  # the last: byte 0xff, as Python passes it
    assert run_with_credentials(make_creds(), [str(script), *args], environ=os.environ) == 4
    assert out.read_bytes() == b"[a b][q'\"][l1\nl2][\xff]"
    assert subprocess.run(["env", str(script), *args]).returncode == 4


def test_a_script_whose_interpreter_is_missing_says_so_not_command_not_found(
    tmp_path: Path,
) -> None:
    # It was "command not found: …/deploy" for a script that is right there.
    script = tmp_path / "deploy"
    script.write_text("#!/nonexistent/python3 -u\nprint(1)\n")
    script.chmod(0o755)
    with pytest.raises(SsotuiError) as caught:
        run_with_credentials(make_creds(), [str(script)], environ=os.environ)
    assert caught.value.message == (
        f"cannot run {script}: bad interpreter /nonexistent/python3 (its #! line): no such file"
    )
    assert caught.value.exit_code == subprocess.run(["bash", "-c", str(script)]).returncode == 127


def test_ctrl_c_reaches_the_child_not_ssotui(monkeypatch: pytest.MonkeyPatch) -> None:
    # On a terminal (without one, see tests/test_subshell_signals.py, SIGINT is passed on).
    monkeypatch.setattr(subshell, "has_terminal", lambda: True)
    before = signal.getsignal(signal.SIGINT)
    # The child interrupts its parent (as the terminal would): ssotui must keep waiting.
    status = run_with_credentials(
        make_creds(), ["sh", "-c", "kill -INT $PPID; sleep 0.2; exit 5"], environ=os.environ
    )
    assert status == 5
    # The child itself still dies of SIGINT (it was not started with SIGINT ignored).
    assert (
        run_with_credentials(make_creds(), ["sh", "-c", "kill -INT $$; exit 0"], environ=os.environ)
        == 130
    )
    assert signal.getsignal(signal.SIGINT) is before


@main_thread_only
def test_sigterm_to_ssotui_is_passed_to_the_child() -> None:
    status = run_with_credentials(
        make_creds(), ["sh", "-c", "kill -TERM $PPID; exec sleep 5"], environ=os.environ
    )
    assert status == 128 + 15


# Counts the SIGTERMs delivered to it (one byte each, even when the handler runs once).
_COUNTS_TERMS = """
import os, signal, sys, time
deliveries, wakeup = os.pipe()
os.set_blocking(deliveries, False)
os.set_blocking(wakeup, False)
signal.set_wakeup_fd(wakeup)
signal.signal(signal.SIGTERM, lambda *_: None)
os.kill(os.getppid(), signal.SIGTERM)
time.sleep(0.1)  # `timeout` descheduled between signalling ssotui and signalling its group
os.kill(os.getppid(), signal.SIGTERM)
time.sleep(1)
try:
    sys.exit(list(os.read(deliveries, 100)).count(signal.SIGTERM))
except BlockingIOError:
    sys.exit(0)
"""


@main_thread_only
@pytest.mark.parametrize("terminal", [True, False])
def test_the_same_signal_twice_in_a_moment_is_passed_on_once(
    terminal: bool, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`timeout` signals ssotui, then its group: two copies for ssotui, one for the command."""
    monkeypatch.setattr(subshell, "has_terminal", lambda: terminal)
    assert (
        run_with_credentials(
            make_creds(), [sys.executable, "-c", _COUNTS_TERMS], environ=os.environ
        )
        == 1
    )


def test_works_from_a_worker_thread() -> None:
    result: list[int] = []
    worker = threading.Thread(
        target=lambda: result.append(
            run_with_credentials(make_creds(), ["sh", "-c", "exit 9"], environ=os.environ)
        )
    )
    worker.start()
    worker.join(10)
    assert result == [9]


def test_self_renewing_credentials_are_checked_against_the_files_the_child_will_read(
    tmp_path: Path, home: Home
) -> None:
    # The environment handed in (the workspace's, the child's), not this process's, names the
    # AWS files the child's SDK reads: here its HOME holds a [default] profile that would be
    # used before the credential endpoint, while this process's AWS_CONFIG_FILE names a clean
    # file; then the other way round.
    endpoint = {"AWS_CONTAINER_CREDENTIALS_FULL_URI": "http://127.0.0.1:9/x"}
    theirs = tmp_path / "their-home"
    (theirs / ".aws").mkdir(parents=True)
    (theirs / ".aws" / "config").write_text("[default]\ncredential_process = /bin/false\n")
    environ = {"HOME": str(theirs), "PATH": os.environ["PATH"]}
    with pytest.raises(SsotuiError) as refused:
        plan_subshell(make_creds(), ["true"], configured=None, environ=environ, endpoint=endpoint)
    assert f"[default] profile in {theirs / '.aws' / 'config'} has credential_process" in str(
        refused.value.message
    )

    home.write_config("[default]\ncredential_process = /bin/false\n")  # this process's
    (theirs / ".aws" / "config").write_text("[default]\nregion = eu-west-1\n")
    plan = plan_subshell(
        make_creds(), ["true"], configured=None, environ=environ, endpoint=endpoint
    )
    assert (
        plan.env["AWS_CONTAINER_CREDENTIALS_FULL_URI"]
        == endpoint["AWS_CONTAINER_CREDENTIALS_FULL_URI"]
    )
