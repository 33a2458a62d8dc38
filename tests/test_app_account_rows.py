"""The accounts pane's rows: each account's mark, pin and dimming, and the column widths, as
the picker draws them (10,000 cached accounts take a short cut through the unmarked ones)."""

from __future__ import annotations

from datetime import UTC, datetime

from tui.app.matching import Row
from tui.app.model import FAVOURITE, RECENT, REST, CatalogModel
from tui.app.widgets.row_list import _MAX_COLUMN, _column_maxima
from tui.aws.catalog_events import AccountsPage
from tui.models import Account, Catalog
from tui.store.state import State

WHEN = datetime(2026, 12, 3, 12, 0, tzinfo=UTC)
ACCOUNTS = {
    "plain": Account("100000000000", "plain", "plain@example.com"),
    "failed": Account("100000000001", "failed", "failed@example.com"),
    "refused": Account("100000000002", "refused", "refused@example.com"),
    "incomplete": Account("100000000003", "incomplete", "incomplete@example.com"),
    "gone": Account("100000000004", "gone", "gone@example.com"),
    "new": Account("100000000005", "new", "new@example.com"),
    "favourite": Account("100000000006", "favourite", "favourite@example.com"),
    "loading": Account("100000000007", "loading", "loading@example.com"),
    "recent": Account("100000000008", "recent", "recent@example.com"),
    "unnamed": Account("100000000009", "", ""),
    "escape": Account("100000000010", "evil\x1b[2Jname", "a\x07@example.com"),
}
LISTED_ANEW = ("plain", "failed", "refused", "incomplete", "new", "favourite", "loading", "recent")


def _model() -> CatalogModel:
    """A cached catalog, then a fetch under way that has listed some accounts again."""
    cached = [a for key, a in ACCOUNTS.items() if key != "new"]
    model = CatalogModel()
    model.show_catalog(
        Catalog(
            accounts=tuple(cached),
            roles={a.account_id: ("Admin",) for a in cached if a is not ACCOUNTS["loading"]},
            fetched_at=WHEN,
            failed={ACCOUNTS["failed"].account_id: "timed out"},
            refused={ACCOUNTS["refused"].account_id: "no access"},
            incomplete={ACCOUNTS["incomplete"].account_id: "went round"},
        ),
        cached=True,
    )
    model.gone_accounts.add(ACCOUNTS["gone"].account_id)
    model.start_fetch()
    model.apply(AccountsPage(tuple(ACCOUNTS[key] for key in LISTED_ANEW)))
    return model


def _rows() -> dict[str, Row[Account]]:
    state = State(
        favourite_accounts=frozenset({ACCOUNTS["favourite"].account_id}),
        recent=((ACCOUNTS["recent"].account_id, "Admin", WHEN),),
    )
    rows = _model().account_rows(state)
    by_id = {row.value.account_id: row for row in rows}
    return {key: by_id[a.account_id] for key, a in ACCOUNTS.items()}


def test_each_account_has_the_mark_of_what_became_of_it() -> None:
    marks = {key: (row.mark, row.mark_kind) for key, row in _rows().items()}
    assert marks == {
        "plain": ("", ""),
        "failed": ("!", "failed"),
        "refused": ("⊘", "refused"),
        "incomplete": ("◐", "incomplete"),
        "gone": ("−", "gone"),
        "new": ("+", "new"),
        "favourite": ("★", "favourite"),
        "loading": ("…", "loading"),
        "recent": ("•", "recent"),
        "unnamed": ("", ""),
        "escape": ("", ""),
    }


def test_favourites_and_recent_accounts_are_pinned_and_gone_ones_dimmed() -> None:
    rows = _rows()
    assert {key for key, row in rows.items() if row.rank == FAVOURITE} == {"favourite"}
    assert {key for key, row in rows.items() if row.rank == RECENT} == {"recent"}
    assert all(row.rank == REST for key, row in rows.items() if key not in ("favourite", "recent"))
    assert {key for key, row in rows.items() if row.dim} == {"gone"}


def test_names_are_shown_safe_to_draw_and_an_unnamed_account_by_its_id() -> None:
    rows = _rows()
    assert rows["escape"].columns == ("evil␛[2Jname", "100000000010", "a␇@example.com")
    assert rows["unnamed"].columns == ("100000000009", "100000000009", "")
    assert rows["plain"].columns == ("plain", "100000000000", "plain@example.com")


def test_recently_used_accounts_come_first_then_every_other_by_name() -> None:
    state = State(recent=((ACCOUNTS["recent"].account_id, "Admin", WHEN),))
    labels = [row.value.label.casefold() for row in _model().account_rows(state)]
    assert labels[0] == "recent"
    assert labels[1:] == sorted(labels[1:])


def test_column_widths_are_the_widest_cell_of_each_column_capped() -> None:
    rows = [
        Row("a", ("ab", "abcdef")),
        Row("b", ("abcd",)),
        Row("c", ("x" * (_MAX_COLUMN + 5), "", "abc")),
    ]
    assert _column_maxima(rows) == [_MAX_COLUMN, 6, 3]
    assert _column_maxima([]) == []
