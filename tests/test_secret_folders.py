"""Secrets are not kept in a folder someone else may change, as ssh refuses such a path.

Another user who may change a folder on the way to a secret file (they own it, or it is
writable by all, or by a group others are in, without the sticky bit) cannot read the 0600
files written there, but can delete them, swap them, or plant a file first: a credentials file
of theirs, mode 0666, whose mode (and, as root, owner) the next write keeps. So a login's
token and `write-profile`'s keys are refused there in one line that names the folder and the
fix, and the caches (role credentials, catalog) are not kept there, the command going on.
Removing keys (`logout --purge`) is never refused.
"""

from __future__ import annotations

import os
import stat
from datetime import UTC, datetime
from pathlib import Path

import pytest

from tests.app_support import dev_session, log_in, usable_role, with_roles
from tests.cli_helpers import ssotui
from tests.conftest import Home
from tui.aws.token_cache import token_path
from tui.errors import FileWriteError
from tui.export.credentials_file import purge_written_profiles, write_profile
from tui.models import Account, RoleCredentials
from tui.sim import Organisation, Simulator

OTHER_UID = 4343

needs_root = pytest.mark.skipif(os.geteuid() != 0, reason="only root may give a folder away")


def creds() -> RoleCredentials:
    return RoleCredentials(
        account=Account("123456789012", "acme"),
        role_name="Admin",
        access_key_id="ASIAEXAMPLEKEY123456",
        secret_access_key="wJalrXUtnFEMI/K7MDENG/bPxRfiCYzEXAMPLEKEY",
        session_token="IQoJb3JpZ2luX2VjEXAMPLE",
        expiration=datetime(2030, 1, 2, tzinfo=UTC),
    )


def shared_folder(tmp_path: Path, mode: int) -> Path:
    folder = tmp_path / "shared"
    folder.mkdir()
    folder.chmod(mode)
    return folder


def sso_cache_in(home: Home, folder: Path) -> None:
    """~/.aws/sso/cache -> `folder` (a user who moved the cache, say to a scratch disk)."""
    home.sso_cache.parent.mkdir(parents=True, exist_ok=True)
    home.sso_cache.symlink_to(folder)


def refused(call: object, *, naming: Path, fix: str) -> str:
    with pytest.raises(FileWriteError) as caught:
        call()  # type: ignore[operator]
    message = caught.value.message
    assert "\n" not in message, message
    assert str(naming) in message and fix in message, message
    return message


def test_a_login_keeps_no_token_in_a_cache_folder_any_user_may_change(
    sim: Simulator, sso_config: Path, home: Home, tmp_path: Path
) -> None:
    shared = shared_folder(tmp_path, 0o777)
    sso_cache_in(home, shared)
    refused(log_in, naming=shared, fix=f"chmod o-w {shared}")
    assert not [p for p in shared.iterdir() if p.name.endswith(".json")]


def test_a_login_keeps_its_token_in_a_sticky_folder_such_as_tmp(
    sim: Simulator, sso_config: Path, home: Home, tmp_path: Path
) -> None:
    shared = shared_folder(tmp_path, 0o1777)  # others may not remove or rename the user's files
    sso_cache_in(home, shared)
    log_in()
    assert token_path(dev_session()).resolve().parent == shared
    assert stat.S_IMODE(token_path(dev_session()).stat().st_mode) == 0o600


def test_a_group_others_may_be_in_may_not_change_the_folder(
    sim: Simulator, sso_config: Path, home: Home, tmp_path: Path
) -> None:
    shared = shared_folder(tmp_path, 0o770)
    if os.geteuid() == 0:
        os.chown(shared, 0, OTHER_UID)  # a group with no entry: anyone may be in it
    else:
        pytest.skip("only root may give a folder to a group it is not in")
    sso_cache_in(home, shared)
    message = refused(log_in, naming=shared, fix=f"chmod g-w {shared}")
    assert f"group {OTHER_UID}" in message


