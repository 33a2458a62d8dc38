"""Output that cannot be written, the same for every command (`tui.std_streams`): standard
output refused (`> /dev/full`, a file size limit, `>&-`) is one line on stderr and exit 1, in
the middle of a long listing as at its end; a reader that goes away (`| true`) is quiet;
standard error refused (`2> /dev/full`) leaves the exit status as the command ended.
Real processes, real /dev/full, real pipes; an organisation big enough that a listing
outgrows Python's buffer (8 KiB) and a pipe's (64 KiB)."""

from __future__ import annotations

import shlex
import sys
import time
from pathlib import Path

import pytest

from tests.app_support import log_in, usable_role, with_roles
from tests.cli_helpers import in_shell
from tests.conftest import Home
from tui.sim import Organisation, Simulator

pytestmark = pytest.mark.skipif(not Path("/dev/full").exists(), reason="no /dev/full here")

NO_SPACE = "ssotui: cannot write standard output: No space left on device\n"


@pytest.fixture
def org() -> Organisation:
    return Organisation.generate(accounts=1500, seed=3)


@pytest.fixture
def logged_in(sim: object, sso_config: Path) -> None:
    log_in()
    assert in_shell("ssotui list > /dev/null").returncode == 0  # the catalog, cached


def role_of(org: Organisation) -> str:
    account = with_roles(org)
    return f"{account.account_id} {usable_role(account)}"


@pytest.mark.parametrize(
    "command",
    [
        "list",  # was: 'unexpected error (OSError)', the buffer flushed mid-listing
        "list --json",
        "populate --dry-run",
        "console {role} --print",  # was: 'unexpected error (OSError)' and a second line
        "export {role}",
        "credential-process {role}",
        "completion bash",
    ],
)
@pytest.mark.usefixtures("logged_in")
def test_a_full_disk_is_one_line_and_a_failure(org: Organisation, command: str) -> None:
    run = in_shell(f"ssotui {command.format(role=role_of(org))} > /dev/full")
    assert (run.returncode, run.stderr) == (1, NO_SPACE)


@pytest.mark.parametrize("command", ["--help", "--version", "list --help"])
def test_help_and_version_on_a_full_disk_fail_in_one_line(command: str) -> None:
    # was: 'Exception ignored in: <_io.TextIOWrapper …>', an OSError line, exit 120
    run = in_shell(f"ssotui {command} > /dev/full")
    assert (run.returncode, run.stderr) == (1, NO_SPACE)


@pytest.mark.parametrize("command", ["--help", "--version"])
def test_help_into_a_closed_stdout_fails_as_every_command_does(command: str) -> None:
    run = in_shell(f"ssotui {command} >&-")  # was: nothing said, exit 0
    assert run.returncode == 1
    assert run.stderr.startswith("ssotui: standard output is closed")
    assert run.stderr.count("\n") == 1


@pytest.mark.usefixtures("logged_in")
def test_a_file_cut_short_by_its_size_limit_fails_the_listing(tmp_path: Path) -> None:
    out = tmp_path / "accounts.txt"
    run = in_shell(f"ulimit -f 16; ssotui list > {out}")  # 16 KiB a file, as a disk full there
    assert (run.returncode, run.stderr) == (
        1,
        "ssotui: cannot write standard output: File too large\n",
    )
    assert out.stat().st_size == 16 * 1024  # what was written, all that fit, not called a success


# `ssotui ARGS` (after the room) with every file it writes limited to that many bytes: its
# standard output, redirected to a file, is cut where a disk with that room left cuts it
_UP_TO = (
    "import os, resource, sys; room = int(sys.argv.pop(1)); "
    "resource.setrlimit(resource.RLIMIT_FSIZE, (room, room)); "
    "os.execv(sys.executable, [sys.executable, '-m', 'tui', *sys.argv[1:]])"
)


@pytest.mark.parametrize("unbuffered", ["", "1"])
@pytest.mark.parametrize("room", [100, 500])
@pytest.mark.parametrize("command", ["export {role}", "credential-process {role}"])
@pytest.mark.usefixtures("logged_in")
def test_a_file_cut_short_in_its_last_write_fails_too(
    org: Organisation, command: str, room: int, unbuffered: str, tmp_path: Path
) -> None:
    """A disk with less room left than the output: the kernel takes what fits and says how
    much. With PYTHONUNBUFFERED set (as many Docker images and CI runners set it) Python's
    unbuffered output took that count for the whole and dropped the rest in silence:
    `ssotui export prod Admin > creds.sh` left half a session token, exit 0."""
    out = tmp_path / "out"
    line = command.format(role=role_of(org))
    assert in_shell(f"ssotui {line} > {out}").returncode == 0
    assert out.stat().st_size > room  # more than fits
    limited = f"{shlex.quote(sys.executable)} -c {shlex.quote(_UP_TO)} {room}"
    run = in_shell(f"PYTHONUNBUFFERED={unbuffered} {limited} {line} > {out}")
    assert (run.returncode, run.stderr) == (
        1,
        "ssotui: cannot write standard output: File too large\n",
    )
    assert out.stat().st_size == room


@pytest.mark.parametrize("command", ["list", "populate --dry-run", "--help", "completion zsh"])
@pytest.mark.usefixtures("logged_in")
def test_a_reader_gone_before_the_output_is_quiet(command: str) -> None:
    run = in_shell(f'ssotui {command} | true; echo "status=${{PIPESTATUS[0]}}"')
    assert (run.stdout, run.stderr) == ("status=0\n", "")


@pytest.mark.usefixtures("logged_in")
def test_stderr_on_a_full_disk_leaves_the_outcome_as_it_was(org: Organisation) -> None:
    failed = in_shell("ssotui export no-such-account Admin 2> /dev/full")
    assert (failed.returncode, failed.stdout) == (1, "")  # was 120
    usage = in_shell("ssotui list --no-such-flag 2> /dev/full")
    assert usage.returncode == 2
    # its progress lines go nowhere, the diff is whole and the command a success (was 120)
    dry = in_shell("ssotui populate --dry-run 2> /dev/full")
    assert dry.returncode == 0
    assert dry.stdout == in_shell("ssotui populate --dry-run 2> /dev/null").stdout != ""


def test_a_device_code_stderr_cannot_take_ends_the_login_at_once(
    sim: Simulator, sso_config: Path, home: Home
) -> None:
    """`ssotui login --use-device-code 2> /dev/full`: the code reached no one, yet the login
    waited for its approval until the code expired (ten minutes). No browser opens it either
    (--no-browser), so nobody can approve: it fails at once, exit 1."""
    sim.set(approve="manual", interval=1)
    started = time.monotonic()
    run = in_shell("ssotui login --use-device-code --no-browser 2> /dev/full", timeout=30)
    assert (run.returncode, run.stdout) == (1, "")
    assert time.monotonic() - started < 20
    assert sim.calls["StartDeviceAuthorization"] == 1 and sim.calls["CreateToken"] == 0
    # no token (the client registration is kept, to be reused as the AWS CLI does)
    assert not any("accessToken" in f.read_text() for f in home.sso_cache.glob("*.json"))
