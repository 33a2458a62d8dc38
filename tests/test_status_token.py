"""The status line says `expired` only when the token cannot be renewed."""

from __future__ import annotations

from datetime import timedelta

from textual.app import App, ComposeResult

from tests.app_support import async_test
from tui.app.widgets.status import StatusLine
from tui.models import utcnow


class _One(App[None]):
    def compose(self) -> ComposeResult:
        yield StatusLine("dev")


@async_test
async def test_a_renewable_token_is_never_shown_expired() -> None:
    app = _One()
    async with app.run_test(size=(120, 3)):
        status = app.query_one(StatusLine)
        status.show_token(utcnow() + timedelta(minutes=5, seconds=30), renewable=True)
        assert "token 5m left" in str(status.render())
        status.show_token(utcnow() - timedelta(seconds=5), renewable=True)
        assert "token renews on next use" in str(status.render())
        status.show_token(utcnow() - timedelta(seconds=5), renewable=False)
        assert "token expired" in str(status.render())
        status.show_token(None)
        assert "not logged in" in str(status.render())
