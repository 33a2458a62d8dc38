"""ssotui's own cache folder read-only: the commands that change the AWS files still refuse
(their locks guard those writes), and say which folder and what to do; a logout still signs
out at the service and deletes the token, and says what stayed."""

from __future__ import annotations

import os
import shutil
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path

import boto3
import pytest

from tests.app_support import log_in, usable_role, with_roles
from tests.cli_helpers import Run, run_command, ssotui
from tests.conftest import Home
from tui.models import Token
from tui.sim import Organisation, Simulator

NOBODY = 65534


@pytest.fixture
def world(home: Home) -> Iterator[Path]:
    folder = Path(tempfile.mkdtemp(prefix="ssotui-ro-"))
    folder.chmod(0o755)
    try:
        yield folder
    finally:
        for level in folder.rglob("*"):
            if level.is_dir():
                level.chmod(0o700)
        shutil.rmtree(folder, ignore_errors=True)


def run_as_user(
    world: Path, home: Home, *args: str, used_before: bool, read_only: str = "cache"
) -> Run:
    """`ssotui ARGS` in a copy of the test's files under `world`, its cache folder read-only
    (`read_only="token cache"`: the SSO token cache folder instead), as a user the folder's
    mode binds (root writes in it all the same: nobody, then). `used_before`: the cache folder
    holds what earlier runs left (the test's own, copied), its locks folder among them."""
    copy = world / "home"
    shutil.copytree(home.root, copy)
    cache = world / "cache"
    cache.mkdir()
    if used_before:
        shutil.copytree(home.cache_dir, cache, dirs_exist_ok=True)
        (cache / "locks").mkdir(exist_ok=True)
    for folder in cache.rglob("*"):
        if folder.is_dir():
            folder.chmod(0o500)
    token_cache = copy / ".aws" / "sso" / "cache"
    (cache if read_only == "cache" else token_cache).chmod(0o500)
    env = {
        "HOME": str(copy),
        "AWS_CONFIG_FILE": str(copy / ".aws" / "config"),
        "AWS_SHARED_CREDENTIALS_FILE": str(copy / ".aws" / "credentials"),
        "SSOTUI_CACHE_DIR": str(cache),
        "SSOTUI_CONFIG_DIR": str(world / "config"),
        "SSOTUI_STATE_DIR": str(world / "state"),
    }
    argv = [sys.executable, "-m", "tui", *args]
    if os.geteuid() == 0:
        if shutil.which("setpriv") is None:
            pytest.skip("root, and no setpriv to run as another user")
        for path in [world, *world.rglob("*")]:
            os.lchown(path, NOBODY, NOBODY)
        argv = ["setpriv", f"--reuid={NOBODY}", f"--regid={NOBODY}", "--clear-groups", *argv]
    return run_command(argv, env=env)


@pytest.mark.parametrize("used_before", [True, False], ids=["used-before", "new"])
@pytest.mark.parametrize("command", ["write-profile", "populate"])
def test_a_read_only_cache_folder_is_named_with_what_to_do(
    sim: Simulator,
    sso_config: Path,
    org: Organisation,
    home: Home,
    world: Path,
    command: str,
    used_before: bool,
) -> None:
    log_in()
    account = with_roles(org)
    args = {
        "write-profile": ("write-profile", account.account_id, usable_role(account)),
        "populate": ("populate",),
    }[command]
    run = run_as_user(world, home, *args, used_before=used_before)
    assert run.status == 1
    assert run.err.count("\n") == 1 and run.err.startswith("ssotui: cannot lock "), run.err
    locks = world / "cache" / "locks"
    # was: 'cannot lock …: cannot open …/locks/<digest>.lock: Permission denied'
    assert run.err.rstrip().endswith(
        f"cannot create a lock file in {locks}: Permission denied: make that folder writable, "
        "or point SSOTUI_CACHE_DIR at a writable folder"
        if used_before
        else f"cannot create folder {locks}: Permission denied: make {world / 'cache'} "
        "writable, or point SSOTUI_CACHE_DIR at a writable folder"
    ), run.err
    written = world / "home" / ".aws"
    assert not (written / "credentials").exists()  # the lock guards this write: still refused
    assert (written / "config").read_text(encoding="utf-8") == sso_config.read_text("utf-8")


def works_at_the_service(sim: Simulator, token: Token) -> bool:
    """Whether the portal still takes `token` (real boto3, as any tool holding it would)."""
    portal = boto3.client("sso", region_name=sim.region)
    try:
        portal.list_accounts(accessToken=token.access_token)
    except portal.exceptions.UnauthorizedException:
        return False
    return True


@pytest.mark.parametrize("purge", [False, True], ids=["logout", "purge"])
@pytest.mark.parametrize("used_before", [True, False], ids=["used-before", "new"])
def test_logout_signs_out_and_deletes_the_token_when_its_cache_folder_is_read_only(
    sim: Simulator,
    sso_config: Path,
    org: Organisation,
    home: Home,
    world: Path,
    used_before: bool,
    purge: bool,
) -> None:
    token = log_in()
    assert ssotui("list").status == 0  # the catalog cached (copied in when used before)
    account = with_roles(org)
    assert ssotui("write-profile", account.account_id, usable_role(account)).status == 0
    sim.reset_calls()
    run = run_as_user(
        world, home, "logout", *(["--purge"] if purge else []), used_before=used_before
    )
    # was: 'cannot lock …' and nothing done: the token still valid, its file still there
    assert sim.calls["Logout"] == 1
    assert not works_at_the_service(sim, token)
    tokens = world / "home" / ".aws" / "sso" / "cache"
    assert not [p for p in tokens.glob("*.json") if "accessToken" in p.read_text()]
    lines = run.err.splitlines()
    assert lines[0] == "Logged out of dev: token revoked, cached token deleted.", run.err
    assert ("Removed 1 profile ssotui wrote to the credentials file." in lines) == purge
    secrets = (world / "home" / ".aws" / "credentials").read_text(encoding="utf-8")
    assert ("aws_secret_access_key" in secrets) != purge
    assert "Traceback" not in run.err
    if used_before:  # the catalog in the read-only folder stayed: said, with what to do
        assert run.status == 1
        kept = next((world / "cache" / "role-credentials").glob("*.json"))
        assert lines[-1] == (
            "ssotui: the role credentials ssotui kept (usable until they expire) and the "
            f"catalog of session dev stayed (cannot delete {kept}: Permission denied): remove "
            "them by hand"
        ), run.err
    else:
        assert run.status == 0, run.err
        assert len(lines) == 1 + purge


def test_logout_with_a_read_only_token_cache_folder_signs_out_and_says_the_file_stayed(
    sim: Simulator, sso_config: Path, home: Home, world: Path
) -> None:
    token = log_in()
    sim.reset_calls()
    run = run_as_user(world, home, "logout", used_before=False, read_only="token cache")
    assert sim.calls["Logout"] == 1
    assert not works_at_the_service(sim, token)
    assert run.status == 1  # the token file stays (of no use at the service now)
    first, last = run.err.splitlines()
    assert first == "Logged out of dev: token revoked, nothing deleted."
    assert last.startswith(f"ssotui: cannot remove the token cache {world}/home/.aws/sso/cache/")
    assert last.endswith("of session dev: Permission denied; remove it by hand")
