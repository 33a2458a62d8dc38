"""Self-renewing credentials from both doors: `ssotui exec --renew` and the picker's `s` with
`renew_credentials = true`."""

from __future__ import annotations

import errno
import json
import os
import shlex
import sys
import threading
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any

import pytest

from tests.app_support import (
    SIZE,
    async_test,
    catalog_loaded,
    dev_session,
    log_in,
    notes,
    open_action_menu,
    picker,
    screen_text,
    usable_role,
    wait_until,
    with_roles,
)
from tests.cli_helpers import ssotui
from tests.conftest import Home, here
from tui.app.app import SsotuiApp
from tui.errors import SsotuiError
from tui.serve import CredentialEndpoint
from tui.serve.endpoint import _Server
from tui.sim import Organisation, Simulator
from tui.store.settings import load_settings

# What the child does: botocore's own credential chain, then what the endpoint said.
_CHILD = """
import json, os, sys
import botocore.session
creds = botocore.session.Session().get_credentials().get_frozen_credentials()
json.dump({"key": creds.access_key, "env": dict(os.environ)}, open(sys.argv[1], "w"))
sys.exit(7)
"""


def _renewing_picker(
    home: Home,
    tmp_path: Path,
    monkeypatch: Any,
    shell: str,
    settings: str = "renew_credentials = true\n",
    **picker_options: Any,
) -> SsotuiApp:
    """Logged in, `settings` in config.toml, $SHELL a /bin/sh script of `shell`: the picker."""
    home.config_dir.mkdir(parents=True, exist_ok=True)
    (home.config_dir / "config.toml").write_text(settings)
    fake_shell = tmp_path / "fake-shell"
    fake_shell.write_text(f"#!/bin/sh\n{shell}")
    fake_shell.chmod(0o755)
    monkeypatch.setenv("SHELL", str(fake_shell))
    log_in()
    return picker(settings=load_settings(here().config_file), **picker_options)


async def _s_on(pilot: Any, app: SsotuiApp, org: Organisation, account: Any, role: str) -> None:
    """`s` on `role` of `account`, once the catalog is in."""
    await wait_until(pilot, catalog_loaded(app, org), "the catalog")
    await open_action_menu(pilot, app, org, account, role)
    await pilot.press("s")


def _back(app: SsotuiApp) -> bool:
    """The picker said the subshell ended."""
    return any("Back from" in n for n in notes(app))


def test_exec_renew_serves_the_child_and_closes_after_it(
    sim: Simulator, sso_config: Path, org: Organisation, tmp_path: Path
) -> None:
    log_in()
    account = with_roles(org)
    out = tmp_path / "child.json"
    before = sim.calls["GetRoleCredentials"]
    run = ssotui(
        "exec", "--renew", account.account_id, usable_role(account), "--",
        sys.executable, "-c", _CHILD, str(out),
    )  # fmt: skip
    assert run.status == 7, run.err  # the child's own status
    seen = json.loads(out.read_text())
    env = seen["env"]
    assert seen["key"].startswith("ASIA")
    assert "AWS_ACCESS_KEY_ID" not in env and "AWS_SESSION_TOKEN" not in env
    assert env["SSOTUI_ACCOUNT_ID"] == account.account_id
    assert len(env["AWS_CONTAINER_AUTHORIZATION_TOKEN"]) >= 32
    assert sim.calls["GetRoleCredentials"] > before
    # The endpoint went with ssotui.
    with pytest.raises(urllib.error.URLError):
        urllib.request.urlopen(env["AWS_CONTAINER_CREDENTIALS_FULL_URI"], timeout=2)


