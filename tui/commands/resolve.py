"""What every command starts from: the workspace of the session the user named, and `say`."""

from __future__ import annotations

import argparse
import sys
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from tui.workspace import Context
    from tui.workspace.workspace import Workspace


def say(message: str) -> None:
    """One line for the user, on stderr (stdout is for what a command outputs); names from
    the service in it reach the terminal with their control characters replaced."""
    from tui.text import printable

    print(printable(message), file=sys.stderr, flush=True)


def workspace_of(args: argparse.Namespace, context: Context) -> Workspace:
    """The workspace of `--session` (or `--start-url`/`--sso-region`, or the default)."""
    return context.workspace(
        context.session(name=args.session, start_url=args.start_url, sso_region=args.sso_region)
    )
