"""The use cases, written once for both front doors (the command line and the picker).

`Context` holds what a process reads once (settings, environment); `Context.workspace(session)`
gives the `Workspace` of one SSO session, whose methods are the use cases.
"""

from tui.workspace.context import Context

__all__ = ["Context"]
