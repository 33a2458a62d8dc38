"""Account and role names that begin with "-" (a permission set may be named `-Admin`:
`[\\w+=,.@-]+`), through the real command line: after `--` as POSIX operands, and for `exec`,
whose `--` starts the command, after `--end-of-options` (as in git)."""

from __future__ import annotations

import json
import os
import shlex
import shutil
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

import boto3
import pytest

from tests.cli_helpers import ssotui
from tests.cli_here import ssotui_here
from tests.conftest import Home, here
from tests.test_completion import _zsh_line, ask
from tui.models import Account, Catalog, SsoSession, Token
from tui.sim import Organisation, Simulator
from tui.sim.org import SimAccount, SimRole
from tui.store import catalog_cache

SHOW = "import os; print(os.environ['SSOTUI_ACCOUNT_NAME'], os.environ['SSOTUI_ROLE_NAME'])"


@pytest.fixture
def org() -> Organisation:
    """`-team` holds the only `-Admin`: a wrong account or role is a failure, not a success."""
    return Organisation(
        [
            SimAccount("111111111111", "-team", "team@example.com", [SimRole("-Admin")]),
            SimAccount("222222222222", "prod", "prod@example.com", [SimRole("ReadOnly")]),
        ]
    )


@pytest.mark.parametrize(
    "line",
    [
        ("export", "--format", "json", "--", "-team", "-Admin"),
        ("export", "--", "-team", "-Admin"),
        ("export", "111111111111", "--", "-Admin"),
        ("export", "--end-of-options", "-team", "-Admin"),
        ("credential-process", "--", "-team", "-Admin"),
        ("console", "--print", "--", "-team", "-Admin"),
        ("write-profile", "--profile", "team", "--", "-team", "-Admin"),
    ],
)
def test_names_that_begin_with_a_dash_go_after_the_double_dash(
    sim: Simulator, token: Token, line: tuple[str, ...]
) -> None:
    result = ssotui_here(*line)
    assert result.status == 0, result.err
    assert result.err == "" or line[0] == "write-profile"


def test_exec_takes_them_after_end_of_options_and_its_command_after_the_double_dash(
    sim: Simulator, token: Token
) -> None:
    result = ssotui("exec", "--end-of-options", "-team", "-Admin", "--", sys.executable, "-c", SHOW)
    assert result.status == 0, result.err
    assert result.out == "-team -Admin\n"


def test_exec_keeps_its_double_dash_for_the_command(sim: Simulator, token: Token) -> None:
    result = ssotui("exec", "prod", "ReadOnly", "--", sys.executable, "-c", SHOW, "--", "x")
    assert result.status == 0, result.err
    assert result.out == "prod ReadOnly\n"


def test_more_words_after_the_double_dash_are_still_a_command_only_exec_takes(
    sim: Simulator, token: Token
) -> None:
    result = ssotui_here("export", "prod", "ReadOnly", "--", "aws", "s3", "ls")
    assert result.status == 2
    assert result.err.endswith("ssotui: error: only `ssotui exec` takes a command after --\n")


def test_the_role_after_the_double_dash_in_a_credential_process_line_works_in_botocore(
    sim: Simulator, token: Token, home: Home, tmp_path: Path
) -> None:
    command = shlex.join([sys.executable, "-m", "tui", "credential-process", "--", "-team"])
    home.aws_config.write_text(
        home.aws_config.read_text()
        + f"\n[profile cp]\ncredential_process = {command} {shlex.quote('-Admin')}\n"
    )
    creds = boto3.Session(profile_name="cp").get_credentials()
    assert creds is not None
    assert creds.get_frozen_credentials().access_key.startswith("ASIA")


def test_an_empty_word_after_the_double_dash_is_refused_as_ever(sim: Simulator) -> None:
    result = ssotui_here("export", "--", "-team", "")
    assert result.status == 2
    assert "argument ROLE: an empty word (an unset variable?); pass a role name" in result.err


def test_export_json_after_the_double_dash_is_the_role_s(sim: Simulator, token: Token) -> None:
    result = ssotui_here("export", "--format", "json", "--", "-team", "-Admin")
    assert result.status == 0, result.err
    assert json.loads(result.out)["AccessKeyId"].startswith("ASIA")


