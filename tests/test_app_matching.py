"""The picker's matcher: every token must match, best matches first, typing narrows quickly."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from tui.app.matching import Matcher, Row, match_spans, query_tokens

ROWS = [
    Row("a", ("acme-prod-payments", "111122223333", "aws+payments@acme.example.com")),
    Row("b", ("prod-core", "444455556666", "core@example.com")),
    Row("c", ("shared-services", "777788889999", "prod-alerts@example.com")),
    Row("d", ("reproduction", "123412341234", "lab@example.com")),
    Row("e", ("Zürich Analytics", "999900001111", "zurich@example.com")),
    Row("f", ("sandbox", "555566667777", "sandbox@example.com"), rank=0),
]


def names(indices: list[int]) -> list[str]:
    return [ROWS[i].value for i in indices]


def test_an_empty_query_lists_everything_pinned_rows_first() -> None:
    assert names(Matcher(ROWS).filter("  ")) == ["f", "a", "b", "c", "d", "e"]


def test_every_token_must_match_somewhere_in_the_row() -> None:
    matcher = Matcher(ROWS)
    assert names(matcher.filter("prod 1111")) == ["a"]
    assert names(matcher.filter("PROD 4444")) == ["b"]
    assert names(matcher.filter("prod nothing")) == []


def test_prefix_beats_word_start_beats_anywhere_and_the_name_beats_other_columns() -> None:
    # b: name prefix; a: word start in the name; c: word start in the e-mail only;
    # d: inside a word of the name.
    assert names(Matcher(ROWS).filter("prod")) == ["b", "a", "c", "d"]


def test_pinned_rows_come_first_whatever_the_score() -> None:
    rows = [
        Row("data", ("data",)),
        Row("pinned", ("zzz-metadata",), rank=0),
        Row("r", ("x",), rank=1),
    ]
    assert [rows[i].value for i in Matcher(rows).filter("data")] == ["pinned", "data"]
    assert [rows[i].value for i in Matcher(rows).filter("")] == ["pinned", "r", "data"]


def test_matching_ignores_case_including_non_ascii() -> None:
    assert names(Matcher(ROWS).filter("zÜRICH")) == ["e"]


@settings(max_examples=60, deadline=None)
@given(
    st.lists(st.text(alphabet="aeiprodscm -1234", min_size=0, max_size=8), min_size=1, max_size=6)
)
def test_typing_and_deleting_gives_the_same_result_as_a_fresh_search(queries: list[str]) -> None:
    typed = Matcher(ROWS)
    for query in queries:
        for end in range(len(query) + 1):
            assert typed.filter(query[:end]) == Matcher(ROWS).filter(query[:end])


def test_match_spans_cover_every_occurrence_merged() -> None:
    assert match_spans("prod-preprod", query_tokens("prod pre")) == [(0, 4), (5, 12)]
    assert match_spans("abc", ()) == []
    assert match_spans("İstanbul", ("st",)) == []  # lower() changes its length: no highlight


def test_with_no_word_match_a_subsequence_finds_the_row() -> None:
    rows = [
        Row("sandbox", ("umbrella-sandbox-eu", "111122223333", "sandbox@umbrella.example.com")),
        Row("prod", ("umbrella-prod", "444455556666", "prod@umbrella.example.com")),
        Row("loose", ("u-m-b-s-a-n-d", "777788889999", "x@example.com")),
    ]
    matcher = Matcher(rows)
    assert [rows[i].value for i in matcher.filter("umbsand")] == ["sandbox", "loose"]
    assert matcher.fuzzy
    # As soon as a word matches, only word matches are listed.
    assert [rows[i].value for i in matcher.filter("umb")] == ["sandbox", "prod"]
    assert not matcher.fuzzy


def test_fuzzy_rows_with_more_tokens_matched_as_words_come_first() -> None:
    rows = [
        Row("loose", ("p-r-o-d-payments",)),  # both tokens only as subsequences
        Row("word", ("acme-prod-payments",)),  # "prod" as a word, "pymts" as a subsequence
    ]
    assert [rows[i].value for i in Matcher(rows).filter("prod pymts")] == ["word", "loose"]


def test_only_the_name_counts_for_a_subsequence() -> None:
    # s, b, x from the name and 5 from the id: the name alone does not hold them in order.
    assert names(Matcher(ROWS).filter("sbx5")) == []
    assert names(Matcher(ROWS).filter("sbx")) == ["f"]
    # "aws+payments@acme.example.com": a subsequence of the e-mail only.
    assert names(Matcher(ROWS).filter("wsacm")) == []


def test_fuzzy_spans_highlight_each_character_of_a_subsequence() -> None:
    assert match_spans("umbrella-sandbox", ("umbsand",), fuzzy=True) == [(0, 3), (9, 13)]
    assert match_spans("umbrella-sandbox", ("umbsand",)) == []
    assert match_spans("umbrella", ("umbsand",), fuzzy=True) == []


def test_a_whole_account_id_comes_first_even_before_a_name_that_is_that_id() -> None:
    # An account may be named with another account's id; pasting the id must find the account
    # that has it, so that Enter opens its roles.
    rows = [
        Row("named-like-an-id", ("111122223333", "100000000003", "x@example.com")),
        Row("prod", ("prod", "444455556666", "prod@example.com")),
        Row("owner", ("zz-owner", "111122223333", "owner@example.com")),
        Row("prod-core", ("prod-core", "777788889999", "core@example.com")),
    ]
    matcher = Matcher(rows)
    assert [rows[i].value for i in matcher.filter("111122223333")][0] == "owner"
    assert [rows[i].value for i in matcher.filter("prod")][:2] == ["prod", "prod-core"]
    assert [rows[i].value for i in matcher.filter("core@example.com")] == ["prod-core"]
