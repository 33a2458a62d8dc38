"""The CA file botocore verifies TLS with, with where the user named it.

botocore takes `AWS_CA_BUNDLE`, then `ca_bundle` in the profile it reads (`AWS_DEFAULT_PROFILE`,
`AWS_PROFILE`, else `[default]`; the shared credentials file's section of that name overrides
the config file's), then `REQUESTS_CA_BUNDLE`, else its default bundle. The paths that do not
go through botocore (console sign-in) verify with the same file, and a failed TLS check of a
botocore call names the setting when that file cannot be used. The direct portal client is
never used with a `ca_bundle` setting (`tui.aws.endpoints`), so it reads only the variables
(`tui.aws.portal_http.named_ca_file`), without parsing the files on every call.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from typing import Any

from tui import paths
from tui.aws.sessions import config_sections, profile_map
from tui.errors import ConfigError


def _profile_setting(environ: Mapping[str, str]) -> tuple[str, str] | None:
    """(where, path) of `ca_bundle` in the profile botocore reads, or None."""
    try:
        config = profile_map(config_sections(paths.aws_config_file(environ))).get("profiles", {})
        credentials = config_sections(paths.aws_credentials_file(environ))
    except ConfigError:
        return None  # botocore cannot read it either: the call fails before TLS
    wanted = environ.get("AWS_DEFAULT_PROFILE") or environ.get("AWS_PROFILE") or "default"
    if wanted not in config and wanted not in credentials:
        wanted = "default"  # ssotui's botocore session falls back to no profile at all
    in_config = "default" if wanted == "default" else f"profile {wanted}"
    found: list[tuple[str, dict[str, Any]]] = [
        (f"[{wanted}] of the shared credentials file", credentials.get(wanted, {})),
        (f"[{in_config}] of the AWS config file", config.get(wanted, {})),
    ]
    for where, values in found:
        value = values.get("ca_bundle")
        if isinstance(value, str) and value:
            return f"ca_bundle in {where}", value
    return None


def configured_ca_file(environ: Mapping[str, str] | None = None) -> tuple[str, str] | None:
    """(where the user named it, path) of the CA file botocore would verify with, in botocore's
    order; None for its default bundle. `environ`: the environment (default: this process's)."""
    env = os.environ if environ is None else environ
    if env.get("AWS_CA_BUNDLE"):
        return "AWS_CA_BUNDLE", env["AWS_CA_BUNDLE"]
    in_profile = _profile_setting(env)
    if in_profile is not None:
        return in_profile
    if env.get("REQUESTS_CA_BUNDLE"):
        return "REQUESTS_CA_BUNDLE", env["REQUESTS_CA_BUNDLE"]
    return None


def usable(path: str) -> bool:
    """True when `path` is a CA file (PEM) TLS can verify with (botocore takes no folder)."""
    import ssl

    try:
        ssl.create_default_context(cafile=path)
    except (OSError, ValueError):  # missing, unreadable or not PEM
        return False
    return True
