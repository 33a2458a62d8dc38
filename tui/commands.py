"""What each sub-command does, over the domain (tui.aws, tui.export, tui.store).

Each function takes the parsed arguments and returns an exit status; expected failures are
raised as SsotuiError and turned into one line by `tui.cli.main`.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from collections.abc import Callable
from typing import TYPE_CHECKING, TypeVar

from tui.errors import SsotuiError

if TYPE_CHECKING:
    from tui.aws.models import Account, Catalog, RoleCredentials, SsoSession, Token

T = TypeVar("T")


def _say(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def _session(args: argparse.Namespace) -> SsoSession:
    from dataclasses import replace

    from tui.aws.sessions import resolve_session
    from tui.store.settings import load_settings

    settings = load_settings()
    session = resolve_session(
        name=args.session,
        start_url=args.start_url,
        region=args.sso_region,
        default=settings.default_session,
    )
    if session.default_region is None and settings.default_region:
        session = replace(session, default_region=settings.default_region)
    return session


def _catalog(session: SsoSession, token: Token, *, refresh: bool) -> Catalog:
    from tui.aws.catalog import load_catalog
    from tui.store.settings import load_settings

    return load_catalog(session, token, refresh=refresh, lifetime=load_settings().catalog_lifetime)


def _with_token(session: SsoSession, work: Callable[[Token], T]) -> T:
    """Run `work` with the session's token; after a 401, once more with a renewed token."""
    from tui.aws.tokens import current_token, renewed_token
    from tui.errors import NotLoggedIn
    from tui.logs import hide

    token = current_token(session)
    hide(token.access_token, token.refresh_token, token.client_secret)
    try:
        return work(token)
    except NotLoggedIn:
        token = renewed_token(session, token)  # NotLoggedIn again when there is none
        hide(token.access_token, token.refresh_token, token.client_secret)
        return work(token)


def _credentials(args: argparse.Namespace) -> RoleCredentials:
    """Resolve ACCOUNT and ROLE against the catalog and fetch the role's credentials."""
    from tui.aws.portal import Portal
    from tui.export.select import find_account, find_role
    from tui.logs import hide

    session = _session(args)

    def fetch(token: Token) -> RoleCredentials:
        catalog = _catalog(session, token, refresh=args.refresh)
        account: Account = find_account(catalog, args.account)
        role = find_role(catalog, account, args.role)
        return Portal(session, token).role_credentials(account, role)

    creds = _with_token(session, fetch)
    hide(creds.secret_access_key, creds.session_token)
    return creds


def picker(args: argparse.Namespace) -> int:
    """`ssotui`: the full-screen picker; prints what the `p` action asked for after it closes.

    With no SSO session configured, it starts with a set-up form that writes one.
    """
    if not (sys.stdin.isatty() and sys.stderr.isatty()):
        raise SsotuiError(
            "the picker needs a terminal; use `ssotui list`, `ssotui export` or `ssotui exec`"
        )
    from tui.aws.sessions import load_sessions, resolve_session
    from tui.errors import ConfigError
    from tui.store.settings import load_settings

    settings = load_settings()
    sessions = load_sessions()
    chosen: SsoSession | None = None
    # With no session configured at all (and none asked for), the picker starts with set-up.
    if sessions or args.session or args.start_url or args.sso_region:
        try:
            chosen = resolve_session(
                name=args.session,
                start_url=args.start_url,
                region=args.sso_region,
                default=settings.default_session,
            )
        except ConfigError:
            if args.session or args.start_url or len(sessions) < 2:
                raise
    from tui.app import make_app

    app = make_app(
        sessions=sessions,
        session=chosen,
        open_browser=settings.open_browser and not args.no_browser,
        refresh=args.refresh,
        settings=settings,
    )
    result = app.run()
    if isinstance(result, str) and result:
        print(result, flush=True)
    return app.return_code or 0


def demo(args: argparse.Namespace) -> int:
    """`ssotui demo`: the picker against the built-in simulator; touches no real AWS file."""
    if not (sys.stdin.isatty() and sys.stderr.isatty()):
        raise SsotuiError("the demo needs a terminal: run `ssotui demo` in one")
    from tui.demo import run_demo

    return run_demo(open_browser=False)


def login(args: argparse.Namespace) -> int:
    """`ssotui login`: device authorization, URL and code on stderr."""
    from tui.aws import login as device
    from tui.store.settings import load_settings

    session = _session(args)

    def announce(auth: device.DeviceAuthorization) -> None:
        _say(f"Log in to {session.label} in your browser:")
        _say(f"  {auth.verification_uri}")
        _say(f"and confirm the code: {auth.user_code}")
        _say("Waiting for approval (Ctrl-C to cancel)...")

    open_browser = load_settings().open_browser and not args.no_browser
    token = device.login(session, force=args.force, open_browser=open_browser, announce=announce)
    _say(f"Logged in to {session.label} until {token.expires_at:%Y-%m-%d %H:%M:%S} UTC.")
    return 0


def logout(args: argparse.Namespace) -> int:
    """`ssotui logout`: revoke the token, then delete it and the catalog cache."""
    from tui.aws.portal import Portal
    from tui.aws.token_cache import delete_token, load_token
    from tui.store import catalog_cache

    session = _session(args)
    token = None
    try:
        token = load_token(session)
    except SsotuiError:
        token = None  # a corrupt cache is deleted all the same
    revoked = ""
    if token is not None and not token.is_expired:
        try:
            Portal(session, token).logout()
            revoked = "token revoked, "
        except SsotuiError as exc:
            revoked = f"could not revoke the token ({exc.message}), "
    delete_token(session)
    catalog_cache.delete(session)
    _say(f"Logged out of {session.label}: {revoked}cached token and catalog deleted.")
    if args.purge:
        from tui.export.credentials_file import remove_profile, written_profiles

        purged = written_profiles()
        for name in purged:
            remove_profile(name)
        _say(f"Removed {len(purged)} profile(s) ssotui wrote to the credentials file.")
    return 0


