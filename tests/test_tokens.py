"""The current token: reuse, refresh near expiry, revoked/expired, botocore interop, races."""

from __future__ import annotations

import contextlib
import json
import os
import subprocess
import sys
import textwrap
import threading
import time
from datetime import timedelta
from pathlib import Path
from typing import Any

import boto3
import pytest
from botocore.utils import JSONFileCache, SSOTokenLoader

from tests.conftest import Home, here
from tui.aws.login import login
from tui.aws.portal import Portal
from tui.aws.token_cache import format_time, load_token, save_token, token_path
from tui.aws.tokens import current_token, renewed_token
from tui.errors import NotLoggedIn
from tui.models import SsoSession, Token, utcnow
from tui.sim import Simulator


def _login(session: SsoSession) -> Token:
    return login(here(), session, announce=lambda _a: None, sleep=lambda _s: None)


def _age(session: SsoSession, token: Token, expires_in: timedelta) -> Token:
    """Rewrite the cached token as if it expired (or will) `expires_in` from now."""
    aged = Token(**{**token.__dict__, "expires_at": (utcnow() + expires_in).replace(microsecond=0)})
    save_token(here(), session, aged)
    return aged


def test_no_token_says_log_in(session: SsoSession) -> None:
    with pytest.raises(NotLoggedIn, match=r"^not logged in to session dev: run `ssotui login`$"):
        current_token(here(), session)


def test_valid_token_is_used_as_is(session: SsoSession, sim: Simulator) -> None:
    token = _login(session)
    sim.reset_calls()
    assert current_token(here(), session) == token
    assert sum(sim.calls.values()) == 0


def test_refreshed_within_fifteen_minutes(session: SsoSession, sim: Simulator) -> None:
    old = _age(session, _login(session), timedelta(minutes=10))
    sim.reset_calls()
    new = current_token(here(), session)
    assert sim.calls["CreateToken"] == 1
    assert new.access_token != old.access_token and new.refresh_token != old.refresh_token
    assert new.expires_at - utcnow() > timedelta(minutes=50)
    assert load_token(here(), session) == new  # written back
    assert list(Portal(session, new, environ=os.environ).list_accounts())  # and it works
    assert current_token(here(), session, refresh=False) == new


def test_refresh_false_keeps_a_valid_token(session: SsoSession, sim: Simulator) -> None:
    old = _age(session, _login(session), timedelta(minutes=10))
    sim.reset_calls()
    assert current_token(here(), session, refresh=False) == old
    assert sim.calls["CreateToken"] == 0


def test_expired_token_is_refreshed(session: SsoSession, sim: Simulator) -> None:
    _age(session, _login(session), timedelta(minutes=-5))
    sim.expire_tokens()
    token = current_token(here(), session)
    assert not token.is_expired and list(Portal(session, token, environ=os.environ).list_accounts())


def test_expired_without_refresh_token_means_login(session: SsoSession, sim: Simulator) -> None:
    sim.set(refresh=False)
    token = _login(session)
    assert token.refresh_token is None
    _age(session, token, timedelta(minutes=-1))
    with pytest.raises(NotLoggedIn, match=r"^session dev expired: run `ssotui login`$"):
        current_token(here(), session)


def test_revoked_refresh_token(session: SsoSession, sim: Simulator) -> None:
    token = _login(session)
    sim.revoke_tokens()
    near = _age(session, token, timedelta(minutes=5))
    assert current_token(here(), session) == near  # still usable for 5 minutes: no logout yet
    _age(session, token, timedelta(minutes=-1))
    with pytest.raises(NotLoggedIn, match="expired: run `ssotui login`"):
        current_token(here(), session)
    # the dead token is gone: the next process (8 Terraform providers queued on the lock, say)
    # fails at once, without spending a call and waiting for another's token in turn
    calls = sim.calls["CreateToken"]
    with pytest.raises(NotLoggedIn, match="run `ssotui login`"):
        current_token(here(), session)
    assert sim.calls["CreateToken"] == calls


def _run_python(code: str, *args: str) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-c", textwrap.dedent(code), *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=dict(os.environ),
        cwd=Path(__file__).resolve().parent.parent,
    )


