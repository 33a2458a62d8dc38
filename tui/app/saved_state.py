"""Favourites, recently used roles and regions per account (state.toml), for the main screen.

A widget the main screen composes (it shows nothing): it reads the state file in a worker when
mounted, applies a change on screen at once, and saves it in a worker through the workspace
(other processes' changes to the file are kept).
"""

from __future__ import annotations

from collections.abc import Callable

from textual import on, work
from textual.message import Message
from textual.widget import Widget
from textual.worker import Worker, WorkerState

from tui.app.failures import failure_text
from tui.app.messages import StateSaved
from tui.store.state import State
from tui.workspace.workspace import Workspace


class SavedState(Widget):
    """The state file as the picker shows it."""

    DEFAULT_CSS = "SavedState { display: none; }"

    class Changed(Message):
        """The state changed: rows and marks may need redrawing."""

    def __init__(self, workspace: Workspace) -> None:
        super().__init__()
        self.workspace = workspace
        self.state = State()
        self._said: set[str] = set()  # why saving failed, as already told

    def on_mount(self) -> None:
        self._load()

    @work(thread=True, exclusive=True, exit_on_error=False, group="state-load")
    def _load(self) -> None:
        self.post_message(StateSaved(self.workspace.load_state()))

    def change(self, change: Callable[[State], State]) -> Worker[None]:
        """Apply a change at once on screen; the file follows in a worker (returned)."""
        self.state = change(self.state)
        self.post_message(self.Changed())
        return self._save(change)

    # Not exclusive: each save applies its own change under the file's lock, and cancelling
    # one that has not started yet would lose a favourite.
    @work(thread=True, exclusive=False, exit_on_error=False, group="state")
    def _save(self, change: Callable[[State], State]) -> None:
        self.post_message(StateSaved(self.workspace.update_state(change)))

    @on(StateSaved)
    def _saved(self, message: StateSaved) -> None:
        message.stop()
        if message.state != self.state:
            self.state = message.state
            self.post_message(self.Changed())

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        """The one place this widget handles its failed workers. A change the file did not
        take is said (it would show now and be gone at the next start) and the marks go back
        to what the file holds. Each reason is said once: every role used is a change."""
        if event.state != WorkerState.ERROR:
            return
        saving = event.worker.group == "state"
        done = "saved" if saving else "read"
        text = (
            f"Favourites, recent roles and regions not {done}: {failure_text(event.worker.error)}"
        )
        if text not in self._said:
            self._said.add(text)
            self.notify(text, severity="error", markup=False, timeout=8)
        if saving:
            self._load()
