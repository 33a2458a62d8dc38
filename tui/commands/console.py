"""`ssotui console`: the AWS console in the browser, signed in as the role."""

from __future__ import annotations

import argparse

from tui.commands.resolve import say, workspace_of
from tui.errors import SsotuiError
from tui.workspace import Context


def console(args: argparse.Namespace, context: Context) -> int:
    """Open (or print, or copy) a console sign-in URL, or the access portal's shortcut."""
    workspace = workspace_of(args, context)
    handoff = workspace.handoff
    # Checked before anything is fetched: a bad --service or --duration is usage (exit 2).
    request = handoff.console_request(
        region=args.region,
        service=args.service,
        destination=args.destination,
        duration=args.duration,
    )
    account, role = workspace.find(args.account, args.role, refresh=args.refresh)
    label = f"{account.name}/{role}"
    if args.shortcut:
        url = handoff.console_shortcut(account, role, request)
        if not args.copy:  # no secret in it: always printed, opened too unless --print
            print(url, flush=True)
            if args.print or handoff.open_in_browser(url):
                return 0
            say("No browser could be opened here: open the link above yourself.")
            return 0
    else:
        url = handoff.console_url(workspace.role_credentials(account, role), request)
    if args.print:
        print(url, flush=True)
    elif args.copy:
        backend = handoff.copy_text(url)
        say(f"Copied the console link for {label} ({backend}); it works for 15 minutes.")
    elif handoff.open_in_browser(url):
        say(f"Opened the AWS console for {label} in the browser.")
    else:
        raise SsotuiError(
            "no browser could be opened here: use `--print` or `--copy` and open the link "
            "yourself (it signs in for 15 minutes)"
        )
    return 0