def test_exec_renew_tells_the_childs_sdk_to_log_in_to_the_session_typed(
    sim: Simulator, sso_config: Path, org: Organisation, home: Home, tmp_path: Path
) -> None:
    """With two sessions and no default, `ssotui login` alone logs in to neither: the SDK's
    error (botocore quotes the endpoint's message) names the `--session` the user typed."""
    with sso_config.open("a") as config:
        config.write(f"[sso-session other]\nsso_start_url = {sim.start_url}/other\n"
                     f"sso_region = {sim.region}\n")  # fmt: skip
    log_in()
    account = with_roles(org)
    sim.set(credential_lifetime=50)  # within the minute in which the endpoint must fetch anew
    logout = shlex.join([sys.executable, "-m", "tui", "logout", "--session", "dev"])
    child = shlex.join([sys.executable, "-c", _CHILD, str(tmp_path / "child.json")])
    run = ssotui(
        "exec", "--renew", account.account_id, usable_role(account), "--session", "dev", "--",
        "sh", "-c", f"{logout} 2>/dev/null; exec {child}",
    )  # fmt: skip
    assert run.status == 1
    assert "Received non 200 response 424 from container metadata" in run.err
    sdk_error = next(line for line in run.err.splitlines() if "Received non 200" in line)
    assert "not logged in to session dev: run `ssotui login --session dev`" in sdk_error


def test_exec_renew_without_a_login_fails_before_the_child(
    sim: Simulator, sso_config: Path, org: Organisation, tmp_path: Path
) -> None:
    account = with_roles(org)
    out = tmp_path / "child.json"
    run = ssotui(
        "exec", "--renew", account.account_id, usable_role(account), "--",
        sys.executable, "-c", _CHILD, str(out),
    )  # fmt: skip
    assert run.status == 1 and "ssotui login" in run.err
    assert not out.exists()


def test_exec_renew_follows_the_nesting_rule(
    sim: Simulator, sso_config: Path, org: Organisation, monkeypatch: pytest.MonkeyPatch
) -> None:
    log_in()
    account = with_roles(org)
    monkeypatch.setenv("SSOTUI_SUBSHELL", "1")
    monkeypatch.setenv("SSOTUI_ACCOUNT_ID", "999999999999")
    run = ssotui("exec", "--renew", account.account_id, usable_role(account))
    assert run.status == 1 and "already in an ssotui subshell" in run.err


@async_test
async def test_s_with_renew_credentials_gives_the_endpoint(
    sim: Simulator,
    sso_config: Path,
    org: Organisation,
    home: Home,
    tmp_path: Path,
    monkeypatch: Any,
) -> None:
    out = tmp_path / "child.json"
    child = f'exec "{sys.executable}" -c \'{_CHILD}\' "{out}"\n'
    app = _renewing_picker(home, tmp_path, monkeypatch, child)
    account = with_roles(org)
    role = usable_role(account)
    async with app.run_test(size=SIZE) as pilot:
        await wait_until(pilot, catalog_loaded(app, org), "the catalog")
        await open_action_menu(pilot, app, org, account, role)
        menu = " ".join(str(line.content) for line in app.screen.query(".action-line"))
        assert "whose credentials renew" in menu
        # The whole line is drawn, not cut at the box's edge (72 cells, as at 80x24).
        assert "whose credentials renew (exit it to come back)" in screen_text(app)
        await pilot.press("s")
        await wait_until(pilot, lambda: _back(app), "the return")
        assert notes(app)[-1].endswith(
            "(exit status 7); its credentials renewed themselves while it ran."
        )
    seen = json.loads(out.read_text())
    assert seen["key"].startswith("ASIA")
    assert "AWS_SECRET_ACCESS_KEY" not in seen["env"]
    assert "AWS_CONTAINER_CREDENTIALS_FULL_URI" in seen["env"]


@async_test
async def test_s_with_renew_credentials_says_why_the_subshells_last_request_was_refused(
    sim: Simulator,
    sso_config: Path,
    org: Organisation,
    home: Home,
    tmp_path: Path,
    monkeypatch: Any,
) -> None:
    """Some SDKs (the JavaScript SDK v3) show only a status when the endpoint refuses them:
    the notice back in the picker says why, not that the credentials renewed themselves."""
    out = tmp_path / "child.json"
    child = (
        f'"{sys.executable}" -m tui logout --session dev 2>/dev/null\n'
        f'exec "{sys.executable}" -c \'{_CHILD}\' "{out}"\n'
    )
    app = _renewing_picker(home, tmp_path, monkeypatch, child)
    sim.set(credential_lifetime=50)  # within the minute in which the endpoint must fetch anew
    account = with_roles(org)
    async with app.run_test(size=SIZE) as pilot:
        await _s_on(pilot, app, org, account, usable_role(account))
        await wait_until(pilot, lambda: _back(app), "the return")
        back = notes(app)[-1]
    assert "(exit status 1); its credentials were refused at " in back, back
    assert back.endswith(": not logged in to session dev: press ctrl+l to log in."), back
    assert not out.exists()  # botocore raised: the endpoint gave it nothing


