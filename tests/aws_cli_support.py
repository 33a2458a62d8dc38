"""The real AWS CLI, for the tests that check ssotui against the consumer users have.

`aws_cli(major)` finds an installed AWS CLI of that major version: every `aws` on PATH and
`/usr/bin/aws` (a machine may have a v1 first on PATH and the v2 of its distribution there), or
skips the test saying what it looked for.

`RealNames` lets an AWS CLI that cannot be pointed at another endpoint (before 2.13 it knows
no `AWS_ENDPOINT_URL_SSO`) run its own SSO code against the simulator: the simulator speaks
HTTPS with a certificate that also names the real endpoints of its region
(`portal.sso.REGION.amazonaws.com`, `oidc.REGION.amazonaws.com`), trusted through
`AWS_CA_BUNDLE`, and `HTTPS_PROXY` names a proxy (`tests.forward_proxy`) that tunnels a CONNECT
to those two names to the simulator and refuses any other. The simulator routes by path, so
one port serves both. ssotui runs the same way, with no endpoint variable: as a user has it.
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import json
import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from types import TracebackType

import pytest

from tests.cli_helpers import Run
from tests.conftest import Home
from tests.forward_proxy import ForwardProxy
from tui.sim import Organisation, SimAccount, Simulator
from tui.sim.certificate import self_signed, server_context

# Where a distribution puts its AWS CLI, looked at after PATH
_KNOWN_PLACES = ("/usr/bin/aws",)


def _candidates() -> list[str]:
    """Every executable `aws` on PATH, then the known places; each real file once."""
    found: list[str] = []
    seen: set[str] = set()
    folders = os.environ.get("PATH", "").split(os.pathsep)
    for path in [os.path.join(folder, "aws") for folder in folders if folder] + [*_KNOWN_PLACES]:
        if not (os.path.isfile(path) and os.access(path, os.X_OK)):
            continue
        real = os.path.realpath(path)
        if real not in seen:
            seen.add(real)
            found.append(path)
    return found


@functools.cache
def _version(path: str) -> str:
    try:
        proc = subprocess.run(
            [path, "--version"],
            capture_output=True,
            text=True,
            timeout=60,
            stdin=subprocess.DEVNULL,
        )
    except (OSError, subprocess.TimeoutExpired):
        return ""
    return (proc.stdout + proc.stderr).strip()


def find_aws_cli(major: str) -> str | None:
    """The first installed AWS CLI whose `--version` starts `aws-cli/MAJOR.`, or None."""
    return next((p for p in _candidates() if _version(p).startswith(f"aws-cli/{major}.")), None)


def aws_cli(major: str) -> str:
    """An installed AWS CLI of version `major`; the test is skipped when there is none."""
    path = find_aws_cli(major)
    if path is None:
        looked = ", ".join(f"{p} ({_version(p) or 'no version'})" for p in _candidates())
        pytest.skip(
            f"no AWS CLI v{major} installed (looked at every aws on PATH and "
            f"{', '.join(_KNOWN_PLACES)}: {looked or 'none there'})"
        )
    return path


def real_endpoint_names(region: str) -> tuple[str, str]:
    """The SSO portal's and SSO OIDC's host names in `region`, as botocore builds them."""
    return f"portal.sso.{region}.amazonaws.com", f"oidc.{region}.amazonaws.com"


class RealNames:
    """The simulator behind the real endpoint names (see the module docstring)."""

    def __init__(self, folder: Path, org: Organisation, region: str = "us-east-1") -> None:
        names = real_endpoint_names(region)
        self.certificate, key = self_signed(folder, names)
        self.sim = Simulator(
            org, region=region, interval=0, tls=server_context(self.certificate, key)
        )
        self.sim.start()
        port = int(self.sim.url.rsplit(":", 1)[1])
        self.proxy = ForwardProxy(tunnels=dict.fromkeys(names, port)).start()

    def env(self) -> dict[str, str]:
        """What ssotui and the AWS CLI need to reach the simulator by the real names."""
        return {"HTTPS_PROXY": self.proxy.url, "AWS_CA_BUNDLE": str(self.certificate)}

    def close(self) -> None:
        self.proxy.stop()
        self.sim.stop()

    def __enter__(self) -> RealNames:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()


# What the AWS CLI is given of the test's environment: its isolated files, ssotui's folders
# (for a `credential_process` that runs ssotui) and the way to the simulator; nothing else, so
# neither a proxy, a profile nor a key of the machine (nor the test venv's Python) reaches it.
_PASSED_ON = (
    "HOME",
    "AWS_CONFIG_FILE",
    "AWS_SHARED_CREDENTIALS_FILE",
    "AWS_PROFILE",
    "AWS_DEFAULT_PROFILE",
    "SSOTUI_CONFIG_DIR",
    "SSOTUI_CACHE_DIR",
    "SSOTUI_STATE_DIR",
    "HTTPS_PROXY",
    "AWS_CA_BUNDLE",
)


def aws(cli: str, *args: str, home: Home) -> Run:
    """Run the AWS CLI `cli` with `args`, as a user in the test's HOME would."""
    env = {name: os.environ[name] for name in _PASSED_ON if name in os.environ}
    env.update(
        PATH=os.pathsep.join([os.path.dirname(sys.executable), "/usr/bin", "/bin"]),
        AWS_EC2_METADATA_DISABLED="true",
        AWS_PAGER="",
        LANG="C.UTF-8",
    )
    assert env["HOME"] == str(home.root)
    proc = subprocess.run(
        [cli, *args],
        capture_output=True,
        text=True,
        env=env,
        timeout=60,
        stdin=subprocess.DEVNULL,
    )
    return Run(proc.returncode, proc.stdout, proc.stderr)


