"""A wait on another ssotui is said once, after about a second, instead of a silent pause.

Another process holds one of ssotui's locks (as a second ssotui would while it changes
~/.aws/credentials, fetches the catalog or renews the token) for a few seconds: the command line
says one line on stderr and then does its work; the picker shows a notice. `credential-process`
says nothing: its stderr goes to the program that ran it (botocore puts it in front of its error).
"""

from __future__ import annotations

import contextlib
import json
import os
import subprocess
import sys
import threading
from collections.abc import Iterator
from pathlib import Path

import boto3

from tests import cli_helpers
from tests.app_support import (
    async_test,
    catalog_loaded,
    dev_session,
    log_in,
    notes,
    open_action_menu,
    picker,
    screen_name,
    usable_role,
    wait_until,
    with_roles,
)
from tests.cli_helpers import Run, ssotui
from tests.conftest import Home, here
from tui.aws import token_cache
from tui.models import Account
from tui.sim import Organisation, Simulator
from tui.store import catalog_cache, credentials_cache, files

HOLD = 2.5  # seconds the other process keeps its lock: longer than the second before a word

_HOLDER = """
import fcntl, os, sys, time
fd = os.open(sys.argv[1], os.O_RDWR | os.O_CREAT, 0o600)
fcntl.flock(fd, fcntl.LOCK_EX)
print("held", flush=True)
time.sleep(float(sys.argv[2]))
"""


@contextlib.contextmanager
def another_process_holding(path: Path) -> Iterator[subprocess.Popen[str]]:
    """Another process holds the ssotui lock of `path` for `HOLD` seconds (from when the block
    starts), as a second ssotui does while it works on that file; ending it lets go sooner."""
    lock = files.lock_file(here(), path)
    files.ensure_dir(lock.parent)
    holder = subprocess.Popen(
        [sys.executable, "-c", _HOLDER, str(lock), str(HOLD)], stdout=subprocess.PIPE, text=True
    )
    try:
        assert holder.stdout is not None and holder.stdout.readline() == "held\n"
        yield holder
    finally:
        holder.kill()
        holder.wait()


def ssotui_while_held(path: Path, *args: str) -> Run:
    """`ssotui ARGS` while another process holds the lock of `path`: it lets go as soon as the
    command says it waits for it (not `HOLD` seconds later: the wait is said, that is enough)."""
    with another_process_holding(path) as holder:
        command = subprocess.Popen(
            [sys.executable, *cli_helpers.COMMAND, *args],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            stdin=subprocess.DEVNULL,
            text=True,
        )
        assert command.stderr is not None
        said: list[str] = []
        for line in command.stderr:
            said.append(line)
            if "waiting for it" in line:
                holder.kill()
        out, _ = command.communicate(timeout=60)
    return Run(command.returncode, out, "".join(said))


def _waiting_lines(stderr: str) -> list[str]:
    return [line for line in stderr.splitlines() if "waiting for it" in line]


def test_write_profile_says_it_waits_for_another_ssotui_changing_the_credentials_file(
    sim: object, sso_config: Path, org: Organisation, home: Home
) -> None:
    log_in()
    account = with_roles(org)
    credentials = here().aws_credentials_file
    run = ssotui_while_held(
        credentials, "write-profile", account.account_id, usable_role(account), "--profile", "p"
    )
    assert run.status == 0, run.err
    assert _waiting_lines(run.err) == [
        f"Another ssotui is changing {credentials}: waiting for it..."
    ]
    assert "[p]" in credentials.read_text()


def test_export_says_it_waits_for_another_ssotui_fetching_the_catalog(
    sim: object, sso_config: Path, org: Organisation
) -> None:
    """No catalog cached yet: the names typed are looked up in the one another ssotui (a
    `credential_process` of Terraform's) is fetching, once it has it."""
    log_in()
    account = with_roles(org)
    run = ssotui_while_held(
        catalog_cache.cache_path(here(), dev_session()),
        "export",
        account.account_id,
        usable_role(account),
    )
    assert run.status == 0, run.err
    assert _waiting_lines(run.err) == [
        "Another ssotui is fetching the catalog of session dev: waiting for it..."
    ]
    assert "AWS_SESSION_TOKEN" in run.out


