"""`exec`, `export`, `credential-process`, `write-profile`: role credentials handed on."""

from __future__ import annotations

import argparse
import os
import sys

from tui.commands.resolve import role_credentials, say


def exec_command(args: argparse.Namespace) -> int:
    """`ssotui exec`: run CMD (or $SHELL) with the credentials; exit with its status."""
    from tui.export.subshell import run_with_credentials

    creds = role_credentials(args)
    return run_with_credentials(creds, args.cmd or None, force=args.force)


def export(args: argparse.Namespace) -> int:
    """`ssotui export`: print or copy the credentials in the user's shell format."""
    from tui.export.formats import default_format, render
    from tui.store.settings import load_settings

    fmt = args.format or load_settings().export_format or default_format(os.environ.get("SHELL"))
    creds = role_credentials(args)
    text = render(creds, fmt)
    if args.copy:
        from tui.export.clipboard import copy

        backend = copy(text)
        say(f"Copied {fmt} export lines for {creds.account.name}/{creds.role_name} ({backend}).")
    else:
        sys.stdout.write(text)
    return 0


def credential_process(args: argparse.Namespace) -> int:
    """`ssotui credential-process`: the JSON the AWS SDKs read; never prompts."""
    from tui.export.formats import render

    sys.stdout.write(render(role_credentials(args), "json"))
    return 0


def write_profile(args: argparse.Namespace) -> int:
    """`ssotui write-profile`: one profile of the shared credentials file, in place."""
    from tui import paths
    from tui.export.credentials_file import write_profile as write

    creds = role_credentials(args)
    name = write(creds, args.profile)
    say(
        f"Wrote profile [{name}] to {paths.aws_credentials_file()} "
        f"(expires {creds.expiration:%Y-%m-%d %H:%M:%S} UTC); use it with AWS_PROFILE={name}."
    )
    return 0
