"""`ssotui demo`: the picker against the built-in simulator, with a sample organisation.

Needs no AWS account and touches no real file: the AWS config and credentials files, the SSO
token cache and ssotui's own folders all point into a temporary folder for the life of the
demo, through their own variables, and the SSO endpoints point at the simulator. HOME stays
the user's, so a subshell (or a browser) started from the demo is theirs, with their start-up
files. The device login is approved by itself after a few seconds, so the login screen is seen.
"""

from __future__ import annotations

import contextlib
import os
import random
import re
import tempfile
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from tui.sim import Organisation, Simulator

if TYPE_CHECKING:
    from tui.app.app import SsotuiApp

DEMO_SESSION = "demo"
DEMO_SEED = 2024
APPROVE_AFTER = 2.5  # seconds: long enough to read the login screen
DEMO_LATENCY = 0.03  # seconds per portal call, so the catalog is seen streaming in
DEMO_DOMAIN = "acme.example.com"

# One company's organisation, laid out as AWS Control Tower and most teams lay theirs out:
# foundation accounts, each team's workloads per stage, a few sandboxes, and subsidiaries
# that kept their own names (unicode, as real ones do).
_FOUNDATION: dict[str, tuple[str, ...]] = {
    "acme-management": (),  # no role for this user: the picker says so
    "acme-log-archive": ("ReadOnlyAccess", "SecurityAudit"),
    "acme-audit": ("SecurityAudit", "ReadOnlyAccess", "!RestrictedAdmin"),  # ! refused
    "acme-security-tooling": ("SecurityAudit", "IncidentResponder", "ReadOnlyAccess"),
    "acme-network-hub": ("NetworkAdministrator", "ReadOnlyAccess"),
    "acme-shared-services": ("PlatformEngineer", "SupportUser", "ReadOnlyAccess"),
    "acme-backup": ("SystemAdministrator", "ReadOnlyAccess"),
}
_STAGES: dict[str, tuple[str, ...]] = {
    "prod": (
        "payments", "checkout", "search", "ledger", "data-lake", "ml", "mobile", "web",
        "identity", "edge",
    ),
    "staging": ("payments", "checkout", "search", "ledger", "mobile", "web", "identity"),
    "dev": ("payments", "checkout", "search", "data-lake", "mobile", "web"),
    "sandbox": ("platform", "ml", "growth"),
    "perf": ("checkout",),
    "dr": ("payments",),
}  # fmt: skip
_STAGE_ROLES: dict[str, tuple[str, ...]] = {
    "prod": ("ReadOnlyAccess", "ViewOnlyAccess", "IncidentResponder"),
    "staging": ("DeveloperAccess", "PowerUserAccess", "ReadOnlyAccess"),
    "dev": ("AdministratorAccess", "DeveloperAccess", "ReadOnlyAccess"),
    "sandbox": ("AdministratorAccess", "ReadOnlyAccess"),
    "perf": ("PowerUserAccess", "ReadOnlyAccess"),
    "dr": ("IncidentResponder", "AdministratorAccess", "ReadOnlyAccess"),
}
_TEAM_ROLES: dict[str, tuple[str, ...]] = {
    "ledger": ("DatabaseAdministrator",),
    "data-lake": ("DataScientist",),
    "ml": ("DataScientist",),
    "edge": ("NetworkAdministrator",),
}
_SUBSIDIARIES: dict[str, tuple[str, ...]] = {
    "Zürich Analytics": ("DataScientist", "ReadOnlyAccess"),
    "São Paulo Data": ("DataScientist", "DeveloperAccess", "ReadOnlyAccess"),
    "東京 sandbox": ("AdministratorAccess",),
    "Kraków QA": ("DeveloperAccess", "ReadOnlyAccess"),
    "서울 platform": ("PlatformEngineer", "ReadOnlyAccess"),
}
# The root e-mail's local part where the name does not spell one.
_MAILBOXES = {"東京 sandbox": "tokyo-sandbox", "서울 platform": "seoul-platform"}


@dataclass
class DemoWorld:
    """A running simulator and the temporary folder the demo lives in."""

    sim: Simulator
    root: Path


def _demo_accounts() -> list[tuple[str, tuple[str, ...]]]:
    """Every account of the sample organisation: (name, roles), roles marked ! are refused."""
    accounts = list(_FOUNDATION.items())
    for stage, teams in _STAGES.items():
        for team in teams:
            roles = _STAGE_ROLES[stage] + _TEAM_ROLES.get(team, ())
            accounts.append((f"acme-{stage}-{team}", roles))
    accounts.extend(_SUBSIDIARIES.items())
    return accounts


