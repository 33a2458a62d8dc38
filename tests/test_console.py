"""The AWS console's addresses (`tui.aws.console`): sign-in endpoint, console, bad usage.

The endpoint table follows AWS's list of AWS Sign-In endpoints per region; the console host
follows the partition. A request that cannot be right is refused (exit 2) before any credentials
are fetched, and nothing the user typed ever becomes part of a host name.
"""

from __future__ import annotations

import os

import pytest

from tui.aws.console import ConsoleRequest, console_home, signin_endpoint
from tui.errors import ConfigError, UsageError

# --- the addresses ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("region", "endpoint", "home"),
    [
        (
            "us-east-1",
            "https://signin.aws.amazon.com/federation",
            "https://us-east-1.console.aws.amazon.com/console/home?region=us-east-1",
        ),
        (
            None,
            "https://signin.aws.amazon.com/federation",
            "https://console.aws.amazon.com/console/home",
        ),
        (
            "eu-west-1",
            "https://eu-west-1.signin.aws.amazon.com/federation",
            "https://eu-west-1.console.aws.amazon.com/console/home?region=eu-west-1",
        ),
        (
            "us-gov-west-1",
            "https://signin.amazonaws-us-gov.com/federation",
            "https://us-gov-west-1.console.amazonaws-us-gov.com/console/home?region=us-gov-west-1",
        ),
        (
            "us-gov-east-1",
            "https://us-gov-east-1.signin.amazonaws-us-gov.com/federation",
            "https://us-gov-east-1.console.amazonaws-us-gov.com/console/home?region=us-gov-east-1",
        ),
        (
            "cn-north-1",
            "https://signin.amazonaws.cn/federation",
            "https://cn-north-1.console.amazonaws.cn/console/home?region=cn-north-1",
        ),
        (
            "cn-northwest-1",
            "https://signin.amazonaws.cn/federation",
            "https://cn-northwest-1.console.amazonaws.cn/console/home?region=cn-northwest-1",
        ),
    ],
)
def test_the_endpoint_and_console_follow_the_partition(
    region: str | None, endpoint: str, home: str
) -> None:
    assert signin_endpoint(region, {}) == endpoint
    assert console_home(region) == home
    assert ConsoleRequest(region).target == home


def test_the_service_names_the_console_page() -> None:
    assert ConsoleRequest("eu-west-1", service="S3").target == (
        "https://eu-west-1.console.aws.amazon.com/s3/home?region=eu-west-1"
    )
    assert ConsoleRequest("us-east-2", service="codesuite/codebuild").target == (
        "https://us-east-2.console.aws.amazon.com/codesuite/codebuild/home?region=us-east-2"
    )
    given = "https://eu-west-1.console.aws.amazon.com/lambda/home#/functions?x=1&y=%20"
    assert ConsoleRequest("eu-west-1", destination=given).target == given


@pytest.mark.parametrize(
    ("environ", "endpoint"),
    [
        pytest.param(
            {"AWS_ENDPOINT_URL_SIGNIN": "http://127.0.0.1:9"},
            "http://127.0.0.1:9/federation",
            id="base-url",
        ),
        pytest.param(
            {"AWS_ENDPOINT_URL_SIGNIN": "https://signin.example:8443/prefix/"},
            "https://signin.example:8443/prefix/federation",
            id="with-path",
        ),
        pytest.param(
            {"AWS_ENDPOINT_URL_SIGNIN": "", "AWS_ENDPOINT_URL": "http://127.0.0.1:9"},
            "https://eu-west-1.signin.aws.amazon.com/federation",
            id="empty-and-the-global-variable",
        ),
        pytest.param(
            {
                "AWS_ENDPOINT_URL_SIGNIN": "http://127.0.0.1:9",
                "AWS_IGNORE_CONFIGURED_ENDPOINT_URLS": "true",
            },
            "https://eu-west-1.signin.aws.amazon.com/federation",
            id="ignored",
        ),
    ],
)
def test_aws_endpoint_url_signin_overrides_the_endpoint(
    environ: dict[str, str], endpoint: str
) -> None:
    assert signin_endpoint("eu-west-1", environ) == endpoint


