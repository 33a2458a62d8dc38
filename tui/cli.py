"""The command line: argparse, one sub-command per verb, one clear line per failure.

Imports stay lazy so `ssotui --version` and `ssotui credential-process` never load Textual,
and nothing loads boto3 before it is needed.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING

from tui import __version__
from tui.errors import SsotuiError

if TYPE_CHECKING:
    from tui.workspace import Context

Handler = Callable[[argparse.Namespace, "Context"], int]


def _session_options() -> argparse.ArgumentParser:
    common = argparse.ArgumentParser(add_help=False)
    group = common.add_argument_group("session")
    group.add_argument(
        "--session", metavar="NAME", help="the [sso-session NAME] of the AWS config file"
    )
    group.add_argument("--start-url", metavar="URL", help="an ad hoc start URL (nothing written)")
    group.add_argument("--sso-region", metavar="REGION", help="the SSO region of --start-url")
    common.add_argument("--debug", action="store_true", help="log details (secrets redacted)")
    return common


def _selection(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("account", metavar="ACCOUNT", help="account id, name, or a unique part")
    parser.add_argument("role", metavar="ROLE", help="role name (case-insensitive if unique)")
    parser.add_argument(
        "--refresh", action="store_true", help="fetch the catalog and the credentials afresh"
    )


def build_parser() -> argparse.ArgumentParser:
    """The whole command-line contract (README "Use")."""
    common = _session_options()
    parser = argparse.ArgumentParser(
        prog="ssotui",
        parents=[common],
        description="Pick an AWS account and role from IAM Identity Center and use it.",
        epilog="With no command: the full-screen picker. `ssotui COMMAND --help` for details.",
    )
    parser.add_argument("--version", action="version", version=f"ssotui {__version__}")
    parser.add_argument("--refresh", action="store_true", help="fetch the catalog afresh")
    parser.add_argument("--no-browser", action="store_true", help="never open a browser")
    parser.add_argument("--force", action="store_true", help="allow `s` inside an ssotui subshell")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")

    sub.add_parser(
        "demo", parents=[common], help="the picker against a built-in simulator (no AWS needed)"
    )

    p = sub.add_parser(
        "login",
        parents=[common],
        help="log in: in the browser (PKCE), or with a device code",
        description="Log in to the session's IAM Identity Center, as `aws sso login` does: in "
        "the browser by default, with a device code over SSH, with --use-device-code or "
        "--no-browser. The token is shared with the AWS CLI.",
        epilog="examples: ssotui login | ssotui login --use-device-code --session work",
    )
    p.add_argument(
        "--use-device-code", action="store_true", help="log in with a code to enter on any device"
    )
    p.add_argument(
        "--no-browser", action="store_true", help="open no browser: a device code to enter"
    )
    p.add_argument("--force", action="store_true", help="log in even if a valid token exists")

    p = sub.add_parser(
        "logout", parents=[common], help="revoke the token, delete it and the catalog cache"
    )
    p.add_argument(
        "--purge",
        action="store_true",
        help="also remove every profile ssotui wrote to the shared credentials file",
    )

    p = sub.add_parser("list", parents=[common], help="every (account, role) pair")
    p.add_argument("--json", action="store_true", help="a JSON array, sorted by account and role")
    p.add_argument("--refresh", action="store_true", help="fetch the catalog afresh")

    p = sub.add_parser(
        "exec",
        parents=[common],
        help="run a command (default: $SHELL) with role credentials",
        usage="ssotui exec ACCOUNT ROLE [--renew] [--force] [-- CMD ARGS...]",
        description="Run CMD (default: your shell) with the role's credentials in its "
        "environment; exit with its status.",
        epilog="examples: ssotui exec prod Admin -- aws s3 ls | "
        "ssotui exec --renew prod Admin -- terraform apply",
    )
    _selection(p)
    p.add_argument("--force", action="store_true", help="allow a subshell inside a subshell")
    p.add_argument(
        "--renew",
        action="store_true",
        help="credentials that renew themselves: a loopback endpoint instead of static keys",
    )

    p = sub.add_parser(
        "console",
        parents=[common],
        help="open the AWS console in the browser, signed in as the role",
        description="Sign in to the AWS console as the role: opens the browser, or prints or "
        "copies the sign-in link (a secret for 15 minutes).",
        epilog="examples: ssotui console prod Admin --service s3 | "
        "ssotui console 123456789012 ReadOnly --print",
    )
    _selection(p)
    where = p.add_mutually_exclusive_group()
    where.add_argument("--service", metavar="S", help="console service to open, e.g. s3, ec2")
    where.add_argument("--destination", metavar="URL", help="an https console URL to open")
    p.add_argument("--region", metavar="R", help="the console's region")
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

    p = sub.add_parser("export", parents=[common], help="print (or copy) the credentials")
    _selection(p)
    p.add_argument(
        "--format",
        choices=["sh", "fish", "powershell", "json"],
        help="default: from $SHELL (fish, pwsh/powershell, else sh)",
    )
    p.add_argument("--copy", action="store_true", help="copy to the clipboard instead of printing")

    p = sub.add_parser(
        "credential-process",
        parents=[common],
        help="credential_process JSON for ~/.aws/config; never prompts",
    )
    _selection(p)

    p = sub.add_parser(
        "write-profile",
        parents=[common],
        help="write the credentials to a profile of the shared credentials file",
    )
    _selection(p)
    p.add_argument(
        "--profile",
        metavar="NAME",
        help="profile name (default: ACCOUNTNAME.ROLE, sanitised, e.g. acme-prod.ReadOnlyAccess)",
    )
    p.add_argument(
        "--force",
        action="store_true",
        help="overwrite the profile even when it holds long-lived keys",
    )

    p = sub.add_parser(
        "populate",
        parents=[common],
        help="write SSO profiles for every reachable role into the AWS config file",
    )
    p.add_argument("--dry-run", action="store_true", help="print the diff, change nothing")
    p.add_argument("--prefix", default="", metavar="P", help="put P before every profile name")
    p.add_argument("--region", metavar="R", help="a `region` for every profile")

    p = sub.add_parser(
        "configure", parents=[common], help="add an [sso-session] to the AWS config file"
    )
    p.add_argument("--no-login", action="store_true", help="do not log in afterwards")

    sub.add_parser("config", parents=[common], help="print ssotui's paths and effective settings")
    sub.add_parser("doctor", parents=[common], help="check the set-up; exit 1 if something fails")
    return parser


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
}


def _handler(command: str | None) -> Handler:
    import importlib

    module, function = _COMMANDS[command].split(":")
    handler: Handler = getattr(importlib.import_module(f"tui.commands.{module}"), function)
    return handler


def main(argv: Sequence[str] | None = None) -> int:
    """Run ssotui; return the exit status (0 ok, 1 failure, 2 usage)."""
    parser = build_parser()
    words = list(sys.argv[1:] if argv is None else argv)
    # Everything after `--` is the command for `exec`; argparse never sees it.
    command: list[str] = []
    if "--" in words:
        cut = words.index("--")
        words, command = words[:cut], words[cut + 1 :]
    args = parser.parse_args(words)
    if command and args.command != "exec":
        parser.error("only `ssotui exec` takes a command after --")
    args.cmd = command
    from tui import logs

    logs.setup(args.debug)
    try:
        from tui.workspace import Context

        context = Context.load()  # config.toml and the environment, read once
        for warning in context.settings.warnings:
            print(f"ssotui: warning: {warning}", file=sys.stderr)
        from tui.commands.resolve import offering_login

        handler = _handler(args.command)
        return offering_login(args, context, lambda: handler(args, context))
    except SsotuiError as exc:
        print(f"ssotui: {exc.message}", file=sys.stderr)
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
