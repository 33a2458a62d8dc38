"""Writes to the AWS config file: an `[sso-session]` section, and `populate`'s managed block.

`populate` keeps every profile it writes between two marker comments, one block per session;
the block is regenerated whole from the catalog and spliced in place of the old one, so a second
run with the same catalog leaves the file byte-identical and nothing outside the block moves.
Like every write, the read-modify-write runs under the file's lock and ends in an atomic replace
(a file with other names, hard links, is changed in place instead: `write_config`); as other
programs take no lock, the file is read again just before and planned anew if it changed.
Profiles are named by `profile_names.plan_profiles`; a role it cannot write (a line break or
another control character in its name, padding spaces) is skipped and `populate_profiles`
returns one warning line for it, while the rest is written; so does the block of a session the
file no longer has (renamed since), which is left for the user to delete. The `--dry-run` diff (see
`config_diff`) shows names through `tui.text.printable`.
"""

from __future__ import annotations

import shlex
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from tui.errors import ConfigError, FileWriteError, SsotuiError
from tui.export import credentials_file, ini_sections
from tui.export.config_diff import diff
from tui.export.profile_names import DEFAULT_TEMPLATE, Profile, SkippedProfile, plan_profiles
from tui.models import Catalog, SsoSession
from tui.paths import Paths
from tui.store import files
from tui.store.linked_files import write_keeping_links
from tui.text import printable, some_of


def _begin(session: str) -> str:
    return f"# >>> ssotui populate: session {session} (managed; edits inside are overwritten)"


def _end(session: str) -> str:
    return f"# <<< ssotui populate: session {session}"


# The line below the begin marker that keeps `--prefix` for later runs, as the profiles keep
# the region: a run without --prefix would otherwise rename every profile.
_PREFIX_LINE = "# prefix: "


@dataclass(frozen=True)
class BlockChange:
    """How the block's profiles differ from the last run's (profile names)."""

    added: tuple[str, ...] = ()
    removed: tuple[str, ...] = ()
    changed: tuple[str, ...] = ()

    def summary(self) -> str:
        """E.g. "2 added, 1 removed (acme.Admin)", safe to print; "" when none changed."""
        parts = [f"{len(self.added)} added"] if self.added else []
        if self.removed:
            shown = some_of([printable(name) for name in self.removed], 5)
            parts.append(f"{len(self.removed)} removed ({shown})")
        if self.changed:
            parts.append(f"{len(self.changed)} changed")
        return ", ".join(parts)


@dataclass(frozen=True)
class PopulatePlan:
    """The config file's text after populate, and what went into its block."""

    text: str
    count: int
    skipped: list[SkippedProfile]
    profiles: BlockChange = BlockChange()
    sso_region_used: bool = False  # the profiles' region is the session's sso_region, for want
    # of --region, a region in the block and default_region
    stale: tuple[str, ...] = ()  # sessions of other blocks the file has no [sso-session] of


@dataclass(frozen=True)
class PopulateResult:
    """What `populate_profiles` did (or, for a dry run, would do)."""

    count: int  # profiles in the block
    diff: str  # for a dry run, a unified diff of the change, safe to print ("" otherwise)
    skipped: tuple[SkippedProfile, ...]
    changed: bool = False  # the file was (for a dry run: would be) rewritten
    profiles: BlockChange = BlockChange()
    sso_region_used: bool = False  # see PopulatePlan
    # one line per account Identity Center refused to list the roles of: it gets no profiles
    refused: tuple[str, ...] = ()
    # one line per block of a session the file no longer has (`stale_block_line`)
    stale: tuple[str, ...] = ()

    @property
    def warnings(self) -> list[str]:
        """One line per block of a session gone, per refused account, then per skipped role,
        for the caller to show."""
        return [*self.stale, *self.refused, *(s.warning for s in self.skipped)]


_SHLEX_SPECIAL = frozenset(" \t\r\n\"'\\")
# botocore's `build_profile_map` tries these prefixes of a section header in this order.
_KINDS = ("profile", "sso-session", "services")


