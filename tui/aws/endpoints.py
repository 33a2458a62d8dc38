"""Where the SSO portal is, worked out without botocore when the settings are plain.

botocore takes about 0.3 s to import and set up a client; ssotui's direct portal client
(`tui.aws.portal_http`) needs only the URL. This module gives it, following the AWS SDKs'
order: `AWS_ENDPOINT_URL_SSO`, then `AWS_ENDPOINT_URL`, then the standard address of the
region's partition, `https://portal.sso.{region}.{dns suffix}`, as botocore's endpoint rules
build it (tests/test_endpoints.py checks every region botocore knows).

It answers None, leaving everything to botocore, whenever a setting could make the answer
differ in a way not modelled here: a proxy botocore would go through to that address
(`tui.aws.proxies`: the variables, else on macOS and Windows the system's settings), FIPS or
dual-stack endpoints, any endpoint or CA setting in the AWS config or credentials file, a
region outside the commercial, China and GovCloud partitions, or
`SSOTUI_PORTAL_CLIENT=botocore`.

botocore reads this process's environment itself; the prediction here is made from the
environment the caller hands in, the process's snapshot (`Context.environ`), so both agree.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from urllib.parse import urlsplit

from tui.aws.proxies import SYSTEM, chosen_proxy
from tui.aws.session_choice import profile_in
from tui.aws.sessions import config_sections, profile_map
from tui.errors import ConfigError
from tui.paths import Paths

CHOICE_VAR = "SSOTUI_PORTAL_CLIENT"  # "botocore" always uses botocore; anything else: auto

# (region pattern, DNS suffix) of the partitions whose portal address is the plain one
_PARTITIONS = (
    (re.compile(r"^(us|eu|ap|sa|ca|me|af|il|mx)-\w+-\d+$"), "amazonaws.com"),
    (re.compile(r"^cn-\w+-\d+$"), "amazonaws.com.cn"),
    (re.compile(r"^us-gov-\w+-\d+$"), "amazonaws.com"),
)
# Environment variables with which botocore would reach the portal some other way
_BOTOCORE_ENV = (
    "AWS_USE_FIPS_ENDPOINT",
    "AWS_USE_DUALSTACK_ENDPOINT",
    "AWS_IGNORE_CONFIGURED_ENDPOINT_URLS",
)
# Settings in the AWS config (or credentials) file that change the endpoint or how it is reached
_BOTOCORE_SETTINGS = {
    "endpoint_url",
    "services",
    "use_fips_endpoint",
    "use_dualstack_endpoint",
    "ignore_configured_endpoint_urls",
    "ca_bundle",
}


def standard_endpoint(region: str) -> str | None:
    """The portal's address in `region` with no override, or None outside the known partitions."""
    for pattern, suffix in _PARTITIONS:
        if pattern.match(region):
            return f"https://portal.sso.{region}.{suffix}"
    return None


def _plain_url(url: str) -> str | None:
    parts = urlsplit(url.strip())
    if parts.scheme not in {"http", "https"} or not parts.hostname or parts.query:
        return None
    return url.strip()


def _file_setting(environ: Mapping[str, str]) -> str | None:
    """What in the AWS config or credentials file (those `environ` names) would change how
    botocore reaches the portal (botocore merges the credentials file's profiles into the
    config's). Each file is parsed once while it is unchanged (`config_sections`)."""
    paths = Paths.from_environ(environ)  # the files botocore reads in `environ`
    files = (
        ("AWS config file", paths.aws_config_file),
        ("shared credentials file", paths.aws_credentials_file),
    )
    for what, path in files:
        try:
            sections = config_sections(paths, path)
        except ConfigError:
            return f"a {what} ssotui cannot read"
        for name, values in sections.items():
            if name.startswith("services "):
                return f"the {what} has [{name}]"
            found = sorted(_BOTOCORE_SETTINGS & set(values))
            if found:
                return f"the {what} has `{found[0]}` in [{name}]"
    return None


