"""First-run set-up: no SSO session is configured, so ask for one and write it.

Asks for the start URL, the SSO region (from the regions IAM Identity Center runs in) and a
session name, checks each with `tui.workspace.setup` (the same checks as `ssotui configure`), and
writes an `[sso-session NAME]` section in the AWS CLI's own format in a thread worker. Problems
are said under the field they concern. Dismisses with the new session as botocore reads it
back, or None when the user quits (Escape).
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import ClassVar, TypeVar

from textual import events, on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.screen import Screen
from textual.widget import Widget
from textual.widgets import Button, Input, Select, Static
from textual.worker import Worker, WorkerState

from tui.app import small_terminal
from tui.app.closing import close
from tui.app.failures import failure_text
from tui.app.messages import RegionsLoaded, SessionWritten
from tui.app.textual_private import show_key
from tui.app.widgets.in_order_input import InOrderInput
from tui.app.widgets.whole_keys_footer import WholeKeysFooter
from tui.models import SsoSession
from tui.paths import Paths
from tui.workspace import setup

DEFAULT_REGION = "us-east-1"
DEFAULT_NAME = "default-sso"  # as `ssotui configure` suggests
URL_EXAMPLE = "https://my-org.awsapps.com/start"
SAVE = "Save and log in"
W = TypeVar("W", bound=Widget)


class SetupScreen(Screen[SsoSession | None]):
    """A three-field form; Enter moves on, Enter in the last field (or the button) saves.
    Its footer says so for the field in focus, and that Tab and shift+Tab move."""

    BINDING_GROUP_TITLE = "Set-up"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("tab", "next_field('shown')", "Next field"),
        Binding("tab", "next_field('said_by_enter')", "Next field", show=False),
        Binding("shift+tab", "app.focus_previous", "Previous field"),
        Binding("escape", "cancel", "Quit"),
    ]

    def __init__(self, paths: Paths, *, region: str | None = None, name: str | None = None) -> None:
        super().__init__()
        self.paths = paths  # the AWS config file the session is written to
        self.initial_region = region or DEFAULT_REGION
        self.session_name = name or DEFAULT_NAME
        self.saving = False
        self.regions: tuple[str, ...] = ()  # the full list, once loaded

    def compose(self) -> ComposeResult:
        with Vertical(id="setup-box") as box:
            box.border_title = "Set up ssotui"
            yield Static(
                f"No SSO session is configured in {_shown(self.paths.aws_config_file)}. Tell "
                "ssotui where your IAM Identity Center is; it adds an [sso-session] section "
                "there, which the AWS CLI and the SDKs use too.",
                id="setup-intro",
                markup=False,
            )
            yield Static("Start URL (the AWS access portal)", classes="setup-label")
            url = InOrderInput(placeholder=URL_EXAMPLE, id="setup-url")
            show_key(url, "enter", "Next field", key_display="⏎/tab")  # (tab's own hint hides)
            yield url
            yield Static("", id="setup-url-error", classes="setup-error", markup=False)
            yield Static("SSO region (where IAM Identity Center runs)", classes="setup-label")
            yield _with_enter(
                Select(
                    [(self.initial_region, self.initial_region)],
                    value=self.initial_region,
                    allow_blank=False,
                    id="setup-region",
                ),
                "Choose the region",
            )
            yield Static("", id="setup-region-error", classes="setup-error", markup=False)
            yield Static("Session name", classes="setup-label")
            yield _with_enter(InOrderInput(value=self.session_name, id="setup-name"), SAVE)
            yield Static("", id="setup-name-error", classes="setup-error", markup=False)
            yield _with_enter(Button(SAVE, id="setup-save", variant="primary"), SAVE)
            yield Static("", id="setup-status", markup=False)
        yield WholeKeysFooter()

    def on_resize(self, event: events.Resize) -> None:
        small_terminal.fit(self, event.size)

    def on_mount(self) -> None:
        self.query_one("#setup-url", Input).focus()
        self._load_regions()

    # -- regions ------------------------------------------------------------------------------

    @work(thread=True, exclusive=True, exit_on_error=False, group="regions")
    def _load_regions(self) -> None:
        self.post_message(RegionsLoaded(setup.sso_regions()))

    @on(RegionsLoaded)
    def _regions_loaded(self, message: RegionsLoaded) -> None:
        select: Select[str] = self.query_one("#setup-region", Select)
        chosen = select.value if isinstance(select.value, str) else self.initial_region
        regions = self.regions = message.regions
        select.set_options((region, region) for region in regions)
        select.value = chosen if chosen in regions else DEFAULT_REGION

    # -- the form -----------------------------------------------------------------------------

    @on(Input.Submitted, "#setup-url")
    def _url_entered(self) -> None:
        self.query_one("#setup-region", Select).focus()

    @on(Input.Submitted, "#setup-name")
    @on(Button.Pressed, "#setup-save")
    def _save_requested(self) -> None:
        self._save()

    @on(Input.Changed)
    def _edited(self, event: Input.Changed) -> None:
        if event.input.id:
            self._show_error(event.input.id, None)

    @on(Select.Changed)
    def _region_changed(self) -> None:
        self._show_error("setup-region", None)

    def _save(self) -> None:
        if self.saving:
            return
        url = setup.with_scheme(self.query_one("#setup-url", Input).value)  # as configure does
        region_value = self.query_one("#setup-region", Select).value
        region = region_value if isinstance(region_value, str) else ""
        name = self.query_one("#setup-name", Input).value.strip()
        problems = {
            "setup-url": setup.check_start_url(url) if url else "the start URL is needed",
            "setup-region": setup.check_region(region),
            "setup-name": setup.check_session_name(name) if name else "a name is needed",
        }
        first_wrong = None
        for field, problem in problems.items():
            self._show_error(field, problem)
            if problem and first_wrong is None:
                first_wrong = field
        if first_wrong is not None:
            self.query_one(f"#{first_wrong}").focus()
            return
        self.saving = True
        self._set_status(f"Writing [sso-session {name}]…")
        self._write(name, url, region)

    @work(thread=True, exclusive=True, exit_on_error=False, group="write")
    def _write(self, name: str, start_url: str, region: str) -> None:
        session, path = setup.set_up_session(self.paths, name, start_url, region)
        self.post_message(SessionWritten(session, path))

    @on(SessionWritten)
    def _written(self, message: SessionWritten) -> None:
        self.notify(
            f"Wrote [sso-session {message.session.name}] to {_shown(message.path)}.",
            markup=False,
        )
        close(self, message.session)

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        """The one place this screen handles failed workers."""
        if event.state != WorkerState.ERROR:
            return
        error = event.worker.error
        message = failure_text(error)
        if event.worker.group == "write":
            self.saving = False
            self._set_status(message, error=True)
        else:  # the region list: the one shown still works, and is checked on save
            self.notify(message, severity="warning", markup=False)

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "next_field":  # in the URL field, "⏎/tab Next field" says it once
            focused = self.focused
            in_url = focused is not None and focused.id == "setup-url"
            return (parameters[0] == "said_by_enter") == in_url
        return True

    def action_next_field(self, _how: str) -> None:
        self.focus_next()

    def action_cancel(self) -> None:
        close(self, None)

    # -- display ------------------------------------------------------------------------------

    def _show_error(self, field: str, problem: str | None) -> None:
        error = self.query_one(f"#{field}-error", Static)
        error.update(problem or "")
        error.set_class(bool(problem), "-shown")

    def _set_status(self, text: str, *, error: bool = False) -> None:
        status = self.query_one("#setup-status", Static)
        status.update(text)
        status.set_class(error, "-error")
        status.set_class(bool(text), "-shown")


def _with_enter(field: W, says: str) -> W:
    """`field`, whose Enter the footer shows while it has the focus, as `says`."""
    show_key(field, "enter", says)
    return field


def _shown(path: Path) -> str:
    """A path as the user would type it (~ for the home folder)."""
    home = os.path.expanduser("~")
    text = str(path)
    if home not in ("", "/") and (text == home or text.startswith(home + os.sep)):
        return "~" + text[len(home) :]
    return text
