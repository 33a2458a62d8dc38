"""Which sign-in a token belongs to, and which earlier ones ssotui's own renewals continued.

Role credentials are kept under the sign-in they were fetched with (`sign_in`: a digest of the
token's refresh token, else its access token), so that after `aws sso logout` and another login
they are not handed out. Identity Center may give a new refresh token at each renewal: when
ssotui renews the token itself it knows the new one continues the old sign-in (the old refresh
token bought it) and notes so here, in `sign-ins/<session cache key>` (0600, in a 0700 folder
of ssotui's cache folder), written atomically under the lock the refresh holds. The file names
the latest sign-in and, newest first, those it continues; a renewal that does not continue the
latest one (the AWS CLI or an SDK renewed in between, unseen here, or a login came) starts it
again, and a sign-in continued more than `KEPT_FOR` ago (no role credentials outlive that) or
past the `MOST` newest is dropped.

Nothing else makes a continuation: a login (ssotui's or `aws sso login`) gets a refresh token
no renewal here gave, and `ssotui logout` deletes the file. A file that is corrupt, not ours,
open to others or another session's continues nothing.
"""

from __future__ import annotations

import contextlib
import json
import re
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from tui import digests
from tui.errors import FileWriteError
from tui.models import SsoSession, Token, utcnow
from tui.paths import Paths
from tui.store.secret_file import read_private_text, write_secret_file

FOLDER = "sign-ins"
# Role credentials last 12 hours at most: those fetched under a sign-in continued before then
# are expired, and so is the link.
KEPT_FOR = timedelta(hours=12)
MOST = 24  # earlier sign-ins named at most (renewals come about hourly)
_DIGEST = re.compile(r"[0-9a-f]{32}")


def sign_in(token: Token) -> str:
    """What tells the sign-in `token` belongs to from another: a renewal keeps it while the
    service keeps the refresh token; a new login (by ssotui or `aws sso login`) changes it."""
    secret = token.refresh_token or token.access_token
    return digests.sha256(secret.encode("utf-8")).hexdigest()[:32]


def chain_path(paths: Paths, session: SsoSession) -> Path:
    """The file that names the session's latest sign-in and those it continues."""
    return paths.cache_dir / FOLDER / session.cache_key


def _read(paths: Paths, session: SsoSession) -> tuple[str, list[tuple[str, datetime]]] | None:
    """The latest sign-in and the (sign-in, when continued) it continues, newest first; None
    when there is no file, or it is corrupt, not ours, open to others or another session's."""
    text = read_private_text(chain_path(paths, session))
    if text is None:
        return None
    try:
        data: Any = json.loads(text)
        latest = data["signIn"]
        if data["session"] != session.cache_key or not _is_digest(latest):
            return None
        earlier: list[tuple[str, datetime]] = []
        for link in data["continues"]:
            name, when = link["signIn"], datetime.fromisoformat(link["continuedAt"])
            if not _is_digest(name) or when.tzinfo is None:
                return None
            earlier.append((name, when))
    except (ValueError, RecursionError, KeyError, TypeError):
        return None
    return latest, earlier


def _is_digest(value: object) -> bool:
    return isinstance(value, str) and _DIGEST.fullmatch(value) is not None


def continued_by(
    paths: Paths, session: SsoSession, current: str, *, now: datetime | None = None
) -> set[str]:
    """The earlier sign-ins `current` continues through ssotui's renewals (not `current` itself;
    none when the file does not name it or is not to be trusted).

    `current` may be one the latest continues: read from the token file just before another
    process renewed it, it still continues those before it.
    """
    chain = _read(paths, session)
    if chain is None:
        return set()
    latest, earlier = chain
    names = [latest, *(name for name, _ in earlier[:MOST])]
    if current not in names:
        return set()
    oldest = (now or utcnow()) - KEPT_FOR
    after = earlier[names.index(current) : MOST]
    return {name for name, when in after if when > oldest and name != current}


def record_renewal(
    paths: Paths, session: SsoSession, spent: Token, fresh: Token, *, now: datetime | None = None
) -> None:
    """Note that `fresh`, which ssotui got for `spent`'s refresh token, continues its sign-in.

    Called under the lock on the session's token file (the one refreshes and logouts take),
    after `fresh` is saved: two renewals never write at once, and a logout deletes this only
    after a renewal in flight wrote it. Not being able to write it costs a fetch, no more.
    """
    old, new = sign_in(spent), sign_in(fresh)
    if old == new:
        return  # the service kept the refresh token: the sign-in is the same
    now = (now or utcnow()).astimezone(UTC)
    chain = _read(paths, session)
    earlier = chain[1] if chain is not None and chain[0] == old else []
    links = [(old, now), *((name, when) for name, when in earlier if when > now - KEPT_FOR)]
    data = {
        "session": session.cache_key,
        "signIn": new,
        "continues": [
            {"signIn": name, "continuedAt": when.isoformat()} for name, when in links[:MOST]
        ],
    }
    with contextlib.suppress(FileWriteError, OSError):
        write_secret_file(chain_path(paths, session), json.dumps(data))


def forget(paths: Paths, session: SsoSession) -> None:
    """Delete the session's chain (a logout: no sign-in continues one of before it)."""
    with contextlib.suppress(OSError):
        chain_path(paths, session).unlink()
