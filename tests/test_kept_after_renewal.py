"""Role credentials kept between runs stay in use after ssotui renews the SSO token (Identity
Center, like the simulator, may give a new refresh token at each renewal), and still not after
a logout or another login; a chain file that is corrupt or not ours continues nothing."""

from __future__ import annotations

import contextlib
import json
import os
import subprocess
import sys
import threading
import time
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest

from tests.app_support import dev_session, log_in, with_roles
from tests.cli_here import ssotui_here as ssotui
from tests.conftest import Home, here
from tui.aws import login, token_cache
from tui.errors import SsotuiError
from tui.models import Token, utcnow
from tui.sim import Organisation, SimAccount, Simulator
from tui.store import sign_ins
from tui.store.settings import Settings
from tui.workspace.workspace import Workspace

MINUTES_10 = timedelta(minutes=10)


def _process(account: SimAccount, role: str) -> dict[str, str]:
    run = ssotui("credential-process", account.account_id, role)
    assert run.status == 0, run.err
    assert run.err == ""
    data: dict[str, str] = json.loads(run.out)
    return data


def _roles(account: SimAccount) -> list[str]:
    return [r.name for r in account.roles if not r.forbidden]


def _near_expiry() -> str:
    """Make the cached token expire in 5 minutes (inside the 15 in which ssotui renews it);
    its refresh token, which the renewal spends."""
    path = token_cache.token_path(here(), dev_session())
    data = json.loads(path.read_text())
    data["expiresAt"] = (utcnow() + timedelta(minutes=5)).strftime("%Y-%m-%dT%H:%M:%SZ")
    path.write_text(json.dumps(data))
    refresh: str = data["refreshToken"]
    return refresh


def _refresh_token() -> str:
    value: str = json.loads(token_cache.token_path(here(), dev_session()).read_text())[
        "refreshToken"
    ]
    return value


def test_kept_credentials_are_used_after_ssotui_renews_the_token(
    sim: Simulator, sso_config: Path, org: Organisation, home: Home
) -> None:
    log_in()
    account = with_roles(org, 3)
    first, second, third = _roles(account)[:3]
    kept = _process(account, first)
    for other in (second, third):  # two renewals, each with a new refresh token
        spent = _near_expiry()
        creates = sim.calls["CreateToken"]
        _process(account, other)  # its fetch renews the token first
        assert sim.calls["CreateToken"] == creates + 1
        assert _refresh_token() != spent
    fetches = sim.calls["GetRoleCredentials"]
    assert _process(account, first) == kept  # was: fetched anew after each renewal
    assert _process(account, second)["AccessKeyId"]
    assert sim.calls["GetRoleCredentials"] == fetches
    chain = home.cache_dir / "sign-ins" / dev_session().cache_key
    assert chain.stat().st_mode & 0o777 == 0o600
    assert chain.parent.stat().st_mode & 0o777 == 0o700


def test_not_after_ssotui_logout_and_login(
    sim: Simulator, sso_config: Path, org: Organisation, home: Home
) -> None:
    log_in()
    account = with_roles(org)
    first, second = _roles(account)[:2]
    kept = _process(account, first)
    _near_expiry()
    _process(account, second)  # renewed: the kept ones still in use
    assert _process(account, first) == kept
    assert ssotui("logout").status == 0
    assert not (home.cache_dir / "sign-ins" / dev_session().cache_key).exists()
    log_in()
    assert _process(account, first)["AccessKeyId"] != kept["AccessKeyId"]


def test_another_login_is_not_a_continuation(
    sim: Simulator, sso_config: Path, org: Organisation, home: Home
) -> None:
    # `ssotui login --force` (or `aws sso login`) over a token ssotui renewed: the new sign-in
    # (maybe someone else's) must not get what was kept under the one before.
    log_in()
    account = with_roles(org)
    first, second = _roles(account)[:2]
    kept = _process(account, first)
    _near_expiry()
    _process(account, second)
    assert _process(account, first) == kept
    spent = _refresh_token()
    login.login(here(), dev_session(), force=True, open_browser=False, announce=lambda _a: None)
    assert _refresh_token() != spent
    assert _process(account, first)["AccessKeyId"] != kept["AccessKeyId"]


def test_two_processes_renewing_at_once_keep_the_chain(
    sim: Simulator, sso_config: Path, org: Organisation, home: Home
) -> None:
    log_in()
    account = with_roles(org, 3)
    first, second, third = _roles(account)[:3]
    kept = _process(account, first)
    _near_expiry()
    creates = sim.calls["CreateToken"]
    runs = [
        subprocess.Popen(
            [sys.executable, "-m", "tui", "credential-process", account.account_id, role],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            env=dict(os.environ),
        )
        for role in (second, third)
    ]
    for run in runs:
        assert run.wait(60) == 0
    assert sim.calls["CreateToken"] == creates + 1  # one renewal between them (the lock)
    fetches = sim.calls["GetRoleCredentials"]
    assert _process(account, first) == kept
    assert sim.calls["GetRoleCredentials"] == fetches


