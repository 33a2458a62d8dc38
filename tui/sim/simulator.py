"""The Simulator: a local IAM Identity Center (SSO OIDC + SSO portal) over real HTTP.

Requests are routed and answered in botocore's rest-json (see :mod:`tui.sim.protocol`); around
each call the Simulator counts it, waits the latency, and applies the portal's rate limit and
injected failures. Knobs (see :class:`tui.sim.knobs.Knobs`) change at construction or with
:meth:`Simulator.set`.
"""

from __future__ import annotations

import json
import ssl
import threading
import time
from collections import Counter
from collections.abc import Callable
from types import TracebackType
from typing import Any
from urllib.parse import parse_qs, urlsplit

from tui.sim.device_page import device_page, result_page
from tui.sim.errors import SimError, portal_error
from tui.sim.federation import ACTIONS, Federation, error_page, parameters
from tui.sim.identity import Identity
from tui.sim.knobs import Approve, Knobs
from tui.sim.limiters import Limiter, make_limiter
from tui.sim.org import Organisation
from tui.sim.portal import Portal
from tui.sim.protocol import ROUTES as ROUTES  # re-exported: it used to live here
from tui.sim.protocol import Response as Response  # re-exported: server.py imports it here
from tui.sim.protocol import call_operation, error_response, json_response
from tui.sim.server import SimServer
from tui.sim.shapes import Call, plain_query, reshape

DEFAULT_START_URL = "https://ssotui-sim.awsapps.com/start"
_FAIL_TYPES = {503: "ServiceUnavailableException", 502: "BadGatewayException"}


