"""The action menu on a role (one key each), and the prompt for a profile name.

`n` switches "new credentials" for the action picked next: fetched anew rather than the ones
kept (as `--refresh` does on the command line), for credentials revoked before they expired.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from rich.text import Text
from textual import events, on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Input, Static

from tui.app import small_terminal
from tui.app.pick import Action
from tui.app.shown import shown
from tui.app.widgets.in_order_input import InOrderInput
from tui.app.widgets.keyed_line import KeyedLine
from tui.app.widgets.whole_keys_footer import WholeKeysFooter
from tui.errors import SsotuiError
from tui.export.ini_sections import check_name
from tui.models import Account

__all__ = ["Action", "ActionMenu", "MenuChoice", "ProfileNameScreen"]


_MENU = (
    ("s", Action.SUBSHELL, "open a subshell with the credentials (exit it to come back)"),
    ("c", Action.COPY, "copy export lines to the clipboard"),
    ("w", Action.WRITE_PROFILE, "write a profile to the AWS credentials file"),
    ("p", Action.PRINT, "print export lines when ssotui exits (for eval)"),
    ("o", Action.CONSOLE, "open the AWS console as the role, in the browser"),
)


NEW_KEY = "n"


@dataclass(frozen=True)
class MenuChoice:
    """What the menu was closed with: the action, and whether its credentials are new ones."""

    action: Action
    fresh: bool = False


class ActionMenu(ModalScreen[MenuChoice | None]):
    """A small modal: s, c, w, p or o picks the action; n switches new credentials on or off
    for it; Escape closes it."""

    BINDING_GROUP_TITLE = "Action menu"
    BINDINGS: ClassVar[list[BindingType]] = [
        *(Binding(key, f"pick('{action.value}')", action.value) for key, action, _ in _MENU),
        Binding(NEW_KEY, "new_credentials", "new credentials"),
        Binding("escape", "pick('')", "Back"),
    ]

    def __init__(
        self,
        account: Account,
        role: str,
        export_format: str,
        *,
        renewing: bool = False,
        region: str | None = None,
        keeping: bool = True,
    ) -> None:
        super().__init__()
        self.renewing = renewing
        # Credentials are kept between runs (`cache_role_credentials`); else every one is new.
        self.keeping = keeping
        self.fresh = False  # the action picked next fetches new credentials
        self.account = account
        self.role = role
        self.export_format = export_format
        self.aws_region = region

    def compose(self) -> ComposeResult:
        with Vertical(id="actions-box") as box:
            box.border_title = f"{shown(self.account.label)} · {shown(self.role)}"
            where = f"region {self.aws_region}" if self.aws_region else "no region"
            box.border_subtitle = f"{self.account.account_id} · {where}"
            for key, action, text in _MENU:
                if action in (Action.COPY, Action.PRINT):
                    text = f"{text} ({self.export_format})"
                elif action is Action.SUBSHELL and self.renewing:
                    text = "open a subshell whose credentials renew (exit it to come back)"
                yield Static(_keyed(key, text), classes="action-line")
            yield Static(self._new_line(), id="action-new", classes="action-line action-new")
            yield Static(_keyed("esc", "back"), classes="action-line action-back")
        yield WholeKeysFooter()

    def on_resize(self, event: events.Resize) -> None:
        small_terminal.fit(self, event.size)

    def _new_line(self) -> KeyedLine:
        if not self.keeping:
            return _keyed(" ", "new credentials every time (none are kept)")
        if self.fresh:
            state = Text.assemble(("on", "bold reverse"), " (new ones for the next action)")
        else:
            state = Text("off (kept ones are reused)")
        return _keyed(NEW_KEY, Text.assemble("new credentials: ", state))

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "new_credentials":  # nothing to switch when none are kept
            return self.keeping
        return True

    def action_new_credentials(self) -> None:
        """Switch new credentials on or off for the action picked next."""
        self.fresh = not self.fresh
        self.query_one("#action-new", Static).update(self._new_line())
        self.set_class(self.fresh, "-fresh")

    def action_pick(self, value: str) -> None:
        self.dismiss(MenuChoice(Action(value), fresh=self.fresh) if value else None)


def _keyed(key: str, text: str | Text) -> KeyedLine:
    """A key in bold, then what it does (wrapped under itself in a narrow box)."""
    return KeyedLine(
        Text.assemble((key, "bold"), " "), Text(text) if isinstance(text, str) else text
    )


class ProfileNameScreen(ModalScreen[str | None]):
    """Asks for the profile name, prefilled; Enter writes, Escape gives up. `error` says why
    the name given last could not be used."""

    BINDING_GROUP_TITLE = "Profile name"
    BINDINGS: ClassVar[list[BindingType]] = [Binding("escape", "cancel", "Cancel")]

    def __init__(self, default: str, path: str, *, error: str = "") -> None:
        super().__init__()
        self.default = default
        self.path = path
        self.error = error

    def compose(self) -> ComposeResult:
        with Vertical(id="profile-box") as box:
            box.border_title = "Write a credentials profile"
            yield Static(f"Profile name in {shown(self.path)}:", id="profile-file", markup=False)
            yield InOrderInput(value=self.default, id="profile-name", select_on_focus=False)
            yield Static(self.error, id="profile-error", markup=False)
            yield Static(Text.assemble(("enter", "bold"), " write   ", ("esc", "bold"), " cancel"))
        yield WholeKeysFooter()

    def on_resize(self, event: events.Resize) -> None:
        small_terminal.fit(self, event.size)

    def on_mount(self) -> None:
        self.query_one(Input).focus()

    @on(Input.Submitted)
    def _submitted(self, event: Input.Submitted) -> None:
        event.stop()
        name = event.value.strip()
        try:
            check_name(name)
        except SsotuiError as exc:
            self.query_one("#profile-error", Static).update(exc.message)
            return
        self.dismiss(name)

    def action_cancel(self) -> None:
        self.dismiss(None)
