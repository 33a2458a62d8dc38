"""The options every command shares, and how each command's are declared: the session
options and --debug (before or after the command), the picker's flags (before a command that
takes them), ACCOUNT/ROLE, --region, and the shell completion of their values.

`tui.cli` declares the commands with these; `settle` merges what was given before the command
with what was given after it (after wins) once argparse has read the line.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Callable, Sequence
from typing import Any, NoReturn

from tui.commands.operands import (
    AFTER_DASHES,
    END_OF_OPTIONS,
    SELECTING,
    CommandAfterDashes,
    is_operand,
    unmarked,
)
from tui.commands.pages import PAGES

# Options every command takes, before or after its name, and their values when not given.
GLOBAL_OPTIONS: dict[str, Any] = {
    "session": None,
    "start_url": None,
    "sso_region": None,
    "debug": False,
}
# The login options, each with one meaning wherever it is taken: every command that may log
# in takes both (the picker and `login`, and the commands that log in first when they must).
LOGIN_OPTIONS: dict[str, str] = {
    "use_device_code": "any login it runs uses a device code: a URL and a code for any device",
    "no_browser": "any login it runs uses a device code and opens no browser here",
}
# The picker's own flags; given before a command, they apply to it when it takes them.
PICKER_FLAGS: dict[str, str] = {
    "refresh": "fetch the catalog afresh",
    **LOGIN_OPTIONS,
    "force": (
        "allow `s` inside an ssotui subshell; before login, exec or write-profile: their "
        "--force (login: log in again even with a valid token)"
    ),
}
# What --refresh means to a command that hands on role credentials (`cache_role_credentials`).
_REFRESH_CREDENTIALS = "fetch the catalog and the role's credentials afresh"
# Which of them each command takes, with what they mean there.
COMMAND_FLAGS: dict[str, dict[str, str]] = {
    "login": {**LOGIN_OPTIONS, "force": "log in even if a valid token exists"},
    "configure": {**LOGIN_OPTIONS},
    "list": {"refresh": PICKER_FLAGS["refresh"], **LOGIN_OPTIONS},
    "exec": {
        "refresh": _REFRESH_CREDENTIALS,
        **LOGIN_OPTIONS,
        "force": "allow a subshell inside a subshell",
    },
    "console": {"refresh": _REFRESH_CREDENTIALS, **LOGIN_OPTIONS},
    "export": {"refresh": _REFRESH_CREDENTIALS, **LOGIN_OPTIONS},
    "credential-process": {"refresh": _REFRESH_CREDENTIALS},  # never prompts: no login
    "write-profile": {
        "refresh": _REFRESH_CREDENTIALS,
        **LOGIN_OPTIONS,
        "force": "overwrite the profile even when it holds long-lived keys",
    },
    "populate": {**LOGIN_OPTIONS},
}


def _region(text: str) -> str:
    """An AWS region name, checked for its shape (`eu-west-1`, `us-gov-west-1`)."""
    from tui.region_names import is_region_name

    if not is_region_name(text):
        raise argparse.ArgumentTypeError(f"{text!r} is not an AWS region name (e.g. eu-west-1)")
    return text


def _completes(action: argparse.Action, kind: str) -> None:
    """Shell completion for `action`'s values: `kind` names what (see tui.commands.completion)."""

    def completer(
        prefix: str, parsed_args: argparse.Namespace, **_: object
    ) -> dict[str, str] | list[str]:
        from tui.commands.completion import candidates

        return candidates(kind, prefix, parsed_args)

    action.completer = completer  # type: ignore[attr-defined]  # read by argcomplete


BEFORE = "before_"  # the dest prefix of an option given before the command


# What the session options mean (`configure` writes the session they name).
SESSION_MEANINGS: dict[str, str] = {
    "session": "the [sso-session NAME] of the AWS config file",
    "start_url": "an ad hoc start URL (nothing written); https:// is added when missing",
    "sso_region": "the SSO region of --start-url",
}
# The demo uses its own session: its -h page leaves the session options out (given anyway,
# they are refused, tui.commands.picker.demo), rather than list them only to say "refused".
_LEFT_OUT = argparse.SUPPRESS
COMMAND_SESSION_MEANINGS: dict[str, dict[str, str]] = {
    "demo": dict.fromkeys(("session", "start_url", "sso_region"), _LEFT_OUT),
    "configure": {
        "session": "the name of the [sso-session] to write (asked for when not given)",
        "start_url": "the start URL to write; https:// is added when missing",
        "sso_region": "the SSO region to write (where IAM Identity Center runs)",
    },
}


