"""Credentials that an AWS SDK takes before those of the credential endpoint.

A child of `exec --renew` has no AWS_PROFILE, so its SDK reads the `default` profile, and
botocore's chain (like the other SDKs') tries that profile's keys, role, web identity, SSO and
credential_process before the container credentials the endpoint serves: with any of them the
child would run as someone else, without a word. `shadowing_setting` names such a setting so
that the subshell is refused before it starts.
"""

from __future__ import annotations

import configparser
from pathlib import Path
from typing import Any

# The settings of a profile that make a provider before botocore's ContainerProvider answer:
# shared credentials and config keys, assume-role, web identity, SSO, credential_process.
CREDENTIAL_SETTINGS: tuple[str, ...] = (
    "aws_access_key_id",
    "role_arn",
    "web_identity_token_file",
    "sso_account_id",
    "sso_role_name",
    "credential_process",
)


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
        found = next((key for key in CREDENTIAL_SETTINGS if profile.get(key)), None)
        if found is not None:
            return path, found
    return None
