"""Run a command, or the user's shell, with role credentials in its environment.

The child gets `child_env(creds, environ)`, made from the environment the caller hands in. On a
terminal it shares ssotui's process group, so job control and Ctrl-C (SIGINT) and Ctrl-\\
(SIGQUIT) reach it from the terminal; ssotui ignores those two, so an interrupted `terraform
plan` stops but ssotui stays to report its status, and passes SIGTERM and SIGHUP on. With no
controlling terminal (CI, systemd, cron, `setsid`) there is no job control to keep: the child
gets a process group of its own and ssotui passes all four on, so a signal sent to ssotui's
group (`timeout`, a CI runner) reaches it once, through ssotui, and one sent to ssotui alone
reaches it too. The same signal twice within a moment (`timeout` sends it to ssotui and to its
group at once) is passed on once. A signal ssotui's caller ignored (`nohup`'s SIGHUP, a
script's `&`: SIGINT, SIGQUIT) stays ignored by both and is not passed on. On Linux, the child
gets a signal when ssotui dies, even of SIGKILL (`tui.export.parent_death`): with no terminal,
SIGTERM; on a terminal, SIGHUP (as at a hang-up; SIGTERM under `nohup`), and only a child that
lives on ssotui's credential endpoint (`exec --renew`, the picker's `renew_credentials`): a
shell with static keys goes on working without ssotui. The exit status is the child's (128 + N
when a signal N ended it), as a shell reports it. `become` instead replaces ssotui with the
program (`exec` without `--renew`): no parent is left to forward a signal the program has
already had from its process group.
"""

from __future__ import annotations

import contextlib
import errno
import os
import shlex
import shutil
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from types import FrameType
from typing import NoReturn, TypeVar

from tui import paths
from tui.errors import SsotuiError
from tui.export.env import SUBSHELL_MARKER, child_env, endpoint_child_env
from tui.export.parent_death import start_dying_with_us
from tui.export.shadowing import STRICTER_SDKS_SETTINGS, shadowing_setting
from tui.models import RoleCredentials
from tui.text import printable

FALLBACK_SHELL = "/bin/sh"
# `timeout` signals ssotui and then its group, a moment apart: one signal, passed on once.
SAME_SIGNAL_WITHIN = 0.5  # seconds
T = TypeVar("T")


def user_shell(configured: str | None, environ: Mapping[str, str]) -> list[str]:
    """The subshell to run: `subshell_command` from config.toml, else `$SHELL`, else /bin/sh."""
    if configured and configured.strip():
        try:
            return shlex.split(configured)
        except ValueError:
            raise SsotuiError(
                f"subshell_command {configured!r} in config.toml is not a valid command line "
                "(check its quotes)"
            ) from None
    shell = environ.get("SHELL", "").strip()
    return [shell or FALLBACK_SHELL]


def check_nesting(environ: Mapping[str, str], *, force: bool = False) -> None:
    """Refuse to start a subshell inside another ssotui subshell unless `force` (a shell that
    only evaluated `export` lines has the markers too, but is no subshell to exit)."""
    if force or not environ.get(SUBSHELL_MARKER):
        return
    account = printable(
        environ.get("SSOTUI_ACCOUNT_NAME") or environ.get("SSOTUI_ACCOUNT_ID") or "?"
    )
    role = printable(environ.get("SSOTUI_ROLE_NAME", "?"))
    raise SsotuiError(
        f"you are already in an ssotui subshell for {account}/{role}; "
        "exit it first, or use --force to start another inside it"
    )


def check_not_shadowed(label: str, environ: Mapping[str, str]) -> None:
    """Refuse self-renewing credentials that the child's SDK would never ask for: the
    `default` profile holds credentials, which SDKs take before the credential endpoint.
    `environ`: the child's environment, which names the files its SDK reads."""
    shadow = shadowing_setting(paths.aws_config_file(environ), paths.aws_credentials_file(environ))
    if shadow is not None:
        path, setting = shadow
        used = (
            "at which the AWS SDKs for JavaScript and Go stop"
            if setting in STRICTER_SDKS_SETTINGS
            else "which AWS SDKs use"
        )
        raise SsotuiError(
            f"the [default] profile in {path} has {setting}, {used} before self-renewing "
            f"credentials: the command would not run as {label}; move it to a named profile, "
            "or use static keys (exec without --renew)"
        )


