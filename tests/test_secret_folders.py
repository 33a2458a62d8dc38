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
from pathlib import Path

import pytest

from tests.app_support import dev_session, log_in
from tests.cli_helpers import ssotui
from tests.conftest import OTHER_UID, Home, here
from tests.made_up import made_up_credentials
from tui.aws.token_cache import token_path
from tui.errors import FileWriteError
from tui.export.credentials_file import purge_written_profiles, write_profile
from tui.sim import Simulator
from tui.store.secret_file import write_cache_file


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
    assert token_path(here(), dev_session()).resolve().parent == shared
    assert stat.S_IMODE(token_path(here(), dev_session()).stat().st_mode) == 0o600


def test_a_login_keeps_its_token_in_a_sticky_folder_such_as_tmp(
    sim: Simulator, sso_config: Path, home: Home, tmp_path: Path
) -> None:
    shared = shared_folder(tmp_path, 0o1777)  # others may not remove or rename the user's files
    sso_cache_in(home, shared)
    log_in()
    assert token_path(here(), dev_session()).resolve().parent == shared
    assert stat.S_IMODE(token_path(here(), dev_session()).stat().st_mode) == 0o600


@pytest.mark.parametrize(
    ("mode", "who", "fix"),
    [
        (0o777, "any user", "o-w"),
        (0o770, f"group {OTHER_UID}, which other users may be in", "g-w"),
    ],
    ids=["anyone", "a-group"],
)
def test_doctor_names_an_sso_cache_folder_others_may_change(
    sso_config: Path, home: Home, tmp_path: Path, mode: int, who: str, fix: str
) -> None:
    from tests.cli_helpers import fake_aws

    shared = shared_folder(tmp_path, mode)
    if mode & 0o070:  # a group with no entry: anyone may be in it
        if os.geteuid() != 0:
            pytest.skip("only root may give a folder to a group it is not in")
        os.chown(shared, 0, OTHER_UID)
    sso_cache_in(home, shared)
    result = ssotui("doctor", env=fake_aws(tmp_path / "bin", "2.22.0"))
    assert (
        f"[warn] secret folders: others may change {home.sso_cache}: {shared} can be changed by "
        f"{who} (mode {mode:04o})"
    ) in result.out, result.out
    assert f"run `chmod {fix} {shared}`" in result.out
    shared.chmod(0o700)
    assert "[  ok] secret folders" in ssotui("doctor", env=fake_aws(tmp_path / "bin", "2.22.0")).out


def test_doctor_names_a_kept_credentials_folder_any_user_may_change(
    sso_config: Path, home: Home, tmp_path: Path
) -> None:
    from tests.cli_helpers import fake_aws

    kept = home.cache_dir / "role-credentials"  # where role credentials are kept between runs
    kept.mkdir(parents=True)
    home.cache_dir.chmod(0o755)  # others may pass through ssotui's cache folder, not change it
    kept.chmod(0o777)
    result = ssotui("doctor", env=fake_aws(tmp_path / "bin", "2.22.0"))
    assert f"[warn] secret folders: others may change {kept}: it can be changed by any user" in (
        result.out
    ), result.out
    assert f"run `chmod o-w {kept}`" in result.out


def test_a_folder_on_the_way_that_another_user_owns_is_refused(
    sim: Simulator, sso_config: Path, home: Home, sso_cache_in_their_folder: Path
) -> None:
    theirs = sso_cache_in_their_folder
    message = refused(log_in, naming=home.sso_cache, fix="a folder of your own")
    assert f"{theirs} on its way belongs to another user (uid {OTHER_UID})" in message


def test_logout_purge_still_removes_keys_from_an_open_folder(
    home: Home, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    shared = shared_folder(tmp_path, 0o700)
    target = shared / "credentials"
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(target))
    creds = made_up_credentials()
    write_profile(here(), creds, "acme")
    shared.chmod(0o777)  # opened up since: the keys must still be taken away
    assert purge_written_profiles(here()) == ["acme"]
    assert creds.secret_access_key not in target.read_text()


def test_a_cache_is_not_kept_in_a_folder_another_user_owns_and_nothing_fails(
    their_folder: Path,
) -> None:
    assert write_cache_file(their_folder / "catalog.json", "{}") is False
    assert list(their_folder.iterdir()) == []


def test_write_profile_refuses_a_credentials_file_with_another_name(
    home: Home, tmp_path: Path
) -> None:
    # a dotfiles copy hard-linked to ~/.aws/credentials: a rename would leave it the old keys
    home.aws_credentials.write_text("[mine]\nregion = eu-west-1\n")
    copy = tmp_path / "dotfiles-credentials"
    os.link(home.aws_credentials, copy)
    refused(
        lambda: write_profile(here(), made_up_credentials(), "acme"),
        naming=home.aws_credentials,
        fix="symlinks",
    )
    assert copy.read_text() == home.aws_credentials.read_text() == "[mine]\nregion = eu-west-1\n"
    assert copy.stat().st_ino == home.aws_credentials.stat().st_ino
