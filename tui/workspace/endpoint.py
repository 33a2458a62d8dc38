"""The credential endpoint of `exec --renew` (and the picker's renewing subshell), for one role:
how the workspace's use cases feed `tui.serve.CredentialEndpoint`.

A renewal while the old credentials are still handed out tries less hard (`background` of
`Workspace.role_credentials`); after a lost login the endpoint tries again once the session's
token cache file changes (a login saved by ssotui or `aws sso login` elsewhere); a fetch slow to
answer says whether it waits for the SSO token's renewal or for the role's credentials.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from tui.models import Account, RoleCredentials, SsoSession
from tui.paths import Paths
from tui.text import printable

if TYPE_CHECKING:
    from tui.serve import CredentialEndpoint
    from tui.workspace.role_credentials import RoleCredentialUseCases


def token_stamp(paths: Paths, session: SsoSession) -> tuple[int, int, int] | None:
    """What changes when a login is saved, by ssotui or `aws sso login`: the stat of the
    session's token cache file (None while there is none)."""
    from tui.aws.token_cache import token_path

    try:
        info = token_path(paths, session).stat()
    except OSError:
        return None
    return (info.st_mtime_ns, info.st_size, info.st_ino)


def credential_endpoint(
    workspace: RoleCredentialUseCases,
    account: Account,
    role: str,
    *,
    region: str | None = None,
    fresh: bool = False,
    advice: Callable[[str], str] | None = None,
    first: RoleCredentials | None = None,
) -> CredentialEndpoint:
    """A loopback endpoint (not started: use it in a `with`) that serves the role's
    credentials and renews them, and the SSO token, before they expire; never prompts.
    `fresh`: its first credentials are fetched anew rather than the ones kept; `advice`: a
    failure's advice in the door's words, for the child's SDK; `first`: the role's
    credentials the door has just fetched, served first instead of fetching them again
    (with `cache_role_credentials = false`, a second portal call the child would wait for)."""
    from tui.serve import CredentialEndpoint

    session = workspace.session
    fetch_anew = fresh  # the endpoint fetches one at a time (RenewingCredentials)
    getting_token = False
    fetched = first

    def on_token_step(token: bool) -> None:
        nonlocal getting_token
        getting_token = token

    def credentials(*, background: bool = False) -> RoleCredentials:
        nonlocal fetch_anew, fetched
        if fetched is not None:
            given, fetched = fetched, None
            return given
        anew, fetch_anew = fetch_anew, False
        on_token_step(False)
        return workspace.role_credentials(
            account,
            role,
            region=region,
            fresh=anew,
            background=background,
            token_step=on_token_step,
        )

    def pending() -> str:  # names from the service reach the child's SDK: made printable
        if getting_token:
            return f"a renewed SSO token for session {printable(session.label)}"
        return (
            f"the credentials of role {printable(role)} in account "
            f"{printable(account.label_with_id)}"
        )

    return CredentialEndpoint(
        credentials,
        renew=lambda: credentials(background=True),
        login_stamp=lambda: token_stamp(workspace.paths, session),
        pending=pending,
        advice=advice,
    )
