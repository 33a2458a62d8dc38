"""Shared fixtures: every test gets its own HOME, AWS files and ssotui folders; the simulator."""

from __future__ import annotations

import functools
import gc
import os
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import botocore.credentials
import botocore.loaders
import botocore.session
import botocore.tokens
import pytest

from tui.aws import clients
from tui.aws.endpoints import CHOICE_VAR, portal_endpoint
from tui.aws.login import login
from tui.aws.session_choice import chosen_session
from tui.models import Catalog, SsoSession, Token
from tui.paths import Paths
from tui.sim import Organisation, Simulator
from tui.sim.certificate import NoOpenssl, self_signed

_AWS_VARS = (
    "AWS_PROFILE",
    "AWS_DEFAULT_PROFILE",
    "AWS_ACCESS_KEY_ID",
    "AWS_SECRET_ACCESS_KEY",
    "AWS_SESSION_TOKEN",
    "AWS_SECURITY_TOKEN",
    "AWS_REGION",
    "AWS_DEFAULT_REGION",
    "AWS_ENDPOINT_URL",
    "AWS_ENDPOINT_URL_SSO",
    "AWS_ENDPOINT_URL_SSO_OIDC",
    "AWS_ENDPOINT_URL_SIGNIN",
    "AWS_CREDENTIAL_EXPIRATION",
    "SSOTUI_ACCOUNT_ID",
    "SSOTUI_ACCOUNT_NAME",
    "SSOTUI_ROLE_NAME",
    "SSOTUI_SESSION",
    "SSOTUI_SUBSHELL",
    "BROWSER",
)


@pytest.hookimpl(trylast=True)
def pytest_sessionfinish(session: pytest.Session) -> None:
    """A test worker's garbage is collected, and what lives on set aside (`gc.freeze`), before
    it tells pytest-xdist it is done: pytest then collects 5 times over (its unraisable
    exception check), which with a worker's million objects took 8 s on a loaded machine, and
    execnet gives a finished worker 5 s before it sends it a SIGINT (the KeyboardInterrupt
    every CI run reported, "in Hypothesis's gc_callback"). Garbage made after this is still
    collected then."""
    gc.collect()
    gc.freeze()


@pytest.fixture(scope="session", autouse=True)
def botocore_data_read_once() -> Iterator[None]:
    """botocore reads its data files (service models, endpoints, partitions: ~40 ms of JSON)
    once per test worker, not once per botocore Session: every test has its own HOME, so its
    own sessions and clients, built as before from the same (never changed) data."""
    with pytest.MonkeyPatch.context() as patch:
        loader = functools.lru_cache(maxsize=None)(botocore.loaders.create_loader)
        patch.setattr(botocore.session, "create_loader", loader)
        yield


@pytest.fixture(autouse=True)
def notifications_kept(monkeypatch: pytest.MonkeyPatch) -> None:
    """Every picker a test builds keeps the notifications it shows (tests.app_support.notes)."""
    import textual.app

    from tests.app_support import ShownNotifications

    monkeypatch.setattr(textual.app, "Notifications", ShownNotifications)


@dataclass
class Home:
    """The isolated folders of one test."""

    root: Path
    aws_config: Path
    aws_credentials: Path
    sso_cache: Path
    config_dir: Path
    cache_dir: Path
    state_dir: Path

    def write_config(self, text: str) -> Path:
        """Write the AWS config file of this test."""
        self.aws_config.parent.mkdir(parents=True, exist_ok=True)
        self.aws_config.write_text(text, encoding="utf-8")
        return self.aws_config


@pytest.fixture(autouse=True)
def home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Home:
    """Point HOME, the AWS files and ssotui's folders into tmp_path; clear AWS variables."""
    root = tmp_path / "home"
    (root / ".aws").mkdir(parents=True)
    for var in _AWS_VARS:
        monkeypatch.delenv(var, raising=False)
    monkeypatch.delenv("TMUX", raising=False)  # the developer's tmux is not the test's terminal
    h = Home(
        root=root,
        aws_config=root / ".aws" / "config",
        aws_credentials=root / ".aws" / "credentials",
        sso_cache=root / ".aws" / "sso" / "cache",
        config_dir=tmp_path / "ssotui-config",
        cache_dir=tmp_path / "ssotui-cache",
        state_dir=tmp_path / "ssotui-state",
    )
    monkeypatch.setenv("HOME", str(root))
    monkeypatch.setenv("AWS_CONFIG_FILE", str(h.aws_config))
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(h.aws_credentials))
    monkeypatch.setenv("SSOTUI_CONFIG_DIR", str(h.config_dir))
    monkeypatch.setenv("SSOTUI_CACHE_DIR", str(h.cache_dir))
    monkeypatch.setenv("SSOTUI_STATE_DIR", str(h.state_dir))
    # No real browser and no real clipboard, ever.
    monkeypatch.setenv("BROWSER", "true")
    monkeypatch.setenv("SSOTUI_CLIPBOARD", "none")
    monkeypatch.setenv("SSOTUI_TTY", str(tmp_path / "no-tty"))
    monkeypatch.setenv("AWS_EC2_METADATA_DISABLED", "true")
    # A terminal the picker can draw on, whatever runs the tests (CI often has TERM=dumb).
    monkeypatch.setenv("TERM", "xterm-256color")
    # botocore fixes its SSO cache folder from HOME at import time: point it here too.
    monkeypatch.setattr(botocore.tokens.SSOTokenProvider, "_SSO_TOKEN_CACHE_DIR", str(h.sso_cache))
    monkeypatch.setattr(botocore.credentials.SSOProvider, "_SSO_TOKEN_CACHE_DIR", str(h.sso_cache))
    return h


