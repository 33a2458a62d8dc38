"""What is done with role credentials: exports, the clipboard, a profile, a subshell, the
AWS console (and a login's code on the clipboard). One `Handoff` per workspace
(`Workspace.handoff`), for both doors."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING

from tui.errors import UsageError
from tui.models import Account, RoleCredentials, SsoSession
from tui.paths import Paths
from tui.store.settings import Settings
from tui.text import printable

if TYPE_CHECKING:
    from tui.aws.console import ConsoleRequest
    from tui.export.credentials_file import ProfileWritten
    from tui.export.subshell import SubshellPlan


def check_partition(region: str | None, session: SsoSession) -> None:
    """UsageError when `region` (a --region, `default_region` or a chosen one) is in another
    partition than the session's Identity Center: its credentials would not work there, and the
    console would send them to another partition's sign-in endpoint."""
    if not region:
        return  # nothing to check, and `tui.aws.regions` stays unimported
    from tui.aws.regions import same_partition

    if not same_partition(region, session.region):
        raise UsageError(
            f"region {printable(region)} is not in the partition of session "
            f"{session.label}'s sso_region {session.region}: its credentials work only in that "
            "partition's regions; choose one of them (--region, default_region in config.toml)"
        )


def check_subshell(
    environ: Mapping[str, str], command: list[str] | None = None, *, force: bool = False
) -> None:
    """The subshell's one refusal that no pick, login or fetch can change: the user's shell
    (no `command`) inside an ssotui subshell, unless `force`. Asked by both doors before any
    work (`exec` before a picker or a login, the picker's `s` before the credentials), in the
    words `subshell` says it."""
    if not command:
        from tui.export.subshell import check_nesting

        check_nesting(environ, force=force)


