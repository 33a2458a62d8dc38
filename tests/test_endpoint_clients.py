"""The credential endpoint read by real consumers in a child process: botocore's own container
provider (renewing keys over ~10 s, and a lost login), the AWS CLI v2 and v1 when installed
(each found wherever it is: `tests.aws_cli_support.aws_cli`)."""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
import sys
from datetime import timedelta

from tests.aws_cli_support import aws_cli
from tests.conftest import Home, here
from tests.endpoint_support import allowed_role, role_fetch
from tui.aws.token_cache import token_path
from tui.export.env import STATIC_KEY_VARS, endpoint_child_env
from tui.models import RoleCredentials, SsoSession, Token
from tui.serve import CredentialEndpoint
from tui.sim import Simulator

# Reads credentials the way every botocore client does, for `seconds`; one JSON line per read.
WATCH = """
import hashlib, json, sys, time
import botocore.session
creds = botocore.session.Session().get_credentials()
print(json.dumps({"method": creds.method}), flush=True)
end = time.time() + float(sys.argv[1])
while time.time() < end:
    frozen = creds.get_frozen_credentials()
    now = time.time()
    digest = hashlib.sha256((frozen.secret_key + frozen.token).encode()).hexdigest()
    print(json.dumps({"key": frozen.access_key, "digest": digest, "now": now}), flush=True)
    time.sleep(0.2)
"""

# One attempt to read credentials; prints the error botocore raises.
READ_ONCE = """
import botocore.session
try:
    print(botocore.session.Session().get_credentials().get_frozen_credentials().access_key)
except Exception as exc:
    print(f"{type(exc).__name__}: {exc}")
"""


def _only_the_endpoint(home: Home, endpoint: CredentialEndpoint) -> dict[str, str]:
    """An environment with nothing of AWS but the endpoint's two variables (and empty files)."""
    return {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "HOME": str(home.root),
        "AWS_CONFIG_FILE": str(home.aws_config),
        "AWS_SHARED_CREDENTIALS_FILE": str(home.aws_credentials),
        "AWS_EC2_METADATA_DISABLED": "true",
        **endpoint.environment(),
    }


def _digest(creds: RoleCredentials) -> str:
    return hashlib.sha256((creds.secret_access_key + creds.session_token).encode()).hexdigest()


def test_botocore_in_a_child_sees_successive_never_expired_keys(
    session: SsoSession, token: Token, sim: Simulator, home: Home
) -> None:
    sim.set(credential_lifetime=4)
    account, role = allowed_role(sim)
    served: list[RoleCredentials] = []
    fetch = role_fetch(session, account, role, served)
    with CredentialEndpoint(fetch, renew_margin=timedelta(seconds=2)) as endpoint:
        proc = subprocess.run(
            [sys.executable, "-c", WATCH, "10"],
            env=_only_the_endpoint(home, endpoint),
            capture_output=True,
            text=True,
            timeout=60,
        )
    assert proc.returncode == 0, proc.stderr
    first, *reads = (json.loads(line) for line in proc.stdout.splitlines())
    assert first == {"method": "container-role"}
    by_key = {c.access_key_id: c for c in served}
    order = [c.access_key_id for c in served]
    seen: list[str] = []
    for read in reads:
        creds = by_key[read["key"]]  # keys the portal issued, and no other
        assert read["digest"] == _digest(creds)
        # Not expired when read, by the Expiration the child was given (whole seconds).
        given = creds.expiration.replace(microsecond=0).timestamp()
        assert read["now"] < given, f"{read['key']} read {read['now'] - given:.2f} s after expiry"
        if not seen or seen[-1] != read["key"]:
            seen.append(read["key"])
    assert len(seen) >= 4  # about every 2 s over 10 s
    assert seen == order[order.index(seen[0]) :][: len(seen)]  # each newer than the last
    assert sim.calls["GetRoleCredentials"] == len(served) <= 8


