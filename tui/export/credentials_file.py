"""Write role credentials to one profile of the shared credentials file, and take them out again.

The file is `AWS_SHARED_CREDENTIALS_FILE` or `~/.aws/credentials`. Only ssotui's lines of the
chosen `[profile]` section change, as `aws configure set` changes only the keys it sets: the
three keys, the expiry, `region` when one is asked for, and the marker comment
(`section_keys`); the user's other lines there (`region`, `output`, `ca_bundle`, comments, any
other key) stay, in place and in order, and so does every byte outside the section. A stale
`aws_security_token` there goes too: botocore would read it before the new token. The whole
read-modify-write runs under the file's lock and ends in an atomic replace, so a crash leaves
the old file and concurrent runs lose nothing; nor is a change written away that a program
taking no lock (`aws configure set`) made meanwhile: the file is looked at again right before
the rename, and the change made anew on what it holds by then (`files.ChangedMeanwhile`).
Taking keys out of a file with other names (hard links) is done in place instead, so that no
name keeps them (`tui.store.linked_files`); putting keys into one is refused.
A new file is 0600 in a 0700 folder; an existing file keeps its mode; a symlinked file is
followed (the link stays a link) only when it ends at a regular file (see `tui.store.files`).

The default profile name is `<account name>.<role name>` (e.g. `Prod-Payments.AdministratorAccess`),
made by `profile_names.profile_name`, the rule `populate` uses too: ASCII letters and digits
kept (accents dropped), other characters `-`; an account name with nothing left falls back to the
account id. When ssotui wrote that profile for another account or role (account names need
not be unique, and `Admin=1` and `Admin,1` make one name), the role gets the name it already
has of those populate gives a clash (`-<account id>`, then `-2`, `-3`…), else the first free
(`tui.export.profile_owners`, which also says how the marker names the role exactly).

A profile that holds long-lived keys (`aws_access_key_id` without `aws_session_token`) is never
overwritten unless the caller passes `force=True` (`StaticKeysProfile` otherwise). Each profile
ssotui writes carries a marker comment with a fingerprint of the keys it wrote
(`# written by ssotui for account A, role R; keys sha256:…`); `purge_written_profiles` (and
`remove_profile`) take out only profiles whose keys still match it, so a section the user has
since filled with keys of their own stays; and of those, only ssotui's lines (its `region` only
while it still has the value the marker names). A section left with nothing but blank lines is
removed, so a profile ssotui created leaves no trace and no empty `[name]` that botocore would
take for a profile without credentials; one left with any line of the user's (a key, a comment)
stays.
"""

from __future__ import annotations

import configparser
import io
import re
from collections.abc import Collection
from dataclasses import dataclass
from pathlib import Path

from tui import digests
from tui.errors import FileWriteError, SsotuiError, StaticKeysProfile
from tui.export import ini_sections
from tui.export.env import iso_utc
from tui.export.profile_names import check_sdk_profile_name, sdk_profile_name_note
from tui.export.profile_owners import MARKER, owner_of, role_profile_name
from tui.export.section_keys import Owned, set_keys, take_out_keys
from tui.models import RoleCredentials
from tui.paths import Paths
from tui.store import files
from tui.store.linked_files import write_keeping_links
from tui.store.secret_file import refuse_open_folder
from tui.text import printable

EXPIRES_KEY = "x_security_token_expires"  # the key saml2aws and others use; botocore ignores it
KEY_ID, SECRET_KEY, SESSION_TOKEN = (
    "aws_access_key_id",
    "aws_secret_access_key",
    "aws_session_token",
)
REGION_KEY = "region"
# botocore reads this older name of the session token before aws_session_token: one left from
# another tool would be sent with ssotui's key id.
LEGACY_TOKEN = "aws_security_token"
_WRITTEN = (KEY_ID, SECRET_KEY, SESSION_TOKEN, EXPIRES_KEY)
_FINGERPRINT = re.compile(r"; keys sha256:([0-9a-f]{16})\s*$")
_MARKED_REGION = re.compile(r", region ([a-z0-9-]+);")


