"""Waiting for a call that must not hang, without timing it.

A test that proves a call ends (at its deadline, at a timeout it was given) makes the hang it
guards against long on purpose (a read timeout of `NEVER`, a server that drips for ever), runs
the call in a thread and waits for it to finish with `PATIENCE`: far more than a loaded
machine needs, far less than the hang. What the test then asserts is counted, not timed: the
attempts the server saw, the backoffs slept, the message. A hang fails at once with its name
rather than holding the suite.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import TypeVar

import pytest

T = TypeVar("T")

# Seconds a call that ends by itself is given to end: at least ten times what it needs on an
# idle machine (the slowest here waits 2 s of deadline), whatever the load.
PATIENCE = 30.0
# Seconds of a read timeout no call may reach: the hang a test makes long on purpose.
NEVER = 600.0


def finished(call: Callable[[], T], *, what: str, within: float = PATIENCE) -> T:
    """What `call()` returns (or raises), once it has finished; fails saying `what` is still
    running after `within` seconds."""
    outcome: list[tuple[bool, object]] = []

    def run() -> None:
        try:
            outcome.append((True, call()))
        except BaseException as exc:  # handed to the test's thread as it was
            outcome.append((False, exc))

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    thread.join(within)
    if thread.is_alive():
        pytest.fail(f"{what} still running after {within:g} s: it hangs")
    ok, value = outcome[0]
    if not ok:
        assert isinstance(value, BaseException)
        raise value
    return value  # type: ignore[return-value]
