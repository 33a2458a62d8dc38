"""A wait on another ssotui process, told to the door that runs the use case.

The locks ssotui takes against its other processes (the AWS config or credentials file being
changed, a session's token being renewed, a role's credentials or a session's catalog being
fetched) are let go within milliseconds, most of the time. When one is still held after
`SAID_AFTER` seconds, `tui.store.files.locked` tells the handler of `told_to` once, with a
`WaitingForOtherSsotui`, and goes on waiting: the command line prints one line on stderr, the
picker shows a notice. Where no door listens (`credential-process`, run by programs whose SDK
puts its stderr in front of its error; the child of `exec --renew`, which has the terminal),
nothing is said.

The handler is the process's, not one thread's: a lock is often taken in a worker thread (the
picker's, a catalog fetch's), which does not see what the thread that started it set. It is
called in the thread that waits.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass

SAID_AFTER = 1.0  # seconds of waiting before the wait is said: most locks go sooner


@dataclass(frozen=True)
class WaitingForOtherSsotui:
    """Another ssotui holds a lock this one needs; this one waits for it.

    `doing` is what the other one is doing, in the user's words ("changing
    /home/me/.aws/credentials", "renewing the token of session dev"); it may hold names from
    the service or the user's config, which the door makes printable.
    """

    doing: str


WaitHandler = Callable[[WaitingForOtherSsotui], object]

_handler: WaitHandler | None = None


@contextlib.contextmanager
def told_to(handler: WaitHandler | None) -> Iterator[None]:
    """While the block runs, waits on another ssotui are told to `handler` (None: to no one);
    the handler before is back afterwards."""
    global _handler
    before, _handler = _handler, handler
    try:
        yield
    finally:
        _handler = before


def listened() -> bool:
    """Whether a wait would be told to anyone now."""
    return _handler is not None


def tell(doing: str) -> None:
    """Tell the handler, if there is one, that this process waits for another doing `doing`."""
    handler = _handler
    if handler is not None:
        handler(WaitingForOtherSsotui(doing))
