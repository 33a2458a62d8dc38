"""What a login waits for besides the user, and what ends those waits: a token another program
saves, another login asking to go first, the login it stepped aside for taking the lock.

A login asking to go first that never takes the lock once it is free (an `ssotui login`
suspended with Ctrl+Z keeps its mark while it waits) is given way to once, not again while its
mark stays: else the picker's login screen would start over with a new code every few seconds.

Part of `tui.aws.login_flows.log_in`.
"""

from __future__ import annotations

import time
from collections.abc import Callable

from tui.aws.login_lock import another_login_waits, held_elsewhere
from tui.aws.token_watch import LOOK_EVERY, SavedElsewhere
from tui.errors import LoginCancelled
from tui.models import SsoSession
from tui.paths import Paths

GIVE_WAY_WAIT = 5.0  # seconds a login that gave way waits for the other to take the lock


class Interruptions:
    """What ends a login's wait for the user besides `cancelled`: a token saved elsewhere
    (unless the login is forced), and (for a login that gives way) another login waiting for
    the lock. A login `deaf_to_waiting` gave way to a waiter that never took the lock: it does
    not give way again until that mark is gone (the waiter ended or took the lock at last).

    A forced login takes no token saved elsewhere: it replaces the sign-in in the file, and a
    refresh of that sign-in (botocore, another ssotui) cannot be told from a new login.
    """

    def __init__(
        self,
        paths: Paths,
        session: SsoSession,
        cancelled: Callable[[], bool] | None,
        *,
        gives_way: bool,
        force: bool,
        deaf_to_waiting: bool = False,
    ) -> None:
        self.paths = paths
        self.session = session
        self.cancelled = cancelled
        self.gives_way = gives_way
        self.takes_saved = not force
        self.saved = SavedElsewhere(paths, session)
        self.gave_way = False
        self.deaf = deaf_to_waiting
        self._next_look = time.monotonic()

    def __call__(self) -> bool:
        if self.cancelled is not None and self.cancelled():
            return True
        if self.takes_saved and self.saved.arrived():
            return True
        if self.gives_way and time.monotonic() >= self._next_look:
            self._next_look = time.monotonic() + LOOK_EVERY
            waits = another_login_waits(self.paths, self.session)
            self.deaf = self.deaf and waits  # a mark let go once: the next waiter is heard
            self.gave_way = waits and not self.deaf
        return self.gave_way

    def sleep(self, sleep: Callable[[float], object]) -> Callable[[float], object]:
        """`sleep` cut in steps of at most a second, ending early when the wait should end."""

        def watchful(seconds: float) -> None:
            left = seconds
            while left > 0 and not self():
                step = min(1.0, left)
                sleep(step)
                left -= step

        return watchful


def until_taken(paths: Paths, session: SsoSession, waited_enough: Callable[[], bool]) -> bool:
    """Wait (a few seconds at most) until the login this one gave way to holds the lock; False
    when it did not take it in that time and still says it waits (a suspended process).

    Done as soon as any other login holds it: a second login waiting too (`ssotui login`, then
    `ssotui login --force`) keeps saying it waits, and this one must not sit that out.
    """
    deadline = time.monotonic() + GIVE_WAY_WAIT
    while time.monotonic() < deadline:
        if held_elsewhere(paths, session) or not another_login_waits(paths, session):
            return True
        if waited_enough():
            raise LoginCancelled(f"login to session {session.label} was cancelled")
        time.sleep(0.05)
    return False
