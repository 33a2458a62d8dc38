"""ssotui's own process kept out of core dumps, and from other processes' reading of its memory.

Every ssotui process may hold the SSO token or role credentials in memory: a command, the
picker, `exec --renew`'s endpoint. A crash, a SIGQUIT (Ctrl-\\ on the terminal) or a SIGABRT
would write them to a core file (or to systemd-coredump, apport) for anyone who reads those.
On Linux `prctl(PR_SET_DUMPABLE, 0)` writes no core, and also keeps other processes of the
same user from attaching to ssotui (a debugger) or reading its /proc/PID/mem and environ.

Not RLIMIT_CORE: a limit is inherited, so the user's subshell and `exec`'s command would lose
their own core dumps. The kernel sets dumpable again at every execve (of a program that is not
set-user-ID), so every program ssotui starts keeps the user's own settings. ssotui's own /proc
reads (/proc/self/fd, /proc/PID/stat of its children) are unaffected: a process may always
read its own entries, and its children are dumpable.

Elsewhere (macOS, which writes no core unless asked: `ulimit -c` is 0 and /cores needs root)
nothing is done. A failure here is never a command's failure.
"""

from __future__ import annotations

import sys

PR_SET_DUMPABLE = 4  # <linux/prctl.h>


def keep_out_of_core_dumps() -> None:
    """Make this process write no core dump, where the system allows; never raises."""
    if not sys.platform.startswith("linux"):
        return
    try:
        import ctypes

        ctypes.CDLL(None, use_errno=True).prctl(PR_SET_DUMPABLE, 0, 0, 0, 0)
    except (OSError, AttributeError):  # no C library to ask, or no prctl in it
        pass
