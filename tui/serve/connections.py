"""The connections the credential endpoint holds open: how many, how long each may wait.

Any local process can connect to 127.0.0.1, token or not, so what a connection may cost is
bounded here, not by the client's goodwill:

- at most `MAX_CONNECTIONS` are held at once (one thread each). To take one more, the
  connection that has waited longest for a request is dropped: an idle kept-alive connection
  (its SDK connects again when it next needs one) or one still sending its request. A fresh
  SDK connection, whose request comes at once, is the youngest and is never the one dropped;
  while every connection is being answered, new ones wait in the listen queue;
- a request's line and headers must all arrive within `HEAD_DEADLINE` of the connection's
  opening (or of the first byte of the next request on a kept-alive connection);
- a kept-alive connection waits `IDLE_TIMEOUT` for its next request, `BUSY_IDLE_TIMEOUT`
  once half the connections are taken.
"""

from __future__ import annotations

import contextlib
import socket
import threading
import time
from dataclasses import dataclass

MAX_CONNECTIONS = 64
# SDKs send a request's line and headers in one write (botocore/urllib3, Go's net/http, the
# JavaScript and Java SDKs), and give up on the answer after 1-2 s (botocore: 2 s): a head still
# incomplete after 5 s on loopback is no SDK's, and the margin covers a stalled machine.
HEAD_DEADLINE = 5.0
IDLE_TIMEOUT = 60.0
BUSY_IDLE_TIMEOUT = 5.0


@dataclass
class _Held:
    """One open connection: since when it waits for a request (None while answered)."""

    waiting_since: float | None
    dropped: bool = False


class Connections:
    """The open connections of one endpoint, thread-safe."""

    def __init__(self, limit: int = MAX_CONNECTIONS) -> None:
        self._limit = limit
        self._held: dict[socket.socket, _Held] = {}
        self._changed = threading.Condition()
        self._stopped = False

    def make_room(self) -> bool:
        """Wait until one more connection may be held, dropping the one that has waited
        longest for a request when all are taken; False once `stop` was called."""
        with self._changed:
            while not self._stopped and len(self._held) >= self._limit:
                waiting = [
                    (held.waiting_since, sock)
                    for sock, held in self._held.items()
                    if held.waiting_since is not None and not held.dropped
                ]
                if waiting:
                    _since, oldest = min(waiting, key=lambda pair: pair[0])
                    self._held[oldest].dropped = True
                    _shut(oldest)
                self._changed.wait()  # until a connection's thread has ended
            return not self._stopped

    def add(self, sock: socket.socket) -> None:
        """A connection just accepted: it waits for its first request from now."""
        with self._changed:
            self._held[sock] = _Held(time.monotonic())
            if self._stopped:  # accepted as the endpoint closed
                _shut(sock)

    def remove(self, sock: socket.socket) -> None:
        """A connection closed (its thread is ending)."""
        with self._changed:
            self._held.pop(sock, None)
            self._changed.notify_all()

    def answering(self, sock: socket.socket) -> bool:
        """A whole request came: the connection may no longer be dropped (False when it was
        dropped already)."""
        with self._changed:
            held = self._held.get(sock)
            if held is None or held.dropped:
                return False
            held.waiting_since = None
            return True

    def waiting(self, sock: socket.socket) -> None:
        """The connection waits for (or receives) a request from now."""
        with self._changed:
            held = self._held.get(sock)
            if held is not None:
                held.waiting_since = time.monotonic()
                self._changed.notify_all()  # one more that `make_room` may drop

    def idle_timeout(self) -> float:
        """How long a kept-alive connection may wait for its next request now."""
        with self._changed:
            busy = len(self._held) >= self._limit // 2
        return BUSY_IDLE_TIMEOUT if busy else IDLE_TIMEOUT

    def stop(self) -> None:
        """Shut every open connection, which ends the threads waiting on them; `make_room`
        returns False from now."""
        with self._changed:
            self._stopped = True
            still_open = list(self._held)
            self._changed.notify_all()
        for sock in still_open:
            _shut(sock)

    def __len__(self) -> int:
        with self._changed:
            return len(self._held)


def _shut(sock: socket.socket) -> None:
    with contextlib.suppress(OSError):
        sock.shutdown(socket.SHUT_RDWR)