class Simulator:
    """A running (after :meth:`start`) IAM Identity Center on 127.0.0.1.

    Knobs (keyword arguments, or :meth:`set` while running): ``latency`` seconds per call;
    ``rate_limit`` portal calls per second (shared by all portal calls, 429
    TooManyRequestsException beyond it) of the ``limiter`` shape ("bucket" by default, of
    ``burst`` tokens; "fixed-window", "sliding-window"); ``fail_every`` N (every Nth portal
    call answers ``fail_status``, 500 InternalServerException or 503 ServiceUnavailableException);
    ``token_lifetime`` and ``credential_lifetime`` seconds; ``refresh`` (issue refresh tokens
    to clients registered with scopes); ``interval`` (0 allowed) and ``device_code_lifetime``;
    ``approve`` ("auto", "manual", "deny", N polls, S.S seconds); ``client_lifetime``;
    ``page_size`` (default page of the List calls); ``malformed`` (operation names whose 200
    answers are cut in half); ``signin_fail_status`` (a 5xx the federation endpoint's
    getSigninToken answers); ``hang``, ``looping_pages``, ``endless_pages`` (operation names:
    see :class:`tui.sim.knobs.Knobs`; set them with :meth:`set`); ``shapes`` (odd but valid
    answers, :mod:`tui.sim.shapes`); ``later_page_faults``, ``later_page_error``,
    ``later_page_fault_count`` (a later page of a listing answered with one of the errors
    botocore's model declares for it, such as an expired page token's); ``page_cap`` (pages no
    larger, whatever ``max_result`` asks). ``calls`` counts requests by
    operation name (``getSigninToken`` and ``login`` for the federation endpoint). ``tls``: an
    ``ssl.SSLContext`` to serve HTTPS with (:mod:`tui.sim.certificate` makes one).
    """

    def __init__(
        self,
        org: Organisation | None = None,
        *,
        latency: float = 0.0,
        rate_limit: float | None = None,
        limiter: str = "bucket",
        burst: float | None = None,
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
        shapes: set[str] | frozenset[str] = frozenset(),
        signin_fail_status: int | None = None,
        start_url: str = DEFAULT_START_URL,
        region: str = "us-east-1",
        host: str = "127.0.0.1",
        port: int = 0,
        log: Callable[[str], None] | None = None,
        tls: ssl.SSLContext | None = None,
    ) -> None:
        self.org = org if org is not None else Organisation.generate(accounts=30)
        self.knobs = Knobs(
            latency=latency,
            rate_limit=rate_limit,
            limiter=limiter,
            burst=burst,
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
            shapes=frozenset(shapes),
            signin_fail_status=signin_fail_status,
        )
        self.start_url = start_url
        self.region = region
        self._host, self._port = host, port
        self._log = log
        self._tls = tls  # HTTPS with this (see tui.sim.certificate), else plain HTTP
        self._lock = threading.RLock()
        self._stopping = threading.Event()
        self._calls: Counter[str] = Counter()
        self._in_flight: Counter[str] = Counter()
        self._peak: Counter[str] = Counter()  # most requests of one operation at once
        self._handshakes: Counter[str] = Counter()  # TLS: "full" and "resumed"
        self._portal_calls = 0
        self._limiter: Limiter | None = None  # built at the first limited call
        self._shape_memory: dict[str, Any] = {}  # what the answer shapes remember between calls
        self.identity = Identity(self.knobs, start_url)
        self.portal = Portal(self.org, self.identity, self.knobs)
        self.federation = Federation(self.portal)
        self._server: SimServer | None = None
        self._thread: threading.Thread | None = None

    # -- lifecycle --------------------------------------------------------------------------

    def start(self) -> None:
        """Bind (port 0 by default) and serve in a daemon thread."""
        if self._server is not None:
            raise RuntimeError("simulator already started")
        self._stopping.clear()
        self._server = SimServer((self._host, self._port), self, self._tls)
        self._thread = threading.Thread(
            target=self._server.serve_forever,
            kwargs={"poll_interval": 0.01},  # `stop` waits for the next poll
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
        """``http://127.0.0.1:PORT`` of the running simulator (``https`` with TLS)."""
        if self._server is None:
            raise RuntimeError("simulator is not running: call start() first")
        host, port = self._server.server_address[:2]
        return f"{'https' if self._tls else 'http'}://{host!s}:{port}"

    def env(self) -> dict[str, str]:
        """The endpoint variables that point botocore's SSO and SSO OIDC clients here, and
        the console sign-in (``AWS_ENDPOINT_URL_SIGNIN``, the federation endpoint)."""
        return {
            "AWS_ENDPOINT_URL_SSO": self.url,
            "AWS_ENDPOINT_URL_SSO_OIDC": self.url,
            "AWS_ENDPOINT_URL_SIGNIN": self.url,
        }

    # -- knobs ------------------------------------------------------------------------------

    def set(self, **knobs: Any) -> None:
        """Change knobs while running, e.g. ``sim.set(rate_limit=5, approve="manual")``."""
        with self._lock:
            self.knobs.update(**knobs)
            if {"rate_limit", "limiter", "burst"} & set(knobs):
                self._limiter = None  # a fresh one (a full bucket) with the new settings
            if "fail_every" in knobs:
                self._portal_calls = 0

    @property
    def calls(self) -> Counter[str]:
        """A snapshot: operation name -> number of requests received."""
        with self._lock:
            return Counter(self._calls)

    @property
    def peak_in_flight(self) -> Counter[str]:
        """A snapshot: operation name -> most requests of it being answered at the same time."""
        with self._lock:
            return Counter(self._peak)

    @property
    def handshakes(self) -> Counter[str]:
        """A snapshot of the TLS handshakes done: "full" (the certificate sent and checked)
        and "resumed" (a session the client kept from an earlier connection)."""
        with self._lock:
            return Counter(self._handshakes)

    def count_handshake(self, resumed: bool) -> None:
        """Count one TLS handshake done (by the server's connection threads)."""
        with self._lock:
            self._handshakes["resumed" if resumed else "full"] += 1

    def reset_calls(self) -> None:
        """Forget the counted calls, peaks and handshakes."""
        with self._lock:
            self._calls.clear()
            self._peak.clear()
            self._handshakes.clear()

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

    def expire_credentials(self) -> None:
        """Expire every role credential issued so far (getSigninToken refuses them)."""
        with self._lock:
            self.portal.expire_credentials(time.time())

    def expire_signin_tokens(self) -> None:
        """Expire every sign-in token issued so far (login refuses them)."""
        with self._lock:
            self.federation.expire_tokens(time.time())

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
        if split.path.rstrip("/") == "/federation":
            return self._federation(method, query, headers, body)
        if split.path.rstrip("/") == "/authorize":
            return self._authorize(method, query, body)
        route = ROUTES.get((method, split.path))
        if route is None:
            return error_response(SimError(404, "UnknownOperationException", "Unknown operation"))
        op, is_portal = route
        with self._lock:
            self._calls[op] += 1
            self._in_flight[op] += 1
            self._peak[op] = max(self._peak[op], self._in_flight[op])
        try:
            return self._answer(op, is_portal, query, headers, body)
        finally:
            with self._lock:
                self._in_flight[op] -= 1

    def _answer(
        self, op: str, is_portal: bool, query: dict[str, str], headers: dict[str, str], body: bytes
    ) -> Response:
        with self._lock:
            latency = self.knobs.latency
        if (latency and self._stopping.wait(latency)) or self._hangs(op, _grant_type(op, body)):
            stopping = SimError(503, "ServiceUnavailableException", "Simulator stopping")
            return error_response(stopping)
        lowered = {k.lower(): v for k, v in headers.items()}
        try:
            with self._lock:
                now = time.time()
                if is_portal:
                    self._portal_gate(now)
                odd = self.knobs.shapes
                result = call_operation(
                    op,
                    plain_query(odd, query),
                    lowered,
                    body,
                    now,
                    identity=self.identity,
                    portal=self.portal,
                    verification_uri=lambda: f"{self.url}/device",
                )
                result = reshape(odd, op, result, Call(now, query, self._shape_memory))
                malformed = op in self.knobs.malformed
        except SimError as err:
            return error_response(err)
        response = json_response(200, result)
        if malformed:
            response.body = response.body[: max(1, len(response.body) // 2)]
        return response

    def _hangs(self, op: str, grant: str = "") -> bool:
        """Hold a request of an operation in the ``hang`` knob (``CreateToken:refresh_token``
        names the refreshes only): True if the simulator stops meanwhile, False once the knob
        no longer names it (or never did)."""
        names = {op, f"{op}:{grant}"} if grant else {op}
        while True:
            with self._lock:
                if not names & self.knobs.hang:
                    return False
            if self._stopping.wait(0.05):
                return True

    def _portal_gate(self, now: float) -> None:
        """Rate limit (429) and injected failures (5xx) shared by all portal calls."""
        rate = self.knobs.rate_limit
        if rate is not None:
            if self._limiter is None:
                self._limiter = make_limiter(self.knobs.limiter, rate, self.knobs.burst)
            if not self._limiter.take(now):
                raise portal_error(429, "TooManyRequestsException", "Too many requests")
        every = self.knobs.fail_every
        if every is not None:
            self._portal_calls += 1
            if self._portal_calls % every == 0:
                status = self.knobs.fail_status
                name = _FAIL_TYPES.get(status, "InternalServerException")
                raise portal_error(status, name, "Injected failure")

    def _federation(
        self, method: str, query: dict[str, str], headers: dict[str, str], body: bytes
    ) -> Response:
        """The federation endpoint, counted by action, with latency and injected failures."""
        params = parameters(method, query, headers, body)
        action = params.get("Action", "")
        if action not in ACTIONS or method not in {"GET", "POST"}:
            return error_page(400, "Unknown action.")
        with self._lock:
            self._calls[action] += 1
            latency = self.knobs.latency
        if latency and self._stopping.wait(latency):
            return error_page(503, "Simulator stopping.")
        with self._lock:
            now = time.time()
            if action == "login":
                return self.federation.login(params, now)
            failing = self.knobs.signin_fail_status
            if failing is not None:
                return error_page(failing, "Injected failure.")
            return self.federation.get_signin_token(params, now)

    def _authorize(self, method: str, query: dict[str, str], body: bytes) -> Response:
        """The browser flow's authorize page (:mod:`tui.sim.authorize`); counted as
        ``Authorize``."""
        with self._lock:
            self._calls["Authorize"] += 1
            now = time.time()
            if method == "POST":
                form = {k: v[-1] for k, v in parse_qs(body.decode("utf-8", "replace")).items()}
                answer = self.identity.decide_authorization(
                    form.get("request_id", ""), form.get("action") == "approve", now
                )
            elif method == "GET":
                answer = self.identity.authorize(query, now)
            else:
                return error_response(SimError(404, "UnknownOperationException", "Not found"))
        headers = {"Content-Type": "text/html; charset=utf-8", "Cache-Control": "no-store"}
        if answer.location is not None:
            headers["Location"] = answer.location
        return Response(answer.status, answer.page.encode(), headers)

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


def _grant_type(op: str, body: bytes) -> str:
    """The `grantType` of a CreateToken request ("" for other operations or a bad body)."""
    if op != "CreateToken":
        return ""
    try:
        grant = json.loads(body).get("grantType", "")
    except (ValueError, AttributeError):
        return ""
    return grant if isinstance(grant, str) else ""