@dataclass(frozen=True)
class SubshellPlan:
    """A program ready to run with role credentials: what `run` starts."""

    argv: tuple[str, ...]
    env: dict[str, str] = field(repr=False)  # holds the secrets
    label: str  # account/role, for messages
    # its credentials come from ssotui's endpoint (`exec --renew`): useless once ssotui is gone
    renewing: bool = False


def plan_subshell(
    creds: RoleCredentials,
    command: Sequence[str] | None,
    *,
    configured: str | None,
    environ: Mapping[str, str],
    force: bool = False,
    endpoint: Mapping[str, str] | None = None,
) -> SubshellPlan:
    """Check everything that can be checked before the terminal is handed over.

    `endpoint`: the environment of a running credential endpoint (`tui.serve`): the child
    then gets it instead of static keys, and its credentials renew themselves.

    With no command: the user's shell (`configured`, else `$SHELL`), refused inside another
    ssotui subshell unless `force`. The program must exist: a missing one is one line (exit
    127), never a terminal left suspended.
    """
    if command:
        argv = list(command)
    else:
        check_nesting(environ, force=force)
        argv = user_shell(configured, environ)
    label = f"{creds.account.label}/{creds.role_name}"
    env = (
        child_env(creds, environ)
        if endpoint is None
        else endpoint_child_env(endpoint, creds, environ)
    )
    if endpoint is not None:
        check_not_shadowed(printable(label), env)
    found = shutil.which(argv[0], path=env.get("PATH", os.defpath))
    if found is None:
        where = "" if command else " (the subshell: subshell_command in config.toml, else $SHELL)"
        # A path that is there but cannot run is 126 with its reason, as a shell says it.
        if os.sep in argv[0] and os.path.isdir(argv[0]):
            raise SsotuiError(f"cannot run {argv[0]}: is a directory{where}", exit_code=126)
        if os.sep in argv[0] and os.path.exists(argv[0]):
            raise SsotuiError(f"cannot run {argv[0]}: permission denied{where}", exit_code=126)
        raise SsotuiError(f"command not found: {argv[0]}{where}", exit_code=127)
    return SubshellPlan(
        argv=(found, *argv[1:]), env=env, label=label, renewing=endpoint is not None
    )


def has_terminal() -> bool:
    """Whether this process has a controlling terminal, whose Ctrl-C and job control reach its
    process group. Only "no such device" says it has none; anything else keeps the child in
    ssotui's group, as on a terminal (a child wrongly left in a group of its own would be
    stopped when it reads the terminal)."""
    try:
        tty = os.open("/dev/tty", os.O_RDWR | os.O_NOCTTY)
    except OSError as exc:
        return exc.errno not in (errno.ENXIO, errno.ENOENT)
    os.close(tty)
    return True


class _ChildSignals:
    """Who receives the signals ssotui passes on; one that arrives while the child is starting
    is held. `own_group`: the child leads a process group of its own, which is signalled whole
    (the command's own children too, as a signal to ssotui's group reached them before)."""

    def __init__(self, *, own_group: bool) -> None:
        self.own_group = own_group
        self.child: subprocess.Popen[bytes] | None = None
        self.pending: list[int] = []
        self.received: set[int] = set()
        self.last: dict[int, float] = {}

    def ignore(self, signum: int, frame: FrameType | None) -> None:
        # A Python-level handler, not SIG_IGN: exec resets it, so the child starts with the
        # default handling and the terminal's Ctrl-C reaches it directly.
        return None

    def forward(self, signum: int, frame: FrameType | None) -> None:
        self.received.add(signum)
        now = time.monotonic()
        previous = self.last.get(signum)
        self.last[signum] = now
        if previous is not None and now - previous < SAME_SIGNAL_WITHIN:
            return  # the same signal again, sent to ssotui and its group at once
        if self.child is None:
            self.pending.append(signum)
            return
        self._send(self.child, signum)

    def _send(self, child: subprocess.Popen[bytes], signum: int) -> None:
        if not self.own_group:
            with contextlib.suppress(ProcessLookupError):
                child.send_signal(signum)
            return
        # As send_signal does: not once the child is reaped, when its id may be another's.
        if child.poll() is None:
            with contextlib.suppress(ProcessLookupError, PermissionError):
                os.killpg(child.pid, signum)

    def started(self, child: subprocess.Popen[bytes]) -> None:
        """The child is running: hand it any signal that came while it was starting."""
        self.child = child
        while self.pending:
            self._send(child, self.pending.pop(0))


