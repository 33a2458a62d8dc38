"""The Simulator: a local IAM Identity Center (SSO OIDC + SSO portal) over real HTTP.

Routes are those of botocore's ``sso`` and ``sso-oidc`` service models (rest-json). Errors carry
their name in the ``x-amzn-ErrorType`` header and ``{"message": ...}`` in the body (plus
``error``/``error_description`` for OIDC, as the real service sends). Knobs (see
:class:`tui.sim.knobs.Knobs`) change at construction or with :meth:`Simulator.set`.
"""

from __future__ import annotations

import json
import threading
import time
import uuid
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from types import TracebackType
from typing import Any
from urllib.parse import parse_qs, urlsplit

from tui.sim.device_page import device_page, result_page
from tui.sim.errors import SimError, oidc_error, portal_error
from tui.sim.identity import Identity
from tui.sim.knobs import Approve, Knobs, TokenBucket
from tui.sim.org import Organisation
from tui.sim.portal import Portal
from tui.sim.server import SimServer

DEFAULT_START_URL = "https://ssotui-sim.awsapps.com/start"
_ERROR_NAMESPACE = ":http://internal.amazon.com/coral/com.amazonaws.switchboard.portal/"
_TOKEN_HEADER = "x-amz-sso_bearer_token"

# (method, path) -> (operation name, is a portal call)
ROUTES: dict[tuple[str, str], tuple[str, bool]] = {
    ("POST", "/client/register"): ("RegisterClient", False),
    ("POST", "/device_authorization"): ("StartDeviceAuthorization", False),
    ("POST", "/token"): ("CreateToken", False),
    ("GET", "/assignment/accounts"): ("ListAccounts", True),
    ("GET", "/assignment/roles"): ("ListAccountRoles", True),
    ("GET", "/federation/credentials"): ("GetRoleCredentials", True),
    ("POST", "/logout"): ("Logout", True),
}
_FAIL_TYPES = {503: "ServiceUnavailableException", 502: "BadGatewayException"}


@dataclass
class Response:
    """What the handler writes back."""

    status: int
    body: bytes = b""
    headers: dict[str, str] = field(default_factory=dict)


def _json(status: int, data: dict[str, Any]) -> Response:
    headers = {"Content-Type": "application/json", "x-amzn-RequestId": str(uuid.uuid4())}
    return Response(status, json.dumps(data, ensure_ascii=False).encode(), headers)


def _error(err: SimError) -> Response:
    response = _json(err.status, err.body())
    response.headers["x-amzn-ErrorType"] = err.error_type + _ERROR_NAMESPACE
    return response


