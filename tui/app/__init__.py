"""The full-screen picker (Textual). `make_app` is the one way to build it.

result = make_app(sessions=context.sessions(), session=chosen, context=context).run()
if isinstance(result, str):
    print(result)  # the `p` action: export lines for `eval "$(ssotui)"`

Pick first, then act (`ssotui exec` with no ACCOUNT/ROLE): the picker returns the role chosen.

picked = make_app(..., pick_for=Action.SUBSHELL, initial_filter="prod").run()
if isinstance(picked, Picked):  # None: the user left without choosing
    workspace = context.workspace(picked.session)
    creds = workspace.role_credentials(picked.account, picked.role, region=picked.region)
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from tui import startup_gc
from tui.app.pick import Action, Picked

__all__ = ["Action", "Picked", "make_app"]

if TYPE_CHECKING:
    from tui.app.app import SsotuiApp
    from tui.models import SsoSession
    from tui.store.settings import Settings
    from tui.workspace import Context


def make_app(
    *,
    sessions: list[SsoSession],
    session: SsoSession | None = None,
    open_browser: bool = True,
    use_device_code: bool = False,
    refresh: bool = False,
    force: bool = False,
    settings: Settings | None = None,
    context: Context | None = None,
    pick_for: Action | None = None,
    initial_filter: str | None = None,
    demo: bool = False,
) -> SsotuiApp:
    """The picker for `session` (or a chooser among `sessions` when it is None).

    With no session at all, it starts with the first-run set-up, which writes one.

    `open_browser` lets a login open the browser by itself (config.toml's `open_browser` must
    allow it too); `use_device_code` makes a login use a device code from the start;
    `refresh` fetches the catalog afresh even when the cache is fresh; `force` allows a
    subshell inside an ssotui subshell. `context` (settings and environment) defaults
    to this process's; `settings` replaces its settings. The CLI, `demo`, the tests and the
    screenshot command all build the app here.

    `pick_for` opens it to pick a role for that action: Enter on a role closes the picker and
    `app.run()` returns a `Picked` (the session, which the user may have switched to, the
    account, the role and the region the picker would use), after recording the role as
    recently used; the caller does the action. Leaving without a choice (Escape in an empty
    accounts filter, ctrl+q, ctrl+c) returns None. The action menu is not shown and its keys
    are not offered. `initial_filter` is typed into the accounts filter at the start.
    `demo`: `ssotui demo`'s picker, whose login the simulator approves by itself (it says so).
    """
    startup_gc.pause()  # until the first screen is drawn (the App resumes it)
    from dataclasses import replace

    from tui.app.app import SsotuiApp
    from tui.workspace import Context

    context = context or Context.load()
    if settings is not None:
        context = replace(context, settings=settings, known_paths=context.paths)
    return SsotuiApp(
        sessions=list(sessions),
        session=session,
        context=context,
        open_browser=open_browser,
        use_device_code=use_device_code,
        refresh=refresh,
        force=force,
        pick_for=pick_for,
        initial_filter=initial_filter or "",
        demo=demo,
    )
