"""write-profile changes only ssotui's lines of a profile, as `aws configure set` changes only
the keys it sets: the user's `region`, `output`, `ca_bundle`, comments and any other key stay,
in place and in order; `logout --purge` takes out only what ssotui wrote. Was: the whole
section replaced, the user's lines silently lost.

Read back by botocore and by the AWS CLI v2 (`aws configure get`, `aws configure
export-credentials`), over CRLF files, a section at the end without a final newline,
duplicated keys and odd spacing.
"""

from __future__ import annotations

import json
import os
from datetime import UTC, datetime
from pathlib import Path

import boto3
import pytest
from botocore.configloader import raw_config_parse

from tests.aws_cli_support import aws, aws_cli
from tests.cli_helpers import ssotui
from tests.conftest import Home, here
from tui.errors import StaticKeysProfile
from tui.export.credentials_file import (
    profile_lines,
    purge_written_profiles,
    remove_profile,
    write_profile,
    written_profiles,
)
from tui.models import Account, RoleCredentials, Token
from tui.sim import Simulator

KEY = "ASIAEXAMPLEKEY123456"
SECRET = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY"
TOKEN = "IQoJb3JpZ2luX2VjEXAMPLE//////////wEaCXVzLWVhc3QtMSJHMEUCIQ+/="


def make_creds(region: str | None = None, key: str = KEY) -> RoleCredentials:
    return RoleCredentials(
        account=Account("123456789012", "Production"),
        role_name="Admin",
        access_key_id=key,
        secret_access_key=SECRET,
        session_token=TOKEN,
        expiration=datetime(2030, 1, 2, 3, 4, 5, tzinfo=UTC),
        region=region,
    )


def ours(region: str | None = None, newline: str = "\n") -> str:
    """ssotui's block of lines, as it writes them."""
    return "".join(line + newline for line in profile_lines(make_creds(region)))


def credentials() -> Path:
    return Path(os.environ["AWS_SHARED_CREDENTIALS_FILE"])


def keys_botocore_uses(profile: str) -> tuple[str, str, str | None]:
    found = boto3.Session(profile_name=profile).get_credentials()
    assert found is not None
    frozen = found.get_frozen_credentials()
    return frozen.access_key, frozen.secret_key, frozen.token


# A profile of the user's, with temporary keys another tool put there (so no --force).
USERS = (
    "# work account\n"
    "[default]\n"
    "# keys from aws-vault, refreshed by hand\n"
    "region = eu-west-1\n"
    "aws_access_key_id = ASIAOTHERTOOL0000000\n"
    "aws_secret_access_key = other-secret\n"
    "aws_session_token = other-token\n"
    "output = json\n"
    "ca_bundle = /etc/ssl/corp.pem\n"
    "s3 =\n"
    "    max_concurrent_requests = 4\n"
    "\n"
    "[other]\n"
    "k = v\n"
)
KEPT = (
    "# work account\n"
    "[default]\n"
    "# keys from aws-vault, refreshed by hand\n"
    "region = eu-west-1\n" + ours() + "output = json\n"
    "ca_bundle = /etc/ssl/corp.pem\n"
    "s3 =\n"
    "    max_concurrent_requests = 4\n"
    "\n"
    "[other]\n"
    "k = v\n"
)


def test_the_users_lines_of_the_profile_stay_in_place_and_in_order() -> None:
    credentials().write_text(USERS)
    write_profile(here(), make_creds(), "default")
    assert credentials().read_text() == KEPT
    assert keys_botocore_uses("default") == (KEY, SECRET, TOKEN)
    assert boto3.Session(profile_name="default").region_name == "eu-west-1"
    write_profile(here(), make_creds(), "default")
    assert credentials().read_text() == KEPT  # again: the same bytes


def test_a_region_asked_for_replaces_the_users_and_none_asked_for_keeps_it() -> None:
    credentials().write_text("[p]\noutput = text\nregion = eu-west-1\n")
    write_profile(here(), make_creds(), "p")
    # Where ssotui had no line yet, its lines go right below the header.
    assert credentials().read_text() == "[p]\n" + ours() + "output = text\nregion = eu-west-1\n"
    write_profile(here(), make_creds("ap-south-1"), "p")
    assert credentials().read_text() == "[p]\n" + ours("ap-south-1") + "output = text\n"
    assert boto3.Session(profile_name="p").region_name == "ap-south-1"


