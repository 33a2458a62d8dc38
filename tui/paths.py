"""Every path ssotui reads or writes, in one place; nothing is created at import time.

AWS paths honour the AWS CLI's environment variables; ssotui's own folders come from
platformdirs and can be moved with SSOTUI_CONFIG_DIR / SSOTUI_CACHE_DIR / SSOTUI_STATE_DIR
(and the SSO token cache with SSOTUI_SSO_CACHE_DIR).
"""

from __future__ import annotations

import os
import re
import sys
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

APP_NAME = "ssotui"
# `$NAME` and `${NAME}` as os.path.expandvars reads them (and `%NAME%` on Windows)
_VARIABLE = re.compile(
    r"\$(\w+)|\$\{([^}]*)\}" + (r"|%([^%]+)%" if os.name == "nt" else ""), re.ASCII
)


CONFIG_VARIABLE = "AWS_CONFIG_FILE"
CREDENTIALS_VARIABLE = "AWS_SHARED_CREDENTIALS_FILE"


def set_but_empty(variable: str, environ: Mapping[str, str]) -> bool:
    """True when `variable` (`AWS_CONFIG_FILE`, `AWS_SHARED_CREDENTIALS_FILE`) is set but
    empty in `environ`: botocore, and so the AWS CLI and SDKs, then
    read no such file at all (not the default one), and its path here is os.devnull, which
    reads as an empty file. Nothing is written there: the use cases refuse first
    (`tui.workspace.aws_files`)."""
    return environ.get(variable) == ""


def empty_variable_reason(variable: str) -> str:
    """What an empty `variable` (`set_but_empty`) means and what to do, in words for a line."""
    what, default = (
        ("AWS config file", "~/.aws/config")
        if variable == CONFIG_VARIABLE
        else ("shared credentials file", "~/.aws/credentials")
    )
    return (
        f"{variable} is set but empty, so no {what} is read (the AWS CLI reads none either): "
        f"unset it to use {default}, or set it to a file"
    )


def _home_in(environ: Mapping[str, str]) -> str | None:
    """The home folder `~` stands for in `environ`, as os.path.expanduser finds it."""
    if os.name == "nt":
        if "USERPROFILE" in environ:
            return environ["USERPROFILE"]
        if "HOMEPATH" in environ:
            return os.path.join(environ.get("HOMEDRIVE", ""), environ["HOMEPATH"])
        return None
    if "HOME" in environ:
        return environ["HOME"]
    import pwd  # no HOME: the user database, as expanduser does

    try:
        return pwd.getpwuid(os.getuid()).pw_dir
    except KeyError:
        return None


def expanded(raw: str, environ: Mapping[str, str]) -> Path:
    """`raw` with its variables and a leading `~` expanded from `environ`, as botocore expands
    a file name (os.path.expandvars, then expanduser) from the environment it runs in."""
    if environ is os.environ:
        return Path(os.path.expanduser(os.path.expandvars(raw)))

    def value(found: re.Match[str]) -> str:
        name = next(group for group in found.groups() if group is not None)
        if name in environ:
            return environ[name]
        return environ.get(name.upper(), found.group(0)) if os.name == "nt" else found.group(0)

    text = _VARIABLE.sub(value, raw)
    separators = "/\\" if os.name == "nt" else "/"
    cut = next((i for i, c in enumerate(text) if c in separators), len(text))
    if not text.startswith("~") or cut > 1:  # ~user is the user database's, no variable
        return Path(os.path.expanduser(text))
    home = _home_in(environ)
    if home is None:
        return Path(text)
    return Path(home.rstrip(separators) + text[1:] or "/")


def _aws_file(variable: str, default: str, environ: Mapping[str, str]) -> Path:
    if set_but_empty(variable, environ):
        return Path(os.devnull)
    # botocore's raw_config_parse expands `$VAR` and `~` in the name (in that order), so
    # AWS_CONFIG_FILE='$HOME/.aws/config' names the same file for ssotui as for the AWS CLI.
    return expanded(environ.get(variable, default), environ)


def aws_config_file(environ: Mapping[str, str]) -> Path:
    """The AWS config file (`AWS_CONFIG_FILE`, default `~/.aws/config`; see `set_but_empty`)
    that `environ` names."""
    return _aws_file(CONFIG_VARIABLE, "~/.aws/config", environ)


def aws_credentials_file(environ: Mapping[str, str]) -> Path:
    """The shared credentials file (`AWS_SHARED_CREDENTIALS_FILE`, default
    `~/.aws/credentials`; see `set_but_empty`) that `environ` names."""
    return _aws_file(CREDENTIALS_VARIABLE, "~/.aws/credentials", environ)


SSO_CACHE_VARIABLE = "SSOTUI_SSO_CACHE_DIR"


