"""The simulator's authorization code flow, driven by hand with boto3 and urllib.

Registrations are checked for their grant types both ways, codes are single use, short-lived,
bound to their redirect URI and to the verifier of their S256 challenge.
"""

from __future__ import annotations

import base64
import hashlib
import secrets
import urllib.error
import urllib.request
from typing import Any
from urllib.parse import parse_qs, urlencode, urlsplit

import boto3
import botocore.exceptions
import pytest
from botocore import UNSIGNED
from botocore.config import Config

from tui.sim import Simulator

REDIRECT = "http://127.0.0.1/oauth/callback"
CALLBACK = "http://127.0.0.1:4321/oauth/callback"
SCOPES = ["sso:account:access"]


class _NoRedirects(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args: Any, **kwargs: Any) -> None:
        return None


_OPENER = urllib.request.build_opener(urllib.request.ProxyHandler({}), _NoRedirects())


def get(url: str, data: bytes | None = None) -> tuple[int, str, str]:
    """(status, Location, body) without following redirects."""
    try:
        with _OPENER.open(url, data=data, timeout=10) as answer:
            return answer.status, answer.headers.get("Location", ""), answer.read().decode()
    except urllib.error.HTTPError as err:
        return err.code, err.headers.get("Location", ""), err.read().decode()


def oidc() -> Any:
    return boto3.client(
        "sso-oidc",
        region_name="us-east-1",
        config=Config(signature_version=UNSIGNED, retries={"total_max_attempts": 1}),
    )


def register_browser_client(sim: Simulator, **changes: Any) -> dict[str, Any]:
    kwargs: dict[str, Any] = {
        "clientName": "botocore-client-dev",
        "clientType": "public",
        "grantTypes": ["authorization_code", "refresh_token"],
        "redirectUris": [REDIRECT],
        "issuerUrl": sim.start_url,
        "scopes": SCOPES,
    }
    kwargs.update(changes)
    answer: dict[str, Any] = oidc().register_client(**kwargs)
    return answer


def pkce() -> tuple[str, str]:
    verifier = secrets.token_urlsafe(48)
    digest = hashlib.sha256(verifier.encode()).digest()
    return verifier, base64.urlsafe_b64encode(digest).decode().rstrip("=")


def authorize(sim: Simulator, client_id: str, challenge: str, **changes: str) -> str:
    query = {
        "response_type": "code",
        "client_id": client_id,
        "redirect_uri": CALLBACK,
        "state": "s1",
        "code_challenge_method": "S256",
        "scopes": " ".join(SCOPES),
        "code_challenge": challenge,
    }
    query.update(changes)
    return f"{sim.url}/authorize?{urlencode(query)}"


def code_from(location: str) -> str:
    query = parse_qs(urlsplit(location).query)
    assert query["state"] == ["s1"]
    return query["code"][0]


def create_token(client: dict[str, Any], code: str, verifier: str, redirect: str = CALLBACK) -> Any:
    return oidc().create_token(
        grantType="authorization_code",
        clientId=client["clientId"],
        clientSecret=client["clientSecret"],
        code=code,
        codeVerifier=verifier,
        redirectUri=redirect,
    )


def error_of(call: Any) -> str:
    with pytest.raises(botocore.exceptions.ClientError) as err:
        call()
    return str(err.value.response["Error"]["Code"])


def test_code_flow_by_hand(sim: Simulator) -> None:
    client = register_browser_client(sim)
    verifier, challenge = pkce()
    status, location, _ = get(authorize(sim, client["clientId"], challenge))
    assert status == 302 and location.startswith(CALLBACK + "?")
    answer = create_token(client, code_from(location), verifier)
    assert answer["accessToken"] and answer["refreshToken"] and answer["expiresIn"] == 3600
    refreshed = oidc().create_token(
        grantType="refresh_token",
        clientId=client["clientId"],
        clientSecret=client["clientSecret"],
        refreshToken=answer["refreshToken"],
    )
    assert refreshed["accessToken"] != answer["accessToken"]


