"""The command palette's entries (ctrl+p): every action of the screen, by name.

On the main screen each entry runs what its key runs (the key is named in its help line), on
the highlighted account and the highlighted role of its roles pane. On any other screen (the
login, the action menu, …) they are the keys its footer and `?` offer, said as they say them.
The App adds session switching, the theme and quitting.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from functools import partial
from typing import TYPE_CHECKING, Any

from textual.app import SystemCommand
from textual.screen import Screen

from tui.app.pick import PICK_VERBS, Action
from tui.app.shown import shown_name

if TYPE_CHECKING:
    from tui.app.screens.main import MainScreen
    from tui.models import Account

# What the action menu's keys do, as palette entries: (action, title, key).
ROLE_ACTIONS = (
    (Action.SUBSHELL, "Subshell as", "s"),
    (Action.COPY, "Copy export lines for", "c"),
    (Action.WRITE_PROFILE, "Write a credentials profile for", "w"),
    (Action.PRINT, "Print export lines on exit for", "p"),
    (Action.CONSOLE, "Open the AWS console as", "o"),
)


def main_screen_commands(screen: MainScreen) -> Iterator[SystemCommand]:
    """The entries for what can be done on the main screen right now."""
    yield SystemCommand(
        "Refresh the catalog", "Fetch every account and role afresh (ctrl+r)", screen.action_refresh
    )
    if screen.work.login_offered:
        yield SystemCommand(
            "Log in",
            "Log in to the session; a token still valid is kept, as `ssotui login` keeps it; "
            "Log out first for a new login (ctrl+l)",
            screen.action_login,
        )
    yield SystemCommand(
        "Log out",
        "Revoke the token, delete it and the cached catalog, as `ssotui logout` (ctrl+o)",
        screen.action_logout,
    )
    account = screen.accounts.highlighted_item
    if account is None:
        return
    yield from _account_commands(screen, account)
    role = screen.roles.highlighted_item
    if role is None or role.account_id != account.account_id:
        return
    label = f"{shown_name(account.label)}/{shown_name(role.role_name)}"
    aid, name = account.account_id, role.role_name
    if screen.pick_for is not None:
        verb = PICK_VERBS[screen.pick_for]
        yield SystemCommand(
            f"{verb}: {label}",
            "What Enter on the role does",
            lambda: screen.pick(account, name, again="choose it again"),
        )
        return
    for action, title, key in ROLE_ACTIONS:
        yield SystemCommand(
            f"{title} {label}",
            f"The action menu's {key}",
            _acting(screen, account, name, action),
        )
    if screen.workspace.settings.cache_role_credentials:  # else every one is new already
        for action, title, key in ROLE_ACTIONS:
            yield SystemCommand(
                f"{title} {label} with new credentials",
                f"Not the kept ones: the action menu's n, then {key}",
                _acting(screen, account, name, action, fresh=True),
            )
    favourite = screen.saved.state.is_favourite_role(aid, name)
    yield SystemCommand(
        f"{'Unmark' if favourite else 'Mark'} role {label} as a favourite",
        "Favourites come first (ctrl+f in the roles)",
        lambda: screen.saved.change(lambda s: s.toggle_favourite_role(aid, name)),
    )


def screen_key_commands(screen: Screen[Any]) -> Iterator[SystemCommand]:
    """The keys of `screen` itself that work now (`l` "Log in here instead" while another
    login runs, …), in its own words, each running what its key runs. Not those of another
    namespace (the App's, and Textual's "screen.copy_text"): the palette has the App's."""
    from tui.app.screens.help import key_name

    seen: set[str] = set()
    for active in screen.active_bindings.values():
        binding = active.binding
        if active.node is not screen or not active.enabled or not binding.description:
            continue
        if "." in binding.action or binding.action in seen:  # (two keys, one action)
            continue
        seen.add(binding.action)
        yield SystemCommand(
            binding.description,
            f"{key_name(binding)} on this screen",
            partial(screen.run_action, binding.action),
        )


def _account_commands(screen: MainScreen, account: Account) -> Iterator[SystemCommand]:
    aid = account.account_id
    name = shown_name(account.label)
    favourite = screen.saved.state.is_favourite_account(aid)

    def toggle() -> None:
        screen.accounts.keep_highlight()
        screen.saved.change(lambda s: s.toggle_favourite_account(aid))

    yield SystemCommand(
        f"{'Unmark' if favourite else 'Mark'} account {name} as a favourite",
        "Favourites come first (ctrl+f in the accounts)",
        toggle,
    )
    region = screen.workspace.region_for(screen.saved.state, aid) or "none"
    yield SystemCommand(
        f"Region for {name}…",
        f"Which region its credentials get, now {region} (ctrl+g)",
        screen.action_region,
    )


def _acting(
    screen: MainScreen, account: Account, role: str, action: Action, *, fresh: bool = False
) -> Callable[[], None]:
    """A palette callback doing `action` on the role, as its key in the action menu does
    (`fresh`: with new credentials, as after its `n`). Print says a note first where it would
    print on the screen, as the menu's `p` does (tui/app/print_note.py)."""

    def act() -> None:
        if action is Action.PRINT and screen.print_note.held_back(screen.app, "choose it again"):
            return
        screen.act_on_role(account, role, action, fresh=fresh)

    return act
