"""ssotui's state file: favourites and recent roles survive, a broken file never stops ssotui."""

from __future__ import annotations

import stat
import threading
from datetime import UTC, datetime, timedelta
from pathlib import Path

from tests.conftest import here
from tui.store import state as state_store
from tui.store.state import MAX_RECENT, State


def test_a_missing_file_is_an_empty_state() -> None:
    assert state_store.load(here().state_file) == State()


def test_round_trip_through_the_file_with_0600() -> None:
    when = datetime(2025, 3, 1, 12, 0, tzinfo=UTC)
    state = (
        State()
        .toggle_favourite_account("111122223333")
        .toggle_favourite_role("111122223333", "AdministratorAccess")
        .record_use("444455556666", "ReadOnly", when)
    )
    state_store.save(state, here().state_file)
    assert state_store.load(here().state_file) == state
    mode = stat.S_IMODE(here().state_file.stat().st_mode)
    assert mode == 0o600
    assert here().state_file.read_text().startswith("# ssotui state")


def test_toggling_twice_removes_the_favourite() -> None:
    state = State().toggle_favourite_account("1").toggle_favourite_account("1")
    assert not state.is_favourite_account("1")


def test_recent_roles_are_most_recent_first_without_repeats_and_capped() -> None:
    state = State()
    start = datetime(2025, 1, 1, tzinfo=UTC)
    for n in range(MAX_RECENT + 5):
        state = state.record_use(f"{n:012d}", "Role", start + timedelta(minutes=n))
    state = state.record_use("000000000003", "Role", start + timedelta(days=1))
    assert len(state.recent) == MAX_RECENT
    assert state.recent_roles()[0] == ("000000000003", "Role")
    assert state.recent_roles().count(("000000000003", "Role")) == 1
    assert state.recent_accounts()[0] == "000000000003"


def test_a_corrupt_file_reads_as_empty(home: object) -> None:
    path = here().state_file
    path.parent.mkdir(parents=True)
    path.write_bytes(b"favourite_accounts = [\x00 oops")
    assert state_store.load(here().state_file) == State()
    path.write_bytes(b"\xff\xfe not utf-8")
    assert state_store.load(here().state_file) == State()


def test_entries_of_the_wrong_shape_are_skipped(tmp_path: Path) -> None:
    path = tmp_path / "state.toml"
    path.write_text(
        'favourite_accounts = ["111122223333", 5, ""]\n'
        'favourite_roles = [{account_id = "1", role = "R"}, {account_id = 2}, "x"]\n'
        'recent = "not a list"\n'
    )
    state = state_store.load(path)
    assert state.favourite_accounts == {"111122223333"}
    assert state.favourite_roles == {("1", "R")}
    assert state.recent == ()


def test_concurrent_updates_lose_nothing() -> None:
    def favourite(n: int) -> None:
        state_store.update(here(), lambda s: s.toggle_favourite_account(f"{n:012d}"))

    threads = [threading.Thread(target=favourite, args=(n,)) for n in range(12)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(state_store.load(here().state_file).favourite_accounts) == 12


def test_a_region_per_account_round_trips_and_goes_back_to_none() -> None:
    state = (
        State().with_region("111122223333", "eu-west-1").with_region("444455556666", "us-east-2")
    )
    state_store.save(state, here().state_file)
    loaded = state_store.load(here().state_file)
    assert loaded.region_of("111122223333") == "eu-west-1"
    assert loaded.region_of("444455556666") == "us-east-2"
    assert loaded.region_of("777788889999") is None
    assert loaded.with_region("111122223333", None).region_of("111122223333") is None
    assert "[regions]" in here().state_file.read_text()


def test_a_state_file_from_before_regions_still_reads() -> None:
    here().state_file.parent.mkdir(parents=True, exist_ok=True)
    here().state_file.write_text(
        'version = 1\nfavourite_accounts = ["111122223333"]\nfavourite_roles = []\nrecent = []\n'
    )
    loaded = state_store.load(here().state_file)
    assert loaded.favourite_accounts == {"111122223333"}
    assert loaded.regions == ()


def test_a_region_that_is_no_region_name_is_skipped() -> None:
    here().state_file.parent.mkdir(parents=True, exist_ok=True)
    here().state_file.write_text(
        '[regions]\n111122223333 = "eu-west-1; rm -rf ~"\n444455556666 = 3\n'
        '777788889999 = "ap-southeast-2"\n'
    )
    assert state_store.load(here().state_file).regions == (("777788889999", "ap-southeast-2"),)
