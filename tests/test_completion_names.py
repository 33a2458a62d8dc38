"""Shell completion of names that hold anything: in a real interactive bash, zsh and fish, a
name Tab completes runs as the very argument it is (spaces, quotes, `$`, backquotes, `~`, `#`,
globs), or Tab leaves it out (a newline, an escape sequence); it is never run as code, and no
control character reaches the shell in an answer."""

from __future__ import annotations

import fcntl
import json
import os
import pty
import shutil
import subprocess
import sys
import termios
import threading
import time
from datetime import UTC, datetime
from pathlib import Path

import pytest

from tests.cli_helpers import ssotui
from tests.conftest import Home, here
from tests.test_completion import START_URL, ask
from tui.models import Account, Catalog, SsoSession
from tui.store import catalog_cache

# Accounts (each found by its first two letters) and, for names at a word's start, accounts
# with one role each (found with nothing typed).
NAMES = [
    "qa has space",
    "qb it's",
    'qc dq"x',
    "qd $HOME",
    "qe $(touch pwned)",
    "qf `touch pwned`",
    "qg ;touch pwned",
    "qh |&<>*?[a]{b,c}!!",
    "qi \\back",
    "qj :colon",
    "qk=~root",
    "ql #hash",
    "qm trailing ",
]
LEFT_OUT = ["qn\nnewline", "qo\x1b[31mred", "qp\x9bcsi", "qr\u202eevil"]
ROLES = {"r1": "~root", "r2": "#hash", "r3": "=ls", "r4": "$(touch pwned)", "r5": "'"}


@pytest.fixture
def hostile(home: Home, tmp_path: Path) -> dict[str, str]:
    """The catalog above cached for the only session; `ssotui` on PATH answers completion
    requests as the real program and otherwise writes the arguments it was given to `ran`."""
    home.write_config(f"[sso-session dev]\nsso_start_url = {START_URL}\nsso_region = eu-west-1\n")
    names = NAMES + LEFT_OUT
    accounts = [Account(f"{100000000000 + i}", n) for i, n in enumerate(names)]
    roles = {a.account_id: ("Admin",) for a in accounts}
    for i, (name, role) in enumerate(ROLES.items()):
        accounts.append(Account(f"{200000000000 + i}", name))
        roles[f"{200000000000 + i}"] = (role,)
    catalog_cache.save(
        here(),
        SsoSession(name="dev", start_url=START_URL, region="eu-west-1"),
        Catalog(accounts=tuple(accounts), roles=roles, fetched_at=datetime.now(UTC)),
    )
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    program = bin_dir / "ssotui"
    program.write_text(
        f"#!{sys.executable}\nimport json, os, sys\n"
        'if "_ARGCOMPLETE" in os.environ:\n'
        f'    os.execv({sys.executable!r}, [{sys.executable!r}, "-m", "tui", *sys.argv[1:]])\n'
        f"with open({str(tmp_path / 'ran')!r}, 'a') as f:\n"
        "    f.write(json.dumps(sys.argv[1:]) + '\\n')\n"
    )
    program.chmod(0o755)
    return {**os.environ, "PATH": f"{bin_dir}{os.pathsep}{os.environ['PATH']}", "TERM": "xterm"}


def _shell(shell: str, tmp_path: Path) -> tuple[list[str], dict[str, str]]:
    """The command line of an interactive `shell` with the script set up as README says."""
    script = ssotui("completion", shell).out
    if shell == "bash":
        (tmp_path / "ssotui.bash").write_text(script)
        (tmp_path / "bashrc").write_text(f"PS1='$ '\nsource {tmp_path}/ssotui.bash\n")
        return ["bash", "--rcfile", str(tmp_path / "bashrc"), "-i"], {}
    if shell == "zsh":
        (tmp_path / "zfunc").mkdir()
        (tmp_path / "zfunc" / "_ssotui").write_text(script)
        (tmp_path / ".zshrc").write_text(
            f"PS1='$ '\nfpath=({tmp_path}/zfunc $fpath)\n"
            f"autoload -Uz compinit && compinit -u -d {tmp_path}/zcompdump\n"
        )
        return ["zsh", "--no-globalrcs", "-i"], {"ZDOTDIR": str(tmp_path)}
    (tmp_path / "ssotui.fish").write_text(script)
    return ["fish", "--no-config", "-C", f"source {tmp_path}/ssotui.fish"], {}


