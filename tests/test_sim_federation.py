"""The simulator's federation endpoint (`/federation`), spoken to over raw HTTP.

getSigninToken answers only for credentials the simulator's GetRoleCredentials issued and that
are still valid, by GET query or POST form, with `SessionDuration` 900–43200 when given; login
redirects to the Destination only with a sign-in token it made in the last 15 minutes.
"""

from __future__ import annotations

import http.client
import json
import os
from collections.abc import Callable
from urllib.parse import urlencode, urlsplit

import pytest

from tui.aws.portal import Portal
from tui.models import Account, RoleCredentials, SsoSession, Token
from tui.sim import Organisation, Simulator

DESTINATION = "https://eu-west-1.console.aws.amazon.com/s3/home?region=eu-west-1"


@pytest.fixture
def creds(sim: Simulator, session: SsoSession, token: Token) -> RoleCredentials:
    """Credentials the simulator issued, just now."""
    account = next(a for a in sim.org.accounts if any(not r.forbidden for r in a.roles))
    role = next(r.name for r in account.roles if not r.forbidden)
    return Portal(session, token, environ=os.environ).role_credentials(
        Account(account.account_id, account.name), role
    )


def session_json(creds: RoleCredentials, **changes: str) -> str:
    fields = {
        "sessionId": creds.access_key_id,
        "sessionKey": creds.secret_access_key,
        "sessionToken": creds.session_token,
    }
    return json.dumps({**fields, **changes})


def call(
    sim: Simulator, method: str, params: dict[str, str], *, form: bool = False
) -> tuple[int, bytes, http.client.HTTPResponse]:
    """One request to `/federation`: params in the query, or as a POST form."""
    parts = urlsplit(sim.url)
    conn = http.client.HTTPConnection(parts.hostname or "", parts.port, timeout=5)
    try:
        encoded = urlencode(params)
        if form:
            headers = {"Content-Type": "application/x-www-form-urlencoded"}
            conn.request(method, "/federation", body=encoded, headers=headers)
        else:
            conn.request(method, f"/federation?{encoded}")
        response = conn.getresponse()
        return response.status, response.read(), response
    finally:
        conn.close()


def signin_token(sim: Simulator, creds: RoleCredentials, **extra: str) -> str:
    params = {"Action": "getSigninToken", "Session": session_json(creds), **extra}
    status, body, _ = call(sim, "POST", params, form=True)
    assert status == 200, body
    token = json.loads(body)["SigninToken"]
    assert isinstance(token, str)
    return token


def login(sim: Simulator, token: str, destination: str = DESTINATION) -> tuple[int, str | None]:
    params = {"Action": "login", "Issuer": sim.start_url, "Destination": destination}
    status, _, response = call(sim, "GET", {**params, "SigninToken": token})
    return status, response.getheader("Location")


@pytest.mark.parametrize(("method", "form"), [("GET", False), ("POST", True)])
def test_issued_credentials_get_a_token_that_signs_in(
    method: str, form: bool, sim: Simulator, creds: RoleCredentials
) -> None:
    params = {"Action": "getSigninToken", "Session": session_json(creds)}
    status, body, response = call(sim, method, params, form=form)
    assert status == 200
    assert response.getheader("Content-Type") == "application/json"
    token = json.loads(body)["SigninToken"]
    assert len(token) > 500  # as long as a real one
    assert login(sim, token) == (302, DESTINATION)
    assert (sim.calls["getSigninToken"], sim.calls["login"]) == (1, 1)


@pytest.mark.parametrize(
    ("duration", "status"),
    [("900", 200), ("43200", 200), ("899", 400), ("43201", 400), ("1h", 400), ("", 400)],
)
def test_session_duration_is_900_to_43200(
    duration: str, status: int, sim: Simulator, creds: RoleCredentials
) -> None:
    params = {"Action": "getSigninToken", "Session": session_json(creds)}
    got, _, _ = call(sim, "POST", {**params, "SessionDuration": duration}, form=True)
    assert got == status


@pytest.mark.parametrize(
    "forged",
    [
        pytest.param(lambda c: session_json(c, sessionKey="wrong" * 8), id="wrong-secret"),
        pytest.param(lambda c: session_json(c, sessionToken="wrong" * 8), id="wrong-token"),
        pytest.param(lambda c: session_json(c, sessionId="ASIANOTISSUED000000"), id="not-issued"),
        pytest.param(lambda c: session_json(c, sessionKey="ünïcode"), id="non-ascii"),
        pytest.param(lambda c: "{not json", id="not-json"),
        pytest.param(lambda c: json.dumps({"sessionId": c.access_key_id}), id="incomplete"),
    ],
)
def test_credentials_it_did_not_issue_are_refused(
    forged: Callable[[RoleCredentials], str], sim: Simulator, creds: RoleCredentials
) -> None:
    params = {"Action": "getSigninToken", "Session": forged(creds)}
    status, body, response = call(sim, "POST", params, form=True)
    assert status == 400
    assert response.getheader("Content-Type", "").startswith("text/html")
    assert b"SigninToken" not in body


def test_expired_credentials_and_tokens_are_refused(sim: Simulator, creds: RoleCredentials) -> None:
    token = signin_token(sim, creds)
    sim.expire_signin_tokens()
    status, location = login(sim, token)
    assert (status, location) == (400, None)
    sim.expire_credentials()
    params = {"Action": "getSigninToken", "Session": session_json(creds)}
    assert call(sim, "POST", params, form=True)[0] == 400


def test_login_wants_a_token_it_made_and_a_destination(
    sim: Simulator, creds: RoleCredentials
) -> None:
    token = signin_token(sim, creds)
    assert login(sim, token[:-4] + "AAAA")[0] == 400
    assert login(sim, token, destination="")[0] == 400
    assert login(sim, token, destination="console.aws.amazon.com")[0] == 400
    assert login(sim, token) == (302, DESTINATION)  # a token is good for more than one login
    assert login(sim, token) == (302, DESTINATION)
    assert call(sim, "GET", {"Action": "logout"})[0] == 400


def test_injected_failures_are_5xx_only(sim: Simulator, creds: RoleCredentials) -> None:
    sim.set(signin_fail_status=503)
    params = {"Action": "getSigninToken", "Session": session_json(creds)}
    assert call(sim, "POST", params, form=True)[0] == 503
    sim.set(signin_fail_status=None)
    assert call(sim, "POST", params, form=True)[0] == 200
    with pytest.raises(ValueError):
        sim.set(signin_fail_status=400)
    with pytest.raises(ValueError):
        Simulator(Organisation.generate(accounts=1), signin_fail_status=200)
