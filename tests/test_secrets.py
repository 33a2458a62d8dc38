"""Secret hygiene: no token or key reaches a screen, log or file it should not.

Every secret the simulator hands out is recorded; then every command runs with `--debug` and
its stdout/stderr are searched for them (except the export output the user asked for).
"""

from __future__ import annotations

import json
import stat
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.cli_helpers import Run
from tests.cli_here import ssotui_here as ssotui
from tests.conftest import Home
from tui.models import Account, RoleCredentials, SsoSession, Token, utcnow
from tui.sim import Simulator

SECRET_FIELDS = {
    "accessToken",
    "refreshToken",
    "clientSecret",
    "deviceCode",
    "secretAccessKey",
    "sessionToken",
}


def _walk(data: Any) -> Iterator[tuple[str, str]]:
    if isinstance(data, dict):
        for key, value in data.items():
            if isinstance(value, str):
                yield key, value
            else:
                yield from _walk(value)


@pytest.fixture
def secrets_seen(sim: Simulator, monkeypatch: pytest.MonkeyPatch) -> set[str]:
    """Every secret value the simulator sends, as it sends it."""
    seen: set[str] = set()
    original = sim.dispatch

    def recording(method: str, target: str, headers: dict[str, str], body: bytes) -> Any:
        response = original(method, target, headers, body)
        try:
            data = json.loads(response.body or b"{}")
        except ValueError:
            return response
        seen.update(v for k, v in _walk(data) if k in SECRET_FIELDS and len(v) >= 8)
        return response

    monkeypatch.setattr(sim, "dispatch", recording)
    return seen


def _clean(run: Run, secrets: set[str], *, allowed: str = "") -> None:
    text = (run.out.replace(allowed, "") if allowed else run.out) + run.err
    leaked = [s[:6] + "…" for s in secrets if s in text]
    assert not leaked, f"secrets leaked: {leaked}"


def _pick(sim: Simulator) -> tuple[str, str]:
    account = next(a for a in sim.org.accounts if any(not r.forbidden for r in a.roles))
    return account.account_id, next(r.name for r in account.roles if not r.forbidden)


@pytest.mark.usefixtures("quick_aws_cli")  # doctor asks `aws --version` at once
def test_no_command_shows_a_secret_it_was_not_asked_for(
    sim: Simulator, sso_config: Path, home: Home, secrets_seen: set[str]
) -> None:
    account, role = _pick(sim)
    runs = [ssotui("login", "--no-browser", "--debug")]
    assert runs[0].status == 0, runs[0].err
    assert "DEBUG" in runs[0].err  # the debug log really ran
    runs.append(ssotui("list", "--refresh", "--debug"))
    runs.append(ssotui("write-profile", account, role, "--debug"))
    runs.append(ssotui("export", account, role, "--copy", "--debug"))  # no clipboard: fails
    runs.append(ssotui("exec", account, role, "--debug", "--", "true"))
    runs.append(ssotui("doctor", "--debug"))
    for run in runs:
        _clean(run, secrets_seen)
    exported = ssotui("export", account, role, "--debug")
    assert exported.status == 0
    _clean(exported, secrets_seen, allowed=exported.out)
    process = ssotui("credential-process", account, role, "--debug")
    _clean(process, secrets_seen, allowed=process.out)
    # the refresh path (token near expiry) logs nothing secret either
    sim.expire_tokens()
    refreshed = ssotui("list", "--refresh", "--debug")
    _clean(refreshed, secrets_seen)
    logout = ssotui("logout", "--debug")
    assert logout.status == 0
    _clean(logout, secrets_seen)
    assert len(secrets_seen) >= 6


# The child of `exec --renew`: asks the endpoint for the credentials, keeps them and the
# endpoint's token in a file (what it printed would be the user's to see).
_ENDPOINT_CHILD = """
import json, os, sys, urllib.request
request = urllib.request.Request(
    os.environ["AWS_CONTAINER_CREDENTIALS_FULL_URI"],
    headers={"Authorization": os.environ["AWS_CONTAINER_AUTHORIZATION_TOKEN"]},
)
answer = json.load(urllib.request.urlopen(request))
kept = [os.environ["AWS_CONTAINER_AUTHORIZATION_TOKEN"], answer["SecretAccessKey"]]
open(sys.argv[1], "w").write(json.dumps(kept))
"""