def _run_tabbed(
    shell: str, lines: list[str], env: dict[str, str], tmp_path: Path
) -> list[list[str]]:
    """Type each line, Tab, Enter in an interactive `shell` on a terminal: the arguments
    `ssotui` ran with, line by line."""
    argv, more = _shell(shell, tmp_path)
    ran = tmp_path / "ran"
    leader, follower = pty.openpty()
    child = subprocess.Popen(
        argv,
        stdin=follower,
        stdout=follower,
        stderr=follower,
        cwd=tmp_path,
        env={**env, **more},
        start_new_session=True,
        # the terminal is the shell's own (fish will not read lines without one)
        preexec_fn=lambda: fcntl.ioctl(0, termios.TIOCSCTTY, 0),
    )
    os.close(follower)

    def drain() -> None:  # what the shell draws is read, so it never waits to write
        while True:
            try:
                if not os.read(leader, 65536):
                    return
            except OSError:
                return

    reader = threading.Thread(target=drain, daemon=True)
    reader.start()
    try:
        for count, line in enumerate(lines, start=1):
            os.write(leader, f"{line}\t".encode())
            time.sleep(0.2)  # Tab's answer before Enter, as a person types
            os.write(leader, b"\r")
            deadline = time.monotonic() + 30
            while time.monotonic() < deadline and (
                not ran.exists() or len(ran.read_text().splitlines()) < count
            ):
                time.sleep(0.05)
        os.write(leader, b"exit\r")
        child.wait(timeout=30)
    finally:
        if child.poll() is None:
            child.kill()
            child.wait()
        os.close(leader)
        reader.join(timeout=5)
    return [json.loads(line) for line in ran.read_text().splitlines()] if ran.exists() else []


@pytest.mark.parametrize("shell", ["bash", "zsh", "fish"])
def test_a_completed_name_runs_as_the_same_argument_or_is_left_out(
    shell: str, hostile: dict[str, str], tmp_path: Path
) -> None:
    if shutil.which(shell) is None:
        pytest.skip(f"{shell} is not installed")
    lines = [f"ssotui export {name[:2]}" for name in NAMES + LEFT_OUT]
    lines += [f"ssotui export {account} " for account in ROLES]
    lines += ["ssotui export 'qb", 'ssotui export "qd', "ssotui export 'qk"]  # begun quoted
    # begun quoted with a space typed: zsh took it for the end of ACCOUNT (and offered roles)
    lines += ['ssotui export "qa has ', "ssotui export 'qg ;t"]
    expected = [["export", name] for name in NAMES]
    expected += [["export", name[:2]] for name in LEFT_OUT]  # as typed: nothing offered
    # fish quotes every name it completes but for a `~` at its start: left out there
    expected += [
        ["export", account]
        if shell == "fish" and role.startswith("~")
        else ["export", account, role]
        for account, role in ROLES.items()
    ]
    expected += [["export", "qb it's"], ["export", "qd $HOME"], ["export", "qk=~root"]]
    expected += [["export", "qa has space"], ["export", "qg ;touch pwned"]]
    assert _run_tabbed(shell, lines, hostile, tmp_path) == expected
    assert not list(tmp_path.rglob("pwned"))  # no name was run as a command


def test_bash_reads_every_name_it_is_offered_back_as_that_name(
    hostile: dict[str, str], tmp_path: Path
) -> None:
    """Several names at once (Tab twice lists them; what they share is put on the line)."""
    answer = tmp_path / "answer"
    line = "ssotui export q"
    request = {
        **hostile,
        "_ARGCOMPLETE": "1",
        "_ARGCOMPLETE_SHELL": "bash",
        "_ARGCOMPLETE_IFS": "\n",
        "_ARGCOMPLETE_STDOUT_FILENAME": str(answer),
        "COMP_LINE": line,
        "COMP_POINT": str(len(line)),
    }
    subprocess.run([sys.executable, "-m", "tui"], env=request, check=True, timeout=60)
    offered = answer.read_text().split("\n")
    read = subprocess.run(
        ["bash", "--norc", "--noprofile", "-c", "printf '%s\\0' " + " ".join(offered)],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        check=True,
    )
    assert read.stdout.split("\0")[:-1] == sorted(NAMES, key=str.casefold)
    assert not list(tmp_path.rglob("pwned"))


@pytest.mark.parametrize("shell", ["bash", "zsh", "fish"])
def test_no_answer_holds_a_control_character(shell: str, home: Home, tmp_path: Path) -> None:
    """Nor an account id (the service's AccountIdType is any string) offered for digits, nor a
    description: zsh shows those beside the names."""
    home.write_config(f"[sso-session dev]\nsso_start_url = {START_URL}\nsso_region = eu-west-1\n")
    catalog_cache.save(
        here(),
        SsoSession(name="dev", start_url=START_URL, region="eu-west-1"),
        Catalog(
            accounts=(
                Account("1234\x1b]0;owned\x07", "Norm"),
                Account("123456789012", "No\x1b[31mred"),
                Account("123456789013", "Nose"),
            ),
            roles={},
            fetched_at=datetime.now(UTC),
        ),
    )
    for line in ("ssotui export 12", "ssotui export No", "ssotui export "):
        answer = ask(line, dict(os.environ), tmp_path, shell=shell)
        assert answer and all(c.isprintable() for c in answer), (line, answer)
    assert ask("ssotui export 12", dict(os.environ), tmp_path) == ["123456789012", "123456789013"]