def config_section(header: str) -> tuple[str, str] | None:
    """(kind, name) of a config file section as botocore reads its header, e.g.
    ("sso-session", "corp"); None for a section botocore gives no kind.

    botocore takes a header that starts with `profile`, `sso-session` or `services` and
    shlex-splits it into exactly two words, so `[sso-session corp]`, `[sso-session  corp]`,
    `[sso-session "corp"]` and `[sso-session\tcorp]` are one session, and `[default]` is
    profile default.
    """
    if header == "default":
        return "profile", header
    kind = next((k for k in _KINDS if header.startswith(k)), None)
    if kind is None:
        return None
    name = header[len(kind) + 1 :]
    plain = name and header[len(kind)] == " " and _SHLEX_SPECIAL.isdisjoint(name)
    if plain:
        return kind, name  # what shlex makes of it, without its cost (9,000 headers: a second)
    try:
        parts = shlex.split(header)
    except ValueError:
        return None
    return (kind, parts[1]) if len(parts) == 2 else None


def profile_of(header: str) -> str | None:
    """The profile a config file section names, read as botocore does (None: not a profile).

    botocore shlex-splits the header, so `[profile  x]`, `[profile\tx]` and `[profile "x"]`
    are all profile x.
    """
    section = config_section(header)
    return section[1] if section is not None and section[0] == "profile" else None


def _marker_line(text: str, marker: str, pos: int) -> tuple[int, int] | None:
    """Start and end (past its line ending) of the first line at or after `pos` (a line's
    start) that is `marker` give or take spaces; None when there is none.

    The marker is looked for as a string, and only the lines that hold it are split out: a
    config file of 75,000 lines is not split line by line to find the block.
    """
    at = text.find(marker, pos)
    while at != -1:
        start = max(text.rfind("\n", pos, at), text.rfind("\r", pos, at), pos - 1) + 1
        brk = ini_sections.LINE_END.search(text, at)
        stop = brk.start() if brk else len(text)
        if text[start:stop].strip() == marker:
            return start, brk.end() if brk else stop
        at = text.find(marker, at + 1)
    return None


def _block_span(text: str, session: str, source: Path | None = None) -> tuple[int, int] | None:
    """Offsets of the managed block of `session` (begin marker to end marker line end)."""
    begin = _marker_line(text, _begin(session), 0)
    if begin is None:
        return None
    start = begin[0]
    end_line = _marker_line(text, _end(session), begin[1])
    end = end_line[1] if end_line else None
    if end is None:
        raise ConfigError(
            f"{source or 'the AWS config file'}: the ssotui block of session {session} has no end "
            f"marker ({_end(session)!r}); add it back or delete the block, then run populate again"
        )
    return start, end


_BEGIN_PREFIX = _begin("\0").split("\0", 1)[0]


def _stale_blocks(text: str, headers: list[str], session: str) -> tuple[str, ...]:
    """The sessions other than `session` whose block is in `text` while none of `headers` (the
    file's section headers) is their `[sso-session]`: their profiles name a session that is
    gone, and their names stay taken."""
    sessions = {s[1] for s in map(config_section, headers) if s and s[0] == "sso-session"}
    found: list[str] = []
    at = text.find(_BEGIN_PREFIX)
    while at != -1:
        start = max(text.rfind("\n", 0, at), text.rfind("\r", 0, at)) + 1
        brk = ini_sections.LINE_END.search(text, at)
        line = text[start : brk.start() if brk else len(text)]
        name = line.strip()[len(_BEGIN_PREFIX) :].rsplit(" (", 1)[0]
        if line.strip() == _begin(name) and name != session and name not in sessions:
            found.append(name)
        at = text.find(_BEGIN_PREFIX, at + 1)
    return tuple(dict.fromkeys(found))


def stale_block_line(source: Path | str, session: str, current: str) -> str:
    """The warning for a block of `session`, which the file has no `[sso-session]` of, met
    while populating `current`."""
    return (
        f"{source} still holds the profiles populate wrote for session {session}, which has no "
        f"[sso-session {session}] any more: they cannot work, and session {current}'s profiles "
        f"cannot take their names; delete that block, from '{_begin(session)}' to "
        f"'{_end(session)}'"
    )


def _block_region(block: list[str]) -> str | None:
    """The `region` the profiles of an existing block (its lines) have (the first), or None."""
    for body in block:
        key, sep, value = body.partition("=")
        if sep and key.strip() == "region" and value.strip():
            return value.strip()
    return None


def _block_prefix(block: list[str]) -> str:
    """The `--prefix` an existing block (its lines) was written with, or ""."""
    for body in block[1:2]:
        if body.startswith(_PREFIX_LINE):
            return body.removeprefix(_PREFIX_LINE)
    return ""


