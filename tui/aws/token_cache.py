"""The AWS CLI v2 SSO token cache, read and written the way the AWS CLI does it.

`~/.aws/sso/cache/<sha1(session name)>.json` (sha1(start URL) for legacy/ad hoc sessions) holds
the access token with the client registration beside it; a separate file keyed by sha1 of a
JSON of the registration's properties holds the client registration alone (botocore's
`SSOTokenFetcher._registration_cache_key`), so a registration made by `aws sso login` is reused
and ours is reused by it. Times are written `%Y-%m-%dT%H:%M:%SZ`; the other forms the AWS CLI,
botocore and the other SDKs write (fractions, offsets, a `UTC` suffix) are read too.

The AWS CLI 2.22+ keeps either flow's registration under botocore's key, but a CLI before 2.22
reuses whatever it finds there for its device code login, and the service refuses a browser
registration for that. So only device code registrations are written under botocore's key;
ssotui's browser registrations go under a key of their own (`registration_key(session,
browser=True)`: the same JSON with one more member, `"flow": "authorization_code"`), in the same
folder and form, where no AWS CLI looks.

Both files are written as botocore writes them (temp file, rename over the path), always 0600:
a symlink at the path is replaced, never followed. Unlike botocore, ssotui reads them only when
the user could have written them (`tui.store.secret_file.read_own_file`): a token file planted
by someone else is "run `ssotui login`", a registration like that is made anew. A
registration's `grantTypes` says which flow it was made for.
"""

from __future__ import annotations

import contextlib
import json
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from tui import digests
from tui.aws.sessions import same_portal
from tui.errors import FileWriteError, NotLoggedIn
from tui.logs import hide
from tui.models import SsoSession, Token, utcnow
from tui.paths import SSO_CACHE_VARIABLE, Paths
from tui.store.files import file_kind, locked, locked_if_possible, not_a_folder
from tui.store.secret_file import (
    UntrustedFile,
    check_writable,
    mode_open_to_others,
    read_own_file,
    write_secret_file,
)

TIME_FORMAT = "%Y-%m-%dT%H:%M:%SZ"
# The AWS CLI treats a registration as used up 15 minutes before it expires.
REGISTRATION_MARGIN = timedelta(minutes=15)
# A registration expiry that cannot be read: long past.
LONG_AGO = datetime.min.replace(tzinfo=UTC)
AUTHORIZATION_CODE_GRANT = "authorization_code"
# The member that sets the key of ssotui's browser registrations apart from botocore's.
BROWSER_KEY_MEMBER = "flow"
# A token file that is not JSON is read again a few times before it is called unusable: the
# JavaScript SDK (and older botocore) rewrite it in place, so a read can fall between the
# truncation and the write.
TORN_READ_TRIES = 4
TORN_READ_PAUSE = 0.05  # seconds


def _pause() -> None:
    time.sleep(TORN_READ_PAUSE)


@dataclass(frozen=True)
class Registration:
    """An OIDC client registration (RegisterClient result) as the AWS CLI caches it."""

    client_id: str = field(repr=False)
    client_secret: str = field(repr=False)
    expires_at: datetime
    scopes: tuple[str, ...] | None = None
    grant_types: tuple[str, ...] | None = None

    @property
    def usable(self) -> bool:
        """Not within 15 minutes of expiry (the AWS CLI's rule; `0001-01-01`, a zero time,
        is long past)."""
        return self.expires_at > utcnow() + REGISTRATION_MARGIN

    @property
    def for_browser(self) -> bool:
        """Made for the browser (authorization code) flow; else for the device code flow.

        The AWS CLI wrote no `grantTypes` before it had the browser flow, so a registration
        without them is a device code one (botocore's `_is_registration_for_auth_code`).
        """
        return bool(self.grant_types and AUTHORIZATION_CODE_GRANT in self.grant_types)


def format_time(when: datetime) -> str:
    """A time as the AWS CLI writes it in the cache."""
    return when.astimezone(UTC).strftime(TIME_FORMAT)


