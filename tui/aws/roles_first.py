"""The account whose roles a catalog fetch lists before the others: the one the user looks at.

A fetch lists each account's roles in the order its pages name the accounts; throttled to a
few calls a second, the account highlighted in the picker could say "loading roles…" for a
minute. The picker says which account it shows (`look_at`); the fetch then lists that
account's roles next: handed to the next free worker if none has it yet, else its call goes to
the front of the pacer's line (`tui.aws.throttle`). Every other account is still listed, by
the same workers at the same pace.
"""

from __future__ import annotations


class RolesFirst:
    """Which account's roles are wanted first (None: none). Set on one thread, read on the
    fetch's: one attribute, replaced whole."""

    def __init__(self) -> None:
        self._account_id: str | None = None

    @property
    def account_id(self) -> str | None:
        """The account looked at, if any."""
        return self._account_id

    def look_at(self, account_id: str | None) -> None:
        """The user now looks at `account_id` (None: at no account)."""
        self._account_id = account_id

    def wants(self, account_id: str) -> bool:
        """Whether the roles of `account_id` are wanted first now."""
        return self._account_id == account_id
