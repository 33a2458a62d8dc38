"""ssotui's own `config.toml` (user-edited, read with tomllib, never rewritten by ssotui).

Unknown keys and wrong types do not stop ssotui: they are reported as warnings that name the
key and the file, and the default is used.
"""

from __future__ import annotations

from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Any

from tui.region_names import is_region_name
from tui.store import files
from tui.text import printable

EXPORT_FORMATS = ("sh", "fish", "powershell", "json")
MAX_REQUESTS = 256  # concurrent_requests above this only add load on Identity Center


@dataclass(frozen=True)
class Settings:
    """Every key of config.toml, with its default."""

    default_session: str | None = None
    default_region: str | None = None
    export_format: str | None = None  # None: from $SHELL
    subshell_command: str | None = None  # None: $SHELL
    catalog_lifetime: int = 3600  # seconds a cached catalog is shown without a refresh
    concurrent_requests: int | None = None  # None: tui.aws.catalog.DEFAULT_CONCURRENCY
    open_browser: bool = True
    profile_template: str = "{account}.{role}"
    theme: str | None = None
    renew_credentials: bool = False
    cache_role_credentials: bool = True  # keep role credentials between runs (0600 files)
    request_deadline: float = 15.0  # seconds one portal call may take, all its attempts together
    warnings: tuple[str, ...] = field(default=(), compare=False)
    given: frozenset[str] = field(default=frozenset(), compare=False)  # keys config.toml set


_TYPES: dict[str, tuple[type, ...]] = {
    "default_session": (str,),
    "default_region": (str,),
    "export_format": (str,),
    "subshell_command": (str,),
    "catalog_lifetime": (int,),
    "concurrent_requests": (int,),
    "open_browser": (bool,),
    "profile_template": (str,),
    "theme": (str,),
    "renew_credentials": (bool,),
    "cache_role_credentials": (bool,),
    "request_deadline": (float, int),
}


def _check(key: str, value: Any, path: Path) -> str | None:
    expected = _TYPES[key]
    if isinstance(value, bool) and bool not in expected:
        return f"{path}: `{key}` should be {expected[0].__name__}, not a boolean; ignored"
    if not isinstance(value, expected):
        return f"{path}: `{key}` should be {expected[0].__name__}; ignored"
    if key == "export_format" and value not in EXPORT_FORMATS:
        return f"{path}: `export_format` must be one of {', '.join(EXPORT_FORMATS)}; ignored"
    if key == "catalog_lifetime" and isinstance(value, int) and value < 0:
        return f"{path}: `catalog_lifetime` must be 0 or more seconds; ignored"
    if key == "concurrent_requests" and isinstance(value, int) and not 1 <= value <= MAX_REQUESTS:
        return f"{path}: `concurrent_requests` must be 1 to {MAX_REQUESTS}; ignored"
    if key == "default_region" and isinstance(value, str) and not is_region_name(value):
        return (
            f"{path}: `default_region` {printable(value)!r} is not an AWS region name "
            "(like eu-west-1); ignored"
        )
    positive = isinstance(value, int | float) and 0 < value < float("inf")
    if key == "request_deadline" and not positive:
        return f"{path}: `request_deadline` must be more than 0 seconds; ignored"
    return None


def load_settings(path: Path) -> Settings:
    """Read config.toml at `path` (`Paths.config_file`); a missing file gives the defaults, a
    broken one defaults + a warning."""
    try:
        text = files.read_text_now(path)
    except FileNotFoundError:
        return Settings()
    except (OSError, UnicodeDecodeError) as exc:
        return Settings(warnings=(f"{path} cannot be read ({exc}); using the defaults",))
    import tomllib  # only when there is a file: it is most of this module's import time

    try:  # a byte order mark (Notepad's UTF-8) is no statement: the text is the same
        data = tomllib.loads(text.removeprefix("\ufeff"))
    except tomllib.TOMLDecodeError as exc:
        return Settings(warnings=(f"{path} is not valid TOML ({exc}); using the defaults",))
    known = {f.name for f in fields(Settings)} - {"warnings", "given"}
    values: dict[str, Any] = {}
    warnings: list[str] = []
    for key, value in data.items():
        if key not in known:
            warnings.append(f"{path}: unknown key `{key}`; ignored")
            continue
        problem = _check(key, value, path)
        if problem:
            warnings.append(problem)
        else:
            values[key] = value
    return Settings(**values, warnings=tuple(warnings), given=frozenset(values))