def _block_profiles(block: list[str]) -> dict[str, list[str]]:
    """Each profile of a block (its lines) and its lines up to the next header.

    One pass over the lines: the block is populate's own text (9,000 profiles in a tenth of a
    second, where `ini_sections.parse_sections` took half a second).
    """
    out: dict[str, list[str]] = {}
    current: list[str] = []
    for body in block:
        header = body.strip()
        name = profile_of(header[1:-1]) if header[:1] == "[" and header[-1:] == "]" else None
        if name is not None:
            current = out.setdefault(name, [])
        current.append(body)
    return out


def _compare(old_block: list[str], new_block: list[str]) -> BlockChange:
    if old_block == new_block:
        return BlockChange()  # the usual second run: nothing to sort out profile by profile
    old, new = _block_profiles(old_block), _block_profiles(new_block)
    return BlockChange(
        added=tuple(n for n in new if n not in old),
        removed=tuple(n for n in old if n not in new),
        changed=tuple(n for n in new if n in old and old[n] != new[n]),
    )


def render_block(
    session: SsoSession,
    profiles: list[Profile],
    *,
    region: str | None,
    prefix: str = "",
    newline: str = "\n",
) -> str:
    """The managed block's exact text."""
    name = session.name or ""
    out = [_begin(name)]
    if prefix:
        out.append(_PREFIX_LINE + prefix)
    for profile in profiles:
        out.append(f"[profile {profile.name}]")
        out.append(f"sso_session = {name}")
        out.append(f"sso_account_id = {profile.account_id}")
        out.append(f"sso_role_name = {profile.role_name}")
        if region:
            out.append(f"region = {region}")
        out.append("")
    out.append(_end(name))
    # One check of all lines at once: a line break or NUL in any line is one in their sum.
    ini_sections.check_line("".join(out))
    return newline.join(out) + newline


def session_name(session: SsoSession) -> str:
    """The name of `session`, which populate's profiles refer to; SsotuiError for a session
    that has none (ad hoc, or a legacy profile's)."""
    if session.name is None:
        raise SsotuiError(
            "populate needs a named [sso-session] (profiles refer to it); "
            "run `ssotui configure` to add one"
        )
    return session.name


def populated(
    text: str,
    session: SsoSession,
    catalog: Catalog,
    *,
    region: str | None = None,
    prefix: str | None = None,
    template: str = DEFAULT_TEMPLATE,
    default_region: str | None = None,
    also_taken: Iterable[str] = (),
    source: Path | None = None,
) -> PopulatePlan:
    """`text` with the session's managed block regenerated; how many profiles it holds and
    which roles were skipped.

    The profiles get `region`, else the region the block's profiles already have (so a run
    without --region keeps what the last one wrote), else `default_region`, else the
    session's `sso_region`: a profile without a region fails in most SDK clients ("You must
    specify a region"). The names get `prefix`, else (None) the one the block was written with.
    A name of a profile outside the block, in `also_taken` or `default` is
    never generated (see `plan_profiles`). `source` names the file in messages.
    """
    span = _block_span(text, session_name(session), source)
    outside = text if span is None else text[: span[0]] + text[span[1] :]
    old_block = ini_sections.line_texts(text[span[0] : span[1]]) if span is not None else []
    if not region and span is not None:
        region = _block_region(old_block)
    if prefix is None:
        prefix = _block_prefix(old_block)
    region = region or default_region
    sso_region_used = not region
    region = region or session.region
    headers = ini_sections.section_names(outside)
    stale = _stale_blocks(outside, headers, session_name(session))
    taken = [p for p in map(profile_of, headers) if p is not None]
    # A generated profile never becomes the one every tool uses without --profile.
    taken += ["default", *also_taken]
    plan = plan_profiles(catalog, template=template, prefix=prefix, taken=taken)
    newline = ini_sections.newline_of(text)
    block = render_block(session, plan.profiles, region=region, prefix=prefix, newline=newline)
    count = len(plan.profiles)
    change = _compare(old_block, ini_sections.line_texts(block))
    if span is not None:
        new_text = text[: span[0]] + block + text[span[1] :]
        return PopulatePlan(new_text, count, plan.skipped, change, sso_region_used, stale)
    lead = ""
    if text and not text.endswith(("\n", "\r")):
        lead = newline + newline
    elif text and text.strip():
        lead = newline
    new_text = text + lead + block
    return PopulatePlan(new_text, count, plan.skipped, change, sso_region_used, stale)


