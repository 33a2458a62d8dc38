"""ssotui's own cache folder read-only: the commands that change the AWS files still refuse
(their locks guard those writes), and say which folder and what to do."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.app_support import log_in, usable_role, with_roles
from tests.cli_helpers import Run
from tests.conftest import Home
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


def run_as_user(world: Path, home: Home, *args: str, used_before: bool) -> Run:
    """`ssotui ARGS` in a copy of the test's files under `world`, its cache folder read-only,
    as a user the folder's mode binds (root writes in it all the same: nobody, then)."""
    copy = world / "home"
    shutil.copytree(home.root, copy)
    cache = world / "cache"
    cache.mkdir()
    if used_before:  # its locks folder made by an earlier run
        (cache / "locks").mkdir(mode=0o500)
    cache.chmod(0o500)
    env = {
        **os.environ,
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
    proc = subprocess.run(
        argv, capture_output=True, text=True, env=env, timeout=60, stdin=subprocess.DEVNULL
    )
    return Run(proc.returncode, proc.stdout, proc.stderr)


@pytest.mark.parametrize("used_before", [True, False], ids=["used-before", "new"])
@pytest.mark.parametrize("command", ["write-profile", "populate", "logout"])
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
        "logout": ("logout",),
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
