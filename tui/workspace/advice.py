"""What a message tells the user to do, in the words of the door it is shown at.

Errors carry command-line advice ("run `ssotui login`", "try again with --refresh"). On the
command line that advice gets the session options the user typed, so that following it reaches
the same session; in the picker it becomes the key that does the same, or goes when the screen
already shows that key. The decision is made here only.
"""

from __future__ import annotations

import re
import shlex
from collections.abc import Callable, Mapping, Sequence
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from tui.models import SsoSession
    from tui.paths import Paths
    from tui.store.settings import Settings

# `ssotui <command ...>` in backticks: advice that names a command of one session.
_SESSION_COMMAND = re.compile(r"`ssotui (login|logout|list)([^`]*)`")

# Command-line advice -> the picker's words for it ("" drops it: the screen shows the key).
# Longest first, so "run `ssotui login` again to retry" is not read as "run `ssotui login`".
_IN_THE_PICKER: tuple[tuple[str, str], ...] = (
    # the login screen's `r` retries, and its `d` (shown while it waits) takes a device code
    (
        "run `ssotui login` again (or `ssotui login --use-device-code` to log in on another "
        "device)",
        "",
    ),
    ("try again in a minute with `ssotui login`", "try again in a minute"),
    ("then run `ssotui login` again", ""),
    ("run `ssotui login` again to retry", ""),
    ("run `ssotui login` again", ""),
    ("run `ssotui login`", "press ctrl+l to log in"),
    ("run `ssotui list --refresh` to check", "press ctrl+r to check"),
    ("run `ssotui list --refresh`", "press ctrl+r to refresh the list"),
    ("run `ssotui list` again to retry", "press ctrl+r to try again"),
    ("try again with --refresh", "press ctrl+r to try again"),
    ("try --refresh", "press ctrl+r"),
    ("run `ssotui list` to see your accounts", "type less of the name"),
    # a region of another partition: the picker chooses one with ctrl+g
    (
        "choose one of them (--region, default_region in config.toml)",
        "choose one of them (ctrl+g, or default_region in config.toml)",
    ),
    # the renewing subshell's refusal (a [default] profile SDKs take first): its static keys
    # are a setting here, not a flag
    ("the command would not run as", "the subshell would not run as"),
    (
        "or use static keys (exec without --renew)",
        "or use static keys (renew_credentials = false in ssotui's config.toml)",
    ),
    # the console of a partition ssotui knows no address in: the picker has no --destination,
    # and ctrl+g offers only the regions of that same partition
    (
        "give --destination URL and set AWS_ENDPOINT_URL_SIGNIN",
        "open it from the access portal in the browser, or with `ssotui console --destination "
        "URL` in a shell where AWS_ENDPOINT_URL_SIGNIN is set",
    ),
    (
        "give --destination URL",
        "open it from the access portal in the browser, or with `ssotui console --destination "
        "URL` in a shell",
    ),
    # a default_session that names none: the picker's session chooser asks instead
    (", or give --session NAME", ""),
    # a flag of the picker's start, no key: where it goes
    (
        "or use --force to start another inside it",
        "or start the picker as `ssotui --force` to start another",
    ),
)


def session_options(
    *, session: str | None, start_url: str | None, sso_region: str | None
) -> list[str]:
    """The session options as the user gave them (none when the default session is used); a
    value that begins with "-" (`[sso-session -corp]`) joined to its option, as argparse
    takes it (`--session -corp` is an option without its value)."""
    given = (("--session", session), ("--start-url", start_url), ("--sso-region", sso_region))
    words: list[str] = []
    for option, value in given:
        if value:
            words += [f"{option}={value}"] if value.startswith("-") else [option, value]
    return words


def for_the_command_line(message: str, options: Sequence[str] = ()) -> str:
    """`message` with the session `options` added to every `ssotui login/logout/list` it
    advises, so an ad hoc session (`--start-url`) is the one logged in to."""
    if not options:
        return message
    typed = " " + shlex.join(options)
    return _SESSION_COMMAND.sub(lambda m: f"`ssotui {m.group(1)}{m.group(2)}{typed}`", message)


