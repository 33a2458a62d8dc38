"""Shell completion: the scripts `ssotui completion SHELL` prints are valid for their shell, and
the real shells, through them, complete commands, options, session names, and ACCOUNT and ROLE
from the cached catalog (no simulator runs here: completion never goes to the network)."""

from __future__ import annotations

import os
import pty
import shutil
import socket
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from tests.cli_helpers import ssotui
from tests.conftest import Home, here
from tui.aws.token_cache import save_token
from tui.models import Account, Catalog, SsoSession, Token
from tui.sim import Organisation
from tui.store import catalog_cache

START_URL = "https://acme.awsapps.com/start"
ORG = Organisation.generate(accounts=40, seed=11)


@pytest.fixture
def cached(home: Home, tmp_path: Path) -> dict[str, str]:
    """Two sessions, the catalog of `dev` cached, no token at all; the environment in which
    `ssotui` is the real program (as a shell would find it on PATH)."""
    home.write_config(
        f"[sso-session dev]\nsso_start_url = {START_URL}\nsso_region = eu-west-1\n"
        "[sso-session other]\nsso_start_url = https://other.awsapps.com/start\n"
        "sso_region = eu-west-1\n"
    )
    home.config_dir.mkdir(parents=True)
    (home.config_dir / "config.toml").write_text('default_session = "dev"\n')
    catalog_cache.save(
        here(),
        SsoSession(name="dev", start_url=START_URL, region="eu-west-1"),
        Catalog(
            accounts=tuple(Account(a.account_id, a.name, a.email) for a in ORG.accounts),
            roles={a.account_id: tuple(r.name for r in a.roles) for a in ORG.accounts},
            fetched_at=datetime.now(UTC),
        ),
    )
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    program = bin_dir / "ssotui"
    program.write_text(f'#!/bin/sh\nexec {sys.executable} -m tui "$@"\n')
    program.chmod(0o755)
    return {**os.environ, "PATH": f"{bin_dir}{os.pathsep}{os.environ['PATH']}"}


def ask(line: str, env: dict[str, str], tmp_path: Path, shell: str = "bash") -> list[str]:
    """The candidates `ssotui` answers for `line` (cursor at the end), asked as `shell` does
    (zsh gets `candidate:description`)."""
    answer = tmp_path / "answer"
    request = {
        **env,
        "_ARGCOMPLETE": "1",
        "_ARGCOMPLETE_SHELL": shell,
        "_ARGCOMPLETE_IFS": "\n",
        "_ARGCOMPLETE_STDOUT_FILENAME": str(answer),
        "COMP_LINE": line,
        "COMP_POINT": str(len(line)),
    }
    done = subprocess.run(
        [sys.executable, "-m", "tui"], env=request, capture_output=True, text=True, timeout=60
    )
    assert (done.returncode, done.stdout, done.stderr) == (0, "", "")
    return [c.rstrip() for c in answer.read_text().split("\n") if c]


def _account_with_roles(prefix_length: int = 5) -> tuple[str, list[str], list[str]]:
    """An account name, the names sharing its first letters, and its roles."""
    account = next(a for a in ORG.accounts if len(a.roles) >= 2)
    prefix = account.name[:prefix_length]
    sharing = sorted(
        (a.name for a in ORG.accounts if a.name.casefold().startswith(prefix.casefold())),
        key=str.casefold,
    )
    return account.name, sharing, sorted((r.name for r in account.roles), key=str.casefold)


