"""The fault matrix: the real `ssotui` command against a misbehaving simulator.

Every case ends in one of two ways: the complete, correct result (compared with the simulator's
organisation), or exit 1 with one clear `ssotui:` line on stderr. Never a traceback, never a
secret, and never a partial catalog cached as if it were complete: the cache file is checked,
and so is that the next `ssotui list` retries what failed.
"""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from dataclasses import replace
from datetime import timedelta
from typing import Any

import pytest

from tests.cli_helpers import Run
from tests.cli_here import ssotui_here as ssotui
from tests.conftest import Home, here
from tests.finishing import PATIENCE
from tui.aws.login import login
from tui.aws.portal import NETWORK_RETRIES, SERVER_ERROR_RETRIES
from tui.aws.token_cache import save_token, token_path
from tui.aws.transport import Unreachable, failure_line
from tui.models import SsoSession, Token, utcnow
from tui.sim import Organisation, Simulator

# The retries after a 5xx are the point here, not how long each waits (conftest).
pytestmark = pytest.mark.usefixtures("quick_retries")

PORTAL_CALLS = ("ListAccounts", "ListAccountRoles", "GetRoleCredentials", "Logout")

# the portal misbehaves (401, 429, 5xx, unreadable, unreachable, slow): once with each client
both_clients = pytest.mark.usefixtures("portal_client_kind")


@pytest.fixture
def org(request: pytest.FixtureRequest) -> Organisation:
    """12 accounts (as everywhere), or `(accounts, roles_per_account)` given indirectly."""
    accounts, roles = getattr(request, "param", (12, (1, 4)))
    return Organisation.generate(accounts=accounts, seed=7, roles_per_account=roles)


# --- checks ----------------------------------------------------------------------------------


def expected_rows(org: Organisation) -> list[dict[str, str]]:
    """`ssotui list --json` for the whole organisation."""
    pairs = sorted(
        ((a, r.name) for a in org.accounts for r in a.roles),
        key=lambda p: (p[0].name.casefold(), p[0].account_id, p[1].casefold()),
    )
    return [
        {"accountId": a.account_id, "accountName": a.name, "emailAddress": a.email, "roleName": r}
        for a, r in pairs
    ]


def secrets_of(home: Home) -> set[str]:
    """Every token and client secret in the SSO cache folder."""
    found: set[str] = set()
    for path in home.sso_cache.glob("*.json"):
        data = json.loads(path.read_text())
        found |= {
            str(data[k]) for k in ("accessToken", "refreshToken", "clientSecret") if k in data
        }
    return found


def assert_clean(run: Run, home: Home, seen: frozenset[str] | set[str] = frozenset()) -> None:
    assert "Traceback" not in run.err + run.out
    for secret in secrets_of(home) | seen:
        assert secret not in run.err + run.out, "a secret was printed"


def assert_one_line(run: Run, home: Home, fragment: str, *, announced: bool = False) -> str:
    """Exit 1 and one `ssotui:` line (after the login announcement, for `login`)."""
    assert run.status == 1, (run.status, run.out, run.err)
    assert_clean(run, home)
    lines = run.err.splitlines()
    errors = [line for line in lines if line.startswith("ssotui:")]
    assert len(errors) == 1, run.err
    assert lines[-1] == errors[0], run.err
    if not announced:
        assert lines == errors, run.err
    assert fragment in errors[0], errors[0]
    return errors[0]


def catalog_cache(home: Home) -> dict[str, Any] | None:
    """The cached catalog of the one session, or None."""
    files = list((home.cache_dir / "catalog").glob("*.json"))
    assert len(files) <= 1
    return json.loads(files[0].read_text()) if files else None


def assert_cached_complete(home: Home, org: Organisation) -> None:
    cache = catalog_cache(home)
    assert cache is not None
    assert cache["complete"] is True
    assert cache["failed"] == {}
    assert len(cache["accountIds"]) == len(org.accounts)


def list_json(home: Home, org: Organisation, **env: str) -> Run:
    """`ssotui list --json`, which must give the whole organisation."""
    run = ssotui("list", "--json", env=env)
    assert run.status == 0, run.err
    assert_clean(run, home)
    assert run.err == ""
    assert json.loads(run.out) == expected_rows(org)
    return run


