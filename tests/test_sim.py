"""The simulator, driven by real boto3 clients over real HTTP (as ssotui and the AWS CLI do)."""

from __future__ import annotations

import hashlib
import http.client
import json
import signal
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path
from typing import Any

import boto3
import botocore.exceptions
import pytest
from botocore import UNSIGNED
from botocore.config import Config
from botocore.credentials import SSOProvider
from botocore.tokens import SSOTokenProvider

from tests.finishing import NEVER, PATIENCE, finished
from tui.sim import Organisation, SimAccount, SimRole, Simulator

DEVICE_GRANT = "urn:ietf:params:oauth:grant-type:device_code"
SCOPES = ["sso:account:access"]


def _config(**retries: Any) -> Config:
    return Config(
        signature_version=UNSIGNED,
        region_name="us-east-1",
        retries=retries or {"mode": "standard", "total_max_attempts": 1},
    )


# One boto3 session for the module: its loader caches the service models, which keeps client
# creation cheap; the endpoint still comes from the environment of each test.
_SESSION = boto3.session.Session()


def oidc_client(**retries: Any) -> Any:
    """A fresh SSO OIDC client (endpoint from AWS_ENDPOINT_URL_SSO_OIDC)."""
    return _SESSION.client("sso-oidc", config=_config(**retries))


def sso_client(**retries: Any) -> Any:
    """A fresh SSO portal client (endpoint from AWS_ENDPOINT_URL_SSO)."""
    return _SESSION.client("sso", config=_config(**retries))


class Login:
    """One client registration and device authorization, polled by hand."""

    def __init__(self, sim: Simulator, scopes: list[str] | None = SCOPES) -> None:
        self.oidc = oidc_client()
        kwargs: dict[str, Any] = {"clientName": "test", "clientType": "public"}
        if scopes is not None:
            kwargs["scopes"] = scopes
        self.client = self.oidc.register_client(**kwargs)
        self.auth = self.oidc.start_device_authorization(
            clientId=self.client["clientId"],
            clientSecret=self.client["clientSecret"],
            startUrl=sim.start_url,
        )

    def poll(self) -> dict[str, Any]:
        return dict(
            self.oidc.create_token(
                clientId=self.client["clientId"],
                clientSecret=self.client["clientSecret"],
                grantType=DEVICE_GRANT,
                deviceCode=self.auth["deviceCode"],
            )
        )

    def refresh(self, refresh_token: str) -> dict[str, Any]:
        return dict(
            self.oidc.create_token(
                clientId=self.client["clientId"],
                clientSecret=self.client["clientSecret"],
                grantType="refresh_token",
                refreshToken=refresh_token,
            )
        )


def error_code(exc: botocore.exceptions.ClientError) -> str:
    return str(exc.response["Error"]["Code"])


def status(exc: botocore.exceptions.ClientError) -> int:
    return int(exc.response["ResponseMetadata"]["HTTPStatusCode"])


@pytest.fixture
def token(sim: Simulator) -> str:
    """An access token from a completed device login (approve="auto")."""
    return str(Login(sim).poll()["accessToken"])


# -- organisation ---------------------------------------------------------------------------


def test_generate_is_deterministic_and_varied() -> None:
    org = Organisation.generate(accounts=12, seed=7)
    assert org.to_dict() == Organisation.generate(accounts=12, seed=7).to_dict()
    assert org.to_dict() != Organisation.generate(accounts=12, seed=8).to_dict()
    ids = [a.account_id for a in org.accounts]
    names = [a.name for a in org.accounts]
    assert all(len(i) == 12 and i.isdigit() for i in ids)
    assert len(set(ids)) == len(set(names)) == 12
    assert any(not n.isascii() for n in names)
    assert any(not a.roles for a in org.accounts)
    assert sum(r.forbidden for a in org.accounts for r in a.roles) >= 1
    assert all("@" in a.email and a.email.isascii() for a in org.accounts)
    assert "AdministratorAccess" in {r.name for a in org.accounts for r in a.roles}


