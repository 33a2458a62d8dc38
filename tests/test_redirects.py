"""An endpoint that answers with a redirect (301/307/308): Identity Center never does, so it is
the wrong address (an endpoint override, the region, a proxy or a captive portal), not a lost
login. Neither botocore nor ssotui's client follows it (a bearer token must not travel on to
wherever it points); the one line says where to look, not `ssotui login --force`."""

from __future__ import annotations

import http.server
import threading
from collections.abc import Iterator
from contextlib import contextmanager

import pytest

from tests.cli_here import ssotui_here as ssotui
from tui.sim import Simulator


@contextmanager
def redirecting(status: int) -> Iterator[str]:
    """A server on 127.0.0.1 that answers every request with `status` to another place."""

    class Redirect(http.server.BaseHTTPRequestHandler):
        def _answer(self) -> None:
            self.send_response(status)
            self.send_header("Location", "https://login.example.com/\x1b[31mcaptive")
            self.send_header("Content-Length", "0")
            self.end_headers()

        do_GET = do_POST = _answer  # noqa: N815

        def log_message(self, *args: object) -> None:
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Redirect)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        server.server_close()


@pytest.mark.usefixtures("token", "portal_client_kind")
@pytest.mark.parametrize("status", [301, 307, 308])
def test_a_portal_that_redirects_is_the_wrong_address(status: int) -> None:
    with redirecting(status) as url:
        run = ssotui("list", "--refresh", env={"AWS_ENDPOINT_URL_SSO": url}, timeout=60)
    assert run.status == 1
    assert run.err.count("\n") == 1, run.err
    assert run.err.startswith(f"ssotui: {url} answered ")
    assert f"with a redirect (HTTP {status})" in run.err
    assert "AWS_ENDPOINT_URL_SSO" in run.err
    assert "login" not in run.err  # logging in again would not help
    assert "\x1b" not in run.err


@pytest.mark.usefixtures("sso_config")
@pytest.mark.parametrize("status", [301, 307])
def test_an_oidc_endpoint_that_redirects_is_the_wrong_address(status: int, sim: Simulator) -> None:
    with redirecting(status) as url:
        run = ssotui(
            "login", "--use-device-code", env={"AWS_ENDPOINT_URL_SSO_OIDC": url}, timeout=60
        )
    assert run.status == 1
    assert run.err.count("\n") == 1, run.err
    assert run.err.startswith(f"ssotui: {url} answered ")
    assert f"with a redirect (HTTP {status})" in run.err
    assert "AWS_ENDPOINT_URL_SSO_OIDC" in run.err
    assert "\x1b" not in run.err