def test_renewed_credentials_the_console_and_populate_show_no_secret_in_debug(
    sim: Simulator, sso_config: Path, tmp_path: Path, secrets_seen: set[str]
) -> None:
    account, role = _pick(sim)
    assert ssotui("login", "--no-browser").status == 0
    kept = tmp_path / "child.json"
    child = (sys.executable, "-c", _ENDPOINT_CHILD, str(kept))
    renewed = ssotui("exec", account, role, "--renew", "--debug", "--", *child)
    assert renewed.status == 0, renewed.err
    assert "credential endpoint: GET" in renewed.err  # the debug log really ran
    token, secret_key = json.loads(kept.read_text())
    _clean(renewed, secrets_seen | {token, secret_key})
    console = ssotui("console", account, role, "--print", "--debug")
    assert console.status == 0 and "SigninToken=" in console.out
    signin = console.out.split("SigninToken=")[1].split("&")[0]
    _clean(console, secrets_seen | {signin}, allowed=console.out)  # --print: asked for
    populate = ssotui("populate", "--debug")
    assert populate.status == 0, populate.err
    _clean(populate, secrets_seen)


def test_files_ssotui_keeps_hold_no_role_secret_and_are_private(
    sim: Simulator, sso_config: Path, home: Home, secrets_seen: set[str]
) -> None:
    account, role = _pick(sim)
    assert ssotui("login", "--no-browser").status == 0
    assert ssotui("export", account, role).status == 0
    kept = home.cache_dir / "role-credentials"  # kept role credentials: secret by design
    for folder in (home.cache_dir, home.state_dir):
        for path in folder.rglob("*"):
            if path.is_file() and kept not in path.parents:
                text = path.read_text(errors="replace")
                assert not [s for s in secrets_seen if s in text], path
    created = [p for p in (home.cache_dir.rglob("*")) if p.is_file()]
    created += [p for p in home.sso_cache.rglob("*") if p.is_file()]
    assert created and any(kept in p.parents for p in created)
    assert stat.S_IMODE(kept.stat().st_mode) == 0o700
    for path in created:
        assert stat.S_IMODE(path.stat().st_mode) == 0o600, path
        assert stat.S_IMODE(path.parent.stat().st_mode) == 0o700, path.parent


def test_subshell_environment_carries_no_sso_token(
    sim: Simulator, sso_config: Path, secrets_seen: set[str]
) -> None:
    account, role = _pick(sim)
    assert ssotui("login", "--no-browser").status == 0
    run = ssotui("exec", account, role, "--", "env")
    assert run.status == 0
    tokens = {
        s for s in secrets_seen if not s.startswith("IQoJ") and len(s) != 40
    }  # SSO tokens and client secrets; the role's own keys are expected in its env
    assert tokens
    assert not [t for t in tokens if t in run.out]


def test_reprs_hide_secrets() -> None:
    token = Token(
        start_url="https://x",
        region="us-east-1",
        access_token="ACCESS-SECRET-1",
        expires_at=utcnow(),
        client_id="cid",
        client_secret="CLIENT-SECRET-2",
        refresh_token="REFRESH-SECRET-3",
    )
    creds = RoleCredentials(
        account=Account("123456789012", "a"),
        role_name="r",
        access_key_id="ASIAXXXX",
        secret_access_key="SECRET-KEY-4",
        session_token="SESSION-TOKEN-5",
        expiration=utcnow(),
    )
    session = SsoSession("s", "https://x", "us-east-1")
    shown = repr(token) + repr(creds) + repr(session) + str(creds) + str(token)
    for secret in ("ACCESS-SECRET-1", "CLIENT-SECRET-2", "REFRESH-SECRET-3"):
        assert secret not in shown
    assert "SECRET-KEY-4" not in shown and "SESSION-TOKEN-5" not in shown