def portal_calls(sim: Simulator) -> int:
    return sum(sim.calls[op] for op in PORTAL_CALLS)


def when(sim: Simulator, op: str, count: int, action: Callable[[], object]) -> threading.Thread:
    """Run `action` from a thread as soon as the simulator has seen `count` calls of `op`."""

    def watch() -> None:
        deadline = time.monotonic() + 30
        while sim.calls[op] < count and time.monotonic() < deadline:
            time.sleep(0.002)
        action()

    thread = threading.Thread(target=watch, daemon=True)
    thread.start()
    return thread


def closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


# --- the service misbehaves, the listing still completes --------------------------------------


@both_clients
@pytest.mark.parametrize(
    "knobs",
    [
        pytest.param({"fail_every": 3}, id="500-every-3rd-call"),
        pytest.param({"fail_every": 2, "fail_status": 503}, id="503-every-2nd-call"),
        pytest.param({"rate_limit": 4}, id="429-storm"),
        pytest.param({"rate_limit": 10, "fail_every": 4, "fail_status": 502}, id="429-and-502"),
    ],
)
def test_listing_completes_through_server_errors_and_throttling(
    knobs: dict[str, Any], sim: Simulator, token: Token, home: Home, org: Organisation
) -> None:
    sim.set(**knobs)
    run = ssotui("list", "--json")
    # the faults happened: more calls than the 1 ListAccounts + 12 ListAccountRoles needed
    assert portal_calls(sim) > 1 + len(org.accounts)
    if run.status == 0:
        assert_clean(run, home)
        assert (json.loads(run.out), run.err) == (expected_rows(org), "")
        assert_cached_complete(home, org)
        return
    # An account whose every retry met a fault (possible when every 2nd call fails: the calls
    # of 12 accounts interleave): named in one line, cached as failed, retried by the next run.
    assert_one_line(run, home, "could not be listed")
    cache = catalog_cache(home)
    assert cache is not None
    assert cache["complete"] is False
    assert set(cache["failed"]) < {a.account_id for a in org.accounts}
    known = [row for row in expected_rows(org) if row["accountId"] not in cache["failed"]]
    assert json.loads(run.out) == known
    sim.set(fail_every=None, rate_limit=None)
    list_json(home, org)
    assert_cached_complete(home, org)


@both_clients
def test_a_token_expired_at_the_service_mid_listing_is_refreshed(
    sim: Simulator, token: Token, home: Home, org: Organisation
) -> None:
    # The service ends the access token early (its clock, an admin): a 401 means "refresh".
    sim.set(latency=0.2)
    before = sim.calls["CreateToken"]
    when(sim, "ListAccountRoles", 3, sim.expire_tokens)
    list_json(home, org)
    assert_cached_complete(home, org)
    assert sim.calls["CreateToken"] == before + 1  # one refresh, then the listing again


@pytest.mark.parametrize("org", [pytest.param((0, (1, 1)), id="0-accounts")], indirect=True)
def test_an_empty_organisation_lists_nothing(
    sim: Simulator, token: Token, home: Home, org: Organisation
) -> None:
    text = ssotui("list")
    assert (text.status, text.out, text.err) == (0, "", "")
    list_json(home, org)
    assert json.loads(ssotui("list", "--json").out) == []
    assert_cached_complete(home, org)


@pytest.mark.parametrize("org", [pytest.param((5000, (1, 2)), id="5000-accounts")], indirect=True)
def test_five_thousand_accounts_list_completely(
    sim: Simulator, token: Token, home: Home, org: Organisation
) -> None:
    run = list_json(home, org)
    assert len(json.loads(run.out)) == sum(len(a.roles) for a in org.accounts)
    assert_cached_complete(home, org)
    assert sim.calls["ListAccountRoles"] == 5000


# --- the service fails for good: one line, exit 1, nothing cached ----------------------------


