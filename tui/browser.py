"""Opening a URL in the user's browser: one `open_url` for both login flows.

`BROWSER` is honoured with the stdlib's meaning (commands separated by `os.pathsep`, `%s`
standing for the URL) but read at each call, where `webbrowser` reads it once per process.
Where `BROWSER` is unset and the machine is WSL, the Windows browser is opened: with `wslview`
(wslu) when it is installed, else with `cmd.exe /c start` and the URL escaped for cmd.
Elsewhere `webbrowser` picks the browser. As with any browser, the URL is on its command line.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import webbrowser
from collections.abc import Mapping

OSRELEASE = "/proc/sys/kernel/osrelease"
# cmd.exe's special characters; `^` before each makes it literal. Before `%` it also breaks
# any `%NAME%` into a name no variable has, so percent-encoded URLs are not expanded.
_CMD_SPECIAL = frozenset("^&|<>()%!")
_CMD_ENCODED = {" ": "%20", "\t": "%09", '"': "%22", "\r": "%0D", "\n": "%0A"}
OPEN_TIMEOUT = 15.0  # seconds for wslview / cmd.exe to hand the URL over
# Anything else (`javascript:`, `file:`, a scheme some program registered, `-option`) would
# have the browser or the system's opener run or read something rather than show a page.
OPENED_PREFIXES = ("https://", "http://")


def is_wsl(environ: Mapping[str, str], osrelease: str) -> bool:
    """True on the Windows Subsystem for Linux (its variables, or a Microsoft kernel)."""
    if environ.get("WSL_DISTRO_NAME") or environ.get("WSL_INTEROP"):
        return True
    release = osrelease.lower()
    return "microsoft" in release or "wsl" in release


def kernel_release() -> str:
    """The running Linux kernel's release string ("" elsewhere)."""
    try:
        with open(OSRELEASE, encoding="utf-8", errors="replace") as handle:
            return handle.read()
    except OSError:
        return ""


def browser_can_start(
    environ: Mapping[str, str], *, platform: str = sys.platform, osrelease: str | None = None
) -> bool:
    """True where opening a URL can start a graphical browser (or `BROWSER` names one).

    Without a desktop (no DISPLAY or WAYLAND_DISPLAY, not macOS, Windows or WSL) `webbrowser`
    would only find a text browser, if anything.
    """
    if environ.get("BROWSER"):
        return True
    if platform in ("darwin", "win32"):
        return True
    if platform.startswith("linux") and is_wsl(
        environ, kernel_release() if osrelease is None else osrelease
    ):
        return True
    return bool(environ.get("DISPLAY") or environ.get("WAYLAND_DISPLAY"))


def cmd_quoted(url: str) -> str:
    """`url` as one argument that cmd.exe hands to `start` unchanged: cmd's specials escaped with
    `^`; spaces, quotes and line breaks percent-encoded first (WSL would quote an argument with
    them for a C runtime, which cmd does not read)."""
    encoded = "".join(_CMD_ENCODED.get(char, char) for char in url)
    return "".join("^" + char if char in _CMD_SPECIAL else char for char in encoded)


def windows_open_command(url: str, environ: Mapping[str, str]) -> list[str] | None:
    """The command that opens `url` in the Windows browser from WSL, or None when neither
    `wslview` nor `cmd.exe` is on PATH."""
    search = environ.get("PATH", os.defpath)
    wslview = shutil.which("wslview", path=search)
    if wslview:
        return [wslview, url]
    cmd = shutil.which("cmd.exe", path=search)
    if cmd:
        return [cmd, "/c", "start", cmd_quoted(url)]
    return None


def _open_with_browser_variable(commands: str, url: str) -> bool:
    for cmdline in commands.split(os.pathsep):
        if not cmdline.strip():
            continue
        try:
            opener: webbrowser.BaseBrowser = webbrowser.get(cmdline)
        except webbrowser.Error:
            opener = webbrowser.GenericBrowser(cmdline)  # what webbrowser registers for BROWSER
        try:
            if opener.open_new_tab(url):
                return True
        except Exception:  # a broken BROWSER entry: try the next one
            continue
    return False


def _open_on_windows(url: str, environ: Mapping[str, str]) -> bool:
    argv = windows_open_command(url, environ)
    if argv is None:
        return False
    try:
        done = subprocess.run(
            argv,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            timeout=OPEN_TIMEOUT,
            check=False,
        )
    except (OSError, subprocess.SubprocessError):
        return False
    return done.returncode == 0


def open_url(url: str, environ: Mapping[str, str]) -> bool:
    """Open `url` in a browser; False when no browser could be started, or when `url` is not
    an http or https address (nothing is run then).

    `environ`: the caller's environment (BROWSER, PATH and the WSL variables). Python's
    `webbrowser`, the last resort, reads this process's own.
    """
    if not url.lower().startswith(OPENED_PREFIXES):
        return False
    env = environ
    commands = env.get("BROWSER", "")
    if commands:
        return _open_with_browser_variable(commands, url)
    if sys.platform.startswith("linux") and is_wsl(env, kernel_release()):
        return _open_on_windows(url, env)
    try:
        return bool(webbrowser.open_new_tab(url))
    except Exception:
        return False
