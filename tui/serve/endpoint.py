"""The credential endpoint: a loopback HTTP server, in a thread of ssotui's own process, that
serves role credentials renewing themselves to a child process in the container-credentials
protocol every AWS SDK, the AWS CLI and Terraform read.

    with CredentialEndpoint(fetch) as endpoint:
        endpoint.credentials()  # the first fetch, so a lost login fails before the child starts
        env = endpoint_child_env(endpoint.environment(), creds, environ)
        ...run the child with env...

It listens on 127.0.0.1 on a port the system picks, at a random path, and answers only with the
random Authorization token of `environment()`; leaving the block closes it, its port and every
open connection. How many connections it holds, and for how long, is `tui.serve.connections`.
"""

from __future__ import annotations

import contextlib
import secrets
import selectors
import socket
import threading
from collections.abc import Callable
from datetime import datetime, timedelta
from types import TracebackType
from typing import Any

from tui.errors import SsotuiError
from tui.logs import hide
from tui.models import RoleCredentials, utcnow
from tui.serve.connections import Connections
from tui.serve.handler import CredentialRequestHandler, EndpointServer
from tui.serve.refusals import LastRefusal, Refusal
from tui.serve.renewing import ANSWER_WAIT, NEAR_EXPIRY, RENEW_MARGIN, RenewingCredentials

HOST = "127.0.0.1"
URI_VAR = "AWS_CONTAINER_CREDENTIALS_FULL_URI"
TOKEN_VAR = "AWS_CONTAINER_AUTHORIZATION_TOKEN"


class _Server(EndpointServer):
    """A threaded TCP server that holds a bounded number of connections and ends them when it
    closes."""

    daemon_threads = True
    # Connections waiting to be taken: socketserver's 5 drops the rest of a burst (20 SDK
    # clients at once), whose SYNs are sent again only a second or more later.
    request_queue_size = socket.SOMAXCONN

    def __init__(
        self,
        credentials: RenewingCredentials,
        token: str,
        path: str,
        advice: Callable[[str], str] | None,
    ) -> None:
        super().__init__((HOST, 0), CredentialRequestHandler)
        self.port = int(self.server_address[1])
        self.token = token
        self.path = path
        self.credentials = credentials
        self.connections = Connections()
        self.refusals = LastRefusal()
        self.advice = advice

    def verify_request(self, request: Any, client_address: Any) -> bool:
        """Only 127.0.0.1 itself."""
        return bool(client_address and client_address[0] == HOST)

    def process_request(self, request: Any, client_address: Any) -> None:
        """Remember the connection, then answer it in its own thread."""
        self.connections.add(request)
        super().process_request(request, client_address)

    def shutdown_request(self, request: Any) -> None:
        """Forget and close the connection."""
        self.connections.remove(request)
        super().shutdown_request(request)

    def handle_error(self, request: Any, client_address: Any) -> None:
        """Nothing: a client gone mid-answer is no news, and a traceback must never reach the
        terminal the child shares with ssotui."""


def _cannot_listen(exc: OSError) -> SsotuiError:
    return SsotuiError(
        f"self-renewing credentials need a port on {HOST}, and none could be opened "
        f"({exc.strerror or type(exc).__name__}): try again, or use credentials that do not "
        "renew themselves"
    )


