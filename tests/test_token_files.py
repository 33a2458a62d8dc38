"""The SSO token cache and registration files: written by rename, 0600, symlinks replaced;
read only when they are the user's.

botocore writes these files with a temp file renamed over the path; a symlink planted at the
path must not carry the token, refresh token and client secret into its target. botocore reads
whatever file is there; ssotui does not use one another user could have planted (it would sign
the user in as someone else), but reads the AWS CLI's and the SDKs' usual files.
"""

from __future__ import annotations

import grp
import json
import os
import pwd
import stat
import threading
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from botocore.utils import JSONFileCache, SSOTokenLoader

from tests.cli_helpers import ssotui
from tests.conftest import Home, here
from tui.aws.session_choice import chosen_session
from tui.aws.token_cache import (
    Registration,
    files_open_to_others,
    load_registration,
    load_token,
    registration_path,
    save_registration,
    save_token,
    token_path,
    token_to_dict,
)
from tui.errors import FileWriteError, NotLoggedIn
from tui.models import SsoSession, Token
from tui.sim import Simulator
from tui.store.secret_file import shared_group

DEV = SsoSession("dev", "https://dev.awsapps.com/start", "eu-west-1", scopes_configured=True)


def _token() -> Token:
    return Token(
        start_url=DEV.start_url,
        region=DEV.region,
        access_token="aoa-secret-access-token",
        expires_at=datetime(2030, 1, 2, 3, 4, 5, tzinfo=UTC),
        client_id="cid",
        client_secret="csecret-client-secret",
        registration_expires_at=datetime(2030, 3, 1, tzinfo=UTC),
        refresh_token="aor-secret-refresh-token",
    )


def _registration() -> Registration:
    return Registration("cid", "csecret-client-secret", datetime.now(UTC) + timedelta(days=9))


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.lstat().st_mode)


def _my_account() -> pwd.struct_passwd:
    try:
        return pwd.getpwuid(os.geteuid())
    except KeyError:
        pytest.skip("this uid has no account (no name to tell its own group by)")


def _a_shared_group() -> grp.struct_group:
    """A group other users may be in that this process may give a file to: one of its own
    groups (any group when running as root) not named after the user nor its primary group."""
    me = _my_account()
    usable = grp.getgrall() if os.geteuid() == 0 else [grp.getgrgid(g) for g in os.getgroups()]
    for group in usable:
        if group.gr_name != me.pw_name and group.gr_gid != me.pw_gid:
            return group
    pytest.skip("this process is in no group but its own: no shared group to give a file to")


def _my_private_group() -> int:
    """The user's own group (named after the user, no other member listed), else skip."""
    me = _my_account()
    try:
        group = grp.getgrgid(me.pw_gid)
    except KeyError:
        pytest.skip("the primary group has no entry")
    if group.gr_name != me.pw_name or set(group.gr_mem) - {me.pw_name}:
        pytest.skip(f"the user's primary group {group.gr_name} is not a private one")
    return group.gr_gid


@pytest.mark.parametrize("which", ["token", "registration"])
def test_a_symlink_at_the_path_is_replaced_not_followed(home: Home, which: str) -> None:
    path = token_path(here(), DEV) if which == "token" else registration_path(here(), DEV)
    path.parent.mkdir(parents=True)
    elsewhere = home.root / "shared" / "world-readable.json"
    elsewhere.parent.mkdir()
    elsewhere.write_text("{}")
    elsewhere.chmod(0o666)
    path.symlink_to(elsewhere)
    if which == "token":
        save_token(here(), DEV, _token())
    else:
        save_registration(here(), DEV, _registration())
    assert elsewhere.read_text() == "{}" and _mode(elsewhere) == 0o666  # untouched
    assert not path.is_symlink() and _mode(path) == 0o600
    assert "csecret-client-secret" in path.read_text()


