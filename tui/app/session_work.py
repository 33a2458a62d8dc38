"""The work behind the main screen, as a widget it composes: catalog, token, state, credentials.

Every use case is the workspace's; this widget runs them in thread workers and turns their
results into the model the screen draws. It has an explicit phase (`Phase`) instead of flags.
A worker that meets NotLoggedIn (after the workspace's own renewal failed) asks the screen for a
login (`LoginNeeded`) and says what to run again once logged in.

A catalog fetch makes its portal calls through a switch (`tui.aws.call_switch`): held while
the terminal is handed to a subshell (`calls_held`), so it does not compete with the user's own
AWS calls there and carries on where it was afterwards; stopped when the widget goes (the
picker closed, or another session's screen replaced this one), so nothing of it goes on
calling the portal behind a command that runs after the picker (`ssotui exec`). It lists the
roles of the account the user looks at (`look_at`) before the others.

Every second it looks at the token file's stat (no portal call): a logout, a login or a refresh
by another program shows on the status line, without changing screens; a login elsewhere while
the user had left the login screen brings the catalog up to date.
"""

from __future__ import annotations

import contextlib
import enum
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING

from textual import on, work
from textual.message import Message
from textual.notifications import SeverityLevel
from textual.widget import Widget
from textual.worker import Worker, WorkerState, get_current_worker

from tui.app.failures import failure_text, login_reason_text, reason_text
from tui.app.messages import (
    CacheLoaded,
    CatalogFetched,
    CatalogProgress,
    CredentialsReady,
    LoggedOut,
    RolesRetried,
    TokenReady,
    TokenRenewed,
)
from tui.app.model import CatalogModel
from tui.app.pick import Action
from tui.aws.call_switch import CallsStopped, CallSwitch
from tui.aws.roles_first import RolesFirst
from tui.aws.token_watch import TokenWatch
from tui.aws.tokens import REFRESH_WINDOW  # when the workspace refreshes a token near its end
from tui.errors import NotLoggedIn, NoToken, SsotuiError
from tui.models import Account, Catalog, Token, utcnow
from tui.text import counted
from tui.workspace.catalog import CatalogPlan
from tui.workspace.workspace import Workspace

if TYPE_CHECKING:
    from tui.aws.catalog_events import CatalogEvent

TOKEN_LOOK_EVERY = 1.0  # seconds between looks at the token file's stat

MID_USE_LOGIN = (
    "Identity Center no longer accepts this session. Log in again and ssotui carries on "
    "where you were."
)


class Phase(enum.Enum):
    """Where the session stands."""

    OPENING = "opening"  # reading the cache, the state and the token
    LOGGING_IN = "logging in"  # the login screen is up
    LOGGED_OUT = "not logged in"  # the user left the login screen, or the token went
    LOADING = "loading"  # the catalog is being fetched
    READY = "ready"
    FAILED = "failed"  # the catalog fetch failed; ctrl+r tries again


