"""What a running catalog fetch reports, event by event (a page of accounts, one account's roles,
the pace Identity Center throttles it to).

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


@dataclass(frozen=True)
class Paced:
    """Identity Center throttles the fetch: its calls go `rate` a second, the pace it allows
    (`tui.aws.throttle`). Said when the fetch is first paced, then when the pace changes.

    `waiting`: it refused every call so far (a storm): the calls back off, one at a time, until
    one gets through; no pace is known, and none is said. `rate` None: no longer throttled
    (the storm over, its pace to be learnt afresh): nothing to say (`throttled` is False)."""

    rate: float | None
    waiting: bool = False

    @property
    def throttled(self) -> bool:
        """Whether there is anything to say: a pace, or the wait of a storm."""
        return self.waiting or self.rate is not None

    def words(self, left: int = 0) -> str:
        """As the picker's status line and `list`'s progress line say it: "throttled to 18
        calls/s" (4.5, 0.5: a decimal under ten); with `left` calls still to make, and a
        minute or more of them at this pace, ", about 8m left" after it. In a storm:
        "throttled: waiting for Identity Center to let a call through"."""
        from datetime import timedelta

        from tui.durations import span

        if self.waiting or self.rate is None:
            return "throttled: waiting for Identity Center to let a call through"
        figures = f"{self.rate:.0f}" if self.rate >= 9.95 else f"{self.rate:.1f}"
        said = f"throttled to {figures.removesuffix('.0')} calls/s"
        seconds = left / self.rate
        return f"{said}, about {span(timedelta(seconds=seconds))} left" if seconds >= 60 else said


CatalogEvent = AccountsPage | RolesLoaded | RolesFailed | RolesRefused | RolesIncomplete | Paced
EventHandler = Callable[[CatalogEvent], object]