def _platformdirs_folder(kind: str) -> Path:
    """platformdirs' own answer (it reads this process's environment) for folder `kind`."""
    import platformdirs

    getter = {
        "config": platformdirs.user_config_dir,
        "cache": platformdirs.user_cache_dir,
        "state": platformdirs.user_state_dir,
    }[kind]
    return Path(getter(APP_NAME, appauthor=False))


CACHE_VARIABLE = "SSOTUI_CACHE_DIR"


# ssotui's own folders: (variable that moves it, XDG variable, default under the home folder)
# as platformdirs finds them on Linux and the BSDs
_OWN_FOLDERS = {
    "config": ("SSOTUI_CONFIG_DIR", "XDG_CONFIG_HOME", ".config"),
    "cache": (CACHE_VARIABLE, "XDG_CACHE_HOME", ".cache"),
    "state": ("SSOTUI_STATE_DIR", "XDG_STATE_HOME", ".local/state"),
}


def own_variable_folder(variable: str, environ: Mapping[str, str]) -> Path | None:
    """The folder ssotui's variable `variable` (`SSOTUI_CACHE_DIR`...) names in `environ`,
    `~` and `$NAME` expanded as in AWS_CONFIG_FILE; None when unset, empty, or still not an
    absolute path, which is ignored as the XDG variables' relative paths are: a folder of
    kept role credentials and tokens that follows the working folder would leave secrets in
    every project folder an SDK runs `credential-process` from (and a literal `~` folder,
    from a variable set where no shell expands it: a systemd unit, a CI `env:`, docker -e)."""
    raw = environ.get(variable)
    if not raw:
        return None
    folder = expanded(raw, environ)
    return folder if folder.is_absolute() else None


def xdg_folder(variable: str, environ: Mapping[str, str]) -> str | None:
    """The base folder XDG variable `variable` names in `environ`, None when unset, blank or
    relative (which the XDG spec says to ignore)."""
    base = environ.get(variable, "").strip()
    return base if os.path.isabs(base) else None


def _own_folder(kind: str, environ: Mapping[str, str]) -> Path:
    """ssotui's `kind` folder under `environ`: its SSOTUI_* variable (`own_variable_folder`),
    else platformdirs' rule read from `environ` (on macOS and Windows, platformdirs' own
    answer)."""
    variable, xdg, default = _OWN_FOLDERS[kind]
    override = own_variable_folder(variable, environ)
    if override is not None:
        return override
    if sys.platform in {"darwin", "win32"}:
        return _platformdirs_folder(kind)
    base = xdg_folder(xdg, environ) or str(expanded(f"~/{default}", environ))
    return Path(base) / APP_NAME


@dataclass(frozen=True)
class Paths:
    """Every path a process uses, decided once from its environment (`from_environ`) and
    handed down with it: nothing below reads the environment for a path."""

    aws_config_file: Path
    aws_credentials_file: Path
    # AWS_CONFIG_FILE / AWS_SHARED_CREDENTIALS_FILE set but empty (`set_but_empty`)
    config_unset: bool
    credentials_unset: bool
    # AWS_CONFIG_FILE / AWS_SHARED_CREDENTIALS_FILE name the file (set, not empty)
    config_moved: bool
    credentials_moved: bool
    sso_cache_dir: Path
    sso_cache_moved: bool
    aws_role_cache_dirs: tuple[Path, ...]
    config_dir: Path
    cache_dir: Path
    state_dir: Path

    @classmethod
    def from_environ(cls, environ: Mapping[str, str]) -> Paths:
        """The paths `environ` names (the AWS CLI's variables, SSOTUI_*, XDG_*, HOME)."""
        home = expanded("~", environ)
        moved = own_variable_folder(SSO_CACHE_VARIABLE, environ)
        aws = home / ".aws"
        return cls(
            aws_config_file=aws_config_file(environ),
            aws_credentials_file=aws_credentials_file(environ),
            config_unset=set_but_empty(CONFIG_VARIABLE, environ),
            credentials_unset=set_but_empty(CREDENTIALS_VARIABLE, environ),
            config_moved=bool(environ.get(CONFIG_VARIABLE)),
            credentials_moved=bool(environ.get(CREDENTIALS_VARIABLE)),
            sso_cache_dir=moved if moved is not None else aws / "sso" / "cache",
            sso_cache_moved=moved is not None,
            # a moved token cache: ssotui's session is not the one the AWS CLI logs in to
            aws_role_cache_dirs=()
            if moved is not None
            else (aws / "cli" / "cache", aws / "boto" / "cache"),
            config_dir=_own_folder("config", environ),
            cache_dir=_own_folder("cache", environ),
            state_dir=_own_folder("state", environ),
        )

    @property
    def config_file(self) -> Path:
        """ssotui's own config file (user-edited)."""
        return self.config_dir / "config.toml"

    @property
    def state_file(self) -> Path:
        """ssotui's state file (favourites, recent roles), written with tomli-w."""
        return self.state_dir / "state.toml"
