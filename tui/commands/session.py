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
from tui.text import counted
from tui.workspace import Context

if TYPE_CHECKING:
    from tui.aws.browser_login import BrowserAuthorization
    from tui.models import Account
    from tui.workspace.logout_report import LogoutReport


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


def _logged_out(report: LogoutReport, label: str) -> str:
    """What `logout` did, in one line; a repeated logout says there was nothing to do. Empty
    when it did nothing because a cached token is in the way (`token_problem` says so)."""
    deleted = [
        what
        for what, done in (
            ("cached token", report.token_deleted),
            ("catalog", report.catalog_deleted),
            ("kept role credentials", report.credentials_deleted > 0),
        )
        if done
    ]
    if not (deleted or report.revoked or report.problem):
        if report.token_problem:
            return ""  # the line that says what is in the way is all there is to say
        return f"Not logged in to {label}: there was no cached token or catalog to delete."
    if report.revoked:
        revoked = "token revoked, "
    elif report.problem:
        if report.refresh_token_only:  # its access token had expired; the sign-in had not
            stays = "its refresh token stays valid at Identity Center until the sign-in ends"
        elif report.token_expires:
            stays = f"it stays valid at Identity Center until {local_time(report.token_expires)}"
        else:
            stays = "it stays valid at Identity Center"
        from tui.workspace.advice import without_retrying

        # deleted here, the token cannot be sent again: no "try again later" in its line
        problem = without_retrying(report.problem) if report.token_deleted else report.problem
        revoked = f"could not revoke the token ({problem}): {stays}; "
    else:
        revoked = ""
    listed = (
        ", ".join(deleted[:-1]) + " and " + deleted[-1] if len(deleted) > 1 else "".join(deleted)
    )
    stayed = report.token_problem or report.cache_problem  # said on a line of its own
    gone = (
        f"{listed} deleted"
        if deleted
        else "nothing deleted"
        if stayed
        else "nothing cached to delete"
    )
    return f"Logged out of {label}: {revoked}{gone}."


def _cli_cache_left(report: LogoutReport) -> str:
    """The one line for role credentials of the AWS CLI's cache that could not be deleted, or
    for a cache folder that could not be looked in."""
    if not report.cli_credentials_failed:
        (folder, why), *_ = report.cli_folders_unsearched
        return (
            f"ssotui: could not look in {folder} ({why}) for role credentials the AWS CLI "
            "cached for this session, usable until they expire: let yourself read it and "
            "delete them by hand, or run `aws sso logout` (it deletes every session's)"
        )
    (path, why), *more = report.cli_credentials_failed
    others = f" and {len(more)} more there" if more else ""
    return (
        f"ssotui: could not delete {path}{others} ({why}): role credentials the AWS CLI cached "
        "for this session, usable until they expire; delete the file by hand"
    )


def logout(args: argparse.Namespace, context: Context) -> int:
    """`ssotui logout`: revoke the token, then delete it, the catalog cache, the kept role
    credentials and those the AWS CLI cached for the session's roles. Exit 1 when something
    stayed: a file, or the token's validity at Identity Center (not revoked there)."""
    workspace = workspace_of(args, context)
    report = workspace.log_out(purge=args.purge)
    if logged_out := _logged_out(report, workspace.session.label):
        say(logged_out)
    if report.cli_credentials_deleted:
        say(
            f"Removed {counted(report.cli_credentials_deleted, 'file')} of role credentials "
            "the AWS CLI cached for this session."
        )
    if report.purge_problem:
        say(f"ssotui: the profiles ssotui wrote were not removed: {report.purge_problem}")
    elif args.purge:
        purged = counted(len(report.purged), "profile")
        say(f"Removed {purged} ssotui wrote to the credentials file.")
    if report.token_problem:  # still there, and usable by any tool that reads it
        say(f"ssotui: {report.token_problem}")
    if report.cache_problem:
        say(f"ssotui: {report.cache_problem}")
    if report.purge_problem or report.token_problem or report.cache_problem:
        return 1
    if report.cli_credentials_failed or report.cli_folders_unsearched:
        say(_cli_cache_left(report))
        return 1
    # Not revoked (offline, 5xx, throttled): the token stays good at Identity Center until it
    # expires, for anyone who copied it, though every local copy is gone (the line says until
    # when). A token already dead there is no failure: `problem` is empty then.
    return 1 if report.problem and not report.revoked else 0


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
        from tui.text import cell_width, pad, printable

        # Names from the service are cleaned for the terminal and lined up in cells (CJK is 2);
        # each account's name is measured once, however many roles it has. A name wider than
        # NAME_COLUMN (AWS allows 50 characters) is shown whole on its own rows, rather than
        # padding every row of the list past the edge of the terminal.
        listed = {a.account_id: a for a, _ in pairs}
        width = min(max((cell_width(a.label) for a in listed.values()), default=0), NAME_COLUMN)
        shown = {key: f"{printable(key)}  {pad(a.label, width)}  " for key, a in listed.items()}
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
