"""A command that gets a signal when ssotui dies, even of SIGKILL (Linux's parent-death signal).

`exec --renew` serves the command's credentials from ssotui's own process: a SIGKILL to ssotui
(`kill -9`, the OOM killer, a CI runner's hard stop) left the command running against a port
that was gone, which another local user could then take and answer (SECURITY.md). With no
terminal the command runs in a process group of its own, which nothing else reaches, and gets
SIGTERM; on a terminal, SIGHUP, as when the terminal closes: an interactive shell (bash, zsh)
ignores SIGTERM but ends on SIGHUP, hanging up its own jobs. The kernel can signal a process
when its parent dies (`prctl(PR_SET_PDEATHSIG)`), but only the process itself can ask for it,
and ssotui runs threads (the endpoint), so nothing may run between fork and exec
(`preexec_fn`). A short step started instead of the command asks for it, checks that ssotui is
still its parent (else ssotui died first and no signal would come: it stops as the signal
would have stopped it), and replaces itself with the command: same process id and process
group, the command's own argv, environment (byte for byte) and exit status.

The step is this file, run by ssotui's own interpreter (`-I -S`: no site, no PYTHON* variables),
so it is there wherever ssotui is; it imports nothing from ssotui. Where the kernel has no such
signal (macOS) the command is started as before. Linux sends it when the THREAD that started the
command ends: the caller starts it from the main thread, which lives as long as ssotui, or from
a thread that waits for the command.
"""

from __future__ import annotations

# The step imports as little as it can, as each import delays the command's start: not `typing`
# (a bare TYPE_CHECKING is one to mypy), nor `signal` (it loads enum) but the C module under it,
# which Python loads at start-up (and which has no type stubs).
import _signal as signal  # type: ignore[import-not-found]
import errno
import os
import sys

TYPE_CHECKING = False
if TYPE_CHECKING:
    import subprocess
    from collections.abc import Mapping, Sequence

PR_SET_PDEATHSIG = 1  # <linux/prctl.h>
# Python coerces a C locale by setting LC_CTYPE in its environment (PEP 538), which the command
# would inherit; not while LC_ALL is set. The step runs with LC_ALL=C and hands the command the
# caller's own LC_ALL: "-" for none, "=VALUE" for one.
_NO_LC_ALL = "-"


def _step_possible() -> bool:
    """Whether this system and this interpreter can run the step."""
    return (
        sys.platform == "linux"
        and not getattr(sys, "frozen", False)
        and bool(sys.executable)
        and os.access(sys.executable, os.X_OK)
        and __file__.endswith(".py")
        and os.path.isfile(__file__)
    )


def start_dying_with_us(
    argv: Sequence[str],
    env: Mapping[str, str],
    *,
    process_group: int | None,
    death_signal: int = signal.SIGTERM,
) -> subprocess.Popen[bytes]:
    """`subprocess.Popen(argv, env=env, process_group=...)`, the program getting `death_signal`
    when this process (the calling thread: call from the main thread, or from a thread that
    waits for the program) ends, where the system allows.

    OSError as Popen raises it when the program cannot be run (its errno, for the same messages).
    """
    import subprocess

    if not _step_possible():
        return subprocess.Popen(list(argv), env=dict(env), process_group=process_group)
    failed, tell = os.pipe()  # the step writes an errno here when the command cannot be run
    lc_all = env.get("LC_ALL")
    step_env = {**env, "LC_ALL": "C"}
    step = [sys.executable, "-I", "-S", __file__, str(tell), str(os.getpid())]
    step.append(_NO_LC_ALL if lc_all is None else f"={lc_all}")
    step.append(str(int(death_signal)))
    try:
        child = subprocess.Popen(
            [*step, *argv], env=step_env, process_group=process_group, pass_fds=(tell,)
        )
    except BaseException:
        os.close(failed)
        raise
    finally:
        os.close(tell)
    with os.fdopen(failed, "rb") as reply:
        said = reply.read()  # nothing: the command runs (the pipe closed when it started)
    if said:
        child.wait()
        code = int(said)
        raise OSError(code, os.strerror(code), argv[0])
    return child


def _run_step(args: list[str]) -> None:
    """In the child: ask for the signal at the parent's death, check the parent, become the
    command."""
    # Python's own start-up set these; the command starts with the defaults, as from Popen.
    # An ignored SIGINT was ignored by ssotui's caller (Python leaves it): it stays so.
    for signum in (signal.SIGPIPE, signal.SIGXFSZ):
        signal.signal(signum, signal.SIG_DFL)
    if signal.getsignal(signal.SIGINT) is signal.default_int_handler:
        signal.signal(signal.SIGINT, signal.SIG_DFL)
    tell, parent, lc_all, death_signal, *command = args
    signum = int(death_signal)
    env = dict(os.environb)
    if lc_all == _NO_LC_ALL:
        env.pop(b"LC_ALL", None)
    else:
        env[b"LC_ALL"] = os.fsencode(lc_all[1:])
    try:
        import ctypes

        libc = ctypes.CDLL(None, use_errno=True)
        asked = libc.prctl(PR_SET_PDEATHSIG, signum, 0, 0, 0) == 0
    except (OSError, AttributeError):  # no such call here: run the command as before
        asked = False
    if asked and os.getppid() != int(parent):
        # ssotui died before the signal was asked for: none will come, so stop as it would.
        os.kill(os.getpid(), signum)
        os._exit(128 + signum)
    os.set_inheritable(int(tell), False)  # closed once the command runs: the caller's signal
    try:
        os.execve(command[0], command, env)
    except OSError as exc:
        os.write(int(tell), str(exc.errno or errno.EINVAL).encode())
        os._exit(127)


if __name__ == "__main__":
    _run_step(sys.argv[1:])