@both_clients
@pytest.mark.parametrize(
    ("knobs", "env", "fragment", "asked"),
    [
        pytest.param(
            {"fail_every": 1},
            {},
            "failed ListAccounts with HTTP 500 after retries",
            1 + SERVER_ERROR_RETRIES,
            id="500-on-every-call",
        ),
        pytest.param(
            {"malformed": {"ListAccounts"}},
            {},
            "sent a response ssotui cannot read: try again later",
            1,
            id="malformed-ListAccounts",
        ),
        pytest.param(
            {"latency": 2.0},
            {"SSOTUI_READ_TIMEOUT": "0.3"},
            "did not answer in time (session dev): try again later",
            1 + NETWORK_RETRIES,
            id="slower-than-the-read-timeout",
        ),
    ],
)
def test_listing_that_cannot_succeed_is_one_line_and_caches_nothing(
    knobs: dict[str, Any],
    env: dict[str, str],
    fragment: str,
    asked: int,
    sim: Simulator,
    token: Token,
    home: Home,
    org: Organisation,
) -> None:
    sim.set(**knobs)
    # It gives up (a hang fails at the timeout) after its few retries, not an endless loop.
    assert_one_line(ssotui("list", "--json", env=env, timeout=PATIENCE), home, fragment)
    assert sim.calls["ListAccounts"] == asked
    assert catalog_cache(home) is None
    sim.set(fail_every=None, malformed=set(), latency=0)
    list_json(home, org)  # the next run fetches it all
    assert_cached_complete(home, org)


@both_clients
@pytest.mark.parametrize("command", ["list", "login"])
def test_connection_refused_gives_up_fast_with_one_line(
    command: str, session: SsoSession, home: Home
) -> None:
    if command == "list":
        login(here(), session, open_browser=False, announce=lambda _a: None, sleep=lambda _s: None)
    url = f"http://127.0.0.1:{closed_port()}"
    env = {"AWS_ENDPOINT_URL_SSO": url, "AWS_ENDPOINT_URL_SSO_OIDC": url}
    # Fast: a refused connection is not waited on (a command still running after 10 s fails).
    args = ["--no-browser", "--force"] if command == "login" else []
    run = ssotui(command, *args, env=env, timeout=10)
    line = assert_one_line(run, home, f"cannot reach Identity Center at {url}")
    # the address is the variable's, not one sso_region makes: the advice names where it is set
    assert "check your network, proxy and the address you set for it (AWS_ENDPOINT_URL_SSO" in line
    assert "sso_region" not in line
    assert catalog_cache(home) is None


@pytest.mark.parametrize(
    ("endpoint", "advice"),
    [
        ("https://portal.sso.eu-west-1.amazonaws.com", "the session's sso_region"),
        ("https://oidc.cn-north-1.amazonaws.com.cn", "the session's sso_region"),
        ("https://sso.corp.example", "the address you set for it (AWS_ENDPOINT_URL_SSO"),
    ],
)
def test_an_unreachable_address_is_blamed_on_what_made_it(endpoint: str, advice: str) -> None:
    session = SsoSession(name="acme", start_url="https://acme.awsapps.com/start", region="x")
    line = failure_line(Unreachable("refused", endpoint=endpoint), session)
    assert line is not None
    assert f"check your network, proxy and {advice}" in line.message


@both_clients
def test_roles_that_cannot_be_read_are_cached_as_failed_and_retried(
    sim: Simulator, token: Token, home: Home, org: Organisation
) -> None:
    sim.set(malformed={"ListAccountRoles"})
    run = ssotui("list", "--json")
    line = assert_one_line(run, home, f"the roles of {len(org.accounts)} accounts (")
    assert "run `ssotui list` again to retry" in line
    assert json.loads(run.out) == []  # what is known is printed: no role of any account
    cache = catalog_cache(home)
    assert cache is not None
    assert cache["complete"] is False
    assert set(cache["failed"]) == {a.account_id for a in org.accounts}

    sim.set(malformed=set())
    sim.reset_calls()
    list_json(home, org)
    assert_cached_complete(home, org)
    # only the failed accounts were asked again; the fresh account list was reused
    assert (sim.calls["ListAccounts"], sim.calls["ListAccountRoles"]) == (0, len(org.accounts))


