"""One SSO session's use cases, written once for the command line and the picker.

A `Workspace` is built once per process and session from the settings and a snapshot of the
environment (`tui.workspace.context`). Its methods block (call them from a thread worker in the
picker) and report progress through plain callbacks. A portal call that gets a 401 is tried once
more with a token renewed from the refresh token (`with_token`), whichever door asked.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import Enum
from typing import TYPE_CHECKING, TypeVar

from tui.errors import (
    AccountRefused,
    Ambiguous,
    NotFound,
    NotLoggedIn,
    ServiceError,
    SsotuiError,
)
from tui.models import Account, Catalog, RoleCredentials, SsoSession, Token, utcnow
from tui.store.settings import Settings
from tui.workspace.handoff import Handoff

if TYPE_CHECKING:
    from pathlib import Path

    from tui.aws.call_switch import CallSwitch
    from tui.aws.catalog_events import EventHandler
    from tui.aws.login_flows import LoginEvent
    from tui.aws.portal import Portal
    from tui.aws.regions import AwsRegion
    from tui.aws.roles_first import RolesFirst
    from tui.export.aws_config import PopulateResult
    from tui.serve import CredentialEndpoint
    from tui.store.state import State

T = TypeVar("T")
# Kept role credentials are reused while they have more than this left (botocore asks for new
# container credentials from 15 minutes before expiry, the AWS CLI's SSO cache likewise).
CREDENTIALS_MARGIN = timedelta(minutes=15)
TokenHandler = Callable[[Token], object]
# A renewal of the credential endpoint while the credentials it replaces are still handed out:
# no caller waits for it, and a failed one is tried again after a growing wait
# (`tui.serve.renewing`), so its call gets this many seconds (at most `request_deadline`) and
# this many retries after a 429 (a command's call: 15 s and 20, ~21 attempts when throttled).
RENEWAL_DEADLINE = 4.0
RENEWAL_THROTTLE_RETRIES = 2
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


def cached_ago(fetched_at: datetime, now: datetime | None = None) -> str:
    """How long ago a catalog was cached, in the user's words ("12 min", "3 h", "2 days")."""
    minutes = max(0, int(((now or utcnow()) - fetched_at).total_seconds() // 60))
    if minutes < 1:
        return "under a minute"
    if minutes < 120:
        return f"{minutes} min"
    hours = minutes // 60
    return f"{hours} h" if hours < 48 else f"{hours // 24} days"


@dataclass(frozen=True)
class LogoutReport:
    """What `log_out` did, for the door to say."""

    revoked: bool
    problem: str = ""  # why the token could not be revoked at the service
    token_expires: datetime | None = None  # until when an unrevoked token stays valid there
    token_deleted: bool = False
    catalog_deleted: bool = False
    credentials_deleted: int = 0  # role credentials kept between runs
    purged: tuple[str, ...] = ()
    purge_problem: str = ""  # why the profiles ssotui wrote could not be removed (file kept)
    # role credentials the AWS CLI cached for this session's profiles (`tui.aws.cli_role_cache`)
    cli_credentials_deleted: int = 0
    cli_credentials_failed: tuple[tuple[Path, str], ...] = ()  # (file, why) left behind
    cli_folders_unsearched: tuple[tuple[Path, str], ...] = ()  # (folder, why) not looked in


class Workspace:
    """The use cases of one SSO session."""

    def __init__(
        self, session: SsoSession, *, settings: Settings, environ: Mapping[str, str]
    ) -> None:
        self.session = session
        self.settings = settings
        self.environ = environ
        self.handoff = Handoff(session, settings=settings, environ=environ)

    # -- the token ------------------------------------------------------------------------------

    def token(self) -> Token:
        """A usable token, refreshed when near expiry; NotLoggedIn when a login is needed."""
        from tui.aws.tokens import current_token
        from tui.logs import hide

        token = current_token(self.session)
        hide(token.access_token, token.refresh_token, token.client_secret)
        return token

    def with_token(self, work: Callable[[Token], T], *, renewed: TokenHandler | None = None) -> T:
        """Run `work` with the token; after a 401, once more with a token renewed for it.

        Identity Center can end an access token before its expiry; the refresh token usually
        still works. `renewed` hears of the new token before the second call starts. When no
        token can be had, NotLoggedIn tells the door to offer a login.
        """
        from tui.aws.tokens import renewed_token
        from tui.logs import hide

        token = self.token()
        try:
            return work(token)
        except NotLoggedIn:
            fresh = renewed_token(self.session, token)
        hide(fresh.access_token, fresh.refresh_token, fresh.client_secret)
        if renewed is not None:
            renewed(fresh)
        return work(fresh)

    def log_in(
        self,
        *,
        use_device_code: bool = False,
        no_browser: bool = False,
        force: bool = False,
        announce: Callable[[LoginEvent], object] | None = None,
        cancelled: Callable[[], bool] | None = None,
        sleep: Callable[[float], object] | None = None,
    ) -> Token:
        """Log in, unless a usable token is cached and `force` is not set.

        In the browser with PKCE by default; with a device code when asked, over SSH, where no
        browser can start (saying why), or with `no_browser` (also config.toml's
        `open_browser = false`). One login per session at a time, across processes.
        """
        import time

        from tui import browser
        from tui.aws.flow_choice import choose_flow
        from tui.aws.login_flows import log_in, print_event

        opens = self.opens_browser(no_browser=no_browser)
        choice = choose_flow(
            use_device_code=use_device_code,
            no_browser=no_browser or not self.settings.open_browser,
            environ=self.environ,
            browser_can_start=browser.browser_can_start(self.environ),
            named_session=self.session.name is not None,
        )
        say = announce or print_event

        def open_url(url: str) -> bool:
            return browser.open_url(url, self.environ)

        return log_in(
            self.session,
            flow=choice.flow,
            announce=say,
            cancelled=cancelled,
            open_url=open_url if opens else None,
            force=force,
            sleep=sleep or time.sleep,
            fallback=choice.reason if choice.fallback else None,
        )

    def opens_browser(self, *, no_browser: bool = False) -> bool:
        """Whether a login opens the browser by itself: a graphical one can start here, and
        neither `no_browser` (--no-browser) nor config.toml's `open_browser = false` forbids it."""
        from tui import browser

        return (
            not no_browser
            and self.settings.open_browser
            and browser.browser_can_start(self.environ)
        )

    def log_out(self, *, purge: bool = False) -> LogoutReport:
        """Revoke the token at the service, delete it, the catalog cache, the kept role
        credentials and those the AWS CLI cached for this session's roles; `purge`: also the
        profiles ssotui wrote to the shared credentials file.

        The token is read, revoked and deleted under the lock its refreshes take: a refresh
        another ssotui process has in flight (a `credential_process` run by Terraform) ends
        first and its new token is the one revoked and deleted; one that starts meanwhile
        waits, then finds no token and writes none back.
        """
        from tui.aws.token_cache import delete_token, load_token, token_lock
        from tui.store import catalog_cache, logouts, sign_ins

        roles = self._roles_reached()  # before the logout makes the catalog unreadable
        with token_lock(self.session):
            try:
                token = load_token(self.session)
            except SsotuiError:
                token = None  # a corrupt cache is deleted all the same
            revoked, problem = False, ""
            if token is not None and not token.is_expired:
                try:
                    self._portal(token).logout()  # no renewal on a 401: that takes this lock
                    revoked = True
                except SsotuiError as exc:
                    problem = exc.message
            token_deleted = delete_token(self.session)
            # After the token is gone: whatever another process fetches from here on needs a
            # new login, and whatever it fetched before is never used (tui.store.logouts).
            logouts.record(self.session)
            sign_ins.forget(self.session)  # no later sign-in continues this one
        purged: tuple[str, ...] = ()
        purge_problem = ""
        if purge:  # a file it may not change is said, and the rest of the logout goes on
            from tui.export.credentials_file import purge_written_profiles

            try:
                purged = tuple(purge_written_profiles())
            except SsotuiError as exc:
                purge_problem = exc.message
        from tui import paths
        from tui.aws.cli_role_cache import delete_cached
        from tui.store import credentials_cache

        # After the token is gone, so the AWS CLI cannot fetch and cache them again.
        swept = delete_cached(self.session, roles, paths.aws_role_cache_dirs())
        return LogoutReport(
            cli_credentials_deleted=swept.deleted,
            cli_credentials_failed=swept.failed,
            cli_folders_unsearched=swept.unsearched,
            credentials_deleted=credentials_cache.delete(self.session),
            token_expires=token.expires_at if token is not None else None,
            revoked=revoked,
            problem=problem,
            token_deleted=token_deleted,
            catalog_deleted=catalog_cache.delete(self.session),
            purged=purged,
            purge_problem=purge_problem,
        )

    def _roles_reached(self) -> set[tuple[str, str]]:
        """Every (account id, role) of this session the AWS CLI may have cached credentials
        for: the cached catalog's, and those of the AWS config file's profiles that use this
        session (a profile may name a role the catalog no longer lists)."""
        from tui.aws.cli_role_cache import profile_roles
        from tui.aws.sessions import config_sections, profile_map
        from tui.store import catalog_cache

        catalog = catalog_cache.load(self.session)
        roles = {(a.account_id, role) for a, role in catalog.pairs()} if catalog else set()
        try:
            profiles = profile_map(config_sections()).get("profiles", {})
        except SsotuiError:
            profiles = {}  # a config file botocore cannot read gave the AWS CLI no profile
        return roles | profile_roles(self.session, profiles)

    def _portal(self, token: Token, *, background: bool = False) -> Portal:
        """The portal for one piece of work (a call, a retry), with `request_deadline`;
        `background`: work no one waits for, tried again later if it fails (shorter deadline,
        fewer retries after a 429)."""
        from tui.aws.portal import Portal

        deadline = self.settings.request_deadline
        if not background:
            return Portal(self.session, token, deadline=deadline)
        return Portal(
            self.session,
            token,
            deadline=min(RENEWAL_DEADLINE, deadline),
            throttle_retries=RENEWAL_THROTTLE_RETRIES,
        )

    # -- the catalog ----------------------------------------------------------------------------

    @property
    def concurrency(self) -> int:
        """ListAccountRoles calls in flight at once (`concurrent_requests`)."""
        from tui.aws.catalog import DEFAULT_CONCURRENCY

        return self.settings.concurrent_requests or DEFAULT_CONCURRENCY

    def cached_catalog(self) -> Catalog | None:
        """The catalog cached on disk, however old (None when there is none)."""
        from tui.store import catalog_cache

        return catalog_cache.load(self.session)

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
                deadline=self.settings.request_deadline,
                switch=switch,
                first=first,
            )

        catalog = self.with_token(run, renewed=renewed)
        catalog_cache.save(self.session, catalog)
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
        listing that loops), that cache and why, rather than nothing (it holds no secrets).

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
        catalog with them, or with the account refused when Identity Center refuses it
        (SsotuiError, and the account still marked, when it fails again)."""
        from tui.store import catalog_cache

        try:
            roles = self.with_token(
                lambda token: self._portal(token).list_roles(account.account_id)
            )
        except AccountRefused as exc:
            updated = catalog.with_refused(account.account_id, exc.note)
        else:
            updated = catalog.with_roles(account.account_id, roles)
        catalog_cache.save(self.session, updated)
        return updated

    def populate(
        self, *, region: str | None = None, prefix: str = "", dry_run: bool = False
    ) -> PopulateResult:
        """SSO profiles for every role, from a catalog fetched afresh (count, diff, and the
        roles skipped because the config file cannot hold their names, and the accounts
        Identity Center refused, which get no profiles).

        Refuses when some account's roles could not be listed (a failure that may pass): its
        profiles would be dropped.
        """
        from tui.export.aws_config import populate_profiles

        catalog = self.catalog(refresh=True)
        if catalog.failed:
            raise SsotuiError(
                f"the roles of {len(catalog.failed)} account(s) could not be listed, so populate "
                "changed nothing (it would drop their profiles); run it again"
            )
        return populate_profiles(
            self.session,
            catalog,
            region=region,
            default_region=self.session.default_region,
            prefix=prefix,
            template=self.settings.profile_template,
            dry_run=dry_run,
        )

    # -- favourites and recent roles ------------------------------------------------------------

    def load_state(self) -> State:
        """Favourites and recently used roles (state.toml)."""
        from tui.store import state

        return state.load()

    def update_state(self, change: Callable[[State], State]) -> State:
        """Apply `change` to state.toml under its lock (other processes' changes kept)."""
        from tui.store import state

        return state.update(change)

    # -- regions --------------------------------------------------------------------------------

    def credential_regions(self) -> tuple[AwsRegion, ...]:
        """The regions this session's role credentials can be used in (its partition's)."""
        from tui.aws.regions import partition_regions

        return partition_regions(self.session.region)

    def region_for(self, state: State, account_id: str) -> str | None:
        """The region for an account's credentials: the one chosen for it (state.toml), else
        the session's default region, else none."""
        return state.region_of(account_id) or self.session.default_region

    def profile_region(self, state: State, account_id: str) -> str | None:
        """The `region` line of a profile written for an account: the region chosen for it
        (state.toml), else none; `default_region` stays out of the credentials file, as with
        `write-profile` without --region."""
        return state.region_of(account_id)

    # -- role credentials (what is done with them: `self.handoff`) -------------------------

    def role_credentials(
        self,
        account: Account,
        role: str,
        *,
        region: str | None = None,
        fresh: bool = False,
        renewed: TokenHandler | None = None,
        background: bool = False,
        token_step: Callable[[bool], object] | None = None,
    ) -> RoleCredentials:
        """Short-lived credentials for one role of the catalog.

        Kept between runs (`cache_role_credentials`) and reused while they have more than
        15 minutes left, unless `fresh`; processes asking at once share one fetch. `region`
        (else the session's default region, else none) goes with them to the environment.
        `background`: no one waits for them (the credential endpoint's renewal while the old
        ones are handed out): the portal call tries less hard (`RENEWAL_DEADLINE`,
        `RENEWAL_THROTTLE_RETRIES`). `token_step` hears True while a fetch gets the SSO token
        (which may mean renewing it), False once it asks for the credentials.
        """
        from dataclasses import replace

        from tui.logs import hide
        from tui.workspace.handoff import check_partition

        check_partition(region or self.session.default_region, self.session)
        if self.settings.cache_role_credentials:
            from tui.store import credentials_cache, logouts, sign_ins

            with credentials_cache.one_fetch(self.session, account, role) as path:
                kept = None
                # Read before the fetch: what it gets is kept under the sign-in it may have
                # used, never under a later one.
                signed_in = self._signed_in()
                if not fresh and signed_in is not None:
                    kept = credentials_cache.load(
                        path,
                        account,
                        role,
                        margin=CREDENTIALS_MARGIN,
                        logged_out=logouts.last(self.session),
                        signed_in=signed_in,
                        continued=sign_ins.continued_by(self.session, signed_in),
                    )
                # Taken before the token is read: a logout after it makes these unusable.
                started = utcnow()
                creds = kept or self._fetch_credentials(
                    account, role, renewed, background=background, token_step=token_step
                )
                if kept is None:
                    credentials_cache.save(path, creds, fetched_at=started, signed_in=signed_in)
                    if logouts.started_before_logout(self.session, started):
                        path.unlink(missing_ok=True)  # a logout came meanwhile: keep nothing
        else:
            creds = self._fetch_credentials(
                account, role, renewed, background=background, token_step=token_step
            )
        hide(creds.secret_access_key, creds.session_token)
        return replace(
            creds,
            region=region or self.session.default_region,
            session_label=self.session.label,
        )

    def _signed_in(self) -> str | None:
        """Which sign-in the session's token in the shared cache (expired or not) belongs to
        (`tui.store.sign_ins.sign_in`), None without one: kept credentials outlive neither
        `ssotui logout` nor `aws sso logout` (which deletes every token file and the AWS CLI's
        own kept credentials), not even once the user has logged in again; they outlive the
        renewals ssotui makes (`tui.store.sign_ins`)."""
        from tui.aws.token_cache import load_token
        from tui.store.sign_ins import sign_in

        try:
            token = load_token(self.session)
        except NotLoggedIn:
            return None  # an unreadable cache: the fetch says so in one line
        return None if token is None else sign_in(token)

    def _fetch_credentials(
        self,
        account: Account,
        role: str,
        renewed: TokenHandler | None,
        *,
        background: bool = False,
        token_step: Callable[[bool], object] | None = None,
    ) -> RoleCredentials:
        step = token_step or (lambda _token: None)

        def fetch(token: Token) -> RoleCredentials:
            step(False)
            try:
                return self._portal(token, background=background).role_credentials(account, role)
            except NotLoggedIn:
                step(True)  # a 401: the token is renewed for another try
                raise

        step(True)
        return self.with_token(fetch, renewed=renewed)

    def credential_endpoint(
        self, account: Account, role: str, *, region: str | None = None, fresh: bool = False
    ) -> CredentialEndpoint:
        """A loopback endpoint (not started: use it in a `with`) that serves the role's
        credentials and renews them, and the SSO token, before they expire; never prompts
        (`tui.workspace.endpoint`). `fresh`: its first credentials are fetched anew."""
        from tui.workspace.endpoint import credential_endpoint

        return credential_endpoint(self, account, role, region=region, fresh=fresh)

    def find(
        self, account_text: str, role_text: str, *, refresh: bool = False
    ) -> tuple[Account, str]:
        """The account and role a user typed (ACCOUNT, ROLE), resolved against the catalog.

        NotFound when they name nothing; when the catalog came from the cache, its line says
        that --refresh fetches it afresh (an account or role assigned since is not in it).
        """
        from tui.workspace.select import find_account, find_role

        started = utcnow()
        catalog = None if refresh else self.cached_catalog()
        # A fresh, complete cache resolves the names without the token: with role credentials
        # kept too, a `credential_process` call then needs no network at all.
        if catalog is None or self.catalog_plan(catalog) is not CatalogPlan.CACHED:
            catalog = self._catalog_once(refresh=refresh)
        try:
            account = find_account(catalog, account_text)
            return account, find_role(catalog, account, role_text)
        except Ambiguous:
            raise
        except NotFound as exc:
            if catalog.fetched_at >= started or "--refresh" in exc.message:
                raise
            ago = cached_ago(catalog.fetched_at, started)
            raise NotFound(
                f"{exc.message} (the catalog was cached {ago} ago: add --refresh for an "
                "account or role assigned since)"
            ) from None

    def _catalog_once(self, *, refresh: bool) -> Catalog:
        """The catalog brought up to date by one process at a time: `credential_process` calls
        started together (Terraform starts one per provider) wait for the first one's fetch and
        use the catalog it saved, rather than each listing every account. When Identity Center
        cannot be reached to bring a cached one up to date, that one (`catalog_to_show`): the
        names resolve, and role credentials kept between runs still serve offline."""
        from tui.store import catalog_cache

        with catalog_cache.one_update(self.session):
            cached = self.cached_catalog()
            if (
                not refresh
                and cached is not None
                and self.catalog_plan(cached) is CatalogPlan.CACHED
            ):
                return cached
            return self._shown_from(cached, refresh=refresh).catalog

    def credentials_for(
        self,
        account_text: str,
        role_text: str,
        *,
        refresh: bool = False,
        region: str | None = None,
    ) -> RoleCredentials:
        """Credentials for the ACCOUNT and ROLE a user typed (resolved against the catalog)."""
        account, role = self.find(account_text, role_text, refresh=refresh)
        return self.role_credentials(account, role, region=region, fresh=refresh)
