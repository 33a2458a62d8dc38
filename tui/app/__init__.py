"""The full-screen picker (Textual). `make_app` is the one way to build it.

result = make_app(sessions=load_sessions(), session=chosen).run()
if result:
    print(result)  # the `p` action: export lines for `eval "$(ssotui)"`
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from tui.app.app import SsotuiApp
    from tui.models import SsoSession
    from tui.store.settings import Settings


def make_app(
    *,
    sessions: list[SsoSession],
    session: SsoSession | None = None,
    open_browser: bool = True,
    refresh: bool = False,
    settings: Settings | None = None,
) -> SsotuiApp:
    """The picker for `session` (or a chooser among `sessions` when it is None).

    With no session at all, it starts with the first-run set-up, which writes one.

    `open_browser` opens the login page by itself; `refresh` fetches the catalog afresh even
    when the cache is fresh; `settings` default to ssotui's config.toml. The CLI, `demo`, the
    tests and the screenshot command all build the app here.
    """
    from tui.app.app import SsotuiApp
    from tui.store.settings import load_settings

    return SsotuiApp(
        sessions=list(sessions),
        session=session,
        settings=settings if settings is not None else load_settings(),
        open_browser=open_browser,
        refresh=refresh,
    )
