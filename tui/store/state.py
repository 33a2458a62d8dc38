"""ssotui's state file: favourite accounts and roles, recently used roles, and the region chosen
for an account's credentials in the picker (tomli-w).

The file is small TOML under the state folder (`Paths.state_file`), written atomically. A
missing, unreadable or corrupt file reads as an empty state, never as an error: losing
favourites is a nuisance, refusing to start would be worse. `update` does a locked
read-change-write so two ssotui windows never drop each other's changes.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from tui.models import utcnow
from tui.paths import Paths
from tui.store.files import locked, write_atomic

VERSION = 1
MAX_RECENT = 20
HEADER = "# ssotui state: favourites, recently used roles, regions (rewritten by ssotui)\n"
# What a region name may look like (it goes into the environment as AWS_REGION).
_REGION = re.compile(r"^[a-z]{2,5}(-[a-z0-9]+)+-\d{1,2}$")

RoleKey = tuple[str, str]  # (account id, role name)


@dataclass(frozen=True)
class State:
    """Favourites and recent use; every change returns a new State."""

    favourite_accounts: frozenset[str] = frozenset()
    favourite_roles: frozenset[RoleKey] = frozenset()
    recent: tuple[tuple[str, str, datetime], ...] = ()  # most recent first
    regions: tuple[tuple[str, str], ...] = ()  # (account id, region), sorted by account id

    def is_favourite_account(self, account_id: str) -> bool:
        """True when the account is a favourite."""
        return account_id in self.favourite_accounts

    def is_favourite_role(self, account_id: str, role: str) -> bool:
        """True when the role of that account is a favourite."""
        return (account_id, role) in self.favourite_roles

    def toggle_favourite_account(self, account_id: str) -> State:
        """The state with the account's favourite mark flipped."""
        return replace(self, favourite_accounts=self.favourite_accounts ^ {account_id})

    def toggle_favourite_role(self, account_id: str, role: str) -> State:
        """The state with the role's favourite mark flipped."""
        return replace(self, favourite_roles=self.favourite_roles ^ {(account_id, role)})

    def record_use(self, account_id: str, role: str, when: datetime | None = None) -> State:
        """The state with this role first among the recently used ones."""
        moment = when or utcnow()
        kept = [r for r in self.recent if (r[0], r[1]) != (account_id, role)]
        recent = ((account_id, role, moment), *kept)[:MAX_RECENT]
        return replace(self, recent=recent)

    def recent_roles(self) -> list[RoleKey]:
        """Recently used (account id, role) pairs, most recent first."""
        return [(a, r) for a, r, _ in self.recent]

    def region_of(self, account_id: str) -> str | None:
        """The region chosen for the account's credentials, if any."""
        return next((region for aid, region in self.regions if aid == account_id), None)

    def with_region(self, account_id: str, region: str | None) -> State:
        """The state with `region` chosen for the account (None: back to the default)."""
        kept = [(aid, r) for aid, r in self.regions if aid != account_id]
        if region:
            kept.append((account_id, region))
        return replace(self, regions=tuple(sorted(kept)))

    def recent_accounts(self) -> list[str]:
        """Account ids of the recently used roles, most recent first, each once."""
        seen: dict[str, None] = {}
        for account_id, _, _ in self.recent:
            seen.setdefault(account_id, None)
        return list(seen)


def _strings(value: Any) -> Iterable[str]:
    if isinstance(value, list):
        yield from (v for v in value if isinstance(v, str) and v)


def _pairs(value: Any) -> Iterable[tuple[str, str, Any]]:
    if not isinstance(value, list):
        return
    for item in value:
        if not isinstance(item, dict):
            continue
        account_id, role = item.get("account_id"), item.get("role")
        if isinstance(account_id, str) and isinstance(role, str) and account_id and role:
            yield account_id, role, item.get("used_at")


def _regions(value: Any) -> Iterable[tuple[str, str]]:
    if not isinstance(value, dict):
        return
    for account_id, region in value.items():
        if isinstance(region, str) and account_id and _REGION.match(region):
            yield account_id, region


def _moment(value: Any) -> datetime:
    if isinstance(value, datetime):
        return value if value.tzinfo else value.replace(tzinfo=UTC)
    return datetime.fromtimestamp(0, UTC)


def from_dict(data: dict[str, Any]) -> State:
    """A State from the parsed TOML; entries of the wrong shape are skipped."""
    recent = tuple((a, r, _moment(when)) for a, r, when in _pairs(data.get("recent")))
    return State(
        favourite_accounts=frozenset(_strings(data.get("favourite_accounts"))),
        favourite_roles=frozenset((a, r) for a, r, _ in _pairs(data.get("favourite_roles"))),
        recent=recent[:MAX_RECENT],
        regions=tuple(sorted(_regions(data.get("regions")))),
    )


def to_dict(state: State) -> dict[str, Any]:
    """The TOML form of a State (sorted, so the file is stable)."""
    return {
        "version": VERSION,
        "favourite_accounts": sorted(state.favourite_accounts),
        "favourite_roles": [{"account_id": a, "role": r} for a, r in sorted(state.favourite_roles)],
        "recent": [
            {"account_id": a, "role": r, "used_at": when.astimezone(UTC).replace(microsecond=0)}
            for a, r, when in state.recent
        ],
        "regions": dict(state.regions),
    }


def load(path: Path) -> State:
    """The saved state at `path` (`Paths.state_file`); an empty one when the file is missing,
    unreadable or corrupt."""
    target = path
    try:
        text = target.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        return State()
    import tomllib  # only when there is a file: the picker's first start has none

    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError:
        return State()
    return from_dict(data)


def save(state: State, path: Path) -> None:
    """Write the state atomically (0600) to `path`; raises FileWriteError when it cannot."""
    import tomli_w  # only a change writes: a start that reads the state needs none

    target = path
    write_atomic(target, HEADER + tomli_w.dumps(to_dict(state)), mode=0o600)


def update(paths: Paths, change: Callable[[State], State]) -> State:
    """Apply `change` to the saved state (`paths.state_file`) under the file's lock (in
    `paths.cache_dir`), save it and return it."""
    target = paths.state_file
    with locked(paths, target):
        state = change(load(target))
        save(state, target)
    return state
