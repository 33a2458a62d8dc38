"""`ssotui logout` deletes the role credentials the AWS CLI v2 cached for the session's SSO
profiles (`~/.aws/cli/cache`), as `aws sso logout` does, and no other session's."""

from __future__ import annotations

import os
import re
from pathlib import Path

import boto3
import pytest
from botocore.credentials import SSOCredentialFetcher
from botocore.utils import JSONFileCache

from tests.cli_helpers import ssotui
from tests.conftest import Home, here
from tui.aws.cli_role_cache import cache_key
from tui.aws.login import login
from tui.aws.sessions import load_sessions
from tui.cli import main
from tui.models import SsoSession
from tui.sim import Organisation, SimAccount, Simulator


def _usable(org: Organisation) -> list[tuple[SimAccount, str]]:
    return [(a, r.name) for a in org.accounts for r in a.roles if not r.forbidden]


def _profile(name: str, session: str, account: SimAccount, role: str) -> str:
    return (
        f"\n[profile {name}]\nsso_session = {session}\n"
        f"sso_account_id = {account.account_id}\nsso_role_name = {role}\nregion = us-east-1\n"
    )


def _aws_cli_cache(home: Home) -> Path:
    return home.root / ".aws" / "cli" / "cache"


def _cached_by_botocore(home: Home, profile: str) -> str:
    """Fetch the profile's credentials through botocore with the file cache the AWS CLI v2
    gives its SSO provider (`~/.aws/cli/cache`); returns the access key id."""
    session = boto3.Session(profile_name=profile)
    provider = session._session.get_component("credential_provider").get_provider("sso")
    provider.cache = JSONFileCache(str(_aws_cli_cache(home)))
    credentials = session.get_credentials()
    assert credentials is not None
    return credentials.get_frozen_credentials().access_key


def _log_in(name: str) -> None:
    [session] = [s for s in load_sessions(here()) if s.name == name]
    login(here(), session, open_browser=False, announce=lambda _a: None, sleep=lambda _s: None)


@pytest.fixture
def two_sessions(home: Home, sim: Simulator, sso_config: Path, org: Organisation) -> None:
    """`dev` and `other` (the same Identity Center), both logged in, with profiles `mine` and
    `theirs` that use them."""
    sim.set(interval=0)
    (mine_account, mine_role), *_, (theirs_account, theirs_role) = _usable(org)
    with sso_config.open("a", encoding="utf-8") as config:
        config.write(
            f"\n[sso-session other]\nsso_start_url = {sim.start_url}\n"
            f"sso_region = {sim.region}\nsso_registration_scopes = sso:account:access\n"
        )
        config.write(_profile("mine", "dev", mine_account, mine_role))
        config.write(_profile("theirs", "other", theirs_account, theirs_role))
    _log_in("dev")
    _log_in("other")


def _cached(home: Home, profile: str) -> Path:
    """Have botocore fetch and cache the profile's credentials; the one new file."""
    before = set(_aws_cli_cache(home).glob("*.json"))
    assert _cached_by_botocore(home, profile)
    [new] = set(_aws_cli_cache(home).glob("*.json")) - before
    return new


@pytest.mark.usefixtures("two_sessions")
def test_logout_deletes_what_the_aws_cli_cached_for_the_session_only(home: Home) -> None:
    mine, theirs = _cached(home, "mine"), _cached(home, "theirs")
    result = ssotui("logout", "--session", "dev")
    assert result.status == 0, result.err
    assert not mine.exists()  # was: left there, and `aws --profile mine` kept working
    assert theirs.exists()  # another session's: untouched
    said = "Removed 1 file of role credentials the AWS CLI cached for this session."
    assert said in result.err.splitlines()
    assert "Traceback" not in result.err


@pytest.mark.usefixtures("two_sessions")
def test_a_role_the_config_no_longer_names_is_found_in_the_catalog(
    home: Home, sso_config: Path
) -> None:
    assert ssotui("list", "--session", "dev").status == 0  # the catalog, cached
    mine = _cached(home, "mine")
    # the profile is gone from the config file (edited by hand, or `populate` rewrote it)
    text = sso_config.read_text(encoding="utf-8")
    sso_config.write_text(re.sub(r"\[profile mine\][^[]*", "", text), encoding="utf-8")
    assert ssotui("logout", "--session", "dev").status == 0
    assert not mine.exists()


