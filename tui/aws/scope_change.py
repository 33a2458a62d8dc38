"""Whether the cached token of a session was granted for other scopes than it has now.

The AWS CLI keeps a client registration per session *and* `sso_registration_scopes` (botocore's
registration cache key holds the scopes), and the token names the client it was granted to
(`clientId`). So after the user changes the scopes, `aws sso login` registers a new client for
them and logs in again; `ssotui login` does the same when the token's client is found among the
cached registrations under this session's key for other scopes, botocore's or ssotui's browser
key (the key is computed again from the scopes the registration holds, which proves whose it
is). When that cannot be told (a token without a clientId, its registration file gone or
replaced, another region's), the token is reused as before: a needless login costs a browser
trip, a missed one only the new scopes.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

from tui.aws import token_cache
from tui.models import DEFAULT_SCOPES, SsoSession, Token
from tui.paths import Paths

# botocore names registration files by a sha1 in hex; nothing else in the folder is read.
_CACHE_NAME = re.compile(r"[0-9a-f]{40}\.json")


def _registration_files(paths: Paths) -> Iterator[Path]:
    try:
        found = sorted(paths.sso_cache_dir.iterdir())
    except OSError:
        return
    for path in found:
        if _CACHE_NAME.fullmatch(path.name):
            yield path


def _registered_for_session(session: SsoSession, path: Path, scopes: tuple[str, ...]) -> bool:
    """Whether `path` is where the AWS CLI (or ssotui, for its browser flow) keeps this
    session's registration for some setting of `sso_registration_scopes` whose registration
    holds `scopes` (the scopes as set, none set, or set empty: the device flow records none, the
    browser flow its default then)."""
    settings: list[list[str] | None] = [list(scopes), None, []]
    return any(
        path.stem == token_cache.registration_key_with(session, setting, browser=browser)
        for setting in settings
        for browser in (False, True)
    )


def granted_for_other_scopes(paths: Paths, session: SsoSession, token: Token) -> bool:
    """True when `token` was granted to a client this session registered for scopes other than
    the ones it asks for now (compared as sets: a reordering changes nothing granted); False
    when the scopes are the same or cannot be told."""
    if not token.client_id:
        return False
    for browser in (False, True):
        current = token_cache.load_registration(paths, session, browser=browser)
        if current is not None and current.client_id == token.client_id:
            return False  # the client registered for the scopes set now
    for path in _registration_files(paths):
        registration = token_cache.read_registration(path)
        if registration is None or registration.client_id != token.client_id:
            continue
        granted = registration.scopes or ()
        if _registered_for_session(session, path, granted):
            # a browser registration for no scope holds the default it asked for instead
            wanted = session.scopes or (DEFAULT_SCOPES if registration.for_browser else ())
            return set(granted) != set(wanted)
    return False
