"""The help screen (`?` or F1): every key of the screen it was opened on, and what it does.

Built from that screen's live bindings (`Screen.active_bindings`: the focused widget's, the
screen's and the App's, as they stand), so it lists exactly the keys that work there and
never goes stale. A key no terminal sends without the kitty keyboard protocol (super+c,
ctrl+shift+a, Textual's Input binds both) is left out. Keys are grouped under the
`BINDING_GROUP_TITLE` of what defines them; the screen's own under "This screen" (its title
is the box's).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, ClassVar

from rich.console import Console, ConsoleOptions, RenderResult
from rich.text import Text
from textual import events
from textual.app import App, ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical, VerticalScroll
from textual.keys import format_key
from textual.screen import ModalScreen, Screen
from textual.widgets import Input, Static

from tui.app import small_terminal
from tui.app.widgets.filter_list import FilterInput
from tui.app.widgets.keyed_line import beside
from tui.app.widgets.whole_keys_footer import WholeKeysFooter

_KEY_NAMES = {
    "enter": "enter",
    "escape": "esc",
    "question_mark": "?",
    "up": "↑",
    "down": "↓",
    "left": "←",
    "right": "→",
    "pageup": "pgup",
    "pagedown": "pgdn",
    "backspace": "backspace",
}
_FOCUS_MOVES = ("app.focus_next", "app.focus_previous")
THIS_SCREEN = "This screen"  # the heading of the keys of the screen the help is for
MAX_KEY_WIDTH = 16  # longer key names push their line's text along
# Modifiers no terminal sends without the kitty keyboard protocol (most never: tmux, VTE, xterm)
_UNSENT_MODIFIERS = {"super", "hyper", "meta"}


@dataclass(frozen=True)
class KeyGroup:
    """The keys defined by one part of the screen (the App, the screen, a pane, a box)."""

    title: str
    keys: tuple[tuple[str, str], ...]  # (keys, what they do)


def key_name(binding: Binding) -> str:
    """A key as the help says it: "ctrl+f", "enter", "?"."""
    modifiers, key = binding.parse_key()
    return "+".join([*modifiers, _KEY_NAMES.get(key) or format_key(key)])


def sent_by_terminals(binding: Binding) -> bool:
    """Whether a terminal without the kitty keyboard protocol can send this key: not with super,
    nor ctrl+shift+letter (it sends ctrl+letter), nor ctrl+backspace (it sends backspace)."""
    modifiers, key = binding.parse_key()
    if _UNSENT_MODIFIERS.intersection(modifiers):
        return False
    if {"ctrl", "shift"} <= set(modifiers) and len(key) == 1:
        return False
    return not (modifiers == ["ctrl"] and key == "backspace")


def keys_of(screen: Screen[Any], app: App[Any]) -> list[KeyGroup]:
    """Every key that works on `screen` now, grouped, in the order the footer would show."""
    found: dict[str, dict[str, list[str]]] = {}  # group -> description -> keys
    order: dict[str, int] = {}  # the screen's own keys first, then the App's, text editing last

    def add(node: object, binding: Binding) -> None:
        title = _title(node, screen, app)
        rank = 2 if node is app else 3 if isinstance(node, Input) else 1
        order.setdefault(title, 0 if title == THIS_SCREEN else rank)
        what = binding.description or binding.action.rsplit(".", 1)[-1].replace("_", " ")
        if binding.action == "command_palette":  # (the footer says only "Palette")
            what = "Command palette: every action, by name"
        keys = found.setdefault(title, {}).setdefault(what, [])
        if (name := key_name(binding)) not in keys:
            keys.append(name)

    if isinstance(screen.focused, FilterInput):  # the one thing done without a binding
        title = _title(screen.focused, screen, app)
        order[title] = 3
        found[title] = {"type: filter the list (words in any order)": []}
    acting: dict[str, tuple[object, Binding]] = {
        key: (active.node, active.binding) for key, active in screen.active_bindings.items()
    }
    if screen.is_modal:  # a modal screen hides the App's bindings, except priority ones
        for binding in _app_bindings(app):
            if binding.priority:  # which run before anything the screen binds to the key
                acting[binding.key] = (app, binding)
    # In each group, the keys its footer shows first.
    for node, binding in sorted(acting.values(), key=lambda item: not item[1].show):
        if binding.action in _FOCUS_MOVES and len(screen.focus_chain) < 2:
            continue  # Textual's tab and shift+tab, on a screen with nothing to move to
        if not sent_by_terminals(binding):
            continue  # (it stays bound, for a terminal that speaks the kitty protocol)
        add(node, binding)
    return [
        KeyGroup(title, tuple((" / ".join(keys), what) for what, keys in lines.items()))
        for title, lines in sorted(found.items(), key=lambda item: order[item[0]])
    ]


def _app_bindings(app: App[Any]) -> list[Binding]:
    """The App's own bindings (the palette's among them)."""
    return list(Binding.make_bindings(type(app).BINDINGS))


def _title(node: object, screen: Screen[Any], app: App[Any]) -> str:
    """The heading of `node`'s keys. The screen's own are "This screen": its name is the help
    box's title already ("Keys · Accounts and roles"), which a first heading repeated."""
    title = getattr(node, "BINDING_GROUP_TITLE", None)
    if node is screen or (title and title == getattr(screen, "BINDING_GROUP_TITLE", None)):
        return THIS_SCREEN
    if title:
        return str(title)
    if node is app:
        return "Anywhere"
    return type(node).__name__


class GroupLines:
    """One group as drawn: its title, then each key with what it does beside it. A line too long
    for the box wraps under its own text, not back under the keys."""

    def __init__(self, group: KeyGroup, width: int) -> None:
        self.group = group
        self.width = width  # of the keys' column

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        yield Text(self.group.title, style="bold")
        for keys, what in self.group.keys:
            if keys:
                head = Text(f"  {keys:<{self.width}}", style="bold") + "  "
                yield from beside(head, Text(what), console, options.max_width)
            else:  # a line with no key of its own ("type: filter the list")
                yield from beside(
                    Text("  "), Text(what, style="italic"), console, options.max_width
                )


class HelpScreen(ModalScreen[None]):
    """The keys of the screen beneath, grouped; Escape, `?`, F1 or q closes it."""

    BINDING_GROUP_TITLE = "Help"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape,q", "close", "Close"),
        Binding("question_mark,f1", "close", "Close", show=False, priority=True),
    ]

    def __init__(self, title: str, groups: list[KeyGroup]) -> None:
        super().__init__()
        self.title_text = title
        self.groups = groups

    def compose(self) -> ComposeResult:
        with Vertical(id="help-box") as box:
            box.border_title = f"Keys · {self.title_text}"
            box.border_subtitle = "ctrl+p: every action, by name"
            width = min(
                MAX_KEY_WIDTH, max((len(k) for g in self.groups for k, _ in g.keys), default=0)
            )
            with VerticalScroll(id="help-keys"):
                for group in self.groups:
                    yield Static(GroupLines(group, width), classes="help-group", markup=False)
        yield WholeKeysFooter()

    def on_resize(self, event: events.Resize) -> None:
        small_terminal.fit(self, event.size)

    def on_mount(self) -> None:
        self.query_one("#help-keys").focus()

    def action_close(self) -> None:
        self.dismiss(None)
