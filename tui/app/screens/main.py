"""The main screen: the accounts pane, the roles pane of the highlighted account, the status.

It composes the widgets and routes their messages: typing and choosing in the panes, Escape,
favourites, the region of an account, and the action menu on a role with what follows
(subshell, copy, profile, print, console). The work itself (token, catalog, state file,
credentials) is run by the SessionWork widget it composes, through the workspace's use cases;
what is done with credentials, by the RoleActions widget.

Opened to pick a role (`pick_for`), Enter on a role ends the picker with a `Picked` instead of
opening the action menu.
"""

from __future__ import annotations

import contextlib
import gc
import time
from typing import TYPE_CHECKING, ClassVar

from textual import events, on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal
from textual.geometry import Size
from textual.screen import Screen
from textual.worker import WorkerError

from tui import startup_gc
from tui.app.messages import FAILURE_SECONDS, NEWS_SECONDS, CredentialsReady
from tui.app.model import CatalogModel
from tui.app.pick import PICK_VERBS, Action, Picked
from tui.app.print_note import PrintNote
from tui.app.role_actions import RoleActions
from tui.app.saved_state import SavedState
from tui.app.screens.main_texts import accounts_empty_text, roles_empty_text, status_note
from tui.app.session_work import Phase, SessionWork
from tui.app.shown import shown, shown_name
from tui.app.small_terminal import WIDE
from tui.app.widgets.filter_list import FilterList
from tui.app.widgets.status import StatusLine
from tui.app.widgets.whole_keys_footer import WholeKeysFooter
from tui.models import Account, Role
from tui.store.state import State
from tui.workspace.workspace import Workspace

if TYPE_CHECKING:
    from tui.app.screens.actions import MenuChoice

ROWS_DELAY = 0.05  # batch the catalog's events into one list update per 50 ms at least ...
# ... and wait this many times as long as the last update took: rebuilding every row costs more
# as accounts stream in, and at a fixed pace 20,000 accounts cost their fetch twice its CPU
ROWS_WAIT_FACTOR = 4
FREEZE_ROWS = 2000  # with this many rows, keep the garbage collector out of typing
# Narrower than this and at least this tall, the panes are stacked: accounts above roles.
STACK_BELOW, STACK_FROM_HEIGHT = 60, 20


