"""Long-lived keys in the credentials file are the user's: never overwritten without `force`,
never purged; `logout --purge` removes only profiles that still hold the keys ssotui wrote."""

from __future__ import annotations

import os
from datetime import UTC, datetime
from pathlib import Path

import boto3
import pytest

from tests.cli_helpers import ssotui
from tests.conftest import here
from tui.errors import StaticKeysProfile
from tui.export.credentials_file import (
    purge_written_profiles,
    remove_profile,
    write_profile,
    written_profiles,
)
from tui.models import Account, RoleCredentials, Token
from tui.sim import Simulator

USER_KEYS = (
    "# my long-lived keys\n"
    "[default]\n"
    "aws_access_key_id = AKIAUSERSTATICKEY000\n"
    "aws_secret_access_key = user/static/secret/key/0000000000000000\n"
    "region = eu-west-1\n"
)


def make_creds(key: str = "ASIAEXAMPLEKEY123456", account: str = "123456789012") -> RoleCredentials:
    return RoleCredentials(
        account=Account(account, "acme"),
        role_name="Admin",
        access_key_id=key,
        secret_access_key="wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY",
        session_token="IQoJb3JpZ2luX2VjEXAMPLE//////////wEaCXVzLWVhc3QtMSJHMEUCIQ+/=",
        expiration=datetime(2030, 1, 2, tzinfo=UTC),
    )


def credentials() -> Path:
    return Path(os.environ["AWS_SHARED_CREDENTIALS_FILE"])


def access_key(profile: str) -> str:
    found = boto3.Session(profile_name=profile).get_credentials()
    assert found is not None
    return str(found.get_frozen_credentials().access_key)


@pytest.mark.parametrize(
    "section",
    [
        "aws_access_key_id = AKIAUSERSTATICKEY000\naws_secret_access_key = s\n",
        "AWS_ACCESS_KEY_ID = AKIAUSERSTATICKEY000\nAWS_SECRET_ACCESS_KEY = s\n",  # botocore: same
        "aws_access_key_id = AKIAUSERSTATICKEY000\naws_secret_access_key = s\n"
        "aws_session_token =\n",  # an empty token is no token
    ],
)
def test_a_profile_with_long_lived_keys_is_not_overwritten(section: str) -> None:
    original = f"# mine\n[default]\n{section}\n[other]\nk = v\n"
    credentials().write_text(original)
    with pytest.raises(StaticKeysProfile) as caught:
        write_profile(here(), make_creds(), "default")
    message = caught.value.message
    assert "\n" not in message
    assert "[default]" in message and "long-lived keys" in message and "--force" in message
    assert (caught.value.profile, caught.value.path) == ("default", str(credentials()))
    assert credentials().read_text() == original


def test_force_overwrites_long_lived_keys() -> None:
    credentials().write_text(USER_KEYS)
    write_profile(here(), make_creds(), "default", force=True)
    assert access_key("default") == "ASIAEXAMPLEKEY123456"


def test_temporary_keys_and_other_profiles_are_overwritten_without_force() -> None:
    credentials().write_text(
        "[aws-vault]\naws_access_key_id = ASIAOTHERTOOL0000000\naws_secret_access_key = s\n"
        "aws_session_token = t\n\n[region-only]\nregion = eu-west-1\n"
    )
    write_profile(here(), make_creds(), "aws-vault")
    write_profile(here(), make_creds(), "region-only")
    assert access_key("aws-vault") == access_key("region-only") == "ASIAEXAMPLEKEY123456"


def test_purge_removes_only_profiles_that_still_hold_ssotuis_keys() -> None:
    credentials().write_text(USER_KEYS)
    write_profile(here(), make_creds(), "untouched")
    write_profile(here(), make_creds(), "replaced")
    write_profile(here(), make_creds(), "default", force=True)
    # The user puts their own keys back into two of them, leaving ssotui's marker above.
    text = credentials().read_text()
    for name in ("replaced", "default"):
        start = text.index(f"[{name}]")
        marker_end = text.index("\n", text.index("# written by ssotui", start)) + 1
        end = text.find("\n[", marker_end)
        end = len(text) if end < 0 else end + 1
        text = (
            text[:marker_end]
            + "aws_access_key_id = AKIAUSERSTATICKEY000\naws_secret_access_key = mine\n"
            + text[end:]
        )
    credentials().write_text(text)
    assert written_profiles(here()) == ["untouched"]
    assert remove_profile(here(), "replaced") is False
    assert remove_profile(here(), "default") is False
    assert credentials().read_text() == text
    assert purge_written_profiles(here()) == ["untouched"]
    assert access_key("replaced") == access_key("default") == "AKIAUSERSTATICKEY000"
    with pytest.raises(Exception, match="could not be found"):
        boto3.Session(profile_name="untouched")


def test_a_copied_marker_does_not_make_a_profile_ssotuis() -> None:
    write_profile(here(), make_creds(), "mine")
    marker = next(line for line in credentials().read_text().splitlines() if "ssotui" in line)
    other = (
        f"[copied]\n{marker}\naws_access_key_id = ASIADIFFERENTKEY0000\n"
        "aws_secret_access_key = other\naws_session_token = other\n"
    )
    credentials().write_text(credentials().read_text() + "\n" + other)
    assert written_profiles(here()) == ["mine"]


def test_an_older_ssotuis_profiles_are_purged_when_they_hold_temporary_keys() -> None:
    credentials().write_text(
        "[old]\n# written by ssotui for account 123456789012, role Admin\n"
        "aws_access_key_id = ASIAOLD\naws_secret_access_key = s\naws_session_token = t\n\n"
        "[old-but-mine-now]\n# written by ssotui for account 123456789012, role Admin\n"
        "aws_access_key_id = AKIAMINE\naws_secret_access_key = s\n"
    )
    assert purge_written_profiles(here()) == ["old"]
    assert credentials().read_text().lstrip("\n").startswith("[old-but-mine-now]\n")


def test_write_profile_command_refuses_and_logout_purge_keeps_the_users_keys(
    sim: Simulator, token: Token
) -> None:
    credentials().write_text(USER_KEYS)
    account = next(a for a in sim.org.accounts if a.roles and not a.roles[0].forbidden)
    role = account.roles[0].name
    result = ssotui("write-profile", account.account_id, role, "--profile", "default")
    assert result.status == 1
    assert result.err.count("\n") == 1 and "long-lived keys" in result.err
    assert credentials().read_text() == USER_KEYS

    assert ssotui("write-profile", account.account_id, role, "--profile", "temp").status == 0
    result = ssotui("logout", "--purge")
    assert result.status == 0, result.err
    assert credentials().read_text() == USER_KEYS  # no blank line left where [temp] was
