"""The status line at every width: each part whole or ending in "…", the most useful kept.

Every width is checked on the line the status widget renders for its parts (`line_text`); the
picker is resized to a sample of widths to show it draws exactly that line.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from textual.pilot import Pilot

from tests.app_support import async_test, catalog_loaded, log_in, picker, screen_text, wait_until
from tests.conftest import Home
from tui.app.model import Progress
from tui.app.widgets.status import Part, StatusLine, line_text
from tui.aws.catalog_events import Paced
from tui.sim import Organisation, Simulator

SEPARATOR = " · "
# Terminal widths the picker is drawn at: both ends, and around where parts give way.
DRAWN = (30, 31, 34, 40, 47, 55, 60, 64, 72, 79, 80, 81, 100, 133, 200)


def _status_line(app: Any) -> str:
    return screen_text(app).splitlines()[0].strip()


def _cut_parts(line: str, forms: set[str]) -> list[str]:
    """The parts of a drawn status line that are neither a whole form nor end in "…"."""
    return [p for p in line.split(SEPARATOR) if p not in forms and not p.endswith("…")]


def _forms(parts: list[Part]) -> set[str]:
    """Every way the status line can word its parts (full and short forms)."""
    return {p.full for p in parts} | {p.short for p in parts}


def _line_at(parts: list[Part], width: int) -> str:
    """The status line of `parts` in a terminal `width` columns wide (a column of padding on
    each side, as `_drawn_as_rendered` checks)."""
    return line_text(parts, width - 2).plain


async def _drawn_as_rendered(pilot: Pilot[Any], app: Any, widths: tuple[int, ...]) -> list[Part]:
    """Resize the picker to each of `widths`: the line drawn is the one `_line_at` gives for
    the widget's parts. Returns the parts at the end."""
    status = app.screen.query_one("#status")
    for width in widths:
        await pilot.resize_terminal(width, 12)
        await pilot.pause()
        drawn = _status_line(app)
        assert status.content_size.width == width - 2, width
        assert drawn == _line_at(status.parts(), width), (width, drawn)
    parts: list[Part] = status.parts()
    return parts


@async_test
async def test_from_30_to_200_columns_the_status_line_cuts_no_word_and_keeps_the_useful_parts(
    sim: Simulator, sso_config: Path, org: Organisation
) -> None:
    log_in()
    app = picker()
    async with app.run_test(size=(30, 12)) as pilot:
        await wait_until(pilot, catalog_loaded(app, org), "the catalog")
        parts = await _drawn_as_rendered(pilot, app, DRAWN)
    for width in range(30, 201):
        line = _line_at(parts, width)
        assert _cut_parts(line, _forms(parts)) == [], (width, line)
        # The session, the token's time left and the catalog's age, at every width.
        parts_said = line.split(SEPARATOR)
        assert "dev" in parts_said, (width, line)
        assert any(p.endswith(" left") for p in parts_said), (width, line)
        assert any(p.endswith("just now") for p in parts_said), (width, line)
        if width >= 80:  # the whole line, as at 80 columns before
            assert f"{len(org.accounts)} accounts" in parts_said, (width, line)


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
        parts = await _drawn_as_rendered(pilot, app, tuple(w for w in DRAWN if w <= 100))
    for width in range(30, 101):
        line = _line_at(parts, width)
        said = line.split(SEPARATOR)[-1]
        assert said == note or said.endswith("…"), (width, line)
        words = said.removesuffix("…")
        assert len(words) >= len("catalog") and note.startswith(words), (width, line)
        assert words == note or not note[len(words)].isalnum(), (width, line)  # a word whole
        parts_said = line.split(SEPARATOR)  # the session and the token's time left stay
        assert "dev" in parts_said and any(p.endswith(" left") for p in parts_said), (width, line)
        if width >= 60:
            assert said == note, (width, line)


@async_test
async def test_a_throttled_catalog_fetch_says_so_and_at_what_pace_until_it_is_done(
    sim: Simulator, sso_config: Path, org: Organisation
) -> None:
    """Throttled, a fetch of 10,000 accounts takes minutes: the line said only "roles 3049/10000",
    never why it crawled nor how fast it could go."""
    log_in()
    sim.set(rate_limit=4, burst=1)  # 12 accounts: about 3 s of listing
    app = picker()
    async with app.run_test(size=(120, 12)) as pilot:
        await wait_until(pilot, lambda: "throttled" in _status_line(app), "the line says so")
        said = [p for p in _status_line(app).split(SEPARATOR) if "throttled" in p]
        pace = r"throttled to \d+(\.\d)? calls/s(, about \d+m left)?"
        assert len(said) == 1 and re.fullmatch(pace, said[0]), said
        await wait_until(pilot, catalog_loaded(app, org), "the whole catalog", timeout=30)
        await pilot.pause()
        assert "throttled" not in _status_line(app)  # the fetch is over: nothing is paced now


@async_test
async def test_listing_the_failed_accounts_again_counts_them_not_roles_of_no_accounts(
    sim: Simulator, sso_config: Path, org: Organisation
) -> None:
    """A fresh catalog whose accounts failed is listed again, account by account: the line
    said "loading: 0 accounts, roles 3/0"."""
    log_in()
    sim.set(malformed={"ListAccountRoles"})  # every account fails, and is cached so
    app = picker()
    async with app.run_test(size=(120, 12)) as pilot:
        await wait_until(pilot, catalog_loaded(app, org), "the catalog")
    failed = len(org.accounts)
    sim.set(malformed=set(), latency=0.2)
    app = picker()
    seen: set[str] = set()

    def listing() -> bool:
        seen.add(_status_line(app))
        return "listing roles again" in _status_line(app)

    async with app.run_test(size=(120, 12)) as pilot:
        await wait_until(pilot, listing, "the line says what it lists")
        said = [p for p in _status_line(app).split(SEPARATOR) if "again" in p]
        assert len(said) == 1 and re.fullmatch(rf"listing roles again: \d+/{failed}", said[0])
        await wait_until(pilot, catalog_loaded(app, org), "the whole catalog", timeout=30)
    assert not [line for line in seen if re.search(r"\b0 accounts|\d/0\b", line)], seen


def test_a_throttled_fetch_says_about_how_long_it_has_left() -> None:
    """10,000 accounts at 20 calls/s: over eight minutes, which the line did not say."""
    status = StatusLine("dev")
    status.progress = Progress(loading=True, accounts=10000, roles_done=400, paced=Paced(20.0))
    said = [p.full for p in status.parts() if "throttled" in p.full]
    assert said == ["throttled to 20 calls/s, about 8m left"]
    status.progress = Progress(loading=True, accounts=10000, roles_done=9990, paced=Paced(20.0))
    assert "throttled to 20 calls/s" in [p.full for p in status.parts()]  # under a minute
