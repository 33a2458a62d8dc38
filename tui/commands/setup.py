"""`configure`, `populate`, `config` and `doctor`: setting ssotui and the AWS tools up."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable

from tui.commands.resolve import say, workspace_of
from tui.errors import SsotuiError
from tui.workspace import Context


def show_config(args: argparse.Namespace, context: Context) -> int:
    """`ssotui config`: where ssotui reads and writes, and the settings in effect."""
    from dataclasses import asdict

    from tui import paths

    print("paths:")
    for label, path in (
        ("AWS config", paths.aws_config_file()),
        ("AWS credentials", paths.aws_credentials_file()),
        ("SSO token cache", paths.sso_cache_dir()),
        ("ssotui config", paths.config_file()),
        ("ssotui cache", paths.cache_dir()),
        ("ssotui state", paths.state_file()),
    ):
        print(f"  {label:<16} {path}{'' if path.exists() else '  (absent)'}")
    print("settings:")
    for key, value in asdict(context.settings).items():
        if key != "warnings":
            print(f"  {key:<16} {value!r}")
    return 0


def populate(args: argparse.Namespace, context: Context) -> int:
    """`ssotui populate`: SSO profiles for every reachable role, in a managed block."""
    from tui import paths

    workspace = workspace_of(args, context)
    label = workspace.session.label
    result = workspace.populate(region=args.region, prefix=args.prefix, dry_run=args.dry_run)
    count, change = result.count, result.diff
    for warning in result.warnings:
        say(f"ssotui: warning: {warning}")
    where = paths.aws_config_file()
    if args.dry_run:
        print(change, end="")
        say(f"Dry run: {count} profiles; {where} unchanged.")
    elif change:
        say(f"Wrote {count} profiles for session {label} to {where}.")
    else:
        say(f"{count} profiles for session {label} already up to date in {where}.")
    return 0


def _ask(prompt: str, check: Callable[[str], str | None], default: str | None = None) -> str:
    shown = f"{prompt} [{default}]: " if default else f"{prompt}: "
    while True:
        try:
            answer = input(shown).strip() or (default or "")
        except EOFError:
            raise SsotuiError(
                "no answer on standard input; pass --session, --start-url and --sso-region"
            ) from None
        problem = check(answer)
        if problem is None:
            return answer
        say(problem)


def configure(args: argparse.Namespace, context: Context) -> int:
    """`ssotui configure`: ask for (or take) a start URL, region and name; write the session."""
    from tui.workspace.setup import (
        check_region,
        check_session_name,
        check_start_url,
        set_up_session,
    )

    interactive = sys.stdin.isatty()
    values = {}
    for key, prompt, check, default in (
        ("start_url", "SSO start URL (https://....awsapps.com/start)", check_start_url, None),
        ("sso_region", "SSO region", check_region, "us-east-1"),
        ("session", "Session name", check_session_name, "default-sso"),
    ):
        given = getattr(args, key)
        if given is not None:
            problem = check(given)
            if problem:
                raise SsotuiError(problem, exit_code=2)
            values[key] = given
        elif interactive:
            values[key] = _ask(prompt, check, default)
        else:
            raise SsotuiError(
                f"--{key.replace('_', '-')} is missing and there is no terminal to ask",
                exit_code=2,
            )
    _session, path = set_up_session(values["session"], values["start_url"], values["sso_region"])
    say(f"Wrote [sso-session {values['session']}] to {path}.")
    if args.no_login:
        say(f"Log in with: ssotui login --session {values['session']}")
        return 0
    args.session, args.start_url, args.sso_region = values["session"], None, None
    args.force = False
    args.no_browser = getattr(args, "no_browser", False)
    args.use_device_code = getattr(args, "use_device_code", False)
    from tui.commands.session import login

    return login(args, context)