def parse_time(value: object) -> datetime:
    """Parse a cache time the way botocore (dateutil) would; naive times are UTC."""
    if not isinstance(value, str) or not value.strip():
        raise ValueError(f"not a time: {value!r}")
    text = value.strip()
    for suffix in ("UTC", "GMT"):
        if text.upper().endswith(suffix):
            text = text[: -len(suffix)].rstrip() + "+00:00"
    try:
        parsed = datetime.fromisoformat(text)
    except ValueError:
        import dateutil.parser  # type: ignore[import-untyped]

        try:
            parsed = dateutil.parser.parse(value.strip())
        except (ValueError, OverflowError) as exc:
            raise ValueError(f"not a time: {value!r}") from exc
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=UTC)
    try:
        return parsed.astimezone(UTC)
    except OverflowError:  # past the last (or before the first) moment a datetime holds in UTC
        return (datetime.max if parsed.year > 1 else datetime.min).replace(tzinfo=UTC)


def token_path(paths: Paths, session: SsoSession) -> Path:
    """The token cache file of a session (shared with `aws sso login`) in `paths`' cache."""
    return paths.sso_cache_dir / f"{session.cache_key}.json"


def token_lock(paths: Paths, session: SsoSession) -> contextlib.AbstractContextManager[None]:
    """The lock a renewal, a login's save and a logout hold on the session's token, across
    ssotui processes (a wait for it of more than a second is told: `tui.store.waits`)."""
    return locked(
        paths,
        token_path(paths, session),
        doing=f"renewing the token of session {session.label}",
    )


def token_lock_if_possible(
    paths: Paths, session: SsoSession
) -> contextlib.AbstractContextManager[bool]:
    """`token_lock` for a logout: when the lock cannot be made (ssotui's cache folder
    read-only, a file in its place), no other ssotui can take it to renew the token either,
    so the logout goes on without it. Yields whether it holds the lock."""
    return locked_if_possible(
        paths,
        token_path(paths, session),
        doing=f"renewing the token of session {session.label}",
    )


def registration_key(session: SsoSession, *, browser: bool = False) -> str:
    """botocore's registration cache key: sha1 of a sorted JSON of tool, URL, region, scopes
    (`sso_registration_scopes`, None when the session does not set it); with `browser`, the
    key of ssotui's browser registrations, which no AWS CLI reads."""
    scopes = list(session.scopes) if session.scopes_configured else None
    return registration_key_with(session, scopes, browser=browser)


def registration_key_with(
    session: SsoSession, scopes: list[str] | None, *, browser: bool = False
) -> str:
    """The registration key the session has when `scopes` is its `sso_registration_scopes`."""
    args: dict[str, Any] = {
        "tool": "botocore",
        "startUrl": session.start_url,
        "region": session.region,
        "scopes": scopes,
        "session_name": session.name,
    }
    if browser:
        # never botocore's key: a CLI before 2.22 would use the registration for a device code
        args[BROWSER_KEY_MEMBER] = AUTHORIZATION_CODE_GRANT
    return digests.sha1(json.dumps(args, sort_keys=True).encode("utf-8")).hexdigest()


def registration_path(paths: Paths, session: SsoSession, *, browser: bool = False) -> Path:
    """The AWS CLI's client registration cache file for a session; with `browser`, the file of
    ssotui's browser registration beside it."""
    return paths.sso_cache_dir / f"{registration_key(session, browser=browser)}.json"


def _corrupt(session: SsoSession, path: Path, why: str) -> NotLoggedIn:
    return NotLoggedIn(
        f"the token cache {path} of session {session.label} is unusable ({why}): run `ssotui login`"
    )


def _folder_in_the_way(paths: Paths, session: SsoSession, path: Path) -> NotLoggedIn:
    """A file where the token cache folder (or one above it) goes: a login could not save its
    token there either, so the line says to move it (or the variable naming it) first."""
    found = not_a_folder(path.parent)
    if found is None:  # gone since: as a read that failed
        return _corrupt(session, path, "Not a directory")
    blocker, mode = found
    instead = f", or point {SSO_CACHE_VARIABLE} at a folder" if paths.sso_cache_moved else ""
    return NotLoggedIn(
        f"the token cache of session {session.label} cannot be read: {blocker} is "
        f"{file_kind(mode)}, not a folder: move it away{instead}, then run `ssotui login`"
    )


def _untrusted(session: SsoSession, problem: UntrustedFile) -> NotLoggedIn:
    return NotLoggedIn(
        f"the token cache {problem.path} of session {session.label} {problem.why}; ssotui "
        "does not use a token file that may not be yours: run `ssotui login` to replace it"
    )


def _read_json(path: Path) -> Any:
    """The parsed file, None when missing; UntrustedFile when it may not be the user's
    (`read_own_file`), OSError/ValueError when unreadable or not JSON."""
    raw = read_own_file(path)
    if raw is None:
        return None
    try:
        return json.loads(raw.decode("utf-8"))
    except RecursionError:  # nested deeper than the parser goes: no file the AWS CLI wrote
        raise ValueError("nested too deeply") from None


