"""Where the start URL comes from: `[sso-session]` sections and legacy SSO profiles.

The AWS config file is read with the same parser and section rules botocore uses
(`configparser.RawConfigParser`, and `profile_map`: botocore's `build_profile_map`, held equal to
it by tests/test_sessions.py), so ssotui sees exactly the sessions the AWS CLI sees. The rules
are written out here rather than imported: importing botocore costs every command ~5 ms before
anything else, and most commands need nothing else of it. Which of the sessions a command uses
is `tui.aws.session_choice`'s. What a read of a large file found is kept for the next command
while the file is unchanged (`tui.aws.kept_sessions`).
"""

from __future__ import annotations

import configparser
import dataclasses
import os
import re
import shlex
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from tui.aws import kept_sessions
from tui.errors import ConfigError
from tui.models import DEFAULT_SCOPES, SsoSession
from tui.paths import CONFIG_VARIABLE, CREDENTIALS_VARIABLE, Paths
from tui.store import config_reads, files, rewrites


@dataclass
class ConfigRead:
    """What one read of the AWS config file found."""

    path: Path
    unset: bool = False  # AWS_CONFIG_FILE is set but empty: no config file is read at all
    sessions: list[SsoSession] = field(default_factory=list)
    # names (sso-session or legacy profile) -> why that entry cannot be used
    problems: dict[str, str] = field(default_factory=dict)
    # legacy profile name -> the session it stands for
    legacy: dict[str, SsoSession] = field(default_factory=dict)
    # profile name -> sso-session it uses
    profile_sessions: dict[str, str] = field(default_factory=dict)


def parse_scopes(raw: str) -> tuple[str, ...]:
    """`sso_registration_scopes` the way the AWS CLI splits it: commas, stripped, no empties."""
    return tuple(s for s in (part.strip() for part in raw.split(",")) if s)


# What a reader takes for a comment after a value but botocore keeps in it: the AWS CLI's
# parser has no inline comments, so `sso_region = us-east-1 ; eu` is that whole region.
_INLINE_COMMENT = re.compile(r"[ \t][;#]")
SSO_KEYS = ("sso_start_url", "sso_region", "sso_registration_scopes")
# botocore's own test of a region name (botocore.utils.validate_region_name): one that fails it
# is met at the first client as "Provided region_name ... doesn't match a supported format"
_REGION_NAME = re.compile(r"^[a-zA-Z0-9](?:[a-zA-Z0-9\-]{0,61}[a-zA-Z0-9])?$")


def not_a_region(region: str) -> str | None:
    """Why `region` (an sso_region or --sso-region) cannot be a region name, else None (also
    for one with an inline comment: `inline_comment` says that when the session is used)."""
    if _REGION_NAME.match(region) or _INLINE_COMMENT.search(region):
        return None
    from tui.text import printable

    return f"sso_region {printable(region)!r} is not a region name (like us-east-1)"


def inline_comment(session: SsoSession, keys: tuple[str, ...] = SSO_KEYS) -> str | None:
    """What to say when one of the session's `keys` holds what reads as an inline comment
    (` ;…` or ` #…`, which botocore and so ssotui keep as part of the value): one line naming
    the setting and the fix; None when none does."""
    values = {
        "sso_start_url": [session.start_url],
        "sso_region": [session.region],
        "sso_registration_scopes": list(session.scopes) if session.scopes_configured else [],
    }
    for key in keys:
        for value in values.get(key, []):
            if (found := _INLINE_COMMENT.search(value)) is not None:
                return (
                    f"{key} of session {session.label} is {value!r}: the AWS CLI reads "
                    f"{value[found.start() + 1 :]!r} as part of it, not as a comment; put the "
                    "comment on a line of its own"
                )
    return None


def same_portal(start_url: str) -> str:
    """`start_url` as far as it names the access portal: without the `#/` the browser shows
    and trailing slashes (`https://x.awsapps.com/start/#/` is `https://x.awsapps.com/start`),
    its scheme and host in lower case (`https://X.awsapps.com/start` is the same portal)."""
    url = start_url.split("#", 1)[0].rstrip("/")
    scheme, sep, rest = url.partition("://")
    if not sep:
        return url
    host, slash, path = rest.partition("/")
    return f"{scheme.lower()}://{host.lower()}{slash}{path}"