@pytest.mark.parametrize("size", [0, 1, 2, 5])
def test_generate_small_sizes(size: int) -> None:
    org = Organisation.generate(accounts=size, seed=1)
    assert len(org) == size
    forbidden = [r for a in org.accounts for r in a.roles if r.forbidden]
    assert bool(forbidden) == (size >= 5)


def test_generate_ten_thousand_accounts_unique() -> None:
    org = Organisation.generate(accounts=10_000, seed=3, roles_per_account=(0, 6))
    assert len({a.account_id for a in org.accounts}) == 10_000
    assert len({a.name for a in org.accounts}) == 10_000
    assert org.account(org.accounts[9_999].account_id) is org.accounts[9_999]


def test_organisation_file_round_trip(tmp_path: Path) -> None:
    org = Organisation.generate(accounts=8, seed=2)
    path = tmp_path / "org.json"
    path.write_text(json.dumps(org.to_dict(), ensure_ascii=False), encoding="utf-8")
    again = Organisation.from_file(path)
    assert again.accounts == org.accounts
    hand = Organisation.from_dict(
        {
            "accounts": [
                {
                    "accountId": "111122223333",
                    "accountName": "Zürich",
                    "emailAddress": "z@example.com",
                    "roles": ["ReadOnlyAccess", {"name": "Admin", "forbidden": True}],
                }
            ]
        }
    )
    assert hand.accounts == [
        SimAccount(
            "111122223333",
            "Zürich",
            "z@example.com",
            [SimRole("ReadOnlyAccess"), SimRole("Admin", forbidden=True)],
        )
    ]


@pytest.mark.parametrize(
    "data",
    [
        {},
        {"accounts": [{"accountId": "12", "accountName": "a", "emailAddress": "e"}]},
        {"accounts": [{"accountId": "111122223333", "emailAddress": "e"}]},
        {"accounts": [{"accountId": "111122223333", "accountName": "a", "emailAddress": "e"}] * 2},
        {
            "accounts": [
                {"accountId": "111122223333", "accountName": "a", "emailAddress": "e", "roles": [1]}
            ]
        },
    ],
)
def test_organisation_file_errors(data: dict[str, Any]) -> None:
    with pytest.raises(ValueError):
        Organisation.from_dict(data)


# -- device login ---------------------------------------------------------------------------


def test_full_device_flow_and_portal(sim: Simulator, org: Organisation) -> None:
    assert Simulator(org).knobs.interval == 1  # the default announced (the fixture's is 0)
    sim.set(interval=1)
    login = Login(sim)
    auth = login.auth
    assert len(auth["userCode"]) == 9 and auth["userCode"][4] == "-"
    assert auth["userCode"] in auth["verificationUriComplete"]
    assert auth["verificationUri"].startswith(sim.url)
    assert auth["expiresIn"] == 600 and auth["interval"] == 1
    now = time.time()
    assert abs(login.client["clientIdIssuedAt"] - now) < 5
    assert login.client["clientSecretExpiresAt"] > now + 80 * 86400

    answer = login.poll()
    assert answer["tokenType"] == "Bearer"
    assert answer["expiresIn"] == 3600
    assert answer["refreshToken"]

    sso = sso_client()
    accounts = sso.list_accounts(accessToken=answer["accessToken"])["accountList"]
    assert [a["accountId"] for a in accounts] == [a.account_id for a in org.accounts]
    assert accounts[0] == {
        "accountId": org.accounts[0].account_id,
        "accountName": org.accounts[0].name,
        "emailAddress": org.accounts[0].email,
    }
    account = next(a for a in org.accounts if len(a.roles) >= 2)
    roles = sso.list_account_roles(accessToken=answer["accessToken"], accountId=account.account_id)
    assert [r["roleName"] for r in roles["roleList"]] == [r.name for r in account.roles]
    assert {r["accountId"] for r in roles["roleList"]} == {account.account_id}
    creds = sso.get_role_credentials(
        accessToken=answer["accessToken"],
        accountId=account.account_id,
        roleName=account.roles[0].name,
    )["roleCredentials"]
    assert creds["accessKeyId"].startswith("ASIA") and len(creds["accessKeyId"]) == 20
    assert creds["secretAccessKey"] and creds["sessionToken"]
    assert abs(creds["expiration"] - (time.time() + 3600) * 1000) < 10_000  # epoch ms
    assert sim.calls["CreateToken"] == 1 and sim.calls["ListAccounts"] == 1


