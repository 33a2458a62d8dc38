"""What the main screen shows, as plain data: the catalog as it streams in, and its rows.

No Textual here. The model starts from the cached catalog (if any), takes the fetch's events
as they arrive, and at the end marks what appeared (+) or disappeared (−) since the cache.
It turns all that, with the favourites and recent roles of the state file, into list rows,
whose text is safe to draw (`shown`) while their values keep the names as the service gave them.
"""

from __future__ import annotations

from dataclasses import dataclass, field, fields
from datetime import datetime
from typing import TYPE_CHECKING

from tui.app.matching import Row
from tui.app.shown import shown
from tui.models import Account, Catalog, Role
from tui.store.state import State

if TYPE_CHECKING:
    from tui.aws.catalog_events import CatalogEvent, Paced

FAVOURITE, RECENT, REST = 0, 1, 2


@dataclass
class Progress:
    """How far a catalog fetch has got."""

    loading: bool = False
    accounts: int = 0
    roles_done: int = 0
    failed: int = 0
    paced: Paced | None = None  # the pace Identity Center throttles the fetch to, if it does
    again: int = 0  # the fetch lists again the roles of this many failed accounts (no pages)


@dataclass
class CatalogModel:
    """Accounts and roles as known right now, with marks for what changed since the cache."""

    accounts: dict[str, Account] = field(default_factory=dict)
    roles: dict[str, tuple[str, ...]] = field(default_factory=dict)
    failed: dict[str, str] = field(default_factory=dict)
    refused: dict[str, str] = field(default_factory=dict)  # Identity Center's note, no roles
    incomplete: dict[str, str] = field(default_factory=dict)  # its note; roles listed in part
    accounts_cut: str = ""  # the accounts listing repeated a page and stopped there
    fetched_at: datetime | None = None
    progress: Progress = field(default_factory=Progress)
    from_cache: bool = False
    new_accounts: set[str] = field(default_factory=set)
    gone_accounts: set[str] = field(default_factory=set)
    new_roles: set[tuple[str, str]] = field(default_factory=set)
    gone_roles: set[tuple[str, str]] = field(default_factory=set)
    _baseline: Catalog | None = None
    _fetching_ids: set[str] = field(default_factory=set)
    _pending_roles: set[str] = field(default_factory=set)
    # Counts the changes above, so that the screen rebuilds its rows only after one (10,000
    # rows take 10-15 ms, and the phase alone changes nothing in them).
    revision: int = 0

    # -- loading ------------------------------------------------------------------------------

    def show_catalog(self, catalog: Catalog, *, cached: bool) -> None:
        """Show a whole catalog (the cache at start, or a fetched one)."""
        self.revision += 1
        self.accounts = {a.account_id: a for a in catalog.accounts}
        self.roles = dict(catalog.roles)
        self.failed = dict(catalog.failed)
        self.refused = dict(catalog.refused)
        self.incomplete = dict(catalog.incomplete)
        self.accounts_cut = catalog.accounts_cut
        self.fetched_at = catalog.fetched_at
        self.from_cache = cached
        if cached:
            self._baseline = catalog

    def forget(self) -> None:
        """A logout: nothing of the catalog is known any more (its cache is deleted too)."""
        empty = CatalogModel(revision=self.revision + 1)  # (the rows are rebuilt)
        for name in (f.name for f in fields(self)):
            setattr(self, name, getattr(empty, name))

    def start_fetch(self, *, again: int = 0) -> None:
        """A fetch begins: the accounts shown stay until it says otherwise. `again`: it lists
        only the roles of that many accounts that failed last time."""
        self.revision += 1
        self.progress = Progress(loading=True, accounts=again, again=again)
        self._fetching_ids = set()
        self._pending_roles = set()

    def apply(self, event: CatalogEvent) -> None:
        """Take one event of a running fetch."""
        # The events' classes are made with the first event: six dataclasses that a picker
        # started on a fresh cached catalog, which fetches nothing, never needs.
        from tui.aws.catalog_events import (
            AccountsPage,
            Paced,
            RolesFailed,
            RolesIncomplete,
            RolesLoaded,
            RolesRefused,
        )

        if isinstance(event, Paced):  # said on the status line; no row changes
            self.progress.paced = event if event.throttled else None
            return
        self.revision += 1
        if isinstance(event, AccountsPage):
            for account in event.accounts:
                known = account.account_id in self.accounts
                self.accounts[account.account_id] = account
                self._fetching_ids.add(account.account_id)
                self._pending_roles.add(account.account_id)
                if self._baseline is not None and not known:
                    self.new_accounts.add(account.account_id)
            self.progress.accounts = len(self._fetching_ids)
        elif isinstance(event, RolesLoaded):
            self._mark_new_roles(event.account_id, event.roles)
            self.roles[event.account_id] = event.roles
            self.failed.pop(event.account_id, None)
            self.refused.pop(event.account_id, None)
            self.incomplete.pop(event.account_id, None)
            self._pending_roles.discard(event.account_id)
            self.progress.roles_done += 1
        elif isinstance(event, RolesIncomplete):
            self._mark_new_roles(event.account_id, event.roles)
            self.roles[event.account_id] = event.roles
            self.incomplete[event.account_id] = event.note
            self.failed.pop(event.account_id, None)
            self.refused.pop(event.account_id, None)
            self._pending_roles.discard(event.account_id)
            self.progress.roles_done += 1
        elif isinstance(event, RolesRefused):
            self.roles[event.account_id] = ()
            self.refused[event.account_id] = event.note
            self.failed.pop(event.account_id, None)
            self._pending_roles.discard(event.account_id)
            self.progress.roles_done += 1
        elif isinstance(event, RolesFailed):
            self.failed[event.account_id] = event.reason
            self._pending_roles.discard(event.account_id)
            self.progress.roles_done += 1
            self.progress.failed += 1

    def finish_fetch(self, catalog: Catalog) -> None:
        """The fetch is complete: adopt its catalog; what vanished since the cache is marked."""
        self.revision += 1
        baseline = self._baseline
        gone_accounts: dict[str, Account] = {}
        if baseline is not None:
            fresh_ids = {a.account_id for a in catalog.accounts}
            for account in baseline.accounts:
                if account.account_id not in fresh_ids:
                    gone_accounts[account.account_id] = account
                    continue
                # a refused account shows Identity Center's note, not its old roles as gone
                # and one listed in part, not the roles it could not list as gone
                aid = account.account_id
                if aid in catalog.failed or aid in catalog.refused or aid in catalog.incomplete:
                    continue
                fresh_roles = set(catalog.roles_of(account.account_id))
                for role in baseline.roles_of(account.account_id):
                    if role not in fresh_roles:
                        self.gone_roles.add((account.account_id, role))
        self.show_catalog(catalog, cached=False)
        for account_id, account in gone_accounts.items():
            self.accounts[account_id] = account
            self.roles.setdefault(account_id, baseline.roles_of(account_id) if baseline else ())
        self.gone_accounts = set(gone_accounts)
        self.progress = Progress(
            loading=False,
            accounts=len(catalog.accounts),
            roles_done=len(catalog.accounts),
            failed=len(catalog.failed),
        )
        self._pending_roles = set()

    def fetch_failed(self) -> None:
        """The fetch stopped early; what was shown stays."""
        self.revision += 1
        self.progress.loading = False
        self._pending_roles = set()

    def retry_started(self, account_id: str) -> None:
        """The roles of one account are being listed again."""
        self.revision += 1
        self._pending_roles.add(account_id)

    def retry_done(self, account_id: str, catalog: Catalog | None, reason: str) -> None:
        """A retry finished: the catalog with its roles (or Identity Center's refusal), or
        None when it failed again for `reason`."""
        self.revision += 1
        self._pending_roles.discard(account_id)
        if catalog is None:
            self.failed[account_id] = reason
            return
        self.roles[account_id] = catalog.roles_of(account_id)
        self.failed.pop(account_id, None)
        answers = ((self.refused, catalog.refused), (self.incomplete, catalog.incomplete))
        for marks, notes in answers:
            note = notes.get(account_id)
            if note is None:
                marks.pop(account_id, None)
            else:
                marks[account_id] = note

    def as_catalog(self) -> Catalog | None:
        """The catalog as known now (to save after a retry), without vanished accounts."""
        if self.fetched_at is None:
            return None
        accounts = tuple(a for aid, a in self.accounts.items() if aid not in self.gone_accounts)
        return Catalog(
            accounts=accounts,
            roles={a.account_id: self.roles.get(a.account_id, ()) for a in accounts},
            fetched_at=self.fetched_at,
            failed=dict(self.failed),
            complete=not self.failed,
            refused={aid: note for aid, note in self.refused.items() if aid not in self.failed},
            incomplete={
                aid: note for aid, note in self.incomplete.items() if aid not in self.failed
            },
            accounts_cut=self.accounts_cut,
        )

    def _mark_new_roles(self, account_id: str, roles: tuple[str, ...]) -> None:
        baseline = self._baseline
        # A new account is marked as a whole; its roles are not "new" one by one.
        if baseline is None or account_id in self.new_accounts or account_id not in baseline.roles:
            return
        before = set(baseline.roles_of(account_id))
        self.new_roles.update((account_id, r) for r in roles if r not in before)

    # -- questions ----------------------------------------------------------------------------

    def roles_pending(self, account_id: str) -> bool:
        """True while the roles of the account are being listed and none are known."""
        return account_id in self._pending_roles and account_id not in self.roles

    def account(self, account_id: str) -> Account | None:
        """The account with this id, if known."""
        return self.accounts.get(account_id)

    # -- rows ---------------------------------------------------------------------------------

    def account_rows(self, state: State) -> list[Row[Account]]:
        """One row per account: favourites first, then recently used, then by name."""
        recent = {aid: n for n, aid in enumerate(state.recent_accounts())}
        last = len(recent)
        ordered = sorted(
            self.accounts.values(),
            key=lambda a: (recent.get(a.account_id, last), a.label.casefold(), a.account_id),
        )
        # Nearly every account of a long list has no mark, no pin and no dimming: those are
        # told apart by one look-up in the accounts that have any, rather than by asking each
        # question of each (10,000 cached accounts: most of the rows' time before the first
        # picture, with their names made safe to draw).
        marked = (
            self.failed.keys()
            | self.refused.keys()
            | self.incomplete.keys()
            | self.gone_accounts
            | self.new_accounts
            | self._pending_roles
            | recent.keys()
            | state.favourite_accounts
        )
        rows: list[Row[Account]] = []
        add = rows.append
        for account in ordered:
            aid = account.account_id
            label, email = account.label, account.email
            # `shown`'s own first test, without two calls per row
            if not (label.isascii() and label.isprintable()):
                label = shown(label)
            if not (email.isascii() and email.isprintable()):
                email = shown(email)
            if aid not in marked:
                add(Row(account, (label, aid, email), REST))
                continue
            favourite = state.is_favourite_account(aid)
            rank = FAVOURITE if favourite else RECENT if aid in recent else REST
            mark, kind = self._account_mark(aid, favourite, aid in recent)
            add(Row(account, (label, aid, email), rank, mark, kind, aid in self.gone_accounts))
        return rows

    def _account_mark(self, aid: str, favourite: bool, recent: bool) -> tuple[str, str]:
        if aid in self.failed:
            return "!", "failed"
        if aid in self.refused:
            return "⊘", "refused"
        if aid in self.incomplete:
            return "◐", "incomplete"
        if aid in self.gone_accounts:
            return "−", "gone"
        if aid in self.new_accounts:
            return "+", "new"
        if favourite:
            return "★", "favourite"
        if self.roles_pending(aid):
            return "…", "loading"
        if recent:
            return "•", "recent"
        return "", ""

    def role_rows(self, account_id: str, state: State) -> list[Row[Role]]:
        """The roles of one account: favourites first, then recently used, then by name."""
        recent = {
            role: n for n, (aid, role) in enumerate(state.recent_roles()) if aid == account_id
        }
        listed = list(self.roles.get(account_id, ()))
        listed += [r for a, r in self.gone_roles if a == account_id and r not in listed]
        names = sorted(
            listed,
            key=lambda r: (recent.get(r, len(recent)), r.casefold()),
        )
        gone = account_id in self.gone_accounts
        rows: list[Row[Role]] = []
        for name in names:
            key = (account_id, name)
            favourite = state.is_favourite_role(account_id, name)
            rank = FAVOURITE if favourite else RECENT if name in recent else REST
            if key in self.gone_roles or gone:
                mark, kind = "−", "gone"
            elif key in self.new_roles:
                mark, kind = "+", "new"
            elif favourite:
                mark, kind = "★", "favourite"
            elif name in recent:
                mark, kind = "•", "recent"
            else:
                mark, kind = "", ""
            rows.append(
                Row(
                    value=Role(account_id, name),
                    columns=(shown(name),),
                    rank=rank,
                    mark=mark,
                    mark_kind=kind,
                    dim=key in self.gone_roles or gone,
                )
            )
        return rows
