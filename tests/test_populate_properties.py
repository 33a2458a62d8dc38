"""Properties of `populate`'s managed block over arbitrary AWS config files (hypothesis).

For any valid config text (comments `#` `;`, blank lines, LF/CRLF/CR, no final newline,
unicode, many sections, profile headers spelled every way botocore accepts, another session's
block, an old block of this session or none) and any catalog: nothing outside the block changes,
a second application is byte-identical, botocore parses the result, and every profile botocore
sees is either the user's own (values unchanged) or one of the block's (none shadowed).
"""

from __future__ import annotations

import os
import shlex
import tempfile
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from botocore.configloader import build_profile_map, raw_config_parse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tui.export.aws_config import populated, render_block
from tui.export.ini_sections import split_lines
from tui.export.profile_names import profile_names
from tui.models import Account, Catalog, SsoSession

SESSION = SsoSession(name="dev", start_url="https://example.awsapps.com/start", region="eu-west-1")
OTHER = SsoSession(name="other", start_url="https://other.awsapps.com/start", region="us-east-1")
BEGIN = "# >>> ssotui populate: session dev "
END = "# <<< ssotui populate: session dev"
RESERVED = "zz-"  # the profiles of blocks already in the file start so; no user profile does
ROLE_CHARS = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+=,.@_-"
NAME_CHARS = ROLE_CHARS + "éßø"

unicode_text = st.text(
    st.characters(blacklist_categories=("Cs", "Cc", "Zl", "Zp"), blacklist_characters="\x85"),
    max_size=12,
)
role_names = st.one_of(
    st.text(ROLE_CHARS, min_size=1, max_size=10), st.sampled_from(["default", "Admin", "-", "."])
)
account_names = st.one_of(
    unicode_text.filter(lambda s: s.strip() == s and bool(s)),
    st.sampled_from(["acme", "Acme", "東京", "Zürich Analytics", "a b/c[d]", "default"]),
)


@st.composite
def catalogs(draw: st.DrawFn) -> Catalog:
    ids = draw(
        st.lists(st.integers(10**11, 10**12 - 1).map(str), unique=True, min_size=0, max_size=6)
    )
    accounts = tuple(Account(account_id=i, name=draw(account_names)) for i in ids)
    roles = {
        a.account_id: tuple(draw(st.lists(role_names, unique=True, max_size=3))) for a in accounts
    }
    return Catalog(accounts=accounts, roles=roles, fetched_at=datetime(2024, 1, 1, tzinfo=UTC))


@dataclass
class Layout:
    """A generated config file: its text and the user's own profiles botocore must keep."""

    text: str
    newline: str


values = unicode_text.map(str.strip).filter(bool)
comments = st.tuples(st.sampled_from(["#", ";", "  #", "\t;"]), unicode_text).map("".join)
blanks = st.sampled_from(["", "  "])
keys = st.text("abcdefghijklmnopqrstuvwxyz_", min_size=1, max_size=8)


@st.composite
def section_body(draw: st.DrawFn) -> list[str]:
    lines: list[str] = []
    for key in draw(st.lists(keys, unique=True, max_size=3)):
        form = draw(st.sampled_from(["plain", "continued", "nested"]))
        sep = draw(st.sampled_from([" = ", "=", ": "]))
        if form == "nested":  # botocore's sub-section: `s3 =` then indented `k = v` lines
            lines.append(f"{key} =")
            lines.append(f"    {draw(keys)} = {draw(values)}")
        else:
            lines.append(f"{key}{sep}{draw(values)}")
            if form == "continued":
                lines.append("    " + draw(values))
        if draw(st.booleans()):
            lines.append(draw(st.one_of(comments, blanks)))
    return lines


def header_spellings(name: str) -> list[str]:
    """Ways of naming profile `name` that botocore reads as that profile (it shlex-splits)."""
    return [
        f"[profile {name}]",
        f"[profile  {name}]",
        f"[profile\t{name}]",
        f'[profile "{name}"]',
        f"[profile '{name}']",
        f"[profile {name}] ; note",
    ]


@st.composite
def config_texts(draw: st.DrawFn, catalog: Catalog, prefix: str, template: str) -> Layout:
    # The names populate would like to use, and their disambiguated forms: the user may own any.
    wanted = profile_names(catalog, prefix=prefix, template=template)
    risky = [p.name for p in wanted] + [f"{p.name}-{p.account_id}" for p in wanted]
    profile = st.one_of(st.text(NAME_CHARS, min_size=1, max_size=10), st.sampled_from(risky))
    if not risky:
        profile = st.text(NAME_CHARS, min_size=1, max_size=10)
    profile = profile.filter(lambda n: not n.startswith(RESERVED))
    names = draw(st.lists(profile, unique_by=str.casefold, max_size=5))
    headers = [draw(st.sampled_from(header_spellings(n))) for n in names]
    headers += draw(
        st.lists(
            st.sampled_from(
                ["[default]", "[sso-session dev]", "[services local]", "[plain]", "[préférences]"]
            ),
            unique=True,
            max_size=3,
        )
    )
    headers = draw(st.permutations(headers))
    newline = draw(st.sampled_from(["\n", "\r\n", "\r"]))
    chunks = [[*draw(st.lists(st.one_of(comments, blanks), max_size=2))]]
    chunks += [[header, *draw(section_body())] for header in headers]
    # Blocks that are already there: another session's (the user's, for us) and an old one.
    for session in (OTHER, SESSION):
        if draw(st.booleans()):
            old = profile_names(draw(catalogs()), prefix=f"{RESERVED}{session.name}-")
            block = render_block(session, old, region=None, newline=newline)
            lines = block.split(newline)[:-1]
            chunks.insert(draw(st.integers(1, len(chunks))), lines)
    text = "".join(line + newline for chunk in chunks for line in chunk)
    if text and not draw(st.booleans()):
        text = text[: -len(newline)]  # no final newline
    return Layout(text, newline)


