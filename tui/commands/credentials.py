"""`exec`, `export`, `credential-process`, `write-profile`: role credentials handed on."""

from __future__ import annotations

import argparse
import sys

from tui.commands.resolve import say, workspace_of
from tui.workspace import Context


def exec_command(args: argparse.Namespace, context: Context) -> int:
    """`ssotui exec`: run CMD (or $SHELL) with the credentials; exit with its status."""
    from tui.export.subshell import run

    workspace = workspace_of(args, context)
    command = args.cmd or None
    if not args.renew:
        creds = workspace.credentials_for(args.account, args.role, refresh=args.refresh)
        return run(workspace.handoff.subshell(creds, command, force=args.force)).status
    account, role = workspace.find(args.account, args.role, refresh=args.refresh)
    with workspace.credential_endpoint(account, role) as endpoint:
        creds = endpoint.credentials()  # a lost login fails here, before the child starts
        plan = workspace.handoff.subshell(
            creds, command, force=args.force, endpoint=endpoint.environment()
        )
        return run(plan).status


def export(args: argparse.Namespace, context: Context) -> int:
    """`ssotui export`: print or copy the credentials in the user's shell format."""
    workspace = workspace_of(args, context)
    creds = workspace.credentials_for(args.account, args.role, refresh=args.refresh)
    fmt = workspace.handoff.export_format(args.format)
    if args.copy:
        backend = workspace.handoff.copy_exports(creds, fmt)
        say(f"Copied {fmt} export lines for {creds.account.name}/{creds.role_name} ({backend}).")
    else:
        sys.stdout.write(workspace.handoff.export_text(creds, fmt))
    return 0


def credential_process(args: argparse.Namespace, context: Context) -> int:
    """`ssotui credential-process`: the JSON the AWS SDKs read; never prompts."""
    workspace = workspace_of(args, context)
    creds = workspace.credentials_for(args.account, args.role, refresh=args.refresh)
    sys.stdout.write(workspace.handoff.export_text(creds, "json"))
    return 0


def write_profile(args: argparse.Namespace, context: Context) -> int:
    """`ssotui write-profile`: one profile of the shared credentials file, in place."""
    workspace = workspace_of(args, context)
    creds = workspace.credentials_for(args.account, args.role, refresh=args.refresh)
    name, path = workspace.handoff.write_profile(creds, args.profile, force=args.force)
    say(
        f"Wrote profile [{name}] to {path} "
        f"(expires {creds.expiration:%Y-%m-%d %H:%M:%S} UTC); use it with AWS_PROFILE={name}."
    )
    return 0
