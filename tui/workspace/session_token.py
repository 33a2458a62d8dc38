"""One SSO session's token, and the portal calls made with it: the ground every use case of the
workspace stands on (`tui.workspace.workspace`).

A portal call that gets a 401 is tried once more with a token renewed from the refresh token
(`with_token`), whichever door asked.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, TypeVar

from tui.errors import NotLoggedIn
from tui.models import SsoSession, Token
from tui.paths import Paths
from tui.store.settings import Settings

if TYPE_CHECKING:
    from tui.aws.portal import Portal

T = TypeVar("T")
TokenHandler = Callable[[Token], object]
# A renewal of the credential endpoint while the credentials it replaces are still handed out:
# no caller waits for it, and a failed one is tried again after a growing wait
# (`tui.serve.renewing`), so its call gets this many seconds (at most `request_deadline`) and
# this many retries after a 429 (a command's call: 15 s and 20, ~21 attempts when throttled).
RENEWAL_DEADLINE = 4.0
RENEWAL_THROTTLE_RETRIES = 2


class SessionToken:
    """The session, the settings, the environment and the paths it decides; its token and
    portal calls."""

    def __init__(
        self,
        session: SsoSession,
        *,
        settings: Settings,
        environ: Mapping[str, str],
        paths: Paths,
    ) -> None:
        self.session = session
        self.settings = settings
        self.environ = environ
        self.paths = paths

    def token(self) -> Token:
        """A usable token, refreshed when near expiry; NotLoggedIn when a login is needed."""
        from tui.aws.tokens import current_token
        from tui.logs import hide

        token = current_token(self.paths, self.session)
        hide(token.access_token, token.refresh_token, token.client_secret)
        return token

    def with_token(self, work: Callable[[Token], T], *, renewed: TokenHandler | None = None) -> T:
        """Run `work` with the token; after a 401, once more with a token renewed for it.

        Identity Center can end an access token before its expiry; the refresh token usually
        still works. `renewed` hears of the new token before the second call starts. When no
        token can be had, NotLoggedIn tells the door to offer a login.
        """
        from tui.aws.tokens import forget_refused, renewed_token
        from tui.logs import hide

        token = self.token()
        try:
            return work(token)
        except NotLoggedIn:
            fresh = renewed_token(self.paths, self.session, token)
        hide(fresh.access_token, fresh.refresh_token, fresh.client_secret)
        if renewed is not None:
            renewed(fresh)
        try:
            return work(fresh)
        except NotLoggedIn:
            # refused too: kept, it made `ssotui login` say "Already logged in"
            forget_refused(self.paths, self.session, fresh)
            # A token refused the moment it is issued is seldom revoked: what carries it may
            # drop it (and `ssotui login` then goes round in a circle)
            raise NotLoggedIn(
                f"Identity Center refused the token of session {self.session.label} even just "
                "after renewing it (should a new login meet the same, a proxy in the way may "
                "drop its x-amz-sso_bearer_token header, as nginx drops header names with an "
                "underscore): run `ssotui login`"
            ) from None

    def _portal(self, token: Token, *, background: bool = False) -> Portal:
        """The portal for one piece of work (a call, a retry), with `request_deadline`;
        `background`: work no one waits for, tried again later if it fails (shorter deadline,
        fewer retries after a 429)."""
        from tui.aws.portal import Portal

        deadline = self.settings.request_deadline
        if not background:
            return Portal(self.session, token, environ=self.environ, deadline=deadline)
        return Portal(
            self.session,
            token,
            environ=self.environ,
            deadline=min(RENEWAL_DEADLINE, deadline),
            throttle_retries=RENEWAL_THROTTLE_RETRIES,
        )