def global_options(
    parser: argparse.ArgumentParser, *, before: bool = False, command: str | None = None
) -> None:
    """The session options and --debug (`before`: the program's own, kept apart until
    `settle` merges them with the command's; `command`: the one whose page they are on)."""
    meaning = {**SESSION_MEANINGS, **COMMAND_SESSION_MEANINGS.get(command or "", {})}
    shown = meaning["session"] != _LEFT_OUT
    title = "session (before or after the command)" if shown else "before or after the command"
    group = parser.add_argument_group(title)
    prefix = BEFORE if before else ""
    quiet = argparse.SUPPRESS
    _completes(
        group.add_argument(
            "--session",
            dest=prefix + "session",
            type=_given("session"),
            metavar="NAME",
            default=quiet,
            help=meaning["session"],
        ),
        "session",
    )
    group.add_argument(
        "--start-url",
        dest=prefix + "start_url",
        type=_given("start_url"),
        metavar="URL",
        default=quiet,
        help=meaning["start_url"],
    )
    group.add_argument(
        "--sso-region",
        dest=prefix + "sso_region",
        type=_given("sso_region"),
        metavar="REGION",
        default=quiet,
        help=meaning["sso_region"],
    )
    group.add_argument(
        "--debug",
        dest=prefix + "debug",
        action="store_true",
        default=quiet,
        help="log details, and each portal call (secrets redacted)",
    )


class CommandParser(argparse.ArgumentParser):
    """A command's parser: an option it does not know is its own usage error, said with its
    own usage line. (argparse leaves it to the program's parser, whose usage lists the picker's
    flags: `ssotui login --refresh` showed `[--refresh]` above "unrecognized arguments:
    --refresh".)

    A command whose ACCOUNT and ROLE may be left out reads its options and its words apart
    (argparse's intermixed parsing): read in one go, argparse fills the optional ROLE with
    nothing at ACCOUNT, so `ssotui exec prod --region eu-west-1 Admin` left `Admin` over."""

    _in_a_pass = False  # inside one of the intermixed parse's two passes
    _given: Sequence[str] = ()  # the words it was given

    def error(self, message: str) -> NoReturn:
        """argparse's usage error; where a word may be an ACCOUNT or ROLE that begins with "-"
        (`ssotui export prod -Admin`, taken for an option), with where such a name goes."""
        if (
            self.prog.rsplit(" ", 1)[-1] in SELECTING
            and message.startswith(_NAMES_MISSED)
            and "a command to run" not in message
            and any(map(dash_name, self._given))
        ):
            message += f"; {names_after_options(self.prog)}"
        super().error(message)

    def _get_value(self, action: argparse.Action, arg_string: str) -> Any:
        """argparse's (private, the same since Python 2.7), but that an option never takes an
        operand given after `--` for its value (`ssotui export --region -- -team -Admin`):
        it is missing, as it was before `--` had operands (`tui.commands.operands`)."""
        if action.option_strings and is_operand(arg_string):
            raise argparse.ArgumentError(action, "expected one argument")
        return super()._get_value(action, arg_string)

    def parse_known_args(  # type: ignore[override]
        self, args: Sequence[str] | None = None, namespace: argparse.Namespace | None = None
    ) -> tuple[argparse.Namespace, list[str]]:
        if self._in_a_pass:
            return super().parse_known_args(args, namespace)
        self._given = list(args or ())
        if any(action.nargs == "?" for action in self._get_positional_actions()):
            self._in_a_pass = True
            try:
                parsed, extras = super().parse_known_intermixed_args(args, namespace)
            finally:
                self._in_a_pass = False
        else:
            parsed, extras = super().parse_known_args(args, namespace)
        if extras:
            if any(extra.startswith(AFTER_DASHES) for extra in extras):
                raise CommandAfterDashes  # said as the program's error (`tui.cli.parse`)
            extras = [unmarked(extra) for extra in extras]
            said = f"unrecognized arguments: {' '.join(extras)}"
            if self.prog.endswith(" exec") and not extras[0].startswith("-"):
                # `ssotui exec dev Admin aws s3 ls`: the command goes after `--`
                said += f"; a command to run goes after --: {self.prog} ACCOUNT ROLE -- CMD ARGS"
            self.error(said)
        return parsed, extras


# The usage errors of a word taken for an option: left over, or missing from its place.
_NAMES_MISSED = ("unrecognized arguments: ", "the following arguments are required: ")


def dash_name(word: str) -> bool:
    """`word` may be a name that begins with "-" (`-Admin`), not a mistyped --option."""
    return word[:1] == "-" and word[1:2] not in ("", "-")


def names_after_options(prog: str) -> str:
    """Where an ACCOUNT or ROLE that begins with "-" goes in `prog`'s command line."""
    if prog.endswith(" exec"):
        where = f"{END_OF_OPTIONS}: {prog} [options] {END_OF_OPTIONS} ACCOUNT ROLE [-- CMD ARGS]"
    else:
        where = f"--: {prog} [options] -- ACCOUNT ROLE"
    return f'an ACCOUNT or ROLE that begins with "-" goes after {where}'


