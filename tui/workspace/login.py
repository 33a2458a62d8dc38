"""The login and logout use cases of one SSO session: a login in the browser or with a device
code, and a logout that revokes the token and deletes what the session left behind
(`LogoutReport`, in logout_report.py).

Part of `Workspace` (`tui.workspace.workspace`), the doors' one way in.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable
from typing import TYPE_CHECKING

from tui.errors import FileWriteError, SsotuiError
from tui.models import Token
from tui.workspace.session_token import SessionToken

if TYPE_CHECKING:
    from tui.aws.login_flows import LoginEvent
    from tui.aws.token_watch import TokenWatch
    from tui.workspace.logout_report import LogoutReport


class LoginUseCases(SessionToken):
    """Logging in to and out of one SSO session."""

    def log_in(
        self,
        *,
        use_device_code: bool = False,
        no_browser: bool = False,
        force: bool = False,
        announce: Callable[[LoginEvent], object] | None = None,
        cancelled: Callable[[], bool] | None = None,
        sleep: Callable[[float], object] | None = None,
        gives_way: bool = False,
        goes_first: bool = False,
    ) -> Token:
        """Log in, unless a usable token is cached and `force` is not set.

        In the browser with PKCE by default; with a device code when asked, over SSH, where no
        browser can start (saying why), or with `no_browser` (also config.toml's
        `open_browser = false`). One login per session at a time, across processes; a token
        another program saves while this login waits for the user is used. `gives_way` (the
        picker): while waiting for the user, step aside for a login started elsewhere and use
        its token; and wait for a login in progress (another picker's) without asking it to
        step aside, unless `goes_first` (the user asked to log in here instead).
        """
        import time

        from tui import browser
        from tui.aws.flow_choice import choose_flow
        from tui.aws.login_flows import log_in, print_event

        opens = self.opens_browser(no_browser=no_browser)
        choice = choose_flow(
            use_device_code=use_device_code,
            no_browser=no_browser or not self.settings.open_browser,
            environ=self.environ,
            browser_can_start=browser.browser_can_start(self.environ),
            named_session=self.session.name is not None,
        )
        say = announce or print_event

        def open_url(url: str) -> bool:
            return browser.open_url(url, self.environ)

        return log_in(
            self.paths,
            self.session,
            flow=choice.flow,
            announce=say,
            cancelled=cancelled,
            open_url=open_url if opens else None,
            force=force,
            sleep=sleep or time.sleep,
            fallback=choice.reason if choice.fallback else None,
            gives_way=gives_way,
            goes_first=goes_first,
        )

    def watch_token(self) -> TokenWatch:
        """A watch on the session's cached token file: a login, logout or refresh by another
        program (stat only; no portal call)."""
        from tui.aws.token_watch import TokenWatch

        return TokenWatch(self.paths, self.session)

    def opens_browser(self, *, no_browser: bool = False) -> bool:
        """Whether a login opens the browser by itself: a graphical one can start here, and
        neither `no_browser` (--no-browser) nor config.toml's `open_browser = false` forbids it."""
        from tui import browser

        return (
            not no_browser
            and self.settings.open_browser
            and browser.browser_can_start(self.environ)
        )

    def log_out(self, *, purge: bool = False) -> LogoutReport:
        """Revoke the token at the service (end its sign-in: an expired token is renewed once
        from its refresh token, saved nowhere, to do so; `_revoke`), delete it, the catalog
        cache, the kept role credentials and those the AWS CLI cached for this session's roles;
        `purge`: also the profiles ssotui wrote to the shared credentials file.

        The token is read, revoked and deleted under the lock its refreshes take: a refresh
        another ssotui process has in flight (a `credential_process` run by Terraform) ends
        first and its new token is the one revoked and deleted; one that starts meanwhile
        waits, then finds no token and writes none back. What cannot be done (the lock not
        made, a file that cannot be deleted) is said in the report and the rest goes on.
        """
        from tui.aws.token_cache import (
            delete_token,
            load_token,
            token_lock_if_possible,
            token_path,
        )
        from tui.store import logouts, sign_ins
        from tui.workspace.logout_report import LogoutReport

        roles = self._roles_reached()  # before the logout makes the catalog unreadable
        # A lock that cannot be made (ssotui's cache folder read-only, a file in its place)
        # cannot be taken by any other ssotui either, so no renewal can race this logout: the
        # token is revoked and deleted all the same (was: "cannot lock …" and nothing done).
        with token_lock_if_possible(self.paths, self.session):
            revoked, problem, refresh_only = False, "", False
            try:
                token = load_token(self.paths, self.session)
            except SsotuiError:
                token = None  # a corrupt cache is deleted all the same
                # only a file holds a token: not a folder there, nor a file where the
                # cache folder goes (SSOTUI_SSO_CACHE_DIR set to a file)
                if token_path(self.paths, self.session).is_file():
                    problem = "its cache file could not be read"
            if token is not None:
                revoked, problem, refresh_only = self._revoke(token)
            token_problem = ""
            try:
                token_deleted = delete_token(self.paths, self.session)
            except FileWriteError as exc:  # said, and the rest of the logout goes on
                token_deleted, token_problem = False, exc.message
            # After the token is gone: whatever another process fetches from here on needs a
            # new login, and whatever it fetched before is never used (tui.store.logouts). A
            # cache folder that takes no mark takes none of those fetches either.
            with contextlib.suppress(FileWriteError):
                logouts.record(self.paths, self.session)
            sign_ins.forget(self.paths, self.session)  # no later sign-in continues this one
        purged: tuple[str, ...] = ()
        purge_problem = ""
        if purge:  # a file it may not change is said, and the rest of the logout goes on
            from tui.export.credentials_file import purge_written_profiles
            from tui.workspace.aws_files import credentials_file_to_purge

            try:
                purged = tuple(
                    purge_written_profiles(self.paths, credentials_file_to_purge(self.paths))
                )
            except SsotuiError as exc:
                purge_problem = exc.message
        from tui.aws.cli_role_cache import delete_cached

        # After the token is gone, so the AWS CLI cannot fetch and cache them again.
        swept = delete_cached(self.session, roles, self.paths.aws_role_cache_dirs)
        credentials_deleted, catalog_deleted, cache_problem = self._delete_kept()
        return LogoutReport(
            cli_credentials_deleted=swept.deleted,
            cli_credentials_failed=swept.failed,
            cli_folders_unsearched=swept.unsearched,
            credentials_deleted=credentials_deleted,
            token_expires=token.expires_at if token is not None and not refresh_only else None,
            refresh_token_only=refresh_only,
            revoked=revoked,
            problem=problem,
            token_deleted=token_deleted,
            token_problem=token_problem,
            catalog_deleted=catalog_deleted,
            purged=purged,
            purge_problem=purge_problem,
            cache_problem=cache_problem,
        )

    def _revoke(self, token: Token) -> tuple[bool, str, bool]:
        """End the token's sign-in at Identity Center with Logout: (done, why not, whether
        only the refresh token was left alive to end it with).

        Logout takes a live access token. When the cached one has expired (here, or only at
        the service, its clock ahead of ours: Logout answers 401) but its refresh token and
        registration are still good, the sign-in is still alive there (anyone with a copy of
        the file can renew it): one CreateToken renews it, saved nowhere, and Logout ends it
        with the new token. A refused refresh means the sign-in is already over: nothing to
        revoke and nothing to say. Never a login, a prompt or a browser.
        """
        import time

        from tui.aws.clients import MAX_ATTEMPTS, default_read_timeout
        from tui.aws.portal import Portal
        from tui.aws.tokens import renewed_unsaved

        # Every call together within one `request_deadline`, as a Logout alone: a service that
        # hangs keeps a logout no longer than before (was 30 s: three CreateToken attempts of
        # 10 s each). A renewal gets half of it at most; the Logout, the rest.
        budget = self.settings.request_deadline
        started = time.monotonic()

        def renewed(dead: Token) -> Token | None:
            if not dead.can_refresh:
                return None
            attempt = min(default_read_timeout(self.environ), budget / (2 * MAX_ATTEMPTS))
            return renewed_unsaved(self.session, dead, read_timeout=attempt)

        def ended(live: Token) -> bool:
            left = max(round(budget - (time.monotonic() - started)), budget / 2)
            # no renewal on a 401: that takes the lock this logout holds
            return Portal(self.session, live, environ=self.environ, deadline=left).logout()

        access_dead = token.is_expired
        try:
            if not access_dead and ended(token):
                return True, "", False
            access_dead = True
            live = renewed(token)
            return live is not None and ended(live), "", True
        except SsotuiError as exc:
            return False, exc.message, access_dead

    def _delete_kept(self) -> tuple[int, bool, str]:
        """Delete the session's kept role credentials and catalog from ssotui's cache folder:
        (credential files deleted, catalog deleted, what stayed and what to do, in one line).
        One that cannot be deleted (a read-only cache folder) is said; the other is still tried."""
        from tui.store import catalog_cache, credentials_cache

        stayed: list[str] = []
        reasons: list[str] = []
        credentials_deleted, catalog_deleted = 0, False
        try:
            credentials_deleted = credentials_cache.delete(self.paths, self.session)
        except OSError as exc:
            stayed.append("the role credentials ssotui kept (usable until they expire)")
            reasons.append(f"cannot delete {exc.filename}: {exc.strerror or exc}")
        try:
            catalog_deleted = catalog_cache.delete(self.paths, self.session)
        except FileWriteError as exc:
            stayed.append("the catalog")
            reasons.append(exc.message)
        if not stayed:
            return credentials_deleted, catalog_deleted, ""
        them = "it" if stayed == ["the catalog"] else "them"
        return (
            credentials_deleted,
            catalog_deleted,
            f"{' and '.join(stayed)} of session {self.session.label} stayed ({reasons[0]}): "
            f"remove {them} by hand",
        )

    def _roles_reached(self) -> set[tuple[str, str]]:
        """Every (account id, role) of this session the AWS CLI may have cached credentials
        for: the cached catalog's, and those of the AWS config file's profiles that use this
        session (a profile may name a role the catalog no longer lists)."""
        from tui.aws.cli_role_cache import profile_roles
        from tui.aws.sessions import config_sections, profile_map
        from tui.store import catalog_cache

        catalog = catalog_cache.load(self.paths, self.session)
        roles = {(a.account_id, role) for a, role in catalog.pairs()} if catalog else set()
        try:
            profiles = profile_map(config_sections(self.paths)).get("profiles", {})
        except SsotuiError:
            profiles = {}  # a config file botocore cannot read gave the AWS CLI no profile
        return roles | profile_roles(self.session, profiles)