def test_botocore_refreshes_from_our_cache(session: SsoSession, sim: Simulator, home: Home) -> None:
    home.aws_config.write_text(home.aws_config.read_text() + "[profile x]\nsso_session = dev\n")
    old = _age(session, _login(session), timedelta(minutes=10))
    proc = _run_python(
        """
        import botocore.session
        from botocore.tokens import SSOTokenProvider
        session = botocore.session.Session(profile="x")
        print(SSOTokenProvider(session).load_token().get_frozen_token().token)
        """
    )
    out, err = proc.communicate(timeout=60)
    assert proc.returncode == 0, err
    new = load_token(here(), session)  # botocore wrote it back in its own form; we read that
    assert new is not None and out.strip() == new.access_token != old.access_token
    assert current_token(here(), session) == new
    assert list(Portal(session, new, environ=os.environ).list_accounts())


RACER = """
    import os, sys, time
    from pathlib import Path
    from tui.aws.session_choice import chosen_session
    from tui.aws.tokens import current_token
    from tui.paths import Paths
    here = Paths.from_environ(os.environ)
    session = chosen_session(here)[0]
    Path(sys.argv[1] + ".ready." + sys.argv[2]).touch()
    while not Path(sys.argv[1]).exists():
        time.sleep(0.002)
    print(current_token(here, session).access_token)
"""


def test_parallel_refreshes_do_not_log_the_user_out(
    session: SsoSession, sim: Simulator, tmp_path: Path
) -> None:
    token = _login(session)
    sim.expire_tokens()  # expired on both sides: a failed refresh would mean "log in again"
    _age(session, token, timedelta(minutes=-1))
    sim.set(latency=0.2)  # each refresh takes a while, so the processes overlap
    sim.reset_calls()
    go = tmp_path / "go"
    racers = [_run_python(RACER, str(go), str(i)) for i in range(3)]
    deadline = time.monotonic() + 30
    while len(list(tmp_path.glob("go.ready.*"))) < 3 and time.monotonic() < deadline:
        time.sleep(0.01)
    go.touch()
    results = [p.communicate(timeout=60) for p in racers]
    assert [p.returncode for p in racers] == [0, 0, 0], [err for _, err in results]
    tokens = {out.strip() for out, _ in results}
    assert len(tokens) == 1  # one refresh; the others re-read the cache under the lock
    assert sim.calls["CreateToken"] == 1
    final = current_token(here(), session)
    assert final.access_token in tokens and list(
        Portal(session, final, environ=os.environ).list_accounts()
    )
    assert json.loads(token_path(here(), session).read_text())["accessToken"] == final.access_token


def _botocore_refresh(session: SsoSession, token: Token) -> dict[str, Any]:
    """What botocore's SSOTokenProvider does near expiry, without a lock: spends the cached
    refresh token and builds the token it will save."""
    client = boto3.session.Session().client("sso-oidc", region_name=session.region)
    answer = client.create_token(
        grantType="refresh_token",
        clientId=token.client_id,
        clientSecret=token.client_secret,
        refreshToken=token.refresh_token,
    )
    assert token.registration_expires_at is not None
    return {
        "startUrl": session.start_url,
        "region": session.region,
        "accessToken": answer["accessToken"],
        "expiresAt": format_time(utcnow() + timedelta(seconds=answer["expiresIn"])),
        "clientId": token.client_id,
        "clientSecret": token.client_secret,
        "registrationExpiresAt": format_time(token.registration_expires_at),
        "refreshToken": answer["refreshToken"],
    }


def _botocore_saves_after(
    session: SsoSession, home: Home, data: dict[str, Any], delay: float
) -> threading.Timer:
    """botocore saving its refreshed token `delay` seconds from now (as another process)."""
    loader = SSOTokenLoader(JSONFileCache(str(home.sso_cache)))
    timer = threading.Timer(
        delay, loader.save_token, (session.start_url, data), {"session_name": session.name}
    )
    timer.start()
    return timer


def test_refresh_token_spent_by_botocore_uses_its_token(
    session: SsoSession, sim: Simulator, home: Home
) -> None:
    # boto3 and ssotui start together on an expired token; boto3 spends the refresh token
    # first and is still saving its new token when the service refuses ours.
    token = _age(session, _login(session), timedelta(minutes=-1))
    sim.expire_tokens()
    theirs = _botocore_refresh(session, token)
    sim.reset_calls()
    timer = _botocore_saves_after(session, home, theirs, 0.5)
    try:
        got = current_token(here(), session)  # was: "session dev expired: run `ssotui login`"
    finally:
        timer.join()
    assert sim.calls["CreateToken"] == 1  # ours, refused: the refresh token was spent
    assert got.access_token == theirs["accessToken"]
    assert list(Portal(session, got, environ=os.environ).list_accounts())
    assert (
        json.loads(token_path(here(), session).read_text())["accessToken"] == theirs["accessToken"]
    )


