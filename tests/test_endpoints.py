"""Where the portal is: `tui.aws.endpoints` against botocore's own endpoint resolution.

The direct client goes wherever `portal_endpoint` says, so every URL it gives must be the one
botocore would call, and every setting that could make botocore go elsewhere (or go there
differently: a proxy, a CA file) must hand the call to botocore instead (None).
"""

from __future__ import annotations

import os
import socket
import sys
import urllib.request
from collections.abc import Iterator

import botocore.loaders
import botocore.session
import botocore.utils
import pytest
from botocore import UNSIGNED
from botocore.config import Config

from tests.conftest import Home
from tui.aws import clients
from tui.aws.endpoints import portal_endpoint, portal_route, standard_endpoint
from tui.aws.portal import Portal
from tui.aws.portal_http import PortalHttpClient
from tui.errors import ConfigError, ServiceError
from tui.models import SsoSession, Token
from tui.sim import Simulator

PLAIN_PARTITIONS = {"aws", "aws-cn", "aws-us-gov"}
# Everything in the environment that botocore reads for where and how to reach a service
ENDPOINT_VARS = (
    "AWS_ENDPOINT_URL",
    "AWS_ENDPOINT_URL_SSO",
    "AWS_USE_FIPS_ENDPOINT",
    "AWS_USE_DUALSTACK_ENDPOINT",
    "AWS_IGNORE_CONFIGURED_ENDPOINT_URLS",
    "AWS_CA_BUNDLE",
    "REQUESTS_CA_BUNDLE",
    "SSOTUI_PORTAL_CLIENT",
    "HTTP_PROXY",
    "HTTPS_PROXY",
    "ALL_PROXY",
    "NO_PROXY",
    "http_proxy",
    "https_proxy",
    "all_proxy",
    "no_proxy",
)