# Beside the writer, not in tui.workspace.handoff: a command that writes no profile (every
# `credential-process`) never makes this class, ~0.5 ms of start-up.
@dataclass(frozen=True)
class ProfileWritten:
    """A profile `write-profile` (or `w` in the picker) wrote: its name, the file, that
    file's mode when others may read it (the keys in it with it), else None, and what of the
    AWS config file's profile of that name the AWS tools use instead of the keys ("" when none
    is: `tui.workspace.aws_files.shadowing_profile`)."""

    name: str
    path: Path
    open_mode: int | None = None
    shadowed: str = ""

    def warning(self) -> str:
        """One line for a file others can read (mode kept, as the AWS CLI keeps it), for
        keys the AWS tools will not use and for a name an SDK does not read, else ""."""
        lines = [printable(self.shadowed)] if self.shadowed else []
        if note := sdk_profile_name_note(self.name):
            lines.append(note)
        if self.open_mode is not None:
            where = printable(str(self.path))
            lines.insert(
                0,
                f"others can read {where} (mode {self.open_mode:04o}), and with it the keys "
                f"just written: chmod 600 {where}",
            )
        return "; ".join(lines)


def default_profile_name(creds: RoleCredentials, text: str = "") -> str:
    """`<account name>.<role name>`, made safe for a section header and a shell argument: the
    name `populate` gives the same role with its default template; when ssotui wrote that
    profile of `text` (the credentials file) for another account or role, the names populate
    gives a clash (`<that>-<account id>`, then `-2`, `-3`…), the one this role already has else
    the first free (`tui.export.profile_owners`). Account names need not be unique, and role
    names may make the same profile name (`Admin=1`, `Admin,1`): the keys of one role must never
    replace another's under the name a user and their scripts already use for it."""
    return role_profile_name(creds.account, creds.role_name, text)


def fingerprint(values: dict[str, str]) -> str:
    """A short digest of the three keys of a profile: tells ssotui's keys from anyone else's."""
    keys = "\0".join(values.get(k, "") for k in (KEY_ID, SECRET_KEY, SESSION_TOKEN))
    return digests.sha256(keys.encode("utf-8", "surrogateescape")).hexdigest()[:16]


def profile_values(creds: RoleCredentials) -> dict[str, str]:
    """The keys of the profile section: the three botocore reads and the expiry."""
    values = {
        KEY_ID: creds.access_key_id,
        SECRET_KEY: creds.secret_access_key,
        SESSION_TOKEN: creds.session_token,
        EXPIRES_KEY: iso_utc(creds.expiration),
    }
    for key, value in values.items():
        if not value or value != value.strip() or any(c in value for c in "\r\n\x00"):
            # Never echo the value itself: it may be a secret.
            raise SsotuiError(
                f"refusing to write {key}: the value is empty, padded with spaces "
                "or has a line break"
            )
    return values


def _region(creds: RoleCredentials) -> str | None:
    """The region to write (botocore reads it from this file too), when one is asked for."""
    return creds.region if creds.region and re.fullmatch(r"[a-z0-9-]+", creds.region) else None


def profile_lines(creds: RoleCredentials) -> list[str]:
    """ssotui's lines of the profile section: a marker comment (naming the region it wrote,
    if any), then `key = value` lines."""
    values = profile_values(creds)
    region = _region(creds)
    if region:
        values[REGION_KEY] = region
    account_id, role = owner_of(creds.account.account_id, creds.role_name)
    where = f", region {region}" if region else ""
    marker = (
        f"{MARKER} for account {account_id}, role {role}{where}; keys sha256:{fingerprint(values)}"
    )
    return [marker] + [f"{key} = {value}" for key, value in values.items()]


def _is_marker(comment: str) -> bool:
    return comment.startswith(MARKER)


def _read(target: Path) -> str:
    try:
        data = target.read_bytes()
    except FileNotFoundError:
        return ""
    except OSError as exc:
        raise FileWriteError(f"cannot read {target}: {exc.strerror or exc}") from exc
    # surrogateescape: bytes that are not UTF-8 go back out exactly as they came in.
    return data.decode("utf-8", "surrogateescape")


def _parse(text: str) -> dict[str, dict[str, str]] | None:
    """What botocore's parser makes of `text` (None when it cannot read it)."""
    parser = configparser.RawConfigParser()
    try:
        # newline=None: lines end at \r, \n or \r\n, as when botocore reads the file.
        parser.read_file(io.StringIO(text, newline=None))
    except (configparser.Error, UnicodeError):
        return None
    return {name: dict(parser.items(name)) for name in parser.sections()}