def test_pending_until_manual_approval(sim: Simulator) -> None:
    sim.set(approve="manual", interval=0)
    login = Login(sim)
    for _ in range(3):
        with pytest.raises(botocore.exceptions.ClientError) as err:
            login.poll()
        assert error_code(err.value) == "AuthorizationPendingException"
        assert status(err.value) == 400
    assert sim.pending() == [login.auth["userCode"]]
    assert sim.approve("ZZZZ-ZZZZ") == 0
    assert sim.approve() == 1
    assert login.poll()["accessToken"]
    with pytest.raises(botocore.exceptions.ClientError) as err:
        login.poll()  # a device code gives one token only
    assert error_code(err.value) == "InvalidGrantException"


def test_approve_after_n_polls(sim: Simulator) -> None:
    sim.set(approve=3, interval=0)
    login = Login(sim)
    for _ in range(2):
        with pytest.raises(login.oidc.exceptions.AuthorizationPendingException):
            login.poll()
    assert login.poll()["accessToken"]


def test_approve_after_delay(sim: Simulator) -> None:
    # 1 s, not 0.3: a loaded machine's first poll can come that late, approved already
    sim.set(approve=1.0, interval=0)
    started = time.monotonic()
    login = Login(sim)
    with pytest.raises(login.oidc.exceptions.AuthorizationPendingException):
        login.poll()
    # polled until approved, then checked that it was not approved early (a lower bound)
    give_up = time.monotonic() + PATIENCE
    while True:
        try:
            granted = login.poll()
            break
        except login.oidc.exceptions.AuthorizationPendingException:
            assert time.monotonic() < give_up, "never approved"
            time.sleep(0.05)
    assert granted["accessToken"]
    assert time.monotonic() - started >= 1.0


def test_slow_down_when_polling_faster_than_interval(sim: Simulator) -> None:
    sim.set(approve="manual", interval=1)
    login = Login(sim)
    with pytest.raises(login.oidc.exceptions.AuthorizationPendingException):
        login.poll()
    with pytest.raises(login.oidc.exceptions.SlowDownException) as err:
        login.poll()
    assert err.value.response["Error"]["Code"] == "SlowDownException"


def test_denied(sim: Simulator) -> None:
    sim.set(approve="deny", interval=0)
    with pytest.raises(botocore.exceptions.ClientError) as err:
        Login(sim).poll()
    assert error_code(err.value) == "AccessDeniedException"
    sim.set(approve="manual")
    login = Login(sim)
    assert sim.deny(login.auth["userCode"]) == 1
    with pytest.raises(login.oidc.exceptions.AccessDeniedException):
        login.poll()


def test_expired_device_code(sim: Simulator) -> None:
    sim.set(device_code_lifetime=0)
    login = Login(sim)
    with pytest.raises(login.oidc.exceptions.ExpiredTokenException):
        login.poll()


