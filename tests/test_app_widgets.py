"""The reusable filter list on its own: 10,000 rows, keys, clicks, and what it draws."""

from __future__ import annotations

from typing import Any

from textual.app import App, ComposeResult
from textual.strip import Strip

from tests.app_support import async_test, wait_until
from tui.app.matching import Row
from tui.app.widgets.filter_list import FilterList
from tui.app.widgets.in_order_input import HOLD_LIMIT
from tui.app.widgets.row_list import RowList
from tui.bench.keystrokes import sample_rows


class CountingRowList(RowList[str]):
    """A RowList that counts the lines it draws."""

    drawn = 0

    def render_line(self, y: int) -> Strip:
        CountingRowList.drawn += 1
        return super().render_line(y)


class ListApp(App[None]):
    def __init__(self, rows: list[Row[str]]) -> None:
        super().__init__()
        self.rows = rows
        self.chosen: list[object] = []
        self.highlighted: list[object] = []

    def compose(self) -> ComposeResult:
        yield FilterList[str](title="Accounts", tab_chooses=True, id="accounts")

    def on_mount(self) -> None:
        pane = self.query_one(FilterList)
        pane.set_rows(self.rows)
        pane.focus_filter()

    def on_filter_list_chosen(self, event: FilterList.Chosen) -> None:
        self.chosen.append(event.item)

    def on_filter_list_highlighted(self, event: FilterList.Highlighted) -> None:
        self.highlighted.append(event.item)


def _pane(app: App[Any]) -> FilterList[str]:
    pane: FilterList[str] = app.query_one(FilterList)
    return pane


@async_test
async def test_ten_thousand_rows_filter_and_choose_by_item() -> None:
    rows = sample_rows(10_000)
    app = ListApp(rows)
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.pause()
        assert _pane(app).count_text == "10000"
        await pilot.press(*"prod 12")
        visible = _pane(app).row_list.visible_rows()
        assert visible and all(
            "prod" in " ".join(r.columns).lower() and "12" in " ".join(r.columns) for r in visible
        )
        assert _pane(app).count_text == f"{len(visible)}/10000"
        await pilot.press("down", "down", "up", "enter")
        assert app.chosen == [visible[1].value]
        assert app.highlighted[-1] == visible[1].value
        # Nothing here moves the focus on after a choice: the keys after it wait a moment.
        await pilot.press("tab")
        await wait_until(pilot, lambda: len(app.chosen) == 2, "the held Tab")
        assert app.chosen[-1] == visible[1].value
        await pilot.press("pagedown")
        await wait_until(pilot, lambda: _pane(app).highlighted_item != visible[1].value, "PgDn")
        await pilot.press(*"zzzz")
        await wait_until(pilot, lambda: _pane(app).highlighted_item is None, "no match")
        await pilot.press("enter")
        await pilot.pause(HOLD_LIMIT)
        assert len(app.chosen) == 2  # nothing to choose


@async_test
async def test_only_the_visible_lines_are_drawn(monkeypatch: Any) -> None:
    monkeypatch.setattr("tui.app.widgets.filter_list.RowList", CountingRowList)
    app = ListApp(sample_rows(10_000))
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.pause()
        CountingRowList.drawn = 0
        await pilot.press("a")
        await pilot.pause()
        assert 0 < CountingRowList.drawn <= 3 * 30


@async_test
async def test_a_change_repaints_only_the_lines_that_changed(monkeypatch: Any) -> None:
    monkeypatch.setattr("tui.app.widgets.filter_list.RowList", CountingRowList)
    rows = sample_rows(50)
    app = ListApp(rows)
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.pause()
        CountingRowList.drawn = 0
        _pane(app).set_rows(list(rows))  # the same rows again (a catalog refresh)
        _pane(app).set_empty_text("nothing here")  # not shown while rows match
        await pilot.pause()
        assert CountingRowList.drawn == 0
        await pilot.press("down")  # the cursor leaves one row for the next
        await pilot.pause()
        assert CountingRowList.drawn == 2


@async_test
async def test_a_click_moves_the_cursor_and_a_second_click_chooses() -> None:
    app = ListApp(sample_rows(50))
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.pause()
        third = _pane(app).row_list.visible_rows()[2].value
        await pilot.click(RowList, offset=(5, 2))
        assert _pane(app).highlighted_item == third
        assert app.chosen == []
        await pilot.click(RowList, offset=(5, 2))
        assert app.chosen == [third]


@async_test
async def test_new_rows_keep_the_cursor_on_the_same_item() -> None:
    rows = sample_rows(100)
    app = ListApp(rows[:50])
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.pause()
        await pilot.press("down", "down", "down")
        before = _pane(app).highlighted_item
        _pane(app).set_rows(rows[50:] + rows[:50])  # more rows arrive, in front of it
        assert _pane(app).highlighted_item == before


@async_test
async def test_a_cursor_low_in_the_list_survives_fewer_matches_and_fewer_rows() -> None:
    rows = sample_rows(20)
    app = ListApp(rows)
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.pause()
        await pilot.press("down", "down", "down", "down")
        target = rows[0].value  # its 12-digit id matches that row alone
        await pilot.press(*target)
        assert _pane(app).highlighted_item == target
        assert len(_pane(app).row_list.visible_rows()) == 1
        await pilot.press("ctrl+u", "down", "down", "down", "down")
        _pane(app).set_rows(rows[:2])  # fewer rows than where the cursor was
        await pilot.pause()
        assert _pane(app).highlighted_item == rows[0].value
        assert app.highlighted[-1] == rows[0].value  # and the pane said so
