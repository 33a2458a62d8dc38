"""The catalog use cases of one SSO session: the cached catalog, what bringing it up to date
takes (`CatalogPlan`), the fetch, the catalog a door shows when Identity Center is out of reach
(`ShownCatalog`), a failed account tried again, `populate`, and ACCOUNT/ROLE resolved against it.

Part of `Workspace` (`tui.workspace.workspace`), the doors' one way in.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from enum import Enum
from typing import TYPE_CHECKING

from tui import durations
from tui.errors import (
    AccountRefused,
    Ambiguous,
    NotFound,
    PageRepeated,
    ServiceError,
    SsotuiError,
)
from tui.models import Account, Catalog, Token, utcnow
from tui.text import counted
from tui.workspace.session_token import SessionToken, TokenHandler

if TYPE_CHECKING:
    from tui.aws.call_switch import CallSwitch
    from tui.aws.catalog_events import EventHandler
    from tui.aws.roles_first import RolesFirst
    from tui.export.aws_config import PopulateResult
    from tui.store.catalog_cache import CachedCatalog

LONGEST_LIFETIME = 100 * 365 * 86400  # seconds: `catalog_lifetime` beyond this is "never stale"


class CatalogPlan(Enum):
    """What bringing the catalog up to date takes."""

    CACHED = "cached"  # the cache is fresh and complete: no portal call
    RETRY_FAILED = "retry"  # fresh, but some accounts failed: list only their roles again
    FETCH = "fetch"  # no cache, a stale one, or a refresh asked for: the whole catalog


@dataclass(frozen=True)
class ShownCatalog:
    """The catalog a door shows: brought up to date, or the cached one when Identity Center
    could not be reached to bring it up to date (`unreached`: that failure's line)."""

    catalog: Catalog
    unreached: str = ""


def accounts_named(accounts: list[tuple[Account, str]]) -> str:
    """ "account A (id)", or "3 accounts (A, B, C)", or "5 accounts (A, B, C and 2 more)"."""
    from tui.text import printable, some_of

    names = some_of([printable(a.label_with_id) for a, _ in accounts], 3)
    return f"account {names}" if len(accounts) == 1 else f"{len(accounts)} accounts ({names})"


class CatalogUseCases(SessionToken):
    """The catalog of one SSO session: cached, brought up to date, shown, searched."""

    @property
    def concurrency(self) -> int:
        """ListAccountRoles calls in flight at once (`concurrent_requests`)."""
        from tui.aws.catalog import DEFAULT_CONCURRENCY

        return self.settings.concurrent_requests or DEFAULT_CONCURRENCY

    def cached_catalog(self) -> Catalog | None:
        """The catalog cached on disk, however old (None when there is none)."""
        from tui.store import catalog_cache

        return catalog_cache.load(self.paths, self.session)

    def cached_columns(self) -> CachedCatalog | None:
        """The cached catalog as its file holds it, no account built yet: shell completion
        looks among 10,000 names for the few that match (building and sorting every account
        took 20-40 ms of CPU at each Tab)."""
        from tui.store import catalog_cache

        return catalog_cache.load_cached(self.paths, self.session)

    def catalog_plan(self, cached: Catalog | None, *, refresh: bool = False) -> CatalogPlan:
        """What `cached` needs: nothing while fresh, its failed accounts, or a whole fetch."""
        # timedelta ends at ~2.7 million years: a longer `catalog_lifetime` (a user's "never")
        # is a century, rather than an OverflowError.
        lifetime = timedelta(seconds=min(self.settings.catalog_lifetime, LONGEST_LIFETIME))
        if refresh or cached is None or not cached.is_fresh(lifetime):
            return CatalogPlan.FETCH
        return CatalogPlan.RETRY_FAILED if cached.failed else CatalogPlan.CACHED

    def update_catalog(
        self,
        plan: CatalogPlan,
        cached: Catalog | None,
        *,
        on_event: EventHandler | None = None,
        renewed: TokenHandler | None = None,
        switch: CallSwitch | None = None,
        first: RolesFirst | None = None,
    ) -> Catalog:
        """Carry out `plan` over `cached` and save the result (a 401 restarts it once).

        `on_event` streams the fetch's progress; after a renewal the events start again from
        the first page. A failure in one account marks it; the rest is kept and saved.
        `switch` lets the caller hold the portal calls, or stop them (`CallsStopped` is raised
        and nothing is saved): a fetch in the background of the picker. `first` names the
        account whose roles are listed before the others (the one the user looks at).
        """
        from tui.aws import catalog as catalog_api
        from tui.store import catalog_cache

        if plan is CatalogPlan.CACHED and cached is not None:
            return cached

        def run(token: Token) -> Catalog:
            if plan is CatalogPlan.RETRY_FAILED and cached is not None:
                return catalog_api.retry_failed(
                    self.session,
                    token,
                    cached,
                    on_event=on_event,
                    concurrency=self.concurrency,
                    environ=self.environ,
                    deadline=self.settings.request_deadline,
                    switch=switch,
                    first=first,
                )
            return catalog_api.fetch_catalog(
                self.session,
                token,
                on_event=on_event,
                previous=cached,
                concurrency=self.concurrency,
                environ=self.environ,
                deadline=self.settings.request_deadline,
                switch=switch,
                first=first,
            )

        catalog = self.with_token(run, renewed=renewed)
        catalog_cache.save(self.paths, self.session, catalog)
        return catalog

    def catalog(self, *, refresh: bool = False, on_event: EventHandler | None = None) -> Catalog:
        """The catalog: the cached one while fresh (no portal call), else brought up to date.

        Needs a login even when the cache is fresh: a catalog nobody may use any more is not
        shown as if it were current.
        """
        return self._catalog_from(self.cached_catalog(), refresh=refresh, on_event=on_event)

    def _catalog_from(
        self, cached: Catalog | None, *, refresh: bool, on_event: EventHandler | None = None
    ) -> Catalog:
        """`catalog`, the cache already read (`cached`)."""
        self.token()
        return self.update_catalog(
            self.catalog_plan(cached, refresh=refresh), cached, on_event=on_event
        )

    def catalog_to_show(
        self, *, refresh: bool = False, on_event: EventHandler | None = None
    ) -> ShownCatalog:
        """The catalog as `catalog` brings it; when Identity Center cannot be reached to bring
        a cached one up to date (ServiceError: offline, throttled past retries, a 5xx, a
        listing that never ends), that cache and why, rather than nothing (it holds no
        secrets). A listing that goes round is no failure: it ends where a page repeats, and
        the catalog says so (`Catalog.accounts_cut`, `Catalog.incomplete`).

        Not with `refresh` (a fresh catalog was asked for), nor without a cache, nor when a
        login is needed (NotLoggedIn: a catalog nobody may use is not shown).
        """
        return self._shown_from(self.cached_catalog(), refresh=refresh, on_event=on_event)

    def _shown_from(
        self, cached: Catalog | None, *, refresh: bool, on_event: EventHandler | None = None
    ) -> ShownCatalog:
        """`catalog_to_show`, the cache already read (`cached`): read once per use case."""
        try:
            return ShownCatalog(self._catalog_from(cached, refresh=refresh, on_event=on_event))
        except ServiceError as exc:
            if cached is None or refresh:
                raise
            return ShownCatalog(cached, unreached=exc.message)

    def retry_account(self, catalog: Catalog, account: Account) -> Catalog:
        """List again the roles of one account whose listing failed; save and return the
        catalog with them, or with the account refused when Identity Center refuses it, or
        incomplete when its listing goes round (SsotuiError, and the account still marked, when
        it fails again)."""
        from tui.store import catalog_cache

        try:
            roles = self.with_token(
                lambda token: self._portal(token).list_roles(account.account_id)
            )
        except AccountRefused as exc:
            updated = catalog.with_refused(account.account_id, exc.note)
        except PageRepeated as exc:
            updated = catalog.with_incomplete(account.account_id, exc.found, exc.note)
        else:
            updated = catalog.with_roles(account.account_id, roles)
        catalog_cache.save(self.paths, self.session, updated)
        return updated

    def populate(
        self, *, region: str | None = None, prefix: str | None = None, dry_run: bool = False
    ) -> PopulateResult:
        """SSO profiles for every role, from a catalog fetched afresh (count, diff, and the
        roles skipped because the config file cannot hold their names, and the accounts
        Identity Center refused, which get no profiles).

        Refuses when some account's roles could not be listed (a failure that may pass), or
        when Identity Center repeated a page of a listing (the accounts after it, or the roles
        after it, are missing): their profiles would be dropped.
        """
        from tui.export.aws_config import populate_profiles, session_name

        session_name(self.session)  # refused before a login and a fetch of every account
        catalog = self.catalog(refresh=True)
        if catalog.failed:
            raise SsotuiError(
                f"the roles of {counted(len(catalog.failed), 'account')} could not be listed, so "
                "populate changed nothing (it would drop their profiles); run it again"
            )
        if catalog.accounts_cut or catalog.incomplete:
            which = (
                f"the accounts (after {len(catalog.accounts)})"
                if catalog.accounts_cut
                else f"the roles of {accounts_named(catalog.incomplete_accounts())}"
            )
            raise ServiceError(
                f"Identity Center repeated a page of {which} (session {self.session.label}), "
                "so populate changed nothing (it would drop the profiles it could not list); "
                "run it again later, and if it persists tell your administrator"
            )
        return populate_profiles(
            self.paths,
            self.session,
            catalog,
            region=region,
            default_region=self.session.default_region,
            prefix=prefix,
            template=self.settings.profile_template,
            dry_run=dry_run,
        )

    def find(
        self, account_text: str, role_text: str, *, refresh: bool = False
    ) -> tuple[Account, str]:
        """The account and role a user typed (ACCOUNT, ROLE), resolved against the catalog.

        NotFound when they name nothing; when the catalog came from the cache, its line says
        that --refresh fetches it afresh (an account or role assigned since is not in it).

        A fresh, complete cache resolves the names without the token: with role credentials
        kept too, a `credential_process` call then needs no network at all. And it resolves
        them on the file's columns (`CachedCatalog`), by the same rules (`find_among`), building
        only the accounts that match: among 10,000 cached accounts, building them all took
        more time than the rest of the lookup. The role is then found in the catalog of that
        one account (`CachedCatalog.narrowed`), with the whole catalog's failures.
        """
        from tui.store import catalog_cache
        from tui.workspace.select import find_account, find_among, find_role

        started = utcnow()
        cached = None if refresh else catalog_cache.load_cached(self.paths, self.session)
        if cached is not None and self.catalog_plan(cached.frame) is CatalogPlan.CACHED:
            catalog = cached.frame  # no account yet; its time, for the line of a failure
        else:
            cached = None
            catalog = self._catalog_once(refresh=refresh)
        try:
            if cached is None:
                account = find_account(catalog, account_text)
            else:
                account = find_among(cached.ids, cached.names, cached.account, account_text)
                catalog = cached.narrowed(account)
            return account, find_role(catalog, account, role_text, refreshed=refresh)
        except Ambiguous:
            raise
        except NotFound as exc:
            if refresh or catalog.fetched_at >= started or "--refresh" in exc.message:
                raise
            ago = durations.age(catalog.fetched_at, started)
            raise NotFound(
                f"{exc.message} (the catalog was cached {ago}: add --refresh for an "
                "account or role assigned since)"
            ) from None

    def _catalog_once(self, *, refresh: bool) -> Catalog:
        """The catalog brought up to date by one process at a time: `credential_process` calls
        started together (Terraform starts one per provider) wait for the first one's fetch and
        use the catalog it saved, rather than each listing every account. When Identity Center
        cannot be reached to bring a cached one up to date, that one (`catalog_to_show`): the
        names resolve, and role credentials kept between runs still serve offline."""
        from tui.store import catalog_cache

        with catalog_cache.one_update(self.paths, self.session):
            cached = self.cached_catalog()
            if (
                not refresh
                and cached is not None
                and self.catalog_plan(cached) is CatalogPlan.CACHED
            ):
                return cached
            return self._shown_from(cached, refresh=refresh).catalog