class Handoff:
    """Hands a session's role credentials on, as the settings and the environment say (and
    the paths it decides)."""

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

    def export_format(self, requested: str | None = None) -> str:
        """The export format: the one asked for, config.toml's, else the one of `$SHELL`."""
        from tui.export.formats import default_format

        return requested or self.settings.export_format or default_format(self.environ.get("SHELL"))

    def export_text(self, creds: RoleCredentials, fmt: str | None = None) -> str:
        """The credentials as lines for the user's shell (or the credential_process JSON)."""
        from tui.export.formats import render

        return render(creds, self.export_format(fmt))

    def copy_exports(
        self,
        creds: RoleCredentials,
        fmt: str | None = None,
        *,
        terminal: Callable[[str], None] | None = None,
    ) -> str:
        """Put the export lines on the clipboard; returns which way they went."""
        from tui.export import clipboard

        return clipboard.copy(self.export_text(creds, fmt), self.environ, terminal=terminal)

    def profile_name(self, creds: RoleCredentials) -> str:
        """The profile name `write_profile` uses when none is given (the credentials file as
        it is now: the profile of another account or role of that name is not replaced)."""
        from tui.export.credentials_file import suggested_profile_name

        # a suggestion, read as it is: the write itself checks the file (and says what is wrong)
        return suggested_profile_name(creds, self.paths.aws_credentials_file)

    @staticmethod
    def profile_use(name: str) -> str:
        """How a shell uses a written profile: `AWS_PROFILE=NAME`, quoted where the name holds
        a space or a character the shell would read (`AWS_PROFILE='my prof'`)."""
        import shlex

        return f"AWS_PROFILE={shlex.quote(name)}"

    def write_profile(
        self,
        creds: RoleCredentials,
        name: str | None = None,
        *,
        region: str | None = None,
        force: bool = False,
    ) -> ProfileWritten:
        """Write the credentials to a profile of the shared credentials file.

        The profile gets a `region` line only for a region asked for (`--region`, or the one
        chosen for the account in the picker), never the credentials' own, which may be
        `default_region` (README "Regions"). StaticKeysProfile when that profile holds
        long-lived keys, unless `force`; ConfigError, with nothing written, when the AWS tools
        could not read the profile there (see `tui.workspace.aws_files`).
        """
        from dataclasses import replace

        from tui.export.credentials_file import ProfileWritten, write_profile
        from tui.store.secret_file import mode_open_to_others
        from tui.workspace.aws_files import credentials_file_to_write, shadowing_profile

        path = credentials_file_to_write(self.paths)
        written = write_profile(self.paths, replace(creds, region=region), name, path, force=force)
        shadowed = shadowing_profile(
            self.paths, written, creds.account.account_id, creds.role_name, path
        )
        return ProfileWritten(written, path, mode_open_to_others(path), shadowed)

    def can_open_browser(self) -> bool:
        """Whether a graphical browser can start here (not over SSH without a desktop, where a
        text browser would take over the terminal)."""
        from tui.browser import browser_can_start

        return browser_can_start(self.environ)

    def open_in_browser(self, url: str) -> bool:
        """Open `url` in the user's browser (`BROWSER` honoured); False when none could run,
        or where only a text browser would (`can_open_browser`): it would take the terminal
        over with a page it cannot use, from either door."""
        from tui.browser import open_url

        return self.can_open_browser() and open_url(url, self.environ)

    def subshell(
        self,
        creds: RoleCredentials,
        command: list[str] | None = None,
        *,
        force: bool = False,
        endpoint: Mapping[str, str] | None = None,
    ) -> SubshellPlan:
        """What running `command` (or the user's shell) with the credentials takes; a
        SsotuiError says why it cannot run (nested, bad `subshell_command`, no such program)
        before anything touches the terminal."""
        from tui.export.subshell import plan_subshell

        return plan_subshell(
            creds,
            command,
            configured=self.settings.subshell_command,
            environ=self.environ,
            force=force,
            endpoint=endpoint,
        )

    def copy_console_link(self, url: str, *, terminal: Callable[[str], None] | None = None) -> str:
        """Put a console sign-in link on the clipboard (system, else OSC 52); returns which way
        it went (without either, the error says to print it instead)."""
        from tui.export import clipboard

        return clipboard.copy(
            url, self.environ, terminal=terminal, instead=clipboard.CONSOLE_LINK_INSTEAD
        )

    def copy_note(self, backend: str) -> str:
        """What a message adds after "OSC 52" for a copy that went that `backend` ("" for most:
        inside tmux, the setting it needs)."""
        from tui.export import clipboard

        return clipboard.osc52_note(backend, self.environ)

    def copy_login(
        self, text: str, *, address: bool = False, terminal: Callable[[str], None] | None = None
    ) -> str:
        """Put a device login's code, or (`address`) a browser login's address, on the
        clipboard (system, else OSC 52); returns which way it went (without either, the error
        says to type the code, or to open the address by hand)."""
        from tui.export import clipboard

        instead = clipboard.LOGIN_URL_INSTEAD if address else clipboard.LOGIN_CODE_INSTEAD
        return clipboard.copy(text, self.environ, terminal=terminal, instead=instead)

    def console_request(
        self,
        *,
        region: str | None = None,
        service: str | None = None,
        destination: str | None = None,
        duration: int | None = None,
        shortcut: bool = False,
    ) -> ConsoleRequest:
        """Where the console should open (checked: UsageError before any call). The region is
        `--region`, else the session's default region, else the Identity Center region.

        `shortcut`: for the access portal's link, which carries a destination only when one is
        named; with a region asked for or set as the default, it names that region's console
        home, or the link would open wherever the browser was last."""
        from tui.aws.clients import identity_center_region
        from tui.aws.console import DEFAULT_SERVICE, ConsoleRequest, signin_request

        asked = region or self.session.default_region
        check_partition(asked, self.session)
        # checked: an sso_region with an inline comment is said as such, not as no region
        where = asked or identity_center_region(self.session)
        if not shortcut:  # a sign-in URL: its sign-in endpoint is checked too
            return signin_request(
                where, self.environ, service=service, destination=destination, duration=duration
            )
        if asked and not (service or destination):
            service = DEFAULT_SERVICE
        return ConsoleRequest(
            region=where, service=service, destination=destination, duration=duration
        )

    def console_url(self, creds: RoleCredentials, request: ConsoleRequest) -> str:
        """A sign-in URL that opens the console as the role (a bearer secret for 15 minutes).

        Credentials the sign-in endpoint refuses (revoked before they expired) are no longer
        kept, so "run it again", as the error says, fetches new ones, from either door. The
        sign-in call, all of its answer, gets `request_deadline` seconds."""
        from tui.aws.console import console_url
        from tui.aws.federation import CredentialsRefused

        try:
            return console_url(
                creds,
                request,
                start_url=self.session.start_url,
                environ=self.environ,
                timeout=self.settings.request_deadline,
            )
        except CredentialsRefused:
            from tui.store import credentials_cache

            credentials_cache.forget(
                self.paths, self.session, creds.account.account_id, creds.role_name
            )
            raise

    def console_shortcut(self, account: Account, role: str, request: ConsoleRequest) -> str:
        """The access portal's shortcut to the console as the role (no credentials needed)."""
        from tui.aws.console import shortcut_url

        return shortcut_url(self.session.start_url, account.account_id, role, request)
