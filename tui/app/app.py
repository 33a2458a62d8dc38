"""The ssotui App: chooses (or sets up) the session, then shows the main screen.

The main screen logs in as needed. Anywhere: `?`/F1 lists the keys of the screen, ctrl+p opens
the command palette, ctrl+q or ctrl+c quits, ctrl+z suspends to the shell; ctrl+s on the main
screen switches the session.

Its return value (`app.run()`) is the text to print to stdout after the UI closes (the `p`
action), a `Picked` when it was opened to pick a role (`pick_for`), or None.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import signal
import sys
from collections.abc import Iterable, Iterator
from typing import Any, ClassVar

from textual.app import App, SuspendNotSupported, SystemCommand
from textual.binding import Binding, BindingType
from textual.driver import Driver
from textual.notifications import SeverityLevel
from textual.screen import Screen
from textual.widgets import Input

from tui import debug_mode, startup_gc
from tui.app.leaving import LeftBehind
from tui.app.pick import Action, Picked
from tui.app.print_note import PrintNote
from tui.app.screens.main import MainScreen
from tui.app.shown import TOAST_CELLS, ends, shown
from tui.app.terminal import drawing_on_the_terminal, stdout_is_terminal
from tui.app.textual_private import (
    fatal_error,
    first_screen,
    surviving_a_hang_up,
    write_to_terminal,
)
from tui.app.themes import unknown_theme
from tui.app.widgets.filter_list import FilterInput
from tui.models import SsoSession
from tui.store.waits import WaitingForOtherSsotui, told_to
from tui.workspace import Context

# Job control's signals, which Textual's driver takes and `run` gives back (none on Windows).
_JOB_SIGNALS: list[signal.Signals] = (
    [] if sys.platform == "win32" else [signal.SIGTSTP, signal.SIGCONT]
)


class SsotuiApp(App[str | Picked | None]):
    """The full-screen picker."""

    CSS_PATH = "app.tcss"
    TITLE = "ssotui"
    BINDING_GROUP_TITLE = "Anywhere"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("question_mark", "help('?')", "Keys", key_display="?", priority=True),
        Binding("f1", "help", "Keys", show=False, priority=True),
        # Each screen's footer shows its own way out (Escape); ctrl+q and ctrl+c work anywhere.
        Binding("ctrl+q", "quit", "Quit", show=False, priority=True),
        Binding("ctrl+c", "quit", "Quit", show=False, priority=True),
        Binding(
            "ctrl+z",
            "suspend_process",
            "Suspend (fg brings it back)",
            show=False,
            priority=True,
        ),
        # Textual's own says "palette", the one key described in lower case
        Binding("ctrl+p", "command_palette", "Palette", show=False, priority=True),
    ]

    def __init__(
        self,
        *,
        sessions: list[SsoSession],
        session: SsoSession | None,
        context: Context,
        open_browser: bool,
        use_device_code: bool = False,
        refresh: bool,
        force: bool = False,
        pick_for: Action | None = None,
        initial_filter: str = "",
        demo: bool = False,
    ) -> None:
        super().__init__()
        self.sessions = sessions
        self.session = session
        self.context = context
        self.settings = context.settings
        self.open_browser = open_browser
        self.use_device_code = use_device_code
        self.refresh_catalog = refresh
        self.force = force
        self.pick_for = pick_for
        self.initial_filter = initial_filter
        self.demo = demo
        self.print_note = PrintNote()  # `p` says a note first when it would print on screen
        self._quits_at_once = False  # set by `run`: a quit does not wait for worker threads
        self._handed_over = False  # the terminal is another's (a subshell, or stopped as a job)
        self._told = contextlib.ExitStack()  # waits on another ssotui, said while it runs
        # why the session chooser asks, beyond there being several (read before the app runs)
        asking = session is None and len(sessions) > 1
        self._chooser_note = context.why_asked() if asking else ""
        settings = context.settings
        # said once the screen is up (a notification needs a running app)
        self._unknown_theme = unknown_theme(
            settings.theme or "", self.theme, self.available_themes, context.paths.config_file
        )
        if settings.theme and self._unknown_theme is None:
            self.theme = settings.theme

    def copy_to_clipboard(self, text: str) -> None:
        """Textual's copy (an Input's ctrl+x): on the terminal's clipboard, and kept for the
        Input's ctrl+v, which pastes the app's own clipboard."""
        super().copy_to_clipboard(text)
        self._pass_to_outer_terminal(text)

    def send_to_clipboard(self, text: str) -> None:
        """Put `text` on the terminal's clipboard (OSC 52), through the app's own output, and
        not on the app's: export lines or a sign-in link kept there would be what ctrl+v
        pastes into a filter box, on the screen."""
        from tui.export import clipboard

        write_to_terminal(self, clipboard.osc52_sequence(text).decode("ascii"))
        self._pass_to_outer_terminal(text)

    def _pass_to_outer_terminal(self, text: str) -> None:
        # Inside tmux the sequence goes twice: as it is, for tmux's `set-clipboard on`, and
        # wrapped for tmux to pass on to the outer terminal (`allow-passthrough on`).
        if self.context.environ.get("TMUX"):
            from tui.export import clipboard

            write_to_terminal(self, clipboard.osc52_sequence(text, tmux=True).decode("ascii"))

    def get_driver_class(self) -> type[Driver]:
        """Textual's driver for this terminal, drawing nothing once the terminal is gone
        rather than waiting on it for ever (tui/app/textual_private.py)."""
        return surviving_a_hang_up(super().get_driver_class())

    def run(self, *args: Any, **kwargs: Any) -> str | Picked | None:
        """Run the picker; returns the text to print after it closes, the role picked
        (`pick_for`), or None. No line any library logs (asyncio's among them) may land on
        its screen meanwhile, whichever door started it. It ends when the user quits, even
        while a worker still waits on Identity Center (tui/app/leaving.py)."""
        debug_mode.quiet()
        self._quits_at_once = True
        # `on_load` sets the picker's own SIGINT, Textual's driver and `on_mount` the others
        taken = [signal.SIGINT] + _JOB_SIGNALS
        before = {number: signal.getsignal(number) for number in taken}
        self.print_note.on_terminal = stdout_is_terminal()  # (before fd 1 is redirected)
        try:
            with drawing_on_the_terminal():
                return super().run(*args, **kwargs)
        finally:  # (what comes after the picker is interrupted, stopped, as a command is)
            for number, handler in before.items():
                if handler is not None:
                    signal.signal(number, handler)

    def _fatal_error(self) -> None:
        fatal_error(self)  # a bug's traceback shows no local variable: they may hold secrets

    def notify(
        self,
        message: str,
        *,
        title: str = "",
        severity: SeverityLevel = "information",
        timeout: float | None = None,
        markup: bool = True,
    ) -> None:
        """Every toast, no taller than about ten lines: a failure that names a 10 kB account
        would fill the screen with the name, and what it says after it would never show."""
        if not markup:  # (markup is ours alone: a cut could break a tag)
            message = ends(message, TOAST_CELLS)
        super().notify(message, title=title, severity=severity, timeout=timeout, markup=markup)

    def on_load(self) -> None:
        # Before any worker starts: a wait for a lock another ssotui holds is a notice.
        self._told.enter_context(told_to(self._say_waiting))
        # Not under `run_test`: a test's threads must end in it (and its signals are its own).
        if self._quits_at_once:
            loop = asyncio.get_running_loop()
            loop.set_default_executor(LeftBehind())
            for ending in (signal.SIGTERM, signal.SIGHUP):
                loop.add_signal_handler(ending, self._ended_by, ending)
            # SIGINT from outside (`kill -INT`, `timeout -s INT`; ctrl+c itself is a key here)
            # ended it as a quit, exit 0. A plain handler, not the loop's: the subshell puts
            # its own in place while it runs (it ignores ctrl+c), and the loop's would still
            # see that SIGINT afterwards, through its wake-up fd, and end the picker.
            if signal.getsignal(signal.SIGINT) is not signal.SIG_IGN:  # (`&` in a script)
                signal.signal(
                    signal.SIGINT,
                    lambda _n, _f: loop.call_soon_threadsafe(self._ended_by, signal.SIGINT),
                )

    def _ended_by(self, ending: signal.Signals) -> None:
        """SIGTERM (`kill`, `timeout`, a session manager), SIGHUP or SIGINT from outside: quit
        as ctrl+q does, the terminal given back as it was (Python's default left it in the
        alternate screen, the cursor hidden, mouse reporting on), with the exit status a shell
        gives a process the signal ended (143, 129, 130)."""
        self.exit(return_code=128 + ending)

    @contextlib.contextmanager
    def suspend(self) -> Iterator[None]:
        """Textual's, with `_handed_over` set while the terminal is another's."""
        self._handed_over = True
        try:
            with super().suspend():
                yield
        finally:
            self._handed_over = False

    def action_suspend_process(self) -> None:
        """ctrl+z: back to the shell as a stopped job, the terminal as it was; `fg` brings the
        picker back, redrawn. Where no shell could bring it back, it stays and says why
        (tui/app/job_control.py)."""
        from tui.app import job_control

        self._stop_as_a_job(job_control.CTRL_Z)

    def _take_outside_stops(self) -> None:
        """A SIGTSTP from outside (`kill -TSTP`; ctrl+z is a key here) goes ctrl+z's way. While
        the terminal is another's (a subshell, or the picker's own stop as a job) it stops the
        process, as Textual's handler did then."""
        from tui.app import job_control

        loop = asyncio.get_running_loop()

        def stop_asked(_number: int, _frame: object) -> None:
            if self._handed_over:
                os.kill(os.getpid(), signal.SIGSTOP)
                return
            with contextlib.suppress(RuntimeError):  # (the picker closing: its loop is gone)
                loop.call_soon_threadsafe(self._stop_as_a_job, job_control.OUTSIDE)

        signal.signal(signal.SIGTSTP, stop_asked)

    def _stop_as_a_job(self, by: str) -> None:
        """Stop as a job where a shell can bring the picker back; else stay and say why.
        `by`: what asked it to stop, said first in that line."""
        from tui.app import job_control

        if self._handed_over:
            return  # (asked twice, or from outside while the terminal is another's)
        if (why := job_control.why_not_stop(by)) is not None:
            self.notify(why, severity="warning", markup=False)
            return
        # The terminal given back before the group stops: once the shell sees the job stopped
        # it takes the terminal, and the picker could no longer restore it (SIGTTOU).
        try:
            with contextlib.suppress(SuspendNotSupported), self.suspend():
                job_control.stop()  # (stopped here until `fg`)
                job_control.check_terminal()  # (leaving the block takes the terminal again)
        except job_control.TerminalGone:
            # Closed while stopped (its shell's SIGHUP, then SIGCONT): end as a hang-up ends
            # the picker, without taking a terminal that is no more.
            self._ended_by(signal.SIGHUP)

    def _back_from_a_stop(self, _app: object) -> None:
        """Back in the foreground (`fg` after ctrl+z, or SIGCONT): Textual takes the terminal
        again, on a blank alternate screen, and repaints only what changes next: the whole
        screen is drawn again."""
        self.refresh(layout=True)

    def on_mount(self) -> None:
        self.app_resume_signal.subscribe(self, self._back_from_a_stop)
        if self._quits_at_once and _JOB_SIGNALS:  # (after Textual's driver set its own)
            self._take_outside_stops()
        # The command line printed these before the picker took the screen, where they stay
        # hidden until it closes: said here too, while the setting they name is in use.
        for warning in self.settings.warnings:
            self.notify(warning, severity="warning", markup=False, timeout=10)
        if self._unknown_theme:
            self.notify(
                self._unknown_theme,
                severity="warning",
                markup=False,
                timeout=10,
            )
        if isinstance(self.screen_stack[0], MainScreen):
            return  # the session was known from the start: its main screen is the first one
        if not self.sessions:
            from tui.app.screens.setup import SetupScreen  # the screens below load when needed

            self.push_screen(
                SetupScreen(
                    self.context.paths,
                    region=self.settings.default_region,
                    name=self.settings.default_session,
                ),
                self._session_set_up,
            )
        else:
            from tui.app.screens.sessions import SessionScreen

            self.push_screen(
                SessionScreen(self.sessions, note=self._chooser_note), self._session_chosen
            )
        self.call_after_refresh(startup_gc.resume)  # (a main screen resumes it once it has rows)

    def get_default_screen(self) -> Screen[Any]:
        """The first screen: the main screen when the session is known from the start (one
        screen composed and styled, not a blank one and then the main screen over it). Its
        styles are in app.tcss: Textual loads no `CSS` of a screen it did not push."""
        session = self.session or (self.sessions[0] if len(self.sessions) == 1 else None)
        if session is None:
            return super().get_default_screen()
        return first_screen(self._main_screen(session, replacing=False))

    def on_unmount(self) -> None:
        startup_gc.release()
        self._told.close()

    def _say_waiting(self, event: WaitingForOtherSsotui) -> None:
        """A wait on another ssotui (told in a worker's thread: `notify` is thread-safe)."""
        self.notify(f"Another ssotui is {shown(event.doing)}: waiting for it…", markup=False)

    # -- keys and the command palette -----------------------------------------------------------

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "help" and parameters == ("?",):
            # "?" is a character in a box that takes any text (a profile name, a start URL);
            # in a filter box, and everywhere else, it shows the keys.
            focused = self.screen.focused
            return not (isinstance(focused, Input) and not isinstance(focused, FilterInput))
        if action == "switch_session":
            return isinstance(self.screen, MainScreen) and bool(self._other_sessions())
        return True

    def action_help(self, key: str = "") -> None:
        """Show every key of the screen on top (or close the help when it is that screen)."""
        from tui.app.screens.help import HelpScreen, keys_of

        screen = self.screen
        if isinstance(screen, HelpScreen):
            screen.dismiss(None)
            return
        title = getattr(screen, "BINDING_GROUP_TITLE", None) or type(screen).__name__
        self.push_screen(HelpScreen(title, keys_of(screen, self)))

    def get_system_commands(self, screen: Screen[Any]) -> Iterable[SystemCommand]:
        """The command palette: this screen's actions by name, then the theme and quitting.

        In the app's words, as the keys screen and the footer say them. Textual's own are
        left out: its key panel (the keys screen replaces it), Maximize (the focused filter
        box alone over a hatched screen) and Screenshot (an SVG of the screen, account names
        and all, left in the current folder)."""
        from tui.app import palette  # when the palette first opens

        yield SystemCommand("Keys", "Every key of this screen (? or F1)", self.action_help)
        if isinstance(screen, MainScreen):
            yield from palette.main_screen_commands(screen)
            if self._other_sessions():
                yield SystemCommand(
                    "Switch session", "Another SSO session (ctrl+s)", self.action_switch_session
                )
        else:
            yield from palette.screen_key_commands(screen)
        yield SystemCommand(
            "Theme",
            "Try another theme's colours (`theme` in config.toml keeps one)",
            self.action_change_theme,
        )
        if sys.platform != "win32":
            yield SystemCommand(
                "Suspend",
                "Back to the shell, ssotui stopped as a job; `fg` brings it back (ctrl+z)",
                self.action_suspend_process,
            )
        yield SystemCommand("Quit", "Leave ssotui (ctrl+q or ctrl+c)", self.action_quit)

    # -- sessions -------------------------------------------------------------------------------

    def _other_sessions(self) -> list[SsoSession]:
        return [s for s in self.sessions if s != self.session]

    def action_switch_session(self) -> None:
        """Choose another session; its main screen replaces this one."""
        if self._other_sessions():
            from tui.app.screens.sessions import SessionScreen

            self.push_screen(
                SessionScreen(self.sessions, current=self.session), self._session_switched
            )

    def _session_set_up(self, session: SsoSession | None) -> None:
        if session is None:
            self.exit()
        else:
            self.sessions = [session]
            self._open(session)

    def _session_chosen(self, session: SsoSession | None) -> None:
        if session is None:
            self.exit()
        else:
            self._open(session)

    def _session_switched(self, session: SsoSession | None) -> None:
        if session is not None and session != self.session:
            self._open(session, replacing=True)

    def _main_screen(self, session: SsoSession, *, replacing: bool) -> MainScreen:
        self.session = session
        return MainScreen(
            self.context.workspace(session),
            open_browser=self.open_browser,
            use_device_code=self.use_device_code,
            refresh=self.refresh_catalog and not replacing,
            force=self.force,
            pick_for=self.pick_for,
            initial_filter="" if replacing else self.initial_filter,
            demo=self.demo,
            print_note=self.print_note,
        )

    def _open(self, session: SsoSession, *, replacing: bool = False) -> None:
        main = self._main_screen(session, replacing=replacing)
        if replacing:
            self.switch_screen(main)
        else:
            self.push_screen(main)
