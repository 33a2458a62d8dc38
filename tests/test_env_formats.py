"""Credential variables and export formats, checked by the real consumers: bash, fish, botocore."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path

import boto3
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tui.errors import UsageError
from tui.export.env import STATIC_KEY_VARS, child_env, credential_env, endpoint_child_env
from tui.export.formats import default_format, quote_fish, quote_powershell, render
from tui.models import Account, RoleCredentials

SECRET = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY="
TOKEN = "IQoJb3JpZ2luX2VjEXAMPLE//////////wEaCXVzLWVhc3QtMSJHMEUCIQ+/="

NASTY_NAMES = [
    "Production",
    "Zürich Analytics 🚀",
    "O'Brien's \"prod\" account",
    "costs $HOME $(touch /tmp/ssotui-pwned) `id` ${x}",
    'back\\slash \\$ \\" end\\',
    "tab\there; echo pwned & | < > * ? [a] {b,c} ~ # !",
    "multi\nline",
    "smart “quotes” „here“ and `backticks`",
    " leading and trailing ",
    "",
]


def make_creds(
    name: str = "Production", *, region: str | None = "eu-west-1", role: str = "Admin"
) -> RoleCredentials:
    return RoleCredentials(
        account=Account("123456789012", name, "ops@example.com"),
        role_name=role,
        access_key_id="ASIAEXAMPLEKEY123456",
        secret_access_key=SECRET,
        session_token=TOKEN,
        expiration=datetime(2030, 1, 2, 3, 4, 5, tzinfo=UTC),
        region=region,
        session_label="dev",
    )


def test_credential_env_order_and_values() -> None:
    env = credential_env(make_creds())
    assert list(env) == [
        "AWS_ACCESS_KEY_ID",
        "AWS_SECRET_ACCESS_KEY",
        "AWS_SESSION_TOKEN",
        "AWS_CREDENTIAL_EXPIRATION",
        "AWS_REGION",
        "AWS_DEFAULT_REGION",
        "SSOTUI_ACCOUNT_ID",
        "SSOTUI_ACCOUNT_NAME",
        "SSOTUI_ROLE_NAME",
        "SSOTUI_SESSION",
    ]
    assert env["AWS_CREDENTIAL_EXPIRATION"] == "2030-01-02T03:04:05Z"
    assert env["AWS_REGION"] == env["AWS_DEFAULT_REGION"] == "eu-west-1"
    assert env["SSOTUI_ACCOUNT_NAME"] == "Production"
    assert env["SSOTUI_SESSION"] == "dev"


def test_expiration_is_converted_to_utc_and_region_is_optional() -> None:
    creds = make_creds(region=None)
    plus_two = timezone(timedelta(hours=2))
    shifted = RoleCredentials(
        account=creds.account,
        role_name=creds.role_name,
        access_key_id=creds.access_key_id,
        secret_access_key=creds.secret_access_key,
        session_token=creds.session_token,
        expiration=datetime(2030, 1, 2, 5, 4, 5, 999, tzinfo=plus_two),
    )
    env = credential_env(shifted)
    assert env["AWS_CREDENTIAL_EXPIRATION"] == "2030-01-02T03:04:05Z"
    assert "AWS_REGION" not in env and "AWS_DEFAULT_REGION" not in env


def test_child_env_drops_stale_profile_and_credential_variables() -> None:
    base = {
        "PATH": "/usr/bin",
        "HOME": "/home/me",
        "AWS_PROFILE": "old",
        "AWS_DEFAULT_PROFILE": "old",
        "AWS_SECURITY_TOKEN": "stale-token",
        "AWS_ACCESS_KEY_ID": "AKIASTALE",
        "AWS_SESSION_EXPIRATION": "2020-01-01T00:00:00Z",
        "AWS_ROLE_ARN": "arn:aws:iam::1:role/x",
        "AWS_WEB_IDENTITY_TOKEN_FILE": "/token",
        "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI": "/v2/creds",
        "AWS_CONFIG_FILE": "/home/me/.aws/config",
        "AWS_REGION": "us-west-2",
        "SSOTUI_ACCOUNT_ID": "999999999999",
    }
    env = child_env(make_creds(region=None), base)
    for gone in (
        "AWS_PROFILE",
        "AWS_DEFAULT_PROFILE",
        "AWS_SECURITY_TOKEN",
        "AWS_SESSION_EXPIRATION",
        "AWS_ROLE_ARN",
        "AWS_WEB_IDENTITY_TOKEN_FILE",
        "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI",
    ):
        assert gone not in env
    assert env["PATH"] == "/usr/bin" and env["AWS_CONFIG_FILE"] == "/home/me/.aws/config"
    assert env["AWS_REGION"] == "us-west-2"  # no region known: the user's stays
    assert env["AWS_ACCESS_KEY_ID"] == "ASIAEXAMPLEKEY123456"
    assert env["SSOTUI_ACCOUNT_ID"] == "123456789012"
    assert base["AWS_PROFILE"] == "old"  # the caller's mapping is untouched


def test_sh_format_is_the_aws_cli_format_after_unsetting_profiles() -> None:
    assert render(make_creds(), "sh") == (
        "unset AWS_PROFILE AWS_DEFAULT_PROFILE AWS_SECURITY_TOKEN\n"
        "export AWS_ACCESS_KEY_ID=ASIAEXAMPLEKEY123456\n"
        f"export AWS_SECRET_ACCESS_KEY={SECRET}\n"
        f"export AWS_SESSION_TOKEN={TOKEN}\n"
        "export AWS_CREDENTIAL_EXPIRATION=2030-01-02T03:04:05Z\n"
        "export AWS_REGION=eu-west-1\n"
        "export AWS_DEFAULT_REGION=eu-west-1\n"
        "export SSOTUI_ACCOUNT_ID=123456789012\n"
        "export SSOTUI_ACCOUNT_NAME=Production\n"
        "export SSOTUI_ROLE_NAME=Admin\n"
        "export SSOTUI_SESSION=dev\n"
    )


def test_fish_and_powershell_formats() -> None:
    fish = render(make_creds(), "fish").splitlines()
    assert fish[:4] == [
        "set -e -g AWS_PROFILE; or true",
        "set -e -g AWS_DEFAULT_PROFILE; or true",
        "set -e -g AWS_SECURITY_TOKEN; or true",
        "set -e -U AWS_SECURITY_TOKEN; or true",
    ]
    assert fish[4] == 'set -gx AWS_ACCESS_KEY_ID "ASIAEXAMPLEKEY123456"'
    assert fish[7] == 'set -gx AWS_CREDENTIAL_EXPIRATION "2030-01-02T03:04:05Z"'
    pwsh = render(make_creds(), "powershell").splitlines()
    assert pwsh[:3] == [
        "Remove-Item Env:AWS_PROFILE -ErrorAction SilentlyContinue",
        "Remove-Item Env:AWS_DEFAULT_PROFILE -ErrorAction SilentlyContinue",
        "Remove-Item Env:AWS_SECURITY_TOKEN -ErrorAction SilentlyContinue",
    ]
    assert pwsh[3] == '$Env:AWS_ACCESS_KEY_ID="ASIAEXAMPLEKEY123456"'
    assert pwsh[4] == f'$Env:AWS_SECRET_ACCESS_KEY="{SECRET}"'
    assert len(fish) == len(pwsh) + 1 == 14


def test_quoting_for_fish_and_powershell() -> None:
    assert quote_fish("a\\b\"c$d'e") == '"a\\\\b\\"c\\$d\'e"'
    assert quote_powershell("a`b$c\"d\u201ce\u201df\u201eg'h") == (
        '"a``b`$c`"d`\u201ce`\u201df`\u201eg\'h"'
    )


def test_json_is_the_credential_process_object() -> None:
    text = render(make_creds(), "json")
    assert text.endswith("}\n") and text.startswith('{\n  "Version": 1,\n')
    assert json.loads(text) == {
        "Version": 1,
        "AccessKeyId": "ASIAEXAMPLEKEY123456",
        "SecretAccessKey": SECRET,
        "SessionToken": TOKEN,
        "Expiration": "2030-01-02T03:04:05Z",
    }


def test_botocore_runs_the_json_as_credential_process(home: object, tmp_path: Path) -> None:
    script = tmp_path / "print_creds.py"
    script.write_text(f"print({render(make_creds(), 'json')!r}, end='')\n", encoding="utf-8")
    config = Path(os.environ["AWS_CONFIG_FILE"])
    config.write_text(
        f"[profile proc]\ncredential_process = {sys.executable} {script}\n", encoding="utf-8"
    )
    creds = boto3.Session(profile_name="proc").get_credentials()
    assert creds is not None
    frozen = creds.get_frozen_credentials()
    assert (frozen.access_key, frozen.secret_key, frozen.token) == (
        "ASIAEXAMPLEKEY123456",
        SECRET,
        TOKEN,
    )


def test_unknown_format_is_a_usage_error() -> None:
    with pytest.raises(UsageError, match="unknown format 'tcsh'") as caught:
        render(make_creds(), "tcsh")
    assert caught.value.exit_code == 2


@pytest.mark.parametrize(
    ("shell", "fmt"),
    [
        ("/usr/bin/fish", "fish"),
        ("/opt/homebrew/bin/fish", "fish"),
        ("/usr/local/bin/pwsh", "powershell"),
        ("C:\\Program Files\\PowerShell\\7\\pwsh.exe", "powershell"),
        ("powershell", "powershell"),
        ("/bin/bash", "sh"),
        ("/bin/zsh", "sh"),
        ("/bin/dash", "sh"),
        ("", "sh"),
    ],
)
def test_default_format(shell: str, fmt: str) -> None:
    assert default_format(shell) == fmt


def test_default_format_without_a_shell_is_sh() -> None:
    assert default_format(None) == "sh"


# --- the real consumers -------------------------------------------------------------------

KEYS = list(credential_env(make_creds()))


def bash_eval(blocks: list[str]) -> list[list[str]]:
    """Each block `eval`ed by bash in turn; the values bash then holds for KEYS."""
    program = (
        f'for block in "$@"; do eval "$block"; for k in {" ".join(KEYS)}; do '
        'printf "%s\\0" "${!k}"; done; done'
    )
    result = subprocess.run(
        ["bash", "--norc", "--noprofile", "-c", program, "bash", *blocks],
        capture_output=True,
        check=True,
        env={"PATH": os.environ["PATH"], "LC_ALL": "C.UTF-8"},
    )
    values = result.stdout.decode("utf-8").split("\0")[:-1]
    return [values[i : i + len(KEYS)] for i in range(0, len(values), len(KEYS))]


def fish_source(blocks: list[str], folder: Path) -> list[list[str]]:
    """Each block `source`d by fish in turn; the values fish then holds for KEYS."""
    lines = []
    for i, block in enumerate(blocks):
        path = folder / f"block{i}.fish"
        path.write_text(block, encoding="utf-8")
        lines.append(f"source {path}")
        lines.extend(f'printf "%s\\0" "${key}"' for key in KEYS)
    result = subprocess.run(
        ["fish", "--no-config", "-c", "\n".join(lines)],
        capture_output=True,
        check=True,
        env={"PATH": os.environ["PATH"], "LC_ALL": "C.UTF-8", "HOME": str(folder)},
    )
    values = result.stdout.decode("utf-8").split("\0")[:-1]
    return [values[i : i + len(KEYS)] for i in range(0, len(values), len(KEYS))]


def expected(creds: RoleCredentials) -> list[str]:
    return list(credential_env(creds).values())


def test_bash_eval_sees_every_value_even_for_nasty_account_names() -> None:
    all_creds = [make_creds(name) for name in NASTY_NAMES]
    seen = bash_eval([render(c, "sh") for c in all_creds])
    assert seen == [expected(c) for c in all_creds]
    assert not Path("/tmp/ssotui-pwned").exists()


@pytest.mark.skipif(shutil.which("fish") is None, reason="fish is not installed")
def test_fish_source_sees_every_value_even_for_nasty_account_names(tmp_path: Path) -> None:
    all_creds = [make_creds(name) for name in NASTY_NAMES]
    seen = fish_source([render(c, "fish") for c in all_creds], tmp_path)
    assert seen == [expected(c) for c in all_creds]
    assert not Path("/tmp/ssotui-pwned").exists()


PROFILE_VARS = {"AWS_PROFILE": "other", "AWS_DEFAULT_PROFILE": "other", "AWS_SECURITY_TOKEN": "old"}


def test_bash_eval_drops_the_profile_variables_and_succeeds() -> None:
    """A profile left set would win over the keys in botocore; `eval` still succeeds."""
    program = 'eval "$1" && echo "status=$?" && ' + " && ".join(
        f'echo "{name}=[${{{name}-unset}}]"' for name in PROFILE_VARS
    )
    result = subprocess.run(
        ["bash", "--norc", "--noprofile", "-c", program, "bash", render(make_creds(), "sh")],
        capture_output=True,
        text=True,
        check=True,
        env={"PATH": os.environ["PATH"], **PROFILE_VARS},
    )
    assert result.stdout.split() == ["status=0"] + [f"{name}=[unset]" for name in PROFILE_VARS]


@pytest.mark.skipif(shutil.which("fish") is None, reason="fish is not installed")
def test_fish_source_drops_the_profile_variables_and_succeeds(tmp_path: Path) -> None:
    for present in (True, False):  # erasing what is not set must not fail `source`
        block = tmp_path / "exports.fish"
        block.write_text(render(make_creds(), "fish"), encoding="utf-8")
        checks = "".join(f"set -q {name}; and echo {name} still set\n" for name in PROFILE_VARS)
        result = subprocess.run(
            ["fish", "--no-config", "-c", f"source {block}\necho status=$status\n{checks}true"],
            capture_output=True,
            text=True,
            check=True,
            env={
                "PATH": os.environ["PATH"],
                "HOME": str(tmp_path),
                **(PROFILE_VARS if present else {}),
            },
        )
        assert result.stdout.split() == ["status=0"], (present, result.stdout)


@pytest.mark.skipif(shutil.which("pwsh") is None, reason="PowerShell is not installed")
def test_powershell_sees_every_value(tmp_path: Path) -> None:
    for i, name in enumerate(NASTY_NAMES):
        creds = make_creds(name)
        script = tmp_path / f"block{i}.ps1"
        script.write_text(
            render(creds, "powershell")
            + "".join(f'[Console]::Out.Write($Env:{k} + "`0")\n' for k in KEYS),
            encoding="utf-8-sig",
        )
        out = subprocess.run(
            ["pwsh", "-NoProfile", "-File", str(script)], capture_output=True, check=True
        ).stdout.decode("utf-8")
        # PowerShell cannot hold an empty environment variable: it removes it instead.
        assert out.split("\0")[:-1] == expected(creds)


# Names a user could see in an account list: any printable text, no NUL (an environment
# variable cannot hold one).
account_names = st.text(
    st.characters(blacklist_categories=("Cs",), blacklist_characters="\x00"), max_size=30
)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(names=st.lists(account_names, min_size=1, max_size=8))
def test_bash_eval_round_trips_any_account_name(names: list[str]) -> None:
    all_creds = [make_creds(name, role="Role+=,.@-_") for name in names]
    assert bash_eval([render(c, "sh") for c in all_creds]) == [expected(c) for c in all_creds]


@pytest.mark.skipif(shutil.which("fish") is None, reason="fish is not installed")
@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(names=st.lists(account_names, min_size=1, max_size=8))
def test_fish_source_round_trips_any_account_name(names: list[str]) -> None:
    import tempfile

    all_creds = [make_creds(name) for name in names]
    with tempfile.TemporaryDirectory() as folder:
        seen = fish_source([render(c, "fish") for c in all_creds], Path(folder))
    assert seen == [expected(c) for c in all_creds]


def test_endpoint_child_env_has_the_endpoint_markers_and_region_and_no_static_keys() -> None:
    base = {
        "PATH": "/usr/bin",
        "AWS_CONFIG_FILE": "/home/me/.aws/config",
        "AWS_PROFILE": "old",
        "AWS_DEFAULT_PROFILE": "old",
        "AWS_SECURITY_TOKEN": "stale-token",
        "AWS_ACCESS_KEY_ID": "AKIASTALE",
        "AWS_SECRET_ACCESS_KEY": "stale-secret",
        "AWS_SESSION_TOKEN": "stale-session",
        "AWS_CREDENTIAL_EXPIRATION": "2020-01-01T00:00:00Z",
        "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI": "/v2/creds",
        "AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE": "/run/token",
        "AWS_CONTAINER_SOMETHING_NEW": "x",
        "AWS_WEB_IDENTITY_TOKEN_FILE": "/token",
        "AWS_WEB_IDENTITY_SOMETHING_NEW": "x",
        "SSOTUI_ACCOUNT_ID": "999999999999",
    }
    endpoint = {
        "AWS_CONTAINER_CREDENTIALS_FULL_URI": "http://127.0.0.1:4321/path",
        "AWS_CONTAINER_AUTHORIZATION_TOKEN": "t" * 43,
    }
    creds = make_creds()
    env = endpoint_child_env(endpoint, creds, base)
    static = child_env(creds, base)
    families = ("AWS_CONTAINER_", "AWS_WEB_IDENTITY_")
    assert {k: v for k, v in env.items() if k.startswith(families)} == endpoint
    for gone in ("AWS_PROFILE", "AWS_DEFAULT_PROFILE", "AWS_SECURITY_TOKEN", *STATIC_KEY_VARS):
        assert gone not in env
    markers = ("AWS_REGION", "AWS_DEFAULT_REGION", "SSOTUI_ACCOUNT_ID", "SSOTUI_ACCOUNT_NAME")
    markers += ("SSOTUI_ROLE_NAME", "SSOTUI_SESSION")
    assert {k: env[k] for k in markers} == {k: static[k] for k in markers}
    assert env["SSOTUI_ACCOUNT_ID"] == "123456789012" and env["AWS_REGION"] == "eu-west-1"
    assert env["PATH"] == "/usr/bin" and env["AWS_CONFIG_FILE"] == "/home/me/.aws/config"
    assert creds.secret_access_key not in env.values() and creds.session_token not in env.values()
    assert base["AWS_ACCESS_KEY_ID"] == "AKIASTALE"  # the caller's mapping is untouched
    # The static environment drops the same families.
    assert not [k for k in static if k.startswith(families)]


@pytest.mark.skipif(shutil.which("fish") is None, reason="fish is not installed")
def test_fish_source_keeps_a_universal_profile_variable(tmp_path: Path) -> None:
    """`set -Ux AWS_PROFILE` is the user's setting for every fish session: sourcing the exports
    in one session must not erase it for all of them (a bare `set -e` did)."""
    block = tmp_path / "exports.fish"
    block.write_text(render(make_creds(), "fish"), encoding="utf-8")
    # not --no-config, which leaves universal variables out; the config folder is empty
    env = {"PATH": os.environ["PATH"], "HOME": str(tmp_path), "XDG_CONFIG_HOME": str(tmp_path)}

    def fish(program: str) -> str:
        return subprocess.run(
            ["fish", "-c", program],
            capture_output=True,
            text=True,
            check=True,
            env=env,
        ).stdout

    fish("set -Ux AWS_PROFILE mine; set -Ux AWS_SECURITY_TOKEN stale")
    assert fish(f"source {block}; echo status=$status").split() == ["status=0"]
    # a later fish session still has the profile; the stale token, read before the new one by
    # botocore, is gone
    assert fish("echo [$AWS_PROFILE] [$AWS_SECURITY_TOKEN]").split() == ["[mine]"]
