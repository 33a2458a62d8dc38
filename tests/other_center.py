"""A second Identity Center for interop tests, written apart from `tui.sim` (stdlib only).

It speaks the SSO portal and SSO OIDC operations as botocore's service models allow, but with
the freedoms a conforming server has and our simulator never takes: pages of 1-3 items whatever
`max_result` asks, opaque page tokens holding `+/=`, an empty (or null) token on the last page,
unknown members, optional members left out or sent as JSON null, error names only in the
`x-amzn-ErrorType` header (with a namespace suffix), only in `__type` (with a `namespace#`
prefix) or, for SSO OIDC, only in OAuth's `error` member, `Connection: close` or chunked bodies,
device authorizations without `verificationUriComplete` and `interval`, no refresh token (or,
when asked, one good for more than one refresh), SlowDown on a first poll, and registrations it
forgets (a restart, a new region cell); and, when a test asks, any answer with members left out
or changed (`rewrite`), more members in error answers (`error_members`: a `reason`), answers
reset half-way (`cut_bodies`), a byte order mark before the JSON (`bom`), a Date header in
another of HTTP's forms (`date`), SSO OIDC errors without `message` (`oidc_message`: only the
model's `error_description`) and 5xx answered with a web page (`error_page`). Logout ends the
sign-in: every access and refresh token it gave. Knobs are plain attributes, changed between
calls. Both APIs live under one port, the portal below `/portal`, OIDC below `/oidc`.

The browser side of the authorization code flow is `GET /authorize` at the root (botocore's
`SSOTokenFetcherAuth` keeps only scheme and host of the OIDC endpoint). Unlike the simulator it
answers 303, puts `state` first and adds `iss` and `session_state`, escapes the code's `+/=`,
denies with an `error_description`, refuses a wrong verifier with InvalidRequestException, and
shows a page (no redirect) for a client it does not know, as RFC 6749 4.1.2.1 requires. The
federation endpoint (`/federation`, reached through `AWS_ENDPOINT_URL_SIGNIN`) answers
getSigninToken with `SigninToken` and whatever else `federation_answer` says.

    python -m tests.other_center   # serves until interrupted, prints the endpoint variables
"""

from __future__ import annotations

import base64
import hashlib
import html
import json
import secrets
import socket
import struct
import sys
import threading
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, quote, urlencode, urlsplit

PORTAL_PREFIX = "/portal"
OIDC_PREFIX = "/oidc"
START_URL = "https://other.example.com/start"
REGION = "eu-west-3"


@dataclass
class OtherAccount:
    """An account and its roles, as this server lists them."""

    account_id: str
    name: str | None
    email: str | None
    roles: list[str] = field(default_factory=list)


def sample_accounts() -> list[OtherAccount]:
    """Seven accounts: some without name or email, odd but legal role names, one without roles."""
    return [
        OtherAccount("111111111111", "Prod", "prod@example.com", ["Admin", "ReadOnly"]),
        OtherAccount("222222222222", None, None, ["Ops+Dev=1,2.x@y-z"]),
        OtherAccount("333333333333", "Staging", None, ["Dev", "ReadOnly", "a" * 64]),
        OtherAccount("444444444444", "Sandbox", "sb@example.com", []),
        OtherAccount("555555555555", "Ünïcode 账户", "u@example.com", ["Admin"]),
        OtherAccount("666666666666", "Data", "data@example.com", ["Analyst"]),
        OtherAccount("777777777777", "Logs", "logs@example.com", ["Auditor"]),
    ]


class _Server(ThreadingHTTPServer):
    """The server, quiet about a client that went away before its answer (a test's client
    that gave up waiting): that is no news, and its traceback only cluttered the test log."""

    def handle_error(self, request: Any, client_address: Any) -> None:
        if isinstance(sys.exc_info()[1], ConnectionError):
            return
        super().handle_error(request, client_address)