@contextlib.contextmanager
def _guarded_signals() -> Iterator[_ChildSignals]:
    """While the block runs: on a terminal, ignore its interrupts and pass SIGTERM/SIGHUP to
    the child; with none, give the child a group of its own and pass all four on."""
    if threading.current_thread() is not threading.main_thread():
        # Signal handlers can only be set from the main thread: nothing could be passed on.
        yield _ChildSignals(own_group=False)
        return
    target = _ChildSignals(own_group=not has_terminal())
    interrupt = target.forward if target.own_group else target.ignore
    wanted = {
        signal.SIGINT: interrupt,
        signal.SIGQUIT: interrupt,
        signal.SIGTERM: target.forward,
        signal.SIGHUP: target.forward,
    }
    # What ssotui's caller had ignored (`nohup`: SIGHUP; `&` in a script: SIGINT, SIGQUIT)
    # stays ignored, by ssotui and by the child, as `env` leaves it: nothing is passed on.
    wanted = {s: h for s, h in wanted.items() if signal.getsignal(s) != signal.SIG_IGN}
    saved = {signum: signal.signal(signum, handler) for signum, handler in wanted.items()}
    try:
        yield target
    finally:
        for signum, previous in saved.items():
            signal.signal(signum, previous)


@contextlib.contextmanager
def _terminal_taken_back() -> Iterator[None]:
    """While the block runs the child may make its own group the terminal's foreground, as a
    job-control shell does; it gives the terminal back when it exits, but not when a signal
    kills it. Then ssotui takes it back, or its next use of the terminal would stop it
    (SIGTTOU: "[1]+ Stopped ssotui" until the user types `fg`)."""
    try:
        tty = os.open("/dev/tty", os.O_RDWR | os.O_NOCTTY)
    except OSError:  # no terminal: nothing to take back
        yield
        return
    try:
        try:
            before = os.tcgetpgrp(tty)
        except OSError:
            before = -1
        yield
    finally:
        with contextlib.suppress(OSError):
            if before == os.getpgrp() and os.tcgetpgrp(tty) != before:
                # A group not in the foreground may set it only with SIGTTOU blocked.
                held = signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGTTOU})
                try:
                    os.tcsetpgrp(tty, before)
                finally:
                    signal.pthread_sigmask(signal.SIG_SETMASK, held)
        os.close(tty)


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


@dataclass(frozen=True)
class Finished:
    """How a program run by `run` ended."""

    status: int  # as a shell reports it
    hung_up: bool  # the terminal went away (SIGHUP) while it ran
    ended_by_signal: int | None = None  # the signal that ended it, if one did


def _or_in_sh(start: Callable[[list[str]], T], argv: Sequence[str]) -> T:
    """`start(argv)`; a file without a `#!` line that the system will not run (ENOEXEC) is a
    shell script, started as `start([/bin/sh, *argv])`, as `env`, bash and execvp(3) run it."""
    try:
        return start(list(argv))
    except OSError as exc:
        if exc.errno != errno.ENOEXEC:
            raise
    return start([FALLBACK_SHELL, *argv])


def _cannot_run(program: str, exc: OSError) -> SsotuiError:
    """The line for a program that could not be started (exit 127 or 126, as a shell gives)."""
    if isinstance(exc, FileNotFoundError):
        return _not_found(program)
    if isinstance(exc, PermissionError):
        return SsotuiError(f"cannot run {program}: permission denied", exit_code=126)
    return SsotuiError(f"cannot run {program}: {exc.strerror or exc}", exit_code=126)


