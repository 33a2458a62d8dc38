"""The main screen: accounts and roles panes, the status line, and the work behind them.

It routes messages between the two panes and starts thread workers for everything that blocks
(cache, token, catalog, role credentials, files); their results come back as messages and their
failures reach one handler. A NotLoggedIn anywhere opens the login screen over this one and,
once logged in, re-runs what failed, so the user lands back where they were.
"""

from __future__ import annotations

import gc
import os
import shlex
from collections.abc import Callable
from datetime import timedelta
from typing import ClassVar

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal
from textual.screen import Screen
from textual.widgets import Footer
from textual.worker import Worker, WorkerState

from tui import paths
from tui.app.messages import (
    CacheLoaded,
    CatalogFetched,
    CatalogProgress,
    CredentialsReady,
    Notice,
    RolesRetried,
    StateSaved,
    TokenReady,
)
from tui.app.model import CatalogModel
from tui.app.screens.actions import Action, ActionMenu, ProfileNameScreen
from tui.app.screens.login import LoginScreen
from tui.app.terminal import handed_over
from tui.app.widgets.filter_list import FilterList
from tui.app.widgets.status import StatusLine
from tui.aws import catalog as catalog_api
from tui.aws import tokens
from tui.aws.models import Account, Catalog, Role, RoleCredentials, SsoSession, Token
from tui.aws.portal import Portal
from tui.errors import NotLoggedIn, SsotuiError
from tui.export import clipboard, credentials_file, formats, subshell
from tui.store import catalog_cache
from tui.store import state as state_store
from tui.store.settings import Settings
from tui.store.state import State

ROWS_DELAY = 0.05  # batch the catalog's events into one list update per 50 ms
FREEZE_ROWS = 2000
MID_USE_LOGIN = (
    "Identity Center no longer accepts this session. Log in again and ssotui carries on "
    "where you were."
)  # with this many rows, keep the garbage collector out of typing