class OtherCenter:
    """The server and its knobs; `start`, `env`, `stop`."""

    def __init__(self, accounts: list[OtherAccount] | None = None) -> None:
        self.accounts = accounts if accounts is not None else sample_accounts()
        # -- knobs -------------------------------------------------------------------------
        self.page_sizes = (2, 1, 3)  # items per page in turn, whatever max_result says
        self.last_token: str | None = ""  # on the last page: "", None (JSON null) or "omit"
        self.nulls = False  # absent optional members written as JSON null
        # "header": x-amzn-ErrorType only; "type": __type only; "oauth": OIDC errors named only
        # in OAuth's `error` member (RFC 6749 5.2), others as "header"
        self.error_style = "header"
        self.close_every_answer = False
        self.chunked = False
        self.duplicate_accounts = False  # the last account of a page again on the next page
        self.repeat_in_page = False  # each page of accounts lists its first account twice
        self.http10 = False  # HTTP/1.0 answers with no Content-Length: the body ends at the close
        self.bom = False  # JSON answers begin with a UTF-8 byte order mark (RFC 8259 8.1)
        self.date: str | None = None  # the Date header of every answer, as written here
        # handler name -> how many of its next answers are cut: half the body, then a reset
        self.cut_bodies: dict[str, int] = {}
        self.role_failures: dict[str, tuple[int, str]] = {}  # account id -> ListAccountRoles error
        self.tokens_go_round = False  # the last page of a listing points back to the second
        # listing ("acc", "roles<account id>") -> the page number from which each page's token
        # points back to the first page (so the pages after it are never reached)
        self.loop_after: dict[str, int] = {}
        self.revoke_after: int | None = None  # portal calls answered before the token is revoked
        self.drop_after: int | None = None  # portal calls answered before the rest are dropped
        self.expiration_ms = int((time.time() + 3600) * 1000)
        self.token_lifetime = 3600
        self.polls_before_approval = 1
        self.slow_down_first_poll = False
        self.device_interval: int | None = None  # StartDeviceAuthorization's; None: left out
        self.device_polls_before_expiry: int | None = None  # then ExpiredTokenException
        self.stale_client_error = ("InvalidClientException", 401)  # for a registration not ours
        self.refresh_tokens = False
        self.reusable_refresh = False  # a refresh token stays good after a refresh (not single use)
        self.busy: dict[str, tuple[int, str]] = {}  # handler name -> (status, error) answered once
        self.busy_times = 1  # ... or this many times in a row (past botocore's retries)
        self.busy_message = "try again later"  # ... with this message
        self.error_members: dict[str, Any] = {}  # more members in every error's JSON body
        self.oidc_message = True  # False: SSO OIDC errors say it in `error_description` alone
        self.error_page: bytes | None = None  # a 5xx answered with this HTML page instead
        # handler name -> what to do to its JSON answer (members left out, reordered, retyped)
        self.rewrite: dict[str, Callable[[dict[str, Any]], dict[str, Any]]] = {}
        self.authorize_answer = "approve"  # or "deny", or an OAuth error name to redirect with
        # no browser (authorization code) login here: a RegisterClient asking for its grant is
        # refused with this error, e.g. UnsupportedGrantTypeException
        self.no_browser_flow: str | None = None
        self.code_lifetime = 60.0
        self.code_failure: tuple[int, str] | None = None  # every CreateToken for a code: this
        # getSigninToken: (status, content type, body) or None for a JSON SigninToken answer
        self.federation_answer: tuple[int, str, bytes] | None = None
        self.federation_extra: dict[str, Any] = {}  # more members beside SigninToken
        self.federation_delay = 0.0
        # -- state -------------------------------------------------------------------------
        self.clients: dict[str, str] = {}  # client id -> secret
        self.devices: dict[str, int] = {}  # device code -> polls
        self.tokens: dict[str, float] = {}  # access token -> expires (time.time)
        self.refresh: dict[str, str] = {}  # refresh token -> client id
        self.sign_in_of: dict[
            str, int
        ] = {}  # access or refresh token -> its sign-in (Logout ends it)
        self.sign_ins_begun = 0
        self.grants: dict[str, dict[str, Any]] = {}  # client id -> its RegisterClient request
        self.codes: dict[str, dict[str, Any]] = {}  # authorization code -> what it was for
        self.signins: list[dict[str, str]] = []  # getSigninToken forms received
        self.issued: list[dict[str, Any]] = []  # roleCredentials handed out, in order
        self.calls: Counter[str] = Counter()
        self.requests: list[tuple[str, str]] = []  # (method, target) in order
        self._lock = threading.Lock()
        self._server: ThreadingHTTPServer | None = None

    # -- running ----------------------------------------------------------------------------

    @property
    def base(self) -> str:
        assert self._server is not None
        return f"http://127.0.0.1:{self._server.server_address[1]}"

    def env(self) -> dict[str, str]:
        """The endpoint variables that send botocore and ssotui here."""
        return {
            "AWS_ENDPOINT_URL_SSO": self.base + PORTAL_PREFIX,
            "AWS_ENDPOINT_URL_SSO_OIDC": self.base + OIDC_PREFIX,
        }

    def start(self) -> OtherCenter:
        center = self

        class Handler(_Handler):
            owner = center

        self._server = _Server(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        server = self._server  # polled often: a test's `stop` need not wait half a second
        threading.Thread(target=lambda: server.serve_forever(0.01), daemon=True).start()
        return self

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()

    def forget_clients(self) -> None:
        """As after a restart: no registration, device code or token made so far is known."""
        with self._lock:
            self.clients.clear()
            self.devices.clear()
            self.codes.clear()

    # -- answering ----------------------------------------------------------------------------

    def answer(self, method: str, target: str, headers: dict[str, str], body: bytes) -> Reply:
        parts = urlsplit(target)
        query = {k: v[0] for k, v in parse_qs(parts.query, keep_blank_values=True).items()}
        routes = {
            ("GET", PORTAL_PREFIX + "/assignment/accounts"): self.list_accounts,
            ("GET", PORTAL_PREFIX + "/assignment/roles"): self.list_account_roles,
            ("GET", PORTAL_PREFIX + "/federation/credentials"): self.get_role_credentials,
            ("POST", PORTAL_PREFIX + "/logout"): self.logout,
            ("POST", OIDC_PREFIX + "/client/register"): self.register_client,
            ("POST", OIDC_PREFIX + "/device_authorization"): self.start_device_authorization,
            ("POST", OIDC_PREFIX + "/token"): self.create_token,
            ("GET", "/authorize"): self.authorize,
            ("POST", "/federation"): self.federation,
        }
        handler = routes.get((method, parts.path))
        if handler is None:
            return self.error(404, "UnknownOperationException", "no such operation")
        with self._lock:
            self.calls[handler.__name__] += 1
            self.requests.append((method, target))
            try:
                form = headers.get("content-type", "").startswith("application/x-www-form")
                data = _form(body) if form else json.loads(body) if body else {}
            except ValueError:
                return self.error(400, "InvalidRequestException", "body is not JSON")
            if parts.path.startswith(PORTAL_PREFIX + "/assignment/"):
                self.calls["listings"] += 1
                if self.drop_after is not None and self.calls["listings"] > self.drop_after:
                    return Reply(0, b"")  # the connection closed, no answer: gone
                if self.revoke_after is not None and self.calls["listings"] > self.revoke_after:
                    self.tokens.clear()
            busy = self.busy.get(handler.__name__)
            if busy is not None:
                self.calls["busy:" + handler.__name__] += 1
                if self.calls["busy:" + handler.__name__] >= self.busy_times:
                    del self.busy[handler.__name__]
                return self.error(busy[0], busy[1], self.busy_message)
            try:
                reply = handler(query, headers, data)
            except Failure as failure:
                return self.error(failure.status, failure.code, failure.message)
            edit = self.rewrite.get(handler.__name__)
            if edit is not None and reply.status == 200 and reply.body:
                reply.body = json.dumps(edit(json.loads(reply.body))).encode()
            if self.cut_bodies.get(handler.__name__):
                self.cut_bodies[handler.__name__] -= 1
                self.calls["cut:" + handler.__name__] += 1
                reply.cut = True
            return reply

    def reply(self, data: dict[str, Any]) -> Reply:
        data = {**data, "someFutureMember": {"nested": [1, 2]}}  # unknown: to be ignored
        return Reply(200, json.dumps(data).encode())

    def error(self, status: int, code: str, message: str) -> Reply:
        if status >= 500 and self.error_page is not None:  # a gateway's or a proxy's page
            return Reply(status, self.error_page, {}, "text/html; charset=utf-8")
        headers: dict[str, str] = {}
        body: dict[str, Any] = {"message": message, "error_description": message}
        if not self.oidc_message and code in _OAUTH_NAMES:  # the members sso-oidc's model has
            del body["message"]
        body.update(self.error_members)
        if not code:  # a bare failure (a gateway's 502): no error name anywhere
            pass
        elif self.error_style == "oauth" and code in _OAUTH_NAMES:
            body["error"] = _OAUTH_NAMES[code]
        elif self.error_style in ("header", "oauth"):
            headers["x-amzn-ErrorType"] = f"{code}:http://internal.example.com/other/"
        else:
            body["__type"] = f"com.example.other.v1#{code}"
        return Reply(status, json.dumps(body).encode(), headers)

    def _member(self, data: dict[str, Any], key: str, value: Any) -> None:
        if value is not None:
            data[key] = value
        elif self.nulls:
            data[key] = None

    def _page(self, items: list[Any], query: dict[str, str], kind: str) -> tuple[list[Any], Any]:
        start = 0
        if query.get("next_token"):
            try:
                plain = base64.b64decode(query["next_token"], validate=True).decode("latin-1")
                got_kind, number, start_text = plain.split("|")[:3]
                start = int(start_text)
            except ValueError:
                raise Failure(400, "InvalidRequestException", "bad next token") from None
            if got_kind != kind:
                raise Failure(400, "InvalidRequestException", "next token of another listing")
        else:
            number = "0"
        size = self.page_sizes[int(number) % len(self.page_sizes)]
        page = items[start : start + size]
        end = start + size
        if kind in self.loop_after and int(number) >= self.loop_after[kind]:
            return page, self._token_for(kind, 0, 0)
        if end >= len(items):
            if self.tokens_go_round and int(number) > 0:
                return page, self._token_for(kind, 1, self.page_sizes[0])
            return page, self.last_token
        return page, self._token_for(kind, int(number) + 1, end)

    def _token_for(self, kind: str, number: int, start: int) -> str:
        # bytes chosen so that standard base64 holds "+", "/" and "="
        plain = f"{kind}|{number}|{start}|\xfb\xff\xbe~"
        plain += "x" * ((1 - len(plain)) % 3)  # and "==" at the end
        return base64.b64encode(plain.encode("latin-1")).decode()

    def _paged(self, data: dict[str, Any], token: Any) -> Reply:
        if token == "omit":
            pass
        elif token is None:
            data["nextToken"] = None
        else:
            data["nextToken"] = token
        return self.reply(data)

    # -- portal -------------------------------------------------------------------------------

    def _check(self, headers: dict[str, str]) -> None:
        expires = self.tokens.get(headers.get("x-amz-sso_bearer_token", ""))
        if expires is None or expires < time.time():
            raise Failure(401, "UnauthorizedException", "Session token not found or invalid")

    def _account(self, query: dict[str, str]) -> OtherAccount:
        for account in self.accounts:
            if account.account_id == query.get("account_id"):
                return account
        raise Failure(404, "ResourceNotFoundException", "Could not find account")

    def list_accounts(self, query: dict[str, str], headers: dict[str, str], _: Any) -> Reply:
        self._check(headers)
        items = list(self.accounts)
        page, token = self._page(items, query, "acc")
        if self.duplicate_accounts and query.get("next_token"):
            start = int(base64.b64decode(query["next_token"]).decode("latin-1").split("|")[2])
            page = [items[start - 1], *page]  # the last of the page before, again
        if self.repeat_in_page and page:
            page = [page[0], *page]
        listed = []
        for account in page:
            item: dict[str, Any] = {}
            self._member(item, "accountId", account.account_id or None)  # optional in the model
            self._member(item, "accountName", account.name)
            self._member(item, "emailAddress", account.email)
            listed.append(item)
        return self._paged({"accountList": listed}, token)

    def list_account_roles(self, query: dict[str, str], headers: dict[str, str], _: Any) -> Reply:
        self._check(headers)
        account = self._account(query)
        failure = self.role_failures.get(account.account_id)
        if failure is not None:
            raise Failure(*failure, "not for this account")
        page, token = self._page(account.roles, query, f"roles{account.account_id}")
        roles: list[dict[str, Any]] = []
        for name in page:  # both members optional in the model: "" leaves one out
            role: dict[str, Any] = {}
            self._member(role, "roleName", name or None)
            self._member(role, "accountId", account.account_id or None)
            roles.append(role)
        data: dict[str, Any] = {}
        self._member(data, "roleList", roles or None)
        return self._paged(data, token)

    def get_role_credentials(self, query: dict[str, str], headers: dict[str, str], _: Any) -> Reply:
        self._check(headers)
        account = self._account(query)
        if query.get("role_name") not in account.roles:
            raise Failure(404, "ResourceNotFoundException", "No access")
        creds = {
            "accessKeyId": "ASIAOTHER" + secrets.token_hex(6).upper()[:11],
            "secretAccessKey": secrets.token_urlsafe(30),
            "sessionToken": "other/" + secrets.token_urlsafe(120) + "+=",
            "expiration": self.expiration_ms,
        }
        self.issued.append(creds)
        return self.reply({"roleCredentials": creds})

    def logout(self, query: dict[str, str], headers: dict[str, str], _: Any) -> Reply:
        self._check(headers)
        # the whole sign-in ends: every access and refresh token it gave
        ended = self.sign_in_of.get(headers.get("x-amz-sso_bearer_token", ""))
        for token in [t for t, s in self.sign_in_of.items() if s == ended]:
            self.tokens.pop(token, None)
            self.refresh.pop(token, None)
        return Reply(200, b"")  # no output shape: nothing at all

    # -- OIDC ---------------------------------------------------------------------------------

    def _client(self, data: dict[str, Any]) -> str:
        client_id = str(data.get("clientId"))
        if self.clients.get(client_id) != data.get("clientSecret"):
            code, status = self.stale_client_error
            raise Failure(status, code, "Invalid client")
        return client_id

    def register_client(self, query: dict[str, str], headers: dict[str, str], data: Any) -> Reply:
        if not data.get("clientName") or data.get("clientType") != "public":
            raise Failure(400, "InvalidClientMetadataException", "bad client metadata")
        if self.no_browser_flow and "authorization_code" in (data.get("grantTypes") or []):
            raise Failure(400, self.no_browser_flow, "grant type not supported")
        client_id = "oc-" + secrets.token_hex(8)
        self.clients[client_id] = secrets.token_urlsafe(40)
        self.grants[client_id] = dict(data)
        now = int(time.time())
        return self.reply(
            {
                "clientId": client_id,
                "clientSecret": self.clients[client_id],
                "clientIdIssuedAt": now,
                "clientSecretExpiresAt": now + 90 * 86400,
            }
        )

    def start_device_authorization(
        self, query: dict[str, str], headers: dict[str, str], data: Any
    ) -> Reply:
        self._client(data)
        code = secrets.token_urlsafe(24)
        self.devices[code] = 0
        # no verificationUriComplete, no interval unless `device_interval`: both optional
        answer: dict[str, Any] = {
            "deviceCode": code,
            "userCode": "OTHR-" + secrets.token_hex(2).upper(),
            "verificationUri": self.base + "/device",
            "expiresIn": 600,
        }
        if self.device_interval is not None:
            answer["interval"] = self.device_interval
        return self.reply(answer)

    def create_token(self, query: dict[str, str], headers: dict[str, str], data: Any) -> Reply:
        client_id = self._client(data)
        if data.get("grantType") == "refresh_token":
            refresh = str(data.get("refreshToken"))
            if self.refresh.get(refresh) != client_id:
                raise Failure(400, "InvalidGrantException", "Invalid refresh token")
            if not self.reusable_refresh:
                del self.refresh[refresh]
            return self._token(client_id, self.sign_in_of.get(refresh))
        if data.get("grantType") == "authorization_code":
            return self._redeem(client_id, data)
        device = str(data.get("deviceCode"))
        if device not in self.devices:
            raise Failure(400, "InvalidGrantException", "Invalid grant")
        self.devices[device] += 1
        polls = self.devices[device]
        if self.device_polls_before_expiry is not None and polls > self.device_polls_before_expiry:
            raise Failure(400, "ExpiredTokenException", "Device code has expired")
        if polls == 1 and self.slow_down_first_poll:
            raise Failure(400, "SlowDownException", "slow down")
        if polls < self.polls_before_approval + (1 if self.slow_down_first_poll else 0):
            raise Failure(400, "AuthorizationPendingException", "pending")
        del self.devices[device]
        return self._token(client_id)

    def _token(self, client_id: str, sign_in: int | None = None) -> Reply:
        """A token of a new sign-in, or of `sign_in` (a refresh)."""
        if sign_in is None:
            sign_in = self.sign_ins_begun = self.sign_ins_begun + 1
        access = "ot-" + secrets.token_urlsafe(40)
        self.tokens[access] = time.time() + self.token_lifetime
        self.sign_in_of[access] = sign_in
        answer: dict[str, Any] = {
            "accessToken": access,
            "tokenType": "Bearer",
            "expiresIn": self.token_lifetime,
        }
        granted = self.grants.get(client_id, {}).get("grantTypes") or []
        if self.refresh_tokens or "refresh_token" in granted:
            refresh = "or-" + secrets.token_urlsafe(40)
            self.refresh[refresh] = client_id
            self.sign_in_of[refresh] = sign_in
            answer["refreshToken"] = refresh
        return self.reply(answer)

    # -- browser side of the authorization code flow ----------------------------------------

    def authorize(self, query: dict[str, str], headers: dict[str, str], _: Any) -> Reply:
        client = self.grants.get(query.get("client_id", ""))
        redirect_uri = query.get("redirect_uri", "")
        if client is None or query.get("client_id") not in self.clients:
            return _page(400, "This application is not known here (invalid_client).")
        if not any(_same_loopback(r, redirect_uri) for r in client.get("redirectUris") or []):
            return _page(400, "The redirect address is not registered (invalid_request).")
        state = query.get("state")
        if query.get("response_type") != "code":
            return self._redirect(redirect_uri, state, error="unsupported_response_type")
        if query.get("code_challenge_method") != "S256" or not query.get("code_challenge"):
            return self._redirect(redirect_uri, state, error="invalid_request")
        if self.authorize_answer == "deny":
            return self._redirect(
                redirect_uri,
                state,
                error="access_denied",
                error_description="The user said no. Ask your administrator (ref #42).",
            )
        if self.authorize_answer != "approve":
            return self._redirect(redirect_uri, state, error=self.authorize_answer)
        # standard base64: "+", "/" and "=" must be escaped in the redirect
        code = base64.b64encode(secrets.token_bytes(30) + b"\xfb\xff").decode()
        self.codes[code] = {
            "client_id": query["client_id"],
            "redirect_uri": redirect_uri,
            "challenge": query["code_challenge"],
            "expires": time.time() + self.code_lifetime,
        }
        return self._redirect(redirect_uri, state, code=code)

    def _redirect(self, redirect_uri: str, state: str | None, **params: str) -> Reply:
        # state first, then the rest, and two members the client does not know
        ordered = {**({"state": state} if state is not None else {}), **params}
        ordered.update(iss=self.base + OIDC_PREFIX, session_state=secrets.token_hex(8))
        query = urlencode(ordered, quote_via=quote, safe="")
        return Reply(303, b"", {"Location": f"{redirect_uri}?{query}"}, "text/html")

    def _redeem(self, client_id: str, data: dict[str, Any]) -> Reply:
        issued = self.codes.pop(str(data.get("code")), None)  # once only, whatever follows
        if self.code_failure is not None:
            status, code = self.code_failure
            raise Failure(status, code, "refused")
        if issued is None or issued["client_id"] != client_id:
            raise Failure(400, "InvalidGrantException", "Invalid authorization code")
        if issued["expires"] < time.time():
            raise Failure(400, "ExpiredTokenException", "Authorization code expired")
        if data.get("redirectUri") != issued["redirect_uri"]:
            raise Failure(400, "InvalidGrantException", "redirectUri mismatch")
        verifier = str(data.get("codeVerifier") or "")
        digest = hashlib.sha256(verifier.encode()).digest()
        if base64.urlsafe_b64encode(digest).decode().rstrip("=") != issued["challenge"]:
            raise Failure(400, "InvalidRequestException", "Invalid code verifier")
        return self._token(client_id)

    # -- the federation endpoint ------------------------------------------------------------

    def federation(self, query: dict[str, str], headers: dict[str, str], data: Any) -> Reply:
        self.signins.append(dict(data))
        if self.federation_delay:
            self._lock.release()  # a slow answer must not hold up other requests
            try:
                time.sleep(self.federation_delay)
            finally:
                self._lock.acquire()
        if self.federation_answer is not None:
            status, content_type, body = self.federation_answer
            return Reply(status, body, {}, content_type)
        if data.get("Action") != "getSigninToken":
            return _page(400, "Bad action")
        token = "other-signin-" + secrets.token_urlsafe(600)
        return Reply(200, json.dumps({"SigninToken": token, **self.federation_extra}).encode())


# The SSO OIDC errors' names in OAuth's form (the `error` member botocore's model documents).
_OAUTH_NAMES = {
    "AccessDeniedException": "access_denied",
    "AuthorizationPendingException": "authorization_pending",
    "ExpiredTokenException": "expired_token",
    "InternalServerException": "server_error",
    "InvalidClientException": "invalid_client",
    "InvalidClientMetadataException": "invalid_client_metadata",
    "InvalidGrantException": "invalid_grant",
    "InvalidRedirectUriException": "invalid_redirect_uri",
    "InvalidRequestException": "invalid_request",
    "InvalidScopeException": "invalid_scope",
    "SlowDownException": "slow_down",
    "UnauthorizedClientException": "unauthorized_client",
    "UnsupportedGrantTypeException": "unsupported_grant_type",
}


def _form(body: bytes) -> dict[str, str]:
    return {k: v[0] for k, v in parse_qs(body.decode(), keep_blank_values=True).items()}


def _same_loopback(registered: str, given: str) -> bool:
    """A loopback redirect URI registered without a port matches any port (RFC 8252 7.3)."""
    r, g = urlsplit(registered), urlsplit(given)
    same = (r.scheme, r.hostname, r.path) == (g.scheme, g.hostname, g.path)
    return same and not g.query and not g.fragment and (r.port is None or r.port == g.port)


def _page(status: int, message: str) -> Reply:
    body = f"<!doctype html><title>Other sign-in</title><p>{html.escape(message)}</p>"
    return Reply(status, body.encode(), {}, "text/html; charset=utf-8")


class Failure(Exception):
    """An error answer: HTTP status, error name, message."""

    def __init__(self, status: int, code: str, message: str) -> None:
        super().__init__(message)
        self.status, self.code, self.message = status, code, message


@dataclass
class Reply:
    status: int
    body: bytes
    headers: dict[str, str] = field(default_factory=dict)
    content_type: str = "application/json"
    cut: bool = False  # half the body goes out, then the connection is reset


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    # headers and body go out in separate writes: without this each answer on a kept-alive
    # connection waited out the client's delayed ACK (about 40 ms a call)
    disable_nagle_algorithm = True
    owner: OtherCenter

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002
        pass

    def date_time_string(self, timestamp: float | None = None) -> str:
        return self.owner.date or super().date_time_string(timestamp)

    def _serve(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        headers = {k.lower(): v for k, v in self.headers.items()}
        reply = self.owner.answer(self.command, self.path, headers, body)
        if reply.status == 0:  # no answer at all: the connection just closes
            self.close_connection = True
            return
        if self.owner.bom and reply.body and reply.content_type == "application/json":
            reply.body = b"\xef\xbb\xbf" + reply.body
        if self.owner.http10:
            self.protocol_version = "HTTP/1.0"
            self.close_connection = True
        self.send_response(reply.status)
        self.send_header("Content-Type", reply.content_type)
        for key, value in reply.headers.items():
            self.send_header(key, value)
        if self.owner.close_every_answer:
            self.send_header("Connection", "close")
            self.close_connection = True
        if reply.cut:
            self.send_header("Content-Length", str(len(reply.body)))
            self.end_headers()
            self.wfile.write(reply.body[: len(reply.body) // 2])
            self.wfile.flush()
            # SO_LINGER 0: the close sends a reset, not the end of the stream
            self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
            self.close_connection = True
        elif self.owner.http10:
            self.end_headers()
            self.wfile.write(reply.body)
        elif self.owner.chunked:
            self.send_header("Transfer-Encoding", "chunked")
            self.end_headers()
            for i in range(0, len(reply.body), 7):
                piece = reply.body[i : i + 7]
                self.wfile.write(b"%x;ext=1\r\n%s\r\n" % (len(piece), piece))
            self.wfile.write(b"0\r\nX-Trailer: yes\r\n\r\n")
        else:
            self.send_header("Content-Length", str(len(reply.body)))
            self.end_headers()
            self.wfile.write(reply.body)

    do_GET = do_POST = _serve  # noqa: N815


if __name__ == "__main__":
    center = OtherCenter().start()
    for key, value in center.env().items():
        print(f"export {key}={value}")
    print(f"# start URL {START_URL}, region {REGION}", flush=True)
    try:
        threading.Event().wait()
    except KeyboardInterrupt:
        center.stop()
