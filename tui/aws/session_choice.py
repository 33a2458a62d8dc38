"""Which session a command uses: flags, `--session`, `default_session`, the profile a variable
names (`AWS_PROFILE`, `AWS_DEFAULT_PROFILE`), the only one configured, the `default` profile's,
in the order README "Use" gives; and, when none decides, a line that says why.

The sessions and SSO profiles are those `tui.aws.sessions` reads from the AWS config file; the
shared credentials file's section of a profile is merged over the config file's, as botocore
merges them.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from tui.aws.sessions import (
    ConfigRead,
    config_sections,
    no_such_session,
    not_a_region,
    profile_map,
    read_config,
    read_problems,
    same_portal,
)
from tui.errors import ConfigError, SsotuiError, UsageError
from tui.models import SsoSession
from tui.paths import CONFIG_VARIABLE, Paths, empty_variable_reason

# Why no session is found while AWS_CONFIG_FILE is set but empty, and what to do.
_NO_CONFIG_FILE = (
    f"{empty_variable_reason(CONFIG_VARIABLE)}, or pass --start-url URL --sso-region REGION"
)


def _names(read: ConfigRead) -> str:
    labels = [s.name for s in read.sessions if s.name is not None]
    labels += [
        f"{legacy_name(read, s) or s.start_url} (legacy profile)"
        for s in read.sessions
        if s.name is None
    ]
    return ", ".join(labels)


def legacy_name(read: ConfigRead, session: SsoSession) -> str | None:
    """The name `--session` takes for `session` when it has none of its own (a legacy profile's:
    sso_start_url in the profile): the first such profile of its start URL and region, whose
    name is no sso-session's (which `--session` takes first). None when there is no such one."""
    if session.name is not None:
        return None
    taken = {s.name for s in read.sessions}
    for profile, legacy in read.legacy.items():
        same = (legacy.start_url, legacy.region) == (session.start_url, session.region)
        if same and profile not in taken:
            return profile
    return None


def name_for(paths: Paths, session: SsoSession) -> str | None:
    """The name `--session` reaches `session` by in `paths`' AWS config file: its own, or a
    legacy profile's (`legacy_name`); None for one no name reaches (`--start-url`'s)."""
    if session.name is not None:
        return session.name
    try:
        return legacy_name(read_config(paths, None), session)
    except SsotuiError:  # (a file it cannot read: the start URL and region name it)
        return None


def _by_name(read: ConfigRead, name: str, *, via: str | None = None) -> SsoSession:
    for session in read.sessions:
        if session.name == name:
            return session
    if via is None and name in read.legacy:
        return read.legacy[name]
    if name in read.problems:
        raise ConfigError(read.problems[name])
    if via is not None:
        # botocore reads `sso_session` as the name of an [sso-session] only, never a profile
        raise ConfigError(no_such_session(read, via, name))
    if name in read.profile_sessions:  # a profile that points at an sso-session
        return _by_name(read, read.profile_sessions[name], via=name)
    if read.unset:
        raise ConfigError(f"no sso-session '{name}': {_NO_CONFIG_FILE}")
    known = _names(read)
    hint = f"configured: {known}" if known else "none is configured"
    raise ConfigError(f"no sso-session '{name}' in {read.path} ({hint})")


# How many reasons the line for "no usable session" gives before it sends the user to doctor.
_SHOWN_PROBLEMS = 3


def profile_in(environ: Mapping[str, str]) -> str | None:
    """The profile botocore's own clients take from the environment (botocore's order:
    `AWS_DEFAULT_PROFILE`, else `AWS_PROFILE`); None when neither is set (or both are empty).
    The session hint is `aws_cli_profile`'s, the AWS CLI v2's order."""
    for variable in ("AWS_DEFAULT_PROFILE", "AWS_PROFILE"):
        if environ.get(variable):
            return environ[variable]
    return None


# The AWS CLI v2 (its own botocore, awscli/botocore/configprovider.py) and the Go SDK v2
# (Terraform) read AWS_PROFILE before AWS_DEFAULT_PROFILE; botocore alone (boto3, the AWS CLI
# v1) reads them the other way round. `aws sso login` is the AWS CLI v2's: its order counts.
PROFILE_VARIABLES = ("AWS_PROFILE", "AWS_DEFAULT_PROFILE")


@dataclass(frozen=True)
class NamedProfile:
    """The profile the AWS tools use here: `name`, named by `variable` (None: `default`, the
    profile they use when no variable names one)."""

    name: str
    variable: str | None = "AWS_PROFILE"