def test_unknown_start_url_and_bad_client(sim: Simulator) -> None:
    oidc = oidc_client()
    client = oidc.register_client(clientName="t", clientType="public")
    with pytest.raises(oidc.exceptions.InvalidRequestException):
        oidc.start_device_authorization(
            clientId=client["clientId"],
            clientSecret=client["clientSecret"],
            startUrl="https://elsewhere.awsapps.com/start",
        )
    with pytest.raises(oidc.exceptions.InvalidClientException) as err:
        oidc.start_device_authorization(
            clientId=client["clientId"], clientSecret="wrong", startUrl=sim.start_url
        )
    assert status(err.value) == 401
    with pytest.raises(oidc.exceptions.UnsupportedGrantTypeException):
        oidc.create_token(
            clientId=client["clientId"],
            clientSecret=client["clientSecret"],
            grantType="password",
        )


def test_expired_client_registration(sim: Simulator) -> None:
    login = Login(sim)
    sim.expire_clients()
    with pytest.raises(login.oidc.exceptions.InvalidClientException):
        login.poll()


def test_refresh_token_is_single_use(sim: Simulator) -> None:
    login = Login(sim)
    first = login.poll()
    second = login.refresh(first["refreshToken"])
    assert second["accessToken"] != first["accessToken"]
    assert second["refreshToken"] != first["refreshToken"]
    sso_client().list_accounts(accessToken=second["accessToken"])
    with pytest.raises(botocore.exceptions.ClientError) as err:
        login.refresh(first["refreshToken"])
    assert error_code(err.value) == "InvalidGrantException" and status(err.value) == 400
    with pytest.raises(login.oidc.exceptions.InvalidGrantException):
        login.refresh("aor-made-up")
    assert login.refresh(second["refreshToken"])["accessToken"]


def test_no_refresh_token_when_disabled_or_without_scopes(sim: Simulator) -> None:
    assert "refreshToken" not in Login(sim, scopes=None).poll()
    sim.set(refresh=False)
    assert "refreshToken" not in Login(sim).poll()


def test_expired_access_token_refreshes(sim: Simulator) -> None:
    sim.set(token_lifetime=60)
    login = Login(sim)
    answer = login.poll()
    assert answer["expiresIn"] == 60
    sim.expire_tokens()
    sso = sso_client()
    with pytest.raises(sso.exceptions.UnauthorizedException) as err:
        sso.list_accounts(accessToken=answer["accessToken"])
    assert status(err.value) == 401
    fresh = login.refresh(answer["refreshToken"])
    assert sso.list_accounts(accessToken=fresh["accessToken"])["accountList"]


# -- portal ---------------------------------------------------------------------------------


def test_pagination_with_max_result_one(sim: Simulator, org: Organisation, token: str) -> None:
    sso = sso_client()
    pages = list(
        sso.get_paginator("list_accounts").paginate(
            accessToken=token, PaginationConfig={"PageSize": 1}
        )
    )
    assert len(pages) == len(org.accounts) == 12
    assert [p["accountList"][0]["accountId"] for p in pages] == [a.account_id for a in org.accounts]
    assert "nextToken" not in pages[-1]
    account = max(org.accounts, key=lambda a: len(a.roles))
    roles = [
        r["roleName"]
        for page in sso.get_paginator("list_account_roles").paginate(
            accessToken=token, accountId=account.account_id, PaginationConfig={"PageSize": 1}
        )
        for r in page["roleList"]
    ]
    assert roles == [r.name for r in account.roles]
    assert sim.calls["ListAccountRoles"] == len(account.roles)


