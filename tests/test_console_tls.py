"""The console sign-in's TLS failures in the portal's words (`tui.aws.transport.tls_line`): a
plain HTTP server (or a captive portal) on an https:// address, a CA file already named that
lacks the CA, an expired certificate, one for another host. Was: "set AWS_CA_BUNDLE" for every
one of them, even with AWS_CA_BUNDLE set, and "the connection broke: try again" for plain HTTP,
which no retry mends."""

from __future__ import annotations

import json
import os
import shutil
from collections.abc import Callable
from pathlib import Path

import pytest

from tests.http_recorder import Answer, recording
from tests.made_up import made_up_credentials
from tests.test_tls_failures import expired, for_another_host
from tui.aws.console import ConsoleRequest, console_url
from tui.errors import ServiceError
from tui.sim.certificate import self_signed, server_context

pytestmark = pytest.mark.skipif(shutil.which("openssl") is None, reason="no openssl command")

START_URL = "https://acme.awsapps.com/start"
ANSWER = Answer(200, json.dumps({"SigninToken": "sIgNiNtOkEn-" + "x" * 40}).encode())


def _refusal(environ: dict[str, str]) -> str:
    """The one line `ssotui console` says after "ssotui: " for a sign-in under `environ`."""
    with pytest.raises(ServiceError) as err:
        console_url(
            made_up_credentials(),
            ConsoleRequest("eu-west-1"),
            start_url=START_URL,
            environ={"HOME": os.environ["HOME"], **environ},
        )
    return err.value.message


def test_a_plain_http_server_on_an_https_address_is_said_so() -> None:
    with recording(ANSWER) as server:
        address = server.url.replace("http://", "https://")
        line = _refusal({"AWS_ENDPOINT_URL_SIGNIN": address})
    assert line == (
        f"{address}/federation did not answer in TLS, as the AWS sign-in endpoint does: check "
        "the address in AWS_ENDPOINT_URL_SIGNIN (http:// for a plain HTTP server), or whether "
        "your network wants you to sign in first"
    )


def test_a_ca_file_already_named_is_named_again(tmp_path: Path) -> None:
    cert, key = self_signed(tmp_path / "served")
    other, _ = self_signed(tmp_path / "other")
    with recording(ANSWER, tls=server_context(cert, key)) as server:
        line = _refusal({"AWS_ENDPOINT_URL_SIGNIN": server.url, "AWS_CA_BUNDLE": str(other)})
    assert line == (
        f"the TLS certificate of {server.url}/federation is signed by no CA in {other}, the "
        "file AWS_CA_BUNDLE names: put the CA that signed it in that file (your "
        "organisation's, if your network inspects TLS), or unset AWS_CA_BUNDLE"
    )


@pytest.mark.parametrize(
    ("make", "said"),
    [
        (expired, "has expired, or this machine's clock is wrong: check the clock"),
        (for_another_host, "is for another host name: check the address in "),
    ],
    ids=["expired", "another host"],
)
def test_a_trusted_certificate_that_cannot_serve_says_why(
    tmp_path: Path, make: Callable[[Path], tuple[Path, Path]], said: str
) -> None:
    cert, key = make(tmp_path / "served")
    with recording(ANSWER, tls=server_context(cert, key)) as server:
        line = _refusal({"AWS_ENDPOINT_URL_SIGNIN": server.url, "AWS_CA_BUNDLE": str(cert)})
    assert line.startswith(f"the TLS certificate of {server.url}/federation {said}")
    assert "AWS_ENDPOINT_URL_SIGNIN" in line and "AWS_ENDPOINT_URL_SSO" not in line
