"""ctrl+z: the picker stopped as a job, as vim and less stop, when a shell can bring it back.

While the picker draws, the terminal sends ctrl+z as a key (its ISIG is off), so the picker
gives the terminal back as it was and stops as the terminal would have stopped it: SIGTSTP to
its whole process group, which the shell that started it as a job sees stopped (a `sh -c` or
`make` between them stops with it). Textual stops the picker's own process alone, which such a
shell, waiting for its child, never sees: the terminal stayed frozen until a `kill -CONT`.

No shell brings back a process group that is orphaned (POSIX): one with no member whose parent
is in another group of the same session. The picker is in one when it is the command of a tmux
pane or popup, or a child of the interactive shell in that shell's own group (`eval "$(ssotui
export)"`, a command substitution). The kernel ignores a ctrl+z there; Textual's handler would
stop the picker for good, its terminal frozen. There, and where the picker is not the
terminal's foreground job, it stays and says why.

A SIGTSTP from outside (`kill -TSTP` from another terminal) takes the same way, as the kernel's
default would (it ignores one sent to an orphaned group): Textual's own handler stopped the
picker alone, and for good where no shell could bring it back.
"""

from __future__ import annotations

import os
import signal
import sys

# What asked the picker to stop: ctrl+z, or a SIGTSTP from outside, in the line that says why not.
CTRL_Z = "ctrl+z"
OUTSIDE = "SIGTSTP (kill -TSTP)"


def why_not_stop(by: str = CTRL_Z) -> str | None:
    """Why the picker cannot stop as a job now (the line to show), else None; `by`: what asked
    it to stop."""
    if sys.platform == "win32":
        return f"{by}: no job control on Windows"
    try:
        foreground = os.tcgetpgrp(sys.__stdin__.fileno()) if sys.__stdin__ else -1
    except OSError:  # not the process's controlling terminal: no job control on it
        foreground = -1
    group = os.getpgrp()
    if foreground != group or not _shell_can_resume(group, os.getsid(0)):
        return f"{by}: no shell could bring ssotui back (`fg`) from here; it stays"
    return None


def stop() -> None:
    """Stop the picker's process group as ctrl+z on the terminal would; returns once `fg`
    (SIGCONT) resumes it. The terminal must have been given back first."""
    os.killpg(0, signal.SIGTSTP)


class TerminalGone(Exception):
    """The terminal hung up (closed) while the picker was stopped."""


def check_terminal() -> None:
    """TerminalGone when the terminal hung up: a closed terminal's shell sends its stopped
    jobs SIGHUP and SIGCONT, and a hung-up terminal refuses every request (EIO)."""
    import termios  # (Unix only, as stopping is)

    try:
        termios.tcgetattr(sys.__stdin__.fileno() if sys.__stdin__ else 0)
    except (termios.error, OSError, ValueError) as exc:
        raise TerminalGone from exc


def _shell_can_resume(group: int, session: int) -> bool:
    """Whether `group` is not orphaned: going up from this process through its group, a parent
    in another group of `session` (the job-control shell). A parent of another session: the
    group is orphaned. Where the parents cannot be read (no /proc), only the picker's own."""
    pid = os.getpid()
    seen: set[int] = set()
    while pid > 1 and pid not in seen:
        seen.add(pid)
        parent = _parent_of(pid)
        if parent is None or parent <= 0:
            return False
        try:
            parent_group, parent_session = os.getpgid(parent), os.getsid(parent)
        except OSError:  # gone, or another session's (EPERM on some systems)
            return False
        if parent_session != session:
            return False
        if parent_group != group:
            return True
        pid = parent
    return False


def _parent_of(pid: int) -> int | None:
    """The parent of process `pid`, or None where it cannot be read."""
    if pid == os.getpid():
        return os.getppid()
    try:
        with open(f"/proc/{pid}/stat", "rb") as stat:
            fields = stat.read().rsplit(b")", 1)[1].split()
    except (OSError, IndexError):
        return None
    # after the command's name: state, ppid, pgrp, session
    try:
        return int(fields[1])
    except (IndexError, ValueError):
        return None