class Simulator:
    """A running (after :meth:`start`) IAM Identity Center on 127.0.0.1.

    Knobs (keyword arguments, or :meth:`set` while running): ``latency`` seconds per call;
    ``rate_limit`` portal calls per second (a token bucket shared by all portal calls, 429
    TooManyRequestsException beyond it); ``fail_every`` N (every Nth portal call answers
    ``fail_status``, 500 InternalServerException or 503 ServiceUnavailableException);
    ``token_lifetime`` and ``credential_lifetime`` seconds; ``refresh`` (issue refresh tokens
    to clients registered with scopes); ``interval`` (0 allowed) and ``device_code_lifetime``;
    ``approve`` ("auto", "manual", "deny", N polls, S.S seconds); ``client_lifetime``;
    ``page_size`` (default page of the List calls); ``malformed`` (operation names whose 200
    answers are cut in half). ``calls`` counts requests by operation name.
    """

    def __init__(
        self,
        org: Organisation | None = None,
        *,
        latency: float = 0.0,
        rate_limit: float | None = None,
        fail_every: int | None = None,
        fail_status: int = 500,
        token_lifetime: int = 3600,
        refresh: bool = True,
        interval: int = 1,
        device_code_lifetime: int = 600,
        approve: Approve = "auto",
        credential_lifetime: int = 3600,
        client_lifetime: int = 90 * 86400,
        page_size: int = 20,
        malformed: set[str] | frozenset[str] = frozenset(),
        start_url: str = DEFAULT_START_URL,
        region: str = "us-east-1",
        host: str = "127.0.0.1",
        port: int = 0,
        log: Callable[[str], None] | None = None,
    ) -> None:
        self.org = org if org is not None else Organisation.generate(accounts=30)
        self.knobs = Knobs(
            latency=latency,
            rate_limit=rate_limit,
            fail_every=fail_every,
            fail_status=fail_status,
            token_lifetime=token_lifetime,
            refresh=refresh,
            interval=interval,
            device_code_lifetime=device_code_lifetime,
            approve=approve,
            credential_lifetime=credential_lifetime,
            client_lifetime=client_lifetime,
            page_size=page_size,
            malformed=frozenset(malformed),
        )
        self.start_url = start_url
        self.region = region
        self._host, self._port = host, port
        self._log = log
        self._lock = threading.RLock()
        self._stopping = threading.Event()
        self._calls: Counter[str] = Counter()
        self._portal_calls = 0
        self._bucket = TokenBucket()
        self.identity = Identity(self.knobs, start_url)
        self.portal = Portal(self.org, self.identity, self.knobs)
        self._server: SimServer | None = None
        self._thread: threading.Thread | None = None

    # -- lifecycle --------------------------------------------------------------------------

    def start(self) -> None:
        """Bind (port 0 by default) and serve in a daemon thread."""
        if self._server is not None:
            raise RuntimeError("simulator already started")
        self._stopping.clear()
        self._server = SimServer((self._host, self._port), self)
        self._thread = threading.Thread(
            target=self._server.serve_forever,
            kwargs={"poll_interval": 0.05},
            name="ssotui-sim",
            daemon=True,
        )
        self._thread.start()

    def stop(self) -> None:
        """Stop serving and close every connection (quick; safe to call twice)."""
        server, self._server = self._server, None
        if server is None:
            return
        self._stopping.set()
        server.shutdown()
        server.server_close()
        server.close_connections()
        if self._thread is not None:
            self._thread.join(timeout=2)
            self._thread = None

    def __enter__(self) -> Simulator:
        self.start()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()

    @property
    def url(self) -> str:
        """``http://127.0.0.1:PORT`` of the running simulator."""
        if self._server is None:
            raise RuntimeError("simulator is not running: call start() first")
        host, port = self._server.server_address[:2]
        return f"http://{host!s}:{port}"

    def env(self) -> dict[str, str]:
        """The endpoint variables that point botocore's SSO and SSO OIDC clients here."""
        return {"AWS_ENDPOINT_URL_SSO": self.url, "AWS_ENDPOINT_URL_SSO_OIDC": self.url}

    # -- knobs ------------------------------------------------------------------------------

    def set(self, **knobs: Any) -> None:
        """Change knobs while running, e.g. ``sim.set(rate_limit=5, approve="manual")``."""
        with self._lock:
            self.knobs.update(**knobs)
            if "rate_limit" in knobs:
                self._bucket.reset()
            if "fail_every" in knobs:
                self._portal_calls = 0

    @property
    def calls(self) -> Counter[str]:
        """A snapshot: operation name -> number of requests received."""
        with self._lock:
            return Counter(self._calls)

    def reset_calls(self) -> None:
        """Forget the counted calls."""
        with self._lock:
            self._calls.clear()

    def approve(self, user_code: str | None = None) -> int:
        """Approve pending device authorizations (all, or the one with ``user_code``)."""
        with self._lock:
            return self.identity.approve(user_code)

    def deny(self, user_code: str | None = None) -> int:
        """Deny pending device authorizations (all, or the one with ``user_code``)."""
        with self._lock:
            return self.identity.approve(user_code, deny=True)

    def pending(self) -> list[str]:
        """User codes waiting for approval."""
        with self._lock:
            return self.identity.pending_user_codes(time.time())

    def revoke_tokens(self) -> None:
        """Invalidate every access and refresh token issued so far (401 / InvalidGrant)."""
        with self._lock:
            self.identity.revoke_tokens()

    def expire_tokens(self) -> None:
        """Expire every access token issued so far; refresh tokens keep working."""
        with self._lock:
            self.identity.expire_tokens(time.time())

    def expire_clients(self) -> None:
        """Expire every client registration (InvalidClientException from then on)."""
        with self._lock:
            self.identity.expire_clients(time.time())

    def log(self, line: str) -> None:
        """One access-log line (dropped unless a ``log`` callable was given)."""
        if self._log is not None:
            self._log(line)

    # -- requests ---------------------------------------------------------------------------

    def dispatch(self, method: str, target: str, headers: dict[str, str], body: bytes) -> Response:
        """Answer one HTTP request (called by the handler threads)."""
        split = urlsplit(target)
        query = {k: v[-1] for k, v in parse_qs(split.query, keep_blank_values=True).items()}
        if split.path.rstrip("/") == "/device":
            return self._device(method, query, body)
        route = ROUTES.get((method, split.path))
        if route is None:
            return _error(SimError(404, "UnknownOperationException", "Unknown operation"))
        op, is_portal = route
        with self._lock:
            self._calls[op] += 1
            latency = self.knobs.latency
        if latency and self._stopping.wait(latency):
            return _error(SimError(503, "ServiceUnavailableException", "Simulator stopping"))
        lowered = {k.lower(): v for k, v in headers.items()}
        try:
            with self._lock:
                now = time.time()
                if is_portal:
                    self._portal_gate(now)
                result = self._operation(op, query, lowered, body, now)
                malformed = op in self.knobs.malformed
        except SimError as err:
            return _error(err)
        response = _json(200, result)
        if malformed:
            response.body = response.body[: max(1, len(response.body) // 2)]
        return response

    def _portal_gate(self, now: float) -> None:
        """Rate limit (429) and injected failures (5xx) shared by all portal calls."""
        rate = self.knobs.rate_limit
        if rate is not None and not self._bucket.take(rate, now):
            raise portal_error(429, "TooManyRequestsException", "Too many requests")
        every = self.knobs.fail_every
        if every is not None:
            self._portal_calls += 1
            if self._portal_calls % every == 0:
                status = self.knobs.fail_status
                name = _FAIL_TYPES.get(status, "InternalServerException")
                raise portal_error(status, name, "Injected failure")

    def _operation(
        self, op: str, query: dict[str, str], headers: dict[str, str], body: bytes, now: float
    ) -> dict[str, Any]:
        token = headers.get(_TOKEN_HEADER)
        if op == "ListAccounts":
            return self.portal.list_accounts(token, query, now)
        if op == "ListAccountRoles":
            return self.portal.list_account_roles(token, query, now)
        if op == "GetRoleCredentials":
            return self.portal.get_role_credentials(token, query, now)
        if op == "Logout":
            return self.portal.logout(token, now)
        try:
            data = json.loads(body or b"{}")
        except ValueError:
            data = None
        if not isinstance(data, dict):
            raise oidc_error("InvalidRequestException", "request body is not a JSON object")
        if op == "RegisterClient":
            return self.identity.register_client(data, now)
        if op == "StartDeviceAuthorization":
            return self.identity.start_device_authorization(data, now, f"{self.url}/device")
        return self.identity.create_token(data, now)

    def _device(self, method: str, query: dict[str, str], body: bytes) -> Response:
        html_type = {"Content-Type": "text/html; charset=utf-8"}
        if method == "POST":
            form = {k: v[-1] for k, v in parse_qs(body.decode("utf-8", "replace")).items()}
            code = form.get("user_code", "")
            deny = form.get("action") == "deny"
            done = self.deny(code) if deny else self.approve(code)
            if not done:
                message = f"No pending request with code {code}."
            else:
                message = "Denied." if deny else "Approved: you can close this window."
            return Response(200, result_page(message).encode(), html_type)
        page = device_page(query.get("user_code", ""), self.pending())
        return Response(200, page.encode(), html_type)
