"""What every command starts from: the workspace of the session the user named, the role it
acts on (typed, or picked in the picker), and how a message is said on the command line."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from typing import TYPE_CHECKING, NamedTuple

from tui.commands.terminal import on_a_terminal, picker_can_open
from tui.errors import Ambiguous, SsotuiError, UsageError

if TYPE_CHECKING:
    from tui.models import Account, SsoSession
    from tui.workspace import Context
    from tui.workspace.workspace import Workspace


class Chosen(NamedTuple):
    """The role a command acts on: its session's workspace, the account, the role, and the
    region for its credentials (None: the session's default region, if any)."""

    workspace: Workspace
    account: Account
    role: str
    region: str | None = None


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
        if args.command not in OFFER_LOGIN or not on_a_terminal():
            raise
        say(f"ssotui: {exc.message.split(': run')[0]}; logging in first.")
    workspace_of(args, context).log_in(
        use_device_code=args.use_device_code, no_browser=args.no_browser
    )
    return run()


def workspace_of(args: argparse.Namespace, context: Context) -> Workspace:
    """The workspace of `--session` (or `--start-url`/`--sso-region`, or the default)."""
    return context.workspace(
        context.session(name=args.session, start_url=args.start_url, sso_region=args.sso_region)
    )


def chosen_role(args: argparse.Namespace, context: Context, action: str) -> Chosen:
    """The session, account, role and region `ssotui ACTION` acts on.

    ACCOUNT and ROLE as typed; on a terminal, when either is left out or ACCOUNT matches
    several accounts, the ones picked in the picker (opened filtered to ACCOUNT). Without a
    terminal both are needed (usage error). Quitting the picker ends the command (exit 130);
    a signal that ends the picker ends it with the signal's status (SIGTERM: 143).
    The region is `--region`, else the one the picker showed, else the session's rule.
    A role picked once is the one acted on when the command runs again (after the login
    `offering_login` offers): the picker does not ask a second time.
    """
    picked = getattr(args, "picked", None)  # a `Picked` (tui/app/pick.py), before a login
    if picked is None:
        if args.account is not None and args.role is not None:
            workspace = workspace_of(args, context)
            try:
                account, role = workspace.find(args.account, args.role, refresh=args.refresh)
                return Chosen(workspace, account, role, args.region)
            except Ambiguous:
                if not picker_can_open(context):
                    raise
        elif not picker_can_open(context):
            raise UsageError(
                f"`ssotui {action}` needs ACCOUNT and ROLE when there is no terminal to pick "
                f"them in: ssotui {action} ACCOUNT ROLE"
            )
        from tui.commands.picker import pick_role

        picked = pick_role(args, context, pick_for=action, initial_filter=args.account)
        if picked is None:
            raise SsotuiError("nothing picked; nothing done", exit_code=130)
        _name_the_session(args, context, picked.session)
        args.picked = picked
    # The role picked, in a workspace of its session made now (a login may be new).
    return Chosen(
        context.workspace(picked.session), picked.account, picked.role, args.region or picked.region
    )


def _name_the_session(args: argparse.Namespace, context: Context, session: SsoSession) -> None:
    """After the picker: when the session picked in (chosen there, or switched to with ctrl+s)
    is not the one the session options lead to, they name it from now on, so that the advice
    of a failure (`ssotui login --session NAME`) and a login offered reach the session the
    command used, not the one typed."""
    from tui.workspace.advice import same_session

    try:
        typed: SsoSession | None = context.session(
            name=args.session, start_url=args.start_url, sso_region=args.sso_region
        )
    except SsotuiError:  # none decides (several sessions): the picker asked
        typed = None
    if typed is not None and same_session(typed, session):
        return
    from tui.aws.session_choice import name_for

    if (name := name_for(context.paths, session)) is not None:  # (a legacy profile's too)
        args.session, args.start_url, args.sso_region = name, None, None
    else:  # `--start-url`'s: the same token cache
        args.session, args.start_url, args.sso_region = None, session.start_url, session.region


def said_on_the_command_line(error: SsotuiError, args: argparse.Namespace) -> str:
    """The error's line, its advice carrying the session options the user typed."""
    return advice_on_the_command_line(error.message, args)


def advice_on_the_command_line(message: str, args: argparse.Namespace) -> str:
    """`message` (an error's line), its advice carrying the session options the user typed."""
    from tui.workspace.advice import for_the_command_line, session_options

    options = session_options(
        session=getattr(args, "session", None),
        start_url=getattr(args, "start_url", None),
        sso_region=getattr(args, "sso_region", None),
    )
    return for_the_command_line(message, options)


def advice_in_the_child(workspace: Workspace, args: argparse.Namespace) -> Callable[[str], str]:
    """How `exec --renew`'s command is told what to do (`tui.workspace.advice.in_a_child`): with
    the session options typed, which name the workspace's session."""
    from tui.workspace.advice import in_a_child, session_options

    typed = session_options(
        session=args.session, start_url=args.start_url, sso_region=args.sso_region
    )
    return in_a_child(
        workspace.session,
        settings=workspace.settings,
        environ=workspace.environ,
        paths=workspace.paths,
        typed=typed,
    )