def _parse_error(path: Path, exc: configparser.Error, what: str) -> ConfigError:
    lineno: int | None = getattr(exc, "lineno", None)
    errors = getattr(exc, "errors", None)
    if lineno is None and errors:
        lineno = errors[0][0]
    detail = {
        configparser.MissingSectionHeaderError: "a setting before any [section] header",
        configparser.DuplicateSectionError: "a section defined twice",
        configparser.DuplicateOptionError: "a setting defined twice in one section",
        configparser.ParsingError: "a line that is not `key = value`",
    }.get(type(exc), "a line botocore cannot parse")
    if isinstance(exc, configparser.MissingSectionHeaderError) and exc.line.lstrip().startswith(
        "["
    ):
        detail = "a [section] header without its closing ]"
    where = f"{path}, line {lineno}" if lineno else str(path)
    return ConfigError(
        f"the {what} {where} is malformed ({detail}): fix it; the AWS CLI cannot read it either"
    )


# The variable that names each file, for the line that says how to point it elsewhere.
_VARIABLE_OF = {
    "AWS config file": CONFIG_VARIABLE,
    "shared credentials file": CREDENTIALS_VARIABLE,
}


def folder_line(paths: Paths, path: Path, what: str) -> str:
    """What to do about a folder where the file should be: botocore reads nothing from it (as
    from no file at all), so no profile or session of it can be there. Whether the variable
    naming the file is set is `paths`' (the environment they were made from)."""
    variable = _VARIABLE_OF.get(what)
    moved = {
        CONFIG_VARIABLE: paths.config_moved,
        CREDENTIALS_VARIABLE: paths.credentials_moved,
    }
    if variable is None:
        fix = "name the file itself"
    elif moved[variable]:
        fix = f"point {variable} at the file itself"
    else:
        fix = f"move the folder aside and keep the {what} in a file there, or set {variable}"
    return f"the {what} {path} is a folder, not a file (the AWS CLI reads nothing from it): {fix}"


def _raw_sections(
    paths: Paths, path: Path, what: str, *, keep: bool = True
) -> dict[str, dict[str, Any]]:
    """Sections and values of the file, as botocore's `raw_config_parse` gives them; `what`
    names the file in the one line of a ConfigError ("AWS config file"). A large file read
    before and unchanged since is not parsed again (`tui.store.config_reads`, in `paths`' cache
    folder); `keep=False` leaves keeping a new read to the caller."""
    return _sections_read(paths, path, what, keep=keep)[0]


def _sections_read(
    paths: Paths,
    path: Path,
    what: str,
    *,
    keep: bool = True,
    seen: tuple[os.stat_result | None, int] | None = None,
) -> tuple[dict[str, dict[str, Any]], os.stat_result | None, int]:
    """`_raw_sections`, with the file's stat `seen` (and when it was taken) before the read
    when the caller took it; returns the sections and the stat and time of the read they came
    from. A read that caught the file half-way through a rewrite in place (`aws configure
    set`: emptied, then written) is made again (`tui.store.rewrites`)."""
    info, seen_at = seen if seen is not None else config_reads.stat_now(path)
    if info is not None and (kept := config_reads.load(paths, path, info)) is not None:
        return kept, info, seen_at
    try:
        sections, info, seen_at = rewrites.read_whole(
            path,
            info,
            seen_at,
            lambda: _parsed(paths, path, what),
            empty=lambda sections: not sections,
            failures=(ConfigError,),
        )
    except FileNotFoundError:
        return {}, info, seen_at
    if info is not None and keep:
        config_reads.save(paths, path, info, seen_at, sections)
    return sections, info, seen_at


def _parsed(paths: Paths, path: Path, what: str) -> dict[str, dict[str, Any]]:
    """The sections of the file as it reads now (FileNotFoundError when there is none)."""
    try:
        text = files.read_text_now(path)
    except UnicodeDecodeError as exc:
        raise ConfigError(
            f"the {what} {path} is not valid UTF-8 (byte {exc.start}): fix or re-save it"
        ) from None
    except IsADirectoryError:
        raise ConfigError(folder_line(paths, path, what)) from None
    except FileNotFoundError:
        raise
    except OSError as exc:
        raise ConfigError(f"cannot read the {what} {path}: {exc.strerror}") from None
    if text.startswith("\ufeff"):
        # botocore reads the mark as text before the first [section] and refuses the file
        raise ConfigError(
            f"the {what} {path} starts with a byte order mark (BOM), which the AWS CLI cannot "
            "read either: save it as UTF-8 without BOM"
        )
    # botocore opens the file with universal newlines: a lone \r (old Mac files) ends a line too
    if "\r" in text:
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    parser = configparser.RawConfigParser()
    try:
        parser.read_string(text, source=str(path))
    except configparser.Error as exc:
        raise _parse_error(path, exc, what) from None
    sections: dict[str, dict[str, Any]] = {}
    for name in parser.sections():
        values = dict(parser.items(name))
        for key, value in values.items():
            # botocore reads an indented block as a sub-section and fails on a line without "="
            if value.startswith("\n") and any(
                line.strip() and "=" not in line for line in value.splitlines()
            ):
                raise ConfigError(
                    f"the {what} {path} is malformed ([{name}] {key}: an indented line without "
                    "`=`): fix it; the AWS CLI cannot read it either"
                )
        sections[name] = values
    return sections


