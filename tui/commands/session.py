"""`ssotui login`, `ssotui logout` and `ssotui list`: the session and what it reaches."""

from __future__ import annotations

import argparse
import json

from tui.commands.resolve import catalog_of, say, session_of, with_token
from tui.errors import SsotuiError


def login(args: argparse.Namespace) -> int:
    """`ssotui login`: device authorization, URL and code on stderr."""
    from tui.aws import login as device
    from tui.store.settings import load_settings

    session = session_of(args)

    def announce(auth: device.DeviceAuthorization) -> None:
        say(f"Log in to {session.label} in your browser:")
        say(f"  {auth.verification_uri}")
        say(f"and confirm the code: {auth.user_code}")
        say("Waiting for approval (Ctrl-C to cancel)...")

    open_browser = load_settings().open_browser and not args.no_browser
    token = device.login(session, force=args.force, open_browser=open_browser, announce=announce)
    say(f"Logged in to {session.label} until {token.expires_at:%Y-%m-%d %H:%M:%S} UTC.")
    return 0


def logout(args: argparse.Namespace) -> int:
    """`ssotui logout`: revoke the token, then delete it and the catalog cache."""
    from tui.aws.portal import Portal
    from tui.aws.token_cache import delete_token, load_token
    from tui.store import catalog_cache

    session = session_of(args)
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
    say(f"Logged out of {session.label}: {revoked}cached token and catalog deleted.")
    if args.purge:
        from tui.export.credentials_file import remove_profile, written_profiles

        purged = written_profiles()
        for name in purged:
            remove_profile(name)
        say(f"Removed {len(purged)} profile(s) ssotui wrote to the credentials file.")
    return 0


def list_roles(args: argparse.Namespace) -> int:
    """`ssotui list`: every (account, role) pair, as text or JSON."""
    session = session_of(args)
    catalog = with_token(session, lambda token: catalog_of(session, token, refresh=args.refresh))
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
        say(
            f"ssotui: the roles of {which} could not be listed ({failed[0][1]}); "
            "run `ssotui list` again to retry"
        )
    return 1 if failed else 0
