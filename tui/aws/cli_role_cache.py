"""Role credentials the AWS CLI v2 cached for one session's SSO profiles, found and deleted.

When the AWS CLI v2 gets a role's credentials through an SSO profile, botocore's
`SSOCredentialFetcher` keeps them in `~/.aws/cli/cache/<key>.json` (the CLI gives the SSO
provider a `JSONFileCache` there; boto3 keeps them in memory only, and a program that gives it a
`JSONFileCache()` of its own writes to that class's default folder, `~/.aws/boto/cache`). The key
(`_create_cache_key`) is the SHA-1 of the compact, key-sorted, ASCII-escaped JSON of `accountId`
and `roleName` plus `sessionName` for a profile with `sso_session`, or `startUrl` for a legacy
profile. These files stay usable until the credentials expire, however the SSO token ended:
`aws sso logout` deletes them, for every session at once.

`delete_cached` deletes, for one session, the files whose names its (account, role) pairs give,
and no other: another session's files stay. A name is looked up in the folder without
following a symlink there; a link is deleted itself, never the file it points to.
"""

from __future__ import annotations

import json
import os
import stat
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from tui import digests
from tui.models import SsoSession

RoleKey = tuple[str, str]  # (account id, role name)


@dataclass(frozen=True)
class Swept:
    """What `delete_cached` did: files deleted, those it could not delete (path, why), and
    folders it could not look in (path, why)."""

    deleted: int = 0
    failed: tuple[tuple[Path, str], ...] = ()
    unsearched: tuple[tuple[Path, str], ...] = ()


def cache_key(session: SsoSession, account_id: str, role: str) -> str:
    """The file stem botocore gives the role's cached credentials when a profile of `session`
    fetched them (`SSOCredentialFetcher._create_cache_key`)."""
    args: dict[str, str] = {"roleName": role, "accountId": account_id}
    if session.name is not None:
        args["sessionName"] = session.name
    else:
        args["startUrl"] = session.start_url
    text = json.dumps(args, sort_keys=True, separators=(",", ":"))
    return digests.sha1(text.encode("utf-8")).hexdigest()


def profile_roles(session: SsoSession, profiles: Mapping[str, Mapping[str, Any]]) -> set[RoleKey]:
    """The (account, role) pairs that profiles of the AWS config file (as `profile_map` groups
    them) fetch through `session`: those with its `sso_session`, or for a legacy or ad hoc
    session, those without one whose `sso_start_url` is its start URL (they share its token)."""
    roles: set[RoleKey] = set()
    for values in profiles.values():
        account, role = values.get("sso_account_id"), values.get("sso_role_name")
        if not (isinstance(account, str) and isinstance(role, str)):
            continue
        via = values.get("sso_session")
        if session.name is not None:
            ours = via == session.name
        else:
            ours = via is None and values.get("sso_start_url") == session.start_url
        if ours:
            roles.add((account, role))
    return roles


def delete_cached(session: SsoSession, roles: Iterable[RoleKey], folders: Iterable[Path]) -> Swept:
    """Delete the credentials botocore cached in `folders` for `roles` of `session`.

    A folder is listed once and only the names found there are looked at (20,000 roles cost
    no 40,000 lookups); one that is missing or not a folder holds nothing botocore cached (its
    cache could not write there); one that cannot be looked in is reported once, not as a
    failure for each name it might hold."""
    names = {f"{cache_key(session, account, role)}.json" for account, role in roles}
    deleted = 0
    failed: list[tuple[Path, str]] = []
    unsearched: list[tuple[Path, str]] = []
    for folder in folders:
        try:
            if not stat.S_ISDIR(os.stat(folder).st_mode):
                continue
        except (FileNotFoundError, NotADirectoryError):
            continue
        except OSError as exc:
            unsearched.append((folder, exc.strerror or str(exc)))
            continue
        try:
            present = names.intersection(os.listdir(folder))
        except OSError:
            present = names  # a folder one may look names up in but not list
        for name in sorted(present):
            path = folder / name
            try:
                info = path.lstat()  # the entry itself: a link is not followed
            except FileNotFoundError:
                continue
            except OSError as exc:  # about the folder (its search permission), not this name
                unsearched.append((folder, exc.strerror or str(exc)))
                break
            if not (stat.S_ISREG(info.st_mode) or stat.S_ISLNK(info.st_mode)):
                continue  # not a file botocore wrote (it could not read a folder as JSON)
            try:
                path.unlink()  # a symlink goes, its target stays
            except FileNotFoundError:
                continue  # deleted meanwhile (`aws sso logout`, another ssotui)
            except OSError as exc:
                failed.append((path, exc.strerror or str(exc)))
                continue
            deleted += 1
    return Swept(deleted=deleted, failed=tuple(failed), unsearched=tuple(unsearched))
