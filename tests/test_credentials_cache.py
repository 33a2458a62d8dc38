"""Role credentials kept between runs: reused while they have over 15 minutes left, shared by
processes that ask at once, never trusted when corrupt, foreign or past their time."""

from __future__ import annotations

import json
import os
import stat
import subprocess
import sys
import threading
from datetime import timedelta
from pathlib import Path
from typing import Any

import boto3
import botocore.session
import pytest

from tests import cli_helpers
from tests.app_support import dev_session, log_in, usable_role, with_roles
from tests.cli_here import ssotui_here as ssotui
from tests.conftest import Home, here
from tests.made_up import made_up_credentials
from tui.models import Account, RoleCredentials, utcnow
from tui.sim import Organisation, SimAccount, Simulator
from tui.store import catalog_cache, credentials_cache
from tui.store.settings import Settings
from tui.workspace.workspace import Workspace


def _process(account: SimAccount, *flags: str) -> dict[str, str]:
    run = ssotui("credential-process", account.account_id, usable_role(account), *flags)
    assert run.status == 0, run.err
    data: dict[str, str] = json.loads(run.out)
    return data


def _kept_files(home: Home) -> list[Path]:
    return sorted((home.cache_dir / "role-credentials").glob("*.json"))


def test_a_second_call_makes_no_portal_call(
    sim: Simulator, sso_config: Path, org: Organisation, home: Home
) -> None:
    log_in()
    account = with_roles(org)
    first = _process(account)
    calls = sum(sim.calls.values())
    second = _process(account)
    assert sum(sim.calls.values()) == calls  # no call at all, not even ListAccounts
    assert second == first
    # --refresh fetches anew, and what it fetched is kept.
    third = _process(account, "--refresh")
    assert third["AccessKeyId"] != first["AccessKeyId"]
    assert _process(account)["AccessKeyId"] == third["AccessKeyId"]


def test_kept_credentials_are_private_and_not_in_the_catalog_cache(
    sim: Simulator, sso_config: Path, org: Organisation, home: Home
) -> None:
    log_in()
    account = with_roles(org)
    secret = _process(account)["SecretAccessKey"]
    [kept] = _kept_files(home)
    assert stat.S_IMODE(kept.stat().st_mode) == 0o600
    assert stat.S_IMODE(kept.parent.stat().st_mode) == 0o700
    for path in (home.cache_dir / "catalog").glob("*"):
        assert secret not in path.read_text()


def test_logout_deletes_them(
    sim: Simulator, sso_config: Path, org: Organisation, home: Home
) -> None:
    log_in()
    _process(with_roles(org))
    assert _kept_files(home)
    out = ssotui("logout")
    assert out.status == 0
    assert not _kept_files(home)
    # and says so (it named only the token and the catalog)
    assert "cached token, catalog and kept role credentials deleted." in out.err
    assert "the role credentials kept between runs" in " ".join(ssotui("logout", "-h").out.split())


def test_aws_sso_logout_ends_them_too(
    sim: Simulator, sso_config: Path, org: Organisation, home: Home
) -> None:
    token = log_in()
    account = with_roles(org)
    before = _process(account)
    # `aws sso logout`: Logout at the service, then every token file deleted (its own kept
    # credentials too; ours it does not know)
    sso = boto3.session.Session().client("sso", region_name=token.region)
    sso.logout(accessToken=token.access_token)
    for path in home.sso_cache.glob("*.json"):
        if "accessToken" in json.loads(path.read_text()):
            path.unlink()
    for command in ("credential-process", "export"):
        run = ssotui(command, account.account_id, usable_role(account))
        assert run.status == 1 and run.out == ""  # was: the kept credentials, as if logged in
        assert run.err == "ssotui: not logged in to session dev: run `ssotui login`\n"
    log_in()  # `aws sso login`: maybe someone else, who must not get the ones kept before
    assert _process(account)["AccessKeyId"] != before["AccessKeyId"]


def test_turned_off_every_call_fetches(
    sim: Simulator, sso_config: Path, org: Organisation, home: Home
) -> None:
    home.config_dir.mkdir(parents=True, exist_ok=True)
    (home.config_dir / "config.toml").write_text("cache_role_credentials = false\n")
    log_in()
    account = with_roles(org)
    before = sim.calls["GetRoleCredentials"]
    assert _process(account) != _process(account)
    assert sim.calls["GetRoleCredentials"] == before + 2
    assert not _kept_files(home)