@both_clients
@pytest.mark.parametrize("org", [pytest.param((60, (1, 2)), id="60-accounts")], indirect=True)
def test_a_token_revoked_mid_listing_is_one_line_and_caches_nothing(
    sim: Simulator, session: SsoSession, token: Token, home: Home, org: Organisation
) -> None:
    # 32 role listings in flight at a time, 0.2 s each: revoked once the second wave started.
    sim.set(latency=0.2)
    watcher = when(sim, "ListAccountRoles", 33, sim.revoke_tokens)
    run = ssotui("list", "--json")
    watcher.join()
    assert_one_line(run, home, "session dev expired or was revoked: run `ssotui login`")
    assert run.out == ""
    assert catalog_cache(home) is None
    # As the line says: `ssotui login` logs in afresh (the dead token is not reused).
    sim.set(latency=0)
    started = sim.calls["StartDeviceAuthorization"]
    assert ssotui("login", "--no-browser").status == 0
    assert sim.calls["StartDeviceAuthorization"] == started + 1
    list_json(home, org)


# --- tokens and login -------------------------------------------------------------------------


def _age(session: SsoSession, token: Token, by: timedelta) -> None:
    save_token(here(), session, replace(token, expires_at=(utcnow() + by).replace(microsecond=0)))


def test_a_refresh_token_spent_already_means_log_in_again(
    sim: Simulator, session: SsoSession, token: Token, home: Home, org: Organisation
) -> None:
    _age(session, token, timedelta(minutes=-1))
    stale = token_path(here(), session).read_bytes()
    seen = secrets_of(home)
    before = sim.calls["CreateToken"]
    list_json(home, org)  # refreshes: the refresh token is spent (single use)
    assert sim.calls["CreateToken"] == before + 1
    # An old copy of the cache comes back (a backup, another tool): its refresh token is dead.
    token_path(here(), session).write_bytes(stale)
    run = ssotui("list", "--json")
    assert_one_line(run, home, "session dev expired: run `ssotui login`")
    assert_clean(run, home, seen)
    assert sim.calls["CreateToken"] == before + 2


def test_parallel_commands_refresh_once_and_all_succeed(
    sim: Simulator, session: SsoSession, token: Token, home: Home, org: Organisation
) -> None:
    _age(session, token, timedelta(minutes=-1))
    before = sim.calls["CreateToken"]
    procs = [
        subprocess.Popen(
            [sys.executable, "-m", "tui", "list", "--json"],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            env=dict(os.environ),
        )
        for _ in range(3)
    ]
    results = [p.communicate(timeout=60) for p in procs]
    assert [p.returncode for p in procs] == [0, 0, 0], results
    assert all(json.loads(out) == expected_rows(org) for out, _ in results)
    assert sim.calls["CreateToken"] == before + 1


@pytest.mark.parametrize(
    ("knobs", "fragment"),
    [
        pytest.param({"approve": "deny"}, "was denied in the browser", id="denied"),
        pytest.param(
            {"approve": "manual", "interval": 1, "device_code_lifetime": 2},
            "expired before it was approved: run `ssotui login` again",
            id="code-expired",
        ),
        pytest.param(
            {"malformed": {"CreateToken"}},
            "sent a response ssotui cannot read",
            id="malformed-CreateToken",
        ),
    ],
)
def test_login_that_fails_is_one_line_and_writes_no_token(
    knobs: dict[str, Any], fragment: str, sim: Simulator, session: SsoSession, home: Home
) -> None:
    sim.set(**knobs)
    run = ssotui("login", "--no-browser")
    assert sim.url in run.err  # the user was told where to go first
    assert_one_line(run, home, fragment, announced=True)
    assert not token_path(here(), session).exists()


@both_clients
def test_unreadable_role_credentials_are_one_line(
    sim: Simulator, token: Token, home: Home, org: Organisation
) -> None:
    account = next(a for a in org.accounts if any(not r.forbidden for r in a.roles))
    role = next(r for r in account.roles if not r.forbidden)
    sim.set(malformed={"GetRoleCredentials"})
    run = ssotui("export", account.account_id, role.name, "--format", "sh")
    assert_one_line(run, home, "sent a response ssotui cannot read")
    assert run.out == ""