def test_a_401_keeps_the_token_botocore_saves_meanwhile(
    session: SsoSession, sim: Simulator, home: Home
) -> None:
    # The portal refused our token (401) while boto3 was refreshing it: the token it saves
    # is used, and not deleted.
    token = _login(session)
    sim.expire_tokens()
    theirs = _botocore_refresh(session, token)
    timer = _botocore_saves_after(session, home, theirs, 0.5)
    try:
        got = renewed_token(here(), session, token)  # was: "expired or was revoked", token deleted
    finally:
        timer.join()
    assert got.access_token == theirs["accessToken"]
    assert list(Portal(session, got, environ=os.environ).list_accounts())
    assert current_token(here(), session).access_token == theirs["accessToken"]


def _ssotui(*args: str) -> subprocess.Popen[str]:
    """`ssotui ARGS` started in another process, as a user (or Terraform) would."""
    return subprocess.Popen(
        [sys.executable, "-m", "tui", *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        stdin=subprocess.DEVNULL,
        text=True,
        env=dict(os.environ),
        cwd=Path(__file__).resolve().parent.parent,
    )


def test_a_logout_during_another_process_refresh_stays_logged_out(
    session: SsoSession, sim: Simulator
) -> None:
    # Another ssotui (a credential_process run by Terraform) is refreshing the expired token
    # when the user runs `ssotui logout`: the refreshed token must not come back afterwards.
    _age(session, _login(session), timedelta(minutes=-1))
    sim.set(hang={"CreateToken"})  # the refresh stays in flight until released
    sim.reset_calls()
    refresher = _ssotui("list")
    deadline = time.monotonic() + 30
    while sim.calls["CreateToken"] < 1 and time.monotonic() < deadline:
        time.sleep(0.01)
    assert sim.calls["CreateToken"] == 1, refresher.communicate(timeout=5)
    logout = _ssotui("logout")
    with contextlib.suppress(subprocess.TimeoutExpired):
        logout.wait(timeout=3)  # was: done at once, before the refresh's token was written
    sim.set(hang=())
    refresher.communicate(timeout=60)
    out, err = logout.communicate(timeout=60)
    assert logout.returncode == 0, err
    said = out + err
    assert "Logged out of dev" in said and "cached token" in said  # (and the catalog, if listed)
    assert not token_path(here(), session).exists()  # was: the refreshed token, written back
    with pytest.raises(NotLoggedIn, match="run `ssotui login`"):
        current_token(here(), session)
    after = _ssotui("list")
    _, err = after.communicate(timeout=60)
    assert after.returncode == 1 and "not logged in to session dev" in err


def test_a_forced_login_during_another_process_refresh_keeps_its_token(
    session: SsoSession, sim: Simulator
) -> None:
    # Another ssotui (a credential_process) is refreshing the expired token of an earlier
    # login (maybe someone else's) when the user runs `ssotui login --force`: the refreshed
    # token must not replace the one the user just logged in with.
    _age(session, _login(session), timedelta(minutes=-1))
    sim.set(hang={"CreateToken:refresh_token"})  # the refresh stays in flight, logins do not
    sim.reset_calls()
    refresher = _ssotui("list")
    deadline = time.monotonic() + 30
    while sim.calls["CreateToken"] < 1 and time.monotonic() < deadline:
        time.sleep(0.01)
    assert sim.calls["CreateToken"] == 1, refresher.communicate(timeout=5)
    logged_in: list[Token] = []
    user = threading.Thread(
        target=lambda: logged_in.append(
            login(
                here(),
                session,
                force=True,
                announce=lambda _a: None,
                sleep=lambda _s: None,
            )
        )
    )
    user.start()
    user.join(3)  # was: saved at once, before the refresh's token was written
    sim.set(hang=())
    _, err = refresher.communicate(timeout=60)
    user.join(60)
    assert refresher.returncode == 0, err
    [mine] = logged_in
    cached = load_token(here(), session)
    assert cached is not None and cached.access_token == mine.access_token  # was: the refresh's
    assert current_token(here(), session).access_token == mine.access_token


def test_a_token_of_the_zero_time_is_refreshed_as_botocore_refreshes_it(
    session: SsoSession, sim: Simulator
) -> None:
    """`0001-01-01T00:00:00Z` (the zero time of Go and other SDKs) is a time botocore reads:
    long expired, so refreshed. ssotui did the same, not 'unexpected error (OverflowError)' on
    every command, `ssotui login` included."""
    token = _login(session)
    data = json.loads(token_path(here(), session).read_text())
    data["expiresAt"] = "0001-01-01T00:00:00Z"
    token_path(here(), session).write_text(json.dumps(data))
    sim.reset_calls()

    listed = subprocess.run(
        [sys.executable, "-m", "tui", "list", "--session", "dev"],
        capture_output=True,
        text=True,
        timeout=60,
    )

    assert listed.returncode == 0, listed.stderr
    assert sim.calls["CreateToken"] == 1
    refreshed = load_token(here(), session)
    assert refreshed is not None and refreshed.access_token != token.access_token
    assert not refreshed.is_expired


@pytest.mark.parametrize("zone", ["Asia/Tokyo", "America/Los_Angeles"])
def test_a_token_that_never_expires_is_shown_in_any_time_zone(
    session: SsoSession, sim: Simulator, zone: str
) -> None:
    """`9999-12-31T23:59:59Z` (what some tools write for "never"), east of UTC: local time
    cannot hold it, and `ssotui login` said 'unexpected error (OverflowError)'."""
    _login(session)
    data = json.loads(token_path(here(), session).read_text())
    data["expiresAt"] = "9999-12-31T23:59:59Z"
    token_path(here(), session).write_text(json.dumps(data))

    shown = subprocess.run(
        [sys.executable, "-m", "tui", "login", "--session", "dev"],
        capture_output=True,
        text=True,
        timeout=60,
        env={**os.environ, "TZ": zone},
    )

    assert shown.returncode == 0, shown.stderr
    assert "9999-12-31" in shown.stderr and "Traceback" not in shown.stderr


def test_an_aws_sso_login_during_a_refresh_keeps_its_token(
    session: SsoSession, sim: Simulator, home: Home
) -> None:
    # ssotui (a credential_process, the picker, `exec --renew`) is refreshing the expired
    # token when the user runs `aws sso login`, maybe as someone else: the AWS CLI takes no
    # lock, and the refreshed token of the earlier sign-in must not replace the new login.
    _age(session, _login(session), timedelta(minutes=-1))
    sim.set(hang={"CreateToken:refresh_token"})  # the refresh stays in flight, logins do not
    sim.reset_calls()
    refresher = _ssotui("list")
    deadline = time.monotonic() + 30
    while sim.calls["CreateToken"] < 1 and time.monotonic() < deadline:
        time.sleep(0.01)
    assert sim.calls["CreateToken"] == 1, refresher.communicate(timeout=5)
    theirs = _aws_sso_login(session)
    SSOTokenLoader(JSONFileCache(str(home.sso_cache))).save_token(
        session.start_url, theirs, session_name=session.name
    )
    sim.set(hang=())
    _, err = refresher.communicate(timeout=60)
    assert refresher.returncode == 0, err
    cached = load_token(here(), session)
    assert cached is not None and cached.access_token == theirs["accessToken"]  # was: ssotui's
    assert current_token(here(), session).access_token == theirs["accessToken"]


def _aws_sso_login(session: SsoSession) -> dict[str, Any]:
    """What `aws sso login --use-device-code` does (the simulator approves at the first poll):
    a client registered, a device code approved, the token it will save."""
    client = boto3.session.Session().client("sso-oidc", region_name=session.region)
    registered = client.register_client(
        clientName="botocore-client-dev", clientType="public", scopes=["sso:account:access"]
    )
    started = client.start_device_authorization(
        clientId=registered["clientId"],
        clientSecret=registered["clientSecret"],
        startUrl=session.start_url,
    )
    answer = client.create_token(
        grantType="urn:ietf:params:oauth:grant-type:device_code",
        clientId=registered["clientId"],
        clientSecret=registered["clientSecret"],
        deviceCode=started["deviceCode"],
    )
    return {
        "startUrl": session.start_url,
        "region": session.region,
        "accessToken": answer["accessToken"],
        "expiresAt": format_time(utcnow() + timedelta(seconds=answer["expiresIn"])),
        "clientId": registered["clientId"],
        "clientSecret": registered["clientSecret"],
        "registrationExpiresAt": format_time(
            utcnow() + timedelta(seconds=registered["clientSecretExpiresAt"] - time.time())
        ),
        "refreshToken": answer["refreshToken"],
    }