@needs_root
def test_a_folder_on_the_way_that_another_user_owns_is_refused(
    sim: Simulator, sso_config: Path, home: Home, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    theirs = tmp_path / "theirs"
    (theirs / "cache").mkdir(parents=True, mode=0o700)
    theirs.chmod(0o755)
    os.chown(theirs, OTHER_UID, OTHER_UID)
    sso_cache_in(home, theirs / "cache")
    mine = os.geteuid()
    monkeypatch.setattr(os, "geteuid", lambda: mine + 1000)  # play a user; root's stay trusted
    message = refused(log_in, naming=home.sso_cache, fix="a folder of your own")
    assert f"{theirs} on its way belongs to another user (uid {OTHER_UID})" in message


@needs_root
def test_write_profile_leaves_a_credentials_file_planted_in_an_open_folder_without_keys(
    home: Home, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # AWS_SHARED_CREDENTIALS_FILE in a folder all may write (a team's scratch folder): another
    # user got there first with a file of theirs anyone may read; a write would keep its mode.
    shared = shared_folder(tmp_path, 0o777)
    planted = shared / "credentials"
    planted.write_text("[default]\nregion = eu-west-1\n")
    planted.chmod(0o666)
    os.chown(planted, OTHER_UID, OTHER_UID)
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(planted))
    refused(lambda: write_profile(creds(), "acme"), naming=shared, fix=f"chmod o-w {shared}")
    assert planted.read_text() == "[default]\nregion = eu-west-1\n"  # no key went there


def test_logout_purge_still_removes_keys_from_an_open_folder(
    home: Home, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    shared = shared_folder(tmp_path, 0o700)
    target = shared / "credentials"
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(target))
    write_profile(creds(), "acme")
    shared.chmod(0o777)  # opened up since: the keys must still be taken away
    assert purge_written_profiles() == ["acme"]
    assert "wJalrXUtnFEMI" not in target.read_text()


def test_role_credentials_are_not_kept_in_an_open_cache_folder_and_the_command_goes_on(
    sim: Simulator, sso_config: Path, org: Organisation, home: Home, tmp_path: Path
) -> None:
    log_in()
    account = with_roles(org)
    shared = shared_folder(tmp_path, 0o777)
    run = ssotui(
        "export",
        account.account_id,
        usable_role(account),
        env={"SSOTUI_CACHE_DIR": str(shared / "ssotui")},
    )
    assert run.status == 0, run.err
    assert "AWS_SECRET_ACCESS_KEY" in run.out
    kept = [p for p in shared.rglob("*.json")]
    assert kept == []  # neither the role's credentials nor the catalog


def test_doctor_names_an_sso_cache_folder_any_user_may_change(
    sso_config: Path, home: Home, tmp_path: Path
) -> None:
    from tests.cli_helpers import fake_aws

    shared = shared_folder(tmp_path, 0o777)
    sso_cache_in(home, shared)
    result = ssotui("doctor", env=fake_aws(tmp_path / "bin", "2.22.0"))
    assert result.status == 1
    assert (
        f"[FAIL] secret folders: ssotui keeps no secrets in {home.sso_cache}: {shared} can be "
        f"changed by any user (mode 0777)"
    ) in result.out
    assert f"run `chmod o-w {shared}`" in result.out
    shared.chmod(0o700)
    assert "[  ok] secret folders" in ssotui("doctor", env=fake_aws(tmp_path / "bin", "2.22.0")).out


def test_write_profile_refuses_a_credentials_file_with_another_name(
    home: Home, tmp_path: Path
) -> None:
    # a dotfiles copy hard-linked to ~/.aws/credentials: a rename would leave it the old keys
    home.aws_credentials.write_text("[mine]\nregion = eu-west-1\n")
    copy = tmp_path / "dotfiles-credentials"
    os.link(home.aws_credentials, copy)
    refused(lambda: write_profile(creds(), "acme"), naming=home.aws_credentials, fix="symlinks")
    assert copy.read_text() == home.aws_credentials.read_text() == "[mine]\nregion = eu-west-1\n"
    assert copy.stat().st_ino == home.aws_credentials.stat().st_ino
