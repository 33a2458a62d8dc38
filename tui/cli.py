"""The command line: argparse, one sub-command per verb, one clear line per failure.

Imports stay lazy so `ssotui --version` and `ssotui credential-process` never load Textual,
and nothing loads boto3 before it is needed. Shell completion (`_ARGCOMPLETE` in the
environment, set by the script `ssotui completion SHELL` prints) answers from the parser and
the cached catalog and exits before anything else runs.
"""

from __future__ import annotations

import argparse
import os
import re
import sys
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any

from tui import __version__
from tui.commands.pages import PAGES, PROGRAM
from tui.errors import SsotuiError

if TYPE_CHECKING:
    from tui.workspace import Context

Handler = Callable[[argparse.Namespace, "Context"], int]

# Options every command takes, before or after its name, and their values when not given.
GLOBAL_OPTIONS: dict[str, Any] = {
    "session": None,
    "start_url": None,
    "sso_region": None,
    "debug": False,
}
# The picker's own flags; given before a command, they apply to it when it takes them.
PICKER_FLAGS: dict[str, str] = {
    "refresh": "fetch the catalog afresh",
    "no_browser": "never open a browser",
    "force": "allow `s` inside an ssotui subshell",
}
# Which of them each command takes, with what they mean there.
COMMAND_FLAGS: dict[str, dict[str, str]] = {
    "login": {
        "no_browser": "print the URL, open no browser",
        "force": "log in even if a valid token exists",
    },
    "configure": {"no_browser": "log in afterwards without opening a browser"},
    "list": {"refresh": PICKER_FLAGS["refresh"]},
    "exec": {
        "refresh": PICKER_FLAGS["refresh"],
        "no_browser": "the picker's login opens no browser (when ACCOUNT/ROLE are picked)",
        "force": "allow a subshell inside a subshell",
    },
    "console": {
        "refresh": PICKER_FLAGS["refresh"],
        "no_browser": "the picker's login opens no browser (when ACCOUNT/ROLE are picked)",
    },
    "export": {
        "refresh": PICKER_FLAGS["refresh"],
        "no_browser": "the picker's login opens no browser (when ACCOUNT/ROLE are picked)",
    },
    "credential-process": {"refresh": PICKER_FLAGS["refresh"]},
    "write-profile": {"refresh": PICKER_FLAGS["refresh"]},
}
_REGION = re.compile(r"^[a-z]{2}(-[a-z]+)+-\d{1,2}$")


def _region(text: str) -> str:
    """An AWS region name, checked for its shape (`eu-west-1`, `us-gov-west-1`)."""
    if not _REGION.match(text):
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


_BEFORE = "before_"  # the dest prefix of an option given before the command


def _global_options(parser: argparse.ArgumentParser, *, before: bool = False) -> None:
    """The session options and --debug (`before`: the program's own, kept apart until
    `settle` merges them with the command's)."""
    group = parser.add_argument_group("session (before or after the command)")
    prefix = _BEFORE if before else ""
    quiet = argparse.SUPPRESS
    _completes(
        group.add_argument(
            "--session",
            dest=prefix + "session",
            metavar="NAME",
            default=quiet,
            help="the [sso-session NAME] of the AWS config file",
        ),
        "session",
    )
    group.add_argument(
        "--start-url",
        dest=prefix + "start_url",
        metavar="URL",
        default=quiet,
        help="an ad hoc start URL (nothing written); https:// is added when missing",
    )
    group.add_argument(
        "--sso-region",
        dest=prefix + "sso_region",
        metavar="REGION",
        default=quiet,
        help="the SSO region of --start-url",
    )
    group.add_argument(
        "--debug",
        dest=prefix + "debug",
        action="store_true",
        default=quiet,
        help="log details, and each portal call (secrets redacted)",
    )


