"""Noticing what other processes do to a session's cached token: a login, a logout, a refresh.

The token cache is shared with `aws sso login`, boto3 and every other ssotui, which take no lock
of ssotui's. A watch looks at the file's stat (cheap, no portal call) and reads the token again
only when the stat changed, so the picker can poll it every second: its login screen carries on
with a token another program saved, and its status line says when one was removed or replaced.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable

from tui.aws import token_cache
from tui.aws.scope_change import granted_for_other_scopes
from tui.errors import NotLoggedIn
from tui.models import SsoSession, Token
from tui.paths import Paths

LOOK_EVERY = 0.5  # seconds between two looks at the file from a login's wait

_Stat = tuple[int, int, int, int] | None


def _stat(paths: Paths, session: SsoSession) -> _Stat:
    try:
        st = os.stat(token_cache.token_path(paths, session))
    except OSError:
        return None
    return (st.st_ino, st.st_size, st.st_mtime_ns, st.st_ctime_ns)


class TokenWatch:
    """The session's token file as it was when the watch began, and whether it changed since."""

    def __init__(self, paths: Paths, session: SsoSession) -> None:
        self.paths = paths
        self.session = session
        self._seen = _stat(paths, session)

    def changed(self) -> bool:
        """True when the file was written, replaced or removed since the last look."""
        now = _stat(self.paths, self.session)
        if now == self._seen:
            return False
        self._seen = now
        return True

    def token(self) -> Token | None:
        """The token in the file now (no refresh, no portal call); None when there is none or
        it cannot be read."""
        try:
            return token_cache.load_token(self.paths, self.session)
        except NotLoggedIn:
            return None


class SavedElsewhere:
    """A login's look-out for a usable token that another process (another ssotui, `aws sso
    login`, an SDK) saved while this login waits for the user."""

    def __init__(
        self,
        paths: Paths,
        session: SsoSession,
        *,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._watch = TokenWatch(paths, session)
        self._before = self._watch.token()
        self._clock = clock
        self._next_look = clock() + LOOK_EVERY
        self.token: Token | None = None

    def arrived(self) -> bool:
        """True once a new, unexpired token for this session's scopes is in the cache (looked
        at no more often than every LOOK_EVERY seconds)."""
        if self.token is not None:
            return True
        if self._clock() < self._next_look:
            return False
        self._next_look = self._clock() + LOOK_EVERY
        if not self._watch.changed():
            return False
        token = self._watch.token()
        before = self._before.access_token if self._before is not None else None
        if (
            token is not None
            and token.access_token != before
            and not token.is_expired
            and not granted_for_other_scopes(self._watch.paths, self._watch.session, token)
        ):
            self.token = token
        return self.token is not None
