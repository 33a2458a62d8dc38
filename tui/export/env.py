"""The environment variables that carry role credentials to a shell, a command or an export.

`credential_env` is what `export` prints and `exec` adds; `child_env` is the whole environment
of a child process: the caller's, minus anything that would make an SDK pick other credentials
or another profile, plus `credential_env`. `endpoint_child_env` is the same child environment
for self-renewing credentials: the credential endpoint's two variables instead of static keys.
The `SSOTUI_*` marker values are the names passed through `tui.text.printable` (no control
character, no NUL).
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime

from tui.models import RoleCredentials
from tui.text import printable

# Variables that would point an SDK at other credentials, or that describe credentials which
# are no longer the ones in effect (left by aws-vault, a container or an earlier export).
STALE_VARS: tuple[str, ...] = (
    "AWS_PROFILE",
    "AWS_DEFAULT_PROFILE",
    "AWS_SECURITY_TOKEN",
    "AWS_SESSION_EXPIRATION",
    "AWS_ROLE_ARN",
    "AWS_ROLE_SESSION_NAME",
    "AWS_WEB_IDENTITY_TOKEN_FILE",
    "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI",
    "AWS_CONTAINER_CREDENTIALS_FULL_URI",
    "AWS_CONTAINER_AUTHORIZATION_TOKEN",
    "AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE",
    "AWS_VAULT",
)
# Whole families of such variables (a container's or a web identity's), present and future.
STALE_PREFIXES: tuple[str, ...] = ("AWS_CONTAINER_", "AWS_WEB_IDENTITY_")
# Set in the environment of a subshell or command that ssotui starts, never in `export` lines: a
# shell that evaluated those is not nested, though it has the other SSOTUI_* markers.
SUBSHELL_MARKER = "SSOTUI_SUBSHELL"
# The static keys: with the credential endpoint they must be absent, as SDKs prefer them.
STATIC_KEY_VARS: tuple[str, ...] = (
    "AWS_ACCESS_KEY_ID",
    "AWS_SECRET_ACCESS_KEY",
    "AWS_SESSION_TOKEN",
    "AWS_CREDENTIAL_EXPIRATION",
)


def iso_utc(moment: datetime) -> str:
    """`moment` as ISO 8601 UTC, `YYYY-MM-DDTHH:MM:SSZ` (a naive time is taken as UTC)."""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def marker_env(creds: RoleCredentials) -> dict[str, str]:
    """The region (when known) and the SSOTUI_* markers for prompts and nesting checks; no
    secret of `creds` is used."""
    env: dict[str, str] = {}
    if creds.region:
        env["AWS_REGION"] = creds.region
        env["AWS_DEFAULT_REGION"] = creds.region
    # Shell prompts print the markers: they get the names as a terminal may show them, which
    # also keeps out the NUL that no environment variable can hold. An account with no name
    # shows its id, as everywhere a person reads it: an empty marker would take the prompt
    # (`${SSOTUI_ACCOUNT_NAME:+...}`) away in a shell that holds credentials.
    env["SSOTUI_ACCOUNT_ID"] = printable(creds.account.account_id)
    env["SSOTUI_ACCOUNT_NAME"] = printable(creds.account.label)
    env["SSOTUI_ROLE_NAME"] = printable(creds.role_name)
    env["SSOTUI_SESSION"] = printable(creds.session_label)
    return env


def credential_env(creds: RoleCredentials) -> dict[str, str]:
    """The credential variables, in the order `aws configure export-credentials` prints them,
    then the region (when known) and the SSOTUI_* markers for prompts and nesting checks."""
    env = {
        "AWS_ACCESS_KEY_ID": creds.access_key_id,
        "AWS_SECRET_ACCESS_KEY": creds.secret_access_key,
        "AWS_SESSION_TOKEN": creds.session_token,
        "AWS_CREDENTIAL_EXPIRATION": iso_utc(creds.expiration),
    }
    env.update(marker_env(creds))
    return env


def _is_stale(name: str) -> bool:
    return name in STALE_VARS or name.startswith(STALE_PREFIXES)


def _without_stale(base: Mapping[str, str]) -> dict[str, str]:
    return {key: value for key, value in base.items() if not _is_stale(key)}


def child_env(creds: RoleCredentials, base: Mapping[str, str]) -> dict[str, str]:
    """`base` (the caller's environment) without stale AWS credential and profile
    variables, plus `credential_env(creds)` and `SUBSHELL_MARKER`."""
    env = _without_stale(base)
    env.update(credential_env(creds))
    env[SUBSHELL_MARKER] = "1"
    return env


def endpoint_child_env(
    endpoint: Mapping[str, str],
    creds: RoleCredentials,
    base: Mapping[str, str],
) -> dict[str, str]:
    """The child environment for self-renewing credentials: `base` (the caller's
    environment) without stale variables and without static keys, plus `endpoint` (the
    `AWS_CONTAINER_CREDENTIALS_FULL_URI` and `AWS_CONTAINER_AUTHORIZATION_TOKEN` of a running
    `tui.serve.CredentialEndpoint`) and the region and markers of `creds` (whose keys are not
    used: the child asks the endpoint for its keys)."""
    env = {key: value for key, value in _without_stale(base).items() if key not in STATIC_KEY_VARS}
    env.update(endpoint)
    env.update(marker_env(creds))
    env[SUBSHELL_MARKER] = "1"
    return env
