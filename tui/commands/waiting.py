"""A wait on another ssotui, said on the command line: one line on stderr, once per wait.

`credential-process` says nothing: its stderr goes to the program that ran it (botocore and
the AWS CLI put it in front of their error's reason; the Go SDK passes it on to its own stderr,
once per provider Terraform starts). Nor does `exec --renew` while its command has the terminal.
"""

from __future__ import annotations

from tui.commands.resolve import say
from tui.store.waits import WaitingForOtherSsotui

QUIET_COMMANDS = frozenset({"credential-process"})


def say_waiting(event: WaitingForOtherSsotui) -> None:
    """The line for a wait on another ssotui, as a wait for another login is said."""
    say(f"Another ssotui is {event.doing}: waiting for it...")
