"""What every command starts from: the workspace of the session the user named, and `say`."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from tui.workspace import Context
    from tui.workspace.workspace import Workspace


def say(message: str) -> None:
    """One line for the user, on stderr (stdout is for what a command outputs); names from
    the service in it reach the terminal with their control characters replaced."""
    from tui.text import printable

    print(printable(message), file=sys.stderr, flush=True)


# The commands that, run on a terminal with no usable token, log in first and carry on.
# `credential-process` never prompts: the AWS SDKs run it with no one to answer.
OFFER_LOGIN = frozenset({"list", "exec", "export", "console", "write-profile", "populate"})


def offering_login(args: argparse.Namespace, context: Context, run: Callable[[], int]) -> int:
    """`run` the command; when it needs a login and a person is at the terminal, log in (as
    `ssotui login` would) and run it again. Elsewhere NotLoggedIn stays one line."""
    from tui.errors import NotLoggedIn

    try:
        return run()
    except NotLoggedIn as exc:
        at_terminal = sys.stdin.isatty() and sys.stderr.isatty()
        if args.command not in OFFER_LOGIN or not at_terminal:
            raise
        say(f"ssotui: {exc.message.split(': run')[0]}; logging in first.")
    workspace_of(args, context).log_in(no_browser=getattr(args, "no_browser", False))
    return run()


def workspace_of(args: argparse.Namespace, context: Context) -> Workspace:
    """The workspace of `--session` (or `--start-url`/`--sso-region`, or the default)."""
    return context.workspace(
        context.session(name=args.session, start_url=args.start_url, sso_region=args.sso_region)
    )