def aws_cli_profile(environ: Mapping[str, str]) -> NamedProfile:
    """The profile the AWS CLI v2 uses in `environ`: `AWS_PROFILE`, else
    `AWS_DEFAULT_PROFILE`, else `default`. A variable set but empty names the profile "",
    which is nowhere (the AWS CLI then finds no profile at all)."""
    for variable in PROFILE_VARIABLES:
        if variable in environ:
            return NamedProfile(environ[variable], variable)
    return NamedProfile("default", None)


_PROFILE_SSO_KEYS = ("sso_session", "sso_start_url", "sso_region")


def _credentials_section(paths: Paths, profile: str) -> dict[str, Any] | None:
    """The shared credentials file's section `profile`, which botocore merges over the config
    file's profile of that name, SSO keys and all (`Session.full_config`); None when there is
    none. ConfigError (one line, no value of the file) when the file cannot be read."""
    sections = config_sections(paths, paths.aws_credentials_file, what="shared credentials file")
    return sections.get(profile)


def _credentials_profile(paths: Paths, profile: str) -> dict[str, Any] | None:
    """`_credentials_section`, None as well when the file cannot be read (a hint is all that is
    looked for here; `_unused_profile` says why it gave none)."""
    try:
        return _credentials_section(paths, profile)
    except ConfigError:
        return None


def _config_profiles(paths: Paths, read: ConfigRead) -> dict[str, dict[str, Any]]:
    """The config file's profiles, as botocore groups them (`default` included)."""
    if read.unset:
        return {}
    return profile_map(config_sections(paths, read.path))["profiles"]


def _of_values(read: ConfigRead, values: Mapping[str, Any]) -> SsoSession | None:
    """The session a profile of these values logs in with (its `sso_session`, else its own
    `sso_start_url` and `sso_region`); None when it has none that can be used."""
    if "sso_session" in values:
        wanted = str(values["sso_session"])
        return next((s for s in read.sessions if s.name == wanted), None)
    start_url = str(values.get("sso_start_url", "")).strip()
    region = str(values.get("sso_region", "")).strip()
    if not start_url or not region or not_a_region(region) is not None:
        return None
    same = (s for s in read.legacy.values() if (s.start_url, s.region) == (start_url, region))
    return next(same, None) or SsoSession(name=None, start_url=start_url, region=region)


def _of_profile(paths: Paths, read: ConfigRead, profile: str) -> SsoSession | None:
    """The session the SSO profile `profile` logs in with, as `aws sso login --profile` finds
    it (its `sso_session`, else its own `sso_start_url`), the shared credentials file's section
    of that name merged over the config file's as botocore merges them; None for a profile
    that is not there, has no SSO set-up or names a session that cannot be used."""
    own = _credentials_profile(paths, profile)
    if own is not None and any(key in own for key in _PROFILE_SSO_KEYS):
        return _of_values(read, {**_config_profiles(paths, read).get(profile, {}), **own})
    if profile in read.profile_sessions:
        wanted = read.profile_sessions[profile]
        return next((s for s in read.sessions if s.name == wanted), None)
    return read.legacy.get(profile)


def _unused_profile(paths: Paths, read: ConfigRead, hint: NamedProfile | None) -> tuple[str, bool]:
    """Why the profile a variable names gave no session, in words ("AWS_PROFILE names profile
    'x', which ..."; "" when no variable names one), and whether that is a slip (a profile not
    there, or whose session cannot be used) rather than a profile without SSO."""
    if hint is None or hint.variable is None:
        return "", False
    from tui.text import printable

    if not hint.name:
        return f"{hint.variable} is set but empty (the AWS CLI finds no profile then)", True
    named = f"{hint.variable} names profile {printable(hint.name)!r}"
    try:
        own = _credentials_section(paths, hint.name)
    except ConfigError as exc:  # the AWS CLI reads no profile at all then: not "no such one"
        return f"{named}, which cannot be read ({exc.message})", True
    in_config = _config_profiles(paths, read)
    values = {**in_config.get(hint.name, {}), **(own or {})}
    if own is None and hint.name not in in_config:
        return (
            f"{named}, which is in neither {read.path} nor {paths.aws_credentials_file} "
            "(the AWS CLI finds no such profile)"
        ), True
    if not any(key in values for key in _PROFILE_SSO_KEYS):
        return f"{named}, which has no sso_session or sso_start_url", False
    wanted = str(values.get("sso_session", ""))
    if wanted and wanted not in read.problems and all(s.name != wanted for s in read.sessions):
        # said here: doctor's checks of the config file know no profile of the credentials file
        return (
            f"{named}, whose sso_session {printable(wanted)!r} is no [sso-session] of {read.path}"
        ), True
    return f"{named}, whose SSO session cannot be used (`ssotui doctor` says why)", True


