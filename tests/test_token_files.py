"""The SSO token cache and registration files: written by rename, 0600, symlinks replaced.

botocore writes these files with a temp file renamed over the path; a symlink planted at the
path must not carry the token, refresh token and client secret into its target.
"""

from __future__ import annotations

import json
import os
import stat
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from tests.conftest import Home
from tui.aws.token_cache import (
    Registration,
    files_open_to_others,
    load_token,
    registration_path,
    save_registration,
    save_token,
    token_path,
)
from tui.errors import FileWriteError
from tui.models import SsoSession, Token

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


@pytest.mark.parametrize("which", ["token", "registration"])
def test_a_symlink_at_the_path_is_replaced_not_followed(home: Home, which: str) -> None:
    path = token_path(DEV) if which == "token" else registration_path(DEV)
    path.parent.mkdir(parents=True)
    elsewhere = home.root / "shared" / "world-readable.json"
    elsewhere.parent.mkdir()
    elsewhere.write_text("{}")
    elsewhere.chmod(0o666)
    path.symlink_to(elsewhere)
    if which == "token":
        save_token(DEV, _token())
    else:
        save_registration(DEV, _registration())
    assert elsewhere.read_text() == "{}" and _mode(elsewhere) == 0o666  # untouched
    assert not path.is_symlink() and _mode(path) == 0o600
    assert "csecret-client-secret" in path.read_text()


@pytest.mark.parametrize("which", ["token", "registration"])
def test_an_existing_0644_file_becomes_0600(home: Home, which: str) -> None:
    path = token_path(DEV) if which == "token" else registration_path(DEV)
    path.parent.mkdir(parents=True)
    path.write_text("{}")
    path.chmod(0o644)
    assert files_open_to_others() == [(path, 0o644)]
    if which == "token":
        save_token(DEV, _token())
    else:
        save_registration(DEV, _registration())
    assert _mode(path) == 0o600
    assert files_open_to_others() == []


def test_a_new_file_is_0600_whatever_the_umask(home: Home) -> None:
    old = os.umask(0)
    try:
        save_token(DEV, _token())
    finally:
        os.umask(old)
    assert _mode(token_path(DEV)) == 0o600
    assert load_token(DEV) == _token()
    assert not [p for p in token_path(DEV).parent.iterdir() if p.name.endswith(".tmp")]


def test_files_open_to_others_lists_every_cache_file(home: Home) -> None:
    assert files_open_to_others() == []  # no cache folder yet
    save_token(DEV, _token())
    other = home.sso_cache / "0123456789abcdef.json"  # `aws sso login` of another session
    other.write_text(json.dumps({"clientId": "x", "clientSecret": "y", "expiresAt": "z"}))
    other.chmod(0o640)
    group_writable = home.sso_cache / "fedcba9876543210.json"
    group_writable.write_text("{}")
    group_writable.chmod(0o620)
    assert files_open_to_others() == [(other, 0o640), (group_writable, 0o620)]


def test_a_folder_in_the_way_is_one_clear_line(home: Home) -> None:
    token_path(DEV).mkdir(parents=True)
    with pytest.raises(FileWriteError) as err:
        save_token(DEV, _token())
    assert str(token_path(DEV)) in err.value.message and "\n" not in err.value.message
    assert "aoa-secret" not in err.value.message
    assert not [p for p in token_path(DEV).parent.iterdir() if p.name.endswith(".tmp")]