def _command(sub: Any, name: str, **kwargs: Any) -> argparse.ArgumentParser:
    """A sub-command with its -h page (tui.commands.pages), the global options, its flags."""
    page = PAGES[name]
    parser: argparse.ArgumentParser = sub.add_parser(
        name,
        help=page.summary,
        description=page.does,
        epilog=page.epilog,
        formatter_class=argparse.RawDescriptionHelpFormatter,
        **kwargs,
    )
    _global_options(parser)
    for flag, meaning in COMMAND_FLAGS.get(name, {}).items():
        parser.add_argument(
            "--" + flag.replace("_", "-"),
            action="store_true",
            default=argparse.SUPPRESS,
            help=meaning,
        )
    return parser


def _selection(parser: argparse.ArgumentParser, *, picked: bool = False) -> None:
    """ACCOUNT and ROLE; `picked`: both may be left out, to be picked in the picker."""
    if picked:
        account_help = "account id, name, or a unique part (left out: pick in the picker)"
        role_help = "role name (left out: pick in the picker)"
    else:
        account_help = "account id, name, or a unique part"
        role_help = "role name (case-insensitive if unique)"
    nargs = "?" if picked else None
    _completes(
        parser.add_argument("account", metavar="ACCOUNT", nargs=nargs, help=account_help),
        "account",
    )
    _completes(parser.add_argument("role", metavar="ROLE", nargs=nargs, help=role_help), "role")


def _region_option(parser: argparse.ArgumentParser, meaning: str) -> None:
    parser.add_argument("--region", metavar="R", type=_region, help=meaning)


