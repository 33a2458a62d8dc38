"""`ssotui` (the full-screen picker) and `ssotui demo`."""

from __future__ import annotations

import argparse
import sys
from typing import TYPE_CHECKING

from tui.errors import SsotuiError
from tui.workspace import Context

if TYPE_CHECKING:
    from tui.models import SsoSession


def picker(args: argparse.Namespace, context: Context) -> int:
    """`ssotui`: the full-screen picker; prints what the `p` action asked for after it closes.

    With no SSO session configured, it starts with a set-up form that writes one.
    """
    if not (sys.stdin.isatty() and sys.stderr.isatty()):
        raise SsotuiError(
            "the picker needs a terminal; use `ssotui list`, `ssotui export` or `ssotui exec`"
        )
    from tui.errors import ConfigError

    sessions = context.sessions()
    chosen: SsoSession | None = None
    # With no session configured at all (and none asked for), the picker starts with set-up.
    if sessions or args.session or args.start_url or args.sso_region:
        try:
            chosen = context.session(
                name=args.session, start_url=args.start_url, sso_region=args.sso_region
            )
        except ConfigError:
            if args.session or args.start_url or len(sessions) < 2:
                raise
    from tui.app import make_app

    app = make_app(
        sessions=sessions,
        session=chosen,
        open_browser=not args.no_browser,
        refresh=args.refresh,
        force=args.force,
        context=context,
    )
    result = app.run()
    if isinstance(result, str) and result:
        print(result, flush=True)
    return app.return_code or 0


def demo(args: argparse.Namespace, context: Context) -> int:
    """`ssotui demo`: the picker against the built-in simulator; touches no real AWS file."""
    if not (sys.stdin.isatty() and sys.stderr.isatty()):
        raise SsotuiError("the demo needs a terminal: run `ssotui demo` in one")
    from tui.demo import run_demo

    return run_demo(open_browser=False)