class Pages(argparse.RawDescriptionHelpFormatter):
    """The -h pages as written (tui.commands.pages), as wide as the terminal.

    argparse makes a formatter for each argument it is given, and each imports `shutil` to ask
    the terminal's size: with the archive modules `shutil` brings, ~2 ms of every command's
    start. The size is asked here as `shutil.get_terminal_size` asks it."""

    def __init__(
        self,
        prog: str,
        indent_increment: int = 2,
        max_help_position: int = 24,
        width: int | None = None,
    ) -> None:
        super().__init__(prog, indent_increment, max_help_position, width or _columns() - 2)


def _columns() -> int:
    """$COLUMNS, else the width of the terminal on stdout, else 80."""
    try:
        columns = int(os.environ.get("COLUMNS", "0"))
    except ValueError:
        columns = 0
    if columns <= 0:
        try:
            columns = os.get_terminal_size(sys.__stdout__.fileno()).columns  # type: ignore[union-attr]
        except (AttributeError, ValueError, OSError):  # no stdout, not a terminal
            columns = 0
    return columns or 80


def add_command(sub: Any, name: str, **kwargs: Any) -> argparse.ArgumentParser:
    """A sub-command with its -h page (tui.commands.pages), the global options, its flags."""
    page = PAGES[name]
    parser: argparse.ArgumentParser = sub.add_parser(
        name,
        help=page.summary,
        description=page.does,
        epilog=page.epilog,
        formatter_class=Pages,
        **kwargs,
    )
    global_options(parser, command=name)
    for flag, meaning in COMMAND_FLAGS.get(name, {}).items():
        parser.add_argument(
            "--" + flag.replace("_", "-"),
            action="store_true",
            default=argparse.SUPPRESS,
            help=meaning,
        )
    return parser


def selection(parser: argparse.ArgumentParser, *, picked: bool = False) -> None:
    """ACCOUNT and ROLE; `picked`: both may be left out, to be picked in the picker."""
    if picked:
        account_help = "account id, name, or a unique part (left out: pick in the picker)"
        role_help = "role name (left out: pick in the picker)"
    else:
        account_help = "account id, name, or a unique part"
        role_help = "role name (case-insensitive if unique)"
    nargs = "?" if picked else None
    _completes(
        parser.add_argument(
            "account", metavar="ACCOUNT", nargs=nargs, type=_given("ACCOUNT"), help=account_help
        ),
        "account",
    )
    _completes(
        parser.add_argument(
            "role", metavar="ROLE", nargs=nargs, type=_given("ROLE"), help=role_help
        ),
        "role",
    )


# What each word that may not be empty names, as the line that refuses an empty one says it.
_WANTED = {
    "ACCOUNT": "an account id, name or part of one",
    "ROLE": "a role name",
    "session": "the name of an [sso-session]",
    "start_url": "a start URL",
    "sso_region": "a region",
}


def _given(what: str) -> Callable[[str], str]:
    """An ACCOUNT, ROLE or session option typed as an empty word (`"$ACCOUNT"` unset in a
    script) is bad usage, said before any login or fetch; no account, role or session has an
    empty name. (`--session ""` was taken for no --session: the default session, maybe another
    organisation's.)"""

    def check(value: str) -> str:
        if not value:
            raise argparse.ArgumentTypeError(
                f"an empty word (an unset variable?); pass {_WANTED[what]}"
            )
        return value

    return check


def region_option(parser: argparse.ArgumentParser, meaning: str) -> None:
    parser.add_argument("--region", metavar="R", type=_region, help=meaning)


def settle(parser: argparse.ArgumentParser, args: argparse.Namespace) -> argparse.Namespace:
    """Merge the options given before the command with the command's own (given after, they
    win) and give every option not given its value. A picker flag given before a command that
    does not take it is a usage error: it would otherwise be silently ignored."""
    takes = COMMAND_FLAGS.get(args.command, {}) if args.command else PICKER_FLAGS
    for flag in PICKER_FLAGS:
        if hasattr(args, BEFORE + flag) and flag not in takes:
            option = "--" + flag.replace("_", "-")
            parser.error(f"{option} does not apply to `ssotui {args.command}`")
    defaults = {**GLOBAL_OPTIONS, **dict.fromkeys(PICKER_FLAGS, False)}
    for name, default in defaults.items():
        before = vars(args).pop(BEFORE + name, None)
        after = getattr(args, name, None)
        setattr(args, name, after if after not in (None, False) else (before or default))
    return args
