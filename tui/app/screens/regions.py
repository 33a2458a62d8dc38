"""The region chooser: which region an account's role credentials get (filterable list).

The regions are those of the session's partition (the workspace reads them from botocore's
data in a thread worker). The first row goes back to the default: the session's default region,
else none. Dismisses with the region, "" for the default, or None when the user goes back.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from textual import events, on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.message import Message
from textual.screen import ModalScreen
from textual.widgets import Static
from textual.worker import Worker, WorkerState

from tui.app import small_terminal
from tui.app.failures import failure_text
from tui.app.matching import Row
from tui.app.shown import shown
from tui.app.widgets.filter_list import FilterList
from tui.app.widgets.whole_keys_footer import WholeKeysFooter
from tui.aws.regions import AwsRegion
from tui.models import Account
from tui.workspace.workspace import Workspace

DEFAULT = ""  # the row (and the result) that means "no region chosen for this account"


class RegionScreen(ModalScreen[str | None]):
    """A filterable list of regions; Enter uses the highlighted one, Escape goes back."""

    BINDING_GROUP_TITLE = "Region chooser"
    BINDINGS: ClassVar[list[BindingType]] = [Binding("escape", "back", "Back")]

    @dataclass
    class Loaded(Message):
        """The regions of the session's partition were read."""

        regions: tuple[AwsRegion, ...]

    def __init__(self, workspace: Workspace, account: Account, chosen: str | None) -> None:
        super().__init__()
        self.workspace = workspace
        self.account = account
        self.chosen = chosen  # the region chosen for the account so far (None: the default)

    def compose(self) -> ComposeResult:
        with Vertical(id="regions-box") as box:
            box.border_title = f"Region for {shown(self.account.label)}"
            yield Static(
                "The region for its role credentials: AWS_REGION, profiles, console.",
                id="regions-hint",
            )
            yield FilterList[str](
                title="Regions",
                placeholder="filter regions: code or place…",
                empty="loading regions…",
                enter_label="Use",
                id="regions",
            )
        yield WholeKeysFooter()

    def on_resize(self, event: events.Resize) -> None:
        small_terminal.fit(self, event.size)

    @property
    def regions(self) -> FilterList[str]:
        """The list."""
        return self.query_one("#regions", FilterList)

    def on_mount(self) -> None:
        self.regions.set_rows([self._default_row()])
        self.regions.focus_filter()
        self._load()

    def _default_row(self) -> Row[str]:
        fallback = self.workspace.session.default_region
        text = f"the session's default region ({fallback})" if fallback else "no region set"
        return Row(
            value=DEFAULT,
            columns=("default", text),
            mark="•" if self.chosen is None else "",
            mark_kind="recent",
        )

    @work(thread=True, exclusive=True, exit_on_error=False, group="regions")
    def _load(self) -> None:
        self.post_message(self.Loaded(self.workspace.credential_regions()))

    @on(Loaded)
    def _loaded(self, message: Loaded) -> None:
        rows = [self._default_row()]
        rows += [
            Row(
                value=r.name,
                columns=(r.name, r.description),
                mark="•" if r.name == self.chosen else "",
                mark_kind="recent",
            )
            for r in message.regions
        ]
        pane = self.regions
        pane.set_rows(rows)
        pane.highlight(lambda region: region == (self.chosen or DEFAULT))

    @on(FilterList.Chosen, "#regions")
    def _chosen(self, event: FilterList.Chosen) -> None:
        event.stop()
        if isinstance(event.item, str):
            self.dismiss(event.item)

    def action_back(self) -> None:
        self.dismiss(None)

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        """The one place this screen handles its failed worker (the region list)."""
        if event.state == WorkerState.ERROR:
            self.notify(failure_text(event.worker.error), severity="warning", markup=False)
