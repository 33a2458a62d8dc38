"""`ssotui logout` after the access token expired: the sign-in behind it is ended all the same.

Was: with an expired access token the logout only deleted the file, and its refresh token (and
the sign-in) stayed good at Identity Center until the session ended, for anyone who had a copy
of the file. Now the refresh token renews it once (saved nowhere) and Logout ends the sign-in.
A sign-in already over, or no refresh token, is said as before; offline, the files are still
deleted and one line says what stayed valid (exit 1). Never a login, a prompt or a browser.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace
from datetime import timedelta
from pathlib import Path

import pytest
from botocore.exceptions import ClientError

from tests.browser_support import recording_browser
from tests.cli_here import ssotui_here as ssotui
from tests.conftest import Home, here
from tests.other_center import OtherCenter
from tests.other_center_support import reached
from tui.aws import clients
from tui.aws.login import login
from tui.aws.session_choice import chosen_session
from tui.aws.token_cache import save_token, token_path
from tui.models import SsoSession, Token, utcnow
from tui.sim import Simulator

pytestmark = pytest.mark.usefixtures("quick_retries")


def _expired(session: SsoSession, token: Token) -> Token:
    """The cached token, its access token now past its expiry in the file (a laptop that
    slept through it); its refresh token untouched."""
    stale = replace(token, expires_at=utcnow() - timedelta(minutes=5))
    save_token(here(), session, stale)
    return stale


def _refresh_refused(session: SsoSession, token: Token) -> bool:
    """Whether Identity Center refuses a CreateToken with `token`'s refresh token (as anyone
    holding a copy of the token file would try it)."""
    oidc = clients.oidc_client(session)
    try:
        oidc.create_token(
            grantType="refresh_token",
            clientId=str(token.client_id),
            clientSecret=str(token.client_secret),
            refreshToken=str(token.refresh_token),
        )
    except ClientError as exc:
        assert exc.response["Error"]["Code"] == "InvalidGrantException", exc.response
        return True
    return False


def test_an_expired_token_is_renewed_once_and_its_sign_in_ended(
    sim: Simulator,
    session: SsoSession,
    token: Token,
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
) -> None:
    opened = recording_browser(monkeypatch, tmp_path)
    sim.expire_tokens()  # the service agrees: the access token is dead, the refresh token not
    stale = _expired(session, token)
    sim.reset_calls()
    result = ssotui("logout")
    assert result.status == 0, result.err
    assert result.err == "Logged out of dev: token revoked, cached token deleted.\n"
    assert (sim.calls["CreateToken"], sim.calls["Logout"]) == (1, 1)
    assert not token_path(here(), session).exists()  # the renewed token was never saved
    assert all(grant.ended for grant in sim.identity.grants)  # the sign-in is over
    assert _refresh_refused(session, stale)
    assert not opened.exists()
    assert "ssotui login" in ssotui("list").err


def test_a_sign_in_already_over_is_said_as_before(
    sim: Simulator,
    session: SsoSession,
    token: Token,
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
) -> None:
    opened = recording_browser(monkeypatch, tmp_path)
    sim.revoke_tokens()  # ended elsewhere (an admin, `aws sso logout`): the refresh is refused
    _expired(session, token)
    sim.reset_calls()
    result = ssotui("logout")
    assert result.status == 0, result.err
    assert result.err == "Logged out of dev: cached token deleted.\n"
    assert (sim.calls["CreateToken"], sim.calls["Logout"]) == (1, 0)
    assert not token_path(here(), session).exists() and not opened.exists()


@pytest.mark.parametrize("dead", ["no refresh token", "registration expired"])
def test_nothing_to_renew_with_asks_nothing(
    sim: Simulator, session: SsoSession, token: Token, dead: str
) -> None:
    if dead == "no refresh token":
        _expired(session, replace(token, refresh_token=None))
    else:
        _expired(session, replace(token, registration_expires_at=utcnow() - timedelta(days=1)))
    sim.reset_calls()
    result = ssotui("logout")
    assert result.status == 0, result.err
    assert result.err == "Logged out of dev: cached token deleted.\n"
    assert sum(sim.calls.values()) == 0


def test_offline_the_files_go_and_one_line_says_the_sign_in_stays(
    sim: Simulator, session: SsoSession, token: Token
) -> None:
    _expired(session, token)
    address = sim.url.removeprefix("http://")
    sim.stop()
    result = ssotui("logout")
    assert result.status == 1, result.err  # the sign-in stays: not a logout that worked
    (line,) = result.err.splitlines()
    assert line.startswith("Logged out of dev: could not revoke the token (")
    print(line)
    assert address in line  # says what could not be reached
    assert line.endswith(
        "): its refresh token stays valid at Identity Center until the sign-in ends; cached "
        "token deleted."
    )
    assert not token_path(here(), session).exists()


@pytest.fixture
def center(monkeypatch: pytest.MonkeyPatch, home: Home) -> Iterator[OtherCenter]:
    """The second Identity Center, its refresh tokens good for any number of refreshes (so
    only a Logout that ends the sign-in makes them refused)."""
    server = OtherCenter()
    server.refresh_tokens = server.reusable_refresh = True
    with reached(server, monkeypatch, home):
        yield server


def test_against_another_identity_center_the_refresh_token_is_refused_after(
    center: OtherCenter,
) -> None:
    other = chosen_session(here())[0]
    stale = _expired(other, login(here(), other, announce=lambda _a: None, sleep=lambda _s: None))
    center.tokens.clear()  # expired there too
    assert not _refresh_refused(other, stale)  # still good before the logout (and again after)
    result = ssotui("logout")
    assert result.status == 0, result.err
    assert result.err == "Logged out of other: token revoked, cached token deleted.\n"
    assert center.calls["logout"] == 1
    assert _refresh_refused(other, stale)


def test_a_token_only_the_service_calls_expired_is_renewed_and_its_sign_in_ended(
    sim: Simulator, session: SsoSession, token: Token
) -> None:
    # Its clock ahead of ours: the file says valid, Logout answers 401. Was: "token revoked",
    # and the refresh token stayed good.
    sim.expire_tokens()
    sim.reset_calls()
    result = ssotui("logout")
    assert result.status == 0, result.err
    assert result.err == "Logged out of dev: token revoked, cached token deleted.\n"
    assert (sim.calls["Logout"], sim.calls["CreateToken"]) == (2, 1)
    assert all(grant.ended for grant in sim.identity.grants)


def test_a_dead_token_with_nothing_to_renew_it_is_not_called_revoked(
    sim: Simulator, session: SsoSession, token: Token
) -> None:
    save_token(here(), session, replace(token, refresh_token=None))
    sim.revoke_tokens()  # ended elsewhere
    result = ssotui("logout")
    assert result.status == 0, result.err
    assert result.err == "Logged out of dev: cached token deleted.\n"  # was: "token revoked, …"
