"""Hostile names from the service (the simulator's `hostile_names`), end to end.

The simulator serves them exactly through botocore; `exec` starts its command although an
account name holds a NUL, with markers a shell prompt may print safely.
"""

from __future__ import annotations

import sys
import unicodedata

import boto3
import pytest
from botocore import UNSIGNED
from botocore.config import Config

from tests.cli_here import ssotui_here as ssotui
from tui.models import Token
from tui.sim import HOSTILE_ACCOUNTS, Organisation, Simulator


@pytest.fixture
def org() -> Organisation:
    """A small organisation plus every hostile account."""
    return Organisation.generate(accounts=4, seed=7, hostile_names=True)


def test_the_simulator_serves_hostile_names_exactly(sim: Simulator, token: Token) -> None:
    sso = boto3.session.Session().client(
        "sso", config=Config(signature_version=UNSIGNED, region_name=sim.region)
    )
    listed = sso.list_accounts(accessToken=token.access_token, maxResults=100)["accountList"]
    served = {a["accountName"]: a for a in listed}
    for name, email, roles in HOSTILE_ACCOUNTS:
        account = served[name]
        assert account["emailAddress"] == email
        answer = sso.list_account_roles(
            accessToken=token.access_token, accountId=account["accountId"]
        )
        assert [r["roleName"] for r in answer["roleList"]] == list(roles)
        creds = sso.get_role_credentials(
            accessToken=token.access_token, accountId=account["accountId"], roleName=roles[0]
        )
        assert creds["roleCredentials"]["accessKeyId"].startswith("ASIA")


def test_the_knob_adds_accounts_and_keeps_the_generated_ones() -> None:
    plain = Organisation.generate(accounts=4, seed=7)
    hostile = Organisation.generate(accounts=4, seed=7, hostile_names=True)
    assert hostile.accounts[:4] == plain.accounts
    assert [a.name for a in hostile.accounts[4:]] == [h[0] for h in HOSTILE_ACCOUNTS]
    assert len({a.account_id for a in hostile.accounts}) == len(hostile)


def test_exec_runs_for_an_account_whose_name_holds_a_nul(sim: Simulator, token: Token) -> None:
    show = "import os; print(os.environ['SSOTUI_ACCOUNT_NAME'], os.environ['SSOTUI_ROLE_NAME'])"
    result = ssotui("exec", "nul", "ReadOnlyAccess", "--", sys.executable, "-c", show)
    assert result.status == 0, result.err
    assert result.out == "nul␀byte ReadOnlyAccess\n"


def test_exec_markers_hold_no_escape_sequence(sim: Simulator, token: Token) -> None:
    show = "import os; print(os.environ['SSOTUI_ACCOUNT_NAME'], os.environ['SSOTUI_ROLE_NAME'])"
    account = sim.org.by_name(HOSTILE_ACCOUNTS[0][0])
    result = ssotui("exec", account.account_id, "ReadOnlyAccess", "--", sys.executable, "-c", show)
    assert result.status == 0, result.err
    assert result.out == "x␛]0;TITLE␇␛[2J ReadOnlyAccess\n"
    assert not any(unicodedata.category(c) == "Cc" for c in result.out.rstrip("\n"))


def _raw_controls(text: str) -> set[str]:
    """Control characters (C0 but the line breaks a listing is made of, DEL, C1) in `text`."""
    return {
        c
        for c in text
        if unicodedata.category(c) == "Cc" and c != "\n" or unicodedata.category(c) == "Cf"
    }


def test_list_shows_hostile_names_cleaned_one_row_each_aligned_in_cells(
    sim: Simulator, token: Token, org: Organisation
) -> None:
    from tui.text import cell_width

    listed = ssotui("list")
    assert listed.status == 0, listed.err
    assert not _raw_controls(listed.out), "a raw control character reached the terminal"
    pairs = sum(len(a.roles) for a in org.accounts)
    rows = listed.out.splitlines()
    assert len(rows) == pairs  # a line break in a name makes no extra row
    # --json keeps the exact values (JSON escapes them), in the same order as the text.
    import json

    from tui.text import printable

    exact = json.loads(ssotui("list", "--json").out)
    assert {name for name, _email, _roles in HOSTILE_ACCOUNTS} <= {r["accountName"] for r in exact}
    # The role column starts at the same cell on every row, CJK names included.
    starts = set()
    for row, pair in zip(rows, exact, strict=True):
        role = printable(pair["roleName"])
        assert row.endswith(role), (row, role)
        starts.add(cell_width(row[: len(row) - len(role)]))
    assert len(starts) == 1, starts


def test_list_json_holds_no_raw_control_yet_decodes_to_the_exact_names(
    sim: Simulator, token: Token
) -> None:
    """`list --json` on a terminal: JSON escapes C0 itself, and ssotui the C1 CSI and the bidi
    override a raw byte of which the terminal would obey; the values are the exact names."""
    import json

    listed = ssotui("list", "--json")
    assert listed.status == 0, listed.err
    assert not _raw_controls(listed.out), "a raw control character reached the terminal"
    names = {r["accountName"] for r in json.loads(listed.out)}
    assert {"\x9b2J c1 control", "bidi \u202etxt.exe"} <= names


def test_messages_that_name_accounts_are_cleaned(sim: Simulator, token: Token) -> None:
    run = ssotui("export", "x", "nope")  # matches several accounts: the message lists them
    assert run.status == 1
    assert not _raw_controls(run.err.rstrip("\n")), run.err
    assert len(run.err.strip().splitlines()) == 1


@pytest.mark.parametrize("encoding", ["ascii", "cp1252"])
def test_names_stdout_cannot_encode_fail_in_one_line_that_says_what_to_set(
    sim: Simulator, token: Token, encoding: str
) -> None:
    """`ssotui list > file` on Windows writes in its code page, which has no 東京."""
    for command in (["list"], ["list", "--json"], ["populate", "--dry-run"]):
        result = ssotui(*command, env={"PYTHONIOENCODING": encoding, "PYTHONUTF8": "0"})
        assert result.status == 1, result.err
        assert result.out == ""
        assert result.err.splitlines()[-1] == (
            f"ssotui: standard output's encoding ({encoding}) cannot hold some of the names to "
            "print: set PYTHONUTF8=1 (or PYTHONIOENCODING=utf-8) and run again"
        )