def _optional_str(data: dict[str, Any], key: str) -> str | None:
    """A member only a refresh (or the start URL check) uses: None when missing or not a
    string. botocore reads the token without it, so ssotui uses the token too."""
    value = data.get(key)
    return value if isinstance(value, str) else None


def _registration_expiry(data: dict[str, Any]) -> datetime | None:
    """`registrationExpiresAt`: None when missing (a refresh is tried, as ever); a time that
    cannot be read counts as past, so the token is used and not refreshed (botocore reads it
    only to refresh, and fails there)."""
    value = data.get("registrationExpiresAt")
    if value is None:
        return None
    try:
        return parse_time(value)
    except (ValueError, OverflowError):
        return LONG_AGO


def token_from_dict(data: Any) -> Token:
    """A Token from the AWS CLI's JSON object (ValueError when it is not one).

    What botocore needs is needed here: `accessToken` and a readable `expiresAt`. The members a
    refresh uses are taken only when readable: without them the token is used while valid and
    then means "log in again", as in botocore (which fails its refresh on them).
    """
    if not isinstance(data, dict):
        raise ValueError("not a JSON object")
    access_token = data.get("accessToken")
    if not isinstance(access_token, str) or not access_token:
        raise ValueError("no accessToken")
    if "expiresAt" not in data:
        raise ValueError("no expiresAt")
    hide(access_token, _optional_str(data, "refreshToken"), _optional_str(data, "clientSecret"))
    return Token(
        start_url=_optional_str(data, "startUrl") or "",
        region=_optional_str(data, "region") or "",
        access_token=access_token,
        expires_at=parse_time(data["expiresAt"]),
        client_id=_optional_str(data, "clientId"),
        client_secret=_optional_str(data, "clientSecret"),
        registration_expires_at=_registration_expiry(data),
        refresh_token=_optional_str(data, "refreshToken"),
    )


def token_to_dict(token: Token) -> dict[str, str]:
    """The AWS CLI's JSON object for a token (keys in the AWS CLI's order)."""
    data = {
        "startUrl": token.start_url,
        "region": token.region,
        "accessToken": token.access_token,
        "expiresAt": format_time(token.expires_at),
    }
    if token.client_id and token.client_secret:
        data["clientId"] = token.client_id
        data["clientSecret"] = token.client_secret
        if token.registration_expires_at is not None:
            data["registrationExpiresAt"] = format_time(token.registration_expires_at)
    if token.refresh_token:
        data["refreshToken"] = token.refresh_token
    return data


def load_token(paths: Paths, session: SsoSession) -> Token | None:
    """The cached token of a session, None when there is none (or it is another org's).

    A cache file that cannot be read or parsed (after a few looks, for a file caught while
    another tool rewrites it) raises NotLoggedIn with one clear line.
    """
    path = token_path(paths, session)
    for attempt in range(1, TORN_READ_TRIES + 1):
        try:
            data = _read_json(path)
            break
        except UntrustedFile as problem:
            raise _untrusted(session, problem) from None
        except IsADirectoryError:  # a login would fail on it too: say what to do first
            raise NotLoggedIn(
                f"the token cache {path} of session {session.label} is a folder, not a file: "
                "move it away, then run `ssotui login`"
            ) from None
        except NotADirectoryError:
            raise _folder_in_the_way(paths, session, path) from None
        except OSError as exc:
            raise _corrupt(session, path, exc.strerror or "cannot be read") from None
        except ValueError:
            if attempt == TORN_READ_TRIES:
                raise _corrupt(session, path, "not valid JSON") from None
            _pause()  # maybe caught mid-write by another tool: look again
    if data is None:
        return None
    try:
        token = token_from_dict(data)
    except (ValueError, OverflowError) as exc:
        raise _corrupt(session, path, str(exc)) from None
    # The session's start URL changed since this token was cached: it belongs elsewhere (not
    # for a `#/` or a `/` more or less: the same portal, as the browser shows its address).
    if token.start_url and same_portal(token.start_url) != same_portal(session.start_url):
        return None
    return token


def save_token(paths: Paths, session: SsoSession, token: Token) -> None:
    """Write a session's token where the AWS CLI keeps it (0600, atomic, a symlink replaced)."""
    write_secret_file(token_path(paths, session), json.dumps(token_to_dict(token)))


