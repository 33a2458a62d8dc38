"""The main screen: the accounts pane, the roles pane of the highlighted account, the status.

It composes the widgets and routes their messages: typing and choosing in the panes, Escape,
favourites, and the action menu on a role with what follows (subshell, copy, profile, print).
The work itself (token, catalog, state file) lives in SessionWorkScreen, its base.
"""

from __future__ import annotations

import contextlib
import gc
import os
import shlex
from typing import ClassVar

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal
from textual.widgets import Footer
from textual.worker import WorkerError, get_current_worker

from tui import paths
from tui.app.messages import CredentialsReady, Notice
from tui.app.screens.actions import Action, ActionMenu, ProfileNameScreen
from tui.app.screens.session_work import SessionWorkScreen
from tui.app.terminal import copier, handed_over
from tui.app.widgets.filter_list import FilterList
from tui.app.widgets.status import StatusLine
from tui.aws.portal import Portal
from tui.errors import SsotuiError
from tui.export import clipboard, credentials_file, formats, subshell
from tui.models import Account, Role, RoleCredentials, SsoSession
from tui.store.settings import Settings

ROWS_DELAY = 0.05  # batch the catalog's events into one list update per 50 ms
FREEZE_ROWS = 2000  # with this many rows, keep the garbage collector out of typing


class MainScreen(SessionWorkScreen):
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
        super().__init__(session, settings=settings, open_browser=open_browser, refresh=refresh)
        self._rows_pending = False

    def compose(self) -> ComposeResult:
        yield StatusLine(self.session.label, id="status")
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
    def export_format(self) -> str:
        """The export format for copy and print: the configured one, else from $SHELL."""
        return self.settings.export_format or formats.default_format(os.environ.get("SHELL"))

    def on_mount(self) -> None:
        self.accounts.focus_filter()

    def rows_changed(self, *, soon: bool = False) -> None:
        if not soon:
            self._update_rows()
        elif not self._rows_pending:
            self._rows_pending = True
            self.set_timer(ROWS_DELAY, self._update_rows)

    def status_changed(self) -> None:
        self._update_status()

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
            pane.set_caption("")
            pane.set_rows([])
            pane.set_empty_text("")
            return
        model = self.model
        aid = account.account_id
        pane.set_caption(f"{account.name} · {account.account_id}")
        pane.set_rows(model.role_rows(aid, self.state), same=_same_role)
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
            self._start("roles", lambda: self._retry_roles(account))
            self.model.retry_started(aid)
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

    def _action_chosen(self, account: Account, role: str, action: Action | None) -> None:
        if action is None:
            return
        self._start("credentials", lambda: self._fetch_credentials(account, role, action))

    @work(thread=True, exclusive=True, exit_on_error=False, group="credentials")
    def _fetch_credentials(self, account: Account, role: str, action: Action) -> None:
        creds = self._renewing(
            lambda token: Portal(self.session, token).role_credentials(account, role)
        )
        if not get_current_worker().is_cancelled:  # a later choice replaced this one
            self.post_message(CredentialsReady(creds, action))

    @on(CredentialsReady)
    async def _credentials_ready(self, message: CredentialsReady) -> None:
        creds = message.creds
        aid, role = creds.account.account_id, creds.role_name
        saving = self._change_state(lambda s: s.record_use(aid, role))
        action = message.action
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
            with contextlib.suppress(WorkerError):  # its failure was shown already
                await saving.wait()  # the role is recent next time, even though we quit now
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
        # OSC 52 goes out through the app's own output, never between its frames.
        backend = clipboard.copy(formats.render(creds, fmt), terminal=copier(self.app))
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


def _same_account(a: Account, b: Account) -> bool:
    return a.account_id == b.account_id


def _same_role(a: Role, b: Role) -> bool:
    return a == b
