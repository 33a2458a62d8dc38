"""`ssotui console`: the AWS console in the browser, signed in as the role."""

from __future__ import annotations

import argparse
import contextlib

from tui.commands.resolve import chosen_role, say, workspace_of
from tui.errors import ConfigError, SsotuiError, UsageError
from tui.local_time import local_time
from tui.workspace import Context


def console(args: argparse.Namespace, context: Context) -> int:
    """Open (or print, or copy) a console sign-in URL, or the access portal's shortcut.

    Without ACCOUNT/ROLE on a terminal, they are picked in the picker first."""
    if args.shortcut and args.duration is not None:
        raise UsageError(
            "--duration cannot go with --shortcut: the access portal signs in for the "
            "permission set's own session length; leave out one of them"
        )
    # Checked before anything is fetched or picked: a bad --service or --duration is usage.
    # (With no session settled yet, the picker asks for one; the request is checked after.)
    options = {"service": args.service, "destination": args.destination, "duration": args.duration}
    with contextlib.suppress(ConfigError):
        workspace_of(args, context).handoff.console_request(region=args.region, **options)
    workspace, account, role, region = chosen_role(args, context, "console")
    handoff = workspace.handoff
    note = handoff.copy_note  # what an OSC 52 copy needs inside tmux
    request = handoff.console_request(region=region, shortcut=args.shortcut, **options)
    label = f"{account.label}/{role}"
    lasts = ""  # how long the console session will last, when the credentials say it
    if args.shortcut:
        url = handoff.console_shortcut(account, role, request)
        if not args.copy:  # no secret in it: always printed, opened too unless --print
            print(url, flush=True)
            if args.print or handoff.open_in_browser(url):
                return 0
            say("No browser could be opened here: open the link above yourself.")
            return 0
    else:
        creds = workspace.role_credentials(account, role, fresh=args.refresh)
        url = handoff.console_url(creds, request)
        if args.duration is None:
            lasts = f"; the console session lasts until {local_time(creds.expiration)}"
    if args.print:
        print(url, flush=True)
    elif args.copy and args.shortcut:  # no secret, no time limit: the browser signs in
        backend = handoff.copy_console_link(url)
        say(f"Copied the access portal's shortcut link for {label} ({backend}{note(backend)}).")
    elif args.copy:
        backend = handoff.copy_console_link(url)
        say(
            f"Copied the console link for {label} ({backend}{note(backend)}); it signs in for 15 "
            f"minutes{lasts}."
        )
    elif handoff.open_in_browser(url):
        say(f"Opened the AWS console for {label} in the browser{lasts}.")
    else:
        raise SsotuiError(
            "no browser could be opened here: use `--print` or `--copy` and open the link "
            "yourself (it signs in for 15 minutes)"
        )
    return 0
