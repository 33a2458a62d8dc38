"""The login screen: the browser page to use, or the device code in large type, the URL and a
countdown, while the login runs in a thread.

Dismisses with the new Token on approval, or None when the user cancels (Escape). Denial,
expiry and errors are said on screen with `r` to try again. A token another program saves
meanwhile (`ssotui login` or `aws sso login` in another terminal) is taken as this login's, within
a second; a login started elsewhere is not kept waiting: this one steps aside for it and says so.
A login already under way (another picker's) is waited for, not made to start over: this screen
says so and carries on with its token; `l` logs in here instead (the other steps aside).
"""

from __future__ import annotations

import threading
from typing import ClassVar

from textual import events, on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Center
from textual.screen import Screen
from textual.widgets import Static
from textual.worker import Worker, WorkerState

from tui.app import clock, small_terminal
from tui.app.closing import close
from tui.app.failures import failure_text
from tui.app.messages import FAILURE_SECONDS, LoginApproved, LoginStarted, Notice
from tui.app.shown import shown
from tui.app.terminal import copier
from tui.app.widgets.big_code import BigCode
from tui.app.widgets.scroll_box import ScrollBox
from tui.app.widgets.whole_keys_footer import WholeKeysFooter
from tui.aws.browser_login import BrowserAuthorization
from tui.aws.login import DeviceAuthorization
from tui.aws.login_flows import NO_BROWSER_STARTED, FallingBack, Polled, ScopesChanged
from tui.export import clipboard
from tui.models import Token
from tui.workspace.workspace import Workspace


