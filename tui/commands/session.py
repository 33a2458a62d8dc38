"""`ssotui login`, `ssotui logout` and `ssotui list`: the session and what it reaches."""

from __future__ import annotations

import argparse
import contextlib
import json
import signal
import sys
from collections.abc import Iterator
from typing import TYPE_CHECKING

from tui.commands.resolve import say, workspace_of
from tui.commands.terminal import on_a_terminal
from tui.errors import SsotuiError
from tui.local_time import local_time
from tui.std_streams import errors_refused
from tui.workspace import Context

if TYPE_CHECKING:
    from tui.aws.browser_login import BrowserAuthorization
    from tui.models import Account


NAME_COLUMN = 64  # cells of the account name column of `list`, at most
CODE_NOT_SHOWN = (
    "standard error refused the device code, so nobody can approve this login: "
    "run `ssotui login` with standard error on a terminal or a file you can read"
)


def login(args: argparse.Namespace, context: Context) -> int:
    """`ssotui login`: in the browser (PKCE), or with a device code; what to do on stderr."""
    from tui.aws.browser_login import BrowserAuthorization
    from tui.aws.login import DeviceAuthorization
    from tui.aws.login_flows import LoginEvent, WaitingForOtherLogin, print_event

    # a login ran: the user was asked to approve one here, or another ssotui logged in
    asked: list[LoginEvent] = []

    def announce(event: LoginEvent) -> None:
        if isinstance(event, DeviceAuthorization | BrowserAuthorization | WaitingForOtherLogin):
            asked.append(event)
        refused = errors_refused()
        print_event(event)
        # The code reached no one, and no page opened with it: nobody can approve the login.
        shown = errors_refused() == refused
        if isinstance(event, DeviceAuthorization) and not shown and not event.browser_opens:
            raise SsotuiError(CODE_NOT_SHOWN)
        if isinstance(event, BrowserAuthorization) and not on_a_terminal():
            say(_waiting_without_a_terminal(event))

    workspace = workspace_of(args, context)
    try:
        with _sigterm_ends_it_as_ctrl_c_does():
            token = workspace.log_in(
                use_device_code=args.use_device_code,
                no_browser=args.no_browser,
                force=args.force,
                announce=announce,
            )
    except _Terminated as stop:
        return stop.status
    label, until = workspace.session.label, local_time(token.expires_at)
    if asked:
        say(f"Logged in to {label} until {until}.")
    else:
        say(f"Already logged in to {label} until {until}; `ssotui login --force` logs in again.")
    return 0


class _Terminated(BaseException):
    """SIGTERM during a login: a BaseException, so that no `except Exception` on the way keeps
    the login going, and every `finally` runs, as for Ctrl-C's KeyboardInterrupt."""

    def __init__(self, signum: int) -> None:
        super().__init__(signum)
        self.status = 128 + signum  # what a shell shows for a process the signal ended


@contextlib.contextmanager
def _sigterm_ends_it_as_ctrl_c_does() -> Iterator[None]:
    """`kill PID` (which the line of a login without a terminal advises), `timeout` or a CI
    runner's stop ends the login through its clean-up, as Ctrl-C does: a browser registration
    the browser never came back with is dropped, so the next login registers afresh instead of
    leading to the same error page (the service may no longer know the client)."""

    def stop(signum: int, _frame: object) -> None:
        raise _Terminated(signum)

    previous = signal.signal(signal.SIGTERM, stop)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)


def _waiting_without_a_terminal(event: BrowserAuthorization) -> str:
    """The line a browser login run from a script (cron, CI, a pipe) adds: it waits, as the AWS
    CLI does, for a browser that may never call back, so say until when and how to stop it."""
    import os

    from tui.durations import time_left

    until = f"{local_time(event.expires_at)} ({time_left(event.expires_at)})"
    return (
        f"No terminal here: waiting for the browser until {until}, then giving up; stop "
        f"sooner with Ctrl-C or `kill {os.getpid()}`. Unattended, `ssotui login "
        "--use-device-code` prints a code to approve from any device instead."
    )