def test_page_cap_and_later_page_faults_as_boto3_reads_them(
    sim: Simulator, org: Organisation, token: str
) -> None:
    sso = sso_client()
    sim.set(page_cap=5)
    pages = list(sso.get_paginator("list_accounts").paginate(accessToken=token))
    assert [len(p["accountList"]) for p in pages] == [5, 5, 2]  # though boto3 asked for none
    errors = {
        "InvalidRequestException": 400,
        "UnauthorizedException": 401,
        "ResourceNotFoundException": 404,
        "TooManyRequestsException": 429,
    }
    for error, code in errors.items():  # each a modelled exception of botocore's sso client
        sim.set(
            later_page_faults={"ListAccounts"}, later_page_error=error, later_page_fault_count=1
        )
        first = sso.list_accounts(accessToken=token)  # a first page is never refused
        with pytest.raises(getattr(sso.exceptions, error)) as err:
            sso.list_accounts(accessToken=token, nextToken=first["nextToken"])
        assert status(err.value) == code
        if error == "UnauthorizedException":  # the access token ended with it
            with pytest.raises(sso.exceptions.UnauthorizedException):
                sso.list_accounts(accessToken=token)
            token = Login(sim).poll()["accessToken"]
        else:  # counted down: the same page is answered now
            assert sso.list_accounts(accessToken=token, nextToken=first["nextToken"])
    with pytest.raises(ValueError):
        sim.set(later_page_error="ForbiddenException")  # not in the model of the List calls
    with pytest.raises(ValueError):
        sim.set(page_cap=0)


def test_default_page_size_and_bad_page_arguments(token: str) -> None:
    big = Simulator(Organisation.generate(accounts=45, seed=1))
    with big:
        sso = boto3.session.Session().client("sso", endpoint_url=big.url, config=_config())
        oidc = boto3.session.Session().client("sso-oidc", endpoint_url=big.url, config=_config())
        client = oidc.register_client(clientName="t", clientType="public")
        auth = oidc.start_device_authorization(
            clientId=client["clientId"], clientSecret=client["clientSecret"], startUrl=big.start_url
        )
        access = oidc.create_token(
            clientId=client["clientId"],
            clientSecret=client["clientSecret"],
            grantType=DEVICE_GRANT,
            deviceCode=auth["deviceCode"],
        )["accessToken"]
        first = sso.list_accounts(accessToken=access)
        assert len(first["accountList"]) == 20 and first["nextToken"]
        assert len(sso.list_accounts(accessToken=access, maxResults=100)["accountList"]) == 45
        with pytest.raises(sso.exceptions.InvalidRequestException):
            sso.list_accounts(accessToken=access, nextToken="garbage")
        with pytest.raises(sso.exceptions.InvalidRequestException):
            sso.list_accounts(accessToken=access, maxResults=101)


@pytest.mark.parametrize("how", ["unknown", "revoked", "expired", "logged out"])
def test_unauthorized(sim: Simulator, token: str, how: str) -> None:
    sso = sso_client()
    used = token
    if how == "unknown":
        used = "aoa-not-a-token"
    elif how == "revoked":
        sim.revoke_tokens()
    elif how == "expired":
        sim.expire_tokens()
    else:
        sso.logout(accessToken=token)
    with pytest.raises(sso.exceptions.UnauthorizedException) as err:
        sso.list_accounts(accessToken=used)
    assert status(err.value) == 401
    with pytest.raises(sso.exceptions.UnauthorizedException):
        sso.logout(accessToken=used)


def test_logout_ends_refresh_token_too(sim: Simulator) -> None:
    login = Login(sim)
    answer = login.poll()
    sso_client().logout(accessToken=answer["accessToken"])
    assert sim.calls["Logout"] == 1
    with pytest.raises(login.oidc.exceptions.InvalidGrantException):
        login.refresh(answer["refreshToken"])


def test_forbidden_and_unknown_roles(org: Organisation, token: str) -> None:
    sso = sso_client()
    account, role = next((a, r) for a in org.accounts for r in a.roles if r.forbidden)
    # A forbidden role is listed, but its credentials are refused.
    listed = sso.list_account_roles(accessToken=token, accountId=account.account_id)
    assert role.name in [r["roleName"] for r in listed["roleList"]]
    with pytest.raises(botocore.exceptions.ClientError) as err:
        sso.get_role_credentials(
            accessToken=token, accountId=account.account_id, roleName=role.name
        )
    assert error_code(err.value) == "ForbiddenException" and status(err.value) == 403
    with pytest.raises(sso.exceptions.ResourceNotFoundException) as err:
        sso.get_role_credentials(accessToken=token, accountId=account.account_id, roleName="Nope")
    assert status(err.value) == 404
    with pytest.raises(sso.exceptions.ResourceNotFoundException):
        sso.get_role_credentials(accessToken=token, accountId="000000000000", roleName="X")
    with pytest.raises(sso.exceptions.ResourceNotFoundException):
        sso.list_account_roles(accessToken=token, accountId="000000000000")
    empty = next(a for a in org.accounts if not a.roles)
    assert sso.list_account_roles(accessToken=token, accountId=empty.account_id)["roleList"] == []


