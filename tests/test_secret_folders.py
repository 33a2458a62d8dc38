"""Secrets are not kept in a folder another user owns, as ssh refuses such a path.

Another user who may change a folder on the way to a secret file cannot read the 0600 files
written there, but can delete them, swap them, or plant a file first: a credentials file of
theirs, mode 0666, whose mode (and, as root, owner) the next write keeps. So a login's token
and `write-profile`'s keys are refused in a folder of another user's in one line that names the
folder and the fix, and the caches are not kept there, the command going on. A folder open
only by its mode (writable by all or by a shared group, without the sticky bit) is allowed,
since a Windows drive seen from WSL shows every folder as 0777 and no chmod changes it, and
`ssotui doctor` says it. Removing keys (`logout --purge`) is never refused.
"""

from __future__ import annotations

import os
import stat
from datetime import UTC, datetime
from pathlib import Path

import pytest

from tests.app_support import dev_session, log_in
from tests.cli_helpers import ssotui
from tests.conftest import Home
from tui.aws.token_cache import token_path
from tui.errors import FileWriteError
from tui.export.credentials_file import purge_written_profiles, write_profile
from tui.models import Account, RoleCredentials
from tui.sim import Simulator
from tui.store.secret_file import write_cache_file

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


def test_a_login_keeps_its_token_in_a_folder_open_by_its_mode_as_on_a_windows_drive(
    sim: Simulator, sso_config: Path, home: Home, tmp_path: Path
) -> None:
    shared = shared_folder(tmp_path, 0o777)  # /mnt/c/Users/me/.aws from WSL looks like this
    sso_cache_in(home, shared)
    log_in()
    assert token_path(dev_session()).resolve().parent == shared
    assert stat.S_IMODE(token_path(dev_session()).stat().st_mode) == 0o600


def test_a_login_keeps_its_token_in_a_sticky_folder_such_as_tmp(
    sim: Simulator, sso_config: Path, home: Home, tmp_path: Path
) -> None:
    shared = shared_folder(tmp_path, 0o1777)  # others may not remove or rename the user's files
    sso_cache_in(home, shared)
    log_in()
    assert token_path(dev_session()).resolve().parent == shared
    assert stat.S_IMODE(token_path(dev_session()).stat().st_mode) == 0o600


def test_doctor_names_a_folder_a_group_others_may_be_in_may_change(
    sso_config: Path, home: Home, tmp_path: Path
) -> None:
    from tests.cli_helpers import fake_aws

    shared = shared_folder(tmp_path, 0o770)
    if os.geteuid() == 0:
        os.chown(shared, 0, OTHER_UID)  # a group with no entry: anyone may be in it
    else:
        pytest.skip("only root may give a folder to a group it is not in")
    sso_cache_in(home, shared)
    result = ssotui("doctor", env=fake_aws(tmp_path / "bin", "2.22.0"))
    assert (
        f"[warn] secret folders: others may change {home.sso_cache}: {shared} can be changed by "
        f"group {OTHER_UID}, which other users may be in (mode 0770)"
    ) in result.out, result.out
    assert f"run `chmod g-w {shared}`" in result.out


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


@needs_root
def test_a_cache_is_not_kept_in_a_folder_another_user_owns_and_nothing_fails(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    theirs = tmp_path / "theirs"
    theirs.mkdir(mode=0o755)
    os.chown(theirs, OTHER_UID, OTHER_UID)
    mine = os.geteuid()
    monkeypatch.setattr(os, "geteuid", lambda: mine + 1000)  # play a user; root's stay trusted
    assert write_cache_file(theirs / "catalog.json", "{}") is False
    assert list(theirs.iterdir()) == []


def test_doctor_names_an_sso_cache_folder_any_user_may_change(
    sso_config: Path, home: Home, tmp_path: Path
) -> None:
    from tests.cli_helpers import fake_aws

    shared = shared_folder(tmp_path, 0o777)
    sso_cache_in(home, shared)
    result = ssotui("doctor", env=fake_aws(tmp_path / "bin", "2.22.0"))
    assert (
        f"[warn] secret folders: others may change {home.sso_cache}: {shared} can be changed by "
        f"any user (mode 0777)"
    ) in result.out, result.out
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
