"""Credentials that an AWS SDK takes before those of the credential endpoint.

A child of `exec --renew` has no AWS_PROFILE, so its SDK reads the `default` profile, and
botocore's chain (like the other SDKs') tries that profile's keys, role, web identity, SSO and
credential_process before the container credentials the endpoint serves: with any of them the
child would run as someone else, without a word. `shadowing_setting` names such a setting so
that the subshell is refused before it starts.

The SDKs differ on SSO: botocore takes a profile for SSO only with `sso_account_id` or
`sso_role_name`, but the JavaScript SDK v3 takes one with any `sso_*` setting and the Go SDK v2
(Terraform) one with `sso_start_url`, `sso_region` (or, newer, `sso_session`), and both then stop
there with an error when the rest is missing: a `[default]` with only `sso_session = corp` (so
that `aws sso login` needs no `--profile`) ends their chain before the endpoint. So does
`login_session` (`aws login`), which botocore takes too.
"""

from __future__ import annotations

import configparser
from pathlib import Path
from typing import Any

# The settings of a profile that make a provider before botocore's ContainerProvider answer:
# shared credentials and config keys, assume-role, web identity, SSO, credential_process,
# `aws login`'s session.
CREDENTIAL_SETTINGS: tuple[str, ...] = (
    "aws_access_key_id",
    "role_arn",
    "web_identity_token_file",
    "sso_account_id",
    "sso_role_name",
    "credential_process",
    "login_session",
)
# The settings at which the JavaScript and Go SDKs stop, and botocore does not.
STRICTER_SDKS_SETTINGS: tuple[str, ...] = ("sso_session", "sso_start_url", "sso_region")


def _default_profile(path: Path, *, config_file: bool) -> dict[str, Any]:
    """The `default` profile of `path` as botocore reads it (empty when it cannot)."""
    import botocore.exceptions  # here: only `exec --renew` asks, and botocore costs ~7 ms
    from botocore.configloader import load_config, raw_config_parse

    try:
        if config_file:
            profiles: dict[str, Any] = load_config(str(path)).get("profiles", {})
            return dict(profiles.get("default", {}))
        return dict(raw_config_parse(str(path)).get("default", {}))
    except (botocore.exceptions.BotoCoreError, configparser.Error, OSError, UnicodeError):
        return {}  # no file, or one the child's SDK cannot read either


def shadowing_setting(config_file: Path, credentials_file: Path) -> tuple[Path, str] | None:
    """The file and setting of the `default` profile that an SDK would use before the
    credential endpoint (`(credentials file, "aws_access_key_id")`), or None."""
    for path, is_config in ((credentials_file, False), (config_file, True)):
        profile = _default_profile(path, config_file=is_config)
        settings = CREDENTIAL_SETTINGS + STRICTER_SDKS_SETTINGS
        found = next((key for key in settings if profile.get(key)), None)
        if found is not None:
            return path, found
    return None
