"""What the picker is asked to do with a role, and what it hands back when asked to pick one.

No Textual here: the command line imports these to build the picker (`make_app(pick_for=...)`)
and to read what `app.run()` returned.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from tui.models import Account, SsoSession


class Action(StrEnum):
    """What to do with a role's credentials."""

    SUBSHELL = "subshell"
    COPY = "copy"
    WRITE_PROFILE = "write"
    PRINT = "print"
    CONSOLE = "console"


# What Enter on a role says it does when the picker only picks (footer, help, status line).
PICK_VERBS: dict[Action, str] = {
    Action.SUBSHELL: "Run",
    Action.COPY: "Copy",
    Action.WRITE_PROFILE: "Write",
    Action.PRINT: "Export",
    Action.CONSOLE: "Console",
}


@dataclass(frozen=True)
class Picked:
    """The role the user picked when the picker was opened to pick one (`pick_for`).

    `session` is the session it belongs to (the user may have switched inside the picker);
    `region` is the one the picker would use for its credentials (the account's region chosen
    in the picker, else the session's default region, else None).
    """

    session: SsoSession
    account: Account
    role: str
    region: str | None = None