def test_the_protocol_answers_commands_options_sessions_accounts_and_roles(
    cached: dict[str, str], tmp_path: Path
) -> None:
    assert "export" in ask("ssotui ", cached, tmp_path)
    assert ask("ssotui ex", cached, tmp_path) == ["exec", "export"]
    assert ask("ssotui --se", cached, tmp_path) == ["--session"]
    assert "--region" in ask("ssotui export --", cached, tmp_path)
    assert ask("ssotui export --format f", cached, tmp_path) == ["fish"]
    assert ask("ssotui --session ", cached, tmp_path) == ["dev", "other"]
    assert ask("ssotui completion ", cached, tmp_path) == ["bash", "zsh", "fish"]
    name, sharing, roles = _account_with_roles()
    assert ask(f"ssotui exec {name[:5]}", cached, tmp_path) == sharing
    assert ask(f"ssotui exec {name[:5].upper()}", cached, tmp_path) == sharing  # any case
    assert ask(f"ssotui export {name} ", cached, tmp_path) == roles
    assert ask(f"ssotui console {name} {roles[0][:3]}", cached, tmp_path) == [
        r for r in roles if r.startswith(roles[0][:3])
    ]
    one = ORG.accounts[3]
    assert ask(f"ssotui exec {one.account_id[:8]}", cached, tmp_path) == [one.account_id]
    # options before the command count: `other` has no cached catalog, so no account
    assert ask(f"ssotui --session other exec {name[:5]}", cached, tmp_path) == []
    assert ask(f"ssotui exec --session other {name[:5]}", cached, tmp_path) == []
    # no ACCOUNT typed yet: no roles among the account names
    assert not set(ask("ssotui exec ", cached, tmp_path)) & set(roles)
    # an option between ACCOUNT and ROLE: still the roles of that account
    assert ask(f"ssotui exec {name} --region eu-west-1 ", cached, tmp_path) == roles
    assert ask(f"ssotui export {name} --format json {roles[0][:3]}", cached, tmp_path) == [
        r for r in roles if r.startswith(roles[0][:3])
    ]


def test_completing_makes_no_network_call_and_needs_no_login(
    cached: dict[str, str], tmp_path: Path, home: Home
) -> None:
    env = {**cached, "AWS_ENDPOINT_URL_SSO": "http://127.0.0.1:9", "SSOTUI_READ_TIMEOUT": "1"}
    name, sharing, _roles = _account_with_roles()
    assert ask(f"ssotui exec {name[:5]}", env, tmp_path) == sharing
    assert not home.sso_cache.exists() or not list(home.sso_cache.iterdir())


@pytest.mark.parametrize("login", ["none", "expired", "valid"])
def test_a_catalog_past_its_lifetime_is_offered_with_no_call_whatever_the_login(
    login: str, cached: dict[str, str], tmp_path: Path
) -> None:
    """Tab never waits on Identity Center: not to log in, not to renew an expired token with
    its refresh token, not to bring a catalog past `catalog_lifetime` up to date. Both
    endpoints are a listener that would take a connection and never answer; none is made,
    and nothing is said in the shell; with no catalog cached, nothing is offered."""
    session = SsoSession(name="dev", start_url=START_URL, region="eu-west-1")
    (here().config_file).write_text('default_session = "dev"\ncatalog_lifetime = 60\n')
    catalog_cache.save(
        here(),
        session,
        Catalog(
            accounts=tuple(Account(a.account_id, a.name, a.email) for a in ORG.accounts),
            roles={a.account_id: tuple(r.name for r in a.roles) for a in ORG.accounts},
            fetched_at=datetime.now(UTC) - timedelta(days=2),
        ),
    )
    if login != "none":
        expires = datetime.now(UTC) + (
            timedelta(hours=8) if login == "valid" else -timedelta(hours=1)
        )
        save_token(
            here(),
            session,
            Token(
                START_URL,
                "eu-west-1",
                "access",
                expires.replace(microsecond=0),
                client_id="client",
                client_secret="secret",
                registration_expires_at=datetime.now(UTC) + timedelta(days=80),
                refresh_token="refresh",
            ),
        )
    with socket.socket() as listener:
        listener.bind(("127.0.0.1", 0))
        listener.listen()
        listener.setblocking(False)
        endpoint = f"http://127.0.0.1:{listener.getsockname()[1]}"
        env = {**cached, "AWS_ENDPOINT_URL_SSO": endpoint, "AWS_ENDPOINT_URL_SSO_OIDC": endpoint}
        name, sharing, roles = _account_with_roles()
        assert ask(f"ssotui exec {name[:5]}", env, tmp_path) == sharing
        assert ask(f"ssotui exec {name} ", env, tmp_path) == roles
        catalog_cache.delete(here(), session)
        assert ask(f"ssotui exec {name[:5]}", env, tmp_path) == []
        assert ask(f"ssotui exec {name} ", env, tmp_path) == []
        with pytest.raises(BlockingIOError):
            listener.accept()  # no connection is waiting: none was made