def test_a_stale_aws_security_token_goes() -> None:
    # botocore reads aws_security_token before aws_session_token: kept, it would be sent with
    # ssotui's key id, and every call refused.
    credentials().write_text("[p]\naws_security_token = stale\noutput = json\n")
    write_profile(here(), make_creds(), "p")
    assert credentials().read_text() == "[p]\n" + ours() + "output = json\n"
    assert keys_botocore_uses("p") == (KEY, SECRET, TOKEN)


def test_crlf_odd_spacing_and_upper_case_keys() -> None:
    before = (
        "[a]\r\nk=v\r\n\r\n"
        "[p]\r\n"
        "AWS_ACCESS_KEY_ID=ASIAOLD\r\n"
        "output : json\r\n"
        "aws_secret_access_key   :   old\r\n"
        "region=us-west-2\r\n"
        "Aws_Session_Token = old-token\r\n"
        "\r\n"
        "; next\r\n"
        "[b]\r\n"
        "m = n\r\n"
    )
    credentials().write_bytes(before.encode())
    write_profile(here(), make_creds(), "p")
    after = credentials().read_bytes().decode()
    assert after == (
        "[a]\r\nk=v\r\n\r\n[p]\r\n"
        + ours(newline="\r\n")
        + "output : json\r\nregion=us-west-2\r\n\r\n; next\r\n[b]\r\nm = n\r\n"
    )
    assert keys_botocore_uses("p") == (KEY, SECRET, TOKEN)
    assert raw_config_parse(str(credentials()))["p"]["output"] == "json"


def test_a_section_at_the_end_without_a_final_newline_keeps_the_file_without_one() -> None:
    credentials().write_bytes(b"[a]\nk = v\n\n[p]\naws_access_key_id = ASIAOLD\nregion = eu-west-1")
    write_profile(here(), make_creds(), "p", force=True)
    assert credentials().read_bytes() == (
        b"[a]\nk = v\n\n[p]\n" + ours().encode() + b"region = eu-west-1"
    )
    credentials().write_bytes(b"[p]\r\noutput = json")
    write_profile(here(), make_creds(), "p")
    assert credentials().read_bytes() == (
        b"[p]\r\n" + ours(newline="\r\n").encode() + b"output = json"
    )


def test_ssotuis_keys_written_twice_are_written_once_and_the_users_other_lines_stay() -> None:
    # botocore refuses the whole file while a key is there twice; after the write it reads it.
    credentials().write_text(
        "[p]\naws_access_key_id = ASIAONE\nregion = eu-west-1\n"
        "aws_access_key_id = ASIATWO\n    continued\nAWS_SESSION_TOKEN = t\noutput = json\n"
    )
    write_profile(here(), make_creds(), "p")
    assert credentials().read_text() == "[p]\n" + ours() + "region = eu-west-1\noutput = json\n"
    assert keys_botocore_uses("p") == (KEY, SECRET, TOKEN)


def test_indented_lines_of_the_user_do_not_become_continuations_of_ssotuis() -> None:
    credentials().write_text("[p]\n  region = eu-west-1\n  output = json\n")
    write_profile(here(), make_creds(), "p")
    parsed = raw_config_parse(str(credentials()))["p"]
    assert parsed["region"] == "eu-west-1" and parsed["output"] == "json"
    assert parsed["x_security_token_expires"] == "2030-01-02T03:04:05Z"
    assert keys_botocore_uses("p") == (KEY, SECRET, TOKEN)


def test_long_lived_keys_are_still_refused_and_force_keeps_the_users_other_lines() -> None:
    before = "[p]\naws_access_key_id = AKIASTATIC\naws_secret_access_key = s\noutput = json\n"
    credentials().write_text(before)
    with pytest.raises(StaticKeysProfile):
        write_profile(here(), make_creds(), "p")
    assert credentials().read_text() == before
    write_profile(here(), make_creds(), "p", force=True)
    assert credentials().read_text() == "[p]\n" + ours() + "output = json\n"


# --- taking ssotui's lines out again ----------------------------------------------------------


