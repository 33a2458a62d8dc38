"""Write role credentials to one profile of the shared credentials file, and take them out again.

The file is `AWS_SHARED_CREDENTIALS_FILE` or `~/.aws/credentials`. Only the chosen `[profile]`
section changes (see `ini_sections`); the whole read-modify-write runs under the file's lock
and ends in an atomic replace, so a crash leaves the old file and concurrent runs lose nothing.
A new file is 0600 in a 0700 folder; an existing file keeps its mode; a symlinked file is
followed (the link stays a link).

The default profile name is `<account name>.<role name>` (e.g. `Prod-Payments.AdministratorAccess`):
characters other than letters, digits and `_ + = , . @ -` become `-`; an account name with
nothing left falls back to the 12-digit account id.
"""

from __future__ import annotations

import configparser
import io
import re
from pathlib import Path

from tui import paths
from tui.errors import FileWriteError, SsotuiError
from tui.export import ini_sections
from tui.export.env import iso_utc
from tui.models import RoleCredentials
from tui.store import files

MARKER = "# written by ssotui"
EXPIRES_KEY = "x_security_token_expires"  # the key saml2aws and others use; botocore ignores it
_UNSAFE = re.compile(r"[^\w+=,.@-]+")


def default_profile_name(creds: RoleCredentials) -> str:
    """`<account name>.<role name>`, made safe for a section header and a shell argument."""
    account = _UNSAFE.sub("-", creds.account.name).strip("-.") or creds.account.account_id
    role = _UNSAFE.sub("-", creds.role_name).strip("-") or "role"
    return f"{account}.{role}"


def profile_values(creds: RoleCredentials) -> dict[str, str]:
    """The keys of the profile section: the three botocore reads and the expiry."""
    values = {
        "aws_access_key_id": creds.access_key_id,
        "aws_secret_access_key": creds.secret_access_key,
        "aws_session_token": creds.session_token,
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


def profile_lines(creds: RoleCredentials) -> list[str]:
    """The body of the profile section: a marker comment, then `key = value` lines."""
    values = profile_values(creds)
    account_id = _UNSAFE.sub("-", creds.account.account_id)
    role = _UNSAFE.sub("-", creds.role_name)
    marker = f"{MARKER} for account {account_id}, role {role}"
    return [marker] + [f"{key} = {value}" for key, value in values.items()]


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
    path: Path, before: str, after: str, profile: str, expected: dict[str, str] | None
) -> None:
    """Refuse a result in which botocore would not see `expected` in `profile` (None: no such
    profile) or would see any other section differently."""
    old = _parse(before)
    new = _parse(after)
    if old is None:
        return  # botocore could not read the file before; the splice kept its bytes anyway
    if new is None:
        raise FileWriteError(f"cannot safely change {path}: the result would not parse")
    old.pop(profile, None)
    got = new.pop(profile, None)
    if expected is None:
        readable = got is None
    else:
        readable = got is not None and all(got.get(k) == v for k, v in expected.items())
    if old != new or not readable:
        raise FileWriteError(
            f"cannot safely change {path}: its layout would change other profiles; "
            "edit the file by hand"
        )


def write_profile(
    creds: RoleCredentials, profile: str | None = None, path: Path | None = None
) -> str:
    """Write `creds` to section `[profile]` of the credentials file; returns the profile name."""
    name = profile if profile is not None else default_profile_name(creds)
    ini_sections.check_name(name)
    body = profile_lines(creds)
    if creds.region and re.fullmatch(r"[a-z0-9-]+", creds.region):  # botocore reads it here too
        body.append(f"region = {creds.region}")
    expected = profile_values(creds)
    file_path = path if path is not None else paths.aws_credentials_file()
    with files.locked(file_path):
        target = files.resolve_target(file_path)
        before = _read(target)
        after = ini_sections.replace_section(before, name, body)
        _check_splice(file_path, before, after, name, expected)
        files.write_atomic(file_path, after.encode("utf-8", "surrogateescape"))
    return name


def remove_profile(profile: str, path: Path | None = None) -> bool:
    """Remove section `[profile]` from the credentials file; False when it was not there."""
    ini_sections.check_name(profile)
    file_path = path if path is not None else paths.aws_credentials_file()
    with files.locked(file_path):
        target = files.resolve_target(file_path)
        before = _read(target)
        after = ini_sections.remove_section(before, profile)
        if after == before:
            return False
        _check_splice(file_path, before, after, profile, None)
        files.write_atomic(file_path, after.encode("utf-8", "surrogateescape"))
    return True


def written_profiles(path: Path | None = None) -> list[str]:
    """The profiles of the credentials file that ssotui wrote (they carry its marker)."""
    file_path = path if path is not None else paths.aws_credentials_file()
    text = _read(files.resolve_target(file_path))
    out: list[str] = []
    for section in ini_sections.parse_sections(text):
        body = text[section.header_end : section.content_end]
        if any(line.strip().startswith(MARKER) for line in body.splitlines()):
            out.append(section.name)
    return out
