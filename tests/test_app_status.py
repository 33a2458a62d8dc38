"""The status line at every width: each part whole or ending in "…", the most useful kept."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from tests.app_support import async_test, catalog_loaded, log_in, picker, screen_text, wait_until
from tests.conftest import Home
from tui.sim import Organisation, Simulator

SEPARATOR = " · "


def _status_line(app: Any) -> str:
    return screen_text(app).splitlines()[0].strip()


def _cut_parts(line: str, forms: set[str]) -> list[str]:
    """The parts of a drawn status line that are neither a whole form nor end in "…"."""
    return [p for p in line.split(SEPARATOR) if p not in forms and not p.endswith("…")]


def _forms(app: Any) -> set[str]:
    """Every way the status line can word its parts now (full and short forms)."""
    parts = app.screen.query_one("#status").parts()
    return {p.full for p in parts} | {p.short for p in parts}


@async_test
async def test_from_30_to_200_columns_the_status_line_cuts_no_word_and_keeps_the_useful_parts(
    sim: Simulator, sso_config: Path, org: Organisation
) -> None:
    log_in()
    app = picker()
    async with app.run_test(size=(30, 12)) as pilot:
        await wait_until(pilot, catalog_loaded(app, org), "the catalog")
        for width in range(30, 201):
            await pilot.resize_terminal(width, 12)
            await pilot.pause()
            line = _status_line(app)
            assert _cut_parts(line, _forms(app)) == [], (width, line)
            # The session, the token's time left and the catalog's age, at every width.
            parts = line.split(SEPARATOR)
            assert "dev" in parts, (width, line)
            assert any(p.endswith(" left") for p in parts), (width, line)
            assert any(p.endswith("just now") for p in parts), (width, line)
            if width >= 80:  # the whole line, as at 80 columns before
                assert f"{len(org.accounts)} accounts" in parts, (width, line)


@async_test
async def test_a_long_session_name_is_cut_with_an_ellipsis_before_the_token_time_goes(
    sim: Simulator, home: Home, org: Organisation
) -> None:
    name = "production-identity-center-europe"
    home.write_config(
        f"[sso-session {name}]\nsso_start_url = {sim.start_url}\nsso_region = {sim.region}\n"
        "sso_registration_scopes = sso:account:access\n"
    )
    log_in()
    app = picker()
    async with app.run_test(size=(30, 12)) as pilot:
        await wait_until(pilot, catalog_loaded(app, org), "the catalog")
        line = _status_line(app)
        session, *rest = line.split(SEPARATOR)
        assert session.endswith("…") and name.startswith(session[:-1]), line
        assert rest and rest[0].endswith(" left"), line
        await pilot.resize_terminal(80, 12)
        await pilot.pause()
        assert name in _status_line(app).split(SEPARATOR)


@async_test
async def test_a_failure_note_too_wide_for_the_line_keeps_its_first_words_with_an_ellipsis(
    sim: Simulator, sso_config: Path
) -> None:
    """It was left out whole: from 30 to 60 columns nothing said the catalog fetch had failed."""
    log_in()
    sim.set(malformed={"ListAccounts"})  # every fetch of the catalog fails
    note = "catalog fetch failed; ctrl+r to try again"
    app = picker()
    async with app.run_test(size=(30, 12)) as pilot:
        await wait_until(pilot, lambda: note in app.screen.query_one("#status").note, "a failure")
        for width in range(30, 101):
            await pilot.resize_terminal(width, 12)
            await pilot.pause()
            line = _status_line(app)
            said = line.split(SEPARATOR)[-1]
            assert said == note or said.endswith("…"), (width, line)
            words = said.removesuffix("…")
            assert len(words) >= len("catalog") and note.startswith(words), (width, line)
            assert words == note or not note[len(words)].isalnum(), (width, line)  # a word whole
            parts = line.split(SEPARATOR)  # the session and the token's time left stay
            assert "dev" in parts and any(p.endswith(" left") for p in parts), (width, line)
            if width >= 60:
                assert said == note, (width, line)