def save_login_token(paths: Paths, session: SsoSession, token: Token) -> None:
    """Save the token a login got, under the lock refreshes and logouts hold: a refresh another
    process has in flight ends first, so the token it writes (of the login before) never
    replaces this one; a refresh that starts after reads this one."""
    with token_lock(paths, session):
        save_token(paths, session, token)


def check_token_can_be_saved(paths: Paths, session: SsoSession) -> None:
    """FileWriteError, one line, when a login's token could not be saved for the session
    (`tui.store.secret_file.check_writable`): said before the login asks anything of the
    service or the user, not after they approved it."""
    try:
        check_writable(token_path(paths, session))
    except FileWriteError as exc:
        raise FileWriteError(
            f"no login to session {session.label} was started, as its token could not be "
            f"saved: {exc.message}"
        ) from None


def delete_token(paths: Paths, session: SsoSession) -> bool:
    """Remove a session's cached token; True when there was one.

    Raises FileWriteError (one line) when something at the path cannot be removed (a folder,
    a read-only or locked-down cache folder); a cache "folder" that is a file holds no token.
    """
    path = token_path(paths, session)
    try:
        path.unlink()
    except (FileNotFoundError, NotADirectoryError):
        return False
    except OSError as exc:
        raise FileWriteError(
            f"cannot remove the token cache {path} of session {session.label}: "
            f"{exc.strerror or type(exc).__name__}; remove it by hand"
        ) from None
    with contextlib.suppress(OSError):
        path.with_name(path.name + ".lock").unlink()
    return True


def load_registration(
    paths: Paths, session: SsoSession, *, browser: bool = False
) -> Registration | None:
    """The client registration cached under a session's key (with `browser`, under ssotui's
    browser key), None when missing or unreadable."""
    return read_registration(registration_path(paths, session, browser=browser))


def read_registration(path: Path) -> Registration | None:
    """The client registration in the file at `path`, None when missing, unreadable or not a
    registration (a token file, which holds a clientId too, is not one)."""
    try:
        data = _read_json(path)
        if not isinstance(data, dict) or "accessToken" in data:
            return None
        client_id, secret = data.get("clientId"), data.get("clientSecret")
        if not (isinstance(client_id, str) and isinstance(secret, str)):
            return None
        hide(secret)
        scopes, grants = data.get("scopes"), data.get("grantTypes")
        return Registration(
            client_id=client_id,
            client_secret=secret,
            expires_at=parse_time(data.get("expiresAt")),
            scopes=tuple(str(s) for s in scopes) if isinstance(scopes, list) else None,
            grant_types=tuple(str(g) for g in grants) if isinstance(grants, list) else None,
        )
    except (UntrustedFile, OSError, ValueError, OverflowError):
        # a broken registration, or one that may not be the user's, only costs a new
        # RegisterClient (and is replaced by it)
        return None


def registration_expiry(
    paths: Paths, session: SsoSession, client_id: str | None
) -> datetime | None:
    """When the session's cached registration of `client_id` expires (under botocore's key or
    ssotui's browser key), None when neither holds it."""
    if not client_id:
        return None
    for browser in (False, True):
        cached = load_registration(paths, session, browser=browser)
        if cached is not None and cached.client_id == client_id:
            return cached.expires_at
    return None


def save_registration(paths: Paths, session: SsoSession, registration: Registration) -> None:
    """Write a client registration (0600, atomic, a symlink replaced): a device code one where
    every AWS CLI looks for it, a browser one under ssotui's browser key."""
    data: dict[str, Any] = {
        "clientId": registration.client_id,
        "clientSecret": registration.client_secret,
        "expiresAt": format_time(registration.expires_at),
    }
    if registration.scopes:
        data["scopes"] = list(registration.scopes)
    if registration.grant_types:
        data["grantTypes"] = list(registration.grant_types)
    path = registration_path(paths, session, browser=registration.for_browser)
    write_secret_file(path, json.dumps(data))


def files_open_to_others(folder: Path) -> list[tuple[Path, int]]:
    """Every token and registration file of the SSO cache `folder` whose mode lets other users
    read or change it, with that mode (for `doctor`: the next ssotui write makes such a file
    0600, but a file written by another tool stays as it is until then)."""
    try:
        candidates = sorted(folder.glob("*.json"))
    except OSError:
        return []
    found: list[tuple[Path, int]] = []
    for path in candidates:
        mode = mode_open_to_others(path)
        if mode is not None:
            found.append((path, mode))
    return found
