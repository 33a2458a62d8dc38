"""Behind a proxy and a company CA, every way ssotui reaches out goes where botocore would.

`ssotui` runs as a user runs it, against the simulator over HTTPS (its certificate names
127.0.0.1 and localhost), through a real forwarding proxy (`tests.forward_proxy`) that counts
what passed. Login and the portal go through botocore (a proxy variable hands the portal to
it); console sign-in is ssotui's own urllib request, reached as `localhost` so that
`NO_PROXY=127.0.0.1` can let the rest go direct where a test wants that. The loopback
credential endpoint of `exec --renew` is never reached through a proxy.
"""

from __future__ import annotations

import base64
import json
import os
import sys
import urllib.request
from collections.abc import Callable, Iterator
from pathlib import Path

import botocore.utils
import pytest

from tests.cli_helpers import Run
from tests.cli_here import ssotui_here as ssotui
from tests.conftest import Home
from tests.forward_proxy import ForwardProxy
from tests.http_recorder import Answer, recording
from tests.made_up import made_up_credentials
from tui.aws.console import ConsoleRequest, console_url
from tui.aws.proxies import SYSTEM, chosen_proxy
from tui.errors import ServiceError
from tui.sim import Organisation, Simulator
from tui.sim.certificate import server_context

USER, PASSWORD = "jo", "p@ss:w/rd"
QUOTED = "jo:p%40ss%3Aw%2Frd"  # as a user writes them into HTTPS_PROXY
PROXY_VARS = ("HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "NO_PROXY")


@pytest.fixture(autouse=True)
def no_proxy_of_the_machine(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in PROXY_VARS:
        monkeypatch.delenv(name, raising=False)
        monkeypatch.delenv(name.lower(), raising=False)
    for name in ("AWS_CA_BUNDLE", "REQUESTS_CA_BUNDLE", "SSOTUI_PORTAL_CLIENT"):
        monkeypatch.delenv(name, raising=False)


@pytest.fixture
def tls_sim(
    tls_certificate: tuple[Path, Path], monkeypatch: pytest.MonkeyPatch, home: Home
) -> Iterator[Simulator]:
    """The simulator over HTTPS, its CA file in AWS_CA_BUNDLE, a session `dev` for it."""
    cert, key = tls_certificate
    sim = Simulator(Organisation.generate(accounts=4, seed=3), tls=server_context(cert, key))
    sim.start()
    for name, value in sim.env().items():
        monkeypatch.setenv(name, value)
    # the console by another name, so that NO_PROXY=127.0.0.1 leaves it to the proxy
    monkeypatch.setenv("AWS_ENDPOINT_URL_SIGNIN", sim.url.replace("127.0.0.1", "localhost"))
    monkeypatch.setenv("AWS_CA_BUNDLE", str(cert))
    home.write_config(
        f"[sso-session dev]\nsso_start_url = {sim.start_url}\nsso_region = {sim.region}\n"
    )
    sim.set(interval=0)
    try:
        yield sim
    finally:
        sim.stop()


def a_role(sim: Simulator) -> tuple[str, str]:
    account = next(a for a in sim.org.accounts if any(not r.forbidden for r in a.roles))
    return account.account_id, next(r.name for r in account.roles if not r.forbidden)


def one_line(run: Run) -> str:
    """The single line a failed command printed, checked for what must never be in it."""
    assert run.status == 1, run
    lines = run.err.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("ssotui: "), run.err
    assert "Traceback" not in run.err
    return lines[0]


def no_secret(text: str) -> None:
    encoded = base64.b64encode(f"{USER}:{PASSWORD}".encode()).decode()
    for secret in (PASSWORD, QUOTED, "p%40ss", encoded):
        assert secret not in text


# --- through the proxy ------------------------------------------------------------------------


def test_login_portal_and_console_all_go_through_the_proxy_without_showing_its_password(
    tls_sim: Simulator,
) -> None:
    account, role = a_role(tls_sim)
    port = tls_sim.url.rsplit(":", 1)[1]
    with ForwardProxy(credentials=(USER, PASSWORD)) as proxy:
        env = {"HTTPS_PROXY": f"http://{QUOTED}@127.0.0.1:{proxy.port}"}
        runs = [
            ssotui("--debug", "login", "--use-device-code", env=env),
            ssotui("--debug", "list", env=env),
            ssotui("--debug", "console", account, role, "--print", env=env),
        ]
    for run in runs:
        assert run.status == 0, run.err[-2000:]
        no_secret(run.out + run.err)
    assert f"CONNECT 127.0.0.1:{port}" in proxy.passed  # OIDC and the portal
    assert f"CONNECT localhost:{port}" in proxy.passed  # console sign-in
    assert "/federation?Action=login" in runs[2].out


def test_exec_renew_serves_the_child_past_a_proxy_that_refuses_everything(
    sim: Simulator, sso_config: Path
) -> None:
    # The proxy variables reach the child; its SDK fetches the renewing credentials from
    # 127.0.0.1 directly (botocore's container provider never uses a proxy), as it must.
    account, role = a_role(sim)
    child = (
        "import botocore.session; c = botocore.session.Session().get_credentials(); "
        "print(c.method, c.get_frozen_credentials().access_key[:4])"
    )
    with ForwardProxy(refuse=403) as proxy:
        env = {
            "HTTP_PROXY": proxy.url,
            "HTTPS_PROXY": proxy.url,
            "NO_PROXY": sim.url.removeprefix("http://"),  # the simulator, and only its port
        }
        assert ssotui("login", "--no-browser", env=env).status == 0
        run = ssotui("exec", "--renew", account, role, "--", sys.executable, "-c", child, env=env)
    assert run.status == 0, run.err
    assert run.out.split() == ["container-role", "ASIA"]


# --- a proxy in the way: one line naming it, what it said, what to do --------------------------

REFUSALS = [
    pytest.param(
        {"credentials": (USER, PASSWORD)},
        "",
        "wants a user name and password to reach {what} at {url} (HTTP 407): put them in "
        "HTTPS_PROXY as http://USER:PASSWORD@HOST:PORT",
        id="407-none-given",
    ),
    pytest.param(
        {"credentials": (USER, "other")},
        f"{QUOTED}@",
        "refused the user name and password in HTTPS_PROXY (HTTP 407) on the way to {what} at "
        "{url}: check them",
        id="407-wrong",
    ),
    pytest.param(
        {"refuse": 403},
        "",
        "refused to connect to {what} at {url} (HTTP 403): ask your network team to allow it, "
        "or exempt it with NO_PROXY",
        id="403",
    ),
]


@pytest.mark.parametrize(("knobs", "userinfo", "message"), REFUSALS)
def test_a_proxy_that_refuses_is_named_with_its_answer(
    tls_sim: Simulator, knobs: dict[str, object], userinfo: str, message: str
) -> None:
    account, role = a_role(tls_sim)
    assert ssotui("login", "--use-device-code").status == 0  # directly, before the proxy
    with ForwardProxy(**knobs) as proxy:  # type: ignore[arg-type]
        shown = f"http://{'***:***@' if userinfo else ''}127.0.0.1:{proxy.port}"
        env = {"HTTPS_PROXY": f"http://{userinfo}127.0.0.1:{proxy.port}"}
        no_secret(ssotui("--debug", "list", "--refresh", env=env).err)
        portal = one_line(ssotui("list", "--refresh", env=env))
        env["NO_PROXY"] = "127.0.0.1"  # the portal directly, the console (localhost) proxied
        console = one_line(ssotui("console", account, role, "--print", env=env))
        assert proxy.passed == []
    sign_in = tls_sim.url.replace("127.0.0.1", "localhost") + "/federation"
    assert f"the proxy {shown} " in portal
    assert message.format(what="Identity Center", url=tls_sim.url) in portal
    assert f"the proxy {shown} " in console
    assert message.format(what="the AWS sign-in endpoint", url=sign_in) in console
    no_secret(portal + console)


def test_an_unreachable_proxy_is_named(tls_sim: Simulator) -> None:
    with ForwardProxy() as dead:
        port = dead.port  # closed again when the test runs
    env = {"HTTPS_PROXY": f"http://{QUOTED}@127.0.0.1:{port}"}
    line = one_line(ssotui("login", "--use-device-code", env=env))
    assert line == (
        f"ssotui: cannot reach Identity Center at {tls_sim.url} through the proxy "
        f"http://***:***@127.0.0.1:{port}: check HTTPS_PROXY and NO_PROXY"
    )


def test_a_proxy_without_its_scheme_is_named_without_its_password(
    sim: Simulator, sso_config: Path
) -> None:
    with ForwardProxy() as dead:
        port = dead.port
    env = {"HTTP_PROXY": f"{QUOTED}@127.0.0.1:{port}", "NO_PROXY": "127.0.0.1"}
    assert ssotui("login", "--no-browser", env=env).status == 0
    env["AWS_ENDPOINT_URL_SIGNIN"] = sim.url.replace("127.0.0.1", "localhost")
    line = one_line(ssotui("console", *a_role(sim), "--print", env=env))
    assert f"through the proxy ***:***@127.0.0.1:{port}: check HTTP_PROXY and NO_PROXY" in line
    no_secret(line)


@pytest.mark.parametrize("password", ["s3cr/et", "s3cr?et", "s3cr#et"])
def test_a_password_holding_a_url_character_is_masked_too(
    sim: Simulator, sso_config: Path, password: str
) -> None:
    """Written unencoded (as users do, though it should be percent-encoded), `/`, `?` or `#`
    ends a parsed host early: the password must still not be shown."""
    with ForwardProxy() as dead:
        port = dead.port
    env = {"HTTP_PROXY": f"http://bob:{password}@127.0.0.1:{port}", "NO_PROXY": "127.0.0.1"}
    assert ssotui("login", "--no-browser", env=env).status == 0
    env["AWS_ENDPOINT_URL_SIGNIN"] = sim.url.replace("127.0.0.1", "localhost")
    line = one_line(ssotui("console", *a_role(sim), "--print", env=env))
    assert f"through the proxy http://***:***@127.0.0.1:{port}" in line, line
    assert "s3cr" not in line and "bob" not in line


def test_a_proxy_that_hangs_up_is_named(tls_sim: Simulator) -> None:
    with ForwardProxy(close=True) as proxy:
        line = one_line(
            ssotui("login", "--use-device-code", env={"HTTPS_PROXY": proxy.url}, timeout=90)
        )
    assert line == (
        f"ssotui: the connection to Identity Center at {tls_sim.url} through the proxy "
        f"{proxy.url} failed: try again later; if it keeps failing, check HTTPS_PROXY and "
        "NO_PROXY"
    )


# --- which proxy: botocore's choice is the reference ------------------------------------------

P, Q = "http://proxy.corp.example:3128", "http://other.corp.example:8080"


@pytest.mark.parametrize(
    ("url", "environ"),
    [
        ("https://signin.aws.amazon.com/federation", {"HTTPS_PROXY": P}),
        ("https://signin.aws.amazon.com/federation", {"https_proxy": P, "HTTPS_PROXY": Q}),
        ("https://signin.aws.amazon.com/federation", {"https_proxy": "", "HTTPS_PROXY": P}),
        ("https://signin.aws.amazon.com/federation", {"ALL_PROXY": "socks5://127.0.0.1:1080"}),
        ("https://signin.aws.amazon.com/federation", {"HTTP_PROXY": P}),
        ("http://127.0.0.1:8080/federation", {"HTTP_PROXY": P}),
        *(
            ("https://signin.aws.amazon.com/federation", {"HTTPS_PROXY": P, "NO_PROXY": rule})
            for rule in (
                "signin.aws.amazon.com",
                "Signin.AWS.amazon.com",
                ".amazon.com",
                "amazon.com",
                "example.com, .aws.amazon.com",
                "signin.aws.amazon.com:443",
                "*",
                "localhost,*",
                "*.amazon.com",
            )
        ),
        ("https://localhost:8443/federation", {"HTTPS_PROXY": P, "NO_PROXY": "localhost:8443"}),
        ("https://localhost:8443/federation", {"HTTPS_PROXY": P, "NO_PROXY": "localhost:9443"}),
        ("https://10.1.2.3/federation", {"HTTPS_PROXY": P, "NO_PROXY": "10.0.0.0/8"}),
        ("https://127.0.0.1:8443/federation", {"HTTPS_PROXY": P, "no_proxy": "127.0.0.1"}),
        # urllib reads <scheme>_proxy in any case, the lower-case one last
        ("https://signin.aws.amazon.com/federation", {"Https_Proxy": P}),
        ("https://signin.aws.amazon.com/federation", {"HTTPS_PROXY": Q, "HTTPS_proxy": P}),
        ("https://signin.aws.amazon.com/federation", {"HTTPS_PROXY": P, "NO_proxy": "*"}),
        # under CGI (REQUEST_METHOD set) an upper-case HTTP_PROXY may be a client's header
        ("http://127.0.0.1:8080/federation", {"HTTP_PROXY": P, "REQUEST_METHOD": "GET"}),
        ("http://127.0.0.1:8080/federation", {"http_proxy": P, "REQUEST_METHOD": "GET"}),
    ],
)
def test_console_sign_in_takes_the_proxy_botocore_would_take(
    url: str, environ: dict[str, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("REQUEST_METHOD", raising=False)
    for name, value in environ.items():
        monkeypatch.setenv(name, value)
    scheme = url.split("://", 1)[0]
    expected = botocore.utils.get_environ_proxies(url).get(scheme)
    chosen = chosen_proxy(url, dict(os.environ))
    assert (chosen.url if chosen else None) == expected


# --- the system's proxy settings (macOS, Windows), where no variable names one ---------------


def system_settings(
    monkeypatch: pytest.MonkeyPatch,
    platform: str,
    proxies: dict[str, str],
    bypassed: Callable[[str], bool] = lambda host: False,
) -> None:
    """This machine as a Mac or Windows one whose network settings say `proxies` (and which
    hosts go direct), read by urllib where it reads them: _scproxy, the registry."""
    monkeypatch.setattr(sys, "platform", platform)
    get, bypass = {
        "darwin": ("getproxies_macosx_sysconf", "proxy_bypass_macosx_sysconf"),
        "win32": ("getproxies_registry", "proxy_bypass_registry"),
    }[platform]
    monkeypatch.setattr(urllib.request, get, lambda: dict(proxies), raising=False)
    monkeypatch.setattr(urllib.request, bypass, bypassed, raising=False)


def botocore_there(monkeypatch: pytest.MonkeyPatch, platform: str) -> None:
    """botocore's `getproxies` and `proxy_bypass` as urllib defines them on `platform`: the
    variables when any is set, else the system's settings (urllib.request, darwin and nt)."""
    get, bypass = {
        "darwin": ("getproxies_macosx_sysconf", "proxy_bypass_macosx_sysconf"),
        "win32": ("getproxies_registry", "proxy_bypass_registry"),
    }[platform]
    environment = urllib.request.getproxies_environment

    def getproxies() -> dict[str, str]:
        return environment() or getattr(urllib.request, get)()

    def proxy_bypass(host: str) -> object:
        found = environment()
        if found:
            return urllib.request.proxy_bypass_environment(host, found)  # type: ignore[attr-defined]
        return getattr(urllib.request, bypass)(host)

    monkeypatch.setattr(botocore.utils, "getproxies", getproxies)
    monkeypatch.setattr(botocore.utils, "proxy_bypass", proxy_bypass)


@pytest.mark.parametrize("platform", ["darwin", "win32"])
@pytest.mark.parametrize(
    ("environ", "bypassed"),
    [
        ({}, False),  # the system's proxy
        ({}, True),  # the system's exceptions cover the host
        ({"HTTPS_PROXY": Q}, False),  # a variable: the system's settings are not read
        ({"NO_PROXY": "signin.aws.amazon.com"}, False),  # NO_PROXY alone: no proxy at all
        ({"ALL_PROXY": "socks5://127.0.0.1:1080"}, False),  # a variable, but none for https
    ],
)
def test_where_no_variable_names_a_proxy_the_systems_is_taken_as_by_botocore(
    platform: str,
    environ: dict[str, str],
    bypassed: bool,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    url = "https://signin.aws.amazon.com/federation"
    for name, value in environ.items():
        monkeypatch.setenv(name, value)
    system_settings(monkeypatch, platform, {"http": P, "https": P}, lambda host: bypassed)
    botocore_there(monkeypatch, platform)
    expected = botocore.utils.get_environ_proxies(url).get("https")
    chosen = chosen_proxy(url, dict(os.environ))
    assert (chosen.url if chosen else None) == expected
    if chosen is not None:
        assert chosen.setting == ("HTTPS_PROXY" if environ else SYSTEM)


@pytest.mark.parametrize("platform", ["darwin", "win32"])
def test_console_sign_in_goes_through_the_proxy_of_the_systems_settings(
    platform: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    # A Mac (or a Windows machine) whose network settings name the company's proxy, and no
    # *_PROXY variable: the AWS CLI goes through it, so the console sign-in must too.
    answer = Answer(200, json.dumps({"SigninToken": "sIgNiN"}).encode())
    with recording(answer) as server, ForwardProxy() as proxy:
        system_settings(monkeypatch, platform, {"http": proxy.url, "https": proxy.url})
        url = console_url(
            made_up_credentials(),
            ConsoleRequest("eu-west-1"),
            start_url="https://acme.awsapps.com/start",
            environ={"AWS_ENDPOINT_URL_SIGNIN": server.url},
        )
    assert url.endswith("SigninToken=sIgNiN")
    assert proxy.passed == [f"POST {server.url}/federation"]


@pytest.mark.parametrize("platform", ["darwin", "win32"])
def test_a_system_proxy_that_refuses_is_named_as_the_systems(
    platform: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    with ForwardProxy() as dead:
        gone = dead.url
    system_settings(monkeypatch, platform, {"https": gone})
    endpoint = "https://signin.example.test/federation"
    with pytest.raises(ServiceError) as err:
        console_url(
            made_up_credentials(),
            ConsoleRequest("eu-west-1"),
            start_url="https://acme.awsapps.com/start",
            environ={
                "AWS_ENDPOINT_URL_SIGNIN": endpoint.removesuffix("/federation"),
                "HOME": os.environ["HOME"],  # this test's, never the user's
            },
        )
    assert err.value.message == (
        f"cannot reach the AWS sign-in endpoint at {endpoint} through the proxy {gone}: check "
        "the system's proxy settings and NO_PROXY"
    )


def test_all_proxy_is_left_alone_by_console_sign_in_as_by_botocore(
    sim: Simulator, sso_config: Path
) -> None:
    # ALL_PROXY (e.g. an `ssh -D` SOCKS proxy for curl) is not used by botocore: login and the
    # portal go direct, and so does the console sign-in.
    account, role = a_role(sim)
    env = {"ALL_PROXY": "socks5://127.0.0.1:9"}
    assert ssotui("login", "--no-browser", env=env).status == 0
    run = ssotui("console", account, role, "--print", env=env)
    assert run.status == 0, run.err
    assert sim.calls["getSigninToken"] == 1


# --- the CA file: AWS_CA_BUNDLE, ca_bundle in the profile, REQUESTS_CA_BUNDLE -------------------


@pytest.mark.parametrize("profile", [None, "corp"])
def test_console_sign_in_trusts_the_ca_bundle_of_the_aws_config(
    tls_sim: Simulator, home: Home, monkeypatch: pytest.MonkeyPatch, profile: str | None
) -> None:
    cert = Path(os.environ["AWS_CA_BUNDLE"])
    monkeypatch.delenv("AWS_CA_BUNDLE")
    section = "[default]" if profile is None else f"[profile {profile}]"
    with home.aws_config.open("a") as config:
        config.write(f"{section}\nregion = eu-west-1\nca_bundle = {cert}\n")
    env = {"AWS_PROFILE": profile} if profile else {}
    assert ssotui("login", "--use-device-code", env=env).status == 0  # botocore reads it
    run = ssotui("console", *a_role(tls_sim), "--print", env=env)
    assert run.status == 0, run.err
    assert tls_sim.calls["getSigninToken"] == 1


@pytest.mark.parametrize("kind", ["missing", "not-pem"])
@pytest.mark.parametrize("where", ["config", "AWS_CA_BUNDLE", "REQUESTS_CA_BUNDLE"])
def test_a_ca_file_that_cannot_be_used_is_named_with_where_it_was_set(
    tls_sim: Simulator, home: Home, monkeypatch: pytest.MonkeyPatch, kind: str, where: str
) -> None:
    monkeypatch.delenv("AWS_CA_BUNDLE")
    bad = home.root / "corp-ca.pem"
    if kind == "not-pem":
        bad.write_text("this is not a certificate\n")
    env: dict[str, str] = {}
    setting = where
    if where == "config":
        with home.aws_config.open("a") as config:
            config.write(f"[default]\nca_bundle = {bad}\n")
        setting = "ca_bundle in [default] of the AWS config file"
    else:
        env[where] = str(bad)
    line = one_line(ssotui("login", "--use-device-code", env=env))  # botocore's way
    assert line == (
        f"ssotui: cannot read the CA file {bad} to check Identity Center's certificate: fix "
        f"{setting} or unset it"
    )
    assert tls_sim.calls["RegisterClient"] == 0
