"""The AWS SDK for Go v2 (the SDK of Terraform's AWS provider), for the tests that check ssotui
against a consumer other than botocore and the JavaScript SDK.

`tests/go/credentials.go` is built once (GOPATH mode, offline) against the SDK's source as
Debian's `golang-github-aws-aws-sdk-go-v2-dev` installs it under `/usr/share/gocode` (with
`golang-go`; `.ci/run` installs both, best effort), into the git-ignored `tests/go/build`,
under a lock so parallel test workers wait for one build; a binary is named by the hash of its
source and the SDK's version, so a change to either builds anew. Without Go or the SDK's
source the tests skip, saying why. `SSOTUI_TEST_GOPATH` names another GOPATH holding the SDK.

`go_credentials(profile)` runs the program: `config.LoadDefaultConfig` and the SDK's own
credential chain, in a process with the test's environment, as a user's program would. The SDK
of bookworm (config 1.17) knows no `AWS_ENDPOINT_URL_SSO`: the tests reach the simulator by the
real names (`tests.aws_cli_support.RealNames`: `HTTPS_PROXY` and `AWS_CA_BUNDLE`, both honoured).
"""

from __future__ import annotations

import fcntl
import functools
import hashlib
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from tests.sdk_runs import SdkRun, last_json

GO_FOLDER = Path(__file__).parent / "go"
_BUILD = GO_FOLDER / "build"
_SOURCE = GO_FOLDER / "credentials.go"
_DEBIAN_GOPATH = "/usr/share/gocode"
_SDK = Path("src/github.com/aws/aws-sdk-go-v2")
_BUILD_TIMEOUT = 300


def _gopath() -> Path:
    return Path(os.environ.get("SSOTUI_TEST_GOPATH") or _DEBIAN_GOPATH)


def _go() -> str | None:
    return shutil.which("go") or next(
        (p for p in ("/usr/bin/go", "/usr/lib/go/bin/go") if os.access(p, os.X_OK)), None
    )


def _module_version(module: str) -> str:
    """The tagged version of one of the SDK's modules (`config`, `credentials`), or ''."""
    metadata = _gopath() / _SDK / module / "go_module_metadata.go"
    try:
        found = re.search(r'goModuleVersion = "([^"]+)"', metadata.read_text(encoding="utf-8"))
    except OSError:
        return ""
    return found.group(1) if found else ""


def sdk_versions() -> str:
    """`config X, credentials Y`: the versions of the SDK's modules the program is built with."""
    return f"config {_module_version('config')}, credentials {_module_version('credentials')}"


def reads_sso_sessions() -> bool:
    """Whether this SDK's credentials come from an `[sso-session]`'s token (config 1.18 on):
    before, a profile with `sso_session` and no `sso_start_url` is refused."""
    resolve = _gopath() / _SDK / "config" / "resolve_credentials.go"
    try:
        return "SSOTokenProvider" in resolve.read_text(encoding="utf-8")
    except OSError:
        return False


def _build_env() -> dict[str, str]:
    env = {
        key: value
        for key, value in os.environ.items()
        if key in ("PATH", "LANG", "TMPDIR") or key.startswith("LC_")
    }
    env.update(
        GO111MODULE="off",
        GOPATH=str(_gopath()),
        GOCACHE=str(_BUILD / "cache"),
        GOFLAGS="",
        GOPROXY="off",
        CGO_ENABLED="0",
        HOME=str(_BUILD),
    )
    return env