@pytest.mark.usefixtures("two_sessions")
def test_a_symlink_there_is_deleted_not_its_target(home: Home) -> None:
    mine = _cached(home, "mine")
    target = home.root / "elsewhere.json"
    mine.rename(target)
    mine.symlink_to(target)
    assert ssotui("logout", "--session", "dev").status == 0
    assert not mine.is_symlink() and target.exists()


@pytest.mark.usefixtures("two_sessions")
def test_a_file_that_cannot_be_deleted_is_named_in_one_line(
    home: Home, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    mine = _cached(home, "mine")
    unlink = Path.unlink

    def refuse(path: Path, missing_ok: bool = False) -> None:
        if path == mine:  # a folder the user cannot write to (and not root)
            raise PermissionError(13, "Permission denied", str(path))
        unlink(path, missing_ok=missing_ok)

    monkeypatch.setattr(Path, "unlink", refuse)
    status = main(["logout", "--session", "dev"])
    err = capsys.readouterr().err
    assert status == 1
    assert err.splitlines()[-1] == (
        f"ssotui: could not delete {mine} (Permission denied): role credentials the AWS CLI "
        "cached for this session, usable until they expire; delete the file by hand"
    )
    assert "Traceback" not in err and mine.exists()


@pytest.mark.parametrize("name", ["dev", "équipe 東京", None])
def test_the_file_names_are_botocores(name: str | None) -> None:
    session = SsoSession(name=name, start_url="https://d-1.awsapps.com/start/", region="eu-west-1")
    fetcher = SSOCredentialFetcher(
        start_url=session.start_url,
        sso_region=session.region,
        role_name="Admin Ö",
        account_id="123456789012",
        client_creator=None,
        sso_session_name=name,
    )
    assert cache_key(session, "123456789012", "Admin Ö") == fetcher._create_cache_key()


def test_a_token_cache_of_its_own_leaves_the_aws_cli_cache_alone(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # `ssotui demo` moves the token cache: its session `demo` is not the AWS CLI's `demo`.
    assert here().aws_role_cache_dirs
    monkeypatch.setenv("SSOTUI_SSO_CACHE_DIR", "/tmp/elsewhere")
    assert here().aws_role_cache_dirs == ()


@pytest.mark.usefixtures("two_sessions")
def test_a_file_where_a_cache_folder_would_be_is_no_failure(home: Home) -> None:
    mine = _cached(home, "mine")
    (home.root / ".aws" / "boto").mkdir()
    (home.root / ".aws" / "boto" / "cache").write_text("not a folder\n", encoding="utf-8")
    result = ssotui("logout", "--session", "dev")
    # was: exit 1, "could not delete …/boto/cache/<hash>.json (Not a directory)"
    assert result.status == 0, result.err
    assert not mine.exists()
    assert "could not" not in result.err


@pytest.mark.usefixtures("two_sessions")
def test_a_cache_folder_that_cannot_be_looked_in_is_said_once(
    home: Home, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    assert ssotui("list", "--session", "dev").status == 0  # the catalog: many roles
    folder = _aws_cli_cache(home)
    folder.mkdir(parents=True)
    listdir, lstat = os.listdir, Path.lstat

    def unlisted(path: str | os.PathLike[str]) -> list[str]:
        if Path(path) == folder:  # mode 0300 or 0000, another user's (and not root)
            raise PermissionError(13, "Permission denied", str(path))
        return listdir(path)

    def unsearched(path: Path) -> os.stat_result:
        if path.parent == folder:
            raise PermissionError(13, "Permission denied", str(path))
        return lstat(path)

    monkeypatch.setattr(os, "listdir", unlisted)
    monkeypatch.setattr(Path, "lstat", unsearched)
    status = main(["logout", "--session", "dev"])
    err = capsys.readouterr().err
    assert status == 1
    # was: "could not delete …/<hash>.json and 19 more there", files that may not exist
    assert err.splitlines()[-1] == (
        f"ssotui: could not look in {folder} (Permission denied) for role credentials the AWS "
        "CLI cached for this session, usable until they expire: let yourself read it and "
        "delete them by hand, or run `aws sso logout` (it deletes every session's)"
    )