def _refuse_to_listen(monkeypatch: Any) -> None:
    """No port can be opened on 127.0.0.1 (every address in use, or a sandbox forbids it)."""

    def refused(_server: object) -> None:
        raise OSError(errno.EADDRNOTAVAIL, "Cannot assign requested address")

    monkeypatch.setattr(_Server, "server_bind", refused)


@async_test
async def test_s_says_in_one_line_when_the_endpoint_cannot_listen_and_the_picker_stays(
    sim: Simulator,
    sso_config: Path,
    org: Organisation,
    home: Home,
    tmp_path: Path,
    monkeypatch: Any,
) -> None:
    ran = tmp_path / "ran"
    app = _renewing_picker(home, tmp_path, monkeypatch, f'touch "{ran}"\n')
    _refuse_to_listen(monkeypatch)
    account = with_roles(org)
    async with app.run_test(size=SIZE) as pilot:
        await _s_on(pilot, app, org, account, usable_role(account))
        await wait_until(pilot, lambda: notes(app), "what happened")
        (said,) = notes(app)
        assert said == (
            "self-renewing credentials need a port on 127.0.0.1, and none could be opened "
            "(Cannot assign requested address): try again, or use credentials that do not "
            "renew themselves"
        )
        assert app.is_running and type(app.screen).__name__ == "MainScreen"
    assert not ran.exists()  # no subshell without its credentials


def test_an_endpoint_that_cannot_listen_is_one_line(monkeypatch: Any) -> None:
    _refuse_to_listen(monkeypatch)
    endpoint = CredentialEndpoint(lambda: pytest.fail("no credentials are fetched"))
    with pytest.raises(SsotuiError) as failure, endpoint:
        pass
    assert "Cannot assign requested address" in failure.value.message
    assert "\n" not in failure.value.message


@pytest.mark.parametrize(
    ("file", "default"),
    [
        ("credentials", "[default]\naws_access_key_id = AKIADEFAULT\naws_secret_access_key = s\n"),
        ("config", "[default]\nsso_session = dev\nsso_account_id = 111111111111\n"
         "sso_role_name = Other\n"),
        ("config", "[profile default]\ncredential_process = /bin/false\n"),
        # `aws login` (AWS CLI 2.32 on) writes the default profile's login_session
        ("config", "[default]\nlogin_session = arn:aws:iam::111111111111:user/someone\n"),
    ],
)  # fmt: skip
def test_exec_renew_refuses_a_default_profile_the_childs_sdk_would_take_first(
    sim: Simulator,
    sso_config: Path,
    org: Organisation,
    home: Home,
    tmp_path: Path,
    file: str,
    default: str,
) -> None:
    # botocore asks the default profile before the container endpoint: the child would run as
    # whoever that profile is, not as the role asked for.
    log_in()
    account = with_roles(org)
    target = home.aws_credentials if file == "credentials" else home.aws_config
    with target.open("a") as handle:
        handle.write(default)
    out = tmp_path / "child.json"
    run = ssotui(
        "exec", "--renew", account.account_id, usable_role(account), "--",
        sys.executable, "-c", _CHILD, str(out),
    )  # fmt: skip
    assert run.status == 1, run.err
    assert f"[default] profile in {target}" in run.err and "without --renew" in run.err
    assert len(run.err.strip().splitlines()) == 1
    assert not out.exists()


def test_exec_renew_serves_the_child_beside_a_default_profile_without_credentials(
    sim: Simulator, sso_config: Path, org: Organisation, home: Home, tmp_path: Path
) -> None:
    log_in()
    account = with_roles(org)
    home.aws_credentials.write_text("[default]\nregion = eu-west-1\n")
    with sso_config.open("a") as config:
        config.write("[default]\nregion = eu-west-1\noutput = json\n")
    out = tmp_path / "child.json"
    run = ssotui(
        "exec", "--renew", account.account_id, usable_role(account), "--",
        sys.executable, "-c", _CHILD, str(out),
    )  # fmt: skip
    assert run.status == 7, run.err
    assert json.loads(out.read_text())["key"].startswith("ASIA")