def build_parser() -> argparse.ArgumentParser:
    """The whole command-line contract (README "Use")."""
    parser = argparse.ArgumentParser(
        prog="ssotui",
        description=PROGRAM.does,
        epilog=PROGRAM.epilog,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--version", action="version", version=f"ssotui {__version__}")
    _global_options(parser, before=True)
    picker = parser.add_argument_group("the picker (or a command that takes them)")
    for flag, meaning in PICKER_FLAGS.items():
        picker.add_argument(
            "--" + flag.replace("_", "-"),
            dest=_BEFORE + flag,
            action="store_true",
            default=argparse.SUPPRESS,
            help=meaning,
        )
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    credentials_region = "the region that goes with the credentials (AWS_REGION, profile)"

    _command(sub, "demo")
    _command(sub, "login")
    p = _command(sub, "logout")
    p.add_argument(
        "--purge",
        action="store_true",
        help="also remove every profile ssotui wrote to the shared credentials file",
    )
    p = _command(sub, "list")
    p.add_argument("--json", action="store_true", help="a JSON array, sorted by account and role")

    p = _command(sub, "exec", usage="%(prog)s [options] [ACCOUNT [ROLE]] [-- CMD ARGS...]")
    _selection(p, picked=True)
    _region_option(p, credentials_region)
    p.add_argument(
        "--renew",
        action="store_true",
        help="credentials that renew themselves: a loopback endpoint instead of static keys",
    )

    p = _command(sub, "console")
    _selection(p, picked=True)
    where = p.add_mutually_exclusive_group()
    where.add_argument("--service", metavar="S", help="console service to open, e.g. s3, ec2")
    where.add_argument("--destination", metavar="URL", help="an https console URL to open")
    _region_option(p, "the console's region")
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

    p = _command(sub, "export")
    _selection(p, picked=True)
    p.add_argument(
        "--format",
        choices=["sh", "fish", "powershell", "json"],
        help="default: from $SHELL (fish, pwsh/powershell, else sh)",
    )
    p.add_argument("--copy", action="store_true", help="copy to the clipboard instead of printing")
    _region_option(p, credentials_region)

    p = _command(sub, "credential-process")
    _selection(p)
    _region_option(p, "ignored by credential_process; accepted like the other commands")

    p = _command(sub, "write-profile")
    _selection(p)
    p.add_argument(
        "--profile",
        metavar="NAME",
        help="profile name (default: ACCOUNTNAME.ROLE, sanitised, e.g. acme-prod.ReadOnlyAccess)",
    )
    _region_option(p, "a `region` line in the profile")

    p = _command(sub, "populate")
    p.add_argument("--dry-run", action="store_true", help="print the diff, change nothing")
    p.add_argument("--prefix", default="", metavar="P", help="put P before every profile name")
    _region_option(p, "a `region` for every profile")

    p = _command(sub, "configure")
    p.add_argument("--no-login", action="store_true", help="do not log in afterwards")

    _command(sub, "config")
    _command(sub, "doctor")
    p = _command(sub, "completion")
    p.add_argument("shell", choices=["bash", "zsh", "fish"], help="the shell to complete in")
    return parser


def settle(parser: argparse.ArgumentParser, args: argparse.Namespace) -> argparse.Namespace:
    """Merge the options given before the command with the command's own (given after, they
    win) and give every option not given its value. A picker flag given before a command that
    does not take it is a usage error: it would otherwise be silently ignored."""
    takes = COMMAND_FLAGS.get(args.command, {}) if args.command else PICKER_FLAGS
    for flag in PICKER_FLAGS:
        if hasattr(args, _BEFORE + flag) and flag not in takes:
            option = "--" + flag.replace("_", "-")
            parser.error(f"{option} does not apply to `ssotui {args.command}`")
    defaults = {**GLOBAL_OPTIONS, **dict.fromkeys(PICKER_FLAGS, False)}
    for name, default in defaults.items():
        before = vars(args).pop(_BEFORE + name, None)
        after = getattr(args, name, None)
        setattr(args, name, after if after not in (None, False) else (before or default))
    return args


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


def parse(argv: Sequence[str]) -> argparse.Namespace:
    """The command line as a namespace with every option set (`cmd`: the words after `--`)."""
    parser = build_parser()
    words = list(argv)
    # Everything after `--` is the command for `exec`; argparse never sees it.
    command: list[str] = []
    if "--" in words:
        cut = words.index("--")
        words, command = words[:cut], words[cut + 1 :]
    args = settle(parser, parser.parse_args(words))
    if command and args.command != "exec":
        parser.error("only `ssotui exec` takes a command after --")
    args.cmd = command
    return args


def main(argv: Sequence[str] | None = None) -> int:
    """Run ssotui; return the exit status (0 ok, 1 failure, 2 usage)."""
    if "_ARGCOMPLETE" in os.environ:  # the shell asks for completions: answer, then exit
        from tui.commands.completion import answer

        answer(build_parser())
    args = parse(sys.argv[1:] if argv is None else argv)
    from tui import logs

    logs.setup(args.debug)
    try:
        from tui.workspace import Context

        context = Context.load()  # config.toml and the environment, read once
        for warning in context.settings.warnings:
            print(f"ssotui: warning: {warning}", file=sys.stderr)
        return _handler(args.command)(args, context)
    except SsotuiError as exc:
        from tui.commands.resolve import said_on_the_command_line

        print(f"ssotui: {said_on_the_command_line(exc, args)}", file=sys.stderr)
        return exc.exit_code
    except KeyboardInterrupt:
        print("ssotui: interrupted", file=sys.stderr)
        return 130
    except Exception as exc:  # an unexpected bug: one line, details only with --debug
        if args.debug:
            import logging

            logging.getLogger("ssotui").exception("unexpected error")
        print(
            f"ssotui: unexpected error ({type(exc).__name__}); run again with --debug for details",
            file=sys.stderr,
        )
        return 1


def run() -> None:
    """The `ssotui` program: `main`, then exit without a last garbage collection.

    Everything still alive is freed by the exit anyway; sparing the interpreter's final
    collection over it saves ~25 ms per run, which `credential-process` pays on every AWS call.
    """
    status = main()
    import gc

    gc.freeze()
    raise SystemExit(status)


if __name__ == "__main__":
    run()