def test_the_environment_is_the_one_handed_in(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AWS_ENDPOINT_URL_SIGNIN", "http://127.0.0.1:9")
    assert signin_endpoint("eu-west-1", {}) == "https://eu-west-1.signin.aws.amazon.com/federation"
    assert signin_endpoint("eu-west-1", os.environ) == "http://127.0.0.1:9/federation"


@pytest.mark.parametrize(
    ("value", "shown"),
    [
        ("ftp://127.0.0.1:9", None),
        ("http://127.0.0.1:9/?x=1", None),
        ("127.0.0.1", None),
        # urlsplit raised ValueError for these: "unexpected error (ValueError)"
        ("https://[::1", None),
        ("https://signin.example:99999", None),
        ("https://signin.example:443x", None),
        # went on to the network, and came back as "the connection ... broke: try again"
        ("https://signin.example/a b", None),
        ("https://signin.example/\x1b[2Jx", "https://signin.example/ [2Jx"),
    ],
)
def test_a_bad_endpoint_override_is_one_line(value: str, shown: str | None) -> None:
    with pytest.raises(ConfigError) as err:
        signin_endpoint("eu-west-1", {"AWS_ENDPOINT_URL_SIGNIN": value})
    assert err.value.message == (
        f"AWS_ENDPOINT_URL_SIGNIN is '{shown or value}', not an http(s) base URL: fix or unset it"
    )


def test_a_region_outside_the_known_partitions_is_one_line() -> None:
    with pytest.raises(ConfigError) as err:
        signin_endpoint("us-iso-east-1", {})
    assert err.value.message == (
        "ssotui knows no sign-in endpoint for region us-iso-east-1 (outside the commercial, "
        "China and GovCloud partitions): set AWS_ENDPOINT_URL_SIGNIN"
    )
    with pytest.raises(ConfigError, match="give --destination URL"):
        ConsoleRequest("us-iso-east-1")
    # with a destination and an endpoint named, it is usable
    request = ConsoleRequest("us-iso-east-1", destination="https://console.example/")
    assert signin_endpoint(request.region, {"AWS_ENDPOINT_URL_SIGNIN": "https://s.example"})


@pytest.mark.parametrize(
    "region",
    [
        "evil.example/x?",
        "EU-WEST-1",
        "eu-west-1.attacker.example",
        "eu-west-1\n",  # was taken: the host became "eu-west-1\n.console.aws.amazon.com"
        "us-gov-west-1\n",
    ],
)
def test_a_region_that_is_no_region_name_never_becomes_a_host(region: str) -> None:
    with pytest.raises(UsageError) as err:
        ConsoleRequest(region)
    assert err.value.exit_code == 2
    assert "is not an AWS region name" in err.value.message
    with pytest.raises(UsageError):
        signin_endpoint(region, {})


# --- bad usage: exit 2, before any call -----------------------------------------------------


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        pytest.param(
            {"destination": "http://eu-west-1.console.aws.amazon.com/s3"},
            "--destination must be an https:// URL, not 'http://eu-west-1.console.aws.amazon.com/s3'",
            id="http-destination",
        ),
        pytest.param(
            {"destination": "console.aws.amazon.com/s3"},
            "--destination must be an https:// URL, not 'console.aws.amazon.com/s3'",
            id="no-scheme",
        ),
        pytest.param(
            {"destination": "javascript:alert(1)"},
            "--destination must be an https:// URL, not 'javascript:alert(1)'",
            id="javascript",
        ),
        pytest.param(
            {"destination": "https://console.aws.amazon.com/s3\nx"},
            "--destination must be an https:// URL, not 'https://console.aws.amazon.com/s3 x'",
            id="control-character",
        ),
        # urlsplit raises ValueError for these: they were "unexpected error (ValueError)"
        pytest.param(
            {"destination": "https://[::1/s3"},
            "--destination must be an https:// URL, not 'https://[::1/s3'",
            id="unclosed-bracket",
        ),
        pytest.param(
            {"destination": "https://console\x1b[31m.aws.amazon.com/"},
            "--destination must be an https:// URL, not 'https://console [31m.aws.amazon.com/'",
            id="escape-sequence",
        ),
        pytest.param(
            {"destination": "https://console.aws.amazon.com:70000/s3"},
            "--destination must be an https:// URL, not 'https://console.aws.amazon.com:70000/s3'",
            id="port-out-of-range",
        ),
        pytest.param(
            {"service": "s3?region=x"},
            "--service 's3?region=x' is not a console service path (like s3, ec2 or "
            "systems-manager): for a full address use --destination URL",
            id="service-with-query",
        ),
        pytest.param(
            {"service": "https://evil.example"},
            "--service 'https://evil.example' is not a console service path (like s3, ec2 or "
            "systems-manager): for a full address use --destination URL",
            id="service-url",
        ),
        pytest.param(
            {"service": "../../evil"},
            "--service '../../evil' is not a console service path (like s3, ec2 or "
            "systems-manager): for a full address use --destination URL",
            id="service-dot-dot",
        ),
        pytest.param(
            {"service": "s3", "destination": "https://console.aws.amazon.com/"},
            "give --service or --destination, not both",
            id="both",
        ),
        pytest.param(
            {"duration": 899},
            "--duration must be between 900 and 43200 seconds (15 minutes to 12 hours), not 899",
            id="duration-too-short",
        ),
        pytest.param(
            {"duration": 43201},
            "--duration must be between 900 and 43200 seconds (15 minutes to 12 hours), not 43201",
            id="duration-too-long",
        ),
    ],
)
def test_bad_usage_is_one_line_exit_2(kwargs: dict[str, object], message: str) -> None:
    with pytest.raises(UsageError) as err:
        ConsoleRequest("eu-west-1", **kwargs)  # type: ignore[arg-type]
    assert err.value.message == message
    assert err.value.exit_code == 2


@pytest.mark.parametrize("duration", [900, 43200])
def test_the_duration_range_is_inclusive(duration: int) -> None:
    assert ConsoleRequest("eu-west-1", duration=duration).duration == duration