def parse(text: str) -> dict[str, Any]:
    """What botocore makes of `text` as a config file (raises ConfigParseError)."""
    fd, name = tempfile.mkstemp(suffix=".config")
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(text.encode("utf-8"))
        return build_profile_map(raw_config_parse(name))
    finally:
        os.unlink(name)


def block_span(text: str) -> tuple[int, int] | None:
    start = text.find(BEGIN)
    if start < 0:
        return None
    end = text.index(END, start) + len(END)
    for ending in ("\r\n", "\r", "\n"):
        if text.startswith(ending, end):
            return start, end + len(ending)
    return start, end


def user_profiles(text: str) -> dict[str, Any]:
    """The profiles botocore sees in `text` apart from this session's block."""
    span = block_span(text)
    outside = text if span is None else text[: span[0]] + text[span[1] :]
    return dict(parse(outside)["profiles"])


@st.composite
def cases(draw: st.DrawFn) -> tuple[Catalog, str, str, str | None, Layout]:
    catalog = draw(catalogs())
    prefix = draw(st.sampled_from(["", "acme-", "x."]))
    template = draw(
        st.sampled_from(["{account}.{role}", "{role}", "{account_id}-{role}", "{account}"])
    )
    region = draw(st.sampled_from([None, "eu-central-1"]))
    return catalog, prefix, template, region, draw(config_texts(catalog, prefix, template))


@settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(case=cases())
def test_managed_block_changes_only_itself_is_idempotent_and_parses(
    case: tuple[Catalog, str, str, str | None, Layout],
) -> None:
    catalog, prefix, template, region, layout = case
    text = layout.text
    parse(text)  # the generated input is valid: botocore reads it
    mine = user_profiles(text)

    plan = populated(text, SESSION, catalog, region=region, prefix=prefix, template=template)
    result, count = plan.text, plan.count
    assert plan.skipped == []

    # Nothing outside the block moved.
    old = block_span(text)
    new = block_span(result)
    assert new is not None
    if old is not None:
        assert new[0] == old[0]
        assert result[: new[0]] + result[new[1] :] == text[: old[0]] + text[old[1] :]
    else:
        assert result[new[1] :] == ""
        assert result.startswith(text)
        assert set(result[len(text) : new[0]]) <= {"\r", "\n"}
    if any(c in text for c in "\r\n"):  # the block ends its lines as the file does
        assert {e for _, e, _ in split_lines(result[new[0] : new[1]])} == {layout.newline}

    # A second run changes nothing.
    second = populated(result, SESSION, catalog, region=region, prefix=prefix, template=template)
    again, again_count = second.text, second.count
    assert again == result
    assert again_count == count == len(catalog.pairs())

    # botocore reads it; the user's profiles are as they were and none is shadowed by ours.
    profiles = parse(result)["profiles"]
    for name, body in mine.items():
        assert profiles.get(name) == body, f"user profile {name!r} changed"
    ours = {n: p for n, p in profiles.items() if n not in mine}
    assert len(ours) == count, "a generated profile shares its name with another profile"
    assert sorted((p["sso_account_id"], p["sso_role_name"]) for p in ours.values()) == sorted(
        (a.account_id, role) for a, role in catalog.pairs()
    )
    for name, body in ours.items():
        assert body["sso_session"] == "dev"
        assert body.get("region") == (region or SESSION.region)  # never a profile without one
        assert shlex.split(f"profile {name}") == ["profile", name]


def test_roles_that_sanitise_alike_in_one_account_get_distinct_names() -> None:
    acme = Account(account_id="123456789012", name="acme")
    catalog = Catalog(
        accounts=(acme,),
        roles={acme.account_id: ("Admin", "Admin-", "Admin.")},
        fetched_at=datetime(2024, 1, 1, tzinfo=UTC),
    )
    result = populated("", SESSION, catalog).text
    profiles = parse(result)["profiles"]  # a duplicate section would not parse
    assert sorted(p["sso_role_name"] for p in profiles.values()) == ["Admin", "Admin-", "Admin."]


def test_profiles_named_with_a_tab_or_quotes_are_the_users() -> None:
    acme = Account(account_id="123456789012", name="acme")
    catalog = Catalog(
        accounts=(acme,),
        roles={acme.account_id: ("Admin", "ReadOnly")},
        fetched_at=datetime(2024, 1, 1, tzinfo=UTC),
    )
    text = '[profile\tacme.Admin]\nregion = x\n[profile "acme.ReadOnly"]\nregion = y\n'
    result = populated(text, SESSION, catalog).text
    profiles = parse(result)["profiles"]
    assert profiles["acme.Admin"] == {"region": "x"}
    assert profiles["acme.ReadOnly"] == {"region": "y"}
    assert len(profiles) == 4
