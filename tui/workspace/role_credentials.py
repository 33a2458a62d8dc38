"""The role-credential use cases of one SSO session: short-lived credentials for a role, kept
between runs and reused while they last, and the region they go with.

Part of `Workspace` (`tui.workspace.workspace`), the doors' one way in; what is done with the
credentials is `tui.workspace.handoff`.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import TYPE_CHECKING

from tui.errors import NotLoggedIn
from tui.models import Account, RoleCredentials, Token, utcnow
from tui.workspace.session_token import SessionToken, TokenHandler

if TYPE_CHECKING:
    from tui.aws.regions import AwsRegion
    from tui.store.state import State

# Kept role credentials are reused while they have more than this left (botocore asks for new
# container credentials from 15 minutes before expiry, the AWS CLI's SSO cache likewise).
CREDENTIALS_MARGIN = timedelta(minutes=15)


class RoleCredentialUseCases(SessionToken):
    """Role credentials of one SSO session, and their region."""

    def role_credentials(
        self,
        account: Account,
        role: str,
        *,
        region: str | None = None,
        fresh: bool = False,
        renewed: TokenHandler | None = None,
        background: bool = False,
        token_step: Callable[[bool], object] | None = None,
    ) -> RoleCredentials:
        """Short-lived credentials for one role of the catalog.

        Kept between runs (`cache_role_credentials`) and reused while they have more than
        15 minutes left, unless `fresh`; processes asking at once share one fetch. `region`
        (else the session's default region, else none) goes with them to the environment.
        `background`: no one waits for them (the credential endpoint's renewal while the old
        ones are handed out): the portal call tries less hard (`RENEWAL_DEADLINE`,
        `RENEWAL_THROTTLE_RETRIES`). `token_step` hears True while a fetch gets the SSO token
        (which may mean renewing it), False once it asks for the credentials.
        """
        from dataclasses import replace

        from tui.logs import hide
        from tui.workspace.handoff import check_partition

        check_partition(region or self.session.default_region, self.session)
        if self.settings.cache_role_credentials:
            from tui.store import credentials_cache, logouts, sign_ins

            with credentials_cache.one_fetch(self.paths, self.session, account, role) as path:
                kept = None
                # Read before the fetch: what it gets is kept under the sign-in it may have
                # used, never under a later one.
                signed_in = self._signed_in()
                if path is not None and not fresh and signed_in is not None:
                    kept = credentials_cache.load(
                        path,
                        account,
                        role,
                        margin=CREDENTIALS_MARGIN,
                        logged_out=logouts.last(self.paths, self.session),
                        signed_in=signed_in,
                        continued=sign_ins.continued_by(self.paths, self.session, signed_in),
                    )
                # Taken before the token is read: a logout after it makes these unusable.
                started = utcnow()
                creds = kept or self._fetch_credentials(
                    account, role, renewed, background=background, token_step=token_step
                )
                if kept is None and path is not None:
                    credentials_cache.save(path, creds, fetched_at=started, signed_in=signed_in)
                    if logouts.started_before_logout(self.paths, self.session, started):
                        path.unlink(missing_ok=True)  # a logout came meanwhile: keep nothing
        else:
            creds = self._fetch_credentials(
                account, role, renewed, background=background, token_step=token_step
            )
        hide(creds.secret_access_key, creds.session_token)
        return replace(
            creds,
            region=region or self.session.default_region,
            session_label=self.session.label,
        )

    def _signed_in(self) -> str | None:
        """Which sign-in the session's token in the shared cache (expired or not) belongs to
        (`tui.store.sign_ins.sign_in`), None without one: kept credentials outlive neither
        `ssotui logout` nor `aws sso logout` (which deletes every token file and the AWS CLI's
        own kept credentials), not even once the user has logged in again; they outlive the
        renewals ssotui makes (`tui.store.sign_ins`)."""
        from tui.aws.token_cache import load_token
        from tui.store.sign_ins import sign_in

        try:
            token = load_token(self.paths, self.session)
        except NotLoggedIn:
            return None  # an unreadable cache: the fetch says so in one line
        return None if token is None else sign_in(token)

    def _fetch_credentials(
        self,
        account: Account,
        role: str,
        renewed: TokenHandler | None,
        *,
        background: bool = False,
        token_step: Callable[[bool], object] | None = None,
    ) -> RoleCredentials:
        step = token_step or (lambda _token: None)

        def fetch(token: Token) -> RoleCredentials:
            step(False)
            try:
                return self._portal(token, background=background).role_credentials(account, role)
            except NotLoggedIn:
                step(True)  # a 401: the token is renewed for another try
                raise

        step(True)
        return self.with_token(fetch, renewed=renewed)

    def credential_regions(self) -> tuple[AwsRegion, ...]:
        """The regions this session's role credentials can be used in (its partition's)."""
        from tui.aws.regions import partition_regions

        return partition_regions(self.session.region)

    def region_for(self, state: State, account_id: str) -> str | None:
        """The region for an account's credentials: the one chosen for it (state.toml), else
        the session's default region, else none."""
        return state.region_of(account_id) or self.session.default_region

    def profile_region(self, state: State, account_id: str) -> str | None:
        """The `region` line of a profile written for an account: the region chosen for it
        (state.toml), else none; `default_region` stays out of the credentials file, as with
        `write-profile` without --region."""
        return state.region_of(account_id)