class MainScreen(Screen[None]):
    """Accounts on the left, roles of the highlighted account on the right (stacked, accounts
    above roles, in a narrow and tall terminal)."""

    BINDING_GROUP_TITLE = "Accounts and roles"
    BINDINGS: ClassVar[list[BindingType]] = [
        # The App's own "?" runs first; this one puts "? Keys" early in the footer.
        Binding("question_mark", "app.help('?')", "Keys", key_display="?"),
        # One of the two works, by the pane (check_action), and the footer says which. In the
        # accounts, Escape clears the filter, or quits when it is empty (fzf-style).
        Binding("escape", "escape('back')", "Back"),
        Binding("escape", "escape('leave')", "Clear/Quit"),
        Binding("ctrl+f", "favourite", "Favourite"),
        Binding("ctrl+r", "refresh", "Refresh"),
        Binding("ctrl+g", "region", "Region"),
        Binding("ctrl+s", "app.switch_session", "Session"),
        Binding("ctrl+l", "login", "Log in"),
        Binding("ctrl+o", "logout", "Log out", show=False),
        Binding("shift+tab", "app.focus_previous", "Other pane", show=False),
    ]

    def __init__(
        self,
        workspace: Workspace,
        *,
        open_browser: bool,
        use_device_code: bool = False,
        refresh: bool,
        force: bool = False,
        pick_for: Action | None = None,
        initial_filter: str = "",
        demo: bool = False,
        print_note: PrintNote | None = None,
    ) -> None:
        super().__init__()
        self.workspace = workspace
        self.print_note = print_note or PrintNote()  # `p` on the terminal: a note first
        self.open_browser = open_browser
        self.use_device_code = use_device_code
        self.pick_for = pick_for
        self.initial_filter = initial_filter
        self.demo = demo  # `ssotui demo`: the login is approved by itself
        self.saved = SavedState(workspace)
        self.work = SessionWork(workspace, refresh=refresh)
        self.actions = RoleActions(
            workspace, self.saved, force=force, calls_held=self.work.calls_held
        )
        self._rows_pending = False
        self._rows_took = 0.0  # seconds the last update of the rows took
        self._roles_of: str | None = None  # the account whose roles the roles pane shows
        # What the roles pane was last filled from: a key typed in the accounts that leaves
        # the same account highlighted (most keys) need not rebuild it, its caption or status.
        self._roles_from: tuple[Account | None, int, State] | None = None
        self._phase_shown: Phase | None = None
        self._rows_of: tuple[int, State] | None = None  # what the account rows were made from

    def compose(self) -> ComposeResult:
        yield self.work
        yield self.saved
        yield self.actions
        yield StatusLine(self.workspace.session.label, id="status")
        with Horizontal(id="panes"):
            yield FilterList[Account](
                title="Accounts",
                placeholder="filter accounts: name, id, email…",
                empty="loading accounts…",
                tab_chooses=True,
                enter_label="Roles",
                tab_label="Roles",
                on_highlighted=self._show_roles,
                id="accounts",
            )
            yield FilterList[Role](
                title="Roles",
                placeholder="filter roles…",
                empty="",
                enter_label=PICK_VERBS[self.pick_for] if self.pick_for else "Actions",
                tab_label="Accounts",
                id="roles",
            )
        yield WholeKeysFooter()

    @property
    def accounts(self) -> FilterList[Account]:
        """The accounts pane."""
        return self.query_one("#accounts", FilterList)

    @property
    def roles(self) -> FilterList[Role]:
        """The roles pane."""
        return self.query_one("#roles", FilterList)

    @property
    def model(self) -> CatalogModel:
        """What the panes show."""
        return self.work.model

    def on_mount(self) -> None:
        if self.initial_filter:  # the picker opened filtered (an ACCOUNT that matched several)
            self.accounts.filter_input.value = self.initial_filter
            self.accounts.filter_input.cursor_position = len(self.initial_filter)
        self.accounts.focus_filter()

    # -- the layout for the terminal's size -------------------------------------------------

    def on_resize(self, event: events.Resize) -> None:
        self._fit_layout(event.size)

    def _fit_layout(self, size: Size) -> None:
        # narrower than WIDE, the pane in use takes two thirds of the width ("-narrow" in
        # app.tcss), so its names stay readable; from it on, the panes keep their fixed shares
        narrow = size.width < WIDE
        self.set_class(narrow, "-narrow")
        self.set_class(size.width < STACK_BELOW and size.height >= STACK_FROM_HEIGHT, "-stacked")

    # -- what the work reports ------------------------------------------------------------------

    @on(SessionWork.Changed)
    @on(SavedState.Changed)
    def _work_changed(self, message: SessionWork.Changed | SavedState.Changed) -> None:
        if not getattr(message, "soon", False):
            self._update_rows()
        elif not self._rows_pending:
            self._rows_pending = True
            self.set_timer(max(ROWS_DELAY, ROWS_WAIT_FACTOR * self._rows_took), self._update_rows)

    @on(SessionWork.LoginNeeded)
    def _login_needed(self, message: SessionWork.LoginNeeded) -> None:
        # The screens this one opens are loaded when first opened: a start from a fresh cache
        # needs none of them (a login screen with its HTTP listener alone is ~18 ms of imports).
        from tui.app.screens.login import LoginScreen

        self._update_status()
        self.app.push_screen(
            LoginScreen(
                self.workspace,
                open_browser=self.open_browser,
                use_device_code=self.use_device_code,
                reason=message.reason,
                demo=self.demo,
            ),
            self.work.logged_in,
        )

    @on(SessionWork.Problem)
    def _problem(self, message: SessionWork.Problem) -> None:
        self.notify(
            message.text,
            severity=message.severity,
            markup=False,
            timeout=FAILURE_SECONDS if message.severity == "error" else NEWS_SECONDS,
        )
        self._update_status()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "login":  # shown (and working) only while logged out
            return self.work.login_offered
        if action == "escape":  # (a footer that changed as the filter empties would cost a
            # whole footer rebuild, 40 ms, on the first key typed)
            in_accounts = self.accounts.has_focus_within
            return parameters == (("leave",) if in_accounts else ("back",))
        if action == "region":
            return self.accounts.highlighted_item is not None
        if action == "favourite":  # (the panes refresh the footer as they empty and fill)
            pane = self.roles if self.roles.has_focus_within else self.accounts
            return pane.highlighted_item is not None
        return True

    def action_login(self) -> None:
        self.work.log_in()

    def action_logout(self) -> None:
        """Log out of the session, as `ssotui logout` does, once the user says so."""
        from tui.app.screens.logout import LogoutScreen

        def answered(log_out: bool | None) -> None:
            if log_out:
                self.work.log_out()

        self.app.push_screen(LogoutScreen(self.workspace.session.label), answered)

    def action_refresh(self) -> None:
        self.work.fetch_afresh()

    def _update_rows(self) -> None:
        self._rows_pending = False
        model, state = self.model, self.saved.state
        if (model.revision, state) != self._rows_of:  # (the phase alone changes no row)
            self._rows_of = (model.revision, state)
            started = time.perf_counter()
            self.accounts.set_rows(model.account_rows(state), same=_same_account)
            self._rows_took = time.perf_counter() - started
        count = self.accounts.row_list.row_count
        self.accounts.set_empty_text(accounts_empty_text(self.work.phase, bool(count)))
        self._show_roles(self.accounts.highlighted_item)
        self._update_status()
        if count >= FREEZE_ROWS and not self.model.progress.loading:
            # Long-lived rows would make every full collection walk them mid-keystroke.
            gc.freeze()
        # The first rows (or the first word on them) are the end of the start.
        self.call_after_refresh(startup_gc.resume)

    def _update_status(self) -> None:
        model, phase = self.model, self.work.phase
        if phase is not self._phase_shown:  # what ctrl+l does depends on it
            self._phase_shown = phase
            self.refresh_bindings()
        self.status.show_token(self.work.token_expires, renewable=self.work.token_renewable)
        self.status.show_note(status_note(phase, self.pick_for, self.work.getting_credentials))
        self.status.show_catalog(
            fetched_at=model.fetched_at,
            from_cache=model.from_cache,
            progress=model.progress,
            accounts=len(model.accounts),
        )

    @property
    def status(self) -> StatusLine:
        """The status line."""
        return self.query_one(StatusLine)

    def _show_roles(self, account: Account | None) -> None:
        shows = (account, self.model.revision, self.saved.state)
        if self._roles_from is not None and _same_source(shows, self._roles_from):
            return
        self._roles_from = shows
        pane = self.roles
        aid = account.account_id if account is not None else None
        if aid != self._roles_of:  # another account: what was typed for the last one goes
            self._roles_of = aid
            pane.clear_filter()
            self.work.look_at(account)  # its roles jump the line of a fetch still going
        if account is None:
            pane.set_caption("")
            pane.set_rows([])
            pane.set_empty_text("")
            self.status.show_region(None, known=False)
            return
        pane.set_caption(shown(account.label), f" · {account.account_id}")
        pane.set_rows(self.model.role_rows(account.account_id, self.saved.state), same=_same_role)
        pane.set_empty_text(roles_empty_text(self.model, account.account_id))
        self.status.show_region(self.workspace.region_for(self.saved.state, account.account_id))

    @on(FilterList.Chosen, "#accounts")
    def _account_chosen(self, event: FilterList.Chosen) -> None:
        account = event.item
        if not isinstance(account, Account):
            return
        aid = account.account_id
        if aid in self.model.gone_accounts:
            self.notify(f"{shown_name(account.label)} is no longer in the catalog.", markup=False)
            return
        if aid in self.model.refused:  # Identity Center's answer: asking again now would get it
            self.notify(
                f"{shown_name(account.label)}: {shown(self.model.refused[aid])}.",
                severity="warning",
                markup=False,
            )
            return
        if aid in self.model.failed:
            self.work.retry_roles(account)
        elif not self.model.roles.get(aid) and not self.model.roles_pending(aid):
            self.notify(f"{shown_name(account.label)} has no roles you can use.", markup=False)
            return
        # Its roles now, not when the Highlighted message arrives: keys typed right after
        # Enter filter and choose among them.
        self.roles.clear_filter()
        self._show_roles(account)
        self.roles.focus_filter()

    @on(FilterList.Chosen, "#roles")
    async def _role_chosen(self, event: FilterList.Chosen) -> None:
        role = event.item
        account = self.model.account(role.account_id) if isinstance(role, Role) else None
        if not isinstance(role, Role) or account is None:
            return
        if (role.account_id, role.role_name) in self.model.gone_roles:
            self.notify(f"{shown_name(role.role_name)} is no longer in the catalog.", markup=False)
        elif self.pick_for is not None:
            await self.pick(account, role.role_name)
        else:
            from tui.app.screens.actions import ActionMenu

            self.app.push_screen(
                ActionMenu(
                    account,
                    role.role_name,
                    self.workspace.handoff.export_format(),
                    renewing=self.workspace.settings.renew_credentials,
                    region=self.workspace.region_for(self.saved.state, account.account_id),
                    keeping=self.workspace.settings.cache_role_credentials,
                    print_note=self.print_note,
                ),
                lambda choice: self._menu_closed(account, role.role_name, choice),
            )

    def _menu_closed(self, account: Account, role: str, choice: MenuChoice | None) -> None:
        if choice is not None:
            self.act_on_role(account, role, choice.action, fresh=choice.fresh)

    def action_escape(self, step: str) -> None:
        if step == "back":
            self.accounts.focus_filter()
        elif self.accounts.query_text:
            self.accounts.clear_filter()
        else:  # Escape in an empty accounts filter leaves, as in fzf-style pickers
            self.app.exit()

    def action_favourite(self) -> None:
        if self.roles.has_focus_within:
            role = self.roles.highlighted_item
            if role is None:
                return
            aid, name = role.account_id, role.role_name
            self.saved.change(lambda s: s.toggle_favourite_role(aid, name))
        else:
            account = self.accounts.highlighted_item
            if account is None:
                return
            self.accounts.keep_highlight()  # on the account marked, wherever it sorts now
            aid = account.account_id
            self.saved.change(lambda s: s.toggle_favourite_account(aid))

    def action_region(self) -> None:
        """Choose the region for the highlighted account's credentials (state.toml)."""
        account = self.accounts.highlighted_item
        if account is None:
            return
        aid = account.account_id

        def chosen(region: str | None) -> None:
            if region is None:  # went back
                return
            self.saved.change(lambda s: s.with_region(aid, region or None))
            used = self.workspace.region_for(self.saved.state, aid)
            self.notify(
                f"Credentials for {shown_name(account.label)} get "
                + (f"region {used}." if used else "no region."),
                markup=False,
            )

        from tui.app.screens.regions import RegionScreen

        current = self.saved.state.region_of(aid)
        self.app.push_screen(RegionScreen(self.workspace, account, current), chosen)

    def act_on_role(
        self, account: Account, role: str, action: Action | None, *, fresh: bool = False
    ) -> None:
        """Fetch the role's credentials, then do `action` with them (None: nothing).

        `fresh`: new ones, not those kept (the command line's `--refresh`)."""
        if action is not None and not self.actions.refused(action):
            region = self.workspace.region_for(self.saved.state, account.account_id)
            self.work.fetch_credentials(account, role, action, region, fresh=fresh)

    async def pick(self, account: Account, role: str, *, again: str = "press Enter again") -> None:
        """End the picker with this role (opened to pick one): a `Picked` for the caller. For
        `ssotui export` with standard output the terminal, the first pick says a note instead,
        as `p` does (`again`: how to pick a second time)."""
        if self.pick_for is Action.PRINT and self.print_note.held_back(
            self.app, again, picking=True
        ):
            return
        aid = account.account_id
        saving = self.saved.change(lambda s: s.record_use(aid, role))
        with contextlib.suppress(WorkerError):  # its failure was shown already
            await saving.wait()  # the role is recent next time, even though we quit now
        region = self.workspace.region_for(self.saved.state, aid)
        self.app.exit(Picked(self.workspace.session, account, role, region))

    @on(CredentialsReady)
    async def _credentials_ready(self, message: CredentialsReady) -> None:
        creds = message.creds
        aid, role = creds.account.account_id, creds.role_name
        saving = self.saved.change(lambda s: s.record_use(aid, role))
        if message.action is Action.PRINT:
            with contextlib.suppress(WorkerError):  # its failure was shown already
                await saving.wait()  # the role is recent next time, even though we quit now
        self.actions.run(creds, message.action, fresh=message.fresh)


def _same_source(
    a: tuple[Account | None, int, State], b: tuple[Account | None, int, State]
) -> bool:
    """Whether the roles pane would show the same from `a` as from `b` (the state is frozen:
    a change is a new object, so identity says it is the same, without comparing its lists)."""
    return a[0] == b[0] and a[1] == b[1] and a[2] is b[2]


def _same_account(a: Account, b: Account) -> bool:
    return a.account_id == b.account_id


def _same_role(a: Role, b: Role) -> bool:
    return a == b
