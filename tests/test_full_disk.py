"""A disk that is full costs ssotui its caches, never the command: the catalog and the role
credentials it could not keep are fetched again next time, nothing older is used instead, and
no half-written or temporary file is left. What a command prints that the disk cannot take
fails the command.

The full disk is a real one to ssotui: its process runs with a file size limit
(RLIMIT_FSIZE), so every write of more than a few bytes fails as on a full disk (EFBIG).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.app_support import log_in, usable_role, with_roles
from tests.cli_helpers import Run, ssotui, ssotui_with_files_up_to
from tests.conftest import Home
from tui.sim import Organisation, Simulator

ROOM = 16  # bytes a file may hold: less than any cache, more than a lock (empty)


def ssotui_on_a_full_disk(*args: str) -> Run:
    """`ssotui ARGS`, every file it writes limited to ROOM bytes."""
    return ssotui_with_files_up_to(ROOM, *args)


def cached(home: Home) -> list[Path]:
    """The catalog and kept role credentials, and any temp file a write left."""
    return sorted(p for p in home.cache_dir.rglob("*") if p.is_file() and p.suffix != ".lock")


def test_on_a_full_disk_credentials_are_still_handed_on(
    sim: Simulator, sso_config: Path, org: Organisation, home: Home
) -> None:
    log_in()
    account = with_roles(org)
    run = ssotui_on_a_full_disk("export", account.account_id, usable_role(account))
    assert run.status == 0, run.err  # was: 'cannot write …/catalog/….json: File too large'
    assert "AWS_SECRET_ACCESS_KEY" in run.out
    assert run.err == ""
    assert cached(home) == []  # nothing kept, nothing half-written, no temp file


def test_credentials_refreshed_on_a_full_disk_leave_none_older_to_be_reused(
    sim: Simulator, sso_config: Path, org: Organisation, home: Home
) -> None:
    log_in()
    account = with_roles(org)
    role = usable_role(account)
    first = ssotui("credential-process", account.account_id, role)
    assert first.status == 0, first.err
    before = json.loads(first.out)["AccessKeyId"]
    assert any("role-credentials" in str(p) for p in cached(home))  # kept, room enough
    refreshed = ssotui_on_a_full_disk("credential-process", account.account_id, role, "--refresh")
    assert refreshed.status == 0, refreshed.err
    assert json.loads(refreshed.out)["AccessKeyId"] != before
    # the ones kept before are gone: the next run fetches, it never gets them back
    assert not any("role-credentials" in str(p) for p in cached(home))
    again = ssotui("credential-process", account.account_id, role)
    assert again.status == 0, again.err
    assert json.loads(again.out)["AccessKeyId"] != before


@pytest.mark.skipif(not Path("/dev/full").exists(), reason="no /dev/full here")
def test_a_list_that_cannot_be_written_to_standard_output_fails(
    sim: Simulator, sso_config: Path
) -> None:
    # `ssotui list --json > accounts.json` on a full disk: the few lines of a small catalog sat
    # in Python's buffer until the end, whose flush failed unsaid, and the command exited 0
    # with nothing written. (PYTHONUNBUFFERED, set here, made every write fail at once.)
    log_in()
    quiet = {key: value for key, value in os.environ.items() if key != "PYTHONUNBUFFERED"}
    for flags in ([], ["--json"]):
        with open("/dev/full", "w") as full:
            run = subprocess.run(
                [sys.executable, "-m", "tui", "list", *flags],
                stdout=full,
                stderr=subprocess.PIPE,
                text=True,
                env=quiet,
                timeout=60,
            )
        assert run.returncode == 1
        assert run.stderr == "ssotui: cannot write standard output: No space left on device\n"
