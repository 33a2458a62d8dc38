"""The main screen: the accounts pane, the roles pane of the highlighted account, the status.

It composes the widgets and routes their messages: typing and choosing in the panes, Escape,
favourites, and the action menu on a role with what follows (subshell, copy, profile, print).
The work itself (token, catalog, state file, credentials) is run by the SessionWork widget it
composes, through the workspace's use cases.
"""

from __future__ import annotations

import contextlib
import gc
from typing import ClassVar

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal
from textual.screen import Screen
from textual.widgets import Footer
from textual.worker import WorkerError

from tui.app.messages import CredentialsReady
from tui.app.model import CatalogModel
from tui.app.role_actions import RoleActions
from tui.app.screens.actions import Action, ActionMenu
from tui.app.screens.login import LoginScreen
from tui.app.session_work import Phase, SessionWork
from tui.app.widgets.filter_list import FilterList
from tui.app.widgets.status import StatusLine
from tui.models import Account, Role
from tui.workspace.workspace import Workspace

ROWS_DELAY = 0.05  # batch the catalog's events into one list update per 50 ms
FREEZE_ROWS = 2000  # with this many rows, keep the garbage collector out of typing


class MainScreen(Screen[None]):
    """Accounts on the left, roles of the highlighted account on the right."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "back", "Back"),
        Binding("ctrl+f", "favourite", "Favourite"),
        Binding("ctrl+r", "refresh", "Refresh"),
        Binding("ctrl+l", "login", "Log in"),
    ]

    def __init__(
        self, workspace: Workspace, *, open_browser: bool, refresh: bool, force: bool = False
    ) -> None:
        super().__init__()
        self.workspace = workspace
        self.open_browser = open_browser
        self.work = SessionWork(workspace, refresh=refresh)
        self.actions = RoleActions(workspace, force=force)
        self._rows_pending = False

    def compose(self) -> ComposeResult:
        yield self.work
        yield self.actions
        yield StatusLine(self.workspace.session.label, id="status")
        with Horizontal(id="panes"):
            yield FilterList[Account](
                title="Accounts",
                placeholder="filter accounts: name, id, email…",
                empty="loading accounts…",
                tab_chooses=True,
                on_highlighted=self._show_roles,
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
    def model(self) -> CatalogModel:
        """What the panes show."""
        return self.work.model

    def on_mount(self) -> None:
        self.accounts.focus_filter()

    # -- what the work reports ------------------------------------------------------------------

    @on(SessionWork.Changed)
    def _work_changed(self, message: SessionWork.Changed) -> None:
        if not message.soon:
            self._update_rows()
        elif not self._rows_pending:
            self._rows_pending = True
            self.set_timer(ROWS_DELAY, self._update_rows)

    @on(SessionWork.LoginNeeded)
    def _login_needed(self, message: SessionWork.LoginNeeded) -> None:
        self._update_status()
        self.app.push_screen(
            LoginScreen(self.workspace, open_browser=self.open_browser, reason=message.reason),
            self.work.logged_in,
        )

    @on(SessionWork.Problem)
    def _problem(self, message: SessionWork.Problem) -> None:
        self.notify(message.text, severity=message.severity, markup=False, timeout=8)
        self._update_status()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "login":  # shown (and working) only while logged out
            return self.work.phase in (Phase.LOGGED_OUT, Phase.FAILED, Phase.OPENING)
        return True

    def action_login(self) -> None:
        self.work.log_in()

    def action_refresh(self) -> None:
        if self.work.phase in (Phase.LOGGED_OUT, Phase.OPENING) or (
            self.work.token_expires is None and self.work.phase is not Phase.LOADING
        ):
            self.work.log_in()
        else:
            self.work.bring_up_to_date(refresh=True)

    def _update_rows(self) -> None:
        self._rows_pending = False
        rows = self.model.account_rows(self.work.state)
        self.accounts.set_rows(rows, same=_same_account)
        self.accounts.set_empty_text(_accounts_empty_text(self.work.phase, bool(rows)))
        self._show_roles(self.accounts.highlighted_item)
        self._update_status()
        if len(rows) >= FREEZE_ROWS and not self.model.progress.loading:
            # Long-lived rows would make every full collection walk them mid-keystroke.
            gc.freeze()

    def _update_status(self) -> None:
        model = self.model
        phase = self.work.phase
        self.refresh_bindings()
        self.status.show_token(self.work.token_expires, renewable=self.work.token_renewable)
        if phase is Phase.LOGGED_OUT:
            self.status.show_note("not logged in: ctrl+l to log in")
        elif phase is Phase.FAILED:
            self.status.show_note("catalog fetch failed; ctrl+r to try again")
        else:
            self.status.show_note("")
        self.status.show_catalog(
            fetched_at=model.fetched_at,
            from_cache=model.from_cache,
            progress=model.progress,
            accounts=len(model.accounts),
        )

    def _show_roles(self, account: Account | None) -> None:
        pane = self.roles
        if account is None:
            pane.set_caption("")
            pane.set_rows([])
            pane.set_empty_text("")
            return
        model = self.model
        aid = account.account_id
        pane.set_caption(f"{account.name} · {account.account_id}")
        pane.set_rows(model.role_rows(aid, self.work.state), same=_same_role)
        if aid in model.failed:
            empty = f"roles could not be listed: {model.failed[aid]} (Enter to retry)"
        elif model.roles_pending(aid) or (model.progress.loading and aid not in model.roles):
            empty = "loading roles…"
        elif aid in model.gone_accounts:
            empty = "this account is no longer in the catalog"
        elif model.roles.get(aid):  # there are roles; what is typed hides them all
            empty = "no role matches"
        else:
            empty = "no roles you can use in this account"
        pane.set_empty_text(empty)

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
            self.work.retry_roles(account)
        elif not self.model.roles.get(aid) and not self.model.roles_pending(aid):
            self.notify(f"{account.name} has no roles you can use.", markup=False)
            return
        # Its roles now, not when the Highlighted message arrives: keys typed right after
        # Enter filter and choose among them.
        self.roles.clear_filter()
        self._show_roles(account)
        self.roles.focus_filter()

    @on(FilterList.Chosen, "#roles")
    def _role_chosen(self, event: FilterList.Chosen) -> None:
        role = event.item
        account = self.model.account(role.account_id) if isinstance(role, Role) else None
        if not isinstance(role, Role) or account is None:
            return
        if (role.account_id, role.role_name) in self.model.gone_roles:
            self.notify(f"{role.role_name} is no longer in the catalog.", markup=False)
            return
        self.app.push_screen(
            ActionMenu(
                account,
                role.role_name,
                self.workspace.handoff.export_format(),
                renewing=self.workspace.settings.renew_credentials,
            ),
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
            self.work.change_state(lambda s: s.toggle_favourite_role(aid, name))
        else:
            account = self.accounts.highlighted_item
            if account is None:
                return
            aid = account.account_id
            self.work.change_state(lambda s: s.toggle_favourite_account(aid))

    def _action_chosen(self, account: Account, role: str, action: Action | None) -> None:
        if action is not None:
            self.work.fetch_credentials(account, role, action)

    @on(CredentialsReady)
    async def _credentials_ready(self, message: CredentialsReady) -> None:
        creds = message.creds
        aid, role = creds.account.account_id, creds.role_name
        saving = self.work.change_state(lambda s: s.record_use(aid, role))
        if message.action is Action.PRINT:
            with contextlib.suppress(WorkerError):  # its failure was shown already
                await saving.wait()  # the role is recent next time, even though we quit now
        self.actions.run(creds, message.action)


def _accounts_empty_text(phase: Phase, has_rows: bool) -> str:
    """What the accounts pane says when it shows no row."""
    if has_rows:
        return "no account matches"
    if phase is Phase.LOGGED_OUT:
        return "not logged in: press ctrl+l to log in"
    if phase is Phase.FAILED:
        return "the catalog could not be fetched: ctrl+r to try again"
    if phase is Phase.READY:
        return "no accounts in this session"
    return "loading accounts…"


def _same_account(a: Account, b: Account) -> bool:
    return a.account_id == b.account_id


def _same_role(a: Role, b: Role) -> bool:
    return a == b
