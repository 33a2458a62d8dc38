"""Messages that carry the results of thread workers back to the screens that started them."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from textual.message import Message

if TYPE_CHECKING:  # what they carry is made by the workers; naming it loads nothing
    from pathlib import Path

    from tui.app.pick import Action
    from tui.aws.catalog_events import CatalogEvent
    from tui.aws.login_flows import LoginEvent
    from tui.models import Catalog, RoleCredentials, SsoSession, Token
    from tui.store.state import State
    from tui.workspace.logout_report import LogoutReport


@dataclass
class CacheLoaded(Message):
    """The cached catalog was read (None when there is none)."""

    catalog: Catalog | None


@dataclass
class TokenReady(Message):
    """A usable token for the session."""

    token: Token


@dataclass
class TokenRenewed(Message):
    """A worker's call met a 401 and the refresh token gave this new token.

    `fetch_restarts`: the catalog fetch runs again from its start with it.
    """

    token: Token
    fetch_restarts: bool = False


@dataclass
class CatalogProgress(Message):
    """One event of a running catalog fetch (a page of accounts, or one account's roles)."""

    event: CatalogEvent


@dataclass
class CatalogFetched(Message):
    """A catalog fetch finished (and was saved to the cache)."""

    catalog: Catalog


@dataclass
class RolesRetried(Message):
    """Listing the roles of one account again finished: the catalog with them, or None and why
    not."""

    account_id: str
    catalog: Catalog | None
    reason: str = ""


@dataclass
class StateSaved(Message):
    """The state file was changed (favourites, recent roles)."""

    state: State


@dataclass
class CredentialsReady(Message):
    """Role credentials arrived for an action the user chose; `fresh`: new ones were asked
    for (not those kept)."""

    creds: RoleCredentials
    action: Action
    fresh: bool = False


# Seconds a toast stays: a failure's line (what happened, what to do) is read to its end, at
# 50 columns five lines or more; Textual's 5 s is for short news.
FAILURE_SECONDS = 10.0
NEWS_SECONDS = 8.0


@dataclass
class Notice(Message):
    """Something finished that the user should hear about (never contains a secret)."""

    text: str
    error: bool = False

    @property
    def seconds(self) -> float:
        """How long its toast stays."""
        return FAILURE_SECONDS if self.error else NEWS_SECONDS


@dataclass
class LoginStarted(Message):
    """The login has something to show: a device code, the browser page, a fall-back, a wait."""

    event: LoginEvent


@dataclass
class LoginApproved(Message):
    """The user approved the login; the token is saved."""

    token: Token


@dataclass
class RegionsLoaded(Message):
    """The regions IAM Identity Center runs in (for the set-up form)."""

    regions: tuple[str, ...]


@dataclass
class SessionWritten(Message):
    """The set-up form's `[sso-session]` was written to `path` and reads back as `session`."""

    session: SsoSession
    path: Path


@dataclass
class LoggedOut(Message):
    """The workspace's logout ran (the picker's "Log out"): what it did."""

    report: LogoutReport
