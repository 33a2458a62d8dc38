"""Validation for first-run set-up: a start URL, a real SSO region, a session name.

Each check returns None when the value is good, else one line saying what is wrong.
"""

from __future__ import annotations

import re
from functools import cache
from pathlib import Path
from urllib.parse import urlparse

from tui.errors import ConfigError
from tui.models import SsoSession
from tui.paths import Paths

# What botocore reads back from `[sso-session NAME]` and the JavaScript SDK v3 reads at all (its
# section names are `[\w\-@+.%:/]`, ASCII; `=` or `,` in one makes it "not found" there).
_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.@+-]*")


@cache
def sso_regions() -> tuple[str, ...]:
    """The regions where IAM Identity Center's OIDC service exists, from botocore's data.

    Read from botocore's endpoint data alone, not through a botocore session: a session parses
    the user's AWS config, and `configure` must still answer (with one line) when that is
    malformed."""
    import botocore.loaders
    import botocore.regions

    resolver = botocore.regions.EndpointResolver(
        botocore.loaders.create_loader().load_data("endpoints")
    )
    regions: set[str] = set()
    for partition in resolver.get_available_partitions():
        # "oidc" is the endpoint prefix of the sso-oidc service
        regions.update(resolver.get_available_endpoints("oidc", partition))
    return tuple(sorted(regions))


def with_scheme(url: str) -> str:
    """A start URL typed without its scheme (`acme.awsapps.com/start`) gets `https://`; what
    does not start with a host name (no dot before the first `/`) is left to be refused."""
    url = url.strip()
    if "://" not in url and "." in url.split("/", 1)[0]:
        return "https://" + url
    return url


def check_start_url(url: str) -> str | None:
    """A start URL must be an absolute http(s) URL."""
    parts = urlparse(url)
    if parts.scheme not in ("https", "http") or not parts.netloc:
        return f"{url!r} is not a start URL; it looks like https://my-org.awsapps.com/start"
    if any(c.isspace() for c in url):
        return "a start URL has no spaces"
    if any("\ud800" <= c <= "\udfff" for c in url):  # a byte that was not UTF-8
        return f"{url!r} is not a start URL: it holds a byte that is not UTF-8"
    return None


def check_region(region: str) -> str | None:
    """The SSO region must be one Identity Center runs in."""
    regions = sso_regions()
    if region in regions:
        return None
    # a region with more around it ("eu-west-1 ; Ireland", "EU-West-1") or a typo: that one,
    # rather than a list of every region wrapped over the screen
    import difflib

    words = re.findall(r"[a-z0-9-]+", region.lower())
    meant = [w for w in words if w in regions][:1] or difflib.get_close_matches(
        region.strip().lower(), regions, n=2, cutoff=0.85
    )
    if meant:
        return (
            f"{region!r} is not an IAM Identity Center region; did you mean {' or '.join(meant)}?"
        )
    return f"{region!r} is not an IAM Identity Center region; one of: {', '.join(regions)}"


def check_session_name(name: str) -> str | None:
    """A session name must read back as the same `[sso-session NAME]` header."""
    if _NAME.fullmatch(name):
        return None
    return f"{name!r} is not a usable session name: ASCII letters, digits and _.@+- only"


def set_up_session(paths: Paths, name: str, start_url: str, region: str) -> tuple[SsoSession, Path]:
    """Write `[sso-session NAME]` to `paths`' AWS config file and read it back as every command
    will, so what is used is what was saved: (the session, the file)."""
    from tui.aws.sessions import load_sessions
    from tui.export.aws_config import write_sso_session
    from tui.workspace.aws_files import config_file_to_write

    # Refused in one line, before anything is written, when neither the AWS CLI nor ssotui
    # could read the new section back (a file botocore cannot parse, AWS_CONFIG_FILE empty).
    path = write_sso_session(paths, name, start_url, region, path=config_file_to_write(paths))
    session = next((s for s in load_sessions(paths, path) if s.name == name), None)
    if session is None:
        raise ConfigError(f"[sso-session {name}] was written to {path} but does not read back")
    return session, path
