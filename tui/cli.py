"""The command line: argparse, one sub-command per verb, one clear line per failure.

Imports stay lazy so `ssotui --version` and `ssotui credential-process` never load Textual,
and nothing loads boto3 before it is needed. Shell completion (`_ARGCOMPLETE` in the
environment, set by the script `ssotui completion SHELL` prints) answers from the parser and
the cached catalog and exits before anything else runs.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING

from tui import __version__, startup_gc
from tui.commands.operands import CommandAfterDashes, operands, unmark
from tui.commands.options import (
    BEFORE,
    GLOBAL_OPTIONS,
    PICKER_FLAGS,
    CommandParser,
    Pages,
    add_command,
    dash_name,
    global_options,
    names_after_options,
    region_option,
    selection,
    settle,
)
from tui.commands.pages import PROGRAM
from tui.errors import AlreadySaid, SsotuiError
from tui.std_streams import CannotWrite, cannot_hold, finish, guard_standard_streams

if TYPE_CHECKING:
    from tui.workspace import Context

Handler = Callable[[argparse.Namespace, "Context"], int]


def build_parser(only: str | None = None) -> argparse.ArgumentParser:
    """The whole command-line contract (README "Use"); `only`: of the commands, that one alone
    (`parse`, when the line names it: the others are never read)."""
    parser = argparse.ArgumentParser(
        prog="ssotui",
        description=PROGRAM.does,
        epilog=PROGRAM.epilog,
        formatter_class=Pages,
    )
    parser.add_argument("--version", action="version", version=f"ssotui {__version__}")
    global_options(parser, before=True)
    picker = parser.add_argument_group("the picker (or a command that takes them)")
    for flag, meaning in PICKER_FLAGS.items():
        picker.add_argument(
            "--" + flag.replace("_", "-"),
            dest=BEFORE + flag,
            action="store_true",
            default=argparse.SUPPRESS,
            help=meaning,
        )
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=CommandParser)
    for name, options in _OPTIONS.items():
        if only in (None, name):
            options(add_command(sub, name, **_USAGE.get(name, {})))
    return parser


_CREDENTIALS_REGION = "the region that goes with the credentials (AWS_REGION, AWS_DEFAULT_REGION)"


def _nothing_more(_p: argparse.ArgumentParser) -> None:
    """A command with only the options every command takes."""


def _logout(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "--purge",
        action="store_true",
        help="also remove every profile ssotui wrote to the shared credentials file",
    )


def _list(p: argparse.ArgumentParser) -> None:
    p.add_argument("--json", action="store_true", help="a JSON array, sorted by account and role")


def _exec(p: argparse.ArgumentParser) -> None:
    selection(p, picked=True)
    region_option(p, _CREDENTIALS_REGION)
    p.add_argument(
        "--renew",
        action="store_true",
        help="credentials that renew themselves: a loopback endpoint instead of static keys",
    )


def _console(p: argparse.ArgumentParser) -> None:
    selection(p, picked=True)
    where = p.add_mutually_exclusive_group()
    where.add_argument("--service", metavar="S", help="console service to open, e.g. s3, ec2")
    where.add_argument("--destination", metavar="URL", help="an https console URL to open")
    region_option(p, "the console's region")
    p.add_argument(
        "--duration", type=int, metavar="SECONDS", help="console session length (900-43200)"
    )
    how = p.add_mutually_exclusive_group()
    how.add_argument("--print", action="store_true", help="print the sign-in link")
    how.add_argument("--copy", action="store_true", help="copy the sign-in link")
    p.add_argument(
        "--shortcut",
        action="store_true",
        help="print (and open) the access portal's shortcut link instead: no credentials "
        "fetched, the browser's own sign-in applies",
    )


def _export(p: argparse.ArgumentParser) -> None:
    selection(p, picked=True)
    p.add_argument(
        "--format",
        choices=["sh", "fish", "powershell", "json"],
        help="default: export_format in config.toml, else from $SHELL (fish, pwsh/powershell, "
        "else sh)",
    )
    p.add_argument("--copy", action="store_true", help="copy to the clipboard instead of printing")
    region_option(p, _CREDENTIALS_REGION)


def _credential_process(p: argparse.ArgumentParser) -> None:
    selection(p)
    region_option(
        p,
        "checked as the other commands check it, but the credential_process JSON has no "
        "region: put `region` in the profile",
    )


def _write_profile(p: argparse.ArgumentParser) -> None:
    selection(p)
    p.add_argument(
        "--profile",
        metavar="NAME",
        help="profile name (default: ACCOUNTNAME.ROLE, sanitised, e.g. acme-prod.ReadOnlyAccess)",
    )
    region_option(p, "a `region` line in the profile")


def _profile_prefix(value: str) -> str:
    """A `--prefix`, which populate keeps in the config file on a line of its own."""
    if not value.isprintable():
        raise argparse.ArgumentTypeError(
            "P holds a line break or another control character, which the AWS config file "
            "cannot hold; choose another"
        )
    return value


def _populate(p: argparse.ArgumentParser) -> None:
    p.add_argument("--dry-run", action="store_true", help="print the diff, change nothing")
    p.add_argument(
        "--prefix",
        default=None,
        type=_profile_prefix,
        metavar="P",
        help="put P before every profile name (default: the one they have; --prefix '' for none)",
    )
    region_option(
        p,
        "a `region` for every profile (default: the one they have, else default_region, "
        "else the session's sso_region)",
    )


def _configure(p: argparse.ArgumentParser) -> None:
    p.add_argument("--no-login", action="store_true", help="do not log in afterwards")


def _completion(p: argparse.ArgumentParser) -> None:
    p.add_argument("shell", choices=["bash", "zsh", "fish"], help="the shell to complete in")


# Each command's own options, in the order `ssotui -h` lists the commands.
_OPTIONS: dict[str, Callable[[argparse.ArgumentParser], None]] = {
    "demo": _nothing_more,
    "login": _nothing_more,
    "logout": _logout,
    "list": _list,
    "exec": _exec,
    "console": _console,
    "export": _export,
    "credential-process": _credential_process,
    "write-profile": _write_profile,
    "populate": _populate,
    "configure": _configure,
    "config": _nothing_more,
    "doctor": _nothing_more,
    "completion": _completion,
}
_USAGE = {"exec": {"usage": "%(prog)s [options] [ACCOUNT [ROLE]] [-- CMD ARGS...]"}}


# command -> "module:function" under tui.commands; only the module of the command is imported.
_COMMANDS: dict[str | None, str] = {
    None: "picker:picker",
    "demo": "picker:demo",
    "login": "session:login",
    "logout": "session:logout",
    "list": "session:list_roles",
    "exec": "credentials:exec_command",
    "export": "credentials:export",
    "console": "console:console",
    "credential-process": "credentials:credential_process",
    "write-profile": "credentials:write_profile",
    "populate": "setup:populate",
    "configure": "setup:configure",
    "config": "setup:show_config",
    "doctor": "doctor:doctor",
    "completion": "completion:completion",
}


def _handler(command: str | None) -> Handler:
    import importlib

    module, function = _COMMANDS[command].split(":")
    handler: Handler = getattr(importlib.import_module(f"tui.commands.{module}"), function)
    return handler


# The program's own options, as given before a command: those that take a value, the flags.
_VALUED = tuple(
    "--" + name.replace("_", "-") for name, off in GLOBAL_OPTIONS.items() if off is None
)
_FLAGS = frozenset(
    "--" + name.replace("_", "-")
    for name in [*(n for n, off in GLOBAL_OPTIONS.items() if off is not None), *PICKER_FLAGS]
)


def named_command(words: Sequence[str]) -> str | None:
    """The command `words` name when nothing before it can be read as anything else: only the
    program's own options, spelled in full, come before it. None when no command is named that
    way (the picker, -h, --version, a misspelt or abbreviated option: every command is built).

    argparse builds a parser for every command before it reads a word (~5 % of a
    `credential-process`, which an AWS SDK runs for every client); the named one is enough,
    and reads the line as the whole parser would (tests/test_start_work.py)."""
    at = 0
    while at < len(words):
        word = words[at]
        if word in _VALUED:
            at += 2
        elif word in _FLAGS or word.startswith(tuple(option + "=" for option in _VALUED)):
            at += 1
        else:
            return word if word in _COMMANDS else None
    return None


def parse(argv: Sequence[str]) -> argparse.Namespace:
    """The command line as a namespace with every option set (`cmd`: the words after `--`)."""
    words = list(argv)
    # Everything after `--` is the command for `exec`; argparse never sees it.
    command: list[str] = []
    if "--" in words:
        cut = words.index("--")
        words, command = words[:cut], words[cut + 1 :]
    # ACCOUNT and ROLE that begin with "-" (tui.commands.operands)
    words, command = operands(words, command)
    parser = build_parser(only=named_command(words))
    try:
        args = settle(parser, parser.parse_args(words))
    except CommandAfterDashes:  # `ssotui export prod Admin -- aws s3 ls`
        parser.error("only `ssotui exec` takes a command after --")
    if command and args.command != "exec":
        parser.error("only `ssotui exec` takes a command after --")
    if command and dash_name(command[0]):  # `ssotui exec -- -team -Admin -- aws s3 ls`
        from tui.text import printable

        parser.error(
            f'a command to run does not begin with "-" ({printable(command[0])!r}); '
            + names_after_options("ssotui exec")
        )
    unmark(args)
    args.cmd = command
    return args


def main(argv: Sequence[str] | None = None) -> int:
    """Run ssotui; return the exit status (0 ok, 1 failure, 2 usage)."""
    if "_ARGCOMPLETE" in os.environ:  # the shell asks for completions: answer, then exit
        from tui.commands.completion import answer

        answer(build_parser())
    args = parse(sys.argv[1:] if argv is None else argv)
    from tui import debug_mode, lazy_inspect

    lazy_inspect.defer()  # before the first dataclass; not for --version, --help (no dataclass)

    debug_mode.setup(args.debug)
    try:
        from tui.workspace import Context

        context = Context.load()  # config.toml and the environment, read once
        for warning in context.settings.warnings:
            print(f"ssotui: warning: {warning}", file=sys.stderr)
        from tui.commands.resolve import offering_login
        from tui.commands.waiting import QUIET_COMMANDS, say_waiting
        from tui.store.waits import told_to

        handler = _handler(args.command)
        startup_gc.resume()  # the start is over (`run` paused the collector)
        with told_to(None if args.command in QUIET_COMMANDS else say_waiting):
            return offering_login(args, context, lambda: handler(args, context))
    except SsotuiError as exc:
        from tui.commands.resolve import said_on_the_command_line

        if not isinstance(exc, AlreadySaid):
            print(f"ssotui: {said_on_the_command_line(exc, args)}", file=sys.stderr)
        return exc.exit_code
    except KeyboardInterrupt:
        print("ssotui: interrupted", file=sys.stderr)
        return 130
    except CannotWrite as exc:  # standard output refused it: `run` says so, once
        return 1 if exc.line else 0
    except Exception as exc:  # an unexpected bug: one line, details only with --debug
        if isinstance(exc, UnicodeEncodeError) and (line := cannot_hold()):
            print(f"ssotui: {line}", file=sys.stderr)  # a name stdout cannot hold: no bug
            return 1
        if args.debug:
            import logging

            logging.getLogger("ssotui").exception("unexpected error")
        from tui.errors import unexpected_error_line

        print(unexpected_error_line(exc), file=sys.stderr)
        return 1


def run() -> None:
    """The `ssotui` program: `main`, then the end of the process, at once.

    Everything the command wrote is flushed first, and every file it wrote was complete when
    written (`tui.store.files`); what the interpreter would still do on its way out (free every
    object and module, and wait for the idle workers of a catalog fetch) changes nothing but
    the time: ~9 ms of `credential-process`, which an AWS SDK runs for every client, and ~20
    ms of a `list --refresh` (measured side by side, 11 runs each). The standard streams are
    guarded first, and what standard output refused is said last, once (`tui.std_streams`).
    Before anything is read, the process is kept out of core dumps (`tui.core_dumps`). The
    garbage collector waits until the command's work begins (`tui.startup_gc`)."""
    from tui.core_dumps import keep_out_of_core_dumps

    keep_out_of_core_dumps()
    startup_gc.pause()
    guard_standard_streams()
    try:
        status = main()
    except SystemExit as exc:  # argparse's end: `--help`, `--version`, a usage error
        status = exc.code if isinstance(exc.code, int) else 0 if exc.code is None else 1
    os._exit(finish(status))


if __name__ == "__main__":
    run()
