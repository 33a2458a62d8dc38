"""What the main screen says in words: the panes' empty texts and the status line's note."""

from __future__ import annotations

from tui.app.failures import reason_text
from tui.app.model import CatalogModel
from tui.app.pick import Action
from tui.app.session_work import Phase

# What Enter on a role does when the picker was opened to pick one (the status line says it).
_PICKING = {
    Action.SUBSHELL: "Enter on a role runs the command",
    Action.COPY: "Enter on a role copies its credentials",
    Action.WRITE_PROFILE: "Enter on a role writes a profile",
    Action.PRINT: "Enter on a role prints its credentials",
    Action.CONSOLE: "Enter on a role opens the console",
}


def accounts_empty_text(phase: Phase, has_rows: bool) -> str:
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


def roles_empty_text(model: CatalogModel, account_id: str) -> str:
    """What the roles pane says when it shows no role of the account."""
    if account_id in model.failed:  # (the pane wraps it; the key stays whole, on its own line)
        return (
            f"roles could not be listed: {reason_text(model.failed[account_id])}\n(Enter to retry)"
        )
    if account_id in model.refused:
        return (
            f"{reason_text(model.refused[account_id])}\n(asked again at the next refresh, ctrl+r)"
        )
    if account_id in model.incomplete and not model.roles.get(account_id):
        return (
            f"{reason_text(model.incomplete[account_id])}\n(asked again at the next refresh, "
            "ctrl+r)"
        )
    if model.roles_pending(account_id) or (
        model.progress.loading and account_id not in model.roles
    ):
        return "loading roles…"
    if account_id in model.gone_accounts:
        return "this account is no longer in the catalog"
    if model.roles.get(account_id):  # there are roles; what is typed hides them all
        return "no role matches"
    return "no roles you can use in this account"


def status_note(phase: Phase, pick_for: Action | None, getting_credentials: bool = False) -> str:
    """The note at the end of the status line: credentials on their way (the role was just
    chosen), else the state the user must act on, first."""
    if getting_credentials:
        return "getting credentials…"
    if phase is Phase.LOGGED_OUT:
        return "ctrl+l to log in"
    if phase is Phase.FAILED:
        return "catalog fetch failed; ctrl+r to try again"
    if pick_for is not None:
        return _PICKING[pick_for]
    return ""