def test_credentials_with_15_minutes_or_less_left_are_fetched_anew(
    sim: Simulator, sso_config: Path, org: Organisation
) -> None:
    sim.set(credential_lifetime=15 * 60)
    log_in()
    account = with_roles(org)
    before = sim.calls["GetRoleCredentials"]
    _process(account)
    _process(account)
    assert sim.calls["GetRoleCredentials"] == before + 2


def test_a_corrupt_or_readable_file_is_ignored_and_replaced(
    sim: Simulator, sso_config: Path, org: Organisation, home: Home
) -> None:
    log_in()
    account = with_roles(org)
    first = _process(account)
    [kept] = _kept_files(home)
    kept.write_text("[" * 100_000)  # nested past the JSON parser's depth: RecursionError
    assert _process(account)["AccessKeyId"] != first["AccessKeyId"]
    kept.write_text("{not json")
    second = _process(account)
    assert second["AccessKeyId"] != first["AccessKeyId"]
    assert json.loads(kept.read_text())["accessKeyId"] == second["AccessKeyId"]
    kept.chmod(0o644)  # someone else could have written or read it: not trusted
    third = _process(account)
    assert third["AccessKeyId"] != second["AccessKeyId"]
    assert stat.S_IMODE(kept.stat().st_mode) == 0o600


def test_never_served_past_expiry_even_when_the_clock_jumps(tmp_path: Path) -> None:
    path = tmp_path / "kept.json"
    creds = made_up_credentials()  # an hour left
    account = creds.account
    margin = timedelta(minutes=15)
    credentials_cache.save(path, creds)
    assert credentials_cache.load(path, account, "Admin", margin=margin) is not None
    now = utcnow()
    # Forward past the margin: not served.
    later = now + timedelta(minutes=46)
    assert credentials_cache.load(path, account, "Admin", margin=margin, now=later) is None
    # Back before they were fetched: the expiry cannot be trusted either.
    earlier = now - timedelta(hours=2)
    assert credentials_cache.load(path, account, "Admin", margin=margin, now=earlier) is None
    # Another role's file is not this role's.
    assert credentials_cache.load(path, account, "ReadOnly", margin=margin) is None