def test_rate_limit_answers_429(sim: Simulator, token: str) -> None:
    sim.set(rate_limit=1)
    sso = sso_client()
    sso.list_accounts(accessToken=token)
    with pytest.raises(sso.exceptions.TooManyRequestsException) as err:
        sso.list_accounts(accessToken=token)
    assert status(err.value) == 429
    sim.set(rate_limit=None)
    sso.list_accounts(accessToken=token)


def test_rate_limit_is_a_token_bucket(sim: Simulator, token: str) -> None:
    sim.set(rate_limit=2)
    sso = sso_client()
    roles = [
        lambda: sso.list_accounts(accessToken=token),
        lambda: sso.list_account_roles(accessToken=token, accountId=sim.org.accounts[0].account_id),
    ]
    answered = throttled = 0
    for n in range(10):  # a burst of 2 passes, then the bucket shared by all calls is empty
        try:
            roles[n % 2]()
            answered += 1
        except sso.exceptions.TooManyRequestsException:
            throttled += 1
    assert 2 <= answered <= 4 and throttled >= 6
    time.sleep(0.6)  # refills at 2 calls per second
    sso.list_accounts(accessToken=token)


def test_injected_server_errors(sim: Simulator, token: str) -> None:
    sim.set(fail_every=2)
    sso = sso_client()
    sso.list_accounts(accessToken=token)
    with pytest.raises(botocore.exceptions.ClientError) as err:
        sso.list_accounts(accessToken=token)
    assert status(err.value) == 500 and error_code(err.value) == "InternalServerException"
    # botocore's standard retries get through an occasional 5xx.
    retrying = sso_client(mode="standard", max_attempts=3)
    for _ in range(4):
        retrying.list_accounts(accessToken=token)
    sim.set(fail_every=1, fail_status=503)
    with pytest.raises(botocore.exceptions.ClientError) as err:
        sso.list_accounts(accessToken=token)
    assert status(err.value) == 503


def test_malformed_response(sim: Simulator, token: str) -> None:
    sim.set(malformed={"ListAccounts"})
    code, _, body = _raw_text(f"{sim.url}/assignment/accounts", token)
    assert code == 200
    with pytest.raises(ValueError):
        json.loads(body)
    # botocore does not raise on a broken 200 body: the answer just lacks its members.
    sso = sso_client()
    assert "accountList" not in sso.list_accounts(accessToken=token)
    sim.set(malformed=set())
    assert sso.list_accounts(accessToken=token)["accountList"]


def test_latency(sim: Simulator, token: str) -> None:
    sim.set(latency=0.2)
    started = time.monotonic()
    sso_client().list_accounts(accessToken=token)
    assert time.monotonic() - started >= 0.2


def test_concurrent_calls_are_safe(sim: Simulator, org: Organisation, token: str) -> None:
    sso = sso_client()
    pairs = [(a.account_id, r.name) for a in org.accounts for r in a.roles if not r.forbidden]
    keys: list[str] = []
    lock = threading.Lock()

    def fetch(account_id: str, role: str) -> None:
        creds = sso.get_role_credentials(accessToken=token, accountId=account_id, roleName=role)
        with lock:
            keys.append(creds["roleCredentials"]["accessKeyId"])

    threads = [threading.Thread(target=fetch, args=pair) for pair in pairs * 2]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(keys) == len(set(keys)) == len(pairs) * 2
    assert sim.calls["GetRoleCredentials"] == len(pairs) * 2


