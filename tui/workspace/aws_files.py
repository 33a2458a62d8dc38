"""The AWS config and shared credentials files, checked before ssotui adds to them or takes
its profiles out.

ssotui writes only what the AWS CLI and the SDKs will read back: a file botocore cannot parse is
left as it is, and nothing is written while the variable that names the file is set but empty
(botocore then reads no such file at all). Each refusal is one line (ConfigError) that says so.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

from tui.errors import ConfigError
from tui.paths import CONFIG_VARIABLE, CREDENTIALS_VARIABLE, Paths


def config_file_to_write(paths: Paths) -> Path:
    """`paths`' AWS config file, checked: ConfigError when nothing should be written to it."""
    return _checked(
        paths, "AWS config file", CONFIG_VARIABLE, "~/.aws/config", paths.aws_config_file
    )


def credentials_file_to_write(paths: Paths) -> Path:
    """`paths`' shared credentials file, checked: ConfigError when nothing should be written
    to it."""
    return _checked(
        paths,
        "shared credentials file",
        CREDENTIALS_VARIABLE,
        "~/.aws/credentials",
        paths.aws_credentials_file,
    )


def credentials_file_to_purge(paths: Paths) -> Path:
    """`paths`' shared credentials file, for taking ssotui's profiles out of it: ConfigError
    when it is a folder (botocore reads no profile from a folder, so none can be taken out of
    it)."""
    from tui.aws.sessions import folder_line

    path = paths.aws_credentials_file
    if path.is_dir():  # through a symlink too: botocore follows it and reads nothing either
        raise ConfigError(folder_line(paths, path, "shared credentials file"))
    return path


def _checked(paths: Paths, what: str, variable: str, default: str, path: Path) -> Path:
    from tui.aws.sessions import config_sections

    unset = paths.config_unset if variable == CONFIG_VARIABLE else paths.credentials_unset
    if unset:
        raise ConfigError(
            f"{variable} is set but empty, so the AWS CLI and SDKs read no {what} and would not "
            f"see what ssotui wrote there; nothing was written: unset it to use {default}, or "
            "set it to a file"
        )
    # A file botocore cannot parse is refused (one line naming it and what is wrong) before
    # anything is added to it: no SDK could read the new section from it.
    config_sections(paths, path, what=what)
    return path


# What in a config file profile botocore's credential chain takes before the shared credentials
# file's keys of the same name (assume-role, web identity, then SSO come first), as a phrase.
_AHEAD_OF_KEYS = (
    ("role_arn", "a role to assume (role_arn)"),
    ("web_identity_token_file", "a web identity (web_identity_token_file)"),
)


def _ahead_of_keys(profile: Mapping[str, object], account_id: str, role: str) -> str | None:
    """What of `profile` botocore takes before the keys of role `role` in `account_id`."""
    what = next((phrase for key, phrase in _AHEAD_OF_KEYS if key in profile), None)
    sso = [profile.get(key) for key in ("sso_account_id", "sso_role_name")]
    if what is None and sso != [None, None] and sso != [account_id, role]:
        what = f"the SSO role {sso[1] or '?'} of account {sso[0] or '?'}"
    return what


def shadowing_profile(
    paths: Paths, name: str, account_id: str, role: str, credentials: Path | None = None
) -> str:
    """What to say when the AWS config file's profile `name`, or the lines of the user's that
    `write-profile` kept in the credentials file's `[name]` (`credentials`), give the AWS CLI
    and SDKs other credentials than the keys of role `role` in `account_id` just written there:
    they use those first, and the keys never ("" when none does, or it is an SSO profile of
    that very role, which gives the same role's credentials)."""
    from tui.aws.sessions import config_sections, profile_map

    if credentials is not None:
        from tui.export.credentials_file import profile_settings

        # botocore reads the credentials file's lines of a profile as its config too
        what = _ahead_of_keys(profile_settings(credentials, name), account_id, role)
        if what is not None:
            return (
                f"[{name}] of {credentials} also names {what}, a line of yours kept there, "
                f"which the AWS CLI and SDKs use before these keys with AWS_PROFILE={name}: "
                "take it out, or choose another profile name to use them"
            )
    try:
        profile = profile_map(config_sections(paths))["profiles"].get(name)
    except ConfigError:
        return ""  # botocore cannot read it either, and reads the keys alone
    if profile is None:
        return ""
    what = _ahead_of_keys(profile, account_id, role)
    if what is None:
        return ""
    header = "[default]" if name == "default" else f"[profile {name}]"
    return (
        f"{header} of {paths.aws_config_file} names {what}, which the AWS CLI and SDKs use "
        f"before these keys with AWS_PROFILE={name}: choose another profile name to use them"
    )
