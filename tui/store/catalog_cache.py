"""The catalog cache: every account and role of one session, as last fetched (no secrets).

One JSON file per session under the user cache dir (`catalog/<session cache key>.json`),
written atomically 0600; a symlink there is replaced, never written through. A file that is
missing, unreadable, corrupt (even nested too deep to parse), of another version or of
another start URL reads as "no cache" (None), never as an error; so does one that is not the
user's own regular file (a symlink, a pipe, another user's or anyone's to change): it could
name another account than the user's for a name they type. A catalog fetched before the
session's last logout is ignored and removed, even when it was saved after it
(`tui.store.logouts`).

The accounts Identity Center refused (`refused`, id -> note) came after version 1 without a
new version: a file without them reads as none refused, and an older ssotui reading a newer
file sees such an account with no roles, which is what it has. So did the listings that went
round (`incomplete`, id -> note, and `accountsCut`, the line for an accounts listing that
stopped early): a file without them reads as none, an older ssotui sees the roles and
accounts that were listed.

Version 2 holds the accounts as columns (`accountIds`, `accountNames`, `emailAddresses`,
`roles`: one entry per account, in order) rather than one object per account (version 1's
`accounts`): 10,000 accounts parse in a quarter of the time, the picker's first picture
sooner by as much. A version 1 file is still read; an older ssotui takes a version 2 file for
no cache, fetches the catalog and writes version 1, which this one reads.
"""

from __future__ import annotations

import contextlib
import json
from collections.abc import Iterator
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from itertools import chain, repeat
from operator import itemgetter
from pathlib import Path
from typing import Any

from tui.errors import FileWriteError
from tui.models import Account, Catalog, SsoSession, utcnow
from tui.paths import Paths
from tui.store import logouts
from tui.store.files import locked_if_possible
from tui.store.secret_file import UntrustedFile, read_own_file, write_cache_file

VERSION = 2
OBJECTS = 1  # the version before columns, still read
COLUMNS = ("accountIds", "accountNames", "emailAddresses", "roles")  # version 2's accounts


def cache_path(paths: Paths, session: SsoSession) -> Path:
    """Where the catalog of a session is cached."""
    return paths.cache_dir / "catalog" / f"{session.cache_key}.json"


@contextlib.contextmanager
def one_update(paths: Paths, session: SsoSession) -> Iterator[None]:
    """Hold the session's catalog lock while the block looks at the cache and fetches: processes
    that start together with an old or no cache make one fetch between them (each its own when
    the lock cannot be taken: a read-only cache folder)."""
    doing = f"fetching the catalog of session {session.label}"
    with locked_if_possible(paths, cache_path(paths, session), doing=doing):
        yield


def to_dict(session: SsoSession, catalog: Catalog) -> dict[str, Any]:
    """The JSON form of a catalog (accounts with their roles, failures, when and whether whole)."""
    return {
        "version": VERSION,
        "session": session.label,
        "startUrl": session.start_url,
        "fetchedAt": catalog.fetched_at.astimezone(UTC).isoformat(),
        "complete": catalog.complete and not catalog.failed,
        "failed": dict(catalog.failed),
        "refused": dict(catalog.refused),
        "incomplete": dict(catalog.incomplete),
        "accountsCut": catalog.accounts_cut,
        "accountIds": [a.account_id for a in catalog.accounts],
        "accountNames": [a.name for a in catalog.accounts],
        "emailAddresses": [a.email for a in catalog.accounts],
        "roles": [list(catalog.roles_of(a.account_id)) for a in catalog.accounts],
    }


@dataclass(frozen=True)
class CachedCatalog:
    """A cached catalog as its file holds it, before any `Account` is built: the accounts as
    columns in the file's order (ids, names, emails, role lists), and `frame`, the catalog
    without them (when fetched, failures, refusals, whether complete).

    `whole` builds every account (`load`). A command that names one account (`exec`, `export`,
    `credential-process`, ...) resolves it on the columns and builds that one alone
    (`CatalogUseCases.find`): among 10,000 cached accounts, building the 9,999 others took
    ~12 ms of each `credential-process`, which an AWS SDK runs once per client.
    """

    ids: list[str]
    names: list[str]
    emails: list[str]
    roles: list[list[str]]
    frame: Catalog

    def account(self, index: int) -> Account:
        """The account at `index` of the file."""
        return Account(self.ids[index], self.names[index], self.emails[index])

    def whole(self) -> Catalog:
        """The catalog with every account and its roles."""
        return replace(
            self.frame,
            accounts=tuple(map(Account, self.ids, self.names, self.emails)),
            roles=dict(zip(self.ids, map(tuple, self.roles), strict=True)),
        )

    def narrowed(self, account: Account) -> Catalog:
        """The catalog of `account` alone, with its roles (an id listed twice: its last
        listing, as in `whole`) and the whole catalog's time, failures and refusals."""
        last = len(self.ids) - 1 - self.ids[::-1].index(account.account_id)
        roles = {account.account_id: tuple(self.roles[last])}
        return replace(self.frame, accounts=(account,), roles=roles)


def from_dict(session: SsoSession, data: Any) -> Catalog | None:
    """A catalog from its JSON form; None when it is not one (or not this session's)."""
    cached = _columns(session, data)
    return None if cached is None else cached.whole()


