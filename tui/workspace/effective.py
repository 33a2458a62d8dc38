"""Every setting in effect, with where its value comes from: a default, config.toml, or the
environment. What `ssotui config` shows; a setting left unset says what happens instead."""

from __future__ import annotations

import sys
from collections.abc import Callable, Mapping
from dataclasses import dataclass, fields
from pathlib import Path

from tui.paths import (
    CONFIG_VARIABLE,
    CREDENTIALS_VARIABLE,
    Paths,
    own_variable_folder,
    xdg_folder,
)
from tui.store.settings import Settings

DEFAULT = "default"
CONFIG_FILE = "config.toml"


@dataclass(frozen=True)
class Effective:
    """One setting: its name, its value as shown to a person, and where it comes from."""

    name: str
    value: str
    source: str


def _shown(value: object) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return f'"{value}"'
    return str(value)


def _unset(key: str, environ: Mapping[str, str]) -> Effective:
    """What an unset key of config.toml amounts to."""
    shell = environ.get("SHELL", "").strip()
    if key == "default_session":
        return Effective(
            key,
            "(none)",
            f"{DEFAULT}: the session of an SSO profile in AWS_PROFILE, else the only one, "
            "else that of an SSO [default], else --session",
        )
    if key == "default_region":
        return Effective(key, "(none)", f"{DEFAULT}: credentials carry no region unless --region")
    if key == "export_format":
        from tui.export.formats import default_format

        where = f"environment: $SHELL is {shell}" if shell else f"{DEFAULT}: no $SHELL"
        return Effective(key, _shown(default_format(shell)), where)
    if key == "subshell_command":
        from tui.export.subshell import FALLBACK_SHELL

        if shell:
            return Effective(key, _shown(shell), "environment: $SHELL")
        return Effective(key, _shown(FALLBACK_SHELL), f"{DEFAULT}: no $SHELL")
    if key == "concurrent_requests":
        from tui.aws.catalog import DEFAULT_CONCURRENCY

        return Effective(key, str(DEFAULT_CONCURRENCY), DEFAULT)
    if key == "theme":
        return Effective(key, "(none)", f"{DEFAULT}: Textual's theme")
    return Effective(key, _shown(getattr(Settings(), key)), DEFAULT)


def effective_settings(settings: Settings, environ: Mapping[str, str]) -> list[Effective]:
    """Each key of config.toml, as ssotui uses it."""
    keys = [f.name for f in fields(Settings) if f.name not in ("warnings", "given")]
    return [
        Effective(key, _shown(getattr(settings, key)), CONFIG_FILE)
        if key in settings.given
        else _unset(key, environ)
        for key in keys
    ]


# (what, environment variable that moves it, where it is) for each file and folder.
_PATHS: tuple[tuple[str, str, Callable[[Paths], Path]], ...] = (
    ("AWS config", "AWS_CONFIG_FILE", lambda p: p.aws_config_file),
    ("AWS credentials", "AWS_SHARED_CREDENTIALS_FILE", lambda p: p.aws_credentials_file),
    ("SSO token cache", "SSOTUI_SSO_CACHE_DIR", lambda p: p.sso_cache_dir),
    ("ssotui config", "SSOTUI_CONFIG_DIR", lambda p: p.config_file),
    ("ssotui cache", "SSOTUI_CACHE_DIR", lambda p: p.cache_dir),
    ("ssotui state", "SSOTUI_STATE_DIR", lambda p: p.state_file),
)


# The XDG variable platformdirs reads (on Linux and the BSDs) for each of ssotui's own folders
_XDG = {
    "SSOTUI_CONFIG_DIR": "XDG_CONFIG_HOME",
    "SSOTUI_CACHE_DIR": "XDG_CACHE_HOME",
    "SSOTUI_STATE_DIR": "XDG_STATE_HOME",
}


_AWS_FILES = frozenset({CONFIG_VARIABLE, CREDENTIALS_VARIABLE})


def _moved_by(variable: str, environ: Mapping[str, str]) -> str | None:
    """The variable that moved this path, if one did (one naming a relative folder, which is
    ignored, did not)."""
    if variable in _AWS_FILES:
        if environ.get(variable):
            return variable
    elif own_variable_folder(variable, environ) is not None:
        return variable
    xdg = _XDG.get(variable)
    if xdg and sys.platform not in {"darwin", "win32"} and xdg_folder(xdg, environ):
        return xdg
    return None


def _ignored(variable: str, environ: Mapping[str, str]) -> str:
    """Why the variables set for this path did not move it (relative folders), or ""."""
    names = [] if variable in _AWS_FILES else [variable]
    if variable in _XDG and sys.platform not in {"darwin", "win32"}:
        names.append(_XDG[variable])
    return "; ".join(
        f"${name} ignored: {environ[name]!r} is not an absolute path"
        for name in names
        if environ.get(name, "").strip()
    )


def effective_paths(paths: Paths, environ: Mapping[str, str]) -> list[tuple[Effective, bool]]:
    """Each file and folder ssotui uses (`paths`, those `environ` decides), with whether it
    exists."""
    unset = {CONFIG_VARIABLE: paths.config_unset, CREDENTIALS_VARIABLE: paths.credentials_unset}
    found = []
    for what, variable, where in _PATHS:
        if unset.get(variable):
            # botocore reads no such file then, not the default one: none, rather than absent
            found.append((Effective(what, "(none)", f"environment: ${variable} is empty"), True))
            continue
        path = where(paths)
        moved_by = _moved_by(variable, environ)
        ignored = "" if moved_by else _ignored(variable, environ)
        source = (
            f"environment: ${moved_by}"
            if moved_by
            else f"{DEFAULT}: {ignored}"
            if ignored
            else DEFAULT
        )
        found.append((Effective(what, str(path), source), path.exists()))
    return found


# Variables ssotui reads besides the AWS ones: (name, value when not set, what that means).
_VARIABLES: tuple[tuple[str, str, str], ...] = (
    ("SSOTUI_READ_TIMEOUT", "10", "seconds"),
    ("SSOTUI_PORTAL_CLIENT", "auto", "direct where the endpoint allows, else botocore"),
    ("SSOTUI_CLIPBOARD", "system", "the system clipboard, else OSC 52"),
    ("SSOTUI_TTY", "/dev/tty", "where OSC 52 is written"),
)


def effective_variables(environ: Mapping[str, str]) -> list[Effective]:
    """ssotui's own environment variables: the value set, or what applies without one."""
    return [
        Effective(name, environ[name], "environment")
        if environ.get(name)
        else Effective(name, default, f"{DEFAULT}: {meaning}")
        for name, default, meaning in _VARIABLES
    ]
