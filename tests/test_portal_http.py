"""ssotui's direct portal client held against botocore's `sso` client, and against the network.

The direct client (`tui.aws.portal_http`) replaces botocore wherever the endpoint is plain, so
it has to be indistinguishable from it: the same operations as botocore's service model, the
same bytes on the wire, the same reading of every kind of answer (both clients are pointed at
one recording server and compared), and the same one-line errors when the network misbehaves.
"""

from __future__ import annotations

import contextlib
import inspect
import json
import os
import shutil
import socket
import ssl
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta
from pathlib import Path
from typing import Any

import botocore.session
import pytest
from botocore import xform_name

from tests.finishing import NEVER, finished
from tests.http_recorder import Answer, Recorded, Recorder, recording
from tui.aws import clients, portal_http
from tui.aws.clients import portal_client
from tui.aws.portal import Portal
from tui.aws.portal_botocore import BotocorePortalClient
from tui.aws.portal_http import OPERATIONS, TOKEN_HEADER, PortalHttpClient
from tui.aws.transport import (
    Dropped,
    MalformedResponse,
    PortalClient,
    ReadTimeout,
    Refused,
    TransportError,
    Unreachable,
)
from tui.errors import NoAccess, ServiceError, SsotuiError
from tui.models import Account, SsoSession, Token, utcnow
from tui.sim import Organisation, Simulator, certificate

SESSION = SsoSession(name="dev", start_url="https://example.awsapps.com/start", region="us-east-1")
# looks like a real access token, and is easy to spot wherever it leaks
SECRET = "aoaAAAAAGh0dHBzOi8vZXhhbXBsZS5jb20-SECRET+token/value=="
ACCOUNT = "012345678901"
JSON = (("Content-Type", "application/json"),)
# headers only botocore sends (per-attempt bookkeeping); every other header must match
BOTOCORE_ONLY_HEADERS = {"amz-sdk-invocation-id", "amz-sdk-request"}