@pytest.mark.parametrize("shell", ["bash", "zsh", "fish"])
def test_each_script_is_valid_for_its_shell(shell: str, tmp_path: Path) -> None:
    result = ssotui("completion", shell)
    assert result.status == 0 and result.out
    if shutil.which(shell) is None:
        pytest.skip(f"{shell} is not installed")
    script = tmp_path / f"ssotui.{shell}"
    script.write_text(result.out)
    check = {"bash": ["bash", "-n"], "zsh": ["zsh", "-n"], "fish": ["fish", "--no-execute"]}
    done = subprocess.run([*check[shell], str(script)], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr


def test_bash_completes_through_the_script(cached: dict[str, str], tmp_path: Path) -> None:
    script = tmp_path / "ssotui.bash"
    script.write_text(ssotui("completion", "bash").out)
    name, sharing, roles = _account_with_roles()

    def complete(*words: str) -> list[str]:
        program = (
            f"source {script}\n"
            'COMP_WORDS=("$@"); COMP_CWORD=$(( $# - 1 )); COMP_LINE="$*"; '
            "COMP_POINT=${#COMP_LINE}; COMP_TYPE=9\n"
            '_python_argcomplete ssotui; printf "%s\\n" "${COMPREPLY[@]}"\n'
        )
        done = subprocess.run(
            ["bash", "--norc", "--noprofile", "-c", program, "bash", "ssotui", *words],
            capture_output=True,
            text=True,
            env=cached,
            timeout=60,
        )
        assert done.returncode == 0, done.stderr
        return [line.rstrip() for line in done.stdout.splitlines() if line]

    assert complete("li") == ["list"]
    assert complete("exec", name[:5]) == sharing
    assert complete("exec", name, "") == roles


@pytest.mark.skipif(shutil.which("fish") is None, reason="fish is not installed")
def test_fish_completes_through_the_script(cached: dict[str, str], tmp_path: Path) -> None:
    script = tmp_path / "ssotui.fish"
    script.write_text(ssotui("completion", "fish").out)
    name, sharing, roles = _account_with_roles()

    def complete(line: str) -> list[str]:
        done = subprocess.run(
            ["fish", "--no-config", "-c", f"source {script}; complete -C {line!r}"],
            capture_output=True,
            text=True,
            env={**cached, "HOME": str(tmp_path)},
            timeout=60,
        )
        assert done.returncode == 0, done.stderr
        return [line.split("\t")[0] for line in done.stdout.splitlines() if line]

    assert complete("ssotui li") == ["list"]
    assert complete(f"ssotui exec {name[:5]}") == sharing
    assert complete(f"ssotui exec {name} ") == roles


def test_an_account_with_no_name_is_offered_by_its_id(
    cached: dict[str, str], tmp_path: Path
) -> None:
    nameless = Account("123456789012", "")  # the service may leave accountName out
    catalog_cache.save(
        here(),
        SsoSession(name="dev", start_url=START_URL, region="eu-west-1"),
        Catalog(
            accounts=(nameless, Account("210987654321", "Zeta")),
            roles={"123456789012": ("Admin",), "210987654321": ("Dev",)},
            fetched_at=datetime.now(UTC),
        ),
    )
    assert ask("ssotui export ", cached, tmp_path) == ["123456789012", "Zeta"]
    assert ask("ssotui export 123456789012 ", cached, tmp_path) == ["Admin"]


def test_zsh_is_offered_thousands_of_accounts_without_descriptions(
    cached: dict[str, str], tmp_path: Path
) -> None:
    # zsh lines descriptions up in a time that grows faster than their number: Tab on an
    # empty ACCOUNT among 20,000 accounts took 1.7 s before zsh asked to list them, 0.6 s now
    many = Organisation.generate(accounts=2_500, seed=5)
    catalog_cache.save(
        here(),
        SsoSession(name="dev", start_url=START_URL, region="eu-west-1"),
        Catalog(
            accounts=tuple(Account(a.account_id, a.name, a.email) for a in many.accounts),
            roles={a.account_id: tuple(r.name for r in a.roles) for a in many.accounts},
            fetched_at=datetime.now(UTC),
        ),
    )
    every = ask("ssotui export ", cached, tmp_path, shell="zsh")
    assert len(every) == 2_500 and all(c.endswith(":") for c in every)
    # a prefix that leaves a list one can read: each name with its account id
    some = many.accounts[7]
    few = ask(f"ssotui export {some.name[:6]}", cached, tmp_path, shell="zsh")
    assert 0 < len(few) < 2_000
    assert f"{some.name}:{some.account_id}" in few


def _zsh_line(typed: str, env: dict[str, str], tmp_path: Path) -> str:
    """The command line after typing `typed` and Tab in an interactive zsh set up as README
    says (the script in a folder on $fpath, then compinit)."""
    functions = tmp_path / "zfunc"
    functions.mkdir(exist_ok=True)
    (functions / "_ssotui").write_text(ssotui("completion", "zsh").out)
    line = tmp_path / "line"
    line.unlink(missing_ok=True)
    (tmp_path / ".zshrc").write_text(
        f"fpath=({functions} $fpath)\n"
        f"autoload -Uz compinit && compinit -u -d {tmp_path}/zcompdump\n"
        # ctrl+t writes the line to a file and leaves the shell
        f'_write_line() {{ print -r -- "$BUFFER" > {line}; BUFFER=exit; zle accept-line }}\n'
        "zle -N _write_line\nbindkey '^T' _write_line\n"
    )
    leader, follower = pty.openpty()
    shell = subprocess.Popen(
        ["zsh", "--no-globalrcs", "-i"],
        stdin=follower,
        stdout=follower,
        stderr=follower,
        env={**env, "ZDOTDIR": str(tmp_path), "TERM": "xterm"},
        start_new_session=True,
    )
    os.close(follower)
    try:
        os.write(leader, f"{typed}\t\x14".encode())
        while True:  # read what it draws until it leaves (the terminal closes with it)
            try:
                if not os.read(leader, 4096):
                    break
            except OSError:
                break
        assert shell.wait(timeout=60) == 0
    finally:
        os.close(leader)
    return line.read_text().rstrip("\n")


@pytest.mark.skipif(shutil.which("zsh") is None, reason="zsh is not installed")
def test_zsh_completes_account_and_role_names_in_any_case(
    cached: dict[str, str], tmp_path: Path
) -> None:
    """README: `prod<Tab>` finds `Prod-Payments`. zsh kept only the answers that began with
    the word typed, in its case, so a name typed in another case completed to nothing."""
    name, _sharing, roles = _account_with_roles()
    folded = [a.name.casefold() for a in ORG.accounts]
    typed = next(
        name[:n]
        for n in range(3, len(name) + 1)
        if sum(f.startswith(name[:n]) for f in folded) == 1
    )
    role = roles[-1]
    begun = next(
        role[:n]
        for n in range(1, len(role) + 1)
        if sum(r.casefold().startswith(role[:n].casefold()) for r in roles) == 1
    )
    assert _zsh_line(f"ssotui exec {typed.upper()}", cached, tmp_path) == f"ssotui exec {name} "
    assert _zsh_line(f"ssotui exec {name} {begun.swapcase()}", cached, tmp_path) == (
        f"ssotui exec {name} {role} "
    )
    assert _zsh_line("ssotui li", cached, tmp_path) == "ssotui list "
