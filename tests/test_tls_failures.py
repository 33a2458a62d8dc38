"""TLS that fails, through the portal (both clients) and the login (botocore's SSO OIDC client):
an expired certificate, one for another host name, a self-signed one nothing here trusts, and
AWS_CA_BUNDLE naming a file that holds no certificate. Each is one line that says what is wrong
and what to do, never "unexpected error". Certificates are made by the `openssl` command."""

from __future__ import annotations

import shutil
import ssl
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.app_support import log_in
from tests.cli_here import ssotui_here as ssotui
from tests.conftest import Home, here
from tui.aws.session_choice import chosen_session
from tui.sim import Organisation, Simulator
from tui.sim.certificate import self_signed

pytestmark = pytest.mark.skipif(shutil.which("openssl") is None, reason="no openssl command")

# openssl 3.0's `req -x509` cannot date a certificate in the past; `ca -selfsign` can
CA_CONFIG = """[ca]
default_ca = d
[d]
database = index.txt
new_certs_dir = .
serial = serial
default_md = sha256
policy = p
copy_extensions = copy
[p]
commonName = supplied
"""


def openssl(*args: str, cwd: Path) -> None:
    subprocess.run(["openssl", *args], cwd=cwd, check=True, capture_output=True, timeout=60)


def expired(folder: Path) -> tuple[Path, Path]:
    """A certificate for 127.0.0.1 that was valid one day in 2020."""
    folder.mkdir(parents=True)
    (folder / "ca.cnf").write_text(CA_CONFIG)
    (folder / "index.txt").write_text("")
    (folder / "serial").write_text("01\n")
    openssl(
        *("req", "-new", "-newkey", "rsa:2048", "-nodes", "-keyout", "key.pem"),
        *("-out", "req.csr", "-subj", "/CN=127.0.0.1"),
        *("-addext", "subjectAltName=IP:127.0.0.1,DNS:localhost"),
        cwd=folder,
    )
    openssl(
        *("ca", "-batch", "-config", "ca.cnf", "-selfsign", "-keyfile", "key.pem"),
        *("-in", "req.csr", "-out", "cert.pem", "-notext"),
        *("-startdate", "20200101000000Z", "-enddate", "20200102000000Z"),
        cwd=folder,
    )
    return folder / "cert.pem", folder / "key.pem"


def for_another_host(folder: Path) -> tuple[Path, Path]:
    """A certificate, valid now, for other.example.com only."""
    folder.mkdir(parents=True)
    openssl(
        *("req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2"),
        *("-keyout", "key.pem", "-out", "cert.pem", "-subj", "/CN=other.example.com"),
        *("-addext", "subjectAltName=DNS:other.example.com"),
        cwd=folder,
    )
    return folder / "cert.pem", folder / "key.pem"


# case: (what the test serves, what AWS_CA_BUNDLE names: the served certificate (True),
# nothing (False) or the one served before (OTHER), the line)
OTHER = "another certificate"
CASES = {
    "expired": (expired, True, "has expired, or this machine's clock is wrong: check the clock"),
    "another host": (
        for_another_host,
        True,
        "is for another host name: check the address in AWS_ENDPOINT_URL_SSO",
    ),
    "self-signed": (
        lambda folder: self_signed(folder),
        False,
        "is not trusted here: if your network inspects TLS, set AWS_CA_BUNDLE",
    ),
    # AWS_CA_BUNDLE names a file, but not one with the CA that signed it: it was set already
    "signed by a CA not in AWS_CA_BUNDLE": (
        lambda folder: self_signed(folder),
        OTHER,
        "the file AWS_CA_BUNDLE names: put the CA that signed it in that file",
    ),
}