def test_logout_says_it_waits_for_another_ssotui_renewing_the_token(
    sim: object, sso_config: Path
) -> None:
    log_in()
    run = ssotui_while_held(token_cache.token_path(here(), dev_session()), "logout")
    assert run.status == 0, run.err
    assert _waiting_lines(run.err) == [
        "Another ssotui is renewing the token of session dev: waiting for it..."
    ]


def test_export_says_it_waits_for_another_ssotui_fetching_the_same_credentials(
    sim: object, sso_config: Path, org: Organisation
) -> None:
    log_in()
    account = with_roles(org)
    role = usable_role(account)
    kept = credentials_cache.cache_path(here(), dev_session(), account.account_id, role)
    run = ssotui_while_held(kept, "export", account.account_id, role)
    assert run.status == 0, run.err
    shown = Account(account.account_id, account.name).label_with_id
    assert _waiting_lines(run.err) == [
        f"Another ssotui is fetching the credentials of {shown}/{role}: waiting for it..."
    ]
    assert "AWS_SESSION_TOKEN" in run.out


def test_credential_process_waits_in_silence_for_botocore(
    sim: object, sso_config: Path, org: Organisation, home: Home
) -> None:
    """botocore keeps a credential_process's stderr for its error: a waiting line would come
    before the reason of a failure; on success nothing may be added to what it reads."""
    log_in()
    account = with_roles(org)
    role = usable_role(account)
    home.write_config(
        sso_config.read_text() + "\n[profile cp]\ncredential_process = "
        f"{sys.executable} -m tui credential-process {account.account_id} {role}\n"
    )
    kept = credentials_cache.cache_path(here(), dev_session(), account.account_id, role)
    with another_process_holding(kept):
        run = ssotui("credential-process", account.account_id, role)
    assert run.status == 0 and run.err == ""
    assert json.loads(run.out)["Version"] == 1
    with another_process_holding(kept):
        creds = boto3.Session(profile_name="cp").get_credentials()
    assert creds is not None and creds.get_frozen_credentials().access_key.startswith("ASIA")


@async_test
async def test_w_shows_a_notice_while_another_ssotui_changes_the_credentials_file(
    sim: object, sso_config: Path, org: Organisation
) -> None:
    log_in()
    account = with_roles(org)
    credentials = here().aws_credentials_file
    app = picker()
    async with app.run_test(size=(100, 30), notifications=True) as pilot:
        await wait_until(pilot, catalog_loaded(app, org), "the catalog")
        await open_action_menu(pilot, app, org, account, usable_role(account))
        await pilot.press("w")
        await wait_until(pilot, lambda: screen_name(app) == "ProfileNameScreen", "the name")
        with another_process_holding(credentials):
            await pilot.press("enter")
            await wait_until(pilot, lambda: notes(app), "the notice", timeout=HOLD)
            assert notes(app) == [f"Another ssotui is changing {credentials}: waiting for it…"]
        await wait_until(pilot, lambda: len(notes(app)) == 2, "the profile")
        assert notes(app)[-1].startswith("Wrote profile [")


def test_two_threads_of_one_ssotui_share_one_fetch_and_say_no_other_ssotui_waits(
    sim: Simulator, sso_config: Path, org: Organisation
) -> None:
    """The picker's `c` and then `w` on one role while the first fetch is on its way: the
    second waits for the first, in this process, and takes its credentials; it is not told as
    a wait on another ssotui (flock(2) would have made the two threads wait on each other's
    lock, and called it that)."""
    from tui.store.settings import Settings
    from tui.store.waits import told_to
    from tui.workspace import Context

    log_in()
    account = with_roles(org)
    role = usable_role(account)
    sim.set(latency=1.5)
    sim.reset_calls()
    workspace = Context(settings=Settings(), environ=dict(os.environ)).workspace(dev_session())
    found, _ = workspace.find(account.account_id, role)
    told: list[object] = []
    results: list[str] = []

    def fetch() -> None:
        results.append(workspace.role_credentials(found, role).access_key_id)

    with told_to(told.append):
        threads = [threading.Thread(target=fetch) for _ in range(2)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=30)
    assert told == []
    assert len(results) == 2 and results[0] == results[1]
    assert sim.calls["GetRoleCredentials"] == 1
