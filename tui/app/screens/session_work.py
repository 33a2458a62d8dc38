"""The work behind the main screen: token, login when needed, catalog, state file.

A base Screen that owns the thread workers and their results: it reads the cache and the
state file, checks the token, fetches the catalog (streaming its events into the model),
retries an account's roles, and saves favourites. A call the portal answers with 401 (the
service ended the token early) is tried once more with a token renewed from the refresh token
(`_renewing`, in the worker). Failures of every worker reach one handler; a NotLoggedIn that
renewal could not help opens the login screen and, once logged in, re-runs what failed.
The subclass (MainScreen) draws: it is told through `rows_changed` and `status_changed`.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import TypeVar

from textual import on, work
from textual.screen import Screen
from textual.worker import Worker, WorkerState, get_current_worker

from tui.app.failures import failure_text
from tui.app.messages import (
    CacheLoaded,
    CatalogFetched,
    CatalogProgress,
    Notice,
    RolesRetried,
    StateSaved,
    TokenReady,
    TokenRenewed,
)
from tui.app.model import CatalogModel
from tui.app.screens.login import LoginScreen
from tui.app.widgets.status import StatusLine
from tui.aws import catalog as catalog_api
from tui.aws import tokens
from tui.aws.portal import Portal
from tui.errors import NotLoggedIn, SsotuiError
from tui.models import Account, Catalog, SsoSession, Token
from tui.store import catalog_cache
from tui.store import state as state_store
from tui.store.settings import Settings
from tui.store.state import State

R = TypeVar("R")

MID_USE_LOGIN = (
    "Identity Center no longer accepts this session. Log in again and ssotui carries on "
    "where you were."
)


class SessionWorkScreen(Screen[None]):
    """Token, login, catalog and state for one session; subclasses show them."""

    def __init__(
        self, session: SsoSession, *, settings: Settings, open_browser: bool, refresh: bool
    ) -> None:
        super().__init__()
        self.session = session
        self.settings = settings
        self.open_browser = open_browser
        self.force_refresh = refresh
        self.token: Token | None = None
        self.state = State()
        self.model = CatalogModel()
        self.cached: Catalog | None = None
        self._cache_read = False
        self._fetch_started = False
        self._login_open = False
        self._after_login: list[Callable[[], object]] = []
        self._starters: dict[str, Callable[[], object]] = {}

    # -- hooks for the subclass ---------------------------------------------------------------

    def rows_changed(self, *, soon: bool = False) -> None:
        """The catalog or the state changed (`soon`: more changes are on the way)."""

    def status_changed(self) -> None:
        """The catalog's progress or age changed."""

    def on_mount(self) -> None:
        self._start("cache", self._load_cache)
        self._start("token", self._check_token)

    @property
    def status(self) -> StatusLine:
        """The status line."""
        return self.query_one(StatusLine)

    def _start(self, group: str, starter: Callable[[], object]) -> None:
        """Run a worker, remembering how, so it can run again after a login."""
        self._starters[group] = starter
        starter()

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        """The one place this screen handles failed workers."""
        if event.state != WorkerState.ERROR:
            return
        group = event.worker.group
        error = event.worker.error
        if isinstance(error, NotLoggedIn):
            starter = self._starters.get(group)
            if group == "catalog":
                # The new token starts a whole fetch again (see _maybe_fetch).
                starter = None
                self.force_refresh = True
                self.model.fetch_failed()
                self._fetch_started = False
                self.status_changed()
            # A first login needs no explanation; losing a session that worked does.
            reason = MID_USE_LOGIN if self.token is not None and group != "token" else ""
            self._need_login(reason, then=starter)
            return
        if group == "catalog":
            self.model.fetch_failed()
            self._fetch_started = False
            self.status_changed()
            self.status.show_note("catalog fetch failed; ctrl+r to try again")
        message = failure_text(error)
        self.notify(message, severity="error", markup=False, timeout=8)

    def _need_login(self, reason: str, *, then: Callable[[], object] | None) -> None:
        """Show the login screen (once); run `then` after the user logged in."""
        if then is not None:
            self._after_login.append(then)
        self.token = None
        self.status.show_token(None)
        if self._login_open:
            return
        self._login_open = True
        self.app.push_screen(
            LoginScreen(self.session, open_browser=self.open_browser, reason=reason),
            self._logged_in,
        )

    def _logged_in(self, token: Token | None) -> None:
        self._login_open = False
        waiting, self._after_login = self._after_login, []
        if token is None:
            self.notify("Not logged in: ctrl+l to log in, ctrl+q to quit.", markup=False)
            return
        self._use_token(token)
        for again in waiting:
            again()

    def action_login(self) -> None:
        self._need_login("", then=None)

    @work(thread=True, exclusive=True, exit_on_error=False, group="cache")
    def _load_cache(self) -> None:
        self.post_message(CacheLoaded(catalog_cache.load(self.session), state_store.load()))

    @on(CacheLoaded)
    def _cache_loaded(self, message: CacheLoaded) -> None:
        self.state = message.state
        self.cached = message.catalog
        self._cache_read = True
        if message.catalog is not None:
            self.model.show_catalog(message.catalog, cached=True)
            self.rows_changed()
        self._maybe_fetch()

    @work(thread=True, exclusive=True, exit_on_error=False, group="token")
    def _check_token(self) -> None:
        self.post_message(TokenReady(tokens.current_token(self.session)))

    @on(TokenReady)
    def _token_ready(self, message: TokenReady) -> None:
        self._use_token(message.token)

    def _use_token(self, token: Token) -> None:
        self.token = token
        self.status.show_token(token.expires_at)
        self._maybe_fetch()

    def _maybe_fetch(self) -> None:
        """Fetch the catalog once the cache was read and a token is known, unless fresh."""
        if self.token is None or not self._cache_read or self._fetch_started:
            return
        cached = self.cached
        lifetime = self.settings.catalog_lifetime
        fresh = cached is not None and catalog_api.is_fresh(cached, timedelta(seconds=lifetime))
        if fresh and not self.force_refresh and cached is not None and not cached.failed:
            return
        self.force_refresh = False
        retry_only = fresh and cached is not None and bool(cached.failed)
        self._begin_fetch(retry_only=retry_only)

    def _begin_fetch(self, *, retry_only: bool = False) -> None:
        self._fetch_started = True
        self.model.start_fetch()
        self.status.show_note("")
        self.status_changed()
        previous = self.model.as_catalog() or self.cached
        self._start("catalog", lambda: self._fetch_catalog(previous, retry_only))

    @work(thread=True, exclusive=True, exit_on_error=False, group="catalog")
    def _fetch_catalog(self, previous: Catalog | None, retry_only: bool) -> None:
        emit = self._emit_catalog_event

        workers = self.settings.concurrent_requests or catalog_api.DEFAULT_CONCURRENCY

        def fetch(token: Token) -> Catalog:
            if retry_only and previous is not None:
                return catalog_api.retry_failed(
                    self.session, token, previous, on_event=emit, concurrency=workers
                )
            return catalog_api.fetch_catalog(
                self.session, token, on_event=emit, previous=previous, concurrency=workers
            )

        result = self._renewing(fetch, fetch_restarts=True)
        if get_current_worker().is_cancelled:  # a newer fetch replaced this one
            return
        catalog_cache.save(self.session, result)
        self.post_message(CatalogFetched(result))

    def _emit_catalog_event(self, event: catalog_api.CatalogEvent) -> None:
        if not get_current_worker().is_cancelled:
            self.post_message(CatalogProgress(event))

    @on(CatalogProgress)
    def _catalog_progress(self, message: CatalogProgress) -> None:
        self.model.apply(message.event)
        self.rows_changed(soon=True)

    @on(CatalogFetched)
    def _catalog_fetched(self, message: CatalogFetched) -> None:
        self.model.finish_fetch(message.catalog)
        self.cached = message.catalog
        self._fetch_started = False
        self.rows_changed()
        failed = len(message.catalog.failed)
        if failed:
            self.notify(
                f"The roles of {failed} account(s) could not be listed; they are marked ! "
                "and retried on Enter.",
                severity="warning",
                markup=False,
            )

    def action_refresh(self) -> None:
        if self.token is None:
            self._need_login("", then=lambda: self._begin_fetch())
        elif not self._fetch_started:
            self._begin_fetch()

    def _token_or_raise(self) -> Token:
        token = self.token
        if token is None:
            raise tokens.not_logged_in(self.session)
        return token

    def _renewing(self, call: Callable[[Token], R], *, fetch_restarts: bool = False) -> R:
        """Run `call` with the token (in a worker); after a 401, once more with a renewed one.

        Identity Center can end an access token before its expiry (a 401); the refresh token
        usually still works, and the user need not log in again. When it does not either,
        `renewed_token` raises NotLoggedIn and the error handler opens the login screen.
        """
        token = self._token_or_raise()
        try:
            return call(token)
        except NotLoggedIn:
            if get_current_worker().is_cancelled:
                raise
            fresh = tokens.renewed_token(self.session, token)
        # Posted before the second call's own messages, so the screen has the token first.
        self.post_message(TokenRenewed(fresh, fetch_restarts=fetch_restarts))
        return call(fresh)

    @on(TokenRenewed)
    def _token_renewed(self, message: TokenRenewed) -> None:
        self.token = message.token
        self.status.show_token(message.token.expires_at)
        if message.fetch_restarts:
            self.model.start_fetch()  # its events come again from the first page

    def _change_state(self, change: Callable[[State], State]) -> Worker[None]:
        """Apply a change at once on screen; the file follows in a worker (returned)."""
        self.state = change(self.state)
        self.rows_changed()
        return self._save_state(change)

    # Not exclusive: each save applies its own change under the file's lock, and cancelling
    # one that has not started yet would lose a favourite.
    @work(thread=True, exclusive=False, exit_on_error=False, group="state")
    def _save_state(self, change: Callable[[State], State]) -> None:
        self.post_message(StateSaved(state_store.update(change)))

    @on(StateSaved)
    def _state_saved(self, message: StateSaved) -> None:
        if message.state != self.state:
            self.state = message.state
            self.rows_changed()

    @work(thread=True, exclusive=True, exit_on_error=False, group="roles")
    def _retry_roles(self, account: Account) -> None:
        try:
            roles = self._renewing(
                lambda token: Portal(self.session, token).list_roles(account.account_id)
            )
        except NotLoggedIn:
            raise
        except SsotuiError as exc:
            self.post_message(RolesRetried(account.account_id, None, exc.message))
            return
        self.post_message(RolesRetried(account.account_id, roles))

    @on(RolesRetried)
    def _roles_retried(self, message: RolesRetried) -> None:
        self.model.retry_done(message.account_id, message.roles, message.reason)
        self.rows_changed()
        if message.roles is None:
            self.notify(f"Still failing: {message.reason}", severity="error", markup=False)
            return
        catalog = self.model.as_catalog()
        if catalog is not None:
            self._save_catalog(catalog)

    @work(thread=True, exclusive=True, exit_on_error=False, group="cache-save")
    def _save_catalog(self, catalog: Catalog) -> None:
        catalog_cache.save(self.session, catalog)

    @on(Notice)
    def _notice(self, message: Notice) -> None:
        self.notify(
            message.text, severity="error" if message.error else "information", markup=False
        )
