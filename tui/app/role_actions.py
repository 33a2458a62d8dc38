"""What is done with a role's credentials in the picker: the action menu's actions.

A widget the main screen composes (it shows nothing): each action calls the same Handoff
use case as the command line, in a worker where it blocks, and says what happened in a toast.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable
from contextlib import AbstractContextManager
from typing import TYPE_CHECKING

from textual import on, work
from textual.widget import Widget
from textual.worker import Worker, WorkerState

from tui.app import clock
from tui.app.failures import failure_text, reason_text
from tui.app.messages import FAILURE_SECONDS, Notice
from tui.app.pick import Action
from tui.app.saved_state import SavedState
from tui.app.shown import shown, shown_name
from tui.app.terminal import copier, handed_over
from tui.errors import SsotuiError, StaticKeysProfile
from tui.local_time import local_time
from tui.models import RoleCredentials
from tui.signal_names import signal_name
from tui.store.waits import told_to
from tui.workspace.advice import in_a_child
from tui.workspace.handoff import check_subshell
from tui.workspace.workspace import Workspace

if TYPE_CHECKING:
    from tui.export import subshell
    from tui.serve import CredentialEndpoint
    from tui.serve.refusals import Refusal

NEW = "new credentials"
NEW_CREDENTIALS = f" ({NEW})"  # after the role's name, when new ones were asked for


class RoleActions(Widget):
    """Subshell, copy, profile, console and print, for credentials already fetched."""

    DEFAULT_CSS = "RoleActions { display: none; }"

    def __init__(
        self,
        workspace: Workspace,
        saved: SavedState,
        *,
        force: bool = False,
        calls_held: Callable[[], AbstractContextManager[None]] = contextlib.nullcontext,
    ) -> None:
        super().__init__()
        self.workspace = workspace
        self.saved = saved  # the regions chosen per account
        self.force = force  # a subshell inside an ssotui subshell is allowed
        # the background work's portal calls, held while the subshell has the terminal
        self.calls_held = calls_held

    def refused(self, action: Action) -> bool:
        """Whether `action` is refused whatever the credentials (a subshell inside an ssotui
        subshell): said now, before any are fetched, as `ssotui exec` says it."""
        if action is not Action.SUBSHELL:
            return False
        try:
            check_subshell(self.workspace.environ, force=self.force)
        except SsotuiError as exc:
            self.notify(failure_text(exc), severity="error", markup=False, timeout=FAILURE_SECONDS)
            return True
        return False

    def run(self, creds: RoleCredentials, action: Action, *, fresh: bool = False) -> None:
        """Do `action` with `creds`; `fresh`: they are new ones (and the user is told so)."""
        new = NEW_CREDENTIALS if fresh else ""  # said after the role's name in what follows
        if action is Action.SUBSHELL:
            self._run_subshell(creds, new)
        elif action is Action.COPY:
            self._copy(creds, new)
        elif action is Action.WRITE_PROFILE:
            self._ask_profile_name(creds, self.workspace.handoff.profile_name(creds), new)
        elif action is Action.CONSOLE:
            self._open_console(creds, new)
        elif action is Action.PRINT:
            self.app.exit(result=self.workspace.handoff.export_text(creds).rstrip("\n"))

    @work(thread=True, group="subshell")
    def _run_subshell(self, creds: RoleCredentials, new: str) -> None:
        """Ready the subshell here, in a thread (the renewing endpoint, the AWS files read for
        what its SDK is told and for a [default] profile that would shadow it: a slow disk
        must not freeze the picker), then hand the terminal over on the event loop."""
        workspace = self.workspace
        renewing = workspace.settings.renew_credentials
        with contextlib.ExitStack() as stack:
            # Everything that can go wrong is checked before the terminal is handed over.
            served: CredentialEndpoint | None = None
            try:
                endpoint: dict[str, str] | None = None
                if renewing:  # served, and renewed, while it runs
                    served = workspace.credential_endpoint(
                        creds.account,
                        creds.role_name,
                        region=creds.region,
                        advice=in_a_child(
                            workspace.session,
                            settings=workspace.settings,
                            environ=workspace.environ,
                            paths=workspace.paths,
                        ),
                        first=creds,  # (as `exec --renew` does, served from the start)
                    )
                    endpoint = stack.enter_context(served).environment()
                    served.credentials()  # (those it was given: no call, no wait)
                plan = workspace.handoff.subshell(creds, force=self.force, endpoint=endpoint)
            except SsotuiError as exc:
                self.notify(
                    failure_text(exc), severity="error", markup=False, timeout=FAILURE_SECONDS
                )
                return
            # the shell has the terminal: a renewal's wait would be a stale notice afterwards
            stack.enter_context(told_to(None))
            finished = self.app.call_from_thread(self._hand_over, plan)
            refusal = served.last_refusal() if served is not None else None
        if finished is None:
            return
        if finished.hung_up:  # the terminal is gone: so is the picker
            self.app.call_from_thread(self.app.exit, return_code=finished.status)
            return
        self.notify(
            _back_from_subshell(shown_name(plan.label), finished, creds, new, renewing, refusal),
            severity="warning" if refusal is not None else "information",
            markup=False,
        )

    def _hand_over(self, plan: subshell.SubshellPlan) -> subshell.Finished | None:
        """Run the subshell on the terminal; None (and the reason said) when it did not start."""
        from tui.export import subshell

        failure: SsotuiError | None = None
        finished: subshell.Finished | None = None
        with self.calls_held(), handed_over(self.app):
            try:
                finished = subshell.run(plan)
            except SsotuiError as exc:  # said once the picker is back on the terminal
                failure = exc
        if failure is not None:
            self.notify(
                failure_text(failure), severity="error", markup=False, timeout=FAILURE_SECONDS
            )
        return finished

    @work(thread=True, exclusive=True, exit_on_error=False, group="clipboard")
    def _copy(self, creds: RoleCredentials, new: str) -> None:
        # OSC 52 goes out through the app's own output, never between its frames.
        fmt = self.workspace.handoff.export_format()
        backend = self.workspace.handoff.copy_exports(creds, fmt, terminal=copier(self.app))
        from tui.export import clipboard  # a copy is the first to need it, not the start

        note = self.workspace.handoff.copy_note(backend)
        where = f"terminal clipboard (OSC 52{note})" if backend == clipboard.OSC52 else "clipboard"
        self.post_message(
            Notice(
                f"Copied {fmt} export lines for {_label(creds)}{new} to the {where}; they expire "
                f"{clock.expiry(creds.expiration)}."
            )
        )

    @work(thread=True, exclusive=True, exit_on_error=False, group="console")
    def _open_console(self, creds: RoleCredentials, new: str) -> None:
        handoff = self.workspace.handoff
        url = handoff.console_url(creds, handoff.console_request(region=creds.region))
        label = _label(creds) + new
        if handoff.open_in_browser(url):
            self.post_message(Notice(f"Opened the AWS console for {label} in the browser."))
            return
        backend = handoff.copy_console_link(url, terminal=copier(self.app))
        from tui.export import clipboard

        note = handoff.copy_note(backend)
        where = f"terminal clipboard (OSC 52{note})" if backend == clipboard.OSC52 else "clipboard"
        self.post_message(
            Notice(
                f"No browser here: copied the console link for {label} to the {where}; "
                "it signs in for 15 minutes."
            )
        )

    def _ask_profile_name(
        self, creds: RoleCredentials, default: str, new: str, error: str = ""
    ) -> None:
        from tui.app.screens.actions import ProfileNameScreen  # loaded when first needed

        self.app.push_screen(
            ProfileNameScreen(default, str(self.workspace.paths.aws_credentials_file), error=error),
            lambda name: self._profile_named(creds, name, new),
        )

    def _profile_named(self, creds: RoleCredentials, name: str | None, new: str) -> None:
        if name:
            self._write_profile(creds, name, new)

    @work(thread=True, exclusive=True, exit_on_error=False, group="profile")
    def _write_profile(self, creds: RoleCredentials, name: str, new: str) -> None:
        try:
            region = self.workspace.profile_region(self.saved.state, creds.account.account_id)
            profile = self.workspace.handoff.write_profile(creds, name, region=region)
        except StaticKeysProfile:
            # The command line's way out (--force) is none here: the same question again.
            self.app.call_from_thread(
                self._ask_profile_name,
                creds,
                name,
                new,
                f"[{shown_name(name)}] holds long-lived keys, which ssotui does not overwrite: "
                "choose another name.",
            )
            return
        use = shown_name(self.workspace.handoff.profile_use(profile.name))
        expires = clock.expiry(creds.expiration)
        warning = profile.warning()
        self.post_message(
            Notice(
                f"Wrote profile [{shown_name(profile.name)}]{new} to {shown(str(profile.path))}; "
                f"use it with {use}. It expires {expires}."
                + (f" But {shown(warning)}." if warning else ""),
                error=bool(warning),  # it stays as long as a failure's
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

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        """The one place this screen handles its own failed workers (copy, profile)."""
        if event.state == WorkerState.ERROR:
            self.notify(
                failure_text(event.worker.error),
                severity="error",
                markup=False,
                timeout=FAILURE_SECONDS,
            )


def _label(creds: RoleCredentials) -> str:
    """ "account/role", safe to show."""
    return f"{shown_name(creds.account.label)}/{shown_name(creds.role_name)}"


def _back_from_subshell(
    label: str,
    finished: subshell.Finished,
    creds: RoleCredentials,
    new: str,
    renewing: bool,
    refusal: Refusal | None = None,
) -> str:
    """The notice once the subshell is over: how it ended and how its credentials fared, e.g.
    "Back from the subshell for acme/Admin (exit status 0); its credentials had 59m left";
    `refusal`: the renewing endpoint refused the subshell's last request, and why (some SDKs
    show only a status)."""
    how = [NEW] if new else []  # one pair of brackets, not "(new credentials) (exit status 0)"
    if finished.ended_by_signal is not None:
        how.append(f"ended by {signal_name(finished.ended_by_signal)}")
    else:
        how.append(f"exit status {finished.status}")
    if refusal is not None:
        fared = f"were refused at {local_time(refusal.at)}: {reason_text(refusal.message)}"
    elif renewing:
        fared = "renewed themselves while it ran"
    elif clock.time_left(creds.expiration) == "expired":
        fared = f"expired at {local_time(creds.expiration)}"
    else:
        fared = f"had {clock.time_left(creds.expiration)} left"
    return f"Back from the subshell for {label} ({', '.join(how)}); its credentials {fared}."