@pytest.mark.parametrize("which", ["token", "registration"])
def test_an_existing_0644_file_becomes_0600(home: Home, which: str) -> None:
    path = token_path(here(), DEV) if which == "token" else registration_path(here(), DEV)
    path.parent.mkdir(parents=True)
    path.write_text("{}")
    path.chmod(0o644)
    assert files_open_to_others(here().sso_cache_dir) == [(path, 0o644)]
    if which == "token":
        save_token(here(), DEV, _token())
    else:
        save_registration(here(), DEV, _registration())
    assert _mode(path) == 0o600
    assert files_open_to_others(here().sso_cache_dir) == []


def test_a_new_file_is_0600_whatever_the_umask(home: Home) -> None:
    old = os.umask(0)
    try:
        save_token(here(), DEV, _token())
    finally:
        os.umask(old)
    assert _mode(token_path(here(), DEV)) == 0o600
    assert load_token(here(), DEV) == _token()
    assert not [p for p in token_path(here(), DEV).parent.iterdir() if p.name.endswith(".tmp")]


def test_files_open_to_others_lists_every_cache_file(home: Home) -> None:
    assert files_open_to_others(here().sso_cache_dir) == []  # no cache folder yet
    save_token(here(), DEV, _token())
    other = home.sso_cache / "0123456789abcdef.json"  # `aws sso login` of another session
    other.write_text(json.dumps({"clientId": "x", "clientSecret": "y", "expiresAt": "z"}))
    other.chmod(0o640)
    group_writable = home.sso_cache / "fedcba9876543210.json"
    group_writable.write_text("{}")
    group_writable.chmod(0o620)
    assert files_open_to_others(here().sso_cache_dir) == [(other, 0o640), (group_writable, 0o620)]


def test_a_folder_in_the_way_is_one_clear_line(home: Home) -> None:
    token_path(here(), DEV).mkdir(parents=True)
    with pytest.raises(FileWriteError) as err:
        save_token(here(), DEV, _token())
    assert str(token_path(here(), DEV)) in err.value.message and "\n" not in err.value.message
    assert "aoa-secret" not in err.value.message
    assert not [p for p in token_path(here(), DEV).parent.iterdir() if p.name.endswith(".tmp")]


NOBODY = 65534


def _another_users(path: Path, monkeypatch: pytest.MonkeyPatch) -> int:
    """Make `path` another user's (really, when running as root); the uid it now has."""
    if os.geteuid() == 0:
        try:
            os.chown(path, NOBODY, NOBODY, follow_symlinks=False)
        except OSError:
            pytest.skip("cannot give a file to another user here")
        return NOBODY
    mine = os.geteuid()
    monkeypatch.setattr(os, "geteuid", lambda: mine + 1)  # this process is someone else now
    return mine


