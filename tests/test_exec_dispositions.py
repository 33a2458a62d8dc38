"""The signals a command run by `exec` starts with: the defaults, as from a shell, with and
without `--renew`. Python ignores SIGPIPE and SIGXFSZ for itself; a command that replaced
ssotui kept them ignored, so `yes | head -n 1` said "Broken pipe" and `kill -PIPE` did nothing."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import pytest

from tests.app_support import log_in, usable_role, with_roles
from tests.cli_helpers import COMMAND, ssotui
from tests.finishing import finished
from tui.sim import Organisation, Simulator


@pytest.mark.parametrize("renew", [[], ["--renew"]], ids=["static", "renew"])
def test_a_pipeline_cut_short_ends_quietly(
    sim: Simulator, sso_config: Path, org: Organisation, renew: list[str]
) -> None:
    log_in()
    account = with_roles(org)
    role = usable_role(account)
    run = ssotui("exec", *renew, account.account_id, role, "--", "sh", "-c", "yes | head -n 1")
    assert (run.status, run.out, run.err) == (0, "y\n", "")


@pytest.mark.parametrize("renew", [[], ["--renew"]], ids=["static", "renew"])
def test_a_command_ended_by_sigpipe_exits_141(
    sim: Simulator, sso_config: Path, org: Organisation, renew: list[str]
) -> None:
    log_in()
    account = with_roles(org)
    role = usable_role(account)
    run = ssotui("exec", *renew, account.account_id, role, "--", "sh", "-c", "kill -PIPE $$")
    # without --renew ssotui's process is the command's, which SIGPIPE ends: a shell says 141
    as_a_shell_says = 128 - run.status if run.status < 0 else run.status
    assert as_a_shell_says == 128 + 13, run.err


# Says which of SIGINT, SIGQUIT and SIGHUP it started with ignored (Python keeps an ignored
# SIGINT as it found it), waits for the test's go-ahead (a file), then says it lived on.
_WAITS = """
import os, signal, sys, time
ignored = [s.name for s in (signal.SIGINT, signal.SIGQUIT, signal.SIGHUP)
           if signal.getsignal(s) == signal.SIG_IGN]
open(sys.argv[1], "w").write(" ".join(ignored) or "-")
deadline = time.monotonic() + 20
while not os.path.exists(sys.argv[2]) and time.monotonic() < deadline:
    time.sleep(0.02)
print("lived on", flush=True)
"""


def _ignoring(*signums: int) -> Callable[[], None]:
    """A child set-up that ignores `signums`, as `nohup` (SIGHUP) or a non-interactive shell's
    `&` (SIGINT, SIGQUIT) starts a program."""

    def set_up() -> None:
        for signum in signums:
            signal.signal(signum, signal.SIG_IGN)

    return set_up


@pytest.mark.parametrize("renew", [[], ["--renew"]], ids=["static", "renew"])
@pytest.mark.parametrize(
    "ignored", [(signal.SIGHUP,), (signal.SIGINT, signal.SIGQUIT)], ids=["nohup", "background"]
)
def test_signals_ignored_when_ssotui_started_stay_ignored(
    sim: Simulator,
    sso_config: Path,
    org: Organisation,
    tmp_path: Path,
    renew: list[str],
    ignored: tuple[int, ...],
) -> None:
    """`nohup ssotui exec --renew A R -- job &` outlives the hang-up as `nohup job` does: the
    command starts with what ssotui's caller ignored still ignored, and ssotui passes none of
    those on (it passed a SIGHUP on to the command, which ended it)."""
    log_in()
    account = with_roles(org)
    said, go = tmp_path / "ignored", tmp_path / "go"
    command = [sys.executable, "-c", _WAITS, str(said), str(go)]
    proc = subprocess.Popen(
        [sys.executable, *COMMAND, "exec", *renew, account.account_id, usable_role(account)]
        + ["--", *command],
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,  # no terminal: ssotui passes every signal on
        preexec_fn=_ignoring(*ignored),
    )
    try:
        finished(lambda: _wait_for(said), what="the command to start")
        for signum in ignored:
            proc.send_signal(signum)
        go.touch()
        out, err = proc.communicate(timeout=30)
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
    assert set(said.read_text().split()) == {signal.Signals(s).name for s in ignored}
    assert (proc.returncode, out) == (0, "lived on\n"), err


def _wait_for(path: Path) -> None:
    while not (path.exists() and path.read_text()):
        time.sleep(0.02)
