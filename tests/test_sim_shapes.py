"""The simulator's `shapes` knob: odd answers botocore's models allow, read back through boto3.

Each shape is served as named (boto3 parses it, the value is the odd one) and the simulator's
own state is left as it was: the account of an odd id still answers, credentials said to be
expired were issued all the same.
"""

from __future__ import annotations

import time
from typing import Any

import boto3
import pytest
from botocore import UNSIGNED
from botocore.config import Config

from tui.models import Token
from tui.sim import Simulator
from tui.sim.shapes import (
    FAR_FUTURE_SECONDS,
    HUGE_NAME_LENGTH,
    INT_MAX,
    LONG_MAX,
    ODD_ID_PREFIX,
    SAME_NAME,
    SHAPES,
)

_CONFIG = Config(signature_version=UNSIGNED, region_name="us-east-1", retries={"max_attempts": 1})


def _client(name: str) -> Any:
    return boto3.session.Session().client(name, config=_CONFIG)


def _accounts(token: Token) -> list[dict[str, Any]]:
    sso = _client("sso")
    listed: list[dict[str, Any]] = []
    for page in sso.get_paginator("list_accounts").paginate(accessToken=token.access_token):
        listed += page["accountList"]
    return listed


def _credentials(sim: Simulator, token: Token) -> dict[str, Any]:
    account = sim.org.accounts[0]
    answer = _client("sso").get_role_credentials(
        accessToken=token.access_token,
        accountId=account.account_id,
        roleName=account.roles[0].name,
    )
    return dict(answer.get("roleCredentials", {"absent": True}))


@pytest.mark.parametrize(
    ("shape", "check"),
    [
        ("accounts-nameless", lambda a: all("accountName" not in x for x in a)),
        ("accounts-without-email", lambda a: all("emailAddress" not in x for x in a)),
        ("account-names-empty", lambda a: {x["accountName"] for x in a} == {""}),
        ("account-names-alike", lambda a: {x["accountName"] for x in a} == {SAME_NAME}),
        ("account-names-huge", lambda a: {len(x["accountName"]) for x in a} == {HUGE_NAME_LENGTH}),
        ("account-ids-odd", lambda a: all(x["accountId"].startswith(ODD_ID_PREFIX) for x in a)),
    ],
)
def test_account_shapes(sim: Simulator, token: Token, shape: str, check: Any) -> None:
    sim.set(shapes={shape})
    listed = _accounts(token)
    assert len(listed) == len(sim.org) and check(listed)


def test_an_account_on_two_pages(sim: Simulator, token: Token) -> None:
    sim.set(shapes={"account-on-two-pages"}, page_size=5)
    ids = [a["accountId"] for a in _accounts(token)]
    pages = -(-len(sim.org) // 5)
    assert len(ids) == len(sim.org) + pages - 1
    assert set(ids) == {a.account_id for a in sim.org.accounts}


def test_odd_ids_are_read_back_and_roles_twice_or_nameless(sim: Simulator, token: Token) -> None:
    account = next(a for a in sim.org.accounts if len(a.roles) > 1)
    sso = _client("sso")
    sim.set(shapes={"account-ids-odd", "roles-twice"})
    roles = sso.list_account_roles(
        accessToken=token.access_token, accountId=ODD_ID_PREFIX + account.account_id
    )["roleList"]
    assert [r["roleName"] for r in roles] == [r.name for r in account.roles for _ in (1, 2)]
    assert {r["accountId"] for r in roles} == {ODD_ID_PREFIX + account.account_id}
    sim.set(shapes={"roles-nameless"})
    roles = sso.list_account_roles(accessToken=token.access_token, accountId=account.account_id)[
        "roleList"
    ]
    assert "roleName" not in roles[0] and roles[1]["roleName"] == account.roles[1].name


@pytest.mark.parametrize(
    ("shape", "check"),
    [
        ("credentials-expired", lambda c, now: now - 120 < c["expiration"] / 1000 < now),
        ("credentials-expiration-zero", lambda c, now: c["expiration"] == 0),
        (
            "credentials-far-future",
            lambda c, now: c["expiration"] / 1000 > now + FAR_FUTURE_SECONDS - 60,
        ),
        ("credentials-expiration-huge", lambda c, now: c["expiration"] == LONG_MAX),
        ("credentials-without-session-token", lambda c, now: "sessionToken" not in c),
        ("credentials-empty", lambda c, now: c == {}),
        ("credentials-absent", lambda c, now: c == {"absent": True}),
    ],
)
def test_credential_shapes(sim: Simulator, token: Token, shape: str, check: Any) -> None:
    sim.set(shapes={shape})
    assert check(_credentials(sim, token), time.time())
    assert len(sim.portal.issued) == 1  # issued as usual: only the answer says otherwise


def test_oidc_shapes(sim: Simulator) -> None:
    sim.set(
        shapes={
            "client-expired",
            "device-without-interval",
            "device-without-complete-uri",
            "token-type-odd",
            "token-without-refresh",
            "extra-members",
        }
    )
    oidc = _client("sso-oidc")
    client = oidc.register_client(
        clientName="t", clientType="public", scopes=["sso:account:access"]
    )
    assert client["clientSecretExpiresAt"] < time.time()
    device = oidc.start_device_authorization(
        clientId=client["clientId"], clientSecret=client["clientSecret"], startUrl=sim.start_url
    )
    assert "interval" not in device and "verificationUriComplete" not in device
    token = oidc.create_token(
        clientId=client["clientId"],
        clientSecret=client["clientSecret"],
        grantType="urn:ietf:params:oauth:grant-type:device_code",
        deviceCode=device["deviceCode"],
    )
    assert token["tokenType"] == "DPoP" and "refreshToken" not in token
    for name, lifetime in [("token-expires-zero", 0), ("token-expires-huge", INT_MAX)]:
        sim.set(shapes={name, "device-interval-zero"})
        device = oidc.start_device_authorization(
            clientId=client["clientId"], clientSecret=client["clientSecret"], startUrl=sim.start_url
        )
        assert device["interval"] == 0
        token = oidc.create_token(
            clientId=client["clientId"],
            clientSecret=client["clientSecret"],
            grantType="urn:ietf:params:oauth:grant-type:device_code",
            deviceCode=device["deviceCode"],
        )
        assert token["expiresIn"] == lifetime


def test_extra_members_are_sent_and_boto3_ignores_them(sim: Simulator, token: Token) -> None:
    sim.set(shapes={"extra-members"})
    raw = sim.dispatch(
        "GET",
        "/assignment/accounts",
        {"x-amz-sso_bearer_token": token.access_token},
        b"",
    )
    assert b'"futureMember"' in raw.body
    assert len(_accounts(token)) == len(sim.org)


def test_unknown_shapes_are_refused_and_change_nothing(sim: Simulator) -> None:
    with pytest.raises(ValueError, match="unknown answer shape"):
        sim.set(shapes={"credentials-expired", "no-such-shape"})
    assert sim.knobs.shapes == frozenset()
    assert set(SHAPES) >= {"credentials-expired", "extra-members"}
