"""Which login flow to run: the browser (authorization code with PKCE) or the device code.

The browser flow is the default, as in the AWS CLI v2. The device code is used when asked for
(`--use-device-code`, `--no-browser`), over SSH (a browser on the user's own machine cannot
reach this machine's 127.0.0.1), where no browser can be started, and for a session that is no
`[sso-session]` (the AWS CLI logs such profiles in with the device code too). A pure function:
the caller hands in the environment.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from enum import Enum

SSH_VARIABLES = ("SSH_CONNECTION", "SSH_TTY")


class Flow(Enum):
    """A way to log in."""

    BROWSER = "browser"
    DEVICE_CODE = "device code"


@dataclass(frozen=True)
class FlowChoice:
    """The flow to run and, for the device code, why in one line.

    `fallback` is True when ssotui chose the device code (say "falling back to the device
    code: <reason>"), False when the user asked for it or for the browser flow.
    """

    flow: Flow
    reason: str = ""
    fallback: bool = False


def over_ssh(environ: Mapping[str, str]) -> str | None:
    """The SSH variable that is set (SSH_CONNECTION or SSH_TTY), or None."""
    return next((name for name in SSH_VARIABLES if environ.get(name)), None)


def choose_flow(
    *,
    use_device_code: bool,
    no_browser: bool,
    environ: Mapping[str, str],
    browser_can_start: bool,
    named_session: bool = True,
) -> FlowChoice:
    """The flow for a login, with the reason when it is the device code.

    `named_session` is False for a legacy profile or `--start-url` (no sso-session name).
    """
    if use_device_code:
        return FlowChoice(Flow.DEVICE_CODE, "--use-device-code was given")
    if no_browser:
        return FlowChoice(Flow.DEVICE_CODE, "--no-browser was given")
    if not named_session:
        return FlowChoice(
            Flow.DEVICE_CODE,
            "the session is not an [sso-session] (the AWS CLI uses the device code for it too)",
            fallback=True,
        )
    ssh = over_ssh(environ)
    if ssh is not None:
        return FlowChoice(
            Flow.DEVICE_CODE,
            f"this is an SSH session ({ssh} is set): a browser on your own machine cannot "
            "reach this machine",
            fallback=True,
        )
    if not browser_can_start:
        return FlowChoice(Flow.DEVICE_CODE, "no browser can be started here", fallback=True)
    return FlowChoice(Flow.BROWSER)