@pytest.fixture
def tls_sim(
    tls_certificate: tuple[Path, Path], monkeypatch: pytest.MonkeyPatch
) -> Iterator[Simulator]:
    """The simulator over TLS with a good self-signed certificate, trusted: the test swaps in
    another certificate once logged in (`load_cert_chain` on the context it serves with)."""
    for name in ("AWS_CA_BUNDLE", "REQUESTS_CA_BUNDLE"):
        monkeypatch.delenv(name, raising=False)
    cert, key = tls_certificate
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(cert, key)
    sim = Simulator(Organisation.generate(accounts=4, seed=3), tls=context)
    sim.context = context  # type: ignore[attr-defined]
    sim.good_cert = cert  # type: ignore[attr-defined]
    sim.start()
    for name, value in sim.env().items():
        monkeypatch.setenv(name, value)
    sim.set(interval=0)
    try:
        yield sim
    finally:
        sim.stop()


def serve(sim: Simulator, case: str, tmp_path: Path) -> dict[str, str]:
    """Serve the certificate of `case` from now on; the environment to run ssotui with."""
    make, trusted, _ = CASES[case]
    cert, key = make(tmp_path / "served")
    sim.context.load_cert_chain(cert, key)  # type: ignore[attr-defined]
    if trusted == OTHER:
        return {"AWS_CA_BUNDLE": str(sim.good_cert)}  # type: ignore[attr-defined]
    return {"AWS_CA_BUNDLE": str(cert)} if trusted else {}


def configure(home: Home, sim: Simulator) -> None:
    home.write_config(
        "[sso-session dev]\n"
        f"sso_start_url = {sim.start_url}\n"
        f"sso_region = {sim.region}\n"
        "sso_registration_scopes = sso:account:access\n"
    )


def assert_one_line(err: str, endpoint: str, case: str) -> None:
    assert err.count("\n") == 1, err
    assert err.startswith(f"ssotui: the TLS certificate of {endpoint} "), err
    assert CASES[case][2] in err, err
    assert "unexpected" not in err


@pytest.mark.parametrize("client", ["direct", "botocore"])
@pytest.mark.parametrize("case", list(CASES))
def test_the_portal_over_failing_tls_is_one_line(
    case: str,
    client: str,
    tls_sim: Simulator,
    home: Home,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    configure(home, tls_sim)
    monkeypatch.setenv("AWS_CA_BUNDLE", str(tls_sim.good_cert))  # type: ignore[attr-defined]
    log_in(chosen_session(here())[0])
    monkeypatch.delenv("AWS_CA_BUNDLE")
    env = serve(tls_sim, case, tmp_path)
    if client == "botocore":
        env["SSOTUI_PORTAL_CLIENT"] = "botocore"
    run = ssotui("list", "--refresh", env=env, timeout=60)
    assert run.status == 1
    assert_one_line(run.err, tls_sim.url, case)


@pytest.mark.parametrize("case", list(CASES))
def test_a_login_over_failing_tls_is_one_line(
    case: str, tls_sim: Simulator, home: Home, tmp_path: Path
) -> None:
    configure(home, tls_sim)
    env = serve(tls_sim, case, tmp_path)
    run = ssotui("login", "--use-device-code", env=env, timeout=60)
    assert run.status == 1
    assert_one_line(run.err, tls_sim.url, case)


@pytest.mark.parametrize("command", [("login", "--use-device-code"), ("list", "--refresh")])
def test_a_ca_bundle_that_holds_no_certificate_is_one_line(
    command: tuple[str, ...],
    tls_sim: Simulator,
    home: Home,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    configure(home, tls_sim)
    monkeypatch.setenv("AWS_CA_BUNDLE", str(tls_sim.good_cert))  # type: ignore[attr-defined]
    log_in(chosen_session(here())[0])
    login_again = {"login": ("--force",)}.get(command[0], ())
    not_pem = tmp_path / "corp-ca.pem"
    not_pem.write_text("this is not a certificate\n")
    run = ssotui(*command, *login_again, env={"AWS_CA_BUNDLE": str(not_pem)}, timeout=60)
    assert run.status == 1
    assert run.err.count("\n") == 1, run.err
    assert str(not_pem) in run.err
    assert "AWS_CA_BUNDLE" in run.err