class CredentialEndpoint:
    """Self-renewing role credentials served on 127.0.0.1 for the lifetime of a `with` block.

    `fetch` returns fresh credentials of the one role (renewing the SSO token when needed) or
    raises an `SsotuiError`; it is called on the first request and again once the credentials
    have no more than `renew_margin` left (see `RenewingCredentials` for `near_expiry`,
    `answer_wait`, and `renew`, `login_stamp` and `pending`: a background renewal that tries
    less hard, what tells that a login was saved, what a slow fetch waits for). `advice` puts
    a failure's advice in the words of the door that started the child (the session options
    typed), for the child's SDK to show. `clock` is for tests.
    """

    def __init__(
        self,
        fetch: Callable[[], RoleCredentials],
        *,
        renew: Callable[[], RoleCredentials] | None = None,
        login_stamp: Callable[[], object] | None = None,
        pending: Callable[[], str] | None = None,
        renew_margin: timedelta = RENEW_MARGIN,
        near_expiry: timedelta = NEAR_EXPIRY,
        answer_wait: float = ANSWER_WAIT,
        advice: Callable[[str], str] | None = None,
        clock: Callable[[], datetime] = utcnow,
    ) -> None:
        self._advice = advice
        self._renewing = RenewingCredentials(
            fetch,
            renew=renew,
            login_stamp=login_stamp,
            pending=pending,
            renew_margin=renew_margin,
            near_expiry=near_expiry,
            answer_wait=answer_wait,
            clock=clock,
        )
        self._token = secrets.token_urlsafe(32)  # 43 characters, 256 bits
        self._path = "/" + secrets.token_urlsafe(18)
        hide(self._token, self._path[1:])
        self._server: _Server | None = None
        self._thread: threading.Thread | None = None
        self._wake: tuple[socket.socket, socket.socket] | None = None

    def __repr__(self) -> str:
        where = f"{HOST}:{self._server.port}" if self._server else "not started"
        return f"CredentialEndpoint({where})"

    # -- lifetime --------------------------------------------------------------------------

    def start(self) -> None:
        """Listen on 127.0.0.1 (a port the system picks) and serve from a daemon thread;
        SsotuiError, one line, when no port can be opened there."""
        if self._server is not None:
            return
        try:
            server = _Server(self._renewing, self._token, self._path, self._advice)
        except OSError as exc:
            raise _cannot_listen(exc) from None
        try:
            wake = socket.socketpair()
        except OSError as exc:
            server.server_close()
            raise _cannot_listen(exc) from None
        self._server, self._wake = server, wake
        self._thread = threading.Thread(
            target=self._serve,
            args=(server, wake[0]),
            name="ssotui-credential-endpoint",
            daemon=True,
        )
        self._thread.start()

    def close(self) -> None:
        """Stop listening, release the port and end open connections (idempotent)."""
        server, thread, wake = self._server, self._thread, self._wake
        if server is None or thread is None or wake is None:
            return
        self._thread = self._wake = None
        with contextlib.suppress(OSError):
            wake[1].send(b"x")
        server.connections.stop()  # also wakes the loop waiting for room
        thread.join()
        server.server_close()
        for end in wake:
            end.close()

    def __enter__(self) -> CredentialEndpoint:
        self.start()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    @staticmethod
    def _serve(server: _Server, wake: socket.socket) -> None:
        """Accept connections, once there is room for one more, until `close` writes to `wake`
        (no polling)."""
        with selectors.DefaultSelector() as selector:
            selector.register(server.socket, selectors.EVENT_READ)
            selector.register(wake, selectors.EVENT_READ)
            while server.connections.make_room():
                ready = selector.select()
                if any(key.fileobj is wake for key, _ in ready):
                    return
                try:
                    request, client_address = server.get_request()
                except OSError:
                    continue
                if not server.verify_request(request, client_address):
                    server.shutdown_request(request)
                    continue
                try:
                    server.process_request(request, client_address)
                except Exception:
                    server.shutdown_request(request)

    # -- what the caller uses --------------------------------------------------------------

    @property
    def port(self) -> int:
        """The port listened on (the endpoint must be started)."""
        if self._server is None:
            raise RuntimeError("the credential endpoint is not started")
        return self._server.port

    def environment(self) -> dict[str, str]:
        """The two variables a child needs: `AWS_CONTAINER_CREDENTIALS_FULL_URI` and
        `AWS_CONTAINER_AUTHORIZATION_TOKEN` (a secret: never log it)."""
        return {URI_VAR: f"http://{HOST}:{self.port}{self._path}", TOKEN_VAR: self._token}

    def credentials(self) -> RoleCredentials:
        """Cached credentials, or fresh ones however long the fetch takes; raises what `fetch`
        raises (call it before starting the child so a lost login fails at once)."""
        return self._renewing.get(wait=True)

    def last_refusal(self) -> Refusal | None:
        """The refusal of the child's last request for credentials (what it said, when), if it
        was refused: for the door to say once the child has ended (see `tui.serve.refusals`)."""
        return None if self._server is None else self._server.refusals.last()

    @property
    def fetches(self) -> int:
        """How many times `fetch` was called so far."""
        return self._renewing.fetches
