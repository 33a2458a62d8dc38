"""Run a command, or the user's shell, with role credentials in its environment.

The child gets `child_env(creds)`. While it runs, Ctrl-C (SIGINT) and Ctrl-\\ (SIGQUIT) reach it
from the terminal and are ignored by ssotui, so an interrupted `terraform plan` stops but
ssotui stays to report its status; SIGTERM and SIGHUP sent to ssotui are passed on to the child.
The exit status is the child's (128 + N when a signal N ended it), as a shell reports it.
"""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import threading
from collections.abc import Iterator
from types import FrameType

from tui.errors import SsotuiError
from tui.export.env import child_env
from tui.models import RoleCredentials
from tui.text import printable

FALLBACK_SHELL = "/bin/sh"


def user_shell() -> list[str]:
    """The subshell to run: `subshell_command` from config.toml, else `$SHELL`, else /bin/sh."""
    import shlex

    from tui.store.settings import load_settings

    configured = load_settings().subshell_command
    if configured and configured.strip():
        try:
            return shlex.split(configured)
        except ValueError:
            raise SsotuiError(
                f"subshell_command {configured!r} in config.toml is not a valid command line"
            ) from None
    shell = os.environ.get("SHELL", "").strip()
    return [shell or FALLBACK_SHELL]


def check_nesting(*, force: bool = False) -> None:
    """Refuse to start a subshell inside another ssotui subshell unless `force`."""
    if force or not os.environ.get("SSOTUI_ACCOUNT_ID"):
        return
    account = printable(os.environ.get("SSOTUI_ACCOUNT_NAME") or os.environ["SSOTUI_ACCOUNT_ID"])
    role = printable(os.environ.get("SSOTUI_ROLE_NAME", "?"))
    raise SsotuiError(
        f"you are already in an ssotui subshell for {account}/{role}; "
        "exit it first, or use --force to start another inside it"
    )


class _ChildSignals:
    """Who receives SIGTERM/SIGHUP; one that arrives while the child is starting is held."""

    def __init__(self) -> None:
        self.child: subprocess.Popen[bytes] | None = None
        self.pending: list[int] = []

    def ignore(self, signum: int, frame: FrameType | None) -> None:
        # A Python-level handler, not SIG_IGN: exec resets it, so the child starts with the
        # default handling and the terminal's Ctrl-C reaches it directly.
        return None

    def forward(self, signum: int, frame: FrameType | None) -> None:
        if self.child is None:
            self.pending.append(signum)
            return
        with contextlib.suppress(ProcessLookupError):
            self.child.send_signal(signum)

    def started(self, child: subprocess.Popen[bytes]) -> None:
        """The child is running: hand it any signal that came while it was starting."""
        self.child = child
        while self.pending:
            self.forward(self.pending.pop(0), None)


@contextlib.contextmanager
def _guarded_signals() -> Iterator[_ChildSignals]:
    """While the block runs: ignore terminal interrupts, pass SIGTERM/SIGHUP to the child."""
    target = _ChildSignals()
    if threading.current_thread() is not threading.main_thread():
        yield target  # signal handlers can only be set from the main thread
        return
    wanted = {
        signal.SIGINT: target.ignore,
        signal.SIGQUIT: target.ignore,
        signal.SIGTERM: target.forward,
        signal.SIGHUP: target.forward,
    }
    saved = {signum: signal.signal(signum, handler) for signum, handler in wanted.items()}
    try:
        yield target
    finally:
        for signum, previous in saved.items():
            signal.signal(signum, previous)


def _wait(child: subprocess.Popen[bytes]) -> int:
    """Wait for `child`, waking often: a signal the kernel hands to another thread (Textual
    runs several) only runs its Python handler once the main thread is back in Python."""
    while True:
        try:
            return child.wait(timeout=0.25)
        except subprocess.TimeoutExpired:
            continue


def exit_status(returncode: int) -> int:
    """A child's return code as a shell reports it (a signal N becomes 128 + N)."""
    return 128 - returncode if returncode < 0 else returncode


def run_with_credentials(
    creds: RoleCredentials, command: list[str] | None, *, force: bool = False
) -> int:
    """Run `command` (or the user's shell) with `creds` in its environment; its exit status.

    With no command this starts an interactive subshell, and refuses to do so inside another
    ssotui subshell unless `force`.
    """
    if not command:
        check_nesting(force=force)
        argv = user_shell()
    else:
        argv = list(command)
    env = child_env(creds)
    # Handlers go in before the child starts, so no Ctrl-C can fall between the two.
    with _guarded_signals() as signals:
        try:
            child = subprocess.Popen(argv, env=env)
        except FileNotFoundError:
            raise SsotuiError(f"command not found: {argv[0]}", exit_code=127) from None
        except PermissionError:
            raise SsotuiError(f"cannot run {argv[0]}: permission denied", exit_code=126) from None
        except OSError as exc:
            raise SsotuiError(
                f"cannot run {argv[0]}: {exc.strerror or exc}", exit_code=126
            ) from None
        signals.started(child)
        returncode = _wait(child)
    return exit_status(returncode)