class SessionWork(Widget):
    """Runs the workspace's use cases for the main screen; holds what they produced."""

    DEFAULT_CSS = "SessionWork { display: none; }"

    @dataclass
    class Changed(Message):
        """The catalog, the state or the phase changed (`soon`: more is on the way)."""

        soon: bool = False

    @dataclass
    class LoginNeeded(Message):
        """No usable token: the screen shows the login (`reason` says why, if it is news)."""

        reason: str

    @dataclass
    class Problem(Message):
        """Something the user should read, a failure most often (one line, never a secret)."""

        text: str
        severity: SeverityLevel = "error"

    def __init__(self, workspace: Workspace, *, refresh: bool) -> None:
        super().__init__()
        self.workspace = workspace
        self.phase = Phase.OPENING
        self.model = CatalogModel()
        self.catalog: Catalog | None = None  # the latest whole catalog (cached or fetched)
        self.token_expires: datetime | None = None
        self.token_renewable = False
        self.getting_credentials = False  # a role's credentials are on their way
        self._refresh = refresh
        self._after_login: Callable[[], object] | None = None
        self._calls = CallSwitch()  # over the catalog fetches' portal calls
        self._first = RolesFirst()  # the account whose roles a fetch lists first
        self._token_file: TokenWatch | None = None
        self._missing_said: Catalog | None = None  # the catalog whose repeated pages were said

    def on_mount(self) -> None:
        self._token_file = self.workspace.watch_token()  # before the token is read
        self._open()
        self.set_interval(60, self._renew_when_due)
        self.set_interval(TOKEN_LOOK_EVERY, self._look_at_token_file)
        self.set_interval(TOKEN_LOOK_EVERY, self._see_token_end)

    def on_unmount(self) -> None:
        self._calls.stop()  # a fetch still running makes no more calls

    def look_at(self, account: Account | None) -> None:
        """The user looks at `account` now: a fetch lists its roles before the others'."""
        self._first.look_at(account.account_id if account is not None else None)

    @contextlib.contextmanager
    def calls_held(self) -> Iterator[None]:
        """While the block runs (a subshell has the terminal), a catalog fetch sends nothing
        more to the portal; afterwards it carries on where it was."""
        with self._calls.paused():
            yield

    # -- phases ---------------------------------------------------------------------------------

    def _enter(self, phase: Phase, *, soon: bool = False) -> None:
        self.phase = phase
        self.post_message(self.Changed(soon=soon))

    def _need_login(self, reason: str, then: Callable[[], object]) -> None:
        """Ask for a login; run `then` after it (one login at a time)."""
        self._after_login = then
        self.token_expires = None
        if self.phase is not Phase.LOGGING_IN:
            self._enter(Phase.LOGGING_IN)
            self.post_message(self.LoginNeeded(reason))

    def _login_lost(self, lost: NotLoggedIn, then: Callable[[], object]) -> None:
        """A call met NotLoggedIn (`lost`): ask for a login, saying the session was lost only
        when there was one (not when the user had left the login screen). A token the service
        refused was one, even when the look-out at the token file has already seen its file
        go (a dead token's file is deleted before the call that met it fails)."""
        had_one = self.token_expires is not None or not isinstance(lost, NoToken)
        self._need_login(MID_USE_LOGIN if had_one else "", then)

    def logged_in(self, token: Token | None) -> None:
        """The login screen closed: with a token, carry on where the session stopped."""
        then, self._after_login = self._after_login, None
        if token is None:  # the screen shows it until the user logs in (ctrl+l)
            self._enter(Phase.LOGGED_OUT)
            return
        self._token_known(token)
        self._enter(Phase.READY)
        if then is not None:
            then()

    @property
    def login_offered(self) -> bool:
        """Whether ctrl+l ("Log in") is offered: while logged out or opening, or after a failed
        fetch. A login keeps a token still valid for the session's scopes, as `ssotui login`
        does (after a failed fetch it is then ctrl+r's retry); one for other scopes it replaces."""
        return self.phase in (Phase.LOGGED_OUT, Phase.FAILED, Phase.OPENING)

    def log_in(self) -> None:
        """The user asked to log in (ctrl+l): then bring the catalog up to date."""
        self._need_login("", self.bring_up_to_date)

    def log_out(self) -> None:
        """The user asked to log out ("Log out"): the workspace's logout, as `ssotui logout`
        does it; its lines are said (`Problem`), then the login screen asks for a new login. A
        catalog fetch under way stops first: what it would bring after the logout (nothing,
        its calls refused) is not the catalog the new login fetches."""
        self._stop_fetching()
        self._log_out()

    def _stop_fetching(self) -> None:
        """Stop a catalog fetch under way for good: no more calls, its results dropped; the
        next fetch calls through a new switch."""
        self._calls.stop()
        self._calls = CallSwitch()
        self.workers.cancel_group(self, "catalog")
        if self.phase is Phase.LOADING:
            self.model.fetch_failed()  # (not loading any more)
            self.phase = Phase.READY

    @work(thread=True, exclusive=True, exit_on_error=False, group="logout")
    def _log_out(self) -> None:
        self.post_message(LoggedOut(self.workspace.log_out()))

    @on(LoggedOut)
    def _logged_out(self, message: LoggedOut) -> None:
        message.stop()
        report = message.report
        severity: SeverityLevel = "error" if report.failed() else "information"
        for line in report.lines(self.workspace.session.label):
            self.post_message(self.Problem(line, severity=severity))
        # What the logout deleted is not shown any more either; a login fetches it afresh.
        self.catalog = None
        self.model.forget()
        self._missing_said = None
        self.token_renewable = False
        self._need_login("", self.bring_up_to_date)

    def fetch_afresh(self) -> None:
        """The user asked for the catalog afresh (ctrl+r); with no usable token, a login first.
        While the picker is still opening (the token not read yet), the fetch that follows the
        opening is a whole one: the key is not taken for "log in" before the token is known."""
        if self.phase is Phase.OPENING:
            self._refresh = True
        elif self.phase is Phase.LOGGED_OUT or (
            self.token_expires is None and self.phase is not Phase.LOADING
        ):
            self.log_in()
        else:
            self.bring_up_to_date(refresh=True)

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        """The one place this widget handles failed workers."""
        if event.state != WorkerState.ERROR:
            return
        if event.worker.group in ("open", "catalog"):
            self.model.fetch_failed()
            self._enter(Phase.FAILED)
        elif event.worker.group == "credentials":
            self._credentials_done()
        self.post_message(self.Problem(failure_text(event.worker.error)))

    # -- the catalog ----------------------------------------------------------------------------

    @work(thread=True, exclusive=True, exit_on_error=False, group="open")
    def _open(self) -> None:
        workspace = self.workspace
        self.post_message(CacheLoaded(workspace.cached_catalog()))
        try:
            token = workspace.token()
        except NoToken:  # the login screen says it all
            self.app.call_from_thread(self._need_login, "", self.bring_up_to_date)
            return
        except NotLoggedIn as exc:  # what the command line would say: an unusable token file,
            # an expired token whose refresh was refused
            reason = login_reason_text(exc.message)
            self.app.call_from_thread(self._need_login, reason, self.bring_up_to_date)
            return
        self.post_message(TokenReady(token))

    @on(CacheLoaded)
    def _cache_loaded(self, message: CacheLoaded) -> None:
        message.stop()
        if message.catalog is not None:
            self.catalog = message.catalog
            self.model.show_catalog(message.catalog, cached=True)
        self.post_message(self.Changed())

    @on(TokenReady)
    def _token_ready(self, message: TokenReady) -> None:
        message.stop()
        self._token_known(message.token)
        self.bring_up_to_date()

    def _token_known(self, token: Token) -> None:
        self.token_expires = token.expires_at
        self.token_renewable = token.can_refresh

    def _renew_when_due(self) -> None:
        """Every minute: a token within 15 minutes of its end is renewed from its refresh
        token in the background, so the status line never reads "expired" while it can be."""
        due = self.token_expires is not None and self.token_expires - utcnow() < REFRESH_WINDOW
        if due and self.token_renewable and self.phase is Phase.READY:
            self._renew()

    def _see_token_end(self) -> None:
        """Every second: a token that cannot be renewed has ended while the picker is open.
        As after a logout elsewhere, ctrl+l logs in (the status line says so); no screen
        changes by itself, and the next portal call asks for the login anyway."""
        if (
            self.phase is Phase.READY
            and not self.token_renewable
            and self.token_expires is not None
            and self.token_expires <= utcnow()
        ):
            self._enter(Phase.LOGGED_OUT)

    def _look_at_token_file(self) -> None:
        """Every second: what another program did to the cached token (logged out, logged in,
        renewed it) is what the status line says; the file is read only when its stat changed."""
        watch = self._token_file
        if watch is None or self.phase in (Phase.OPENING, Phase.LOGGING_IN):
            return  # the login screen watches it itself
        if not watch.changed():
            return
        token = watch.token()
        if token is None:
            if self.token_expires is None:
                return
            self.token_expires, self.token_renewable = None, False
            if self.phase is Phase.READY:
                self.phase = Phase.LOGGED_OUT  # ctrl+l logs in; no screen changes by itself
            self.post_message(self.Changed())
            return
        if (token.expires_at, token.can_refresh) == (self.token_expires, self.token_renewable):
            return
        self._token_known(token)
        if self.phase is Phase.LOGGED_OUT and not token.is_expired:
            self.bring_up_to_date()  # logged in elsewhere: carry on
        else:
            self.post_message(self.Changed())

    @work(thread=True, exclusive=True, exit_on_error=False, group="renew")
    def _renew(self) -> None:
        try:
            self.post_message(TokenRenewed(self.workspace.token()))
        except NotLoggedIn:
            self.token_renewable = False  # the status line says "expired" now

    def bring_up_to_date(self, *, refresh: bool = False) -> None:
        """Fetch what the cached catalog lacks (the workspace decides what), unless loading."""
        if self.phase is Phase.LOADING:
            return
        plan = self.workspace.catalog_plan(self.catalog, refresh=refresh or self._refresh)
        self._refresh = False
        if plan is CatalogPlan.CACHED:
            self._enter(Phase.READY)
            if self.catalog is not None:
                self._say_what_is_missing(self.catalog)  # a fresh cache, shown as it is
            return
        retried = self.catalog.failed if self.catalog is not None else {}
        self.model.start_fetch(again=len(retried) if plan is CatalogPlan.RETRY_FAILED else 0)
        self._enter(Phase.LOADING)
        self._update(plan, self.catalog)

    @work(thread=True, exclusive=True, exit_on_error=False, group="catalog")
    def _update(self, plan: CatalogPlan, cached: Catalog | None) -> None:
        def renewed(token: Token) -> None:
            self.post_message(TokenRenewed(token, fetch_restarts=True))

        try:
            result = self.workspace.update_catalog(
                plan,
                cached,
                on_event=self._progress,
                renewed=renewed,
                switch=self._calls,
                first=self._first,
            )
        except NotLoggedIn as exc:
            if not get_current_worker().is_cancelled:  # (not after a logout here stopped it)
                self.app.call_from_thread(self._fetch_needs_login, exc)
            return
        except CallsStopped:  # the picker is going: nobody waits for this catalog
            return
        if not get_current_worker().is_cancelled:  # a newer fetch replaced this one
            self.post_message(CatalogFetched(result))

    def _fetch_needs_login(self, lost: NotLoggedIn) -> None:
        self.model.fetch_failed()
        self.phase = Phase.FAILED
        self._login_lost(lost, lambda: self.bring_up_to_date(refresh=True))

    def _progress(self, event: CatalogEvent) -> None:
        if not get_current_worker().is_cancelled:
            self.post_message(CatalogProgress(event))

    @on(CatalogProgress)
    def _catalog_progress(self, message: CatalogProgress) -> None:
        message.stop()
        self.model.apply(message.event)
        self.post_message(self.Changed(soon=True))

    @on(CatalogFetched)
    def _catalog_fetched(self, message: CatalogFetched) -> None:
        message.stop()
        self.catalog = message.catalog
        self.model.finish_fetch(message.catalog)
        # A logout elsewhere seen while it loaded (the file gone, the fetch carrying on with the
        # token it had): logged out now, ctrl+l logs in, as when it is seen once loaded.
        logged_out = self.phase is Phase.LOADING and self.token_expires is None
        self._enter(Phase.LOGGED_OUT if logged_out else Phase.READY)
        failed = len(message.catalog.failed)
        if failed:
            self.post_message(
                self.Problem(
                    f"The roles of {counted(failed, 'account')} could not be listed"
                    f"{_why(message.catalog.failed)}; they are marked ! and retried on Enter.",
                    severity="warning",
                )
            )
        self._say_what_is_missing(message.catalog)

    def _say_what_is_missing(self, catalog: Catalog) -> None:
        """Say (once per catalog, fetched or shown from the cache) that a listing repeated a
        page and stopped there: the accounts after it are missing (nothing on the rows shows
        it), or the roles of the accounts marked ◐."""
        if catalog is self._missing_said:
            return
        self._missing_said = catalog
        incomplete = len(catalog.incomplete)
        if catalog.accounts_cut:
            self.post_message(
                self.Problem(f"{reason_text(catalog.accounts_cut)}.", severity="warning")
            )
        elif incomplete:
            self.post_message(
                self.Problem(
                    "Identity Center repeated a page of the roles of "
                    f"{counted(incomplete, 'account')}; they are marked ◐ and show the roles "
                    "listed before it (ctrl+r lists them again).",
                    severity="warning",
                )
            )

    @on(TokenRenewed)
    def _token_renewed(self, message: TokenRenewed) -> None:
        message.stop()
        self._token_known(message.token)
        if message.fetch_restarts:
            # its events come again from the first page (or the first account listed again)
            self.model.start_fetch(again=self.model.progress.again)
        self.post_message(self.Changed())

    def retry_roles(self, account: Account) -> None:
        """List again the roles of an account whose listing failed."""
        if self.catalog is None:
            return
        self.model.retry_started(account.account_id)
        self._retry(account, self.catalog)

    @work(thread=True, exclusive=True, exit_on_error=False, group="roles")
    def _retry(self, account: Account, catalog: Catalog) -> None:
        try:
            updated = self.workspace.retry_account(catalog, account)
        except NotLoggedIn as exc:
            self.app.call_from_thread(self._login_lost, exc, lambda: self.retry_roles(account))
            return
        except SsotuiError as exc:
            self.post_message(RolesRetried(account.account_id, None, failure_text(exc)))
            return
        self.post_message(RolesRetried(account.account_id, updated))

    @on(RolesRetried)
    def _roles_retried(self, message: RolesRetried) -> None:
        message.stop()
        aid = message.account_id
        if message.catalog is None:
            self.model.retry_done(aid, None, message.reason)
            self.post_message(self.Problem(f"Still failing: {reason_text(message.reason)}"))
        else:
            self.catalog = message.catalog
            self.model.retry_done(aid, message.catalog, "")
            note = message.catalog.refused.get(aid) or message.catalog.incomplete.get(aid)
            if note is not None:
                self.post_message(self.Problem(f"{reason_text(note)}.", severity="warning"))
        self.post_message(self.Changed())

    # -- role credentials -----------------------------------------------------------------------

    def fetch_credentials(
        self, account: Account, role: str, action: Action, region: str | None, *, fresh: bool
    ) -> None:
        """Role credentials for `action`, with `region` (the one chosen for the account, else
        the session's default region); the screen gets CredentialsReady. Until then (a slow or
        throttled portal takes seconds) `getting_credentials` is True. `fresh`: new ones, not
        those kept."""
        self.getting_credentials = True
        self.post_message(self.Changed())
        self._fetch_credentials(account, role, action, region, fresh)

    @work(thread=True, exclusive=True, exit_on_error=False, group="credentials")
    def _fetch_credentials(
        self, account: Account, role: str, action: Action, region: str | None, fresh: bool
    ) -> None:
        def renewed(token: Token) -> None:
            self.post_message(TokenRenewed(token))

        try:
            creds = self.workspace.role_credentials(
                account, role, region=region, fresh=fresh, renewed=renewed
            )
        except NotLoggedIn as exc:
            self.app.call_from_thread(self._credentials_done)
            self.app.call_from_thread(
                self._login_lost,
                exc,
                lambda: self.fetch_credentials(account, role, action, region, fresh=fresh),
            )
            return
        if not get_current_worker().is_cancelled:  # a later choice replaced this one
            self.post_message(CredentialsReady(creds, action, fresh))

    @on(CredentialsReady)
    def _credentials_arrived(self, _message: CredentialsReady) -> None:
        self._credentials_done()  # (the message goes on to the screen)

    def _credentials_done(self) -> None:
        self.getting_credentials = False
        self.post_message(self.Changed())


def _why(failed: dict[str, str]) -> str:
    """Why the roles of the `failed` accounts could not be listed, when most share a reason
    (Identity Center gone mid-fetch: each account kept its cached roles, so no roles pane says
    it): " (reason)", or " (9 of them: reason)"; else ""."""
    from collections import Counter

    reason, count = Counter(failed.values()).most_common(1)[0]
    if count == len(failed):
        return f" ({reason_text(reason)})"
    return f" ({count} of them: {reason_text(reason)})" if count * 2 > len(failed) else ""