def logout(args: argparse.Namespace, context: Context) -> int:
    """`ssotui logout`: revoke the token, then delete it, the catalog cache, the kept role
    credentials and those the AWS CLI cached for the session's roles. Exit 1 when something
    stayed: a file, or the token's validity at Identity Center (not revoked there)."""
    workspace = workspace_of(args, context)
    report = workspace.log_out(purge=args.purge)
    for line in report.lines(workspace.session.label, purge=args.purge):
        say(line)
    return 1 if report.failed() else 0


def list_roles(args: argparse.Namespace, context: Context) -> int:
    """`ssotui list`: every (account, role) pair, as text or JSON; while the catalog is
    fetched, a progress line on stderr when that is a terminal. When Identity Center cannot be
    reached to bring a cached catalog up to date, that catalog and a warning line (exit 0)."""
    workspace = workspace_of(args, context)
    if sys.stderr.isatty():
        from tui.commands.progress import CatalogProgress

        with CatalogProgress() as progress:
            answer = workspace.catalog_to_show(refresh=args.refresh, on_event=progress)
    else:
        answer = workspace.catalog_to_show(refresh=args.refresh)
    catalog = answer.catalog
    pairs = catalog.pairs()
    if args.json:
        rows = [
            {
                "accountId": a.account_id,
                "accountName": a.name,
                "emailAddress": a.email,
                "roleName": role,
            }
            for a, role in pairs
        ]
        from tui.text import utf8_json

        print(utf8_json(json.dumps(rows, indent=2, ensure_ascii=False)))
    else:
        from tui.text import cell_width, printable

        # Names from the service are cleaned for the terminal and lined up in cells (CJK is 2);
        # each account's name is cleaned and measured once, however many roles it has. A name
        # wider than NAME_COLUMN (AWS allows 50 characters) is shown whole on its own rows,
        # rather than padding every row of the list past the edge of the terminal.
        labels = {a.account_id: printable(a.label) for a, _ in pairs}
        cells = {key: cell_width(label) for key, label in labels.items()}
        width = min(max(cells.values(), default=0), NAME_COLUMN)
        shown = {
            key: f"{printable(key)}  {label}{' ' * max(0, width - cells[key])}  "
            for key, label in labels.items()
        }
        sys.stdout.write("".join(f"{shown[a.account_id]}{printable(r)}\n" for a, r in pairs))
    if answer.unreached:  # offline, say: the cached catalog rather than nothing
        from tui import durations

        # not "could not be reached": the why may be a refusal (a listing's page refused twice)
        say(
            f"ssotui: warning: the catalog could not be brought up to date ({answer.unreached}); "
            f"showing the catalog cached {durations.age(catalog.fetched_at)}"
        )
    # Identity Center's answers, not failures: one line each (refused accounts exit 0)
    _warn_of(
        catalog.refused_accounts(),
        "Identity Center refused to list the roles of {}",
        "left out until a refresh lists them",
    )
    incomplete = catalog.incomplete_accounts()  # a listing that went round: what it gave
    _warn_of(
        incomplete,
        "Identity Center repeated a page of the roles of {}: each shows the roles listed before it",
        "run `ssotui list --refresh` later",
    )
    if catalog.accounts_cut:
        say(f"ssotui: warning: {catalog.accounts_cut}")
    failed = sorted(catalog.failed.items())
    if failed:  # one line, however many accounts failed
        from tui.text import some_of

        ids = some_of([account_id for account_id, _ in failed], 3)
        which = f"account {ids}" if len(failed) == 1 else f"{len(failed)} accounts ({ids})"
        say(
            f"ssotui: the roles of {which} could not be listed ({failed[0][1]}); "
            "run `ssotui list` again to retry"
        )
    # a list known to lack accounts or roles is not a whole answer, for a script either
    return 1 if failed or incomplete or catalog.accounts_cut else 0


def _warn_of(accounts: list[tuple[Account, str]], many: str, then: str) -> None:
    """One warning line for accounts Identity Center answered for (each with its note): the one
    account and its note, or `many` naming how many."""
    if not accounts:
        return
    from tui.text import printable
    from tui.workspace.catalog import accounts_named

    named = accounts_named(accounts)
    what = f"{named}: {printable(accounts[0][1])}" if len(accounts) == 1 else many.format(named)
    say(f"ssotui: warning: {what}; {then}")