# -- wire format, knobs, lifecycle ----------------------------------------------------------


def _raw(url: str, body: dict[str, Any] | None = None) -> tuple[int, dict[str, str], Any]:
    data = json.dumps(body).encode() if body is not None else None
    request = urllib.request.Request(url, data=data, method="POST" if data else "GET")
    try:
        with urllib.request.urlopen(request, timeout=5) as response:
            return response.status, dict(response.headers), json.loads(response.read())
    except urllib.error.HTTPError as err:
        return err.code, dict(err.headers), json.loads(err.read())


def _raw_text(url: str, token: str) -> tuple[int, dict[str, str], str]:
    request = urllib.request.Request(url, headers={"x-amz-sso_bearer_token": token})
    with urllib.request.urlopen(request, timeout=5) as response:
        return response.status, dict(response.headers), response.read().decode()


def test_error_wire_format(sim: Simulator) -> None:
    code, headers, body = _raw(f"{sim.url}/assignment/accounts")
    assert code == 401
    assert headers["x-amzn-ErrorType"].split(":")[0] == "UnauthorizedException"
    assert set(body) == {"message"}
    code, headers, body = _raw(
        f"{sim.url}/token", {"clientId": "x", "clientSecret": "y", "grantType": DEVICE_GRANT}
    )
    assert code == 401
    assert headers["x-amzn-ErrorType"].startswith("InvalidClientException")
    assert body["error"] == "invalid_client" and body["error_description"] and body["message"]


def test_verification_page_approves(sim: Simulator) -> None:
    sim.set(approve="manual", interval=0)
    login = Login(sim)
    with urllib.request.urlopen(login.auth["verificationUriComplete"], timeout=5) as page:
        assert login.auth["userCode"] in page.read().decode()
    form = urllib.parse.urlencode({"user_code": login.auth["userCode"], "action": "approve"})
    with urllib.request.urlopen(login.auth["verificationUri"], data=form.encode(), timeout=5):
        pass
    assert login.poll()["accessToken"]


def test_knob_validation(sim: Simulator) -> None:
    with pytest.raises(TypeError):
        sim.set(no_such_knob=1)
    with pytest.raises(ValueError):
        sim.set(approve="sometimes")
    with pytest.raises(ValueError):
        sim.set(fail_every=0)
    with pytest.raises(ValueError):
        Simulator(Organisation.generate(accounts=1), rate_limit=0)
    assert sim.knobs.fail_every is None  # a rejected change leaves the knobs as they were


def test_lifecycle() -> None:
    sim = Simulator(Organisation.generate(accounts=3), latency=NEVER)
    with pytest.raises(RuntimeError):
        _ = sim.url
    with sim:
        url = sim.url
        assert url.startswith("http://127.0.0.1:")
        assert sim.env() == {
            "AWS_ENDPOINT_URL_SSO": url,
            "AWS_ENDPOINT_URL_SSO_OIDC": url,
            "AWS_ENDPOINT_URL_SIGNIN": url,
        }
        ended: list[BaseException | None] = []

        def ask() -> None:
            try:
                _raw(f"{url}/assignment/accounts")
            except (OSError, http.client.HTTPException, ValueError) as exc:  # dropped, cut short
                ended.append(exc)
            else:
                ended.append(None)

        slow = threading.Thread(target=ask)
        slow.start()
        deadline = time.monotonic() + PATIENCE
        while sim.calls["ListAccounts"] < 1 and time.monotonic() < deadline:
            time.sleep(0.01)
        assert sim.calls["ListAccounts"] == 1  # the call is in, waiting out its latency
        finished(sim.stop, what="stopping the simulator")  # not waiting for the latency
    slow.join(timeout=PATIENCE)
    assert not slow.is_alive()
    assert len(ended) == 1  # answered or dropped as the simulator stopped: not left hanging
    with pytest.raises(OSError):
        urllib.request.urlopen(f"{url}/assignment/accounts", timeout=2)