def naming(session: SsoSession, paths: Paths) -> list[str]:
    """The session options that reach `session` wherever they are typed: `--session NAME`
    (a legacy profile's session by the profile's name, as the list of sessions names it), or
    the start URL and SSO region of one no name reaches (`--start-url`'s), which lead to the
    same token cache. The one place every door words them."""
    from tui.aws.session_choice import name_for

    if (name := name_for(paths, session)) is not None:
        return session_options(session=name, start_url=None, sso_region=None)
    return session_options(session=None, start_url=session.start_url, sso_region=session.region)


def in_a_child(
    session: SsoSession,
    *,
    settings: Settings,
    environ: Mapping[str, str],
    paths: Paths,
    typed: Sequence[str] = (),
) -> Callable[[str], str]:
    """How a program ssotui runs with `session`'s credentials (`exec --renew`'s command, the
    picker's renewing subshell, whose SDKs quote the credential endpoint) is told what to do:
    at a shell prompt, so in command lines. With the session options `typed` (the command
    line's, which name `session`), else with none where `ssotui login` alone reaches `session`
    there, else with options naming it: the child has no AWS_PROFILE nor AWS_DEFAULT_PROFILE
    (tui/export/env.py), which may be what chose the session, and the picker may be on one
    chosen in it. Settled once, before the child starts."""
    from tui.aws.session_choice import PROFILE_VARIABLES
    from tui.errors import SsotuiError
    from tui.workspace.context import Context

    options = list(typed)
    if not options:
        there = {key: value for key, value in environ.items() if key not in PROFILE_VARIABLES}
        try:
            found: SsoSession | None = Context(settings, environ=there, known_paths=paths).session()
        except SsotuiError:  # several sessions, and nothing there decides
            found = None
        if found is None or not same_session(found, session):
            options = naming(session, paths)
    return lambda message: for_the_command_line(message, options)


def same_session(one: SsoSession, other: SsoSession) -> bool:
    """The same session (the same token cache), whatever `default_region` each was given."""
    return (one.name, one.start_url, one.region) == (other.name, other.start_url, other.region)


# On the login screen the login is under way: advice to log in goes.
_ON_THE_LOGIN_SCREEN: tuple[tuple[str, str], ...] = (
    ("run `ssotui login` to replace it", "logging in replaces it"),
    ("run `ssotui login`", ""),
)


def for_the_login_screen(message: str) -> str:
    """`message` (why a login is needed) as the login screen says it: its advice to log in
    dropped, any other advice in the picker's keys."""
    for advice, words in _ON_THE_LOGIN_SCREEN:
        message = message.replace(advice, words)
    return for_the_picker(message)


def for_the_picker(message: str) -> str:
    """`message` with its command-line advice turned into the picker's keys (or dropped when
    the screen shows the key already), and no dangling separator left behind."""
    for advice, keys in _IN_THE_PICKER:
        if advice in message:
            message = message.replace(advice, keys)
    return _tidy(message)


# Advice to send the same call again, longest first ("" drops it).
_RETRYING: tuple[tuple[str, str], ...] = (
    ("try again later, and report it if it persists", ""),
    ("try again later, or allow longer with `request_deadline` in config.toml", ""),
    ("try again later; if it keeps failing, check", "check"),
    ("wait a minute and try again", ""),
    ("try again later", ""),
    ("try again then", ""),
)


def without_retrying(message: str) -> str:
    """`message` without its advice to send the call again: for a call that cannot be sent
    again (a logout's Logout, once the token it needs is deleted here)."""
    for advice, words in _RETRYING:
        message = message.replace(advice, words)
    return _tidy(message)


def _tidy(message: str) -> str:
    """`message` with no dangling separator or empty brackets left by advice taken out."""
    message = re.sub(r"\s*\(\s*\)", "", message)  # "(run ...)" dropped whole
    message = re.sub(r"[:;,]\s*$", "", message.rstrip())
    message = re.sub(r"[:;,]\s*([:;,)])", r"\1", message)
    return re.sub(r"\s{2,}", " ", message).strip()
