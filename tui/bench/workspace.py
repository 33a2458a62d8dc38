"""An isolated place to benchmark in: its own HOME and AWS files, a simulator, a logged-in token.

While a workspace is open, this process's environment points at it (HOME, AWS_CONFIG_FILE,
ssotui's folders, the simulator's endpoints), so the real `ssotui` started in a subprocess sees
the same session, token and caches. Everything is restored and deleted on exit; the real
`~/.aws` is never read or written.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from tui.aws import clients
from tui.aws.login import start_login, wait_for_token
from tui.aws.session_choice import chosen_session
from tui.models import Catalog, SsoSession, Token, utcnow
from tui.paths import Paths
from tui.sim import Organisation, Simulator
from tui.sim.certificate import self_signed, server_context
from tui.store import catalog_cache

SESSION = "bench"
# Pending connections the simulator's socket queues. socketserver's default is 5: when ssotui
# opens 32 connections at once, SYNs past the fifth are dropped and retried after 1 s, a stall
# the real service never causes. Raised here until tui.sim sets it (recommended there).
# Variables of the user's shell that would change what ssotui or botocore do here.
_CLEARED = (
    "AWS_PROFILE",
    "AWS_DEFAULT_PROFILE",
    "AWS_ACCESS_KEY_ID",
    "AWS_SECRET_ACCESS_KEY",
    "AWS_SESSION_TOKEN",
    "AWS_SECURITY_TOKEN",
    "AWS_REGION",
    "AWS_DEFAULT_REGION",
    "AWS_ENDPOINT_URL",
    "AWS_CA_BUNDLE",
    "AWS_RETRY_MODE",
    "AWS_MAX_ATTEMPTS",
    "SSOTUI_ACCOUNT_ID",
    "SSOTUI_ACCOUNT_NAME",
    "SSOTUI_ROLE_NAME",
    "SSOTUI_SESSION",
    "SSOTUI_SUBSHELL",
    # Installed ssotui has its bytecode compiled; without this every subprocess would compile
    # tui/ from source and the command timings would be those of a first run.
    "PYTHONDONTWRITEBYTECODE",
)


@dataclass
class Workspace:
    """A running simulator, a session pointing at it, and a valid token in the AWS CLI cache."""

    root: Path
    org: Organisation
    sim: Simulator
    session: SsoSession
    token: Token

    def portal_calls(self) -> int:
        """Portal requests the simulator received so far (429 answers included)."""
        calls = self.sim.calls
        return sum(calls[op] for op in ("ListAccounts", "ListAccountRoles", "GetRoleCredentials"))

    def expected_roles(self) -> dict[str, set[str]]:
        """Account id -> the role names the simulator lists for it."""
        return {a.account_id: {r.name for r in a.roles} for a in self.org.accounts}

    def save_catalog(self) -> Catalog:
        """Write the organisation straight into ssotui's catalog cache (no portal call)."""
        from tui.models import Account

        accounts = tuple(
            sorted(
                (Account(a.account_id, a.name, a.email) for a in self.org.accounts),
                key=lambda a: (a.name.casefold(), a.account_id),
            )
        )
        roles = {
            a.account_id: tuple(sorted((r.name for r in a.roles), key=str.casefold))
            for a in self.org.accounts
        }
        catalog = Catalog(accounts=accounts, roles=roles, fetched_at=utcnow())
        catalog_cache.save(Paths.from_environ(os.environ), self.session, catalog)
        return catalog


def _isolate(root: Path) -> None:
    for name in _CLEARED:
        os.environ.pop(name, None)
    home = root / "home"
    (home / ".aws").mkdir(parents=True)
    os.environ.update(
        {
            "HOME": str(home),
            "AWS_CONFIG_FILE": str(home / ".aws" / "config"),
            "AWS_SHARED_CREDENTIALS_FILE": str(home / ".aws" / "credentials"),
            "SSOTUI_CONFIG_DIR": str(root / "ssotui-config"),
            "SSOTUI_CACHE_DIR": str(root / "ssotui-cache"),
            "SSOTUI_STATE_DIR": str(root / "ssotui-state"),
            "BROWSER": "true",
            "SSOTUI_CLIPBOARD": "none",
            "AWS_EC2_METADATA_DISABLED": "true",
        }
    )


def _bundle_with(cert: Path) -> Path:
    """A CA file beside `cert`: the default bundle (botocore's choice with no setting) and
    `cert` after it."""
    from tui.aws.ca_files import default_ca_file

    default = Path(default_ca_file()).read_text(encoding="ascii")
    bundle = cert.parent / "bundle.pem"
    bundle.write_text(default.rstrip("\n") + "\n" + cert.read_text(encoding="ascii"), "ascii")
    return bundle


def sim_backlog() -> int:
    """The listen backlog of the benchmark's simulators."""
    from tui.sim.server import SimServer

    return SimServer.request_queue_size


@contextmanager
def open_workspace(
    org: Organisation, *, latency: float = 0.0, rate_limit: float | None = None, tls: bool = False
) -> Iterator[Workspace]:
    """Start a simulator for `org`, log in through its device flow, then set its knobs.

    `tls`: the simulator speaks HTTPS with a self-signed certificate made for the occasion,
    trusted through `AWS_CA_BUNDLE` (as a user behind an inspecting proxy would): a bundle of
    the default CAs with it added, as such a user makes it. ssotui loads the whole bundle, as it
    loads the default one for the real portal (126 CAs: tens of ms, once per process); a file
    of the one certificate alone would hide that.
    """
    saved = dict(os.environ)
    with tempfile.TemporaryDirectory(prefix="ssotui-bench-") as tmp:
        root = Path(tmp)
        context = None
        if tls:
            cert, key = self_signed(root / "tls")
            context = server_context(cert, key)
        sim = Simulator(org, interval=0, approve="auto", tls=context)
        try:
            _isolate(root)
            if tls:
                os.environ["AWS_CA_BUNDLE"] = str(_bundle_with(cert))
            sim.start()
            os.environ.update(sim.env())
            Path(os.environ["AWS_CONFIG_FILE"]).write_text(
                f"[sso-session {SESSION}]\n"
                f"sso_start_url = {sim.start_url}\n"
                f"sso_region = {sim.region}\n"
                "sso_registration_scopes = sso:account:access\n",
                encoding="utf-8",
            )
            clients.clear_cache()
            here = Paths.from_environ(os.environ)
            session = chosen_session(here, name=SESSION)[0]
            token = wait_for_token(here, session, start_login(here, session), sleep=lambda _s: None)
            sim.set(latency=latency, rate_limit=rate_limit)
            sim.reset_calls()
            yield Workspace(root=root, org=org, sim=sim, session=session, token=token)
        finally:
            sim.stop()
            clients.clear_cache()
            os.environ.clear()
            os.environ.update(saved)