def _check_splice(
    path: Path,
    before: str,
    after: str,
    changed: dict[str, tuple[dict[str, str], Collection[str]] | None],
) -> None:
    """Refuse a result in which botocore would not see, for each profile of `changed`, its
    keys as they were but for the keys given (taken out, and set to the values given), or no
    such profile (None); or would see any other section differently."""
    old = _parse(before)
    new = _parse(after)
    if old is None:
        return  # botocore could not read the file before; the splice kept its bytes anyway
    if new is None:
        raise FileWriteError(f"cannot safely change {path}: the result would not parse")
    readable = True
    for profile, change in changed.items():
        was = old.pop(profile, {})
        got = new.pop(profile, None)
        if change is None:
            readable = readable and got is None
        else:
            values, owned = change
            expected = {k: v for k, v in was.items() if k not in owned} | values
            readable = readable and got == expected
    if old != new or not readable:
        raise FileWriteError(
            f"cannot safely change {path}: its layout would change other profiles; "
            "edit the file by hand"
        )


def _section_values(text: str, section: ini_sections.Section) -> dict[str, str]:
    """The keys botocore reads from one section (its own text parsed alone)."""
    parser = configparser.RawConfigParser(strict=False)
    try:
        parser.read_file(io.StringIO(text[section.start : section.content_end], newline=None))
    except (configparser.Error, UnicodeError):
        return {}
    names = parser.sections()
    return dict(parser.items(names[0])) if names else {}


def _static_keys(values: dict[str, str]) -> bool:
    return bool(values.get(KEY_ID)) and not values.get(SESSION_TOKEN)


def _ours(text: str, section: ini_sections.Section) -> bool:
    """True when ssotui wrote `section` and it still holds the keys ssotui wrote there."""
    body = text[section.header_end : section.content_end]
    markers = [line.strip() for line in body.splitlines() if line.strip().startswith(MARKER)]
    if not markers:
        return False
    values = _section_values(text, section)
    if not values.get(KEY_ID) or not values.get(SESSION_TOKEN):
        return False
    match = _FINGERPRINT.search(markers[0])
    if match is None:
        return True  # an older ssotui's marker, without a fingerprint: temporary keys are its own
    return match.group(1) == fingerprint(values)


def _refuse_static_keys(text: str, name: str, path: Path) -> None:
    for section in ini_sections.parse_sections(text):
        if section.name == name and _static_keys(_section_values(text, section)):
            raise StaticKeysProfile(
                f"profile [{printable(name)}] of {path} holds long-lived keys "
                "(aws_access_key_id without aws_session_token); ssotui does not overwrite them: "
                "pass --force to replace them, or choose another profile name",
                profile=name,
                path=str(path),
            )


def write_profile(
    paths: Paths,
    creds: RoleCredentials,
    profile: str | None = None,
    path: Path | None = None,
    *,
    force: bool = False,
) -> str:
    """Write `creds` to section `[profile]` of the credentials file (`path`, else `paths`'),
    under its lock in `paths`' cache folder; returns the profile name.

    Raises StaticKeysProfile when that profile holds long-lived keys, unless `force`;
    FileWriteError when the file cannot be written safely, or lies where others could swap it
    (`refuse_open_folder`); SsotuiError for a bad name.
    """
    if profile is not None:
        ini_sections.check_name(profile)
        check_sdk_profile_name(profile)
    body = profile_lines(creds)
    expected = profile_values(creds)
    region = _region(creds)
    if region:
        expected[REGION_KEY] = region
    owned = Owned((*expected, LEGACY_TOKEN), _is_marker)
    file_path = path if path is not None else paths.aws_credentials_file
    with files.locked(paths, file_path, wait=files.AWS_FILE_LOCK_WAIT):
        for _attempt in range(files.CHANGE_TRIES):
            target = files.writable_target(file_path)
            before = _read(target)
            name = profile if profile is not None else default_profile_name(creds, before)
            ini_sections.check_name(name)
            if not force:
                _refuse_static_keys(before, name, file_path)
            after = set_keys(before, name, body, owned)
            _check_splice(file_path, before, after, {name: (expected, owned.keys)})
            files.refuse_read_only(file_path)
            files.refuse_hard_linked(file_path)
            refuse_open_folder(target.parent)  # removing keys (logout --purge) is always allowed
            try:
                # atomic (other names were refused above) but for a file mounted on its own;
                # `aws configure set` and others take no lock: what one of them wrote since
                # the read must not be written away (`unchanged`)
                write_keeping_links(file_path, _bytes(after), unchanged=_bytes(before))
            except files.ChangedMeanwhile:
                continue
            return name
    raise files.kept_changing(file_path)


def _bytes(text: str) -> bytes:
    """`text` as `_read` read it: the file's exact bytes."""
    return text.encode("utf-8", "surrogateescape")


def suggested_profile_name(creds: RoleCredentials, path: Path) -> str:
    """The name `write_profile` gives `creds` in the credentials file `path` as it is now."""
    try:
        return default_profile_name(creds, _read(files.writable_target(path)))
    except FileWriteError:
        return default_profile_name(creds)