def test_a_token_file_of_another_user_is_not_used(
    home: Home, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Someone else planted a valid token (of their own identity) in a cache folder they can
    # write to: botocore would use it, and the user would act as them.
    save_token(here(), DEV, _token())
    home.sso_cache.chmod(0o777)
    owner = _another_users(token_path(here(), DEV), monkeypatch)
    with pytest.raises(NotLoggedIn) as err:
        load_token(here(), DEV)  # was: the planted token
    assert err.value.message == (
        f"the token cache {token_path(here(), DEV)} of session dev belongs to another user (uid "
        f"{owner}); ssotui does not use a token file that may not be yours: run `ssotui login` "
        "to replace it"
    )
    assert "aoa-secret" not in err.value.message


def test_a_registration_of_another_user_is_not_used(
    home: Home, monkeypatch: pytest.MonkeyPatch
) -> None:
    save_registration(here(), DEV, _registration())
    assert load_registration(here(), DEV) is not None
    _another_users(registration_path(here(), DEV), monkeypatch)
    assert load_registration(here(), DEV) is None  # a new RegisterClient replaces it


def test_a_symlinked_token_file_is_not_followed_and_login_replaces_it(
    home: Home, sim: Simulator, sso_config: Path
) -> None:
    session = chosen_session(here())[0]
    elsewhere = home.root / "shared" / "token.json"
    elsewhere.parent.mkdir()
    elsewhere.write_text(json.dumps(token_to_dict(_token())))
    elsewhere.chmod(0o600)
    token_path(here(), session).parent.mkdir(parents=True)
    token_path(here(), session).symlink_to(elsewhere)
    listed = ssotui("list")
    assert listed.status == 1  # was: 0, as whoever the linked token belongs to
    assert listed.err == (
        f"ssotui: the token cache {token_path(here(), session)} of session dev is a symlink; "
        "ssotui does not use a token file that may not be yours: run `ssotui login` to replace it\n"
    )
    assert ssotui("login", "--use-device-code", "--no-browser").status == 0
    assert (
        not token_path(here(), session).is_symlink() and _mode(token_path(here(), session)) == 0o600
    )
    assert ssotui("list").status == 0
    assert json.loads(elsewhere.read_text())["accessToken"] == "aoa-secret-access-token"


def test_a_token_file_anyone_may_change_is_not_used(home: Home) -> None:
    save_token(here(), DEV, _token())
    token_path(here(), DEV).chmod(0o666)
    with pytest.raises(NotLoggedIn, match=r"can be changed by any user \(mode 0666\)"):
        load_token(here(), DEV)


def test_a_pipe_at_the_path_is_one_line_not_a_hang(home: Home) -> None:
    token_path(here(), DEV).parent.mkdir(parents=True)
    os.mkfifo(token_path(here(), DEV))
    errors: list[BaseException] = []

    def load() -> None:
        try:
            load_token(here(), DEV)
        except Exception as exc:  # handed to the test
            errors.append(exc)

    reader = threading.Thread(target=load, daemon=True)
    reader.start()
    reader.join(timeout=5)
    assert not reader.is_alive()  # was: blocked for good, waiting for a writer
    assert isinstance(errors[0], NotLoggedIn) and "is not a regular file" in str(errors[0])


@pytest.mark.parametrize("folder_mode", [0o700, 0o755, 0o775])
@pytest.mark.parametrize("file_mode", [0o600, 0o644, 0o664])
def test_the_aws_cli_and_sdk_files_are_used(home: Home, folder_mode: int, file_mode: int) -> None:
    # botocore makes the folder with the umask's mode and writes 0600; the JavaScript SDK
    # writes with the umask's mode (0644, or 0664 where users have a group of their own).
    loader = SSOTokenLoader(JSONFileCache(str(home.sso_cache)))
    loader.save_token(DEV.start_url, token_to_dict(_token()), session_name=DEV.name)
    home.sso_cache.chmod(folder_mode)
    token_path(here(), DEV).chmod(file_mode)
    if file_mode & stat.S_IWGRP:  # written under umask 002: the group is the user's own
        os.chown(token_path(here(), DEV), -1, _my_private_group())
    assert load_token(here(), DEV) == _token()


def test_a_token_file_a_shared_group_may_change_is_not_used_and_login_replaces_it(
    home: Home, sim: Simulator, sso_config: Path
) -> None:
    # Anyone in the group could have put their own token there (and could read this one).
    group = _a_shared_group()
    session = chosen_session(here())[0]
    assert ssotui("login", "--use-device-code", "--no-browser").status == 0
    os.chown(token_path(here(), session), -1, group.gr_gid)
    token_path(here(), session).chmod(0o664)
    listed = ssotui("list")
    assert listed.status == 1  # was: 0, with whatever token the group left there
    assert listed.err == (
        f"ssotui: the token cache {token_path(here(), session)} of session dev can be changed by "
        f"group {group.gr_name}, which other users may be in (mode 0664); ssotui does not use a "
        "token file that may not be yours: run `ssotui login` to replace it\n"
    )
    assert ssotui("login", "--use-device-code", "--no-browser").status == 0
    assert _mode(token_path(here(), session)) == 0o600
    assert ssotui("list").status == 0


@pytest.mark.parametrize("file_mode", [0o620, 0o664])
def test_a_registration_a_shared_group_may_change_is_made_anew(home: Home, file_mode: int) -> None:
    save_registration(here(), DEV, _registration())
    os.chown(registration_path(here(), DEV), -1, _a_shared_group().gr_gid)
    registration_path(here(), DEV).chmod(file_mode)
    assert load_registration(here(), DEV) is None  # was: its client secret used
    registration_path(here(), DEV).chmod(0o644)  # the group may read it, not change it: used
    assert load_registration(here(), DEV) is not None


_ALICE = pwd.struct_passwd(("alice", "x", 1000, 1000, "", "/home/alice", "/bin/sh"))
_BOB = pwd.struct_passwd(("bob", "x", 1001, 100, "", "/home/bob", "/bin/sh"))


@pytest.mark.parametrize(
    ("account", "groups", "gid", "shared"),
    [
        # the private group useradd/adduser give alice (umask 002 files): hers
        (_ALICE, {1000: ("alice", [])}, 1000, None),
        (_ALICE, {1000: ("alice", ["alice"])}, 1000, None),
        # ... unless someone was added to it
        (_ALICE, {1000: ("alice", ["bob"])}, 1000, "alice"),
        # her primary group under another name, no one else's: hers
        (_ALICE, {1000: ("alice-grp", [])}, 1000, None),
        # a primary group bob has too, or a group with members, or one of bob's: not hers
        (pwd.struct_passwd(("carol", "x", 1002, 100, "", "/", "")), {100: ("users", [])}, 100,
         "users"),
        (_ALICE, {1000: ("alice", []), 50: ("staff", ["alice", "bob"])}, 50, "staff"),
        (_ALICE, {1000: ("alice", []), 50: ("staff", [])}, 50, "staff"),
        # a gid with no group entry that is not hers
        (_ALICE, {1000: ("alice", [])}, 4242, "4242"),
        # a uid with no account (a container's): the process's own group, no one else's
        (None, {}, 1000, None),
        (None, {}, 100, "100"),
    ],
)  # fmt: skip
def test_whose_group_may_change_a_file(
    monkeypatch: pytest.MonkeyPatch,
    account: pwd.struct_passwd | None,
    groups: dict[int, tuple[str, list[str]]],
    gid: int,
    shared: str | None,
) -> None:
    uid = account.pw_uid if account else 1000
    monkeypatch.setattr(os, "geteuid", lambda: uid)
    monkeypatch.setattr(os, "getegid", lambda: 1000)
    accounts = [a for a in (account, _BOB) if a is not None]

    def getpwuid(wanted: int) -> pwd.struct_passwd:
        for one in accounts:
            if one.pw_uid == wanted:
                return one
        raise KeyError(wanted)  # no account, as pwd says

    def getgrgid(wanted: int) -> grp.struct_group:
        name, members = groups[wanted]  # KeyError: no entry, as grp says
        return grp.struct_group((name, "x", wanted, members))

    monkeypatch.setattr(pwd, "getpwuid", getpwuid)
    monkeypatch.setattr(pwd, "getpwall", lambda: accounts)
    monkeypatch.setattr(grp, "getgrgid", getgrgid)
    assert shared_group(gid) == shared


@pytest.mark.parametrize("in_the_way", ["cache folder is a file", "token path is a folder"])
def test_logout_with_something_in_the_way_is_one_line(home: Home, in_the_way: str) -> None:
    """`ssotui logout` where the cache holds no token file but something else: one line (was
    'unexpected error (NotADirectoryError / IsADirectoryError)')."""
    home.write_config(
        f"[sso-session dev]\nsso_start_url = {DEV.start_url}\nsso_region = {DEV.region}\n"
    )
    if in_the_way == "cache folder is a file":
        home.sso_cache.parent.mkdir(parents=True)
        home.sso_cache.write_text("not a folder")
    else:
        token_path(here(), DEV).mkdir(parents=True)

    said = ssotui("logout", "--session", "dev")

    assert "unexpected error" not in said.err and "Traceback" not in said.err
    if in_the_way == "cache folder is a file":  # nothing to remove: logged out
        assert said.status == 0, said.err
    else:
        assert said.status == 1 and said.err.count("\n") == 1
        assert f"cannot remove the token cache {token_path(here(), DEV)}" in said.err