@pytest.fixture(autouse=True)
def clean_env(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """No endpoint, proxy or CA setting from the machine; clients built afresh."""
    for name in ENDPOINT_VARS:
        monkeypatch.delenv(name, raising=False)
    clients.clear_cache()
    yield
    clients.clear_cache()


SESSION_SECTION = "[sso-session dev]\nsso_start_url = https://x\nsso_region = {region}\n"


class _Sent(Exception):
    """Raised instead of sending: carries the URL botocore was about to call."""


def botocore_url(region: str, session: botocore.session.Session | None = None) -> str:
    """The URL of a Logout that botocore would send for `region` (nothing is sent)."""
    if session is None:  # as ssotui builds its botocore client, with this test's settings
        client = clients.sso_client(
            SsoSession(name="dev", start_url="https://x.awsapps.com/start", region=region),
            attempts=1,
        )
    else:
        client = session.create_client(
            "sso", region_name=region, config=Config(signature_version=UNSIGNED)
        )

    def stop(request: object, **_: object) -> None:
        raise _Sent(getattr(request, "url", ""))

    client.meta.events.register("before-send", stop, unique_id="test-endpoints-stop")
    try:
        client.logout(accessToken="t")
    except _Sent as sent:
        url = str(sent)
    finally:
        client.meta.events.unregister("before-send", unique_id="test-endpoints-stop")
        clients.clear_cache()
    assert url.endswith("/logout"), url
    return url.removesuffix("/logout")


def partitions() -> dict[str, list[str]]:
    """partition id -> the regions botocore knows in it."""
    data = botocore.loaders.Loader().load_data("partitions")
    return {p["id"]: list(p["regions"]) for p in data["partitions"]}


# --- the standard address ---------------------------------------------------------------------


def test_standard_endpoint_is_botocores_in_every_region_of_the_plain_partitions() -> None:
    session = botocore.session.Session()
    regions = [r for p in PLAIN_PARTITIONS for r in partitions()[p] if not r.endswith("-global")]
    # regions not yet in botocore's list, which its partition patterns (and ours) must cover
    regions += ["eu-south-9", "us-west-7", "ap-southeast-42", "mx-north-2", "il-west-3"]
    regions += ["cn-south-3", "us-gov-central-5"]
    assert len(regions) > 40
    wrong = {
        region: (standard_endpoint(region), botocore_url(region, session))
        for region in regions
        if standard_endpoint(region) != botocore_url(region, session)
    }
    assert wrong == {}


def test_other_partitions_and_odd_regions_are_left_to_botocore() -> None:
    others = [r for p, rs in partitions().items() if p not in PLAIN_PARTITIONS for r in rs]
    assert {"us-iso-east-1", "us-isob-east-1", "eu-isoe-west-1", "eusc-de-east-1"} <= set(others)
    others += ["us-iso-west-9", "eusc-de-west-3", "us-isof-north-4"]
    for region in others:
        assert standard_endpoint(region) is None, region
    for odd in ["aws-global", "moon-1", "US-EAST-1", "us-east-1.example.com", "us-east", ""]:
        assert standard_endpoint(odd) is None, odd


# --- what sends the call to botocore ------------------------------------------------------------


@pytest.mark.parametrize(
    ("env", "config"),
    [
        pytest.param({"SSOTUI_PORTAL_CLIENT": "botocore"}, "", id="SSOTUI_PORTAL_CLIENT"),
        pytest.param({"SSOTUI_PORTAL_CLIENT": " BotoCore "}, "", id="SSOTUI_PORTAL_CLIENT-case"),
        pytest.param({"HTTPS_PROXY": "http://proxy.example:3128"}, "", id="HTTPS_PROXY"),
        pytest.param({"https_proxy": "http://proxy.example:3128"}, "", id="https_proxy"),
        # urllib, which botocore asks, reads <scheme>_proxy in any case
        pytest.param({"Https_Proxy": "http://proxy.example:3128"}, "", id="Https_Proxy"),
        pytest.param({"AWS_USE_FIPS_ENDPOINT": "true"}, "", id="AWS_USE_FIPS_ENDPOINT"),
        pytest.param({"AWS_USE_DUALSTACK_ENDPOINT": "true"}, "", id="AWS_USE_DUALSTACK_ENDPOINT"),
        pytest.param(
            {"AWS_IGNORE_CONFIGURED_ENDPOINT_URLS": "true", "AWS_ENDPOINT_URL_SSO": "http://x"},
            "",
            id="AWS_IGNORE_CONFIGURED_ENDPOINT_URLS",
        ),
        pytest.param({}, "[profile p]\nendpoint_url = http://127.0.0.1:9\n", id="endpoint_url"),
        pytest.param({}, "[profile p]\nservices = s\n", id="services-key"),
        pytest.param({}, "[services s]\nsso =\n  endpoint_url = http://x\n", id="services-section"),
        pytest.param({}, "[default]\nca_bundle = /etc/corp-ca.pem\n", id="ca_bundle"),
        pytest.param({}, "[profile p]\nuse_fips_endpoint = true\n", id="use_fips_endpoint"),
        pytest.param({}, "[default]\nuse_dualstack_endpoint = true\n", id="use_dualstack"),
        pytest.param({}, "[default]\nignore_configured_endpoint_urls = true\n", id="ignore-config"),
        pytest.param({"AWS_ENDPOINT_URL_SSO": "ftp://127.0.0.1:9"}, "", id="ftp-override"),
        pytest.param({"AWS_ENDPOINT_URL": "http://127.0.0.1:9/?x=1"}, "", id="query-override"),
    ],
)
def test_settings_that_leave_the_portal_to_botocore(
    env: dict[str, str], config: str, home: Home, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert portal_endpoint("us-east-1", os.environ) is not None  # plain before the setting
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    home.write_config(SESSION_SECTION.format(region="us-east-1") + config)
    assert portal_endpoint("us-east-1", os.environ) is None
    session = SsoSession(name="dev", start_url="https://x", region="us-east-1")
    assert not isinstance(clients.portal_client(session, environ=os.environ), PortalHttpClient)


@pytest.mark.parametrize(
    ("env", "config", "expected"),
    [
        pytest.param({}, "", "https://portal.sso.eu-west-1.amazonaws.com", id="standard"),
        pytest.param(
            {},
            "[default]\nregion = us-east-2\noutput = json\n"
            "[profile x]\nsso_session = dev\nsso_account_id = 1\nsso_role_name = R\n",
            "https://portal.sso.eu-west-1.amazonaws.com",
            id="profiles-that-change-nothing",
        ),
        pytest.param(
            {"AWS_ENDPOINT_URL": "http://127.0.0.1:9/all"}, "", "http://127.0.0.1:9/all", id="all"
        ),
        pytest.param(
            {"AWS_ENDPOINT_URL_SSO": "http://127.0.0.1:9/sso", "AWS_ENDPOINT_URL": "http://x/"},
            "",
            "http://127.0.0.1:9/sso",
            id="sso-beats-all",
        ),
        pytest.param(
            {"AWS_ENDPOINT_URL_SSO": "", "AWS_ENDPOINT_URL": "http://127.0.0.1:9/all"},
            "",
            "http://127.0.0.1:9/all",
            id="empty-sso-override",
        ),
        pytest.param(
            {"AWS_ENDPOINT_URL_SSO": "https://portal.example:8443/"},
            "",
            "https://portal.example:8443/",
            id="https-with-port",
        ),
        pytest.param(
            {"SSOTUI_PORTAL_CLIENT": "direct", "NO_PROXY": "*"},
            "",
            "https://portal.sso.eu-west-1.amazonaws.com",
            id="other-SSOTUI_PORTAL_CLIENT",
        ),
        # proxies botocore would not use for the portal: it goes direct, and so does ssotui
        pytest.param(
            {"HTTP_PROXY": "http://proxy.example:3128"},
            "",
            "https://portal.sso.eu-west-1.amazonaws.com",
            id="HTTP_PROXY-for-https",
        ),
        pytest.param(
            {"ALL_PROXY": "socks5://proxy.example:1080"},
            "",
            "https://portal.sso.eu-west-1.amazonaws.com",
            id="ALL_PROXY",
        ),
        pytest.param(
            {"HTTPS_PROXY": "http://proxy.example:3128", "NO_PROXY": ".amazonaws.com"},
            "",
            "https://portal.sso.eu-west-1.amazonaws.com",
            id="NO_PROXY",
        ),
        pytest.param(
            {"HTTPS_PROXY": "http://proxy.example:3128", "https_proxy": ""},
            "",
            "https://portal.sso.eu-west-1.amazonaws.com",
            id="empty-https_proxy",
        ),
    ],
)
def test_plain_settings_give_the_url_botocore_would_call(
    env: dict[str, str],
    config: str,
    expected: str,
    home: Home,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    home.write_config(SESSION_SECTION.format(region="eu-west-1") + config)
    assert portal_endpoint("eu-west-1", os.environ) == expected
    assert botocore_url("eu-west-1") == expected.rstrip("/")
    scheme = expected.split(":", 1)[0]
    assert not botocore.utils.get_environ_proxies(expected).get(scheme)  # botocore: no proxy
    session = SsoSession(name="dev", start_url="https://x", region="eu-west-1")
    assert isinstance(clients.portal_client(session, environ=os.environ), PortalHttpClient)


@pytest.mark.parametrize("url", ["127.0.0.1:9", "http://", "portal.example/sso"])
def test_an_override_that_is_no_url_is_left_to_botocore(
    url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("AWS_ENDPOINT_URL_SSO", url)
    assert portal_endpoint("us-east-1", os.environ) is None


@pytest.mark.parametrize("url", ["127.0.0.1:9", "http://"])
def test_an_override_that_is_no_url_is_one_config_error_line(
    url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("AWS_ENDPOINT_URL_SSO", url)
    session = SsoSession(name="dev", start_url="https://x", region="us-east-1")
    with pytest.raises(ConfigError, match="Invalid endpoint"):
        clients.portal_client(session, environ=os.environ)


# --- settings botocore reads outside the config file and the AWS_ variables --------------------


@pytest.mark.parametrize(
    "line",
    [
        pytest.param("endpoint_url = http://127.0.0.1:9/elsewhere", id="endpoint_url"),
        pytest.param("use_fips_endpoint = true", id="use_fips_endpoint"),
        pytest.param("ca_bundle = /etc/corp-ca.pem", id="ca_bundle"),
    ],
)
def test_settings_in_the_shared_credentials_file_leave_the_portal_to_botocore(
    line: str, home: Home
) -> None:
    home.write_config(SESSION_SECTION.format(region="us-east-1"))
    home.aws_credentials.write_text(f"[default]\n{line}\n")
    setting, value = (part.strip() for part in line.split("=", 1))
    # botocore does read it: the call would go elsewhere, or be verified with another CA file
    if setting == "ca_bundle":
        assert botocore.session.Session().get_config_variable("ca_bundle") == value
    else:
        assert botocore_url("us-east-1") != "https://portal.sso.us-east-1.amazonaws.com"
    assert portal_endpoint("us-east-1", os.environ) is None


@pytest.mark.parametrize("platform", ["darwin", "win32"])
@pytest.mark.parametrize("bypassed", [False, True], ids=["proxied", "an-exception"])
def test_a_system_proxy_leaves_the_portal_to_botocore_where_botocore_would_use_it(
    platform: str, bypassed: bool, monkeypatch: pytest.MonkeyPatch
) -> None:
    # A Mac (or Windows machine) whose network settings name a proxy, with no *_PROXY variable:
    # there urllib.request reads the system's settings (_scproxy, the registry), and botocore
    # takes them, unless the settings' exceptions cover the portal.
    proxy = "http://proxy.corp.example:3128"
    get, bypass = {
        "darwin": ("getproxies_macosx_sysconf", "proxy_bypass_macosx_sysconf"),
        "win32": ("getproxies_registry", "proxy_bypass_registry"),
    }[platform]
    monkeypatch.setattr(sys, "platform", platform)
    monkeypatch.setattr(urllib.request, get, lambda: {"https": proxy}, raising=False)
    monkeypatch.setattr(urllib.request, bypass, lambda host: bypassed, raising=False)
    # botocore's getproxies and proxy_bypass there (no variable set: the system's functions)
    monkeypatch.setattr(botocore.utils, "getproxies", getattr(urllib.request, get))
    monkeypatch.setattr(botocore.utils, "proxy_bypass", getattr(urllib.request, bypass))
    url = "https://portal.sso.us-east-1.amazonaws.com"
    botocore_proxy = botocore.utils.get_environ_proxies(url).get("https")
    assert botocore_proxy == (None if bypassed else proxy)
    assert (portal_endpoint("us-east-1", os.environ) is None) == (botocore_proxy is not None)
    if not bypassed:
        assert portal_route("us-east-1", os.environ)[1] == "the system's proxy settings name one"


# --- end to end -------------------------------------------------------------------------------


def test_the_botocore_path_still_works_end_to_end(
    session: SsoSession, token: Token, sim: Simulator, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SSOTUI_PORTAL_CLIENT", "botocore")
    clients.clear_cache()
    portal = Portal(session, token, environ=os.environ)
    assert not isinstance(portal.client, PortalHttpClient)
    sim.reset_calls()
    assert sum(len(page) for page in portal.list_accounts()) == len(sim.org.accounts)
    assert sim.calls["ListAccounts"] == 1


def test_a_proxy_is_honoured_through_botocore(
    session: SsoSession, token: Token, sim: Simulator, monkeypatch: pytest.MonkeyPatch
) -> None:
    # HTTP_PROXY names a proxy that is not there: the direct client would ignore it and reach
    # the simulator; botocore tries the proxy and fails, unless NO_PROXY exempts the host.
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        nowhere = f"http://127.0.0.1:{probe.getsockname()[1]}"
    monkeypatch.setenv("HTTP_PROXY", nowhere)
    monkeypatch.setenv("HTTPS_PROXY", nowhere)
    portal = Portal(session, token, sleep=lambda _s: None, environ=os.environ)
    assert not isinstance(portal.client, PortalHttpClient)
    sim.reset_calls()
    with pytest.raises(ServiceError) as err:
        list(portal.list_accounts())
    assert sim.url in err.value.message and "\n" not in err.value.message
    assert "through the proxy" in err.value.message  # the proxy is named as the way that failed
    assert sim.calls["ListAccounts"] == 0

    monkeypatch.setenv("NO_PROXY", "127.0.0.1")
    clients.clear_cache()
    portal = Portal(session, token, environ=os.environ)
    assert sum(len(page) for page in portal.list_accounts()) == len(sim.org.accounts)
    assert sim.calls["ListAccounts"] == 1


def test_the_direct_client_is_used_for_the_simulator(
    session: SsoSession, token: Token, sim: Simulator
) -> None:
    portal = Portal(session, token, environ=os.environ)
    assert isinstance(portal.client, PortalHttpClient)
    assert portal.client.meta.endpoint_url == sim.url
    assert sum(len(page) for page in portal.list_accounts()) == len(sim.org.accounts)