@functools.cache
def _built() -> tuple[Path | None, str]:
    """The program's binary, or None and why it cannot be had."""
    go = _go()
    if go is None:
        return None, "no Go toolchain (go) on PATH; `apt-get install golang-go`"
    if not (_gopath() / _SDK / "config" / "config.go").is_file():
        return None, (
            f"no source of the SDK under {_gopath() / _SDK}; "
            "`apt-get install golang-github-aws-aws-sdk-go-v2-dev`"
        )
    key = hashlib.sha1(_SOURCE.read_bytes() + sdk_versions().encode()).hexdigest()[:12]
    binary = _BUILD / f"credentials-{key}"
    if binary.is_file():
        return binary, ""
    _BUILD.mkdir(exist_ok=True)
    with open(_BUILD / "lock", "wb") as lock_holder:
        fcntl.flock(lock_holder, fcntl.LOCK_EX)
        if binary.is_file():
            return binary, ""
        partial = binary.with_name(f"{binary.name}.partial")
        try:
            proc = subprocess.run(
                [go, "build", "-o", str(partial), str(_SOURCE)],
                capture_output=True,
                text=True,
                env=_build_env(),
                timeout=_BUILD_TIMEOUT,
                stdin=subprocess.DEVNULL,
                cwd=GO_FOLDER,
            )
        except subprocess.TimeoutExpired:
            return None, f"`go build` took more than {_BUILD_TIMEOUT} s"
        if proc.returncode != 0 or not partial.is_file():
            said = (proc.stderr.strip().splitlines() or ["no message"])[-1]
            return None, f"`go build tests/go/credentials.go` failed: {said}"
        partial.replace(binary)
        for old in _BUILD.glob("credentials-*"):
            if old != binary:
                old.unlink(missing_ok=True)  # of an earlier source or SDK
    return binary, ""


def go_program() -> Path:
    """The built program; the test is skipped when it cannot be had."""
    binary, why = _built()
    if binary is None:
        pytest.skip(f"the AWS SDK for Go v2 is not available: {why}")
    return binary


# What the Go program is given of the test's environment: its isolated files, ssotui's folders
# (for a `credential_process` that runs ssotui), the way to the simulator and the time zone;
# nothing else, so neither a profile, a key nor a proxy of the machine reaches it.
_PASSED_ON = (
    "HOME",
    "AWS_CONFIG_FILE",
    "AWS_SHARED_CREDENTIALS_FILE",
    "SSOTUI_CONFIG_DIR",
    "SSOTUI_CACHE_DIR",
    "SSOTUI_STATE_DIR",
    "HTTPS_PROXY",
    "AWS_CA_BUNDLE",
    "TZ",
)


def go_env(extra: dict[str, str] | None = None) -> dict[str, str]:
    """The test's environment for the Go program, with the test venv first on PATH so
    `ssotui` (a `credential_process`) is this one."""
    env = {name: os.environ[name] for name in _PASSED_ON if name in os.environ}
    env.update(
        PATH=os.pathsep.join([os.path.dirname(sys.executable), "/usr/bin", "/bin"]),
        AWS_EC2_METADATA_DISABLED="true",
        LANG="C.UTF-8",
    )
    env.update(extra or {})
    return env


def go_credentials(profile: str | None = None, env: dict[str, str] | None = None) -> SdkRun:
    """Run the SDK's default chain (for `profile` when given; see `tests/go/credentials.go`)."""
    args = [str(go_program()), *([profile] if profile else [])]
    proc = subprocess.run(
        args, capture_output=True, text=True, env=go_env(env), timeout=60, stdin=subprocess.DEVNULL
    )
    return SdkRun.of(proc.returncode, proc.stdout, proc.stderr)


def go_credentials_token(profile: str, env: dict[str, str] | None = None) -> dict[str, Any]:
    """The expiry of `profile`'s SSO bearer token as the SDK's SSOTokenProvider gives it
    (renewing an expired one and writing the cache file back), asserted to have been given."""
    args = [str(go_program()), "--token", profile]
    proc = subprocess.run(
        args, capture_output=True, text=True, env=go_env(env), timeout=60, stdin=subprocess.DEVNULL
    )
    answer = last_json(proc.stdout)
    assert proc.returncode == 0 and "error" not in answer, (answer, proc.stderr[-2000:])
    return answer
