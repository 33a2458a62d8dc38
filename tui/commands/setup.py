"""`configure`, `populate`, `config` and `doctor`: setting ssotui and the AWS tools up."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable

from tui.commands.resolve import say, workspace_of
from tui.errors import SsotuiError
from tui.workspace import Context


def show_config(args: argparse.Namespace, context: Context) -> int:
    """`ssotui config`: where ssotui reads and writes, and each setting in effect with where
    its value comes from (default, config.toml, environment)."""
    from tui.text import printable
    from tui.workspace.effective import (
        Effective,
        effective_paths,
        effective_settings,
        effective_variables,
    )

    def section(title: str, items: list[tuple[Effective, str]]) -> None:
        # a path or value from the environment may hold a line break or an escape sequence
        # (XDG_CACHE_HOME set by a script): one row each, nothing the terminal acts on
        print(title)
        rows = [
            (item.name, printable(item.value) + note, printable(item.source))
            for item, note in items
        ]
        name_width = max(len(name) for name, _, _ in rows)
        value_width = min(48, max(len(value) for _, value, _ in rows))
        for name, value, source in rows:
            print(f"  {name:<{name_width}}  {value:<{value_width}}  ({source})")

    section(
        "paths:",
        [
            (item, "" if exists else " (absent)")
            for item, exists in effective_paths(context.paths, context.environ)
        ],
    )
    section(
        "settings (config.toml):",
        [(item, "") for item in effective_settings(context.settings, context.environ)],
    )
    section("environment:", [(item, "") for item in effective_variables(context.environ)])
    return 0


def populate(args: argparse.Namespace, context: Context) -> int:
    """`ssotui populate`: SSO profiles for every reachable role, in a managed block."""
    workspace = workspace_of(args, context)
    label = workspace.session.label
    result = workspace.populate(region=args.region, prefix=args.prefix, dry_run=args.dry_run)
    count = result.count
    for warning in result.warnings:
        say(f"ssotui: warning: {warning}")
    where = context.paths.aws_config_file
    summary = result.profiles.summary()
    detail = f" ({summary})" if summary else ""
    region = ""
    if result.sso_region_used:
        region = (
            f", with region {workspace.session.region}, the session's sso_region "
            "(--region R for another)"
        )
    if args.dry_run:
        print(result.diff, end="")
    if not result.changed:
        say(f"{count} profiles for session {label} already up to date in {where}.")
    elif args.dry_run:
        say(f"Dry run: would write {count} profiles{detail}{region}; {where} unchanged.")
    else:
        say(f"Wrote {count} profiles for session {label}{detail} to {where}{region}.")
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
        with_scheme,
    )

    def check_url(text: str) -> str | None:  # `acme.awsapps.com/start` is taken as https://
        return check_start_url(with_scheme(text))

    interactive = sys.stdin.isatty()
    asked = (
        ("start_url", "SSO start URL (e.g. my-org.awsapps.com/start)", check_url, None),
        ("sso_region", "SSO region", check_region, "us-east-1"),
        ("session", "Session name", check_session_name, "default-sso"),
    )
    missing = [f"--{key.replace('_', '-')}" for key, *_ in asked if getattr(args, key) is None]
    if missing and not interactive:  # every one named at once, not one per try
        named = f"{', '.join(missing[:-1])} and {missing[-1]} are" if missing[1:] else ""
        raise SsotuiError(
            f"{named or missing[0] + ' is'} missing and there is no terminal to ask: "
            "ssotui configure --session NAME --start-url URL --sso-region REGION",
            exit_code=2,
        )
    values = {}
    for key, prompt, check, default in asked:
        given = getattr(args, key)
        if given is not None:
            problem = check(given)
            if problem:
                raise SsotuiError(problem, exit_code=2)
            values[key] = given
        else:
            values[key] = _ask(prompt, check, default)
    values["start_url"] = with_scheme(values["start_url"])
    before = next((s for s in context.sessions() if s.name == values["session"]), None)
    session, path = set_up_session(
        context.paths, values["session"], values["start_url"], values["sso_region"]
    )
    if before is not None and (before.start_url, before.region) != (
        session.start_url,
        session.region,
    ):
        # said, as the section was there (profiles may name it): what it was, to set it back
        say(
            f"Updated [sso-session {values['session']}] in {path}: it was "
            f"{before.start_url} ({before.region}), now {session.start_url} ({session.region})."
        )
    else:
        say(f"Wrote [sso-session {values['session']}] to {path}.")
    if args.no_login:
        say(f"Log in with: ssotui login --session {values['session']}")
        return 0
    args.session, args.start_url, args.sso_region = values["session"], None, None
    args.force = False
    from tui.commands.session import login

    status = login(args, context)
    if status == 0:
        say(_next_step(context, values["session"]))
    return status


def _next_step(context: Context, name: str) -> str:
    """What to run next: the picker, with `--session NAME` when a bare `ssotui` would take
    another session or ask which (another session configured before, default_session)."""
    import shlex

    from tui.workspace.advice import session_options

    try:
        default = context.session().name
    except SsotuiError:  # several sessions and none decides: the picker would ask
        default = None
    words = ["ssotui"]
    if default != name:
        words += session_options(session=name, start_url=None, sso_region=None)
    return f"Run `{shlex.join(words)}` to pick an account and role."