def test_a_logout_during_a_renewal_retires_the_chain(
    sim: Simulator,
    sso_config: Path,
    org: Organisation,
    home: Home,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # The renewal holds the token's lock while it notes the chain; `ssotui logout` (another
    # process) waits for it, then deletes the chain with the token: the next login is not a
    # continuation of the sign-in the renewal carried on.
    log_in()
    sim_account = with_roles(org)
    first, second = _roles(sim_account)[:2]
    kept = _process(sim_account, first)
    _near_expiry()
    workspace = Workspace(
        dev_session(), settings=Settings(), environ=dict(os.environ), paths=here()
    )
    account, role = workspace.find(sim_account.account_id, second)
    renewing, go_on = threading.Event(), threading.Event()
    record = sign_ins.record_renewal

    def slow_record(*args: Any, **kwargs: Any) -> None:
        renewing.set()
        assert go_on.wait(30)
        record(*args, **kwargs)

    monkeypatch.setattr(sign_ins, "record_renewal", slow_record)

    def fetch() -> None:
        with contextlib.suppress(SsotuiError):  # the logout may revoke the token it renewed
            workspace.role_credentials(account, role)

    fetcher = threading.Thread(target=fetch)
    fetcher.start()
    assert renewing.wait(30)
    logout = subprocess.Popen(
        [sys.executable, "-m", "tui", "logout"], stderr=subprocess.PIPE, env=dict(os.environ)
    )
    time.sleep(1.0)  # the logout is waiting for the lock the renewal holds
    assert logout.poll() is None
    go_on.set()
    fetcher.join(30)
    assert logout.wait(60) == 0
    assert not sign_ins.chain_path(here(), dev_session()).exists()
    log_in()
    assert _process(sim_account, first)["AccessKeyId"] != kept["AccessKeyId"]


def _chain_after_a_renewal(org: Organisation) -> tuple[SimAccount, str, dict[str, str], Path]:
    log_in()
    account = with_roles(org)
    first, second = _roles(account)[:2]
    kept = _process(account, first)
    _near_expiry()
    _process(account, second)
    chain = sign_ins.chain_path(here(), dev_session())
    assert chain.is_file()
    return account, first, kept, chain


def _other_session_chain(chain: Path) -> str:
    data = json.loads(chain.read_text())
    data["session"] = "0" * len(data["session"])
    return json.dumps(data)


def _readable(chain: Path) -> None:
    chain.chmod(0o644)


def _linked(chain: Path) -> None:
    copy = chain.with_name("elsewhere")
    copy.write_text(chain.read_text())
    copy.chmod(0o600)
    chain.unlink()
    chain.symlink_to(copy)


@pytest.mark.parametrize(
    "spoil",
    [
        lambda chain: chain.write_text("{not json"),
        lambda chain: chain.write_bytes(b"\xff\xfe\x00"),
        lambda chain: chain.write_text('{"session": 1, "signIn": [], "continues": {}}'),
        lambda chain: chain.write_text(
            chain.read_text().replace('"continuedAt": "', '"continuedAt": "x')
        ),
        lambda chain: chain.write_text(_other_session_chain(chain)),
        _readable,
        _linked,
    ],
    ids=["not-json", "not-utf8", "wrong-types", "bad-time", "other-session", "readable", "link"],
)
def test_a_corrupt_or_foreign_chain_is_ignored(
    spoil: object, sim: Simulator, sso_config: Path, org: Organisation, home: Home
) -> None:
    account, first, kept, chain = _chain_after_a_renewal(org)
    assert callable(spoil)
    spoil(chain)
    fetches = sim.calls["GetRoleCredentials"]
    assert _process(account, first)["AccessKeyId"] != kept["AccessKeyId"]  # not trusted
    assert sim.calls["GetRoleCredentials"] == fetches + 1
    # and the next renewal writes a good one again
    kept = _process(account, first)
    _near_expiry()
    _process(account, _roles(account)[1])
    assert _process(account, first) == kept


def test_a_folder_in_place_of_the_chain_costs_a_fetch_not_a_failure(
    sim: Simulator, sso_config: Path, org: Organisation, home: Home
) -> None:
    account, first, kept, chain = _chain_after_a_renewal(org)
    chain.unlink()
    chain.mkdir()
    _near_expiry()
    _process(account, _roles(account)[1])  # a renewal that cannot note itself
    assert _process(account, first)["AccessKeyId"] != kept["AccessKeyId"]


def _token(refresh: str) -> Token:
    return Token(
        "https://example.awsapps.com/start",
        "us-east-1",
        access_token="a-" + refresh,
        expires_at=utcnow() + timedelta(hours=1),
        refresh_token=refresh,
    )


def test_the_chain_stays_short(sso_config: Path, home: Home) -> None:
    session = dev_session()
    start = utcnow()
    tokens = [_token(f"r{n}") for n in range(40)]
    for n in range(39):  # a renewal every 10 minutes for six and a half hours
        sign_ins.record_renewal(
            here(), session, tokens[n], tokens[n + 1], now=start + n * MINUTES_10
        )
    latest = sign_ins.sign_in(tokens[39])
    now = start + 39 * MINUTES_10
    continued = sign_ins.continued_by(here(), session, latest, now=now)
    assert continued == {sign_ins.sign_in(t) for t in tokens[39 - 24 : 39]}
    # 12 hours after a link was made, what was kept under it has expired: so has the link
    later = start + 38 * MINUTES_10 + sign_ins.KEPT_FOR
    assert sign_ins.continued_by(here(), session, latest, now=later) == set()
    # a renewal that does not continue the latest sign-in (the AWS CLI renewed in between, or
    # a login came) starts the chain again
    sign_ins.record_renewal(here(), session, _token("cli"), _token("next"), now=now)
    assert sign_ins.continued_by(here(), session, sign_ins.sign_in(_token("next")), now=now) == {
        sign_ins.sign_in(_token("cli"))
    }
    assert sign_ins.continued_by(here(), session, latest, now=now) == set()