def portal_route(region: str, environ: Mapping[str, str]) -> tuple[str | None, str]:
    """(URL for the direct client or None for botocore, why) under `environ` — `ssotui doctor`
    shows the why."""
    if environ.get(CHOICE_VAR, "").strip().lower() == "botocore":
        return None, f"{CHOICE_VAR}=botocore"
    for name in _BOTOCORE_ENV:
        if environ.get(name):
            return None, f"{name} is set"
    reason = _file_setting(environ)
    if reason:
        return None, reason
    url, why = _address(region, environ)
    if url is None:
        return None, why
    proxy = chosen_proxy(url, environ)  # botocore's choice: it alone goes through one
    if proxy is not None:
        return None, f"{proxy.setting} is set" if proxy.setting != SYSTEM else f"{SYSTEM} name one"
    return url, why


def _address(region: str, environ: Mapping[str, str]) -> tuple[str | None, str]:
    """(the portal's address, or None, and where it comes from) as the SDKs work it out."""
    for name in ("AWS_ENDPOINT_URL_SSO", "AWS_ENDPOINT_URL"):
        override = environ.get(name)
        if override:
            url = _plain_url(override)
            return url, f"from {name}" if url else f"{name} is not a plain http(s) URL"
    url = standard_endpoint(region)
    if url is None:
        return None, f"region {region} is outside the commercial, China and GovCloud partitions"
    return url, f"the standard address of {region}"


def portal_endpoint(region: str, environ: Mapping[str, str]) -> str | None:
    """The portal URL for the direct client under `environ`, or None when botocore should make
    the calls."""
    return portal_route(region, environ)[0]


def _services_unread(environ: Mapping[str, str], profile: Mapping[str, object]) -> bool:
    """True when botocore looks at no `[services]` section for SSO under `environ` and the
    profile's values: endpoint variables for both services, or configured endpoints ignored."""
    ignored = environ.get("AWS_IGNORE_CONFIGURED_ENDPOINT_URLS")
    if ignored is None:
        ignored = str(profile.get("ignore_configured_endpoint_urls", ""))
    if ignored.strip().lower() == "true":
        return True
    return bool(environ.get("AWS_ENDPOINT_URL")) or all(
        environ.get(f"AWS_ENDPOINT_URL_{service}") for service in ("SSO", "SSO_OIDC")
    )


def services_slips(environ: Mapping[str, str]) -> list[tuple[bool, str]]:
    """What is wrong with the `[services]` section that the profile botocore uses (`AWS_PROFILE`,
    else `default`, as ssotui's botocore clients take it) names, one (fatal, line) each: a
    section that is not there (botocore then makes no client at all), or a key of it spelt
    with `-`, which botocore never reads (it looks services up as `sso`, `sso_oidc`). Empty
    when there is nothing to say or the file cannot be read (doctor says that already)."""
    paths = Paths.from_environ(environ)
    path = paths.aws_config_file
    try:
        grouped = profile_map(config_sections(paths, path))
        # botocore's profiles are those of both files (the credentials file's have no prefix)
        known = {*grouped["profiles"], *config_sections(paths, paths.aws_credentials_file)}
    except ConfigError:
        return []
    profiles = grouped["profiles"]
    profile = profile_in(environ)
    if profile is None or profile not in known:
        profile = "default"  # ssotui's clients drop a profile that is not there
    values = profiles.get(profile, {})
    name = values.get("services")
    if not isinstance(name, str) or _services_unread(environ, values):
        return []
    section = grouped["services"].get(name)
    header = "[default]" if profile == "default" else f"[profile {profile}]"
    if section is None:
        return [
            (
                True,
                f"{header} in {path} has services = {name}, but there is no [services {name}] "
                "section (botocore makes no client then): add it, or fix services",
            )
        ]
    return [
        (
            False,
            f"[services {name}] in {path} has `{key}`, which botocore never reads: write "
            f"{key.replace('-', '_')}",
        )
        for key in section
        if "-" in key
    ]