def test_a_file_swapped_in_after_the_check_is_not_read(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # In a cache folder someone else can write to, they replace the kept file with a link to
    # keys of their own (their account) right after ssotui first looks at it: ssotui must read
    # the file it checked, not what the name leads to a moment later.
    path = tmp_path / "kept.json"
    creds = made_up_credentials()
    account = creds.account
    credentials_cache.save(path, creds)
    planted = tmp_path / "planted.json"
    planted.write_text(path.read_text().replace(creds.access_key_id, "ASIAPLANTEDKEYID0001"))
    real_lstat, real_open = Path.lstat, os.open
    swapped: list[bool] = []

    def swap() -> None:
        if not swapped:
            swapped.append(True)
            os.rename(path, tmp_path / "aside.json")
            os.symlink(planted, path)

    def lstat_then_swap(self: Path) -> os.stat_result:
        result = real_lstat(self)
        if self == path:
            swap()
        return result

    def open_then_swap(name: Any, flags: int, *args: Any, **kwargs: Any) -> int:
        fd = real_open(name, flags, *args, **kwargs)
        if Path(name) == path:
            swap()
        return fd

    monkeypatch.setattr(Path, "lstat", lstat_then_swap)
    monkeypatch.setattr(os, "open", open_then_swap)
    kept = credentials_cache.load(path, account, "Admin", margin=timedelta(minutes=15))
    monkeypatch.undo()
    assert swapped and path.is_symlink()
    assert kept is not None and kept.access_key_id == creds.access_key_id
    # Once the link is there, it is never followed.
    assert credentials_cache.load(path, account, "Admin", margin=timedelta(minutes=15)) is None


def test_a_pipe_at_the_path_is_ignored_without_waiting(tmp_path: Path) -> None:
    path = tmp_path / "kept.json"
    os.mkfifo(path, 0o600)
    found: list[object] = []
    reader = threading.Thread(
        target=lambda: found.append(
            credentials_cache.load(
                path, Account("123456789012", "acme"), "Admin", margin=timedelta(minutes=15)
            )
        ),
        daemon=True,
    )
    reader.start()
    reader.join(5)
    assert not reader.is_alive() and found == [None]


def test_a_folder_at_the_path_is_ignored(tmp_path: Path) -> None:
    path = tmp_path / "kept.json"
    path.mkdir(mode=0o700)
    account = Account("123456789012", "acme")
    # was: IsADirectoryError, "ssotui: unexpected error" for every command using the role
    assert credentials_cache.load(path, account, "Admin", margin=timedelta(minutes=15)) is None


def test_processes_asking_at_once_share_one_fetch(
    sim: Simulator, sso_config: Path, org: Organisation
) -> None:
    log_in()
    account = with_roles(org)
    role = usable_role(account)
    ssotui("list")  # the catalog cached, so only the credentials are fetched below
    sim.set(latency=0.2)
    before = sim.calls["GetRoleCredentials"]
    procs = [
        subprocess.Popen(
            [
                sys.executable,
                "-m",
                "tui",
                "credential-process",
                account.account_id,
                role,
            ],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            env=dict(os.environ),
        )
        for _ in range(6)
    ]
    outs = [p.communicate(timeout=60) for p in procs]
    assert all(p.returncode == 0 for p in procs), outs
    assert len({json.loads(out)["AccessKeyId"] for out, _ in outs}) == 1
    assert sim.calls["GetRoleCredentials"] == before + 1


def test_processes_started_together_without_a_catalog_list_the_accounts_once(
    sim: Simulator, sso_config: Path, org: Organisation
) -> None:
    # Terraform starts one credential_process per provider at once; with no (or an old) catalog
    # cache each one listed every account, which a large organisation answers with throttling.
    log_in()
    account = with_roles(org)
    role = usable_role(account)
    sim.set(latency=0.05)
    before = (sim.calls["ListAccounts"], sim.calls["GetRoleCredentials"])
    procs = [
        subprocess.Popen(
            [sys.executable, "-m", "tui", "credential-process", account.account_id, role],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            env=dict(os.environ),
        )
        for _ in range(8)
    ]
    outs = [p.communicate(timeout=60) for p in procs]
    assert all(p.returncode == 0 for p in procs), outs
    assert len({json.loads(out)["AccessKeyId"] for out, _ in outs}) == 1
    assert (sim.calls["ListAccounts"], sim.calls["GetRoleCredentials"]) == (
        before[0] + 1,
        before[1] + 1,
    )


def test_botocore_reads_the_kept_credentials_through_credential_process(
    sim: Simulator, sso_config: Path, org: Organisation, home: Home
) -> None:
    log_in()
    account = with_roles(org)
    role = usable_role(account)
    with sso_config.open("a") as config:
        config.write(
            "[profile kept]\ncredential_process = "
            f"{sys.executable} -m tui credential-process {account.account_id} {role}\n"
        )
    keys = set()
    before = sim.calls["GetRoleCredentials"]
    for _ in range(3):  # as Terraform's providers would, one process each
        creds = botocore.session.Session(profile="kept").get_credentials()
        keys.add(creds.get_frozen_credentials().access_key)
    assert len(keys) == 1
    assert sim.calls["GetRoleCredentials"] == before + 1


def test_refresh_fetches_anew_for_every_command_that_hands_them_on(
    sim: Simulator, sso_config: Path, org: Organisation, home: Home
) -> None:
    """README (`cache_role_credentials`): `--refresh` fetches anew. `export`, `exec` and
    `console` took the refresh for the catalog only and handed on the kept credentials."""
    for command in ("exec", "export", "console", "credential-process", "write-profile"):
        page = " ".join(ssotui(command, "-h").out.split())
        assert "--refresh fetch the catalog and the role's credentials afresh" in page, command
    log_in()
    account = with_roles(org)
    role = usable_role(account)
    kept = _process(account)["AccessKeyId"]

    def export_key(*flags: str) -> str:
        run = ssotui("export", account.account_id, role, "--format", "json", *flags)
        assert run.status == 0, run.err
        key: str = json.loads(run.out)["AccessKeyId"]
        return key

    assert export_key() == kept
    fresh = export_key("--refresh")
    assert fresh != kept
    assert export_key() == fresh  # and what it fetched is kept

    ran = ssotui(
        "exec", account.account_id, role, "--refresh", "--", "printenv", "AWS_ACCESS_KEY_ID"
    )
    assert ran.status == 0, ran.err
    assert ran.out.strip() not in ("", fresh)

    show = (
        "import boto3; print(boto3.Session().get_credentials().get_frozen_credentials().access_key)"
    )
    renewed = ssotui(
        "exec", account.account_id, role, "--renew", "--refresh", "--", sys.executable, "-c", show
    )
    assert renewed.status == 0, renewed.err
    assert renewed.out.strip() not in ("", fresh, ran.out.strip())

    issued = len(sim.portal.issued)
    assert ssotui("console", account.account_id, role, "--print").status == 0
    assert len(sim.portal.issued) == issued  # the kept ones
    assert ssotui("console", account.account_id, role, "--print", "--refresh").status == 0
    assert len(sim.portal.issued) == issued + 1


def test_credentials_fetched_before_a_logout_are_not_used_after_the_next_login(
    sim: Simulator,
    sso_config: Path,
    org: Organisation,
    home: Home,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # A credential_process got the role's credentials just before `ssotui logout` revoked the
    # token, and saves them just after logout deleted the kept ones: the next login (maybe
    # someone else's, on a shared machine) must not be handed them.
    log_in()
    sim_account = with_roles(org)
    workspace = Workspace(
        dev_session(), settings=Settings(), environ=dict(os.environ), paths=here()
    )
    account, role = workspace.find(sim_account.account_id, usable_role(sim_account))
    fetched, logged_out = threading.Event(), threading.Event()
    save = credentials_cache.save

    def save_after_the_logout(*args: Any, **kwargs: Any) -> None:
        fetched.set()
        assert logged_out.wait(30)
        save(*args, **kwargs)

    monkeypatch.setattr(credentials_cache, "save", save_after_the_logout)
    got: list[RoleCredentials] = []
    fetcher = threading.Thread(target=lambda: got.append(workspace.role_credentials(account, role)))
    fetcher.start()
    assert fetched.wait(30)
    # another process, while the fetch is between answer and save
    logout = cli_helpers.ssotui("logout")
    logged_out.set()
    fetcher.join(30)
    assert logout.status == 0, logout.err
    [before] = got
    assert not _kept_files(home)  # was: the credentials, on disk after the logout
    log_in()  # the next login
    assert _process(sim_account)["AccessKeyId"] != before.access_key_id  # was: the old ones
    # what is fetched after the login is kept and reused as before
    assert _process(sim_account)["AccessKeyId"] == _process(sim_account)["AccessKeyId"]
    assert len(_kept_files(home)) == 1


def test_a_catalog_fetched_before_a_logout_is_not_used_after_the_next_login(
    sim: Simulator,
    sso_config: Path,
    org: Organisation,
    home: Home,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # The same race for the catalog: saved after the logout deleted it, it would be the next
    # login's catalog (another person's accounts), used without a portal call while fresh.
    log_in()
    workspace = Workspace(
        dev_session(), settings=Settings(), environ=dict(os.environ), paths=here()
    )
    fetched, logged_out = threading.Event(), threading.Event()
    save = catalog_cache.save

    def save_after_the_logout(*args: Any, **kwargs: Any) -> None:
        fetched.set()
        assert logged_out.wait(30)
        save(*args, **kwargs)

    monkeypatch.setattr(catalog_cache, "save", save_after_the_logout)
    fetcher = threading.Thread(target=workspace.catalog)
    fetcher.start()
    assert fetched.wait(30)
    logout = cli_helpers.ssotui("logout")  # another process, as above
    logged_out.set()
    fetcher.join(30)
    assert logout.status == 0, logout.err
    log_in()
    sim.reset_calls()
    assert cli_helpers.ssotui("list").status == 0
    assert sim.calls["ListAccounts"] >= 1  # was: none, the catalog of before the logout shown
    sim.reset_calls()
    assert cli_helpers.ssotui("list").status == 0
    assert sim.calls["ListAccounts"] == 0  # the one fetched after the login is cached as before


def test_a_cache_folder_that_cannot_be_written_only_stops_the_keeping(
    sim: Simulator, sso_config: Path, tmp_path: Path
) -> None:
    """A read-only home, or a file where ssotui's cache folder goes: its locks cannot be taken,
    yet they only save work, so the credentials are fetched (and the catalog listed) anew."""
    log_in()
    in_the_way = tmp_path / "not-a-folder"
    in_the_way.write_text("")
    account = next(a for a in sim.org.accounts if usable_role(a))
    role = usable_role(account)
    for command in ("credential-process", "export"):
        run = ssotui(command, account.account_id, role, env={"SSOTUI_CACHE_DIR": str(in_the_way)})
        assert run.status == 0, run.err
        assert "AccessKeyId" in run.out or "AWS_ACCESS_KEY_ID" in run.out
    assert sim.calls["GetRoleCredentials"] == 2  # nothing kept, nothing reused
