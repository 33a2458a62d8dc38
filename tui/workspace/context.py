"""What a process knows once: its settings and its environment, and the sessions they lead to.

Built once per process (`Context.load`) and handed down: lower layers never read config.toml
or the environment behind the caller's back.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import InitVar, dataclass, field, replace
from typing import TYPE_CHECKING

from tui.models import SsoSession
from tui.paths import Paths
from tui.store.settings import Settings

if TYPE_CHECKING:
    from tui.workspace.workspace import Workspace


@dataclass(frozen=True)
class Context:
    """The settings (config.toml, read once) and a snapshot of the environment: what decides
    the paths (`paths`, made from it once), the portal's route, the clipboard, the browser and
    the shell below it."""

    settings: Settings = field(default_factory=Settings)
    environ: Mapping[str, str] = field(kw_only=True, repr=False)
    paths: Paths = field(init=False, repr=False)
    # the paths of `environ`, when the caller made them already (`load`): not made twice
    known_paths: InitVar[Paths | None] = field(default=None, kw_only=True)

    def __post_init__(self, known_paths: Paths | None) -> None:
        paths = known_paths if known_paths is not None else Paths.from_environ(self.environ)
        object.__setattr__(self, "paths", paths)

    @classmethod
    def load(cls) -> Context:
        """Take the environment as it is now and read the config.toml it names."""
        import os

        from tui.store.settings import load_settings

        environ = dict(os.environ)
        paths = Paths.from_environ(environ)
        return cls(load_settings(paths.config_file), environ=environ, known_paths=paths)

    def sessions(self) -> list[SsoSession]:
        """Every SSO session of the AWS config file (sso-sessions, then legacy profiles)."""
        from tui.aws.sessions import load_sessions

        return load_sessions(self.paths)

    def can_add_session(self) -> bool:
        """Whether a session can be set up here: not while AWS_CONFIG_FILE is set but empty,
        when the AWS tools read no config file (`session` then says what to do)."""
        return not self.paths.config_unset

    def session(
        self,
        *,
        name: str | None = None,
        start_url: str | None = None,
        sso_region: str | None = None,
    ) -> SsoSession:
        """The session asked for: flags, `--session`, `default_session`, the SSO profile
        `AWS_PROFILE` (else `AWS_DEFAULT_PROFILE`) names, else the only one, else that of the
        `default` profile. A start URL without its scheme gets `https://`; one that is still
        no http(s) URL is `UsageError`."""
        return self.chosen_session(name=name, start_url=start_url, sso_region=sso_region)[0]

    def chosen_session(
        self,
        *,
        name: str | None = None,
        start_url: str | None = None,
        sso_region: str | None = None,
    ) -> tuple[SsoSession, str]:
        """`session`, and where it comes from in words ("AWS_PROFILE=dev", `doctor` says it)."""
        from tui.aws.session_choice import aws_cli_profile, chosen_session

        if start_url:  # (the set-up's module is loaded only for a start URL given)
            from tui.errors import UsageError
            from tui.workspace.setup import check_start_url, with_scheme

            start_url = with_scheme(start_url)
            if problem := check_start_url(start_url):  # refused here, not by the service
                raise UsageError(f"--start-url {problem}")
        return chosen_session(
            self.paths,
            name=name,
            start_url=start_url or None,
            region=sso_region,
            default=self.settings.default_session,
            profile=aws_cli_profile(self.environ),
        )

    def why_asked(self) -> str:
        """Why no session is taken without `--session` (when several are configured), beyond
        there being several, in the words of the commands' line: a `default_session` that
        names none, or a profile `AWS_PROFILE` (else `AWS_DEFAULT_PROFILE`) names that leads to
        none ("AWS_PROFILE names profile 'x', which is in neither ..."); "" when nothing more
        is to be said. The picker's session chooser says it too."""
        from tui.aws.session_choice import aws_cli_profile, unused_profile
        from tui.errors import ConfigError

        if self.settings.default_session:
            try:
                self.chosen_session()
            except ConfigError as exc:
                return exc.message
            return ""
        return unused_profile(self.paths, aws_cli_profile(self.environ))[0]

    def workspace(self, session: SsoSession) -> Workspace:
        """The use cases of `session` (config.toml's `default_region` where it has none)."""
        from tui.workspace.workspace import Workspace

        if session.default_region is None and self.settings.default_region:
            session = replace(session, default_region=self.settings.default_region)
        return Workspace(session, settings=self.settings, environ=self.environ, paths=self.paths)