OTHER_UID = 4343  # a user (and group) with no entry: not this one, not root


@pytest.fixture
def their_folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A folder another user owns (uid OTHER_UID, mode 0755), and the test playing a user other
    than root, whose folders stay trusted. Root only: only root may give a folder away."""
    if os.geteuid() != 0:
        pytest.skip("only root may give a folder away")
    theirs = tmp_path / "theirs"
    theirs.mkdir(mode=0o755)
    os.chown(theirs, OTHER_UID, OTHER_UID)
    mine = os.geteuid()
    monkeypatch.setattr(os, "geteuid", lambda: mine + 1000)
    return theirs


@pytest.fixture
def sso_cache_in_their_folder(home: Home, their_folder: Path) -> Path:
    """~/.aws/sso/cache a link to a folder of this user's inside `their_folder`, which its
    owner may swap or empty; `their_folder` is returned."""
    (their_folder / "cache").mkdir(mode=0o700)
    home.sso_cache.parent.mkdir(parents=True, exist_ok=True)
    home.sso_cache.symlink_to(their_folder / "cache")
    return their_folder


def here() -> Paths:
    """The paths of this process's environment now (the `home` fixture's folders), for a test
    that calls a store function as the workspace does (`Context.paths`)."""
    return Paths.from_environ(os.environ)


@pytest.fixture(scope="session")
def tls_certificate(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """(certificate, key): a self-signed certificate for 127.0.0.1 and localhost, made once per
    test worker (openssl takes a few tenths of a second for each); tests only read it."""
    try:
        return self_signed(tmp_path_factory.mktemp("tls"))
    except NoOpenssl:
        pytest.skip("no openssl command to make a certificate with")


@pytest.fixture
def org() -> Organisation:
    """A small organisation: a few accounts, one with a unicode name, one with no roles."""
    return Organisation.generate(accounts=12, seed=7)


@pytest.fixture
def sim(org: Organisation, monkeypatch: pytest.MonkeyPatch) -> Iterator[Simulator]:
    """A running simulator with the endpoint variables pointing at it. Device logins are polled
    without the simulator's 1 s interval; a test that waits for a manual approval sets it back
    (`sim.set(approve="manual", interval=1)`), else its login polls busily all the while."""
    simulator = Simulator(org, interval=0)
    simulator.start()
    for key, value in simulator.env().items():
        monkeypatch.setenv(key, value)
    try:
        yield simulator
    finally:
        simulator.stop()


@pytest.fixture
def quick_retries(monkeypatch: pytest.MonkeyPatch) -> None:
    """The portal's backoffs after a 5xx or a dropped connection a hundredth as long, in this
    process and in the `ssotui` commands of `tests.cli_helpers.ssotui`: for tests of what the
    retries do and say, not of how long they wait (`test_portal_limits` counts the backoffs)."""
    from tests import cli_helpers
    from tui.aws import portal

    monkeypatch.setattr(portal, "BACKOFF_BASE", cli_helpers.QUICK_BACKOFF)
    monkeypatch.setattr(cli_helpers, "COMMAND", cli_helpers.QUICK_RETRIES)


@pytest.fixture
def quick_aws_cli(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """An `aws` (v2.17.0) first on PATH that says its version at once, for `ssotui doctor` runs
    that do not judge the AWS CLI: this machine's own (a Python program) takes about a second
    to say it, in every doctor run. The tests of the AWS CLI check bring their own (`fake_aws`)."""
    from tests.cli_helpers import fake_aws

    monkeypatch.setenv("PATH", fake_aws(tmp_path / "quick-aws-cli", "2.17.0")["PATH"])


@pytest.fixture(params=["direct", "botocore"])
def portal_client_kind(
    request: pytest.FixtureRequest, sim: Simulator, monkeypatch: pytest.MonkeyPatch
) -> str:
    """The test once with ssotui's direct portal client (the default for the simulator's plain
    endpoint) and once with botocore's (`SSOTUI_PORTAL_CLIENT=botocore`)."""
    if request.param == "botocore":
        monkeypatch.setenv(CHOICE_VAR, "botocore")
    else:
        monkeypatch.delenv(CHOICE_VAR, raising=False)
    clients.clear_cache()
    assert (portal_endpoint(sim.region, os.environ) == sim.url) == (request.param == "direct")
    return str(request.param)


@pytest.fixture
def sso_config(home: Home, sim: Simulator) -> Path:
    """An AWS config with one `[sso-session dev]` pointing at the simulator."""
    return home.write_config(
        "[sso-session dev]\n"
        f"sso_start_url = {sim.start_url}\n"
        f"sso_region = {sim.region}\n"
        "sso_registration_scopes = sso:account:access\n"
    )


@pytest.fixture
def session(sso_config: Path, sim: Simulator) -> SsoSession:
    """The `dev` session of `sso_config`, with the simulator polled without delay."""
    sim.set(interval=0)
    return chosen_session(here())[0]


@pytest.fixture
def token(session: SsoSession) -> Token:
    """Logged in, in this process (faster than a `ssotui login` each time)."""
    return login(
        here(), session, open_browser=False, announce=lambda _a: None, sleep=lambda _s: None
    )


def load_catalog(
    session: SsoSession, token: Token, *, refresh: bool = False, lifetime: int = 3600
) -> Catalog:
    """The catalog as every command gets it (`Workspace.catalog`), with `catalog_lifetime`."""
    from tui.store.settings import Settings
    from tui.workspace import Context

    del token  # logged in: the workspace reads the cached token itself
    workspace = Context(
        settings=Settings(catalog_lifetime=lifetime), environ=dict(os.environ)
    ).workspace(session)
    return workspace.catalog(refresh=refresh)
