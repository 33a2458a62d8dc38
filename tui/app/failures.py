"""The one line a screen shows for a worker that failed, its advice in the picker's keys (and
why a login is needed, on the login screen)."""

from __future__ import annotations

from tui.app.shown import shown
from tui.errors import SsotuiError
from tui.workspace.advice import for_the_login_screen, for_the_picker


def failure_text(error: BaseException | None) -> str:
    """An SsotuiError's own line (safe to draw: it may name an account), with the keys that do
    what its command-line advice says ("press ctrl+l to log in", not "run `ssotui login`");
    for anything else its kind only (a repr may carry secrets)."""
    if isinstance(error, SsotuiError):
        return reason_text(error.message)
    kind = type(error).__name__ if error is not None else "unknown"
    return f"unexpected error ({kind}); please report it with `ssotui --debug` output"


def reason_text(message: str) -> str:
    """A failure's message as the picker says it: safe to draw, advice in the picker's keys."""
    return shown(for_the_picker(message))


def login_reason_text(message: str) -> str:
    """Why a login is needed, as the login screen says it (safe to draw, no advice to log in:
    the screen is the login)."""
    return shown(for_the_login_screen(message))
