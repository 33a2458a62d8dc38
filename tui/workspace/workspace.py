"""One SSO session's use cases, written once for the command line and the picker.

A `Workspace` is built once per process and session from the settings, a snapshot of the
environment and the paths it decides (`tui.workspace.context`). Its methods block (call them
from a thread worker in the picker) and report progress through plain callbacks. A portal call
that gets a 401 is tried once more with a token renewed from the refresh token (`with_token`),
whichever door asked.

The use cases live by group, each in a file of its own, and `Workspace` gathers them:

    session_token.py     the token, renewed on a 401, and the portal calls made with it
    login.py             log in, log out (`LogoutReport`)
    catalog.py           the catalog: cached, brought up to date, shown, searched (`find`)
    role_credentials.py  role credentials, kept between runs, and their region
    endpoint.py          the credential endpoint of `exec --renew`
    handoff.py           what is done with credentials (`Workspace.handoff`)
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING

from tui.models import Account, RoleCredentials, SsoSession
from tui.paths import Paths
from tui.store.settings import Settings
from tui.workspace.catalog import CatalogUseCases
from tui.workspace.handoff import Handoff
from tui.workspace.login import LoginUseCases
from tui.workspace.role_credentials import RoleCredentialUseCases

if TYPE_CHECKING:
    from tui.serve import CredentialEndpoint
    from tui.store.state import State


class Workspace(LoginUseCases, CatalogUseCases, RoleCredentialUseCases):
    """The use cases of one SSO session."""

    def __init__(
        self,
        session: SsoSession,
        *,
        settings: Settings,
        environ: Mapping[str, str],
        paths: Paths,
    ) -> None:
        super().__init__(session, settings=settings, environ=environ, paths=paths)
        self.handoff = Handoff(session, settings=settings, environ=environ, paths=paths)

    # -- favourites and recent roles ------------------------------------------------------------

    def load_state(self) -> State:
        """Favourites and recently used roles (state.toml)."""
        from tui.store import state

        return state.load(self.paths.state_file)

    def update_state(self, change: Callable[[State], State]) -> State:
        """Apply `change` to state.toml under its lock (other processes' changes kept)."""
        from tui.store import state

        return state.update(self.paths, change)

    # -- role credentials (`tui.workspace.role_credentials`; what is done with them: `handoff`) --

    def credential_endpoint(
        self,
        account: Account,
        role: str,
        *,
        region: str | None = None,
        fresh: bool = False,
        advice: Callable[[str], str] | None = None,
        first: RoleCredentials | None = None,
    ) -> CredentialEndpoint:
        """A loopback endpoint (not started: use it in a `with`) that serves the role's
        credentials and renews them, and the SSO token, before they expire; never prompts
        (`tui.workspace.endpoint`). `fresh`: its first credentials are fetched anew;
        `advice`: a failure's advice in the door's words, for the child's SDK; `first`: the
        credentials the door has just fetched, served first."""
        from tui.workspace.endpoint import credential_endpoint

        return credential_endpoint(
            self, account, role, region=region, fresh=fresh, advice=advice, first=first
        )

    def credentials_for(
        self,
        account_text: str,
        role_text: str,
        *,
        refresh: bool = False,
        region: str | None = None,
    ) -> RoleCredentials:
        """Credentials for the ACCOUNT and ROLE a user typed (resolved against the catalog)."""
        account, role = self.find(account_text, role_text, refresh=refresh)
        return self.role_credentials(account, role, region=region, fresh=refresh)