class LoginScreen(Screen[Token | None]):
    """A login to one session (browser or device code), run in a thread while it is up."""

    BINDING_GROUP_TITLE = "Login"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("o", "open_browser", "Open browser"),
        Binding("c", "copy_code", "Copy code"),
        # the browser page's address, which wraps in its box: no mouse selection takes it whole
        Binding("c", "copy_url", "Copy URL"),
        Binding("d", "device_code", "Use a device code"),
        Binding("r", "retry", "Retry"),
        Binding("l", "log_in_here", "Log in here instead"),
        Binding("escape", "cancel", "Cancel"),
    ]

    def __init__(
        self,
        workspace: Workspace,
        *,
        open_browser: bool,
        use_device_code: bool = False,
        reason: str = "",
        demo: bool = False,
    ) -> None:
        super().__init__()
        self.workspace = workspace
        self.session = workspace.session
        self.can_open_browser = workspace.handoff.can_open_browser()
        self.no_browser = not open_browser
        self.use_device_code = use_device_code  # --use-device-code, or `d` pressed
        self.reason = reason
        self.demo = demo  # `ssotui demo`: its simulator approves the login by itself
        self.auth: DeviceAuthorization | None = None
        self.browser_page: BrowserAuthorization | None = None
        self.failed = False
        self.browser_failed = False  # the browser would not start (BROWSER=false, say)
        self.waiting = False  # another ssotui's login runs; this one waits for its token
        self.goes_first = False  # the user asked to log in here, not wait for the other
        self._cancel = threading.Event()
        self._login: Worker[None] | None = None

    def compose(self) -> ComposeResult:
        with Center(), ScrollBox(id="login-box"):
            yield Static(
                f"Log in to AWS IAM Identity Center · session {shown(self.session.label)}",
                id="login-title",
                markup=False,
            )
            yield Static(self.reason, id="login-reason", markup=False)
            yield Static("", id="login-how", classes="login-label")
            yield Static("", id="login-url", markup=False)
            with Center():
                yield BigCode("", id="login-code")
            yield Static("", id="login-code-text", markup=False)
            yield Static("", id="login-countdown")
            yield Static("Starting the login…", id="login-status", markup=False)
        yield WholeKeysFooter()

    def on_resize(self, event: events.Resize) -> None:
        small_terminal.fit(self, event.size)
        self.remove_class("-no-big-code")  # the large code, when the new size has room for it
        self.call_after_refresh(self._fit_box)

    def _fit_box(self) -> None:
        """Where the box does not fit the terminal, the large code goes first (the code is in
        plain text under it): the countdown and what the login waits for stay in sight. Where
        even then it does not, the box takes ↑/↓, PageUp/PageDown, Home/End."""
        box = self.query_one("#login-box", ScrollBox)
        big = self.query_one("#login-code", BigCode).code and not self.has_class("-no-big-code")
        if box.overflows and big:
            self.add_class("-no-big-code")
            self.call_after_refresh(self._fit_box)
            return
        box.fit()

    def on_mount(self) -> None:
        self.query_one("#login-reason").display = bool(self.reason)
        self.set_interval(1.0, self._tick)
        self._start()

    def on_unmount(self) -> None:
        self._cancel.set()  # stop polling when the screen goes, whatever the reason

    # -- the login itself ---------------------------------------------------------------------

    def _start(self) -> None:
        self.failed = self.waiting = self.browser_failed = False
        self.auth = self.browser_page = None
        self._cancel.set()  # a login still running (before `d`) stops
        self._cancel = threading.Event()
        self._set_status("Starting the login…")
        self.refresh_bindings()
        self._login = self._run_login(self._cancel)

    @work(thread=True, exclusive=True, exit_on_error=False, group="login")
    def _run_login(self, cancel: threading.Event) -> None:
        token = self.workspace.log_in(
            use_device_code=self.use_device_code,
            no_browser=self.no_browser,
            announce=lambda event: self.post_message(LoginStarted(event)),
            cancelled=cancel.is_set,
            sleep=cancel.wait,  # returns at once when the user cancels
            gives_way=True,  # a screen waiting for the user holds up no login started elsewhere
            goes_first=self.goes_first,
        )
        if not cancel.is_set():
            self.post_message(LoginApproved(token))

    @on(LoginStarted)
    def _show(self, message: LoginStarted) -> None:
        event = message.event
        if isinstance(event, DeviceAuthorization):
            self._show_code(event)
        elif isinstance(event, BrowserAuthorization):
            self._show_browser_page(event)
        elif isinstance(event, FallingBack):
            self.browser_failed = event.reason == NO_BROWSER_STARTED
            self.notify(f"Using a device code: {event.reason}.", markup=False, timeout=8)
        elif isinstance(event, ScopesChanged):
            self.notify("The session's scopes changed: logging in again.", markup=False, timeout=8)
        elif isinstance(event, Polled):
            self._polled(event.times)
        else:
            self._show_waiting()
        self._tick()
        self.refresh_bindings()

    def _show_code(self, auth: DeviceAuthorization) -> None:
        self.auth = auth
        self.waiting = self.goes_first = False
        self.query_one("#login-how", Static).update(
            "Open this page and confirm the code "
            "(or wait: the demo approves by itself in a moment):"
            if self.demo
            else "Open this page and confirm the code:"
            if auth.user_code
            else "Open this page and confirm:"
        )
        self.query_one("#login-url", Static).update(auth.verification_uri)
        self.query_one("#login-code", BigCode).update(auth.user_code)
        self.query_one("#login-code-text", Static).update(
            f"code {auth.user_code}" if auth.user_code else ""
        )
        if auth.browser_opens:  # the login's own word: not after the browser failed to start
            opened = "The browser was opened for you; "
        elif self.browser_failed:
            opened = "No browser could be started: open the address on any device; "
        elif not self.can_open_browser:
            opened = "No browser here: open the address on any device; "
        else:
            opened = ""
        self._set_status(f"{opened}waiting for approval…" if opened else "Waiting for approval…")

    def _show_browser_page(self, page: BrowserAuthorization) -> None:
        self.browser_page = page
        self.waiting = self.goes_first = False
        self.query_one("#login-how", Static).update(
            "Log in in the browser that opened (or open this page in a browser on this machine):"
        )
        self.query_one("#login-url", Static).update(page.url)
        self.query_one("#login-code", BigCode).update("")
        self.query_one("#login-code-text", Static).update("")
        self._set_status("Waiting for the browser… (d: use a device code instead)")

    def _show_waiting(self) -> None:
        """Another login runs (started elsewhere, or this one stepped aside for it): its page
        or code is not this screen's, so none is shown."""
        self.auth = self.browser_page = None
        self.waiting = True
        for part in ("#login-how", "#login-url", "#login-code-text"):
            self.query_one(part, Static).update("")
        self.query_one("#login-code", BigCode).update("")
        if self.goes_first:
            self._set_status(
                "Waiting for the other ssotui to let this one log in (a login started with "
                "`ssotui login` goes first)…"
            )
        else:
            self._set_status(
                "Another ssotui is logging in to this session (in another terminal?): waiting "
                "for it, then carrying on with its login… (l: log in here instead)"
            )

    def _polled(self, polls: int) -> None:
        if not self.failed:
            times = "once" if polls == 1 else f"{polls} times"
            self._set_status(f"Waiting for approval… (checked {times})")

    @on(LoginApproved)
    def _approved(self, message: LoginApproved) -> None:
        self._set_status("Approved.")
        close(self, message.token)

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        """The one place this screen handles failed workers."""
        if event.state != WorkerState.ERROR:
            return
        error = event.worker.error
        message = failure_text(error)
        if event.worker.group == "login":
            if self._cancel.is_set() or event.worker is not self._login:
                return  # cancelled, or a login this screen left for another (`d`)
            self.failed = True
            self._set_status(f"{message} — press r to try again", error=True)
            self.refresh_bindings()
        else:
            self.notify(message, severity="error", markup=False, timeout=FAILURE_SECONDS)

    # -- keys ---------------------------------------------------------------------------------

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "retry":
            return self.failed
        if action == "open_browser":
            waiting = self.auth is not None or self.browser_page is not None
            return waiting and not self.failed and self.can_open_browser
        if action == "copy_code":
            return self.auth is not None and bool(self.auth.user_code) and not self.failed
        if action == "copy_url":
            return self.browser_page is not None and self.auth is None and not self.failed
        if action == "log_in_here":
            return self.waiting and not self.goes_first and not self.failed
        if action == "device_code":
            return self.browser_page is not None and self.auth is None and not self.failed
        return True

    def action_open_browser(self) -> None:
        if self.auth is not None:
            self._open_browser(self.auth.verification_uri_complete)
        elif self.browser_page is not None:
            self._open_browser(self.browser_page.url)

    def action_device_code(self) -> None:
        """Leave the browser flow for a device code (a browser elsewhere cannot reach here)."""
        self.use_device_code = True
        self._start()

    @work(thread=True, exclusive=True, exit_on_error=False, group="browser")
    def _open_browser(self, url: str) -> None:
        opened = self.workspace.handoff.open_in_browser(url)
        self.post_message(
            Notice(
                "Opened the browser."
                if opened
                else "No browser could be opened here; open the address shown on another device.",
                error=not opened,
            )
        )

    def action_copy_code(self) -> None:
        if self.auth is not None:
            self._copy(self.auth.user_code)

    def action_copy_url(self) -> None:
        if self.browser_page is not None:
            self._copy_url(self.browser_page.url)

    @work(thread=True, exclusive=True, exit_on_error=False, group="clipboard")
    def _copy(self, code: str) -> None:
        backend = self.workspace.handoff.copy_login(code, terminal=copier(self.app))
        note = self.workspace.handoff.copy_note(backend)
        self.post_message(Notice(f"Copied the code to the {_backend_words(backend, note)}."))

    @work(thread=True, exclusive=True, exit_on_error=False, group="clipboard")
    def _copy_url(self, url: str) -> None:
        backend = self.workspace.handoff.copy_login(url, address=True, terminal=copier(self.app))
        note = self.workspace.handoff.copy_note(backend)
        self.post_message(
            Notice(
                f"Copied the URL to the {_backend_words(backend, note)}: open it in a browser "
                "on this machine."
            )
        )

    @on(Notice)
    def _notice(self, message: Notice) -> None:
        self.notify(
            message.text,
            severity="error" if message.error else "information",
            markup=False,
            timeout=message.seconds,
        )

    def action_log_in_here(self) -> None:
        """Log in here rather than wait for another ssotui's login, which steps aside."""
        if self.waiting:
            self.goes_first = True
            self._start()

    def action_retry(self) -> None:
        if self.failed:
            self._start()

    def action_cancel(self) -> None:
        self._cancel.set()
        close(self, None)

    # -- display ------------------------------------------------------------------------------

    def _tick(self) -> None:
        self._fit_box()  # (the lines change: a code shown, a failure said)
        countdown = self.query_one("#login-countdown", Static)
        if self.failed:
            countdown.update("")
        elif self.auth is not None:
            countdown.update(_code_countdown(self.auth))
        elif self.browser_page is not None:
            left = clock.countdown(self.browser_page.expires_at)
            countdown.update(f"ssotui waits for the browser for {left}")
        else:
            countdown.update("")

    def _set_status(self, text: str, *, error: bool = False) -> None:
        status = self.query_one("#login-status", Static)
        status.update(text)
        status.set_class(error, "-error")


def _code_countdown(auth: DeviceAuthorization) -> str:
    """How long the device code lasts. Identity Center may give no plausible lifetime (under a
    minute, over a day): the countdown then assumes ten minutes, and once they are over the
    login goes on until Identity Center says the code expired, so it is not said to be 0:00."""
    if auth.deadline_trusted:
        return f"The code expires in {clock.countdown(auth.expires_at)}"
    if auth.expires_at > clock.now():
        return f"The code expires in about {clock.countdown(auth.expires_at)}"
    return "The code may have expired: this screen waits until Identity Center says so"


def _backend_words(backend: str, note: str) -> str:
    """How a clipboard backend is named to the user."""
    return f"terminal clipboard (OSC 52{note})" if backend == clipboard.OSC52 else "clipboard"
