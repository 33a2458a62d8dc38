"""The one line a screen shows for a worker that failed."""

from __future__ import annotations

from tui.errors import SsotuiError


def failure_text(error: BaseException | None) -> str:
    """An SsotuiError's own line; for anything else its kind only (a repr may carry secrets)."""
    if isinstance(error, SsotuiError):
        return error.message
    kind = type(error).__name__ if error is not None else "unknown"
    return f"unexpected error ({kind}); please report it with `ssotui --debug` output"