@pytest.fixture(autouse=True)
def fresh_clients(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Clients are cached by endpoint and settings: every test builds its own, with no proxy
    or endpoint setting of the machine's (either would send botocore elsewhere)."""
    for name in ("HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "http_proxy", "https_proxy"):
        monkeypatch.delenv(name, raising=False)
    for name in ("all_proxy", "AWS_USE_FIPS_ENDPOINT", "AWS_USE_DUALSTACK_ENDPOINT"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.delenv("AWS_IGNORE_CONFIGURED_ENDPOINT_URLS", raising=False)
    clients.clear_cache()
    yield
    clients.clear_cache()


def client_for(mode: str, url: str, monkeypatch: pytest.MonkeyPatch) -> PortalClient:
    """The client the Portal would use with `SSOTUI_PORTAL_CLIENT=mode`, aimed at `url`."""
    monkeypatch.setenv("AWS_ENDPOINT_URL_SSO", url)
    monkeypatch.setenv("SSOTUI_PORTAL_CLIENT", mode)
    clients.clear_cache()
    client = portal_client(SESSION, environ=os.environ)
    kind = PortalHttpClient if mode == "direct" else BotocorePortalClient
    assert isinstance(client, kind), type(client)
    return client


def a_token(secret: str = SECRET) -> Token:
    return Token(
        start_url=SESSION.start_url,
        region=SESSION.region,
        access_token=secret,
        expires_at=utcnow() + timedelta(hours=1),
    )


def no_sleep(_seconds: float) -> None:
    pass


# --- 1. the model -----------------------------------------------------------------------------


def test_operations_are_exactly_those_of_botocores_sso_model() -> None:
    model = botocore.session.get_session().get_service_model("sso")
    assert model.protocol == "rest-json"
    assert set(OPERATIONS) == set(model.operation_names)
    for name, operation in OPERATIONS.items():
        modelled = model.operation_model(name)
        assert (operation.method, operation.path) == (
            modelled.http["method"],
            modelled.http["requestUri"],
        ), name
        # unsigned, and on the endpoint itself (no host prefix): nothing the direct client skips
        assert modelled.auth_type == "none", name
        assert modelled.endpoint is None, name
        where: dict[str, dict[str, str]] = {}
        assert modelled.input_shape is not None
        for member, shape in modelled.input_shape.members.items():
            location = shape.serialization.get("location", "body")
            where.setdefault(location, {})[member] = shape.serialization.get("name", member)
        assert where.pop("header") == {"accessToken": TOKEN_HEADER}, name
        assert where.pop("querystring", {}) == operation.query, name
        assert where == {}, f"{name} has members the direct client does not send: {where}"


@pytest.mark.parametrize("kind", [PortalHttpClient, BotocorePortalClient])
def test_client_methods_take_botocores_parameters(kind: type[PortalClient]) -> None:
    model = botocore.session.get_session().get_service_model("sso")
    for name in OPERATIONS:
        modelled = model.operation_model(name)
        assert modelled.input_shape is not None
        method = getattr(kind, xform_name(name))
        params = list(inspect.signature(method).parameters.values())[1:]
        assert all(p.kind is inspect.Parameter.KEYWORD_ONLY for p in params), name
        assert {p.name for p in params} == set(modelled.input_shape.members), name
        required = {p.name for p in params if p.default is inspect.Parameter.empty}
        assert required == set(modelled.input_shape.required_members), name


# --- 2. the wire ------------------------------------------------------------------------------

AWKWARD_TOKEN = "AAEAA+b/c==  d\u00fc\u20ac~*'()!&%2F?#"
CALLS = [
    pytest.param("list_accounts", {"maxResults": 100}, id="ListAccounts"),
    pytest.param(
        "list_accounts", {"maxResults": 1, "nextToken": AWKWARD_TOKEN}, id="ListAccounts-page-2"
    ),
    pytest.param(
        "list_account_roles",
        {"accountId": ACCOUNT, "maxResults": 100, "nextToken": AWKWARD_TOKEN},
        id="ListAccountRoles",
    ),
    pytest.param(
        "get_role_credentials",
        {"roleName": "Admin+=,.@-_Role", "accountId": ACCOUNT},
        id="GetRoleCredentials",
    ),
    pytest.param("logout", {}, id="Logout"),
]


def sent_by_both(
    server: Recorder, monkeypatch: pytest.MonkeyPatch, url: str, method: str, kwargs: dict[str, Any]
) -> tuple[Recorded, Recorded]:
    """The request the direct client sent for a call, and the one botocore sent."""
    got = []
    for mode in ("direct", "botocore"):
        server.forget()
        getattr(client_for(mode, url, monkeypatch), method)(accessToken=SECRET, **kwargs)
        [request] = server.requests
        got.append(request)
    return got[0], got[1]


def assert_same_request(direct: Recorded, boto: Recorded) -> None:
    assert (direct.method, direct.path, direct.query) == (boto.method, boto.path, boto.query)
    # encoded alike, not only decoded alike ('+' and '%20' both decode to a space)
    pieces = [sorted(r.target.partition("?")[2].split("&")) for r in (direct, boto)]
    assert pieces[0] == pieces[1]
    assert direct.headers[TOKEN_HEADER] == boto.headers[TOKEN_HEADER] == SECRET
    assert direct.body == boto.body
    assert set(direct.headers) == set(boto.headers) - BOTOCORE_ONLY_HEADERS
    differ = {k for k in direct.headers if direct.headers[k] != boto.headers[k]}
    assert differ <= {"user-agent"}


@pytest.mark.parametrize("base", ["", "/", "/portal", "/portal/"])
@pytest.mark.parametrize(("method", "kwargs"), CALLS)
def test_requests_are_botocores_on_the_wire(
    method: str, kwargs: dict[str, Any], base: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    with recording() as server:
        direct, boto = sent_by_both(server, monkeypatch, server.url + base, method, kwargs)
    assert_same_request(direct, boto)
    assert direct.path.startswith(base.rstrip("/") + "/")


def test_parameters_that_are_none_are_not_sent(monkeypatch: pytest.MonkeyPatch) -> None:
    with recording() as server:
        direct = client_for("direct", server.url, monkeypatch)
        direct.list_accounts(accessToken=SECRET, maxResults=None, nextToken=None)
        direct.list_account_roles(
            accessToken=SECRET, accountId=ACCOUNT, maxResults=None, nextToken=None
        )
        boto = client_for("botocore", server.url, monkeypatch)
        boto.list_accounts(accessToken=SECRET)  # botocore refuses None: it leaves them out
        boto.list_account_roles(accessToken=SECRET, accountId=ACCOUNT)
        sent = server.requests
    assert sent[0].target == "/assignment/accounts"
    assert sent[1].target == f"/assignment/roles?account_id={ACCOUNT}"
    assert_same_request(sent[0], sent[2])
    assert_same_request(sent[1], sent[3])


# --- 3. the answers ---------------------------------------------------------------------------

UNAUTHORIZED = "UnauthorizedException:http://internal.amazon.com/coral/com.amazonaws.switchboard/"
ANSWERS = [
    pytest.param(
        Answer(
            200,
            json.dumps(
                {
                    "accountList": [
                        {
                            "accountId": ACCOUNT,
                            "accountName": "Pr\u00fcf \u2603",
                            "emailAddress": "a@b",
                        }
                    ],
                    "nextToken": "n+/=",
                },
                ensure_ascii=False,
            ).encode(),
        ),
        id="200-json",
    ),
    pytest.param(Answer(200, b'{"accountList": []}', chunked=True), id="200-json-chunked"),
    pytest.param(Answer(200, b""), id="200-empty"),
    pytest.param(Answer(200, b'{"accountList": null, "nextToken": null}'), id="200-nulls"),
    pytest.param(Answer(204, b"", ()), id="204"),
    pytest.param(Answer(200, b"<html>captive portal</html>", ()), id="200-not-json"),
    pytest.param(Answer(302, b"", (("Location", "https://login.example/"),)), id="302"),
    pytest.param(
        Answer(
            401,
            b'{"message":"Session token not found or invalid"}',
            (*JSON, ("x-amzn-ErrorType", UNAUTHORIZED)),
        ),
        id="401-header",
    ),
    pytest.param(
        Answer(429, b'{"__type":"com.amazon#TooManyRequestsException","message":"slow"}'),
        id="429-__type",
    ),
    pytest.param(
        Answer(
            403,
            b'{"__type":"NotThis","message":"No access"}',
            (*JSON, ("x-amzn-ErrorType", "ForbiddenException")),
        ),
        id="403-header-beats-__type",
    ),
    pytest.param(
        Answer(404, b'{"code":"ResourceNotFoundException","Message":"gone"}'), id="404-code"
    ),
    pytest.param(
        Answer(400, b'{"__type":"InvalidRequestException:http://x/","message":"bad"}'),
        id="400-__type-with-namespace",
    ),
    pytest.param(Answer(409, b'{"Code":"ConflictException","Message":"busy"}'), id="409-Code"),
    pytest.param(Answer(400, b"Bad Request: nope", ()), id="400-text"),
    pytest.param(Answer(403, b"<html><body>Blocked by proxy</body></html>", ()), id="403-html"),
    pytest.param(Answer(404, b"", ()), id="404-empty"),
    pytest.param(Answer(500, b"<html><body><h1>500</h1></body></html>", ()), id="500-html-generic"),
    pytest.param(
        Answer(500, b'{"__type":"InternalServerException","message":"boom"}'), id="500-json"
    ),
    pytest.param(Answer(502, b"", ()), id="502-empty-generic"),
    pytest.param(Answer(503, b"  \r\n", ()), id="503-blank-generic"),
    pytest.param(Answer(503, b"Service Unavailable", ()), id="503-text"),
    pytest.param(Answer(504, b"<!DOCTYPE html><html>gateway</html>", ()), id="504-doctype"),
    pytest.param(Answer(503, b'<html lang="en">busy</html>', ()), id="503-html-attributes"),
]


def outcome(call: Callable[[], dict[str, Any]]) -> tuple[Any, ...]:
    """What a call gave, in terms both clients share."""
    try:
        result = dict(call())
    except MalformedResponse as exc:
        return ("malformed", exc.endpoint)
    except Refused as exc:
        return ("refused", exc.operation, exc.status, exc.code, exc.message, exc.endpoint)
    result.pop("ResponseMetadata", None)
    return ("answer", result)


def through_portal(client: Any) -> tuple[Any, ...]:
    """What the user gets from listing accounts through `client`."""
    portal = Portal(SESSION, a_token(), client=client, sleep=no_sleep)
    try:
        return ("accounts", [a for page in portal.list_accounts() for a in page])
    except SsotuiError as exc:
        return (type(exc).__name__, exc.message)


@pytest.mark.parametrize("answer", ANSWERS)
def test_answers_are_read_as_botocore_reads_them(
    answer: Answer, monkeypatch: pytest.MonkeyPatch
) -> None:
    with recording(answer) as server:
        direct = client_for("direct", server.url, monkeypatch)
        boto = client_for("botocore", server.url, monkeypatch)
        got = outcome(lambda: direct.list_accounts(accessToken=SECRET))
        assert got == outcome(lambda: boto.list_accounts(accessToken=SECRET))
        # and so the user sees the same thing whichever client is in use
        assert through_portal(direct) == through_portal(boto)
    if answer.status >= 300:
        assert got[0] == "refused"


@pytest.mark.parametrize("mode", ["direct", "botocore"])
@pytest.mark.parametrize(
    ("answer", "operation"),
    [(Answer(203, b'{"accountList":[]}'), "list_accounts"), (Answer(200, b""), "logout")],
)
def test_an_answer_carries_its_status_as_botocores_do(
    mode: str, answer: Answer, operation: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    # What `--debug` shows for the call (tui.aws.call_log): the direct client's said "2xx".
    with recording(answer) as server:
        client = client_for(mode, server.url, monkeypatch)
        result = getattr(client, operation)(accessToken=SECRET)
    assert result["ResponseMetadata"]["HTTPStatusCode"] == answer.status


@pytest.mark.parametrize("mode", ["direct", "botocore"])
def test_refusals_are_the_transports_own_type_from_either_client(
    mode: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    answer = Answer(403, b'{"message":"No access"}', (("x-amzn-ErrorType", "ForbiddenException"),))
    with recording(answer) as server:
        client = client_for(mode, server.url, monkeypatch)
        with pytest.raises(Refused) as err:
            client.get_role_credentials(roleName="R", accountId=ACCOUNT, accessToken=SECRET)
        portal = Portal(SESSION, a_token(), client=client, sleep=no_sleep)
        with pytest.raises(NoAccess, match="no access to role R in account n"):
            portal.role_credentials(Account(ACCOUNT, "n"), "R")
    refused = err.value
    assert (refused.operation, refused.status, refused.code, refused.message) == (
        "GetRoleCredentials",
        403,
        "ForbiddenException",
        "No access",
    )
    assert refused.endpoint == server.url
    assert not refused.throttled and not refused.server_error
    assert not hasattr(refused, "response")  # no imitation of botocore's ClientError any more


def test_role_credentials_are_read_alike(monkeypatch: pytest.MonkeyPatch) -> None:
    # milliseconds, as the service sends them; an hour ahead (more than 12 h is cut to 12 h)
    expires = (int(time.time()) + 3600) * 1000
    answer = {
        "roleCredentials": {
            "accessKeyId": "ASIAEXAMPLEEXAMPLE00",
            "secretAccessKey": "secret/+key",
            "sessionToken": "session+token/==",
            "expiration": expires,
        }
    }
    with recording(Answer(200, json.dumps(answer).encode())) as server:
        got = []
        for mode in ("direct", "botocore"):
            client = client_for(mode, server.url, monkeypatch)
            raw = outcome(
                lambda c=client: c.get_role_credentials(
                    roleName="R", accountId=ACCOUNT, accessToken=SECRET
                )
            )
            portal = Portal(SESSION, a_token(), client=client)
            creds = portal.role_credentials(Account(ACCOUNT, "n"), "R")
            got.append((raw, creds))
    assert got[0] == got[1]
    assert got[0][0] == ("answer", answer)
    assert got[0][1].expiration.timestamp() == expires / 1000


@pytest.mark.parametrize(
    "body",
    [
        pytest.param(b"[]", id="a-list"),
        pytest.param(b"null", id="null"),
        pytest.param(b'"accounts"', id="a-string"),
    ],
)
def test_json_that_is_not_an_object_is_one_line_with_either_client(
    body: bytes, monkeypatch: pytest.MonkeyPatch
) -> None:
    # botocore's parser would fail on these with an AttributeError or TypeError of its own;
    # both clients say MalformedResponse, and the user gets one ServiceError line.
    with recording(Answer(200, body)) as server:
        for mode in ("direct", "botocore"):
            with pytest.raises(MalformedResponse):
                client_for(mode, server.url, monkeypatch).list_accounts(accessToken=SECRET)
            kind, line = through_portal(client_for(mode, server.url, monkeypatch))
            assert kind == "ServiceError" and "try again later" in line, (mode, line)


@pytest.mark.parametrize(
    "answer",
    [
        pytest.param(Answer(200, b""), id="200-length-0"),
        pytest.param(Answer(200, b"", chunked=True), id="200-chunked-empty"),
        pytest.param(Answer(204, b"", ()), id="204"),
        pytest.param(Answer(200, b"  \r\n"), id="200-blank"),
    ],
)
@pytest.mark.parametrize("operation", ["ListAccounts", "ListAccountRoles", "GetRoleCredentials"])
def test_an_empty_answer_to_a_listing_is_no_listing_with_either_client(
    answer: Answer, operation: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Identity Center lists nothing as `{"accountList": []}`; botocore's parser reads a 2xx
    # with no body at all (a proxy's, a captive portal's) as that, and a listing of no
    # accounts or roles is what `populate` drops profiles on. Both clients refuse it alike.
    params = {
        "ListAccounts": {},
        "ListAccountRoles": {"accountId": ACCOUNT},
        "GetRoleCredentials": {"accountId": ACCOUNT, "roleName": "R"},
    }[operation]
    with recording(answer) as server:
        for mode in ("direct", "botocore"):
            client = client_for(mode, server.url, monkeypatch)
            with pytest.raises(MalformedResponse) as err:
                client.call(operation, accessToken=SECRET, **params)
            assert err.value.endpoint == server.url
            kind, line = through_portal(client)
            assert (kind, line) == (
                "ServiceError",
                f"Identity Center at {server.url} sent a response ssotui cannot read: try "
                "again later",
            ), mode


@pytest.mark.parametrize(
    "body",
    [
        b"<html><body>Sign in to the guest Wi-Fi</body></html>",
        b"\n<!DOCTYPE html>\n<html><title>Blocked by policy</title></html>",
    ],
    ids=["html", "doctype"],
)
def test_a_web_page_for_an_answer_says_what_may_be_in_the_way(
    body: bytes, monkeypatch: pytest.MonkeyPatch
) -> None:
    # A network login page, a proxy's block page, a web site where the endpoint should be,
    # answering 200. Was: "sent a response ssotui cannot read: try again later" (no later helps).
    with recording(Answer(200, body, (("Content-Type", "text/html"),))) as server:
        for mode in ("direct", "botocore"):
            kind, line = through_portal(client_for(mode, server.url, monkeypatch))
            assert (kind, line) == (
                "ServiceError",
                f"{server.url} answered with a web page, not like Identity Center (a network "
                "login page or a proxy in the way?): check your network, proxy and the address "
                "you set for it (AWS_ENDPOINT_URL_SSO, AWS_ENDPOINT_URL_SSO_OIDC, "
                "AWS_ENDPOINT_URL or an endpoint_url)",
            ), mode


@pytest.mark.parametrize(
    "body", [b"OK", b'{"message": "bye"}', b"[]"], ids=["text", "json", "json-array"]
)
def test_a_logout_answered_with_a_body_ended_the_sign_in(
    body: bytes, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Logout has no output in botocore's model: botocore reads no body of its 200, and `aws sso
    # logout` succeeds whatever it holds. Was: "sent a response ssotui cannot read" and
    # "could not revoke the token" for a body that is not a JSON object.
    with recording(Answer(200, body, (("Content-Type", "text/plain"),))) as server:
        for mode in ("direct", "botocore"):
            client = client_for(mode, server.url, monkeypatch)
            assert Portal(SESSION, a_token(), client=client, sleep=no_sleep).logout(), mode


def test_a_logout_answered_with_a_web_page_did_not_reach_identity_center(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # a network login page or a proxy's page in the way: nothing was revoked, and the logout
    # must not say it was
    page = Answer(200, b"<html><body>Sign in to the Wi-Fi</body></html>", ())
    with recording(page) as server:
        for mode in ("direct", "botocore"):
            client = client_for(mode, server.url, monkeypatch)
            with pytest.raises(ServiceError, match="answered with a web page"):
                Portal(SESSION, a_token(), client=client, sleep=no_sleep).logout()


@pytest.mark.parametrize(
    ("answer", "who"),
    [
        pytest.param(
            Answer(407, b"", (("Proxy-Authenticate", "Basic"),)),
            "a proxy asking for a login",
            id="407",
        ),
        pytest.param(
            Answer(400, b"<html>Bad Request</html>", (("Content-Type", "text/html"),)),
            "a proxy or gateway in the way",
            id="400-page",
        ),
        pytest.param(Answer(405, b""), "a proxy or gateway in the way", id="405"),
    ],
)
def test_a_refusal_without_an_error_name_is_not_identity_centers(
    answer: Answer, who: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Was: "Identity Center refused ListAccounts (407) for session ...: try again later, and
    # report it if it persists" (and a 400's web page in the line, tags and all).
    with recording(answer) as server:
        for mode in ("direct", "botocore"):
            kind, line = through_portal(client_for(mode, server.url, monkeypatch))
            assert (kind, line) == (
                "ServiceError",
                f"{server.url} answered HTTP {answer.status} to ListAccounts without an error "
                f"name, not like Identity Center ({who}?): check any proxy (HTTPS_PROXY, "
                f"NO_PROXY) and endpoint override of session {SESSION.label}",
            ), mode


@pytest.mark.parametrize("mode", ["direct", "botocore"])
@pytest.mark.parametrize(
    "body",
    [b'{"accountList": {"a": 1}}', b'{"accountList": "none"}', b'{"accountList": [1]}'],
    ids=["an-object", "a-string", "a-list-of-numbers"],
)
def test_a_listing_not_of_the_models_shape_is_an_unreadable_answer(
    mode: str, body: bytes, monkeypatch: pytest.MonkeyPatch
) -> None:
    # botocore's parser failed on these with an AttributeError of its own, which the user read
    # as "ListAccounts failed for session dev (AttributeError)"
    with recording(Answer(200, body)) as server:
        kind, line = through_portal(client_for(mode, server.url, monkeypatch))
    assert kind == "ServiceError", line
    assert "unreadable ListAccounts answer" in line or "response ssotui cannot read" in line


@pytest.mark.parametrize("mode", ["direct", "botocore"])
@pytest.mark.parametrize(
    "body",
    [b"{}", b'{"accountList": null, "nextToken": null}', b'{"accountList": []}'],
    ids=["no-members", "nulls", "empty-list"],
)
def test_an_answer_listing_nothing_is_no_accounts(
    mode: str, body: bytes, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Every member of ListAccountsResponse is optional in botocore's model, and botocore reads
    # a null member as one left out: each of these is an organisation with nothing assigned.
    with recording(Answer(200, body)) as server:
        assert through_portal(client_for(mode, server.url, monkeypatch)) == ("accounts", [])


def test_unmodelled_keys_and_nulls_do_not_change_the_listing(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # botocore keeps only modelled members and drops nulls; the direct client keeps the JSON
    # as it came. What the Portal makes of it must not differ.
    page = {
        "accountList": [
            {"accountId": ACCOUNT, "accountName": None, "emailAddress": "a@b", "extra": [1]},
            {"accountId": "111122223333", "accountName": "two", "new": {"x": 1}},
        ],
        "nextToken": None,
        "somethingNew": True,
    }
    with recording(Answer(200, json.dumps(page).encode())) as server:
        seen = [
            through_portal(client_for(mode, server.url, monkeypatch))
            for mode in ("direct", "botocore")
        ]
        assert len(server.requests) == 2  # a null nextToken ends the listing for both
    assert seen[0] == seen[1]
    assert seen[0] == (
        "accounts",
        [Account(ACCOUNT, "", "a@b"), Account("111122223333", "two", "")],
    )


# --- 6. the network ---------------------------------------------------------------------------


def closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def portal_at(url: str, monkeypatch: pytest.MonkeyPatch, **kwargs: Any) -> Portal:
    monkeypatch.setenv("AWS_ENDPOINT_URL_SSO", url)
    monkeypatch.delenv("SSOTUI_PORTAL_CLIENT", raising=False)
    clients.clear_cache()
    portal = Portal(SESSION, a_token(), **kwargs, environ=os.environ)
    assert isinstance(portal.client, PortalHttpClient)
    return portal


def test_connection_refused_is_one_line(monkeypatch: pytest.MonkeyPatch) -> None:
    url = f"http://127.0.0.1:{closed_port()}"
    portal = portal_at(url, monkeypatch)
    started = time.monotonic()
    with pytest.raises(ServiceError) as err:
        list(portal.list_accounts())
    assert time.monotonic() - started < 5
    assert err.value.message.startswith(f"cannot reach Identity Center at {url} (session dev")
    assert "\n" not in err.value.message


def test_a_server_that_never_answers_times_out_with_one_line(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("SSOTUI_READ_TIMEOUT", "0.5")
    with recording(hang=True) as server:
        portal = portal_at(server.url, monkeypatch)
        with pytest.raises(ServiceError) as err:
            finished(lambda: list(portal.list_accounts()), what="ListAccounts")
        asked = len(server.requests)
    # The read timeout ended each attempt: had the 10 s default been used, the call's 15 s
    # deadline would have ended it after 2 attempts, and said so.
    assert err.value.message == (
        f"Identity Center at {server.url} did not answer in time (session dev): try again later"
    )
    assert asked == 3  # the first try and the Portal's two retries, no more


def pages_of_accounts(request: Recorded) -> Answer:
    """ListAccounts in pages of one: three pages, then the end."""
    number = int(request.query.get("next_token", ["0"])[0])
    page: dict[str, Any] = {"accountList": [{"accountId": f"{number:012d}", "accountName": "a"}]}
    if number < 2:
        page["nextToken"] = str(number + 1)
    if request.path == "/assignment/roles":
        page = {"roleList": [{"roleName": "Admin", "accountId": ACCOUNT}]}
    return Answer(200, json.dumps(page).encode())


@pytest.mark.parametrize("mode", ["direct", "botocore"])
def test_a_connection_dropped_on_a_later_page_asks_for_that_page_again(
    mode: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    # a reset is no answer about the page token: the listing goes on from where it stopped,
    # not from its first page (as a page refused for its token does)
    dropped: list[str] = []

    def drop_page_two_once(request: Recorded) -> Answer:
        if request.query.get("next_token") == ["2"] and not dropped:
            dropped.append("2")
            return Answer(drop=True)
        return pages_of_accounts(request)

    with recording(drop_page_two_once) as server:
        client = client_for(mode, server.url, monkeypatch)
        portal = Portal(SESSION, a_token(), client=client, page_size=1, sleep=lambda _s: None)
        accounts = [a.account_id for page in portal.list_accounts() for a in page]
        asked = [r.query.get("next_token", [""])[0] for r in server.requests]
    assert accounts == [f"{n:012d}" for n in range(3)]
    assert asked == ["", "1", "2", "2"]


@pytest.mark.parametrize("scheme", ["http", "https"])
def test_kept_connections_the_server_closed_are_replaced_silently(
    scheme: str, request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch
) -> None:
    # HTTP/1.1 without `Connection: close`, then the socket closes: like a load balancer whose
    # idle timeout is shorter than the client's. The client finds out only when it reuses one.
    tls = None
    if scheme == "https":
        tls = server_context(request.getfixturevalue("tls_certificate"), monkeypatch)
    slept: list[float] = []
    with recording(pages_of_accounts, drop_after_answer=True, tls=tls) as server:
        portal = portal_at(server.url, monkeypatch, page_size=1, sleep=slept.append)
        for _ in range(5):
            accounts = [a.account_id for page in portal.list_accounts() for a in page]
            assert accounts == [f"{n:012d}" for n in range(3)]
            assert portal.list_roles(ACCOUNT) == ("Admin",)
            time.sleep(0.01)  # let the server's close arrive before the next reuse
        sent = server.requests
        accepted = server.accepted
    assert len(sent) == 5 * 4  # each call reached the server exactly once
    assert accepted == len(sent)  # ... each on a connection of its own: every reuse was stale
    assert slept == []  # no retry of the Portal's (with its backoff) was needed


@pytest.mark.parametrize("scheme", ["http", "https"])
def test_the_pool_reuses_connections_the_server_keeps(
    scheme: str, request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch
) -> None:
    # over TLS too: what TLS 1.3 sends after the handshake (session tickets) is not taken for
    # the server speaking on an idle connection (`http1.Connection.stale`)
    tls = None
    if scheme == "https":
        tls = server_context(request.getfixturevalue("tls_certificate"), monkeypatch)
    with recording(pages_of_accounts, tls=tls) as server:
        portal = portal_at(server.url, monkeypatch, page_size=1)
        for _ in range(5):
            assert len([a for page in portal.list_accounts() for a in page]) == 3
        assert (len(server.requests), server.accepted) == (15, 1)


def echo_account(request: Recorded) -> Answer:
    """ListAccountRoles answered with a role named after the account asked about."""
    account = request.query["account_id"][0]
    return Answer(200, json.dumps({"roleList": [{"roleName": f"R{account}"}]}).encode())


@pytest.mark.parametrize("drop", [False, True], ids=["kept", "dropped-after-each"])
def test_threads_sharing_the_client_each_get_their_own_answer(
    drop: bool, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The catalog lists the roles of many accounts at once over one client: an answer read
    # on the wrong thread would put one account's roles under another.
    with recording(echo_account, drop_after_answer=drop) as server:
        monkeypatch.setenv("AWS_ENDPOINT_URL_SSO", server.url)
        client = portal_client(SESSION, max_pool=4, environ=os.environ)
        assert isinstance(client, PortalHttpClient)
        portal = Portal(SESSION, a_token(), client=client, sleep=no_sleep)
        accounts = [f"{n:012d}" for n in range(200)]
        with ThreadPoolExecutor(16) as pool:
            roles = list(pool.map(portal.list_roles, accounts))
        assert roles == [(f"R{a}",) for a in accounts]
        assert len(server.requests) == len(accounts)
        if not drop:
            assert server.accepted < len(accounts) // 2  # connections were kept and reused


def server_context(
    tls_certificate: tuple[Path, Path], monkeypatch: pytest.MonkeyPatch
) -> ssl.SSLContext:
    """A server side TLS context with the self-signed certificate, which the client trusts."""
    cert, key = tls_certificate
    monkeypatch.setenv("AWS_CA_BUNDLE", str(cert))
    return certificate.server_context(cert, key)


@pytest.mark.parametrize("mode", ["direct", "botocore"])
def test_an_untrusted_certificate_says_to_set_aws_ca_bundle(
    mode: str, tls_certificate: tuple[Path, Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    cert, _key = tls_certificate
    page = Answer(200, json.dumps({"accountList": [{"accountId": ACCOUNT}]}).encode())
    with recording(page, tls=server_context(tls_certificate, monkeypatch)) as server:
        assert server.url.startswith("https://")
        # no CA setting at all (this machine sets both globally)
        monkeypatch.delenv("AWS_CA_BUNDLE", raising=False)
        monkeypatch.delenv("REQUESTS_CA_BUNDLE", raising=False)
        portal = Portal(SESSION, a_token(), client=client_for(mode, server.url, monkeypatch))
        started = time.monotonic()
        with pytest.raises(ServiceError) as err:
            list(portal.list_accounts())
        assert time.monotonic() - started < 5
        assert server.accepted == 1  # refused once, not retried
        assert err.value.message == (
            f"the TLS certificate of {server.url} is not trusted here: if your network "
            "inspects TLS, set AWS_CA_BUNDLE to your organisation's CA file"
        )

        # as the line says: with the CA file named, it works
        monkeypatch.setenv("AWS_CA_BUNDLE", str(cert))
        portal = Portal(SESSION, a_token(), client=client_for(mode, server.url, monkeypatch))
        assert [a for p in portal.list_accounts() for a in p] == [Account(ACCOUNT, "")]
        assert len(server.requests) == 1


@pytest.fixture(scope="module")
def corporate_ca(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path, Path]:
    """(CA certificate, server certificate, its key): a CA as many TLS-inspecting proxies make
    theirs, its basic constraints not marked critical and no authority key id, and a
    certificate it signed for 127.0.0.1. Made by the `openssl` command."""
    folder = tmp_path_factory.mktemp("corporate-ca")
    if shutil.which("openssl") is None:
        pytest.skip("no openssl command to make certificates with")
    (folder / "ca.cnf").write_text(
        "[req]\ndistinguished_name = dn\n[dn]\n"
        "[ca]\nbasicConstraints = CA:TRUE\nkeyUsage = keyCertSign, cRLSign\n"
        "subjectKeyIdentifier = hash\n"
        "[leaf]\nbasicConstraints = CA:FALSE\nsubjectAltName = IP:127.0.0.1\n"
    )

    def openssl(*args: str) -> None:
        subprocess.run(["openssl", *args], cwd=folder, check=True, capture_output=True)

    openssl(
        *("req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", "ca.key", "-out"),
        *("ca.pem", "-days", "2", "-subj", "/CN=Corp Inspection CA", "-config", "ca.cnf"),
        *("-extensions", "ca"),
    )
    openssl(
        *("req", "-new", "-newkey", "rsa:2048", "-nodes", "-keyout", "leaf.key", "-out"),
        *("leaf.csr", "-subj", "/CN=127.0.0.1", "-config", "ca.cnf"),
    )
    openssl(
        *("x509", "-req", "-in", "leaf.csr", "-CA", "ca.pem", "-CAkey", "ca.key"),
        *("-CAcreateserial", "-out", "leaf.pem", "-days", "2", "-extfile", "ca.cnf"),
        *("-extensions", "leaf"),
    )
    return folder / "ca.pem", folder / "leaf.pem", folder / "leaf.key"


@pytest.mark.parametrize("mode", ["direct", "botocore"])
def test_a_ca_botocore_trusts_is_trusted_alike(
    mode: str, corporate_ca: tuple[Path, Path, Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    # Python 3.13's ssl.create_default_context checks certificates strictly (X509_STRICT),
    # botocore does not: with such a CA in AWS_CA_BUNDLE, the login (botocore) worked and the
    # portal then said its certificate was not trusted. (Under Python 3.11 and 3.12 both
    # passed before the fix; under 3.13 the direct client failed.)
    ca, cert, key = corporate_ca
    monkeypatch.setenv("AWS_CA_BUNDLE", str(ca))
    page = Answer(200, json.dumps({"accountList": [{"accountId": ACCOUNT}]}).encode())
    with recording(page, tls=certificate.server_context(cert, key)) as server:
        portal = Portal(SESSION, a_token(), client=client_for(mode, server.url, monkeypatch))
        assert [a for p in portal.list_accounts() for a in p] == [Account(ACCOUNT, "")]


@contextlib.contextmanager
def no_tls_server(reply: bytes) -> Iterator[tuple[str, list[int]]]:
    """An https:// address whose server reads the client's TLS hello, sends `reply` (not TLS)
    and closes. Yields the URL and a list that grows by one per connection."""
    listener = socket.create_server(("127.0.0.1", 0))
    connections: list[int] = []

    def accept() -> None:
        while True:
            try:
                conn, _ = listener.accept()
            except OSError:
                return
            with conn, contextlib.suppress(OSError):
                connections.append(1)
                conn.recv(65536)
                conn.sendall(reply)

    threading.Thread(target=accept, daemon=True).start()
    try:
        yield f"https://127.0.0.1:{listener.getsockname()[1]}", connections
    finally:
        listener.close()


@pytest.mark.parametrize("mode", ["direct", "botocore"])
@pytest.mark.parametrize(
    ("reply", "line", "tries"),
    [
        pytest.param(
            b"HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\nConnection: close\r\n\r\n",
            "{url} did not answer in TLS, as Identity Center does: check the address in "
            "AWS_ENDPOINT_URL_SSO or AWS_ENDPOINT_URL_SSO_OIDC (http:// for a plain HTTP server), "
            "or whether your network wants you to sign in first",
            1,
            id="plain-http",
        ),
        pytest.param(
            b"",
            "cannot reach Identity Center at {url} (session dev, region us-east-1): check your "
            "network, proxy and the address you set for it (AWS_ENDPOINT_URL_SSO, "
            "AWS_ENDPOINT_URL_SSO_OIDC, AWS_ENDPOINT_URL or an endpoint_url)",
            3,
            id="closed-mid-handshake",
        ),
    ],
)
def test_a_handshake_that_fails_before_any_certificate_does_not_blame_one(
    mode: str, reply: bytes, line: str, tries: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    # A plain HTTP server on an https:// address (or a captive portal), or a firewall closing
    # the connection during the handshake: no certificate was ever seen, yet the line said the
    # certificate was not trusted (set AWS_CA_BUNDLE), and the second was never retried.
    with no_tls_server(reply) as (url, connections):
        client = client_for(mode, url, monkeypatch)
        portal = Portal(SESSION, a_token(), client=client, sleep=no_sleep)
        with pytest.raises(ServiceError) as err:
            list(portal.list_accounts())
        assert err.value.message == line.format(url=url)
        assert len(connections) == tries


@pytest.mark.parametrize(
    "mode",
    [
        "direct",
        "botocore",
    ],
)
def test_requests_ca_bundle_is_honoured_as_botocore_honours_it(
    mode: str, tls_certificate: tuple[Path, Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    # Set for pip and requests behind a TLS-inspecting proxy, it is enough for the AWS CLI.
    cert, _key = tls_certificate
    page = Answer(200, json.dumps({"accountList": [{"accountId": ACCOUNT}]}).encode())
    with recording(page, tls=server_context(tls_certificate, monkeypatch)) as server:
        monkeypatch.delenv("AWS_CA_BUNDLE")
        monkeypatch.setenv("REQUESTS_CA_BUNDLE", str(cert))
        portal = Portal(SESSION, a_token(), client=client_for(mode, server.url, monkeypatch))
        assert [a for p in portal.list_accounts() for a in p] == [Account(ACCOUNT, "")]


def test_an_unreadable_ca_file_is_named_and_nothing_is_sent(
    tls_certificate: tuple[Path, Path], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    not_pem = tmp_path / "corp-ca.txt"
    not_pem.write_text("not a certificate\n")
    with recording(tls=server_context(tls_certificate, monkeypatch)) as server:
        for cafile in (tmp_path / "missing.pem", not_pem):
            monkeypatch.setenv("AWS_CA_BUNDLE", str(cafile))
            portal = Portal(
                SESSION, a_token(), client=client_for("direct", server.url, monkeypatch)
            )
            with pytest.raises(ServiceError) as err:
                list(portal.list_accounts())
            assert err.value.message == (
                f"cannot read the CA file {cafile} to check Identity Center's certificate: fix "
                "AWS_CA_BUNDLE or unset it"
            )
        # the connection may have been opened meanwhile (`test_the_ca_file_is_read_while_...`)
        assert server.requests == []


def test_the_ca_file_is_read_while_the_first_connection_is_made(
    tls_certificate: tuple[Path, Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    # The default bundle is 126 CAs, tens of ms to load; the lookup of the portal's address
    # and the TCP connection (a round trip or two away) need none of it, and go on meanwhile.
    page = Answer(200, json.dumps({"accountList": [{"accountId": ACCOUNT}]}).encode())
    looked_up = threading.Event()
    order: list[str] = []
    real_lookup, real_load = socket.getaddrinfo, portal_http.tls_context

    def lookup(*args: Any, **kwargs: Any) -> Any:
        order.append("lookup")
        looked_up.set()
        return real_lookup(*args, **kwargs)

    def load(ca: Any) -> Any:
        looked_up.wait(timeout=10)  # a load that held the lookup back waits here in vain
        order.append("CA file loaded")
        return real_load(ca)

    with recording(page, tls=server_context(tls_certificate, monkeypatch)) as server:
        portal = Portal(SESSION, a_token(), client=client_for("direct", server.url, monkeypatch))
        monkeypatch.setattr(socket, "getaddrinfo", lookup)
        monkeypatch.setattr(portal_http, "tls_context", load)
        assert [a for p in portal.list_accounts() for a in p] == [Account(ACCOUNT, "")]
    assert order == ["lookup", "CA file loaded"]


@pytest.mark.parametrize("mode", ["direct", "botocore"])
def test_a_ca_setting_left_empty_is_refused_by_name_as_botocore_refuses_it(
    mode: str, tls_certificate: tuple[Path, Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    # botocore refuses an empty AWS_CA_BUNDLE (it does not go on to REQUESTS_CA_BUNDLE); the
    # direct client took the next file instead, and older botocore turned verification off.
    cert, _key = tls_certificate
    with recording(tls=server_context(tls_certificate, monkeypatch)) as server:
        monkeypatch.setenv("AWS_CA_BUNDLE", "")
        monkeypatch.setenv("REQUESTS_CA_BUNDLE", str(cert))
        with pytest.raises(SsotuiError) as err:
            portal = Portal(SESSION, a_token(), client=client_for(mode, server.url, monkeypatch))
            list(portal.list_accounts())
        assert err.value.message == (
            "AWS_CA_BUNDLE is set but empty, so there is no CA file to check Identity Center's "
            "certificate with: name your CA file there or unset it"
        )
        assert server.accepted == 0


@pytest.mark.parametrize("mode", ["direct", "botocore"])
@pytest.mark.parametrize(
    ("failure", "kind"),
    [
        pytest.param("refused", Unreachable, id="refused"),
        pytest.param("hang", ReadTimeout, id="no-answer"),
        pytest.param("drop_instead", Dropped, id="dropped"),
    ],
)
def test_network_failures_are_the_same_types_from_either_client(
    mode: str, failure: str, kind: type[TransportError], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SSOTUI_READ_TIMEOUT", "0.3")
    with contextlib.ExitStack() as stack:
        recorder: Recorder | None = None
        if failure == "refused":
            url = f"http://127.0.0.1:{closed_port()}"
        else:
            recorder = stack.enter_context(recording(**{failure: True}))
            url = recorder.url
        client = client_for(mode, url, monkeypatch)
        with pytest.raises(TransportError) as err:
            # within half the 10 s default: SSOTUI_READ_TIMEOUT's 0.3 s ended the attempt
            finished(
                lambda: client.list_accounts(accessToken=SECRET), what="ListAccounts", within=5
            )
        sent = len(recorder.requests) if recorder else 0
    assert type(err.value) is kind and err.value.retryable
    assert err.value.endpoint == url
    assert sent == (0 if failure == "refused" else 1)  # the Portal retries, never the client


@pytest.mark.parametrize("mode", ["direct", "botocore"])
def test_an_attempt_waits_no_longer_than_it_is_given(
    mode: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    # the Portal gives each attempt the time its call has left (`timeout`): a portal that
    # never answers costs that, not the read timeout (made endless here)
    monkeypatch.setenv("SSOTUI_READ_TIMEOUT", str(NEVER))
    with recording(hang=True) as server:
        client = client_for(mode, server.url, monkeypatch)
        assert client.read_timeout == NEVER
        with pytest.raises(ReadTimeout):
            finished(
                lambda: client.call("ListAccounts", timeout=0.4, accessToken=SECRET),
                what="an attempt given 0.4 s",
            )
        assert len(server.requests) == 1


# --- secrets ----------------------------------------------------------------------------------

FAILURES = [
    pytest.param(
        Answer(401, b'{"message":"bad token"}', (("x-amzn-ErrorType", UNAUTHORIZED),)), {}, id="401"
    ),
    pytest.param(
        Answer(403, b'{"message":"no"}', (("x-amzn-ErrorType", "ForbiddenException"),)),
        {},
        id="403",
    ),
    pytest.param(Answer(500, b"<html>x</html>", ()), {}, id="500"),
    pytest.param(Answer(200, b"<html>", ()), {}, id="not-json"),
    pytest.param(None, {"hang": True}, id="no-answer"),
    pytest.param(None, {"drop_instead": True}, id="dropped"),
    pytest.param(None, {"refused": True}, id="refused"),
]


@pytest.mark.parametrize(("answer", "options"), FAILURES)
def test_the_token_is_in_no_error_and_no_repr(
    answer: Answer | None, options: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SSOTUI_READ_TIMEOUT", "0.3")
    with contextlib.ExitStack() as stack:
        if options.pop("refused", False):
            url = f"http://127.0.0.1:{closed_port()}"
        else:
            url = stack.enter_context(recording(answer, **options)).url
        client = client_for("direct", url, monkeypatch)
        with pytest.raises(Exception) as raw:
            client.get_role_credentials(roleName="R", accountId=ACCOUNT, accessToken=SECRET)
        portal = Portal(SESSION, a_token(), client=client, sleep=no_sleep)
        with pytest.raises(SsotuiError) as user:
            portal.role_credentials(Account(ACCOUNT, "n"), "R")
    for exc in (raw.value, user.value):
        shown = [str(exc), repr(exc), repr(exc.args), repr(getattr(exc, "response", None))]
        assert not [text for text in shown if SECRET in text]
    assert "\n" not in user.value.message
    assert SECRET not in repr(portal) + repr(client) + repr(vars(client))


# --- 7. no botocore where it is not needed ----------------------------------------------------

# What costs the 0.3 s: botocore's client machinery and urllib3. (`botocore.configloader`, and
# `botocore.exceptions` with it, are loaded on purpose by tui.aws.sessions to read the config
# file as botocore does: ~15 ms, mostly `logging`.)
BOTOCORE_MACHINERY = {
    "boto3",
    "botocore.session",
    "botocore.client",
    "botocore.endpoint",
    "botocore.httpsession",
    "botocore.parsers",
    "botocore.loaders",
    "urllib3",
}


def loaded_by(*argv: str) -> tuple[set[str], int, str, str]:
    """Run `tui.cli.main(argv)` in a fresh interpreter: (modules loaded, status, out, err)."""
    probe = (
        "import sys\n"
        "from tui.cli import main\n"
        f"status = main({list(argv)!r})\n"
        "print(status, *sorted(sys.modules), file=sys.stderr)\n"
    )
    proc = subprocess.run(
        [sys.executable, "-c", probe],
        capture_output=True,
        text=True,
        env=dict(os.environ),
        timeout=60,
    )
    *err, last = proc.stderr.splitlines() or [""]
    status, *modules = last.split()
    return set(modules), int(status), proc.stdout, "\n".join(err)


@pytest.mark.parametrize("mode", ["direct", "botocore"])
def test_list_and_credential_process_load_botocore_only_when_asked_to(
    mode: str, sim: Simulator, token: Token, org: Organisation, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SSOTUI_PORTAL_CLIENT", mode)
    account = next(a for a in org.accounts if any(not r.forbidden for r in a.roles))
    role = next(r.name for r in account.roles if not r.forbidden)
    sim.reset_calls()

    modules, status, out, err = loaded_by("list", "--json", "--refresh")
    assert (status, err) == (0, "")
    assert len(json.loads(out)) == sum(len(a.roles) for a in org.accounts)
    assert bool(modules & BOTOCORE_MACHINERY) == (mode == "botocore"), modules & BOTOCORE_MACHINERY
    if mode == "direct":  # http.client would bring the `email` package: ~10 ms a command
        assert not modules & {"http.client", "email.parser"}, modules & {"http.client", "email"}

    modules, status, out, err = loaded_by("credential-process", account.account_id, role)
    assert (status, err) == (0, "")
    assert json.loads(out)["AccessKeyId"].startswith("ASIA")
    assert bool(modules & BOTOCORE_MACHINERY) == (mode == "botocore"), modules & BOTOCORE_MACHINERY
    assert (sim.calls["ListAccounts"], sim.calls["GetRoleCredentials"]) == (1, 1)


# What a command that answers from its caches need not load: botocore at all, `logging`
# without --debug, `tempfile` and `shutil` (argparse's help formatter brought the latter), the
# IDNA codec. Each is a few ms of every `credential-process`, which an AWS SDK runs for every
# client it makes. (A fetch loads `logging` with `concurrent.futures`, once its first call left.)
NOT_LOADED = {"botocore", "logging", "tempfile", "shutil", "encodings.idna"}


def test_a_command_answering_from_its_caches_loads_nothing_it_does_not_use(
    sim: Simulator, token: Token, org: Organisation, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SSOTUI_PORTAL_CLIENT", "direct")
    account = next(a for a in org.accounts if any(not r.forbidden for r in a.roles))
    role = next(r.name for r in account.roles if not r.forbidden)
    commands = (("list", "--json"), ("credential-process", account.account_id, role))
    for argv in commands:  # the catalog cached, the role's credentials kept
        assert loaded_by(*argv)[1] == 0
    sim.reset_calls()
    for argv in commands:
        modules, status, _out, err = loaded_by(*argv)
        assert (status, err) == (0, "")
        assert not modules & NOT_LOADED, (argv, modules & NOT_LOADED)
    assert sum(sim.calls.values()) == 0


@pytest.fixture
def lookups() -> Iterator[list[object]]:
    """The names the resolver is asked for (`socket.getaddrinfo`, counted, still answering)."""
    asked: list[object] = []
    real = socket.getaddrinfo

    def counted(host: Any, *args: Any, **kwargs: Any) -> Any:
        asked.append(host)
        return real(host, *args, **kwargs)

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(socket, "getaddrinfo", counted)
        yield asked


def test_the_endpoint_is_looked_up_once_for_the_whole_pool(
    lookups: list[object], monkeypatch: pytest.MonkeyPatch
) -> None:
    # Each new connection of the catalog's burst would otherwise ask the resolver again; by
    # name ("localhost" may also give ::1, where nothing listens: the next address is tried).
    with recording(echo_account) as server:
        portal = portal_at(server.url.replace("127.0.0.1", "localhost"), monkeypatch)
        accounts = [f"{n:012d}" for n in range(40)]
        with ThreadPoolExecutor(8) as pool:
            roles = list(pool.map(portal.list_roles, accounts))
        accepted = server.accepted
    assert roles == [(f"R{a}",) for a in accounts]
    assert accepted > 1  # several connections were opened ...
    assert lookups == [b"localhost"]  # ... for one lookup


def test_an_address_that_stopped_answering_is_looked_up_again(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # The picker keeps its client for hours: when the portal moves (the addresses it was
    # looked up at no longer answer), the next attempt asks the resolver again, and succeeds.
    real = socket.getaddrinfo
    dead = closed_port()
    lookups: list[int] = []

    def moving(host: Any, port: Any, *args: Any, **kwargs: Any) -> Any:
        lookups.append(port)
        return real(host, dead if len(lookups) == 1 else port, *args, **kwargs)

    with recording(echo_account) as server:
        portal = portal_at(server.url.replace("127.0.0.1", "localhost"), monkeypatch)
        monkeypatch.setattr(socket, "getaddrinfo", moving)
        assert portal.list_roles(ACCOUNT) == (f"R{ACCOUNT}",)
    assert len(lookups) == 2  # the stale addresses failed once, then the name was asked again


def test_addresses_are_looked_up_again_once_they_are_old(
    lookups: list[object], monkeypatch: pytest.MonkeyPatch
) -> None:
    with recording(echo_account, drop_after_answer=True) as server:
        portal = portal_at(server.url, monkeypatch)
        monkeypatch.setattr(portal_http, "ADDRESSES_KEPT", 0.0)  # every lookup is "old" at once
        for _ in range(3):  # a new connection each time: the server closes after each answer
            assert portal.list_roles(ACCOUNT) == (f"R{ACCOUNT}",)
    assert len(lookups) == 3