def config_sections(
    paths: Paths, path: Path | None = None, *, what: str = "AWS config file"
) -> dict[str, dict[str, Any]]:
    """Every section of `paths`' AWS config file (or of `path`, which `what` names in messages)
    and its values, empty when there is no file. ConfigError, one line saying what is wrong,
    for a file botocore cannot read."""
    return _raw_sections(paths, path or paths.aws_config_file, what)


_KINDS = (("profile", "profiles"), ("sso-session", "sso_sessions"), ("services", "services"))


# What makes shell words other than runs of blanks (shlex.split: quotes and the escape); a
# title without any is split as shlex splits it, without its cost (0.2 s for 10,000 profiles).
_QUOTING = frozenset("'\"\\")
_BLANKS = re.compile(r"[ \t\r\n]+")


def _named(title: str) -> str | None:
    """`profile NAME` -> NAME, as botocore splits a section title: shell words, exactly two."""
    if _QUOTING.isdisjoint(title):
        words = _BLANKS.split(title.strip(" \t\r\n"))
    else:
        try:
            words = shlex.split(title)
        except ValueError:
            return None
    return words[1] if len(words) == 2 else None


def _unreadable_header(title: str, config_path: Path) -> str:
    """Why an `[sso-session ...]` header whose name is not one shell word (a blank, a lone
    quote, an escape sequence's closing `ESC \\`) gives no session, named printably."""
    from tui.text import printable

    return (
        f"[{printable(title)}] in {config_path}: the AWS CLI reads no session name from this "
        "header (one word, without blanks, quotes or backslashes): rename the session"
    )


def profile_map(sections: dict[str, dict[str, Any]]) -> dict[str, dict[str, Any]]:
    """The sections of a config file grouped as botocore's `build_profile_map` groups them:
    `profiles` (with `default`), `sso_sessions`, `services`, and every other section as is."""
    grouped: dict[str, dict[str, Any]] = {"profiles": {}, "sso_sessions": {}, "services": {}}
    others: dict[str, dict[str, Any]] = {}
    for title, values in sections.items():
        kind = next((kind for prefix, kind in _KINDS if title.startswith(prefix)), None)
        if kind is not None:
            name = _named(title)
            if name is not None:
                grouped[kind][name] = dict(values)
        elif title == "default":  # the one profile without "profile " before its name
            grouped["profiles"]["default"] = dict(values)
        else:
            others[title] = dict(values)
    return {**others, **grouped}