def _columns(session: SsoSession, data: Any) -> CachedCatalog | None:
    """`from_dict` before the accounts are built; None when it is not a catalog."""
    if not isinstance(data, dict) or data.get("version") not in (VERSION, OBJECTS):
        return None
    if data.get("startUrl") != session.start_url:
        return None
    try:
        fetched_at = datetime.fromisoformat(str(data["fetchedAt"]))
        if fetched_at.tzinfo is None:
            fetched_at = fetched_at.replace(tzinfo=UTC)
        if data["version"] == VERSION:
            ids, names, emails, roles = map(data.__getitem__, COLUMNS)
            if not all(map(isinstance, (ids, names, emails, roles), repeat(list))):
                return None
            if not len(ids) == len(names) == len(emails) == len(roles):
                return None
        else:
            ids, names, emails, roles = _objects_as_columns(data["accounts"])
        if not all(map(isinstance, roles, repeat(list))):
            return None
        if not all(
            map(isinstance, chain(ids, names, emails, chain.from_iterable(roles)), repeat(str))
        ):
            return None
        failed_raw = data.get("failed") or {}
        if not isinstance(failed_raw, dict):
            return None
        failed = {_text(k): _text(v) for k, v in failed_raw.items()}
        refused_raw = data.get("refused") or {}
        if not isinstance(refused_raw, dict):
            return None
        refused = {_text(k): _text(v) for k, v in refused_raw.items() if k not in failed}
        incomplete_raw = data.get("incomplete") or {}
        if not isinstance(incomplete_raw, dict):
            return None
        incomplete = {_text(k): _text(v) for k, v in incomplete_raw.items() if k not in failed}
        accounts_cut = _text(data.get("accountsCut") or "")
        complete = data.get("complete") is True and not failed
    except (KeyError, TypeError, ValueError, AttributeError):
        return None
    frame = Catalog(
        accounts=(),
        roles={},
        fetched_at=fetched_at,
        failed=failed,
        complete=complete,
        refused=refused,
        incomplete=incomplete,
        accounts_cut=accounts_cut,
    )
    return CachedCatalog(ids, names, emails, roles, frame)


def _objects_as_columns(items: Any) -> tuple[list[Any], list[Any], list[Any], list[Any]]:
    """Version 1's accounts, one object each, as the columns of version 2 (unchecked)."""
    # Column by column, in C: the per-account loop in Python was most of reading the file.
    # An item that is not an object fails the first column (TypeError or KeyError).
    ids = list(map(itemgetter("accountId"), items))
    names = list(map(itemgetter("accountName"), items))
    emails = list(map(dict.get, items, repeat("emailAddress"), repeat("")))
    roles = list(map(dict.get, items, repeat("roles"), repeat([])))
    return ids, names, emails, roles


def _text(value: object) -> str:
    if not isinstance(value, str):
        raise TypeError("expected a string")
    return value


def load(paths: Paths, session: SsoSession) -> Catalog | None:
    """The cached catalog of a session, or None (missing, unreadable, corrupt)."""
    cached = load_cached(paths, session)
    return None if cached is None else cached.whole()


def load_cached(paths: Paths, session: SsoSession) -> CachedCatalog | None:
    """`load`, its accounts not yet built (`CachedCatalog`)."""
    try:
        raw = read_own_file(cache_path(paths, session))  # no link followed, no pipe waited on
        if raw is None:
            return None
        data = json.loads(raw.decode("utf-8"))
    # RecursionError: brackets nested past Python's limit ("[[[[…"), a file no ssotui wrote
    except (OSError, ValueError, RecursionError, UntrustedFile):
        return None
    cached = _columns(session, data)
    logged_out = logouts.last(paths, session)
    # Fetched with a token of before the last logout (every call of a fetch needs the token,
    # so it ended before the revoke), yet saved after the logout deleted the cache.
    if cached is not None and logged_out is not None and cached.frame.fetched_at <= logged_out:
        with contextlib.suppress(OSError):
            cache_path(paths, session).unlink()
        return None
    return cached


def save(paths: Paths, session: SsoSession, catalog: Catalog) -> None:
    """Write the catalog of a session (atomic, 0600, a symlink there replaced; a catalog with
    failures stays incomplete). One that cannot be written (a full disk) is not kept, and the
    one before it is removed: the next command fetches it again."""
    from tui.text import utf8_json

    text = json.dumps(to_dict(session, catalog), ensure_ascii=False, separators=(",", ":"))
    text = utf8_json(text)  # a name the service sent with a lone surrogate is kept exact
    write_cache_file(cache_path(paths, session), text)


def delete(paths: Paths, session: SsoSession) -> bool:
    """Remove the cached catalog of a session; True when there was one."""
    path = cache_path(paths, session)
    try:
        path.unlink()
    except FileNotFoundError:
        return False
    except OSError as exc:
        raise FileWriteError(f"cannot delete {path}: {exc.strerror}") from None
    return True


def age(paths: Paths, session: SsoSession, now: datetime | None = None) -> timedelta | None:
    """How old the cached catalog is, or None when there is none."""
    catalog = load(paths, session)
    if catalog is None:
        return None
    return (now or utcnow()) - catalog.fetched_at
