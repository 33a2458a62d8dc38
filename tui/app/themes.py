"""The picker's themes: the names config.toml's `theme` may take, and the one line said of a
name that is none of them (by the picker when it starts, and by `ssotui doctor`)."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path


def theme_names() -> list[str]:
    """The names of the themes the picker has: Textual's own (it registers none)."""
    from textual.theme import BUILTIN_THEMES

    return sorted(BUILTIN_THEMES)


def default_theme() -> str:
    """The theme the picker uses when config.toml names none it has."""
    from textual.constants import DEFAULT_THEME

    return DEFAULT_THEME


def unknown_theme(theme: str, using: str, themes: Iterable[str], config_file: Path) -> str | None:
    """What to say of config.toml's `theme`: None when it is one of `themes` (or not set),
    else one line naming the file (`config_file`), the theme used instead (`using`) and those
    there are."""
    known = sorted(themes)
    if not theme or theme in known:
        return None
    return f"Unknown theme {theme!r} in {config_file}; using {using!r}. Themes: {', '.join(known)}."