def test_standalone_command(tmp_path: Path) -> None:
    org_file = tmp_path / "org.json"
    org_file.write_text(json.dumps(Organisation.generate(accounts=3, seed=4).to_dict()))
    proc = subprocess.Popen(
        [sys.executable, "-m", "tui.sim", "--org", str(org_file), "--approve", "auto", "--quiet"],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert proc.stdout is not None
        lines = []
        for line in proc.stdout:
            lines.append(line)
            if "Ctrl-C" in line:
                break
        text = "".join(lines)
        exports = [line for line in lines if line.startswith("export AWS_ENDPOINT_URL_SSO")]
        assert len(exports) == 2
        url = exports[0].strip().split("=", 1)[1]
        assert "[sso-session" in text and "sso_start_url = " in text
        code, _, _ = _raw(f"{url}/assignment/accounts")
        assert code == 401
    finally:
        proc.send_signal(signal.SIGINT)
        assert proc.wait(timeout=PATIENCE) == 0  # it ends (5 s was too short on a loaded machine)


def test_botocore_sso_provider_uses_and_refreshes_a_cached_token(
    sim: Simulator,
    org: Organisation,
    home: Any,
    sso_config: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """botocore's own SSO token and credential providers work against the simulator."""
    # botocore computes its SSO cache folder from HOME once, at import time.
    monkeypatch.setattr(SSOTokenProvider, "_SSO_TOKEN_CACHE_DIR", str(home.sso_cache))
    monkeypatch.setattr(SSOProvider, "_SSO_TOKEN_CACHE_DIR", str(home.sso_cache))
    login = Login(sim)
    answer = login.poll()
    soon = time.gmtime(time.time() + 300)  # inside botocore's 15-minute refresh window
    later = time.gmtime(login.client["clientSecretExpiresAt"])
    cache = home.sso_cache / (hashlib.sha1(b"dev").hexdigest() + ".json")
    cache.parent.mkdir(parents=True)
    cache.write_text(
        json.dumps(
            {
                "startUrl": sim.start_url,
                "region": sim.region,
                "accessToken": answer["accessToken"],
                "expiresAt": time.strftime("%Y-%m-%dT%H:%M:%SZ", soon),
                "clientId": login.client["clientId"],
                "clientSecret": login.client["clientSecret"],
                "registrationExpiresAt": time.strftime("%Y-%m-%dT%H:%M:%SZ", later),
                "refreshToken": answer["refreshToken"],
            }
        )
    )
    account = next(a for a in org.accounts if a.roles and not a.roles[0].forbidden)
    with sso_config.open("a") as f:
        f.write(
            "[profile work]\nsso_session = dev\n"
            f"sso_account_id = {account.account_id}\nsso_role_name = {account.roles[0].name}\n"
        )
    calls_before = sim.calls["CreateToken"]
    creds = boto3.session.Session(profile_name="work").get_credentials()
    assert creds is not None
    assert creds.get_frozen_credentials().access_key.startswith("ASIA")
    assert sim.calls["CreateToken"] == calls_before + 1  # refreshed with the refresh token
    assert sim.calls["GetRoleCredentials"] == 1
    written = json.loads(cache.read_text())
    assert written["refreshToken"] != answer["refreshToken"]


def test_standalone_command_sets_the_role_credentials_lifetime(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from tui.sim import __main__ as standalone

    given: dict[str, Any] = {}

    def simulator(org: Organisation, **knobs: Any) -> Simulator:
        given.update(knobs)
        raise ValueError("not started in this test")

    monkeypatch.setattr(standalone, "Simulator", simulator)
    assert standalone.main(["--accounts", "2", "--credential-lifetime", "30"]) == 1
    assert given["credential_lifetime"] == 30
    assert "not started in this test" in capsys.readouterr().err