def _users_credentials_profiles(paths: Paths) -> list[str]:
    """The profiles of the shared credentials file that ssotui did not write.

    botocore merges such a profile into the config file's profile of the same name, and there
    an SSO profile wins over the keys: populate leaves those names to the user's keys. A file
    that cannot be read has none (botocore cannot read it either).
    """
    path = paths.aws_credentials_file
    try:
        names = ini_sections.section_names(files.read_text(path) or "")
    except FileWriteError:
        return []
    ours = set(credentials_file.written_profiles(paths, path))
    return [name for name in names if name not in ours]


def populate_profiles(
    paths: Paths,
    session: SsoSession,
    catalog: Catalog,
    *,
    region: str | None = None,
    prefix: str | None = None,
    template: str = DEFAULT_TEMPLATE,
    default_region: str | None = None,
    dry_run: bool = False,
    path: Path | None = None,
) -> PopulateResult:
    """Write (or with `dry_run`, only plan) the managed block in the AWS config file (`path`,
    else `paths`').

    A role that cannot be written is skipped, the rest written; `PopulateResult.warnings` says
    which, one line each, for the caller to show, and which accounts Identity Center refused
    (`Catalog.refused`: they have no roles, so no profiles). Raises ConfigError (bad template,
    a block without its end marker), FileWriteError (the file cannot be written safely),
    SsotuiError (a session without a name).
    """
    path = path or paths.aws_config_file
    credentials = _users_credentials_profiles(paths)
    with files.locked(paths, path, wait=files.AWS_FILE_LOCK_WAIT):
        target = files.writable_target(path)
        for _attempt in range(files.CHANGE_TRIES):
            old = files.read_text(target) or ""
            plan = populated(
                old,
                session,
                catalog,
                region=region,
                prefix=prefix,
                template=template,
                default_region=default_region,
                also_taken=credentials,
                source=path,
            )
            changed = plan.text != old
            if not changed or dry_run:
                break
            # Editors and `aws configure set` take no lock: when the file changed while the
            # plan was made, plan again on the new text rather than write their change away.
            try:
                write_config(path, plan.text, unchanged=old)
                break
            except files.ChangedMeanwhile:
                continue
        else:
            raise files.kept_changing(path)
    # Only a dry run shows the diff: the file is written first, unlocked sooner.
    change = diff(old, plan.text, path) if dry_run else ""
    refused = tuple(
        f"skipped account {printable(account.label_with_id)}: {printable(note)}, so it gets "
        "no profiles"
        for account, note in catalog.refused_accounts()
    )
    current = session_name(session)
    return PopulateResult(
        plan.count,
        change,
        tuple(plan.skipped),
        changed,
        plan.profiles,
        plan.sso_region_used,
        refused,
        tuple(stale_block_line(path, gone, current) for gone in plan.stale),
    )


def write_sso_session(
    paths: Paths,
    name: str,
    start_url: str,
    region: str,
    scopes: str = "sso:account:access",
    path: Path | None = None,
) -> Path:
    """Write `[sso-session NAME]` in the AWS CLI's own format, to `path` (else `paths`' AWS
    config file).

    A section botocore reads as that session, however its header is spelt (`[sso-session
    "NAME"]`), gets the new values under its own header; any further one is removed, so
    the file holds the session once.
    """
    path = path or paths.aws_config_file
    lines = [
        f"sso_start_url = {start_url}",
        f"sso_region = {region}",
        f"sso_registration_scopes = {scopes}",
    ]
    with files.locked(paths, path, wait=files.AWS_FILE_LOCK_WAIT):
        for _attempt in range(files.CHANGE_TRIES):
            old = files.read_text(files.writable_target(path)) or ""
            new = ini_sections.replace_section(
                old,
                f"sso-session {name}",
                lines,
                same=lambda header: config_section(header) == ("sso-session", name),
            )
            if new == old:
                return path
            try:
                write_config(path, new, unchanged=old)
            except files.ChangedMeanwhile:
                continue  # another program wrote it meanwhile: its change is kept
            return path
    raise files.kept_changing(path)


def write_config(path: Path, text: str, *, unchanged: str) -> None:
    """Every write of the AWS config file, under its lock: a read-only file is left as it is
    (FileWriteError); one with other names (hard links: a dotfiles checkout, say) is changed in
    place, as `aws configure set` does, so every name shows the change (no secrets there to
    spread); any other is replaced atomically. ChangedMeanwhile, nothing written, when the
    file no longer holds `unchanged`, the text the change was made from (`""`: no file)."""
    files.refuse_read_only(path)
    write_keeping_links(path, text, unchanged=unchanged.encode("utf-8"))