# --- what the tests of ssotui beside the AWS CLI share ----------------------------------------

# A proxy or CA file of the machine would lead ssotui or the CLI elsewhere than the simulator.
_MACHINE_VARS = (
    "HTTP_PROXY",
    "HTTPS_PROXY",
    "ALL_PROXY",
    "NO_PROXY",
    "http_proxy",
    "https_proxy",
    "all_proxy",
    "no_proxy",
    "AWS_CA_BUNDLE",
    "REQUESTS_CA_BUNDLE",
    "SSOTUI_PORTAL_CLIENT",
)


@contextlib.contextmanager
def real_names_world(
    folder: Path, org: Organisation, monkeypatch: pytest.MonkeyPatch, region: str = "us-east-1"
) -> Iterator[RealNames]:
    """`RealNames` for `org`, with this process's environment (and so ssotui's and the CLI's)
    set to reach it and nothing of the machine's proxies; skips without openssl."""
    if shutil.which("openssl") is None:
        pytest.skip("no openssl command to make a certificate with")
    for name in _MACHINE_VARS:
        monkeypatch.delenv(name, raising=False)
    with RealNames(folder, org, region) as names:
        for key, value in names.env().items():
            monkeypatch.setenv(key, value)
        yield names


def sso_session_section(name: str, start_url: str, region: str, scopes: str | None) -> str:
    """An `[sso-session NAME]` as `aws configure sso-session` writes it (no scopes line when
    `scopes` is None)."""
    line = f"sso_registration_scopes = {scopes}\n" if scopes is not None else ""
    return f"[sso-session {name}]\nsso_start_url = {start_url}\nsso_region = {region}\n{line}\n"


def granted_roles(org: Organisation) -> list[tuple[SimAccount, str]]:
    """Every (account, role name) the simulator's user may take."""
    return [(a, r.name) for a in org.accounts for r in a.roles if not r.forbidden]


def add_sso_profile(
    home: Home, name: str, session: str, account: SimAccount, role: str, region: str
) -> None:
    """Append an SSO profile of `session` for the role to the AWS config."""
    with home.aws_config.open("a", encoding="utf-8") as config:
        config.write(
            f"[profile {name}]\nsso_session = {session}\nsso_account_id = {account.account_id}\n"
            f"sso_role_name = {role}\nregion = {region}\n\n"
        )


def ok(run: Run) -> Run:
    """`run`, asserted to have succeeded without a traceback."""
    assert run.status == 0, run.err[-2000:]
    assert "Traceback" not in run.err
    return run


def process_credentials(run: Run) -> dict[str, str]:
    """The credentials of `aws configure export-credentials --format process`."""
    data: dict[str, str] = json.loads(ok(run).out)
    return data


def token_file(home: Home, session: str) -> Path:
    """The SSO token cache file of an `[sso-session]`, where the AWS CLI keeps it."""
    return home.sso_cache / f"{hashlib.sha1(session.encode()).hexdigest()}.json"


def cli_registration_file(
    home: Home, session: str, start_url: str, region: str, scopes: list[str] | None
) -> Path:
    """Where the AWS CLI v2 keeps a session's client registration for `scopes` (botocore's
    `_registration_cache_key`, written out here rather than taken from ssotui)."""
    args = {
        "tool": "botocore",
        "startUrl": start_url,
        "region": region,
        "scopes": scopes,
        "session_name": session,
    }
    key = hashlib.sha1(json.dumps(args, sort_keys=True).encode("utf-8")).hexdigest()
    return home.sso_cache / f"{key}.json"