def demo_organisation() -> Organisation:
    """The sample organisation: one company's forty accounts, several roles in most.

    Account ids come from the simulator's own generator (so they look random but never
    change); names, e-mails and roles are those of a plausible company.
    """
    accounts = _demo_accounts()
    generated = Organisation.generate(accounts=len(accounts), seed=DEMO_SEED)
    ids = [a.account_id for a in generated.accounts]
    order = list(range(len(accounts)))
    random.Random(DEMO_SEED).shuffle(order)  # ListAccounts answers in no particular order
    return Organisation.from_dict(
        {
            "accounts": [
                {
                    "accountId": ids[n],
                    "accountName": name,
                    "emailAddress": f"aws+{_MAILBOXES.get(name) or _slug(name)}@{DEMO_DOMAIN}",
                    "roles": [
                        {"name": role[1:], "forbidden": True} if role.startswith("!") else role
                        for role in roles
                    ],
                }
                for n, (name, roles) in enumerate(accounts[k] for k in order)
            ]
        }
    )


def _slug(name: str) -> str:
    """An account name as the local part of its root e-mail address."""
    ascii_name = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", ascii_name.lower()).strip("-") or "account"


# The profile and credentials of the user's own shell must not leak into the demo.
_USER_AWS_VARS = (
    "AWS_PROFILE",
    "AWS_DEFAULT_PROFILE",
    "AWS_ACCESS_KEY_ID",
    "AWS_SECRET_ACCESS_KEY",
    "AWS_SESSION_TOKEN",
)


@contextlib.contextmanager
def _environment(values: dict[str, str], removed: tuple[str, ...] = ()) -> Iterator[None]:
    """`values` set and `removed` unset in os.environ for the block; all put back after it."""
    saved = {key: os.environ.get(key) for key in (*values, *removed)}
    os.environ.update(values)
    for key in removed:
        os.environ.pop(key, None)
    try:
        yield
    finally:
        for key, old in saved.items():
            if old is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = old


@contextlib.contextmanager
def demo_world(
    *, approve: str | float = APPROVE_AFTER, latency: float = DEMO_LATENCY, fake_home: bool = True
) -> Iterator[DemoWorld]:
    """A simulator and a throw-away home with `[sso-session demo]`, for the block's duration.

    With `fake_home` HOME points there too, so paths read `~/.aws/config` (the screenshots);
    `ssotui demo` keeps the user's HOME for the children it starts.
    """
    with tempfile.TemporaryDirectory(prefix="ssotui-demo-") as folder:
        root = Path(folder)
        home = root / "home"
        (home / ".aws").mkdir(parents=True, mode=0o700)
        config = home / ".aws" / "config"
        with Simulator(demo_organisation(), approve=approve, latency=latency, interval=1) as sim:
            values = {
                "AWS_CONFIG_FILE": str(config),
                "AWS_SHARED_CREDENTIALS_FILE": str(home / ".aws" / "credentials"),
                "SSOTUI_SSO_CACHE_DIR": str(home / ".aws" / "sso" / "cache"),
                "SSOTUI_CONFIG_DIR": str(root / "config"),
                "SSOTUI_CACHE_DIR": str(root / "cache"),
                "SSOTUI_STATE_DIR": str(root / "state"),
                **sim.env(),
            }
            if fake_home:
                values["HOME"] = str(home)
            config.write_text(
                f"[sso-session {DEMO_SESSION}]\n"
                f"sso_start_url = {sim.start_url}\n"
                f"sso_region = {sim.region}\n"
                "sso_registration_scopes = sso:account:access\n",
                encoding="utf-8",
            )
            with _environment(values, removed=_USER_AWS_VARS):
                yield DemoWorld(sim=sim, root=root)


def demo_app(*, open_browser: bool = False) -> SsotuiApp:
    """The picker as `ssotui demo` runs it, inside a `demo_world`: its login screen says that
    the simulator approves the login by itself."""
    from tui.app import make_app
    from tui.store.settings import Settings
    from tui.workspace import Context

    context = Context(Settings(), environ=dict(os.environ))  # the demo world's
    sessions = context.sessions()
    return make_app(
        sessions=sessions,
        session=sessions[0],
        open_browser=open_browser,
        context=context,
        demo=True,
    )


def run_demo(*, open_browser: bool = False) -> int:
    """Run the picker against the simulator; prints the `p` action's text after it closes."""
    with demo_world(fake_home=False):
        app = demo_app(open_browser=open_browser)
        result = app.run()
    if result:
        print(result, flush=True)
    return app.return_code or 0
