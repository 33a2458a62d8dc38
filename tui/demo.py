"""`ssotui demo`: the picker against the built-in simulator, with a sample organisation.

Needs no AWS account and touches no real file: HOME, the AWS config and credentials files,
the SSO token cache and ssotui's own folders all point into a temporary folder for the life of
the demo, and the SSO endpoints point at the simulator. The device login is approved by itself
after a few seconds, so the login screen is seen.
"""

from __future__ import annotations

import contextlib
import os
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from tui.sim import Organisation, Simulator

DEMO_SESSION = "demo"
DEMO_ACCOUNTS = 40
DEMO_SEED = 2024
APPROVE_AFTER = 2.5  # seconds: long enough to read the login screen
DEMO_LATENCY = 0.03  # seconds per portal call, so the catalog is seen streaming in


@dataclass
class DemoWorld:
    """A running simulator and the temporary folder the demo lives in."""

    sim: Simulator
    root: Path


def demo_organisation() -> Organisation:
    """The sample organisation: a few dozen accounts of varied names, several roles each."""
    return Organisation.generate(accounts=DEMO_ACCOUNTS, seed=DEMO_SEED, roles_per_account=(2, 5))


@contextlib.contextmanager
def _environment(values: dict[str, str]) -> Iterator[None]:
    saved = {key: os.environ.get(key) for key in values}
    os.environ.update(values)
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
    *, approve: str | float = APPROVE_AFTER, latency: float = DEMO_LATENCY
) -> Iterator[DemoWorld]:
    """A simulator and a throw-away HOME with `[sso-session demo]`, for the block's duration."""
    with tempfile.TemporaryDirectory(prefix="ssotui-demo-") as folder:
        root = Path(folder)
        home = root / "home"
        (home / ".aws").mkdir(parents=True, mode=0o700)
        config = home / ".aws" / "config"
        with Simulator(demo_organisation(), approve=approve, latency=latency, interval=1) as sim:
            values = {
                "HOME": str(home),
                "AWS_CONFIG_FILE": str(config),
                "AWS_SHARED_CREDENTIALS_FILE": str(home / ".aws" / "credentials"),
                "SSOTUI_CONFIG_DIR": str(root / "config"),
                "SSOTUI_CACHE_DIR": str(root / "cache"),
                "SSOTUI_STATE_DIR": str(root / "state"),
                **sim.env(),
            }
            config.write_text(
                f"[sso-session {DEMO_SESSION}]\n"
                f"sso_start_url = {sim.start_url}\n"
                f"sso_region = {sim.region}\n"
                "sso_registration_scopes = sso:account:access\n",
                encoding="utf-8",
            )
            with _environment(values):
                # The profile and AWS_* variables of the user's own shell must not leak in.
                for key in (
                    "AWS_PROFILE",
                    "AWS_DEFAULT_PROFILE",
                    "AWS_ACCESS_KEY_ID",
                    "AWS_SECRET_ACCESS_KEY",
                    "AWS_SESSION_TOKEN",
                ):
                    os.environ.pop(key, None)
                yield DemoWorld(sim=sim, root=root)


def run_demo(*, open_browser: bool = False) -> int:
    """Run the picker against the simulator; prints the `p` action's text after it closes."""
    from tui.app import make_app
    from tui.aws.sessions import load_sessions
    from tui.store.settings import Settings

    with demo_world():
        sessions = load_sessions()
        app = make_app(
            sessions=sessions,
            session=sessions[0],
            open_browser=open_browser,
            settings=Settings(),
        )
        result = app.run()
    if result:
        print(result, flush=True)
    return app.return_code or 0
