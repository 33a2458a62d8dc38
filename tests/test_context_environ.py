"""A Context decides from its own environment, not from whatever the process's says later:
the portal's route that `ssotui doctor` shows, the terminal a copy goes to, and the folders
ssotui keeps its cache, state and config in."""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path

import pytest

from tests.app_support import usable_role, with_roles
from tests.conftest import Home
from tests.test_clipboard import pty, read_all  # noqa: F401 (pty is a fixture)
from tui.commands.doctor import run_checks
from tui.models import SsoSession, Token
from tui.sim import Organisation, Simulator
from tui.store.settings import Settings
from tui.workspace import Context


def _context(**changes: str) -> Context:
    return Context(settings=Settings(), environ={**os.environ, **changes})


def test_the_portal_route_is_the_contexts(sim: Simulator, sso_config: Path) -> None:
    """The process would call the simulator directly; the Context says botocore, and the
    doctor reports what the Context's environment decides."""
    context = _context(SSOTUI_PORTAL_CLIENT="botocore")
    session = context.session()
    [portal] = [c for c in run_checks(context, session) if c.name == "portal"]
    assert portal.detail == f"through botocore to {sim.url} (SSOTUI_PORTAL_CLIENT=botocore)"
    direct = _context()
    [portal] = [c for c in run_checks(direct, session) if c.name == "portal"]
    assert portal.detail.startswith(f"direct to {sim.url}")


def test_a_copy_goes_to_the_contexts_terminal(
    pty: int,  # noqa: F811
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
) -> None:
    """The Context names the terminal to send OSC 52 to; the process's environment, changed
    after the Context was made, names none that exists."""
    context = _context()  # SSOTUI_TTY: the pseudo-terminal
    monkeypatch.setenv("SSOTUI_TTY", str(tmp_path / "no-such-tty"))
    handoff = context.workspace(SsoSession("dev", "https://d-1.awsapps.com/start", "us-east-1"))
    assert handoff.handoff.copy_login("WDJB-MJHT") == "OSC 52"
    assert b"\x1b]52;c;" in read_all(pty)


def test_ssotuis_folders_are_the_contexts(
    sim: Simulator, token: Token, org: Organisation, home: Home, tmp_path: Path
) -> None:
    """The Context's environment moves ssotui's cache, state and config folders; the catalog,
    the kept role credentials, the favourites, the logout mark and the config the doctor
    names go there, and nothing into the folders the process's environment names."""
    ours = {kind: tmp_path / f"context-{kind}" for kind in ("cache", "state", "config")}
    context = _context(
        SSOTUI_CACHE_DIR=str(ours["cache"]),
        SSOTUI_STATE_DIR=str(ours["state"]),
        SSOTUI_CONFIG_DIR=str(ours["config"]),
    )
    ours["config"].mkdir()
    (ours["config"] / "config.toml").write_text("catalog_lifetime = 60\n", encoding="utf-8")
    workspace = context.workspace(context.session())
    account = with_roles(org)
    found, role = workspace.find(account.account_id, usable_role(account))  # the catalog
    workspace.role_credentials(found, role)
    workspace.update_state(lambda s: s.toggle_favourite_account(account.account_id))
    [settings] = [c for c in run_checks(context) if c.name == "ssotui config"]
    workspace.log_out()

    assert sorted(p.name for p in ours["cache"].iterdir()) == [
        "catalog", "locks", "logouts", "role-credentials",
    ]  # fmt: skip
    assert workspace.load_state().favourite_accounts == {account.account_id}
    assert (ours["state"] / "state.toml").is_file()
    assert settings.detail == str(ours["config"] / "config.toml")
    assert not home.state_dir.exists()
    assert not home.config_dir.exists()
    # (the `token` fixture logged in with the process's paths: its login lock is there)
    for kept in ("catalog", "logouts", "role-credentials"):
        assert not (home.cache_dir / kept).exists()


@pytest.mark.skipif(sys.platform in {"darwin", "win32"}, reason="XDG folders: Linux, the BSDs")
def test_the_default_folders_follow_the_contexts_home_and_xdg(tmp_path: Path) -> None:
    """Without SSOTUI_* variables, ssotui's folders are platformdirs' of the Context's
    environment (its XDG_* variables, else its HOME), and the AWS files those of its HOME."""
    environ = {"HOME": str(tmp_path / "them"), "XDG_STATE_HOME": str(tmp_path / "xdg-state")}
    paths = Context(settings=Settings(), environ=environ).paths
    assert paths.cache_dir == tmp_path / "them" / ".cache" / "ssotui"
    assert paths.config_file == tmp_path / "them" / ".config" / "ssotui" / "config.toml"
    assert paths.state_file == tmp_path / "xdg-state" / "ssotui" / "state.toml"
    assert paths.aws_config_file == tmp_path / "them" / ".aws" / "config"
    assert paths.sso_cache_dir == tmp_path / "them" / ".aws" / "sso" / "cache"


def test_the_token_cache_and_the_aws_files_are_the_contexts(
    sim: Simulator, org: Organisation, home: Home, tmp_path: Path
) -> None:
    """The Context's environment moves the SSO token cache, ssotui's cache folder and the AWS
    config and credentials files away from the process's: the sessions come from its config
    file, a login saves its token (and takes its locks) where it says, `write-profile` writes
    to its credentials file, and nothing lands where the process's environment points."""
    home.write_config(
        f"[sso-session theirs]\nsso_start_url = {sim.start_url}\nsso_region = {sim.region}\n"
    )
    ours = tmp_path / "context"
    ours.mkdir()
    (ours / "config").write_text(
        f"[sso-session ours]\nsso_start_url = {sim.start_url}\nsso_region = {sim.region}\n",
        encoding="utf-8",
    )
    context = _context(
        SSOTUI_SSO_CACHE_DIR=str(ours / "sso-cache"),
        SSOTUI_CACHE_DIR=str(ours / "cache"),
        AWS_CONFIG_FILE=str(ours / "config"),
        AWS_SHARED_CREDENTIALS_FILE=str(ours / "credentials"),
    )
    sim.set(interval=0)
    assert [s.name for s in context.sessions()] == ["ours"]
    workspace = context.workspace(context.session())
    workspace.log_in(no_browser=True, announce=lambda _e: None, sleep=lambda _s: None)
    account = with_roles(org)
    found, role = workspace.find(account.account_id, usable_role(account))
    written = workspace.handoff.write_profile(workspace.role_credentials(found, role), "ours")

    token_file = ours / "sso-cache" / f"{workspace.session.cache_key}.json"
    assert json.loads(token_file.read_text())["startUrl"] == sim.start_url
    assert (ours / "cache" / "login" / f"{workspace.session.cache_key}.lock").is_file()
    assert written.path == ours / "credentials"
    assert "[ours]" in written.path.read_text()
    assert {"locks", "login"} <= {p.name for p in (ours / "cache").iterdir()}
    assert not home.sso_cache.exists()
    assert not home.cache_dir.exists()
    assert not home.aws_credentials.exists()
