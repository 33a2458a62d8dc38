"""The action menu on a role (one key each), and the prompt for a profile name.

Every key is on the menu at every size: where its lines, wrapped, would not all fit the
terminal's height, each says what its key does in a few words on one line (`-compact`), and
the box scrolls (↑/↓, PageUp/PageDown, Home/End) where even those do not fit.

`n` switches "new credentials" for the action picked next: fetched anew rather than the ones
kept (as `--refresh` does on the command line), for credentials revoked before they expired.
"""

from __future__ import annotations

from collections.abc import Iterator
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
from tui.app.print_note import PrintNote
from tui.app.shown import shown
from tui.app.widgets.in_order_input import InOrderInput
from tui.app.widgets.keyed_line import KeyedLine
from tui.app.widgets.scroll_box import ScrollBox
from tui.app.widgets.whole_keys_footer import WholeKeysFooter
from tui.errors import SsotuiError
from tui.export.ini_sections import check_name
from tui.export.profile_names import check_sdk_profile_name
from tui.models import Account

__all__ = ["Action", "ActionMenu", "MenuChoice", "ProfileNameScreen"]


# (key, action, what it does, the same in a few words, what the footer and `?` call it)
_MENU = (
    (
        "s",
        Action.SUBSHELL,
        "Open a subshell with the credentials (exit it to come back)",
        "Subshell with the credentials",
        "Subshell",
    ),
    ("c", Action.COPY, "Copy export lines to the clipboard", "Copy export lines", "Copy"),
    (
        "w",
        Action.WRITE_PROFILE,
        "Write a profile to the AWS credentials file",
        "Write a credentials profile",
        "Write",
    ),
    (
        "p",
        Action.PRINT,
        "Print export lines when ssotui exits (for eval)",
        "Print export lines on exit",
        "Print",
    ),
    (
        "o",
        Action.CONSOLE,
        "Open the AWS console as the role, in the browser",
        "Open the AWS console",
        "Console",
    ),
)


NEW_KEY = "n"


@dataclass(frozen=True)
class MenuChoice:
    """What the menu was closed with: the action, and whether its credentials are new ones."""

    action: Action
    fresh: bool = False


class MenuBox(ScrollBox):
    """The menu's lines, which scroll with ↑/↓, PageUp/PageDown, Home/End (focused) only where
    they do not all fit."""

    BINDING_GROUP_TITLE = "Action menu"


class ActionMenu(ModalScreen[MenuChoice | None]):
    """A small modal: s, c, w, p or o picks the action; n switches new credentials on or off
    for it; Escape closes it."""

    BINDING_GROUP_TITLE = "Action menu"
    BINDINGS: ClassVar[list[BindingType]] = [
        *(Binding(key, f"pick('{action.value}')", name) for key, action, _, _, name in _MENU),
        Binding(NEW_KEY, "new_credentials", "New credentials"),
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
        print_note: PrintNote | None = None,
    ) -> None:
        super().__init__()
        self.print_note = print_note or PrintNote()  # `p` on the terminal: a note first
        self.renewing = renewing
        # Credentials are kept between runs (`cache_role_credentials`); else every one is new.
        self.keeping = keeping
        self.fresh = False  # the action picked next fetches new credentials
        self.account = account
        self.role = role
        self.export_format = export_format
        self.aws_region = region

    def compose(self) -> ComposeResult:
        with MenuBox(id="actions-box") as box:
            box.border_title = f"{shown(self.account.label)} · {shown(self.role)}"
            where = f"region {self.aws_region}" if self.aws_region else "no region"
            box.border_subtitle = f"{self.account.account_id} · {where}"
            for key, action, text, short, _ in _MENU:
                if action in (Action.COPY, Action.PRINT):
                    kind = f" ({self.export_format})"
                    text, short = text + kind, short + kind
                elif action is Action.SUBSHELL and self.renewing:
                    text = "Open a subshell whose credentials renew (exit it to come back)"
                    short = "Subshell, credentials renew"
                yield from _both(
                    _keyed(key, text), _keyed(key, short), f"pick('{action.value}')", id=key
                )
            yield from _both(*self._new_lines(), "new_credentials", id="new", classes="action-new")
            back = _keyed("esc", "Back")
            yield from _both(back, back, "pick('')", id="back", classes="action-back")
        yield WholeKeysFooter()

    def on_resize(self, event: events.Resize) -> None:
        small_terminal.fit(self, event.size)
        self.remove_class("-compact")  # the whole lines, when they fit the new size
        self.call_after_refresh(self._fit_lines)

    def _fit_lines(self) -> None:
        """Each key's line in a few words (`-compact`) when the whole ones do not all fit;
        the box takes ↑/↓ when even those do not."""
        box = self.query_one(MenuBox)
        if not self.has_class("-compact") and box.max_scroll_y > 0:
            self.add_class("-compact")
            self.call_after_refresh(self._fit_lines)
            return
        box.fit()

    def _new_lines(self) -> tuple[KeyedLine, KeyedLine]:
        """The `n` line, whole and in a few words."""
        if not self.keeping:
            every = "New credentials every time (none are kept)"
            return _keyed(" ", every), _keyed(" ", "New credentials every time")
        if self.fresh:
            on = ("on", "bold reverse")
            whole = Text.assemble(on, " (new ones for the next action)")
            return (
                _keyed(NEW_KEY, Text.assemble("New credentials: ", whole)),
                _keyed(NEW_KEY, Text.assemble("New credentials: ", on)),
            )
        return (
            _keyed(NEW_KEY, "New credentials: off (kept ones are reused)"),
            _keyed(NEW_KEY, "New credentials: off"),
        )

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "new_credentials":  # nothing to switch when none are kept
            return self.keeping
        return True

    def action_new_credentials(self) -> None:
        """Switch new credentials on or off for the action picked next."""
        if not self.keeping:  # (a click on its line: every one is new already)
            return
        self.fresh = not self.fresh
        full, short = self._new_lines()
        self.query_one("#action-new", Static).update(full)
        self.query_one("#action-new-short", Static).update(short)
        self.set_class(self.fresh, "-fresh")

    def action_pick(self, value: str) -> None:
        if value == Action.PRINT and self.print_note.held_back(self.app, "press p again"):
            return  # the menu stays, for a second p
        self.dismiss(MenuChoice(Action(value), fresh=self.fresh) if value else None)


class ActionLine(Static):
    """A key's line of the menu: a click on it does what the key does (`action`), as a click
    on the key in the footer does."""

    def __init__(self, line: KeyedLine, action: str, *, id: str, classes: str) -> None:
        super().__init__(line, id=id, classes=classes)
        self.key_action = action

    async def on_click(self, event: events.Click) -> None:
        event.stop()
        await self.screen.run_action(self.key_action)


def _both(
    full: KeyedLine, short: KeyedLine, action: str, *, id: str, classes: str = ""
) -> Iterator[Static]:
    """A key's line twice: whole, and in a few words (app.tcss shows one, by `-compact`),
    `#action-ID` and `#action-ID-short`, each doing `action` when clicked."""
    yield ActionLine(full, action, id=f"action-{id}", classes=f"action-line action-full {classes}")
    short_classes = f"action-line action-short {classes}"
    yield ActionLine(short, action, id=f"action-{id}-short", classes=short_classes)


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
            yield Static(Text.assemble(("enter", "bold"), " Write   ", ("esc", "bold"), " Cancel"))
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
            check_sdk_profile_name(name)
        except SsotuiError as exc:
            self.query_one("#profile-error", Static).update(exc.message)
            return
        self.dismiss(name)

    def action_cancel(self) -> None:
        self.dismiss(None)
