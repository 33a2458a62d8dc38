"""The `theme` setting of config.toml picks the picker's Textual theme."""

from __future__ import annotations

from typing import Any

from tests.app_support import SIZE, async_test, notes, picker, screen_name, wait_until
from tests.conftest import here
from tui.store.settings import Settings, load_settings


@async_test
async def test_theme_from_config_toml_is_the_apps_theme(home: Any) -> None:
    home.config_dir.mkdir()
    (home.config_dir / "config.toml").write_text('theme = "nord"\n', encoding="utf-8")
    app = picker(settings=load_settings(here().config_file))
    async with app.run_test(size=SIZE) as pilot:
        await wait_until(pilot, lambda: screen_name(app) == "SetupScreen", "the first screen")
        assert app.theme == "nord"
        assert app.current_theme.name == "nord"
        assert notes(app) == []


@async_test
async def test_an_unknown_theme_is_named_in_a_notification_and_the_default_kept(
    home: Any,
) -> None:
    default = picker().theme
    app = picker(settings=Settings(theme="solarized-midnight"))
    async with app.run_test(size=SIZE) as pilot:
        await wait_until(pilot, lambda: notes(app), "the notification")
        assert app.theme == default
        (note,) = notes(app)
        assert "Unknown theme 'solarized-midnight'" in note
        assert str(home.config_dir / "config.toml") in note
        assert "nord" in note  # the themes there are
        assert [n.severity for n in app._notifications] == ["warning"]
        assert screen_name(app) == "SetupScreen"  # and the picker carries on