def _not_found(program: str) -> SsotuiError:
    """A program the system says is not there: when it is there after all, its `#!` line names
    an interpreter that is not (exit 127, as bash and `env` give)."""
    path = program if os.sep in program else shutil.which(program) or program
    try:
        with open(path, "rb") as script:
            first = script.readline(4096)
    except OSError:
        first = b""
    if first.startswith(b"#!") and first[2:].split():
        interpreter = os.fsdecode(first[2:].split()[0])
        return SsotuiError(
            f"cannot run {printable(program)}: bad interpreter {printable(interpreter)} "
            "(its #! line): no such file",
            exit_code=127,
        )
    return SsotuiError(f"command not found: {printable(program)}", exit_code=127)


def run(plan: SubshellPlan) -> Finished:
    """Run the planned program; wait for it; its exit status (and whether the terminal hung up).

    SsotuiError when it cannot be started after all (permissions, a race with its removal).
    """
    # Handlers go in before the child starts, so no Ctrl-C can fall between the two; the
    # terminal's foreground is noted before too (a shell takes it as soon as it starts).
    with _guarded_signals() as signals, _terminal_taken_back():
        try:
            if signals.own_group:
                # Nothing else reaches a group of its own when ssotui is killed (SIGKILL): the
                # kernel then sends SIGTERM. Started from the main thread (own_group says so),
                # which lives as long as ssotui.
                child = _or_in_sh(
                    lambda argv: start_dying_with_us(argv, plan.env, process_group=0), plan.argv
                )
            elif plan.renewing:
                # On a terminal, a child whose endpoint died with ssotui (SIGKILL) would point
                # at a port anyone may take: it gets SIGHUP, as at a hang-up, which ends an
                # interactive shell (SIGTERM does not); under `nohup` it ignores SIGHUP, as
                # ssotui does: SIGTERM then. Started by the thread that waits for it.
                hung_up = signal.SIGHUP
                if signal.getsignal(signal.SIGHUP) == signal.SIG_IGN:
                    hung_up = signal.SIGTERM
                child = _or_in_sh(
                    lambda argv: start_dying_with_us(
                        argv, plan.env, process_group=None, death_signal=hung_up
                    ),
                    plan.argv,
                )
            else:
                child = _or_in_sh(lambda argv: subprocess.Popen(argv, env=plan.env), plan.argv)
        except OSError as exc:
            raise _cannot_run(plan.argv[0], exc) from None
        signals.started(child)
        returncode = _wait(child)
    return Finished(
        exit_status(returncode),
        hung_up=signal.SIGHUP in signals.received,
        ended_by_signal=-returncode if returncode < 0 else None,
    )


def become(plan: SubshellPlan) -> NoReturn:
    """Replace this process with the planned program, as `env` and `exec` do: the program has
    ssotui's process id, terminal and process group, so every signal reaches it once, from
    whoever sends it (a terminal's Ctrl-C, `timeout`, systemd stopping a group: forwarded by a
    waiting parent as well, a second SIGTERM makes Terraform quit at once, its state locked),
    and its exit status is ssotui's. For `exec` without `--renew`, which has nothing left to do
    once the program runs.

    SsotuiError, with this process still there, when it cannot be run (as `run` says it).
    """
    for stream in (sys.stdout, sys.stderr):
        with contextlib.suppress(OSError, ValueError):
            stream.flush()
    env = dict(plan.env)
    # Python ignores these for itself and an ignored signal outlives execve: the program gets
    # the defaults, as from Popen (or `yes | head` says "Broken pipe").
    for signum in (signal.SIGPIPE, signal.SIGXFSZ):
        signal.signal(signum, signal.SIG_DFL)
    try:
        _or_in_sh(lambda argv: os.execve(argv[0], argv, env), plan.argv)
    except OSError as exc:
        raise _cannot_run(plan.argv[0], exc) from None
    raise AssertionError("execve returned")  # it never does: it raises or replaces us


def run_with_credentials(
    creds: RoleCredentials,
    command: Sequence[str] | None,
    *,
    force: bool = False,
    configured: str | None = None,
    environ: Mapping[str, str],
) -> int:
    """Plan and run in one go (no terminal to hand over in between); the exit status.
    `environ`: the caller's environment, which the child's is made from."""
    plan = plan_subshell(creds, command, configured=configured, environ=environ, force=force)
    return run(plan).status
