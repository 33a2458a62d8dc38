"""The full-screen picker (Textual). `make_app` is the one way to build it.

result = make_app(sessions=context.sessions(), session=chosen, context=context).run()
if result:
    print(result)  # the `p` action: export lines for `eval "$(ssotui)"`
"""

from __future__ import annotations

from typing import TYPE_CHECKING

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
    refresh: bool = False,
    force: bool = False,
    settings: Settings | None = None,
    context: Context | None = None,
) -> SsotuiApp:
    """The picker for `session` (or a chooser among `sessions` when it is None).

    With no session at all, it starts with the first-run set-up, which writes one.

    `open_browser` lets a login open the browser by itself (config.toml's `open_browser` must
    allow it too); `refresh` fetches the catalog afresh even when the cache is fresh; `force`
    allows a subshell inside an ssotui subshell. `context` (settings and environment) defaults
    to this process's; `settings` replaces its settings. The CLI, `demo`, the tests and the
    screenshot command all build the app here.
    """
    from dataclasses import replace

    from tui.app.app import SsotuiApp
    from tui.workspace import Context

    context = context or Context.load()
    if settings is not None:
        context = replace(context, settings=settings)
    return SsotuiApp(
        sessions=list(sessions),
        session=session,
        context=context,
        open_browser=open_browser,
        refresh=refresh,
        force=force,
    )