# What the subshell's SDK is told when the endpoint refuses it: botocore's error, as the user
# in the subshell reads it.
_REFUSED_CHILD = """
import sys
import botocore.session
try:
    botocore.session.Session().get_credentials().get_frozen_credentials()
except Exception as exc:
    open(sys.argv[1], "w").write(str(exc))
"""


@async_test
async def test_s_with_renew_credentials_tells_the_subshells_sdk_the_command_for_its_session(
    sim: Simulator,
    sso_config: Path,
    org: Organisation,
    home: Home,
    tmp_path: Path,
    monkeypatch: Any,
) -> None:
    """The subshell is at a shell prompt: its SDK's error says the command to run there, and
    that command logs in to the subshell's own session. With two sessions and no default,
    `ssotui login` alone logs in to neither (and the subshell has no AWS_PROFILE to choose
    one); the picker's "press ctrl+l" is no key in a shell."""
    with sso_config.open("a") as config:
        config.write(f"[sso-session other]\nsso_start_url = {sim.start_url}/other\n"
                     f"sso_region = {sim.region}\n")  # fmt: skip
    out = tmp_path / "sdk-error.txt"
    child = (
        f'"{sys.executable}" -m tui logout --session dev 2>/dev/null\n'
        f'exec "{sys.executable}" -c \'{_REFUSED_CHILD}\' "{out}"\n'
    )
    app = _renewing_picker(home, tmp_path, monkeypatch, child, session=dev_session())
    sim.set(credential_lifetime=50)  # within the minute in which the endpoint must fetch anew
    account = with_roles(org)
    async with app.run_test(size=SIZE) as pilot:
        await _s_on(pilot, app, org, account, usable_role(account))
        await wait_until(pilot, lambda: _back(app), "the return")
    sdk_error = out.read_text()
    assert "not logged in to session dev: run `ssotui login --session dev`" in sdk_error, sdk_error
    assert "ctrl+l" not in sdk_error