def profile_settings(path: Path, name: str) -> dict[str, str]:
    """What botocore reads from profile `[name]` of the credentials file `path` ({} when there
    is none, or botocore cannot read the file)."""
    try:
        parsed = _parse(_read(files.writable_target(path)))
    except FileWriteError:
        return {}
    return (parsed or {}).get(name, {})


def _owned_lines(text: str, section: ini_sections.Section) -> Owned:
    """ssotui's lines of a section it wrote: its marker and keys, and its `region` while that
    still has the value the marker names."""
    body = text[section.header_end : section.content_end]
    marker = next(line.strip() for line in body.splitlines() if line.strip().startswith(MARKER))
    region = _MARKED_REGION.search(marker)
    ours = region is not None and _section_values(text, section).get(REGION_KEY) == region.group(1)
    return Owned((*_WRITTEN, REGION_KEY) if ours else _WRITTEN, _is_marker)


def _owned_names(text: str) -> dict[str, Owned]:
    """Profiles ssotui wrote that still hold its keys (every section of that name), in file
    order, each with what of it is ssotui's."""
    by_name: dict[str, list[ini_sections.Section]] = {}
    for section in ini_sections.parse_sections(text):
        by_name.setdefault(section.name, []).append(section)
    return {
        name: _owned_lines(text, same[0])
        for name, same in by_name.items()
        if all(_ours(text, s) for s in same)
    }


def _taken_out(path: Path, before: str, owned: dict[str, Owned]) -> str:
    """`before` without ssotui's lines of the profiles of `owned`, and without those profiles
    that have nothing of the user's left, checked as botocore reads it."""
    stripped, emptied = take_out_keys(before, owned)
    after = ini_sections.drop_sections(stripped, emptied)
    _check_splice(
        path,
        before,
        after,
        {name: None if name in emptied else ({}, lines.keys) for name, lines in owned.items()},
    )
    return after


def remove_profile(paths: Paths, profile: str, path: Path | None = None) -> bool:
    """Take ssotui's lines out of section `[profile]` of the credentials file (the section too
    when nothing of the user's is left) when ssotui wrote it and it still holds ssotui's keys;
    False when it was not there or not ours."""
    ini_sections.check_name(profile)
    file_path = path if path is not None else paths.aws_credentials_file
    with files.locked(paths, file_path, wait=files.AWS_FILE_LOCK_WAIT):
        for _attempt in range(files.CHANGE_TRIES):
            target = files.writable_target(file_path)
            before = _read(target)
            owned = _owned_names(before)
            if profile not in owned:
                return False
            after = _taken_out(file_path, before, {profile: owned[profile]})
            if after == before:
                return False
            files.refuse_read_only(file_path)
            try:
                write_keeping_links(file_path, _bytes(after), unchanged=_bytes(before))
            except files.ChangedMeanwhile:
                continue
            return True
    raise files.kept_changing(file_path)


def written_profiles(paths: Paths, path: Path | None = None) -> list[str]:
    """The profiles of the credentials file that ssotui wrote and that still hold the keys it
    wrote (its marker's fingerprint matches); a file ssotui cannot write counts as none."""
    file_path = path if path is not None else paths.aws_credentials_file
    try:
        target = files.writable_target(file_path)
    except FileWriteError:
        return []
    return list(_owned_names(_read(target)))


def purge_written_profiles(paths: Paths, path: Path | None = None) -> list[str]:
    """Take ssotui's lines out of every profile `written_profiles` names (and those profiles
    out, when nothing of the user's is left in them), in one write; returns their names.

    For `logout --purge`: a profile ssotui wrote whose keys were since replaced stays.
    """
    file_path = path if path is not None else paths.aws_credentials_file
    # A lock no ssotui can make guards against no other ssotui write: the secrets go anyway.
    with files.locked_if_possible(paths, file_path, wait=files.AWS_FILE_LOCK_WAIT):
        for _attempt in range(files.CHANGE_TRIES):
            try:
                target = files.writable_target(file_path)
            except FileWriteError:
                return []
            before = _read(target)
            owned = _owned_names(before)
            after = _taken_out(file_path, before, owned)
            if after == before:
                return list(owned)
            files.refuse_read_only(file_path)
            try:  # in place when hard-linked: no other name keeps the keys
                write_keeping_links(file_path, _bytes(after), unchanged=_bytes(before))
            except files.ChangedMeanwhile:
                continue
            return list(owned)
    raise files.kept_changing(file_path)
