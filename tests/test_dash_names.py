"""Account and role names that begin with "-" (a permission set may be named `-Admin`:
`[\\w+=,.@-]+`), through the real command line: after `--` as POSIX operands, and for `exec`,
whose `--` starts the command, after `--end-of-options` (as in git)."""

from __future__ import annotations

import json
import shlex
import sys
from pathlib import Path

import boto3
import pytest

from tests.cli_helpers import ssotui
from tests.cli_here import ssotui_here
from tests.conftest import Home
from tui.models import Token
from tui.sim import Organisation, Simulator
from tui.sim.org import SimAccount, SimRole

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
