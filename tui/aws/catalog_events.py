"""What a running catalog fetch reports, event by event (a page of accounts, one account's roles).

In a file of their own so that the picker, which draws them, knows them without loading the
fetcher (the portal client, the pacer, the thread pool).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from tui.models import Account


@dataclass(frozen=True)
class AccountsPage:
    """A ListAccounts page arrived: these accounts are known now (roles still loading)."""

    accounts: tuple[Account, ...]


@dataclass(frozen=True)
class RolesLoaded:
    """The roles of one account are known."""

    account_id: str
    roles: tuple[str, ...]


@dataclass(frozen=True)
class RolesFailed:
    """The roles of one account could not be listed (the account is kept, marked)."""

    account_id: str
    reason: str


@dataclass(frozen=True)
class RolesRefused:
    """Identity Center refused to list the roles of one account (`tui.errors.AccountRefused`):
    the account is kept without roles, with `note`; no retry until the next fetch."""

    account_id: str
    note: str


@dataclass(frozen=True)
class RolesIncomplete:
    """Identity Center repeated a page of one account's roles (`tui.errors.PageRepeated`): the
    account is kept with the `roles` listed before it, marked with `note`; no retry until the
    next fetch."""

    account_id: str
    roles: tuple[str, ...]
    note: str


CatalogEvent = AccountsPage | RolesLoaded | RolesFailed | RolesRefused | RolesIncomplete
EventHandler = Callable[[CatalogEvent], object]
