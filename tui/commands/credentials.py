"""`exec`, `export`, `credential-process`, `write-profile`: role credentials handed on."""

from __future__ import annotations

import argparse
import sys

from tui.commands.resolve import (
    advice_in_the_child,
    advice_on_the_command_line,
    chosen_role,
    say,
    workspace_of,
)
from tui.local_time import local_time
from tui.workspace import Context


def exec_command(args: argparse.Namespace, context: Context) -> int:
    """`ssotui exec`: run CMD (or $SHELL) with the credentials; exit with its status (without
    `--renew`, CMD replaces ssotui, as in `env`; with it, ssotui serves the endpoint and waits).

    Without ACCOUNT/ROLE on a terminal, they are picked in the picker first; the command runs
    after the picker has closed."""
    from tui.export.subshell import become, run
    from tui.store.waits import told_to
    from tui.workspace.handoff import check_subshell

    command = args.cmd or None
    check_subshell(context.environ, command, force=args.force)  # before a pick or a login
    workspace, account, role, region = chosen_role(args, context, "exec")
    if not args.renew:  # nothing left for ssotui to do: the command takes its place
        creds = workspace.role_credentials(account, role, region=region, fresh=args.refresh)
        become(workspace.handoff.subshell(creds, command, force=args.force))
    endpoint_of = workspace.credential_endpoint(
        account,
        role,
        region=region,
        fresh=args.refresh,
        advice=advice_in_the_child(workspace, args),
    )
    with endpoint_of as endpoint:
        creds = endpoint.credentials()  # a lost login fails here, before the child starts
        plan = workspace.handoff.subshell(
            creds, command, force=args.force, endpoint=endpoint.environment()
        )
        with told_to(None):  # the command has the terminal: a renewal's wait is not said
            status = run(plan).status
        refusal = endpoint.last_refusal()
        if refusal is not None:  # some SDKs show only a status: said here, in ssotui's words
            say(
                f"ssotui: the command was refused credentials at {local_time(refusal.at)}: "
                f"{advice_on_the_command_line(refusal.message, args)}"
            )
        return status


def export(args: argparse.Namespace, context: Context) -> int:
    """`ssotui export`: print or copy the credentials in the user's shell format."""
    workspace, account, role, region = chosen_role(args, context, "export")
    creds = workspace.role_credentials(account, role, region=region, fresh=args.refresh)
    fmt = workspace.handoff.export_format(args.format)
    if args.copy:
        backend = workspace.handoff.copy_exports(creds, fmt)
        say(
            f"Copied {fmt} export lines for {creds.account.label}/{creds.role_name} "
            f"({backend}{workspace.handoff.copy_note(backend)}); "
            f"the credentials expire {local_time(creds.expiration)}."
        )
    else:
        sys.stdout.write(workspace.handoff.export_text(creds, fmt))
    return 0


def credential_process(args: argparse.Namespace, context: Context) -> int:
    """`ssotui credential-process`: the JSON the AWS SDKs read; never prompts."""
    workspace = workspace_of(args, context)
    creds = workspace.credentials_for(
        args.account, args.role, refresh=args.refresh, region=args.region
    )
    sys.stdout.write(workspace.handoff.export_text(creds, "json"))
    return 0


def write_profile(args: argparse.Namespace, context: Context) -> int:
    """`ssotui write-profile`: one profile of the shared credentials file, in place.

    A `--profile` no INI file can hold is bad usage (exit 2), said before any login or fetch."""
    if args.profile is not None:
        from tui.errors import SsotuiError, UsageError
        from tui.export.ini_sections import check_name
        from tui.export.profile_names import check_sdk_profile_name

        try:
            check_name(args.profile)
            check_sdk_profile_name(args.profile)
        except SsotuiError as exc:
            raise UsageError(exc.message) from None
    workspace = workspace_of(args, context)
    creds = workspace.credentials_for(
        args.account, args.role, refresh=args.refresh, region=args.region
    )
    written = workspace.handoff.write_profile(
        creds, args.profile, region=args.region, force=args.force
    )
    use = workspace.handoff.profile_use(written.name)
    say(
        f"Wrote profile [{written.name}] to {written.path}; the credentials expire "
        f"{local_time(creds.expiration)}. Use it with {use}."
    )
    if warning := written.warning():
        say(f"ssotui: warning: {warning}")
    return 0