def test_codes_are_single_use_and_bound_to_verifier_and_redirect(sim: Simulator) -> None:
    client = register_browser_client(sim)
    verifier, challenge = pkce()

    def fresh_code() -> str:
        return code_from(get(authorize(sim, client["clientId"], challenge))[1])

    code = fresh_code()
    assert create_token(client, code, verifier)["accessToken"]
    assert error_of(lambda: create_token(client, code, verifier)) == "InvalidGrantException"
    other_verifier = pkce()[0]
    code = fresh_code()
    assert error_of(lambda: create_token(client, code, other_verifier)) == "InvalidGrantException"
    assert error_of(lambda: create_token(client, code, verifier)) == "InvalidGrantException"
    code = fresh_code()
    wrong_port = "http://127.0.0.1:4322/oauth/callback"
    assert (
        error_of(lambda: create_token(client, code, verifier, wrong_port))
        == "InvalidGrantException"
    )
    other = register_browser_client(sim)
    code = fresh_code()
    assert error_of(lambda: create_token(other, code, verifier)) == "InvalidGrantException"


def test_codes_are_short_lived(sim: Simulator) -> None:
    sim.set(code_lifetime=0)
    client = register_browser_client(sim)
    verifier, challenge = pkce()
    code = code_from(get(authorize(sim, client["clientId"], challenge))[1])
    assert error_of(lambda: create_token(client, code, verifier)) == "ExpiredTokenException"


def test_a_device_registration_cannot_do_the_code_flow(sim: Simulator) -> None:
    device = oidc().register_client(clientName="dev", clientType="public", scopes=SCOPES)
    verifier, challenge = pkce()
    status, location, body = get(authorize(sim, device["clientId"], challenge))
    assert status == 400 and not location and "redirect_uri" in body  # no redirect at all
    assert error_of(lambda: create_token(device, "x", verifier)) == "UnauthorizedClientException"


def test_a_code_registration_cannot_do_the_device_flow(sim: Simulator) -> None:
    client = register_browser_client(sim)
    start = oidc().start_device_authorization
    assert (
        error_of(
            lambda: start(
                clientId=client["clientId"],
                clientSecret=client["clientSecret"],
                startUrl=sim.start_url,
            )
        )
        == "UnauthorizedClientException"
    )


@pytest.mark.parametrize(
    ("changes", "error"),
    [
        (
            {"grantTypes": ["authorization_code", "urn:ietf:params:oauth:grant-type:device_code"]},
            "InvalidScopeException",
        ),
        ({"grantTypes": ["implicit"]}, "UnsupportedGrantTypeException"),
        ({"redirectUris": ["https://evil.example/oauth/callback"]}, "InvalidRedirectUriException"),
        ({"redirectUris": ["http://127.0.0.1/elsewhere"]}, "InvalidRedirectUriException"),
        ({"issuerUrl": "https://other.awsapps.com/start"}, "InvalidRequestException"),
    ],
)
def test_registrations_the_service_refuses(
    sim: Simulator, changes: dict[str, Any], error: str
) -> None:
    assert error_of(lambda: register_browser_client(sim, **changes)) == error


@pytest.mark.parametrize(
    ("changes", "error"),
    [
        ({"response_type": "token"}, "unsupported_response_type"),
        ({"code_challenge_method": "plain"}, "invalid_request"),
        ({"scopes": "sso:account:access codewhisperer:completions"}, "invalid_scope"),
    ],
)
def test_authorize_faults_redirect_with_an_error(
    sim: Simulator, changes: dict[str, str], error: str
) -> None:
    client = register_browser_client(sim)
    status, location, _ = get(authorize(sim, client["clientId"], pkce()[1], **changes))
    assert status == 302
    assert parse_qs(urlsplit(location).query) == {"error": [error], "state": ["s1"]}


def test_unknown_client_or_redirect_gets_a_page_not_a_redirect(sim: Simulator) -> None:
    client = register_browser_client(sim)
    challenge = pkce()[1]
    assert get(authorize(sim, "nobody", challenge))[:2] == (400, "")
    evil = "http://evil.example/oauth/callback"
    assert get(authorize(sim, client["clientId"], challenge, redirect_uri=evil))[:2] == (400, "")


def test_manual_page_waits_for_a_click(sim: Simulator) -> None:
    sim.set(approve="manual")
    client = register_browser_client(sim)
    verifier, challenge = pkce()
    status, location, body = get(authorize(sim, client["clientId"], challenge))
    assert status == 200 and not location and "Approve" in body and "Deny" in body
    request_id = body.split('name="request_id" value="')[1].split('"')[0]
    form = urlencode({"request_id": request_id, "action": "deny"}).encode()
    status, location, _ = get(f"{sim.url}/authorize", form)
    assert status == 302
    assert parse_qs(urlsplit(location).query) == {"error": ["access_denied"], "state": ["s1"]}
    assert get(f"{sim.url}/authorize", form)[0] == 400  # decided already
