"""The one line a screen shows for a worker that failed."""

from __future__ import annotations

from tui.app.shown import shown
from tui.errors import SsotuiError
from tui.workspace.advice import for_the_picker


def failure_text(error: BaseException | None) -> str:
    """An SsotuiError's own line, its command-line advice ("run `ssotui login`") in the
    picker's keys (safe to draw: it may name an account); for anything else its kind only (a
    repr may carry secrets)."""
    if isinstance(error, SsotuiError):
        return shown(for_the_picker(error.message))
    kind = type(error).__name__ if error is not None else "unknown"
    return f"unexpected error ({kind}); please report it with `ssotui --debug` output"
