"""Writes to the AWS config file: an `[sso-session]` section, and `populate`'s managed block.

`populate` keeps every profile it writes between two marker comments, one block per session;
the block is regenerated whole from the catalog and spliced in place of the old one, so a second
run with the same catalog leaves the file byte-identical and nothing outside the block moves.
Like every write, the read-modify-write runs under the file's lock and ends in an atomic replace.
"""

from __future__ import annotations

import difflib
import re
import shlex
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from tui import paths
from tui.errors import ConfigError, SsotuiError
from tui.export import ini_sections
from tui.models import Catalog, SsoSession
from tui.store import files

DEFAULT_TEMPLATE = "{account}.{role}"
_UNSAFE = re.compile(r"[^A-Za-z0-9_.@+=,-]+")


def _begin(session: str) -> str:
    return f"# >>> ssotui populate: session {session} (managed; edits inside are overwritten)"


def _end(session: str) -> str:
    return f"# <<< ssotui populate: session {session}"


@dataclass(frozen=True)
class Profile:
    """One profile of the managed block."""

    name: str
    account_id: str
    role_name: str


def safe_name(text: str) -> str:
    """`text` made safe for an INI header and a shell word: ASCII letters, digits, `_.@+=,-`."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return _UNSAFE.sub("-", ascii_text).strip("-.")


def profile_names(
    catalog: Catalog,
    *,
    template: str = DEFAULT_TEMPLATE,
    prefix: str = "",
    taken: Iterable[str] = (),
) -> list[Profile]:
    """A profile per (account, role), named from `template`; collisions get `-<account id>`.

    `taken` are names used outside the block (the user's own profiles): a generated name that
    would clash with one of them is disambiguated the same way, never overwritten.
    """
    wanted: list[tuple[str, str, str]] = []
    for account, role in catalog.pairs():
        try:
            raw = template.format(account=account.name, role=role, account_id=account.account_id)
        except (KeyError, IndexError, ValueError) as exc:
            raise ConfigError(
                f"profile_template {template!r} is invalid ({exc}); "
                "use {account}, {role} and {account_id}"
            ) from None
        name = safe_name(prefix + raw) if safe_name(account.name) else ""
        if not name:  # an account name with no ASCII letters at all
            name = safe_name(f"{prefix}{account.account_id}.{role}")
        wanted.append((name, account.account_id, role))
    counts: dict[str, int] = {}
    for name, _, _ in wanted:
        counts[name.casefold()] = counts.get(name.casefold(), 0) + 1
    blocked = {t.casefold() for t in taken}
    used = blocked | {name.casefold() for name, _, _ in wanted if counts[name.casefold()] == 1}
    out = []
    for name, account_id, role in wanted:
        if counts[name.casefold()] > 1 or name.casefold() in blocked:
            # `-<account id>` may still clash (two roles of one account that sanitise alike,
            # or a name that is taken too): then count on until it is free.
            base = unique = f"{name}-{account_id}"
            n = 1
            while unique.casefold() in used:
                n += 1
                unique = f"{base}-{n}"
            name = unique
            used.add(name.casefold())
        out.append(Profile(name, account_id, role))
    return out


def profile_of(header: str) -> str | None:
    """The profile a config file section names, read as botocore does (None: not a profile).

    botocore shlex-splits the header, so `[profile  x]`, `[profile\tx]` and `[profile "x"]`
    are all profile x.
    """
    if header == "default":
        return header
    if not header.startswith("profile"):
        return None
    try:
        parts = shlex.split(header)
    except ValueError:
        return None
    return parts[1] if len(parts) == 2 else None


def _block_span(text: str, session: str) -> tuple[int, int] | None:
    """Offsets of the managed block of `session` (begin marker to end marker line end)."""
    lines = ini_sections.split_lines(text)
    start = end = None
    for body, ending, offset in lines:
        if body.strip() == _begin(session) and start is None:
            start = offset
        elif body.strip() == _end(session) and start is not None:
            end = offset + len(body) + len(ending)
            break
    if start is None:
        return None
    if end is None:
        raise ConfigError(
            f"{paths.aws_config_file()}: the ssotui block of session {session} has no end marker "
            f"({_end(session)!r}); add it back or delete the block, then run populate again"
        )
    return start, end


def render_block(
    session: SsoSession, profiles: list[Profile], *, region: str | None, newline: str = "\n"
) -> str:
    """The managed block's exact text."""
    name = session.name or ""
    out = [_begin(name)]
    for profile in profiles:
        out.append(f"[profile {profile.name}]")
        out.append(f"sso_session = {name}")
        out.append(f"sso_account_id = {profile.account_id}")
        out.append(f"sso_role_name = {profile.role_name}")
        if region:
            out.append(f"region = {region}")
        out.append("")
    out.append(_end(name))
    for line in out:
        ini_sections.check_line(line)
    return newline.join(out) + newline


def populated(
    text: str,
    session: SsoSession,
    catalog: Catalog,
    *,
    region: str | None = None,
    prefix: str = "",
    template: str = DEFAULT_TEMPLATE,
) -> tuple[str, int]:
    """`text` with the session's managed block regenerated; and how many profiles it holds."""
    if session.name is None:
        raise SsotuiError(
            "populate needs a named [sso-session] (profiles refer to it); "
            "run `ssotui configure` to add one"
        )
    span = _block_span(text, session.name)
    outside = text if span is None else text[: span[0]] + text[span[1] :]
    taken = [p for p in map(profile_of, ini_sections.section_names(outside)) if p is not None]
    profiles = profile_names(catalog, template=template, prefix=prefix, taken=taken)
    block = render_block(session, profiles, region=region, newline=ini_sections.newline_of(text))
    if span is not None:
        return text[: span[0]] + block + text[span[1] :], len(profiles)
    newline = ini_sections.newline_of(text)
    lead = ""
    if text and not text.endswith(("\n", "\r")):
        lead = newline + newline
    elif text and text.strip():
        lead = newline
    return text + lead + block, len(profiles)


def diff(old: str, new: str, path: Path) -> str:
    """A unified diff of a planned change (for `--dry-run`)."""
    return "".join(
        difflib.unified_diff(
            old.splitlines(keepends=True),
            new.splitlines(keepends=True),
            fromfile=str(path),
            tofile=f"{path} (after populate)",
        )
    )


def populate(
    session: SsoSession,
    catalog: Catalog,
    *,
    region: str | None = None,
    prefix: str = "",
    template: str = DEFAULT_TEMPLATE,
    dry_run: bool = False,
    path: Path | None = None,
) -> tuple[int, str]:
    """Write (or with `dry_run`, only plan) the managed block: (profile count, diff)."""
    path = path or paths.aws_config_file()
    with files.locked(path):
        old = files.read_text(files.writable_target(path)) or ""
        new, count = populated(
            old, session, catalog, region=region, prefix=prefix, template=template
        )
        change = diff(old, new, path)
        if change and not dry_run:
            files.write_atomic(path, new)
    return count, change


def write_sso_session(
    name: str,
    start_url: str,
    region: str,
    scopes: str = "sso:account:access",
    path: Path | None = None,
) -> Path:
    """Write `[sso-session NAME]` in the AWS CLI's own format (replacing one of that name)."""
    path = path or paths.aws_config_file()
    lines = [
        f"sso_start_url = {start_url}",
        f"sso_region = {region}",
        f"sso_registration_scopes = {scopes}",
    ]
    with files.locked(path):
        old = files.read_text(files.writable_target(path)) or ""
        files.write_atomic(path, ini_sections.replace_section(old, f"sso-session {name}", lines))
    return path
