"""An ssotui process writes no core dump (Linux), whatever `ulimit -c` allows: it holds the SSO
token and role credentials. What it starts (`exec`'s command, the subshell) keeps the user's own
core dump settings."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from tests.app_support import log_in, usable_role, with_roles
from tests.cli_helpers import COMMAND
from tui.sim import Organisation, Simulator

pytestmark = pytest.mark.skipif(sys.platform != "linux", reason="Linux's core dumps")

# Core dumps allowed as far as the hard limit goes, and small (no memory in them: headers only).
_CORES_ALLOWED = (
    'ulimit -c "$(ulimit -H -c)"; echo 0 > /proc/self/coredump_filter 2>/dev/null; exec "$@"'
)

# The command of `exec --renew`: writes whether it may dump core (PR_GET_DUMPABLE), then aborts
# its parent, ssotui, which holds the token and the credentials its endpoint serves.
_ABORTS_SSOTUI = """
import ctypes, os, signal, sys
dumpable = ctypes.CDLL(None, use_errno=True).prctl(3, 0, 0, 0, 0)
open(sys.argv[1], "w").write(str(dumpable))
os.kill(os.getppid(), signal.SIGABRT)
"""


def _ended(argv: list[str], cwd: Path) -> int:
    """The raw wait status of `argv`, run with core dumps allowed in `cwd`."""
    proc = subprocess.Popen(
        ["/bin/sh", "-c", _CORES_ALLOWED, "sh", *argv],
        cwd=cwd,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        _, status = os.waitpid(proc.pid, 0)
    finally:
        proc.returncode = 0  # reaped here
    return status


def _dumps_core_here(cwd: Path) -> bool:
    """Whether a process that aborts here writes a core dump (a system that writes none, or
    hands them to a collector that refuses, has nothing to test)."""
    aborts = "import os, signal; os.kill(os.getpid(), signal.SIGABRT)"
    status = _ended([sys.executable, "-c", aborts], cwd)
    return os.WIFSIGNALED(status) and os.WCOREDUMP(status)


def test_an_aborted_ssotui_writes_no_core_and_its_command_may(
    sim: Simulator, sso_config: Path, org: Organisation, tmp_path: Path
) -> None:
    cwd = tmp_path / "cores"
    cwd.mkdir()
    if not _dumps_core_here(cwd):
        pytest.skip("this system writes no core dumps")
    for core in cwd.iterdir():
        core.unlink()
    log_in()
    account = with_roles(org)
    said = tmp_path / "dumpable"
    status = _ended(
        [
            sys.executable, *COMMAND, "exec", "--renew", account.account_id,
            usable_role(account), "--", sys.executable, "-c", _ABORTS_SSOTUI, str(said),
        ],
        cwd,
    )  # fmt: skip
    assert os.WIFSIGNALED(status) and os.WTERMSIG(status) == signal.SIGABRT
    assert not os.WCOREDUMP(status)  # was: a core of ssotui, with the token in it
    assert list(cwd.iterdir()) == []
    assert said.read_text() == "1"  # the command keeps the user's settings


def test_the_command_of_exec_keeps_its_core_dumps(
    sim: Simulator, sso_config: Path, org: Organisation, tmp_path: Path
) -> None:
    """`exec` without --renew becomes the command (execve): the process is the command's."""
    log_in()
    account = with_roles(org)
    said = tmp_path / "dumpable"
    says = (
        "import ctypes, sys\n"
        "open(sys.argv[1], 'w').write(str(ctypes.CDLL(None).prctl(3, 0, 0, 0, 0)))"
    )
    proc = subprocess.run(
        [
            sys.executable, *COMMAND, "exec", account.account_id, usable_role(account), "--",
            sys.executable, "-c", says, str(said),
        ],
        capture_output=True, text=True, timeout=60, check=False,
    )  # fmt: skip
    assert proc.returncode == 0, proc.stderr
    assert said.read_text() == "1"
