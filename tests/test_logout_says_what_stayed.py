"""`ssotui logout` when part of what it deletes cannot be read or removed: the rest of the
logout still happens, and a line says what stayed and what to do (was: "Removed 0 profile(s)"
for a credentials "file" that is a folder, and nothing about a token it could not read)."""

from __future__ import annotations

import errno
import os
from pathlib import Path

import pytest

from tests.cli_helpers import ssotui
from tests.conftest import Home, here
from tui.aws.session_choice import chosen_session
from tui.cli import main
from tui.models import Token
from tui.sim import Simulator
from tui.store import catalog_cache


def _written_profile(sim: Simulator) -> None:
    account = next(a for a in sim.org.accounts if any(not r.forbidden for r in a.roles))
    role = next(r for r in account.roles if not r.forbidden)
    assert ssotui("write-profile", account.account_id, role.name, "--profile", "tmp").status == 0


def test_purge_with_a_symlinked_credentials_folder_says_so_and_deletes_nothing_there(
    sim: Simulator, sso_config: Path, token: Token, home: Home, tmp_path: Path
) -> None:
    _written_profile(sim)
    folder = tmp_path / "creds"
    folder.mkdir()
    home.aws_credentials.rename(folder / "credentials")  # the file, now inside a folder
    home.aws_credentials.symlink_to(folder)
    kept = (folder / "credentials").read_bytes()
    result = ssotui("logout", "--purge")
    assert result.status == 1, result
    assert "Traceback" not in result.err
    first, last = result.err.splitlines()
    assert first.startswith("Logged out of dev: token revoked")
    assert last == (
        "ssotui: the profiles ssotui wrote were not removed: the shared credentials file "
        f"{home.aws_credentials} is a folder, not a file (the AWS CLI reads nothing from it): "
        "point AWS_SHARED_CREDENTIALS_FILE at the file itself"
    )
    assert home.aws_credentials.is_symlink()
    assert [p.name for p in folder.iterdir()] == ["credentials"]
    assert (folder / "credentials").read_bytes() == kept


@pytest.fixture
def locked_token_cache(home: Home, monkeypatch: pytest.MonkeyPatch) -> None:
    """The token cache folder cannot be entered (mode 0000, or another user's): this test runs
    as root too, which the kernel lets in anywhere, so the refusal is the kernel's answer."""
    real_open, real_unlink = os.open, Path.unlink

    def refused(path: object) -> None:
        if Path(os.fsdecode(path)).parent == home.sso_cache:  # type: ignore[arg-type]
            raise PermissionError(errno.EACCES, "Permission denied", str(path))

    def opened(path: str | os.PathLike[str], *args: int, **kwargs: int) -> int:
        refused(path)
        return real_open(path, *args, **kwargs)

    def unlinked(path: Path, missing_ok: bool = False) -> None:
        refused(path)
        real_unlink(path, missing_ok=missing_ok)

    monkeypatch.setattr(os, "open", opened)
    monkeypatch.setattr(Path, "unlink", unlinked)


def test_a_token_cache_it_cannot_enter_is_said_and_the_rest_of_the_logout_happens(
    sim: Simulator,
    token: Token,
    home: Home,
    request: pytest.FixtureRequest,
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert main(["list"]) == 0
    session = chosen_session(here())[0]
    catalog = catalog_cache.cache_path(here(), session)
    assert catalog.exists()
    capsys.readouterr()
    request.getfixturevalue("locked_token_cache")
    status = main(["logout"])
    err = capsys.readouterr().err
    assert status == 1
    first, last = err.splitlines()
    # was: only "cannot remove the token cache …", the catalog kept and nothing said of the
    # token still valid at Identity Center
    assert first == (
        "Logged out of dev: could not revoke the token (its cache file could not be read): it "
        "stays valid at Identity Center; catalog deleted."
    )
    assert last.startswith(f"ssotui: cannot remove the token cache {home.sso_cache}/")
    assert last.endswith("of session dev: Permission denied; remove it by hand")
    assert not catalog.exists()