@pytest.fixture
def cached_dash_names(home: Home, tmp_path: Path) -> dict[str, str]:
    """Accounts and roles that begin with "-" cached for the only session; the environment in
    which `ssotui` is the real program (as a shell finds it on PATH)."""
    start_url = "https://acme.awsapps.com/start"
    home.write_config(f"[sso-session dev]\nsso_start_url = {start_url}\nsso_region = eu-west-1\n")
    accounts = (
        Account("111111111111", "-team"),
        Account("222222222222", "prod"),
        Account("333333333333", "-ops"),
    )
    roles = {
        "111111111111": ("-Admin", "ReadOnly"),
        "222222222222": ("-Admin", "Dev"),
        "333333333333": (),
    }
    catalog_cache.save(
        here(),
        SsoSession(name="dev", start_url=start_url, region="eu-west-1"),
        Catalog(accounts=accounts, roles=roles, fetched_at=datetime.now(UTC)),
    )
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    program = bin_dir / "ssotui"
    program.write_text(f'#!/bin/sh\nexec {sys.executable} -m tui "$@"\n')
    program.chmod(0o755)
    return {**os.environ, "PATH": f"{bin_dir}{os.pathsep}{os.environ['PATH']}"}


@pytest.mark.parametrize("shell", ["bash", "zsh", "fish"])
def test_completion_offers_them_after_the_double_dash_and_in_a_form_that_works_before(
    cached_dash_names: dict[str, str], tmp_path: Path, shell: str
) -> None:
    def offered(line: str) -> list[str]:
        return [c.split(":")[0].rstrip() for c in ask(line, cached_dash_names, tmp_path, shell)]

    # before `--` a name that begins with "-" would be an option: the account by its id,
    # the role not at all
    assert offered("ssotui export ") == ["111111111111", "333333333333", "prod"]
    assert offered("ssotui export prod ") == ["Dev"]
    # after `--` (exec: after --end-of-options) as they are, and read as ACCOUNT
    assert offered("ssotui export -- ") == ["-ops", "-team", "prod"]
    assert offered("ssotui export -- -t") == ["-team"]
    assert offered("ssotui credential-process -- -team ") == ["-Admin", "ReadOnly"]
    assert offered("ssotui console -- -team -") == ["-Admin"]
    assert offered("ssotui write-profile prod -- -") == ["-Admin"]
    assert offered("ssotui exec --end-of-options -t") == ["-team"]
    assert offered("ssotui exec --end-of-options -team -") == ["-Admin"]
    assert "--region" in offered("ssotui export -")  # options, before `--`, as ever


def test_bash_puts_the_names_on_the_line_as_typed(
    cached_dash_names: dict[str, str], tmp_path: Path
) -> None:
    script = tmp_path / "ssotui.bash"
    script.write_text(ssotui("completion", "bash").out)

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
            env=cached_dash_names,
            timeout=60,
        )
        assert done.returncode == 0, done.stderr
        return [line.rstrip() for line in done.stdout.splitlines() if line]

    assert complete("export", "--", "-t") == ["-team"]
    assert complete("export", "--", "-team", "-A") == ["-Admin"]
    assert complete("exec", "--end-of-options", "-team", "-A") == ["-Admin"]


def _command_in(text: str, start: str) -> list[str]:
    """The words of the command that follows `start` in `text` (to the line's end or a "`")."""
    said = text.split(start, 1)[1].split("\n", 1)[0].split("`", 1)[0]
    return shlex.split(said)


def test_advice_to_log_in_names_a_session_that_begins_with_a_dash_so_that_it_works(
    sim: Simulator, home: Home
) -> None:
    home.write_config(
        f"[sso-session -corp]\nsso_start_url = {sim.start_url}\nsso_region = {sim.region}\n"
        "sso_registration_scopes = sso:account:access\n"
    )
    listed = ssotui_here("list", "--session=-corp")
    assert listed.status == 1
    words = _command_in(listed.err, "run `")
    assert words[:2] == ["ssotui", "login"]
    assert ssotui_here(*words[1:], "--no-browser").status == 0
    assert ssotui_here("list", "--session=-corp").status == 0