def read_config(paths: Paths, path: Path | None) -> ConfigRead:
    """What `paths`' AWS config file (or `path`) holds of sessions and SSO profiles, from
    what the last command kept while the file is unchanged."""
    config_path = path or paths.aws_config_file
    unset = path is None and paths.config_unset
    info, seen_at = config_reads.stat_now(config_path)
    if info is not None and (kept := kept_sessions.load(paths, config_path, info)) is not None:
        return ConfigRead(path=config_path, unset=unset, **kept)
    result = ConfigRead(path=config_path, unset=unset)
    # (the digest of ssotui's code, `rules`, only for a file whose read may be kept)
    keep_read = (
        info is not None and config_reads.worth_keeping(info) and bool(kept_sessions.rules())
    )
    raw, info, seen_at = _sections_read(
        paths, config_path, "AWS config file", keep=not keep_read, seen=(info, seen_at)
    )
    keep_read = keep_read and info is not None
    built = profile_map(raw)
    profiles: dict[str, dict[str, Any]] = built.get("profiles", {})
    sessions: dict[str, dict[str, Any]] = built.get("sso_sessions", {})
    # A profile's `region` is that profile's: it is not the session's. Role credentials get a
    # region only when one is asked for (--region, default_region in config.toml, the picker).

    for name, values in sessions.items():
        start_url = str(values.get("sso_start_url", "")).strip()
        region = str(values.get("sso_region", "")).strip()
        missing = [k for k, v in (("sso_start_url", start_url), ("sso_region", region)) if not v]
        if missing:
            result.problems[name] = (
                f"[sso-session {name}] in {config_path} has no {' or '.join(missing)}: "
                "add it (e.g. `aws configure sso-session`)"
            )
            continue
        if (wrong := not_a_region(region)) is not None:
            result.problems[name] = f"[sso-session {name}] in {config_path}: {wrong}: fix it"
            continue
        raw_scopes = values.get("sso_registration_scopes")
        # set but empty (`=`, `= ,`): no scope, as the AWS CLI asks for none then (its device
        # login registers none, its browser login the default; its registration key holds [])
        configured = isinstance(raw_scopes, str)
        result.sessions.append(
            SsoSession(
                name=name,
                start_url=start_url,
                region=region,
                scopes=parse_scopes(raw_scopes) if isinstance(raw_scopes, str) else DEFAULT_SCOPES,
                scopes_configured=configured,
            )
        )

    for title in raw:  # what botocore skips without a word (`build_profile_map`): said here
        if title.startswith("sso-session") and _named(title) is None:
            result.problems[title] = _unreadable_header(title, config_path)

    known = {(same_portal(s.start_url), s.region) for s in result.sessions}
    by_url: dict[tuple[str, str], SsoSession] = {}
    exact: dict[tuple[str, str], SsoSession] = {}
    for profile, values in profiles.items():
        if "sso_session" in values:
            result.profile_sessions[profile] = str(values["sso_session"])
            continue
        start_url = str(values.get("sso_start_url", "")).strip()
        if not start_url:
            continue
        region = str(values.get("sso_region", "")).strip()
        if not region:
            result.problems[profile] = (
                f"[profile {profile}] in {config_path} has sso_start_url but no sso_region: "
                "add sso_region"
            )
            continue
        if (wrong := not_a_region(region)) is not None:
            result.problems[profile] = f"[profile {profile}] in {config_path}: {wrong}: fix it"
            continue
        # Each profile keeps its own URL: the AWS CLI caches its token under sha1 of it.
        if (start_url, region) not in exact:
            exact[start_url, region] = SsoSession(name=None, start_url=start_url, region=region)
        result.legacy[profile] = exact[start_url, region]
        by_url.setdefault((same_portal(start_url), region), result.legacy[profile])
    # A legacy profile that repeats an sso-session's start URL is the same Identity Center, and
    # so is one with the URL as the browser shows it (a trailing `/` or `#/`): not listed again.
    result.sessions.extend(s for k, s in by_url.items() if k not in known)
    found = {f.name: getattr(result, f.name) for f in dataclasses.fields(result)}
    del found["path"], found["unset"]  # the caller's, not the file's
    if info is not None and keep_read and (form := kept_sessions.form(found)) is not None:
        config_reads.save(paths, config_path, info, seen_at, raw, form)
    return result


def load_sessions(paths: Paths, path: Path | None = None) -> list[SsoSession]:
    """Every usable SSO session in `paths`' AWS config file (or `path`): sso-sessions first,
    then legacy ones."""
    return list(read_config(paths, path).sessions)


def session_problems(paths: Paths, path: Path | None = None) -> list[str]:
    """Why each incomplete sso-session or SSO profile in the AWS config file cannot be used,
    and each sso-session that profiles name but the file lacks, one line each (`ssotui doctor`
    shows them; a command meets one only when it is chosen)."""
    return read_problems(read_config(paths, path))


def read_problems(read: ConfigRead) -> list[str]:
    """`session_problems` of what one read found."""
    return [*read.problems.values(), *_dangling(read)]


def no_such_session(read: ConfigRead, profile: str, name: str, others: int = 0) -> str:
    """Why `profile` (and `others` more) cannot log in: its sso_session `name` is not there."""
    also = f" (and {others} other profile{'s' if others > 1 else ''})" if others else ""
    return (
        f"[profile {profile}] in {read.path}{also} uses sso_session = {name}, but there is no "
        f"[sso-session {name}] section: add it, or fix sso_session"
    )


def _dangling(read: ConfigRead) -> list[str]:
    """One line for each sso-session that profiles name but the file does not hold (what
    `aws sso login --profile` fails on), naming the first such profile."""
    usable = {s.name for s in read.sessions}
    named: dict[str, list[str]] = {}
    for profile, name in read.profile_sessions.items():
        if name not in usable and name not in read.problems:
            named.setdefault(name, []).append(profile)
    return [
        no_such_session(read, profiles[0], name, len(profiles) - 1)
        for name, profiles in named.items()
    ]
