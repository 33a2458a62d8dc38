"""What the credential endpoint last refused its child, for the door to say once the child has
ended.

SDKs differ in what they show of a refusal: botocore puts the endpoint's body in its error and
the Go SDK its `message`, but the JavaScript SDK v3 keeps only the status (`fromHttp`), and its
default chain ends in "Could not load credentials from any providers": a user of a Node.js tool
whose login was lost learns neither why nor what to do. So the door says the last refusal
itself, in ssotui's words. Only a request that passed the guards (the child's, with the token)
counts, and credentials answered after it clear it: the child got what it asked for.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from tui.models import utcnow


@dataclass(frozen=True)
class Refusal:
    """When the child was refused, and the line its answer said (what happened, what to do)."""

    at: datetime
    message: str


class LastRefusal:
    """The refusal of the child's last request for credentials, if it was refused; shared by the
    endpoint's request threads."""

    def __init__(self, clock: Callable[[], datetime] = utcnow) -> None:
        self._clock = clock
        self._lock = threading.Lock()
        self._refusal: Refusal | None = None

    def refused(self, message: str) -> None:
        """The child's request was answered with a failure saying `message`."""
        refusal = Refusal(self._clock(), message)
        with self._lock:
            self._refusal = refusal

    def answered(self) -> None:
        """The child's request was answered with credentials."""
        with self._lock:
            self._refusal = None

    def last(self) -> Refusal | None:
        """The refusal, while no request has been answered with credentials since."""
        with self._lock:
            return self._refusal