class MainScreen(Screen[None]):
    """Accounts on the left, roles of the highlighted account on the right."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "back", "Back"),
        Binding("ctrl+f", "favourite", "Favourite"),
        Binding("ctrl+r", "refresh", "Refresh"),
        Binding("ctrl+l", "login", "Log in", show=False),
    ]

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
        self._rows_pending = False
        self._login_open = False
        self._after_login: list[Callable[[], object]] = []
        self._starters: dict[str, Callable[[], object]] = {}

    # -- layout -------------------------------------------------------------------------------

    def compose(self) -> ComposeResult:
        yield StatusLine(self.session.label, id="status")
        with Horizontal(id="panes"):
            yield FilterList[Account](
                title="Accounts",
                placeholder="filter accounts: name, id, email…",
                empty="loading accounts…",
                tab_chooses=True,
                id="accounts",
            )
            yield FilterList[Role](
                title="Roles",
                placeholder="filter roles…",
                empty="",
                id="roles",
            )
        yield Footer()

    @property
    def accounts(self) -> FilterList[Account]:
        """The accounts pane."""
        return self.query_one("#accounts", FilterList)

    @property
    def roles(self) -> FilterList[Role]:
        """The roles pane."""
        return self.query_one("#roles", FilterList)

    @property
    def status(self) -> StatusLine:
        """The status line."""
        return self.query_one(StatusLine)

    @property
    def export_format(self) -> str:
        """The export format for copy and print: the configured one, else from $SHELL."""
        return self.settings.export_format or formats.default_format(os.environ.get("SHELL"))

    def on_mount(self) -> None:
        self.accounts.focus_filter()
        self._start("cache", self._load_cache)
        self._start("token", self._check_token)

    # -- running work -------------------------------------------------------------------------

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
                self.model.fetch_failed()
                self._fetch_started = False
                self._update_status()
            # At start-up the login screen needs no explanation; later it does.
            reason = "" if group == "token" else MID_USE_LOGIN
            self._need_login(reason, then=starter)
            return
        if group == "catalog":
            self.model.fetch_failed()
            self._fetch_started = False
            self._update_status()
            self.status.show_note("catalog fetch failed; ctrl+r to try again")
        message = (
            error.message if isinstance(error, SsotuiError) else f"unexpected error: {error!r}"
        )
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

    # -- cache, token, catalog ----------------------------------------------------------------

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
            self._update_rows()
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
        self._update_status()
        previous = self.model.as_catalog() or self.cached
        self._start("catalog", lambda: self._fetch_catalog(previous, retry_only))

    @work(thread=True, exclusive=True, exit_on_error=False, group="catalog")
    def _fetch_catalog(self, previous: Catalog | None, retry_only: bool) -> None:
        token = self._token_or_raise()
        emit = self._emit_catalog_event
        if retry_only and previous is not None:
            result = catalog_api.retry_failed(self.session, token, previous, on_event=emit)
        else:
            result = catalog_api.fetch_catalog(
                self.session, token, on_event=emit, previous=previous
            )
        catalog_cache.save(self.session, result)
        self.post_message(CatalogFetched(result))

    def _emit_catalog_event(self, event: catalog_api.CatalogEvent) -> None:
        self.post_message(CatalogProgress(event))

    @on(CatalogProgress)
    def _catalog_progress(self, message: CatalogProgress) -> None:
        self.model.apply(message.event)
        self._schedule_rows()

    @on(CatalogFetched)
    def _catalog_fetched(self, message: CatalogFetched) -> None:
        self.model.finish_fetch(message.catalog)
        self.cached = message.catalog
        self._fetch_started = False
        self._update_rows()
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

    # -- rows ---------------------------------------------------------------------------------

    def _schedule_rows(self) -> None:
        if not self._rows_pending:
            self._rows_pending = True
            self.set_timer(ROWS_DELAY, self._update_rows)

    def _update_rows(self) -> None:
        self._rows_pending = False
        rows = self.model.account_rows(self.state)
        self.accounts.set_rows(rows, same=_same_account)
        self.accounts.set_empty_text(
            "loading accounts…" if self.model.progress.loading or not rows else "no account matches"
        )
        self._show_roles(self.accounts.highlighted_item)
        self._update_status()
        if len(rows) >= FREEZE_ROWS and not self.model.progress.loading:
            # Long-lived rows would make every full collection walk them mid-keystroke.
            gc.freeze()

    def _update_status(self) -> None:
        model = self.model
        self.status.show_catalog(
            fetched_at=model.fetched_at,
            from_cache=model.from_cache,
            progress=model.progress,
            accounts=len(model.accounts),
        )

    def _show_roles(self, account: Account | None) -> None:
        pane = self.roles
        if account is None:
            pane.set_title("Roles")
            pane.set_rows([])
            pane.set_empty_text("")
            return
        model = self.model
        aid = account.account_id
        pane.set_title(f"Roles · {account.name}")
        pane.set_rows(model.role_rows(aid, self.state), same=_same_role)
        if aid in model.failed:
            empty = f"roles could not be listed: {model.failed[aid]} (Enter to retry)"
        elif model.roles_pending(aid) or (model.progress.loading and aid not in model.roles):
            empty = "loading roles…"
        elif aid in model.gone_accounts:
            empty = "this account is no longer in the catalog"
        else:
            empty = "no roles you can use in this account"
        pane.set_empty_text(empty)

    @on(FilterList.Highlighted, "#accounts")
    def _account_highlighted(self, event: FilterList.Highlighted) -> None:
        self._show_roles(event.item if isinstance(event.item, Account) else None)

    # -- navigation ---------------------------------------------------------------------------

    @on(FilterList.Chosen, "#accounts")
    def _account_chosen(self, event: FilterList.Chosen) -> None:
        account = event.item
        if not isinstance(account, Account):
            return
        aid = account.account_id
        if aid in self.model.gone_accounts:
            self.notify(f"{account.name} is no longer in the catalog.", markup=False)
            return
        if aid in self.model.failed:
            self._start("roles", lambda: self._retry_roles(account))
            self.model.retry_started(aid)
            self._show_roles(account)
        elif not self.model.roles.get(aid) and not self.model.roles_pending(aid):
            self.notify(f"{account.name} has no roles you can use.", markup=False)
            return
        self.roles.clear_filter()
        self.roles.focus_filter()

    @on(FilterList.Chosen, "#roles")
    def _role_chosen(self, event: FilterList.Chosen) -> None:
        role = event.item
        account = self.accounts.highlighted_item
        if not isinstance(role, Role) or account is None:
            return
        if (role.account_id, role.role_name) in self.model.gone_roles:
            self.notify(f"{role.role_name} is no longer in the catalog.", markup=False)
            return
        self.app.push_screen(
            ActionMenu(account, role.role_name, self.export_format),
            lambda action: self._action_chosen(account, role.role_name, action),
        )

    def action_back(self) -> None:
        if self.roles.has_focus_within:
            self.accounts.focus_filter()
        elif self.accounts.query_text:
            self.accounts.clear_filter()

    def action_favourite(self) -> None:
        if self.roles.has_focus_within:
            role = self.roles.highlighted_item
            if role is None:
                return
            aid, name = role.account_id, role.role_name
            self._change_state(lambda s: s.toggle_favourite_role(aid, name))
        else:
            account = self.accounts.highlighted_item
            if account is None:
                return
            aid = account.account_id
            self._change_state(lambda s: s.toggle_favourite_account(aid))

    def _change_state(self, change: Callable[[State], State]) -> None:
        self.state = change(self.state)  # at once on screen; the file follows in a worker
        self._update_rows()
        self._save_state(change)

    @work(thread=True, exclusive=True, exit_on_error=False, group="state")
    def _save_state(self, change: Callable[[State], State]) -> None:
        self.post_message(StateSaved(state_store.update(change)))

    @on(StateSaved)
    def _state_saved(self, message: StateSaved) -> None:
        if message.state != self.state:
            self.state = message.state
            self._update_rows()

    # -- roles retry --------------------------------------------------------------------------

    @work(thread=True, exclusive=True, exit_on_error=False, group="roles")
    def _retry_roles(self, account: Account) -> None:
        portal = Portal(self.session, self._token_or_raise())
        try:
            roles = portal.list_roles(account.account_id)
        except NotLoggedIn:
            raise
        except SsotuiError as exc:
            self.post_message(RolesRetried(account.account_id, None, exc.message))
            return
        self.post_message(RolesRetried(account.account_id, roles))

    @on(RolesRetried)
    def _roles_retried(self, message: RolesRetried) -> None:
        self.model.retry_done(message.account_id, message.roles, message.reason)
        self._update_rows()
        if message.roles is None:
            self.notify(f"Still failing: {message.reason}", severity="error", markup=False)
            return
        catalog = self.model.as_catalog()
        if catalog is not None:
            self._save_catalog(catalog)

    @work(thread=True, exclusive=True, exit_on_error=False, group="cache-save")
    def _save_catalog(self, catalog: Catalog) -> None:
        catalog_cache.save(self.session, catalog)

    # -- actions ------------------------------------------------------------------------------

    def _action_chosen(self, account: Account, role: str, action: Action | None) -> None:
        if action is None:
            return
        self._start("credentials", lambda: self._fetch_credentials(account, role, action))

    @work(thread=True, exclusive=True, exit_on_error=False, group="credentials")
    def _fetch_credentials(self, account: Account, role: str, action: Action) -> None:
        portal = Portal(self.session, self._token_or_raise())
        creds = portal.role_credentials(account, role)
        self.post_message(CredentialsReady(creds, action.value))

    @on(CredentialsReady)
    def _credentials_ready(self, message: CredentialsReady) -> None:
        creds = message.creds
        aid, role = creds.account.account_id, creds.role_name
        self._change_state(lambda s: s.record_use(aid, role))
        action = Action(message.action)
        if action is Action.SUBSHELL:
            self._run_subshell(creds)
        elif action is Action.COPY:
            self._copy(creds, self.export_format)
        elif action is Action.WRITE_PROFILE:
            self.app.push_screen(
                ProfileNameScreen(
                    credentials_file.default_profile_name(creds),
                    str(paths.aws_credentials_file()),
                ),
                lambda name: self._profile_named(creds, name),
            )
        elif action is Action.PRINT:
            self.app.exit(result=formats.render(creds, self.export_format).rstrip("\n"))

    def _run_subshell(self, creds: RoleCredentials) -> None:
        command = shlex.split(self.settings.subshell_command or "") or None
        label = f"{creds.account.name}/{creds.role_name}"
        try:
            with handed_over(self.app):
                code = subshell.run_with_credentials(creds, command, force=True)
        except SsotuiError as exc:
            self.notify(exc.message, severity="error", markup=False)
            return
        self.notify(f"Back from the subshell for {label} (exit status {code}).", markup=False)

    @work(thread=True, exclusive=True, exit_on_error=False, group="clipboard")
    def _copy(self, creds: RoleCredentials, fmt: str) -> None:
        backend = clipboard.copy(formats.render(creds, fmt))
        where = "terminal clipboard (OSC 52)" if backend == clipboard.OSC52 else "clipboard"
        label = f"{creds.account.name}/{creds.role_name}"
        self.post_message(Notice(f"Copied {fmt} export lines for {label} to the {where}."))

    def _profile_named(self, creds: RoleCredentials, name: str | None) -> None:
        if name:
            self._write_profile(creds, name)

    @work(thread=True, exclusive=True, exit_on_error=False, group="profile")
    def _write_profile(self, creds: RoleCredentials, name: str) -> None:
        written = credentials_file.write_profile(creds, name)
        path = paths.aws_credentials_file()
        self.post_message(
            Notice(f"Wrote profile [{written}] to {path}; use it with AWS_PROFILE={written}.")
        )

    @on(Notice)
    def _notice(self, message: Notice) -> None:
        self.notify(
            message.text, severity="error" if message.error else "information", markup=False
        )


def _same_account(a: Account, b: Account) -> bool:
    return a.account_id == b.account_id


def _same_role(a: Role, b: Role) -> bool:
    return a == b