def test_botocore_in_a_child_shows_the_login_message(
    session: SsoSession, token: Token, sim: Simulator, home: Home
) -> None:
    account, role = allowed_role(sim)
    token_path(here(), session).unlink()
    with CredentialEndpoint(role_fetch(session, account, role)) as endpoint:
        proc = subprocess.run(
            [sys.executable, "-c", READ_ONCE],
            env=_only_the_endpoint(home, endpoint),
            capture_output=True,
            text=True,
            timeout=60,
        )
    assert proc.returncode == 0, proc.stderr
    line = proc.stdout.strip()
    assert line.startswith("CredentialRetrievalError: Error when retrieving credentials from")
    assert "not logged in to session dev: run `ssotui login`" in line
    assert proc.stderr == ""


def _child_env(endpoint: CredentialEndpoint) -> dict[str, str]:
    env = endpoint_child_env(endpoint.environment(), endpoint.credentials(), os.environ)
    assert not set(STATIC_KEY_VARS) & set(env)
    return env


def test_aws_cli_v2_exports_the_endpoints_credentials(
    session: SsoSession, token: Token, sim: Simulator
) -> None:
    aws = aws_cli("2")
    account, role = allowed_role(sim)
    served: list[RoleCredentials] = []
    with CredentialEndpoint(role_fetch(session, account, role, served)) as endpoint:
        proc = subprocess.run(
            [aws, "configure", "export-credentials", "--format", "process"],
            env=_child_env(endpoint),
            capture_output=True,
            text=True,
            timeout=60,
        )
    assert proc.returncode == 0, proc.stderr
    out = json.loads(proc.stdout)
    [creds] = served
    assert out["AccessKeyId"] == creds.access_key_id
    assert out["SecretAccessKey"] == creds.secret_access_key
    assert out["SessionToken"] == creds.session_token


def test_aws_cli_v1_reads_the_endpoint(session: SsoSession, token: Token, sim: Simulator) -> None:
    aws = aws_cli("1")
    account, role = allowed_role(sim)
    served: list[RoleCredentials] = []
    with CredentialEndpoint(role_fetch(session, account, role, served)) as endpoint:
        proc = subprocess.run(
            [aws, "configure", "list"],
            env=_child_env(endpoint),
            capture_output=True,
            text=True,
            timeout=60,
        )
    assert proc.returncode == 0, proc.stderr
    [creds] = served
    access_key = next(line for line in proc.stdout.splitlines() if "access_key" in line)
    assert access_key.split()[1].endswith(creds.access_key_id[-4:])
    assert "container-role" in access_key


def _read_once(home: Home, endpoint: CredentialEndpoint) -> str:
    proc = subprocess.run(
        [sys.executable, "-c", READ_ONCE],
        env=_only_the_endpoint(home, endpoint),
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert proc.returncode == 0 and proc.stderr == "", proc.stderr
    return proc.stdout.strip()


def test_botocore_in_a_child_keeps_working_while_identity_center_does_not_answer(
    session: SsoSession, token: Token, sim: Simulator, home: Home
) -> None:
    sim.set(credential_lifetime=300)  # 5 minutes: botocore asks again at every call
    account, role = allowed_role(sim)
    with CredentialEndpoint(role_fetch(session, account, role)) as endpoint:
        first = endpoint.credentials()
        sim.set(hang={"GetRoleCredentials"})  # the renewal gets no answer
        line = _read_once(home, endpoint)
        sim.set(hang=())
    assert line == first.access_key_id  # not botocore's "Read timeout on endpoint URL"


def test_botocore_in_a_child_is_told_why_while_there_are_no_credentials_yet(
    session: SsoSession, token: Token, sim: Simulator, home: Home
) -> None:
    account, role = allowed_role(sim)
    sim.set(hang={"GetRoleCredentials"})
    with CredentialEndpoint(role_fetch(session, account, role)) as endpoint:
        line = _read_once(home, endpoint)
        sim.set(hang=())
    assert line.startswith("CredentialRetrievalError: Error when retrieving credentials from")
    assert "Received non 200 response 503" in line
    assert "ssotui: Identity Center has not given the role's credentials yet" in line
