"""Resolving what the user named on the command line: the session, the catalog, the role.

Shared by every command that talks to Identity Center; a 401 gets one retry with a renewed token.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from typing import TYPE_CHECKING, TypeVar

if TYPE_CHECKING:
    from tui.models import Account, Catalog, RoleCredentials, SsoSession, Token

T = TypeVar("T")


def say(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def session_of(args: argparse.Namespace) -> SsoSession:
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


def catalog_of(session: SsoSession, token: Token, *, refresh: bool) -> Catalog:
    from tui.aws.catalog import DEFAULT_CONCURRENCY, load_catalog
    from tui.store.settings import load_settings

    settings = load_settings()
    return load_catalog(
        session,
        token,
        refresh=refresh,
        lifetime=settings.catalog_lifetime,
        concurrency=settings.concurrent_requests or DEFAULT_CONCURRENCY,
    )


def with_token(session: SsoSession, work: Callable[[Token], T]) -> T:
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


def role_credentials(args: argparse.Namespace) -> RoleCredentials:
    """Resolve ACCOUNT and ROLE against the catalog and fetch the role's credentials."""
    from tui.aws.portal import Portal
    from tui.logs import hide
    from tui.workspace.select import find_account, find_role

    session = session_of(args)

    def fetch(token: Token) -> RoleCredentials:
        catalog = catalog_of(session, token, refresh=args.refresh)
        account: Account = find_account(catalog, args.account)
        role = find_role(catalog, account, args.role)
        return Portal(session, token).role_credentials(account, role)

    creds = with_token(session, fetch)
    hide(creds.secret_access_key, creds.session_token)
    return creds