def list_roles(args: argparse.Namespace) -> int:
    """`ssotui list`: every (account, role) pair, as text or JSON."""
    session = _session(args)
    catalog = _with_token(session, lambda token: _catalog(session, token, refresh=args.refresh))
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
        print(json.dumps(rows, indent=2, ensure_ascii=False))
    else:
        width = max((len(a.name) for a, _ in pairs), default=0)
        for a, role in pairs:
            print(f"{a.account_id}  {a.name:<{width}}  {role}")
    failed = sorted(catalog.failed.items())
    if failed:  # one line, however many accounts failed
        ids = ", ".join(account_id for account_id, _ in failed[:3])
        if len(failed) > 3:
            ids += f" and {len(failed) - 3} more"
        which = f"account {ids}" if len(failed) == 1 else f"{len(failed)} accounts ({ids})"
        _say(
            f"ssotui: the roles of {which} could not be listed ({failed[0][1]}); "
            "run `ssotui list` again to retry"
        )
    return 1 if failed else 0


def exec_command(args: argparse.Namespace) -> int:
    """`ssotui exec`: run CMD (or $SHELL) with the credentials; exit with its status."""
    from tui.export.subshell import run_with_credentials

    creds = _credentials(args)
    return run_with_credentials(creds, args.cmd or None, force=args.force)


def export(args: argparse.Namespace) -> int:
    """`ssotui export`: print or copy the credentials in the user's shell format."""
    from tui.export.formats import default_format, render
    from tui.store.settings import load_settings

    fmt = args.format or load_settings().export_format or default_format(os.environ.get("SHELL"))
    creds = _credentials(args)
    text = render(creds, fmt)
    if args.copy:
        from tui.export.clipboard import copy

        backend = copy(text)
        _say(f"Copied {fmt} export lines for {creds.account.name}/{creds.role_name} ({backend}).")
    else:
        sys.stdout.write(text)
    return 0


def credential_process(args: argparse.Namespace) -> int:
    """`ssotui credential-process`: the JSON the AWS SDKs read; never prompts."""
    from tui.export.formats import render

    sys.stdout.write(render(_credentials(args), "json"))
    return 0


def write_profile(args: argparse.Namespace) -> int:
    """`ssotui write-profile`: one profile of the shared credentials file, in place."""
    from tui import paths
    from tui.export.credentials_file import write_profile as write

    creds = _credentials(args)
    name = write(creds, args.profile)
    _say(
        f"Wrote profile [{name}] to {paths.aws_credentials_file()} "
        f"(expires {creds.expiration:%Y-%m-%d %H:%M:%S} UTC); use it with AWS_PROFILE={name}."
    )
    return 0


def show_config(args: argparse.Namespace) -> int:
    """`ssotui config`: where ssotui reads and writes, and the settings in effect."""
    from dataclasses import asdict

    from tui import paths
    from tui.store.settings import load_settings

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
    for key, value in asdict(load_settings()).items():
        if key != "warnings":
            print(f"  {key:<16} {value!r}")
    return 0


def doctor(args: argparse.Namespace) -> int:
    """`ssotui doctor`: every check with its verdict; exit 1 when one failed."""
    from tui.doctor import Verdict, run_checks

    session = None
    if args.session or args.start_url:
        session = _session(args)
    failed = False
    for check in run_checks(session):
        failed = failed or check.verdict is Verdict.FAIL
        print(f"[{check.verdict.value:>4}] {check.name}: {check.detail}")
    print("Some checks failed." if failed else "All is well.")
    return 1 if failed else 0


def populate(args: argparse.Namespace) -> int:
    """`ssotui populate`: SSO profiles for every reachable role, in a managed block."""
    from tui import paths
    from tui.export.aws_config import populate as write_block
    from tui.store.settings import load_settings

    settings = load_settings()
    session = _session(args)
    catalog = _with_token(session, lambda token: _catalog(session, token, refresh=True))
    if catalog.failed:
        raise SsotuiError(
            f"the roles of {len(catalog.failed)} account(s) could not be listed, so populate "
            "changed nothing (it would drop their profiles); run it again"
        )
    region = args.region or settings.default_region or session.default_region
    count, change = write_block(
        session,
        catalog,
        region=region,
        prefix=args.prefix,
        template=settings.profile_template,
        dry_run=args.dry_run,
    )
    where = paths.aws_config_file()
    if args.dry_run:
        print(change, end="")
        _say(f"Dry run: {count} profiles; {where} unchanged.")
    elif change:
        _say(f"Wrote {count} profiles for session {session.label} to {where}.")
    else:
        _say(f"{count} profiles for session {session.label} already up to date in {where}.")
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
        _say(problem)


def configure(args: argparse.Namespace) -> int:
    """`ssotui configure`: ask for (or take) a start URL, region and name; write the session."""
    from tui.aws.setup import check_region, check_session_name, check_start_url
    from tui.export.aws_config import write_sso_session

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
    path = write_sso_session(values["session"], values["start_url"], values["sso_region"])
    _say(f"Wrote [sso-session {values['session']}] to {path}.")
    if args.no_login:
        _say(f"Log in with: ssotui login --session {values['session']}")
        return 0
    args.session, args.start_url, args.sso_region = values["session"], None, None
    args.force = False
    args.no_browser = getattr(args, "no_browser", False)
    return login(args)