def test_purge_takes_out_only_ssotuis_lines_and_a_profile_it_made_whole() -> None:
    credentials().write_text(USERS)
    write_profile(here(), make_creds(), "default")
    write_profile(here(), make_creds("ap-south-1"), "made")  # a profile of its own, and region
    assert written_profiles(here()) == ["default", "made"]
    assert purge_written_profiles(here()) == ["default", "made"]
    # The other tool's keys were replaced by write-profile; every other line is back.
    assert credentials().read_text() == (
        "# work account\n[default]\n# keys from aws-vault, refreshed by hand\n"
        "region = eu-west-1\noutput = json\nca_bundle = /etc/ssl/corp.pem\n"
        "s3 =\n    max_concurrent_requests = 4\n\n[other]\nk = v\n"
    )
    with pytest.raises(Exception, match="could not be found"):
        boto3.Session(profile_name="made")


def test_a_region_the_user_changed_since_stays_and_so_does_the_profile() -> None:
    write_profile(here(), make_creds("ap-south-1"), "p")
    text = credentials().read_text().replace("region = ap-south-1", "region = eu-west-1")
    credentials().write_text(text)
    assert remove_profile(here(), "p") is True
    assert credentials().read_text() == "[p]\nregion = eu-west-1\n"


def test_a_profile_left_with_a_comment_of_the_users_stays() -> None:
    credentials().write_text("[p]\n# mine: keep\n" + ours())
    assert remove_profile(here(), "p") is True
    assert credentials().read_text() == "[p]\n# mine: keep\n"


# --- through the command, read back by the AWS CLI v2 -------------------------------------------


def test_write_profile_command_keeps_the_users_lines_for_the_aws_cli(
    sim: Simulator, token: Token, home: Home
) -> None:
    cli = aws_cli("2")
    credentials().write_text(USERS)
    account = next(a for a in sim.org.accounts if a.roles and not a.roles[0].forbidden)
    role = account.roles[0].name
    run = ssotui("write-profile", account.account_id, role, "--profile", "default")
    assert run.status == 0, run.err
    text = credentials().read_text()
    assert "output = json\nca_bundle = /etc/ssl/corp.pem\ns3 =\n" in text
    assert text.startswith("# work account\n[default]\n# keys from aws-vault")

    got = aws(cli, "configure", "get", "region", "--profile", "default", home=home)
    assert (got.status, got.out.strip()) == (0, "eu-west-1"), got.err
    got = aws(cli, "configure", "get", "output", "--profile", "default", home=home)
    assert got.out.strip() == "json"
    got = aws(cli, "configure", "export-credentials", "--profile", "default", home=home)
    assert got.status == 0, got.err
    exported = json.loads(got.out)
    assert exported["AccessKeyId"] == keys_botocore_uses("default")[0]
    assert exported["AccessKeyId"] != "ASIAOTHERTOOL0000000"

    run = ssotui("logout", "--purge")
    assert run.status == 0, run.err
    text = credentials().read_text()
    assert "aws_access_key_id" not in text and "written by ssotui" not in text
    assert "region = eu-west-1\noutput = json\nca_bundle = /etc/ssl/corp.pem\n" in text


def test_a_kept_role_arn_that_wins_over_the_keys_is_said(sim: Simulator, token: Token) -> None:
    # botocore reads a credentials file profile's role_arn as config and assumes that role
    # before it looks at the keys: kept, the line is the user's, and the user is told.
    credentials().write_text(
        "[ops]\nrole_arn = arn:aws:iam::123456789012:role/Ops\nsource_profile = base\n\n"
        "[base]\naws_access_key_id = ASIABASE\naws_secret_access_key = s\naws_session_token = t\n"
    )
    credentials().chmod(0o600)
    account = next(a for a in sim.org.accounts if a.roles and not a.roles[0].forbidden)
    run = ssotui("write-profile", account.account_id, account.roles[0].name, "--profile", "ops")
    assert run.status == 0, run.err
    assert "role_arn = arn:aws:iam::123456789012:role/Ops\n" in credentials().read_text()
    assert (
        f"ssotui: warning: [ops] of {credentials()} also names a role to assume (role_arn), a "
        "line of yours kept there, which the AWS CLI and SDKs use before these keys with "
        "AWS_PROFILE=ops: take it out, or choose another profile name to use them"
    ) in run.err
    run = ssotui("write-profile", account.account_id, account.roles[0].name, "--profile", "base")
    assert run.status == 0, run.err
    assert "warning" not in run.err
