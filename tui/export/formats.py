"""Credentials as text for a shell to evaluate, or as `credential_process` JSON.

The line formats are those of `aws configure export-credentials`: sh `export K=V`, fish
`set -gx K "V"`, PowerShell `$Env:K="V"`, json the `credential_process` object. The line
formats first unset what the subshell also removes (`UNSET_VARS`: a profile that would win over
the keys in AWS SDKs, a stale boto2 token): sh `unset`, fish `set -e`, PowerShell
`Remove-Item Env:`. Values are
quoted for their shell only where needed, so an account name with spaces, quotes, `$`, or
unicode arrives intact after `eval "$(ssotui export ...)"` (sh) or `... | source` (fish),
while plain keys print exactly as the AWS CLI prints them.
"""

from __future__ import annotations

import json
import re
import shlex
import sys
from collections.abc import Callable

from tui.errors import UsageError
from tui.export.env import credential_env, iso_utc
from tui.models import RoleCredentials

FORMATS: tuple[str, ...] = ("sh", "fish", "powershell", "json")
# Unset before the keys are set: with AWS_PROFILE set, botocore ignores keys in the environment.
STALE_TOKEN = "AWS_SECURITY_TOKEN"  # boto2's name for the session token, read first by botocore
UNSET_VARS: tuple[str, ...] = ("AWS_PROFILE", "AWS_DEFAULT_PROFILE", STALE_TOKEN)

# PowerShell also ends a double-quoted string at the typographic double quotes.
_POWERSHELL_SPECIAL = frozenset('`$"\u201c\u201d\u201e')


def quote_fish(value: str) -> str:
    """`value` inside fish double quotes: only `\\`, `"` and `$` are special there."""
    escaped = value.replace("\\", "\\\\").replace('"', '\\"').replace("$", "\\$")
    return f'"{escaped}"'


def quote_powershell(value: str) -> str:
    """`value` inside PowerShell double quotes: the backtick escapes `` ` ``, `$` and quotes."""
    escaped = "".join(f"`{c}" if c in _POWERSHELL_SPECIAL else c for c in value)
    return f'"{escaped}"'


def _lines(creds: RoleCredentials, line: Callable[[str, str], str]) -> str:
    return "".join(line(key, value) + "\n" for key, value in credential_env(creds).items())


def render(creds: RoleCredentials, fmt: str) -> str:
    """The credentials in format `fmt` (sh, fish, powershell or json), ending in a newline."""
    if fmt == "sh":
        unset = f"unset {' '.join(UNSET_VARS)}\n"
        return unset + _lines(creds, lambda k, v: f"export {k}={shlex.quote(v)}")
    if fmt == "fish":
        # `-g`: a universal profile variable is the user's lasting setting, shared by every fish
        # session (a bare `set -e` erased it for good), and the keys below come before it in
        # botocore's chain; a universal AWS_SECURITY_TOKEN is erased too, as botocore reads it
        # before AWS_SESSION_TOKEN. `; or true`: erasing what is not set fails, which would
        # leave `... | source` failing.
        unset = "".join(f"set -e -g {name}; or true\n" for name in UNSET_VARS)
        unset += f"set -e -U {STALE_TOKEN}; or true\n"
        return unset + _lines(creds, lambda k, v: f"set -gx {k} {quote_fish(v)}")
    if fmt == "powershell":
        unset = "".join(
            f"Remove-Item Env:{name} -ErrorAction SilentlyContinue\n" for name in UNSET_VARS
        )
        return unset + _lines(creds, lambda k, v: f"$Env:{k}={quote_powershell(v)}")
    if fmt == "json":
        return credential_process_json(creds)
    raise UsageError(f"unknown format {fmt!r}: choose one of {', '.join(FORMATS)}")


def credential_process_json(creds: RoleCredentials) -> str:
    """The object `credential_process` expects (Version 1), as the AWS CLI prints it."""
    payload = {
        "Version": 1,
        "AccessKeyId": creds.access_key_id,
        "SecretAccessKey": creds.secret_access_key,
        "SessionToken": creds.session_token,
        "Expiration": iso_utc(creds.expiration),
    }
    return json.dumps(payload, indent=2, separators=(",", ": ")) + "\n"


def default_format(shell: str | None) -> str:
    """The format for the user's shell: from the basename of `shell` (the caller's `$SHELL`;
    None when it has none)."""
    value = shell or ""
    name = re.split(r"[\\/]", value.rstrip("/\\"))[-1].lower().removesuffix(".exe")
    if name == "fish":
        return "fish"
    if name.startswith(("pwsh", "powershell")):
        return "powershell"
    if not name and sys.platform == "win32":
        return "powershell"
    return "sh"