def test_exec_renew_tells_the_childs_sdk_the_session_that_aws_profile_chose(
    sim: Simulator,
    sso_config: Path,
    org: Organisation,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """With two sessions, AWS_PROFILE chose the session, and the child has no AWS_PROFILE
    (tui/export/env.py): the `ssotui login` its SDK was told to run there logs in to neither."""
    with sso_config.open("a") as config:
        config.write(f"[sso-session other]\nsso_start_url = {sim.start_url}/other\n"
                     f"sso_region = {sim.region}\n"
                     "[profile work]\nsso_session = dev\n")  # fmt: skip
    monkeypatch.setenv("AWS_PROFILE", "work")
    log_in()
    account = with_roles(org)
    sim.set(credential_lifetime=50)  # within the minute in which the endpoint must fetch anew
    out = tmp_path / "sdk-error.txt"
    logout = shlex.join([sys.executable, "-m", "tui", "logout", "--session", "dev"])
    child = shlex.join([sys.executable, "-c", _REFUSED_CHILD, str(out)])
    run = ssotui(
        "exec", "--renew", account.account_id, usable_role(account), "--",
        "sh", "-c", f"{logout} 2>/dev/null; exec {child}",
    )  # fmt: skip
    sdk_error = out.read_text()
    assert "not logged in to session dev: run `ssotui login --session dev`" in sdk_error, sdk_error
    # ssotui's own line is said back in the shell that has AWS_PROFILE: `ssotui login` works
    assert "refused credentials" in run.err and "run `ssotui login`" in run.err, run.err


@async_test
async def test_s_refused_for_a_default_profile_says_what_to_do_in_the_picker(
    sim: Simulator,
    sso_config: Path,
    org: Organisation,
    home: Home,
    tmp_path: Path,
    monkeypatch: Any,
) -> None:
    """A [default] profile that SDKs take before the endpoint refuses the renewing subshell;
    the picker said "use static keys (exec without --renew)", a flag of another command.
    Here the static keys are `renew_credentials = false` in config.toml."""
    home.aws_credentials.write_text(
        "[default]\naws_access_key_id = AKIADEFAULT\naws_secret_access_key = s\n"
    )
    ran = tmp_path / "ran"
    app = _renewing_picker(home, tmp_path, monkeypatch, f'touch "{ran}"\n')
    account = with_roles(org)
    async with app.run_test(size=SIZE) as pilot:
        await _s_on(pilot, app, org, account, usable_role(account))
        await wait_until(pilot, lambda: notes(app), "what happened")
        (said,) = notes(app)
    assert f"[default] profile in {home.aws_credentials}" in said, said
    assert "--renew" not in said and "exec" not in said, said
    assert said.endswith(
        "or use static keys (renew_credentials = false in ssotui's config.toml)"
    ), said
    assert not ran.exists()


@async_test
async def test_s_with_renew_credentials_serves_the_credentials_it_fetched_at_once(
    sim: Simulator,
    sso_config: Path,
    org: Organisation,
    home: Home,
    tmp_path: Path,
    monkeypatch: Any,
) -> None:
    """With `cache_role_credentials = false`, the renewing subshell's first AWS call made the
    endpoint fetch the credentials the picker had just fetched, a second portal call the SDK
    waited for (the JavaScript SDK gives up after 1 s; a throttled portal takes longer), where
    `exec --renew` serves its first ones at once. The subshell now starts with them."""
    out = tmp_path / "child.json"
    child = f'exec "{sys.executable}" -c \'{_CHILD}\' "{out}"\n'
    settings = "renew_credentials = true\ncache_role_credentials = false\n"
    app = _renewing_picker(home, tmp_path, monkeypatch, child, settings)
    account = with_roles(org)
    async with app.run_test(size=SIZE) as pilot:
        await wait_until(pilot, catalog_loaded(app, org), "the catalog")
        before = sim.calls["GetRoleCredentials"]
        await _s_on(pilot, app, org, account, usable_role(account))
        await wait_until(pilot, lambda: _back(app), "the return")
    assert json.loads(out.read_text())["key"].startswith("ASIA")
    assert sim.calls["GetRoleCredentials"] == before + 1  # the picker's own fetch, no other


# Files opened on the main thread (the picker's event loop, under Pilot) while watched; an
# audit hook stays for the process's life, so one is added once and does nothing unwatched.
_OPENED_ON_THE_UI_THREAD: list[str] | None = None


def _watch_opens(event: str, args: tuple[Any, ...]) -> None:
    if event != "open" or _OPENED_ON_THE_UI_THREAD is None or not args:
        return
    named = isinstance(args[0], (str, bytes, os.PathLike))  # (not a descriptor: os.fdopen)
    if named and threading.current_thread() is threading.main_thread():
        _OPENED_ON_THE_UI_THREAD.append(os.fsdecode(args[0]))


_HOOKED: list[bool] = []


@async_test
async def test_s_with_renew_credentials_reads_no_aws_file_on_the_ui_thread(
    sim: Simulator,
    sso_config: Path,
    org: Organisation,
    home: Home,
    tmp_path: Path,
    monkeypatch: Any,
) -> None:
    """What the renewing subshell's SDK is told (the AWS config read for the session a bare
    `ssotui login` reaches) and whether a [default] profile shadows it (both AWS files) were
    read on the event loop: a config on a slow disk or a network home froze the picker."""
    global _OPENED_ON_THE_UI_THREAD
    if not _HOOKED:
        sys.addaudithook(_watch_opens)
        _HOOKED.append(True)
    app = _renewing_picker(home, tmp_path, monkeypatch, "exit 3\n")
    account = with_roles(org)
    role = usable_role(account)
    aws_files = {str(here().aws_config_file), str(here().aws_credentials_file)}
    async with app.run_test(size=SIZE) as pilot:
        await wait_until(pilot, catalog_loaded(app, org), "the catalog")
        await open_action_menu(pilot, app, org, account, role)
        _OPENED_ON_THE_UI_THREAD = []
        try:
            await pilot.press("s")
            await wait_until(pilot, lambda: _back(app), "the return")
            opened = set(_OPENED_ON_THE_UI_THREAD)
        finally:
            _OPENED_ON_THE_UI_THREAD = None
        assert "(exit status 3)" in notes(app)[-1]
    assert not opened & aws_files, opened & aws_files