def unused_profile(paths: Paths, hint: NamedProfile) -> tuple[str, bool]:
    """Why the profile a variable names (`hint`) leads to no session, in words ("AWS_PROFILE
    names profile 'x', which is in neither ..."), and whether that is a slip; ("", False) when
    it leads to one or no variable names it (`doctor` says it beside the session chosen all
    the same, the picker on its session chooser)."""
    read = read_config(paths, None)
    if hint.variable is None or _of_profile(paths, read, hint.name) is not None:
        return "", False
    return _unused_profile(paths, read, hint)


def chosen_session(
    paths: Paths,
    *,
    name: str | None = None,
    start_url: str | None = None,
    region: str | None = None,
    default: str | None = None,
    profile: NamedProfile | str | None = None,
    path: Path | None = None,
) -> tuple[SsoSession, str]:
    """The session to use (of `paths`' AWS config file, or `path`) and where it comes from,
    in words ("AWS_PROFILE=dev"): flags, then `--session`, then `default`, then the session of
    the profile a variable names, then the only one configured, then the session of the
    `default` profile.

    `default` is `default_session` from ssotui's own config. `profile` is the profile the AWS
    tools use (`aws_cli_profile`; a bare name stands for `AWS_PROFILE`'s), which counts only
    when it is an SSO profile whose session can be used (the one `aws sso login` would log in
    to) and no `default_session` is set; the `default` profile only where the only session
    would not decide. Its values are those botocore reads: the shared credentials file's
    section of that name merged over the config file's. Raises ConfigError with the list when
    several sessions exist and none is chosen (saying why a named profile gave none), or with
    how to add one when there is none.
    """
    if start_url:
        if name:
            raise UsageError("give either --session or --start-url, not both")
        if not region:
            portal = same_portal(start_url.strip())
            matches = [
                s for s in read_config(paths, path).sessions if same_portal(s.start_url) == portal
            ]
            if not matches:
                raise UsageError("--start-url needs --sso-region (the Identity Center's region)")
            region = matches[0].region
        if (wrong := not_a_region(region.strip())) is not None:
            raise UsageError(f"--{wrong.replace('_', '-')}")
        return SsoSession(
            name=None, start_url=start_url.strip(), region=region.strip()
        ), "--start-url"
    if region:
        raise UsageError("--sso-region goes with --start-url")
    read = read_config(paths, path)
    if name:
        try:
            return _by_name(read, name), "--session"
        except ConfigError:
            # a profile of the shared credentials file only, which botocore reads as well
            if name in read.problems or (of_profile := _of_profile(paths, read, name)) is None:
                raise
            return of_profile, "--session"
    if default:
        try:
            return _by_name(read, default), "default_session in config.toml"
        except ConfigError as exc:  # no name was typed: say where this one comes from
            raise ConfigError(
                f"default_session in ssotui's config.toml: {exc.message}; change it there, "
                "or give --session NAME"
            ) from None
    hint = NamedProfile(profile) if isinstance(profile, str) else profile
    if hint and hint.variable and (of_profile := _of_profile(paths, read, hint.name)) is not None:
        return of_profile, f"{hint.variable}={hint.name}"
    if len(read.sessions) == 1:
        return read.sessions[0], "the only one configured"
    # No variable names a profile: the AWS tools use `default`, and `aws sso login` logs in
    # to its session; it decides between several (or finds one in the credentials file).
    if hint and hint.variable is None and (of_default := _of_profile(paths, read, hint.name)):
        return of_default, "the default profile's"
    if not read.sessions:
        problems = read_problems(read)
        if problems:
            more = len(problems) - _SHOWN_PROBLEMS
            tail = f"; and {more} more (`ssotui doctor` lists them)" if more > 0 else ""
            raise ConfigError("; ".join(problems[:_SHOWN_PROBLEMS]) + tail)
        if read.unset:
            raise ConfigError(f"no SSO session configured: {_NO_CONFIG_FILE}")
        raise ConfigError(
            f"no SSO session configured in {read.path}: run `ssotui configure` to add an "
            "[sso-session NAME] section (or `aws configure sso-session`), or pass "
            "--start-url URL --sso-region REGION"
        )
    why = _unused_profile(paths, read, hint)[0]
    raise ConfigError(
        f"several SSO sessions are configured ({_names(read)})"
        f"{f', and {why}' if why else ''}: pass --session NAME or set default_session in "
        f"{paths.config_file}"
    )
