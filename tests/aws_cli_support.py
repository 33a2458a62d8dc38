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

import functools
import os
import subprocess
import sys
from pathlib import Path
from types import TracebackType

import pytest

from tests.cli_helpers import Run
from tests.conftest import Home
from tests.forward_proxy import ForwardProxy
from tui.sim import Organisation, Simulator
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
