"""A change another program makes to an AWS file while ssotui changes it is kept.

`aws configure set`, `aws configure sso`, saml2aws and editors take no lock: they read the file,
then rewrite it in place (`O_TRUNC`, then the new text). Was: `write-profile`, `logout --purge`
and `configure` read the file, made their change and renamed the result over it, so a profile
such a program wrote meanwhile was gone (measured: `aws configure set` run 25 times beside a
loop of write-profile, 19 of its 25 profiles lost), and a file read half-way through such a
rewrite (cut at the writer's buffer, 8 KiB) lost every profile after the cut. Now the file is
looked at again right before the rename, and the change made anew on what it holds then.
"""

from __future__ import annotations

import os
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import boto3
import botocore.session
import pytest

from tests.conftest import Home, here
from tui.errors import FileWriteError
from tui.export import aws_config, credentials_file, ini_sections
from tui.export.aws_config import write_sso_session
from tui.export.credentials_file import purge_written_profiles, write_profile
from tui.models import Account, RoleCredentials

THEIRS = "[theirs]\naws_access_key_id = AKIATHEIRS0000000000\naws_secret_access_key = s\n"


def creds(key: str = "ASIAEXAMPLEKEY123456") -> RoleCredentials:
    return RoleCredentials(
        Account("123456789012", "prod"),
        "Admin",
        key,
        "secret" * 7,
        "token" * 9,
        datetime(2030, 1, 2, 3, 4, 5, tzinfo=UTC),
    )


def rewritten_in_place(path: Path, text: str) -> None:
    """What `aws configure set` does to the file: opened O_TRUNC, the whole new text written,
    no lock, the same inode."""
    fd = os.open(path, os.O_WRONLY | os.O_TRUNC)
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        handle.write(text)


def users_keys(profile: str) -> str | None:
    found = boto3.Session(profile_name=profile).get_credentials()
    return None if found is None else found.access_key


def test_a_profile_the_aws_cli_writes_while_write_profile_works_is_kept(
    home: Home, monkeypatch: pytest.MonkeyPatch
) -> None:
    home.aws_credentials.write_text("[mine]\naws_access_key_id = AKIAMINE000000000000\n")
    real = credentials_file.set_keys
    calls = 0

    def meanwhile(text: str, *args: Any) -> str:
        nonlocal calls
        calls += 1
        if calls == 1:
            rewritten_in_place(home.aws_credentials, home.aws_credentials.read_text() + THEIRS)
        return real(text, *args)

    monkeypatch.setattr(credentials_file, "set_keys", meanwhile)
    assert write_profile(here(), creds()) == "prod.Admin"
    assert users_keys("theirs") == "AKIATHEIRS0000000000"
    assert users_keys("prod.Admin") == "ASIAEXAMPLEKEY123456"
    assert "[mine]\naws_access_key_id = AKIAMINE000000000000\n" in home.aws_credentials.read_text()


def test_a_file_read_half_way_through_another_programs_rewrite_loses_nothing(
    home: Home, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The AWS CLI's rewrite is O_TRUNC, then its text in 8 KiB writes: a read in between sees
    # the start of the file only.
    users = "".join(
        f"[user{i}]\naws_access_key_id = AKIAUSER{i:012d}\naws_secret_access_key = s{i}\n\n"
        for i in range(300)
    )
    home.aws_credentials.write_text(users)
    real = credentials_file._read
    calls = 0

    def mid_rewrite(target: Path) -> str:
        nonlocal calls
        calls += 1
        if calls > 1:
            return real(target)
        with open(target, "r+", encoding="utf-8") as handle:  # the writer, half-way
            handle.truncate(8192)
        seen = real(target)
        home.aws_credentials.write_text(users)  # ... and done
        return seen

    monkeypatch.setattr(credentials_file, "_read", mid_rewrite)
    write_profile(here(), creds())
    assert users_keys("user299") == "AKIAUSER000000000299"
    assert home.aws_credentials.read_text().startswith(users)


def test_a_file_that_keeps_changing_is_one_line_and_nothing_written(
    home: Home, monkeypatch: pytest.MonkeyPatch
) -> None:
    home.aws_credentials.write_text("[mine]\nregion = eu-central-1\n")
    real = credentials_file.set_keys
    writes = 0

    def always_meanwhile(text: str, *args: Any) -> str:
        nonlocal writes
        writes += 1
        rewritten_in_place(home.aws_credentials, f"[mine]\nregion = eu-west-{writes}\n")
        return real(text, *args)

    monkeypatch.setattr(credentials_file, "set_keys", always_meanwhile)
    with pytest.raises(FileWriteError) as caught:
        write_profile(here(), creds())
    assert caught.value.message == (
        f"{home.aws_credentials} kept changing while ssotui changed it (another program is "
        "writing it); nothing was written: run again when that program is done"
    )
    assert home.aws_credentials.read_text() == f"[mine]\nregion = eu-west-{writes}\n"
    assert not [p for p in home.aws_credentials.parent.iterdir() if p.name.endswith(".tmp")]


def test_logout_purge_keeps_a_profile_written_meanwhile(
    home: Home, monkeypatch: pytest.MonkeyPatch
) -> None:
    write_profile(here(), creds())
    real = credentials_file._taken_out
    calls = 0

    def meanwhile(*args: Any) -> str:
        nonlocal calls
        calls += 1
        if calls == 1:
            rewritten_in_place(home.aws_credentials, home.aws_credentials.read_text() + THEIRS)
        return real(*args)

    monkeypatch.setattr(credentials_file, "_taken_out", meanwhile)
    assert purge_written_profiles(here()) == ["prod.Admin"]
    assert users_keys("theirs") == "AKIATHEIRS0000000000"
    assert "prod.Admin" not in home.aws_credentials.read_text()


@pytest.mark.parametrize("linked", [False, True], ids=["one name", "hard-linked"])
def test_configure_keeps_a_profile_the_aws_cli_writes_meanwhile(
    home: Home, monkeypatch: pytest.MonkeyPatch, tmp_path: Path, linked: bool
) -> None:
    home.write_config("[profile x]\nregion = eu-west-1\n")
    if linked:  # changed in place, every name alike
        os.link(home.aws_config, tmp_path / "dotfiles-config")
    real = ini_sections.replace_section
    calls = 0

    def meanwhile(text: str, *args: Any, **kwargs: Any) -> str:
        nonlocal calls
        calls += 1
        if calls == 1:
            rewritten_in_place(
                home.aws_config, home.aws_config.read_text() + "[profile y]\nregion = us-east-2\n"
            )
        return real(text, *args, **kwargs)

    monkeypatch.setattr(aws_config.ini_sections, "replace_section", meanwhile)
    write_sso_session(here(), "acme", "https://acme.awsapps.com/start", "eu-west-1")
    config = botocore.session.Session().full_config
    assert config["profiles"]["y"] == {"region": "us-east-2"}
    assert config["profiles"]["x"] == {"region": "eu-west-1"}
    assert config["sso_sessions"]["acme"]["sso_region"] == "eu-west-1"
    if linked:
        assert (tmp_path / "dotfiles-config").read_bytes() == home.aws_config.read_bytes()