@pytest.mark.parametrize(
    ("line", "then"),
    [
        (("export", "-team", "-Admin"), "--: ssotui export [options] -- ACCOUNT ROLE"),
        (("write-profile", "prod", "-Admin"), "--: ssotui write-profile [options] -- ACCOUNT ROLE"),
        (
            ("exec", "prod", "-Admin"),
            "--end-of-options: ssotui exec [options] --end-of-options ACCOUNT ROLE [-- CMD ARGS]",
        ),
    ],
)
def test_a_name_taken_for_an_option_is_told_where_it_goes(line: tuple[str, ...], then: str) -> None:
    result = ssotui_here(*line)
    assert result.status == 2
    last = result.err.splitlines()[-1]
    assert last.endswith(f'; an ACCOUNT or ROLE that begins with "-" goes after {then}')


def test_a_mistyped_long_option_gets_no_such_advice() -> None:
    result = ssotui_here("export", "prod", "Admin", "--bogus")
    assert result.err.splitlines()[-1] == "ssotui export: error: unrecognized arguments: --bogus"


@pytest.mark.skipif(shutil.which("zsh") is None, reason="zsh is not installed")
def test_zsh_puts_the_names_on_the_line_as_typed(
    cached_dash_names: dict[str, str], tmp_path: Path
) -> None:
    line = _zsh_line("ssotui export -- -te", cached_dash_names, tmp_path)
    assert line == "ssotui export -- -team "
    line = _zsh_line("ssotui exec --end-of-options -team -Ad", cached_dash_names, tmp_path)
    assert line == "ssotui exec --end-of-options -team -Admin "


@pytest.mark.skipif(shutil.which("fish") is None, reason="fish is not installed")
def test_fish_offers_the_names_after_the_double_dash(
    cached_dash_names: dict[str, str], tmp_path: Path
) -> None:
    script = tmp_path / "ssotui.fish"
    script.write_text(ssotui("completion", "fish").out)

    def complete(line: str) -> list[str]:
        done = subprocess.run(
            ["fish", "--no-config", "-c", f"source {script}; complete -C {shlex.quote(line)}"],
            capture_output=True,
            text=True,
            env={**cached_dash_names, "HOME": str(tmp_path)},
            timeout=60,
        )
        assert done.returncode == 0, done.stderr
        return [line.split("\t")[0] for line in done.stdout.splitlines() if line]

    assert complete("ssotui export -- -t") == ["-team"]
    assert complete("ssotui export -- -team -A") == ["-Admin"]
    assert complete("ssotui export ") == ["111111111111", "333333333333", "prod"]


def test_completion_offers_no_account_nor_option_as_exec_s_command(
    cached_dash_names: dict[str, str], tmp_path: Path
) -> None:
    assert ask("ssotui exec -- ", cached_dash_names, tmp_path) == []
    assert ask("ssotui exec -- -", cached_dash_names, tmp_path) == []
    assert ask("ssotui exec prod Dev -- p", cached_dash_names, tmp_path) == []
    assert ask("ssotui exec --end-of-options -team -Admin -- ", cached_dash_names, tmp_path) == []


@pytest.mark.parametrize(
    "line",
    [
        ("export", "--region", "--", "-team", "-Admin"),
        ("export", "--session", "--", "-team", "-Admin"),
        ("console", "--duration", "--", "-team", "-Admin"),
        ("write-profile", "--profile", "--", "-team", "-Admin"),
        ("exec", "--region", "--end-of-options", "-team", "-Admin"),
    ],
)
def test_an_option_never_takes_an_operand_for_its_value(line: tuple[str, ...]) -> None:
    """As before `--` had operands: the option is missing its value, and says so."""
    result = ssotui_here(*line)
    assert result.status == 2
    assert result.err.splitlines()[-1] == (
        f"ssotui {line[0]}: error: argument {line[1]}: expected one argument"
    )


def test_exec_tells_where_the_names_go_when_its_command_begins_with_a_dash() -> None:
    """The guess `ssotui exec -- -team -Admin -- aws s3 ls` ran `-team` after a pick (or
    asked for ACCOUNT and ROLE): no program is named so."""
    result = ssotui("exec", "--", "-team", "-Admin", "--", "aws", "s3", "ls")
    assert result.status == 2
    assert result.err.splitlines()[-1] == (
        "ssotui: error: a command to run does not begin with \"-\" ('-team'); an ACCOUNT or "
        'ROLE that begins with "-" goes after --end-of-options: ssotui exec [options] '
        "--end-of-options ACCOUNT ROLE [-- CMD ARGS]"
    )
