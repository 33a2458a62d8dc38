"""The AWS SDK for JavaScript v3, for the tests that check ssotui against a consumer other than
botocore (Terraform and many tools use other SDKs, stricter in places).

The SDK's packages are those of `tests/js/package.json` (versions fixed by its
`package-lock.json`), installed with `npm ci` into `tests/js/node_modules` (git-ignored) by
`.ci/run`, or here at the first test that needs them when npm is there. Without Node.js, npm or
the registry the tests skip, saying why.

`node_credentials(provider, profile)` runs `tests/js/credentials.js`: the SDK's own provider
(`fromSSO`, `fromProcess`, `fromHttp`, `fromEnv` or the default chain) in a Node.js process
with the test's environment, as a user's program would. The SDK honours
`AWS_ENDPOINT_URL_SSO` / `AWS_ENDPOINT_URL_SSO_OIDC` (`@smithy/core`'s endpoint config), so it
reaches the simulator as ssotui does, with no certificate or proxy.
"""

from __future__ import annotations

import fcntl
import functools
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.sdk_runs import SdkRun

JS_FOLDER = Path(__file__).parent / "js"
_MARKER = JS_FOLDER / "node_modules" / "@aws-sdk" / "credential-providers" / "package.json"
_INSTALL_TIMEOUT = 180


def install_command() -> list[str]:
    """The install `.ci/run` runs too (the lock file's versions exactly, no audit)."""
    return ["npm", "ci", "--no-audit", "--no-fund", "--prefix", str(JS_FOLDER)]


@functools.cache
def _installed() -> str | None:
    """Why the SDK cannot be used (None when it can): installs it once when missing, under a
    lock so parallel test workers wait for one install."""
    if shutil.which("node") is None:
        return "no Node.js (node) on PATH"
    if _MARKER.is_file():
        return None
    if shutil.which("npm") is None:
        return "no npm on PATH to install the AWS SDK for JavaScript v3 with"
    with open(JS_FOLDER / "package.json", "rb") as lock_holder:
        fcntl.flock(lock_holder, fcntl.LOCK_EX)
        if _MARKER.is_file():
            return None
        try:
            proc = subprocess.run(
                install_command(),
                capture_output=True,
                text=True,
                timeout=_INSTALL_TIMEOUT,
                stdin=subprocess.DEVNULL,
            )
        except subprocess.TimeoutExpired:
            return f"`npm ci` took more than {_INSTALL_TIMEOUT} s"
        if proc.returncode != 0 or not _MARKER.is_file():
            said = (proc.stderr.strip().splitlines() or ["no message"])[-1]
            return f"`npm ci --prefix tests/js` failed: {said}"
    return None


def js_sdk() -> Path:
    """The folder of the installed SDK's scripts; the test is skipped when it cannot be had."""
    why = _installed()
    if why is not None:
        pytest.skip(f"the AWS SDK for JavaScript v3 is not available: {why}")
    return JS_FOLDER


def node_env(extra: dict[str, str] | None = None) -> dict[str, str]:
    """The test's environment (its HOME, AWS files, endpoint variables) for a Node.js program,
    with the test venv first on PATH so `ssotui` (a `credential_process`) is this one."""
    env = {**os.environ, **(extra or {})}
    node = shutil.which("node") or "/usr/bin/node"
    env["PATH"] = os.pathsep.join(
        [os.path.dirname(sys.executable), os.path.dirname(node), "/usr/bin", "/bin"]
    )
    env.pop("NODE_OPTIONS", None)
    return env


def node_credentials(
    provider: str, profile: str | None = None, env: dict[str, str] | None = None
) -> SdkRun:
    """Run the SDK's `provider` (see `tests/js/credentials.js`) for `profile`."""
    folder = js_sdk()
    args = ["node", str(folder / "credentials.js"), provider, *([profile] if profile else [])]
    proc = subprocess.run(
        args,
        capture_output=True,
        text=True,
        env=node_env(env),
        timeout=60,
        stdin=subprocess.DEVNULL,
        cwd=folder,
    )
    return SdkRun.of(proc.returncode, proc.stdout, proc.stderr)


def node_argv(provider: str) -> list[str]:
    """The command line of `tests/js/credentials.js` for `provider`, for `ssotui exec -- …`."""
    node = shutil.which("node") or "node"
    return [node, str(js_sdk() / "credentials.js"), provider]
