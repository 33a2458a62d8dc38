"""Role credentials kept between runs, as the AWS CLI keeps them in `~/.aws/cli/cache`.

One JSON file per (session, account, role) in ssotui's cache folder (`role-credentials/`),
0600 in a 0700 folder, never in the catalog cache. A file is used only while its credentials
have more than `margin` left and the clock has not gone back since they were fetched; a file
that is corrupt, not ours, or readable by others is ignored (and replaced by the next fetch).
`fetchedAt` is when the fetch started: one that started before the session's last logout
(`tui.store.logouts`) is ignored and removed, even when it was saved after the logout.
`signIn` names the sign-in they were fetched under (`sign_in`: a digest of the token's refresh
token, else of its access token): after `aws sso logout` and another login, which leave no
logout time here, the token in the shared cache is another one and they are not used. A renewal
by ssotui that brings a new refresh token carries the sign-in on (`tui.store.sign_ins`); one by
the AWS CLI or an SDK, which ssotui does not see, costs one fetch per role.
"""

from __future__ import annotations

import contextlib
import json
from collections.abc import Collection, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from tui import digests
from tui.models import Account, RoleCredentials, SsoSession, utcnow
from tui.paths import Paths
from tui.store.files import locked_if_possible
from tui.store.secret_file import read_private_text, write_cache_file

FOLDER = "role-credentials"


def folder(paths: Paths) -> Path:
    """Where every session's role credentials are kept."""
    return paths.cache_dir / FOLDER


def cache_path(paths: Paths, session: SsoSession, account_id: str, role: str) -> Path:
    """The file of one role's credentials."""
    key = "\0".join((session.cache_key, account_id, role))
    return folder(paths) / f"{session.cache_key[:12]}-{digests.sha1(key.encode()).hexdigest()}.json"


@contextlib.contextmanager
def one_fetch(
    paths: Paths, session: SsoSession, account: Account, role: str
) -> Iterator[Path | None]:
    """Hold the role's lock while the block looks and fetches: processes that ask for the same
    role at the same moment make one GetRoleCredentials call between them. None when the lock
    cannot be taken (a read-only cache folder): the block fetches and keeps nothing."""
    path = cache_path(paths, session, account.account_id, role)
    doing = f"fetching the credentials of {account.label_with_id}/{role}"
    with locked_if_possible(paths, path, doing=doing) as held:
        yield path if held else None


def load(
    path: Path,
    account: Account,
    role: str,
    *,
    margin: timedelta,
    now: datetime | None = None,
    logged_out: datetime | None = None,
    signed_in: str | None = None,
    continued: Collection[str] = (),
) -> RoleCredentials | None:
    """The credentials kept at `path` while they have more than `margin` left, else None.

    Credentials whose fetch started at or before `logged_out` (the session's last logout) are
    None, and their file is deleted: they came with a token of before that logout. With
    `signed_in` (`sign_in` of the session's token now), credentials fetched under another
    sign-in are None, unless it is one of `continued` (those ssotui's renewals carried on to
    `signed_in`: `tui.store.sign_ins.continued_by`).
    """
    text = read_private_text(path)
    if text is None:
        return None
    now = now or utcnow()
    try:
        data: Any = json.loads(text)
        fetched_at = datetime.fromisoformat(data["fetchedAt"])
        expiration = datetime.fromisoformat(data["expiration"])
        if data["accountId"] != account.account_id or data["roleName"] != role:
            return None
        if signed_in is not None and data.get("signIn") not in {signed_in, *continued}:
            return None
        creds = RoleCredentials(
            account=account,
            role_name=role,
            access_key_id=str(data["accessKeyId"]),
            secret_access_key=str(data["secretAccessKey"]),
            session_token=str(data["sessionToken"]),
            expiration=expiration,
        )
    except (OSError, ValueError, RecursionError, KeyError, TypeError):
        return None
    if fetched_at.tzinfo is None or expiration.tzinfo is None:
        return None
    if logged_out is not None and fetched_at <= logged_out:
        with contextlib.suppress(OSError):
            path.unlink()
        return None
    # A clock that went back (now before the fetch) could make expired credentials look
    # young: then they are not trusted, whatever their expiry says.
    if now < fetched_at or now + margin >= expiration:
        return None
    return creds


def save(
    path: Path,
    creds: RoleCredentials,
    *,
    fetched_at: datetime | None = None,
    signed_in: str | None = None,
) -> None:
    """Keep `creds` at `path` (0600, atomically); `fetched_at`: when their fetch started;
    `signed_in`: `sign_in` of the token they were fetched with. Credentials that cannot be
    written (a full disk) are not kept, and those kept before are removed (`--refresh` was
    maybe asked because they no longer work): the next command fetches them again."""
    data: dict[str, str] = {
        "accountId": creds.account.account_id,
        "roleName": creds.role_name,
        "accessKeyId": creds.access_key_id,
        "secretAccessKey": creds.secret_access_key,
        "sessionToken": creds.session_token,
        "expiration": creds.expiration.astimezone(UTC).isoformat(),
        "fetchedAt": (fetched_at or utcnow()).astimezone(UTC).isoformat(),
    }
    if signed_in is not None:
        data["signIn"] = signed_in
    write_cache_file(path, json.dumps(data))  # 0600, a link or foreign file replaced


def forget(paths: Paths, session: SsoSession, account_id: str, role: str) -> None:
    """Delete one role's kept credentials (a service refused them: the next use fetches anew)."""
    with contextlib.suppress(FileNotFoundError):
        cache_path(paths, session, account_id, role).unlink()


def delete(paths: Paths, session: SsoSession) -> int:
    """Delete every role's credentials kept for `session`; how many files went."""
    removed = 0
    for path in folder(paths).glob(f"{session.cache_key[:12]}-*.json*"):
        with contextlib.suppress(FileNotFoundError):
            path.unlink()
            removed += path.suffix == ".json"
    return removed
