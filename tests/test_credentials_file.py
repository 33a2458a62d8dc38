"""write-profile: one section changes, every other byte stays; botocore reads the result.

Also: modes, symlinks, atomicity under an injected failure, eight concurrent writers, and a
property test over generated credentials files (comments, CRLF, unicode, no final newline).
"""

from __future__ import annotations

import os
import re
import stat
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import boto3
import pytest
from botocore.configloader import raw_config_parse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.conftest import here
from tui.errors import FileWriteError, SsotuiError
from tui.export import credentials_file as credentials_file_module
from tui.export import ini_sections
from tui.export.credentials_file import (
    default_profile_name,
    profile_values,
    remove_profile,
    write_profile,
    written_profiles,
)
from tui.models import Account, RoleCredentials

SECRET = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY"
TOKEN = "IQoJb3JpZ2luX2VjEXAMPLE//////////wEaCXVzLWVhc3QtMSJHMEUCIQ+/="
ROOT = Path(__file__).resolve().parents[1]


def make_creds(
    name: str = "Production", role: str = "Admin", key: str = "ASIAEXAMPLEKEY123456"
) -> RoleCredentials:
    return RoleCredentials(
        account=Account("123456789012", name),
        role_name=role,
        access_key_id=key,
        secret_access_key=SECRET,
        session_token=TOKEN,
        expiration=datetime(2030, 1, 2, 3, 4, 5, tzinfo=UTC),
    )


def fingerprint(creds: RoleCredentials | None = None) -> str:
    """The fingerprint ssotui writes in its marker for `creds` (default: `make_creds()`)."""
    return credentials_file_module.fingerprint(profile_values(creds or make_creds()))


def credentials_file() -> Path:
    return Path(os.environ["AWS_SHARED_CREDENTIALS_FILE"])


def botocore_keys(profile: str) -> tuple[str, str, str | None]:
    creds = boto3.Session(profile_name=profile).get_credentials()
    assert creds is not None
    frozen = creds.get_frozen_credentials()
    return frozen.access_key, frozen.secret_key, frozen.token


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


# --- names ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("account", "role", "expected"),
    [
        ("Production", "AdministratorAccess", "Production.AdministratorAccess"),
        ("Zürich Analytics", "ReadOnly", "Zurich-Analytics.ReadOnly"),
        ("O'Brien [prod] / eu", "Admin", "O-Brien-prod-eu.Admin"),
        ("!!!", "Admin", "123456789012.Admin"),
    ],
)
def test_default_profile_name(account: str, role: str, expected: str) -> None:
    name = default_profile_name(make_creds(account, role))
    assert name == expected
    ini_sections.check_name(name)  # always a valid section name


@pytest.mark.parametrize("bad", ["", " lead", "trail ", "a[b", "a]b", "a\nb", "a\rb", "DEFAULT"])
def test_refuses_profile_names_that_would_not_read_back(bad: str) -> None:
    with pytest.raises(SsotuiError):
        write_profile(here(), make_creds(), bad)
    assert not credentials_file().exists()


def test_refuses_values_with_line_breaks_without_echoing_them() -> None:
    bad = make_creds(key="ASIA\n[default]\naws_access_key_id = EVIL")
    with pytest.raises(SsotuiError) as caught:
        write_profile(here(), bad, "p")
    assert "line break" in caught.value.message and "EVIL" not in caught.value.message
    assert not credentials_file().exists()


# --- new files ------------------------------------------------------------------------------


def test_new_file_is_0600_in_a_0700_folder_and_botocore_reads_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "fresh" / "aws" / "credentials"
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(path))
    assert write_profile(here(), make_creds()) == "Production.Admin"
    assert mode(path) == 0o600
    assert mode(path.parent) == 0o700 and mode(path.parent.parent) == 0o700
    assert botocore_keys("Production.Admin") == ("ASIAEXAMPLEKEY123456", SECRET, TOKEN)
    text = path.read_text()
    assert text == (
        "[Production.Admin]\n"
        f"# written by ssotui for account 123456789012, role Admin; keys sha256:{fingerprint()}\n"
        "aws_access_key_id = ASIAEXAMPLEKEY123456\n"
        f"aws_secret_access_key = {SECRET}\n"
        f"aws_session_token = {TOKEN}\n"
        "x_security_token_expires = 2030-01-02T03:04:05Z\n"
    )
    # Nothing is left beside it: no temporary file, no lock file.
    assert {p.name for p in path.parent.iterdir()} == {"credentials"}


# --- existing files: only the section changes ------------------------------------------------

EXISTING = (
    "# my credentials\r\n"
    "; keep this\r\n"
    "[default]\r\n"
    "aws_access_key_id = AKIADEFAULT\r\n"
    "aws_secret_access_key = default-secret\r\n"
    "\r\n"
    "[prod]   \r\n"
    "aws_access_key_id = OLDKEY\r\n"
    "aws_secret_access_key = old-secret\r\n"
    "region = eu-west-1\r\n"
    "\r\n"
    "# the next one is Zürich's\r\n"
    "[zürich]\r\n"
    "aws_access_key_id = AKIAZH\r\n"
    "aws_secret_access_key = zh-secret\r\n"
    "# trailing comment without a newline"
)


def test_replaces_ssotuis_keys_in_place_and_keeps_every_other_byte() -> None:
    path = credentials_file()
    path.write_bytes(EXISTING.encode("utf-8"))
    path.chmod(0o640)
    write_profile(here(), make_creds(), "prod", force=True)  # [prod] holds long-lived keys
    after = path.read_bytes().decode("utf-8")
    head = EXISTING.index("aws_access_key_id = OLDKEY")
    tail = EXISTING.index("\r\n# the next one")
    assert after[:head] == EXISTING[:head]
    assert after.endswith(EXISTING[tail:])
    middle = after[head : len(after) - len(EXISTING[tail:])]
    assert middle == (
        f"# written by ssotui for account 123456789012, role Admin; keys sha256:{fingerprint()}\r\n"
        "aws_access_key_id = ASIAEXAMPLEKEY123456\r\n"
        f"aws_secret_access_key = {SECRET}\r\n"
        f"aws_session_token = {TOKEN}\r\n"
        "x_security_token_expires = 2030-01-02T03:04:05Z\r\n"
        "region = eu-west-1\r\n"  # the user's, kept
    )
    assert mode(path) == 0o640
    assert botocore_keys("prod") == ("ASIAEXAMPLEKEY123456", SECRET, TOKEN)
    assert botocore_keys("default") == ("AKIADEFAULT", "default-secret", None)


def test_appends_a_missing_section_after_a_blank_line() -> None:
    path = credentials_file()
    path.write_bytes(b"[default]\naws_access_key_id = A\naws_secret_access_key = B")
    write_profile(here(), make_creds(), "new")
    after = path.read_bytes()
    assert after.startswith(
        b"[default]\naws_access_key_id = A\naws_secret_access_key = B\n\n[new]\n"
    )
    assert botocore_keys("new")[0] == "ASIAEXAMPLEKEY123456"
    assert botocore_keys("default") == ("A", "B", None)


def test_rewriting_is_stable_and_removes_a_duplicate_section() -> None:
    path = credentials_file()
    path.write_text("[p]\nx = 1\n[q]\ny = 2\n[p]\nz = 3\n", encoding="utf-8")
    write_profile(here(), make_creds(), "p")
    first = path.read_text()
    assert ini_sections.section_names(first) == ["p", "q"]
    write_profile(here(), make_creds(), "p")
    assert path.read_text() == first  # same credentials, same bytes
    write_profile(here(), make_creds(key="ASIASECONDKEY0000000"), "p")
    assert botocore_keys("p")[0] == "ASIASECONDKEY0000000"
    assert raw_config_parse(str(path))["q"] == {"y": "2"}


def test_bytes_that_are_not_utf8_are_kept() -> None:
    path = credentials_file()
    original = b"# caf\xe9 in latin-1\n[other]\nk = v\n"
    path.write_bytes(original)
    write_profile(here(), make_creds(), "p")
    assert path.read_bytes().startswith(original)


def test_section_at_the_end_without_a_newline_keeps_the_file_without_one() -> None:
    path = credentials_file()
    path.write_bytes(b"[a]\nk = v\n\n[p]\naws_access_key_id = OLD")
    write_profile(here(), make_creds(), "p", force=True)
    after = path.read_bytes()
    assert after.startswith(b"[a]\nk = v\n\n[p]\n# written by ssotui")
    assert after.endswith(b"x_security_token_expires = 2030-01-02T03:04:05Z")


def test_indented_next_header_stays_a_header() -> None:
    # An indented `[b]` after a deeper-indented option is a header for configparser; our
    # lines must not turn it into a continuation of theirs.
    path = credentials_file()
    path.write_text("[a]\n    k = v\n  [b]\nm = n\n", encoding="utf-8")
    write_profile(here(), make_creds(), "a")
    parsed = raw_config_parse(str(path))
    assert parsed["b"] == {"m": "n"}
    assert parsed["a"]["aws_access_key_id"] == "ASIAEXAMPLEKEY123456"


def test_remove_profile_and_written_profiles() -> None:
    path = credentials_file()
    path.write_text("# top\n[mine]\nk = v\n", encoding="utf-8")
    write_profile(here(), make_creds(), "one")
    write_profile(here(), make_creds(), "two")
    assert written_profiles(here()) == ["one", "two"]
    assert remove_profile(here(), "one") is True
    assert remove_profile(here(), "one") is False
    assert written_profiles(here()) == ["two"]
    assert remove_profile(here(), "two") is True
    assert path.read_text().startswith("# top\n[mine]\nk = v\n")
    assert ini_sections.section_names(path.read_text()) == ["mine"]


@pytest.mark.parametrize("newline", ["\n", "\r\n"])
def test_purge_leaves_the_file_as_if_the_profiles_had_never_been_written(newline: str) -> None:
    path = credentials_file()
    mine = (
        "# my keys\n[default]\naws_access_key_id = AKIADEFAULT\naws_secret_access_key = s\n"
        "\n; work\n[work]\nregion = eu-west-1\n"
    ).replace("\n", newline)
    path.write_bytes(mine.encode())
    write_profile(here(), make_creds(), "one")
    write_profile(here(), make_creds(), "two")
    later = f"{newline}# added by hand{newline}[later]{newline}k = v{newline}"
    with path.open("ab") as handle:  # the user adds a profile after ssotui's
        handle.write(later.encode())
    write_profile(here(), make_creds(), "three")
    assert credentials_file_module.purge_written_profiles(here()) == ["one", "two", "three"]
    after = path.read_bytes().decode()
    assert after == mine + later  # was: a run of blank lines where each profile had been
    assert raw_config_parse(str(path)) == {
        "default": {"aws_access_key_id": "AKIADEFAULT", "aws_secret_access_key": "s"},
        "work": {"region": "eu-west-1"},
        "later": {"k": "v"},
    }


def test_purge_of_many_profiles_reads_a_large_file_once_not_once_per_profile(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """`logout --purge` of 200 profiles from a file of 400 took 5 s (2,000 of the user's and 50
    of ssotui's: 7 s), each profile dropped and checked on the whole file again; now it is one
    pass, so its passes over the file do not grow with the number of profiles."""
    path = credentials_file()
    mine = "\n".join(
        f"[u{i}]\naws_access_key_id = AKIA{i}\naws_secret_access_key = s\n" for i in range(50)
    )
    path.write_text(mine)
    for i in range(40):
        write_profile(here(), make_creds(key=f"ASIAEXAMPLEKEY{i:06d}"), f"s{i}")
    passes = {"classify": 0, "parse": 0}
    classify, parse = ini_sections.classify, credentials_file_module._parse

    def counted_classify(text: str) -> list[ini_sections.Line]:
        passes["classify"] += 1
        return classify(text)

    def counted_parse(text: str) -> dict[str, dict[str, str]] | None:
        passes["parse"] += 1
        return parse(text)

    monkeypatch.setattr(ini_sections, "classify", counted_classify)
    monkeypatch.setattr(credentials_file_module, "_parse", counted_parse)
    assert credentials_file_module.purge_written_profiles(here()) == [f"s{i}" for i in range(40)]
    assert path.read_text() == mine
    assert passes["classify"] <= 3 and passes["parse"] <= 2, passes


def test_a_profile_first_in_the_file_leaves_no_gap_at_its_top() -> None:
    path = credentials_file()
    write_profile(here(), make_creds(), "mine")
    with path.open("a", encoding="utf-8") as handle:
        handle.write("\n[default]\nk = v\n")
    assert remove_profile(here(), "mine") is True
    assert path.read_text(encoding="utf-8") == "[default]\nk = v\n"


# --- symlinks, atomicity, concurrency ---------------------------------------------------------


def test_symlinked_file_stays_a_symlink(tmp_path: Path) -> None:
    dotfiles = tmp_path / "dotfiles"
    dotfiles.mkdir()
    real = dotfiles / "aws-credentials"
    real.write_text("[default]\nk = v\n", encoding="utf-8")
    real.chmod(0o600)
    link = credentials_file()
    link.symlink_to(real)
    write_profile(here(), make_creds(), "p")
    assert link.is_symlink() and os.readlink(link) == str(real)
    assert real.read_text().startswith("[default]\nk = v\n\n[p]\n")
    assert botocore_keys("p")[0] == "ASIAEXAMPLEKEY123456"
    assert mode(real) == 0o600


def test_failure_before_rename_leaves_the_old_file(monkeypatch: pytest.MonkeyPatch) -> None:
    path = credentials_file()
    path.write_bytes(EXISTING.encode("utf-8"))

    def broken_replace(src: str, dst: str) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "replace", broken_replace)
    with pytest.raises(FileWriteError, match="old file is unchanged"):
        write_profile(here(), make_creds(), "prod", force=True)
    assert path.read_bytes() == EXISTING.encode("utf-8")
    leftovers = [p.name for p in path.parent.iterdir() if p.name.endswith(".tmp")]
    assert leftovers == []


WRITER = """
import sys
import time
from datetime import UTC, datetime
from tui.models import Account, RoleCredentials
from tui.export.credentials_file import write_profile
from tests.conftest import here

n, start_at, ROUNDS = sys.argv[1], float(sys.argv[2]), int(sys.argv[3])
while time.time() < start_at:  # all writers start together, after their imports
    time.sleep(0.001)
creds = RoleCredentials(
    account=Account("1234567890" + n.zfill(2), "Acct" + n), role_name="Admin",
    access_key_id="ASIAKEY" + n, secret_access_key="s" + n, session_token="t" + n,
    expiration=datetime(2030, 1, 1, tzinfo=UTC))
for i in range(ROUNDS):  # a new profile each time: a lost update would lose one for good
    write_profile(here(), creds, f"p{n}-{i}")
"""


ROUNDS = 5


def test_eight_concurrent_writers_lose_no_profile() -> None:
    path = credentials_file()
    path.write_text("# shared by everyone\n[default]\nk = v\n", encoding="utf-8")
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    start_at = str(time.time() + 1.0)
    writers = [
        subprocess.Popen(
            [sys.executable, "-c", WRITER, str(n), start_at, str(ROUNDS)], env=env, cwd=ROOT
        )
        for n in range(8)
    ]
    assert [w.wait(60) for w in writers] == [0] * 8
    parsed = raw_config_parse(str(path))
    wanted = {f"p{n}-{i}" for n in range(8) for i in range(ROUNDS)}
    assert set(parsed) == {"default"} | wanted
    for n in range(8):
        assert parsed[f"p{n}-0"]["aws_access_key_id"] == f"ASIAKEY{n}"
    assert path.read_text().startswith("# shared by everyone\n[default]\nk = v\n")


# --- property: arbitrary files, only the target section changes --------------------------------


@dataclass
class Chunk:
    """One section as generated: its header line, content lines and trailing lines."""

    name: str
    header: str
    content: list[str]
    trailing: list[str]


names = (
    st.text(
        st.characters(blacklist_categories=("Cs", "Cc", "Zl", "Zp"), blacklist_characters="[]\x85"),
        min_size=1,
        max_size=10,
    )
    .map(str.strip)
    .filter(lambda s: bool(s) and s != "DEFAULT")
)
free_text = st.text(
    st.characters(blacklist_categories=("Cs", "Cc", "Zl", "Zp"), blacklist_characters="\x85"),
    max_size=20,
)
values = free_text.filter(lambda s: bool(s.strip()))
comments = st.tuples(st.sampled_from(["#", ";", "  #", "\t;"]), free_text).map("".join)
blanks = st.sampled_from(["", "  ", "\t"])
# ssotui's own keys too (any case), which a write replaces and a removal takes out.
OWNED = ("aws_access_key_id", "AWS_Secret_Access_Key", "aws_session_token", "aws_security_token")
keys = st.one_of(
    st.text("abcdefghijklmnopqrstuvwxyz_", min_size=1, max_size=8), st.sampled_from(OWNED)
)


@st.composite
def sections(draw: st.DrawFn, name: str) -> Chunk:
    header = draw(st.sampled_from(["[{}]", "[{}]  ", "[{}] ; note", "[{}]# note"])).format(name)
    content: list[str] = []
    for key in draw(st.lists(keys, unique_by=str.lower, max_size=4)):
        sep = draw(st.sampled_from([" = ", "=", ": ", " =  "]))
        content.append(f"{key}{sep}{draw(values)}")
        for _ in range(draw(st.integers(0, 1))):
            content.append("    " + draw(values).strip())  # an indented continuation
        if draw(st.booleans()):
            content.append(draw(st.one_of(comments, blanks)))  # inside the section
    while content and not content[-1].strip() or content and content[-1].lstrip()[:1] in "#;":
        content.pop()  # content ends at its last option or continuation
    trailing = draw(st.lists(st.one_of(comments, blanks), max_size=3))
    return Chunk(name, header, content, trailing)


@st.composite
def ini_files(draw: st.DrawFn) -> tuple[list[str], list[Chunk], str, bool]:
    section_names = draw(st.lists(names, unique=True, max_size=6))
    chunks = [draw(sections(n)) for n in section_names]
    preamble = draw(st.lists(st.one_of(comments, blanks), max_size=3))
    newline = draw(st.sampled_from(["\n", "\r\n", "\r"]))
    final_newline = draw(st.booleans())
    return preamble, chunks, newline, final_newline


def render(preamble: list[str], chunks: list[Chunk], newline: str, final: bool) -> list[str]:
    """The file as a list of lines with their endings."""
    lines = preamble + [line for c in chunks for line in [c.header, *c.content, *c.trailing]]
    out = [line + newline for line in lines]
    if out and not final:
        out[-1] = out[-1][: -len(newline)]
    return out


@settings(
    max_examples=50,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
@given(
    layout=ini_files(),
    pick=st.integers(0, 10),
    file_mode=st.sampled_from([0o600, 0o640, 0o644]),
)
def test_any_file_only_the_target_section_changes(
    layout: tuple[list[str], list[Chunk], str, bool], pick: int, file_mode: int
) -> None:
    preamble, chunks, newline, final = layout
    lines = render(preamble, chunks, newline, final)
    before = "".join(lines)
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "credentials"
        path.write_bytes(before.encode("utf-8"))
        path.chmod(file_mode)
        parsed_before = raw_config_parse(str(path))
        target = chunks[pick].name if pick < len(chunks) else "ssotui-new"
        write_profile(here(), make_creds(), target, path, force=True)
        after = path.read_bytes().decode("utf-8")
        parsed_after = raw_config_parse(str(path))
        assert mode(path) == file_mode
        # botocore sees our keys in the target beside the user's others, and every other
        # section exactly as before.
        users = {
            k: v
            for k, v in parsed_before.pop(target, {}).items()
            if k not in {o.lower() for o in OWNED}
        }
        assert parsed_after.pop(target) == users | profile_values(make_creds())
        assert parsed_after == parsed_before
        # ... and taking ssotui's lines out again leaves the rest as botocore saw it: the
        # profile too while a line of the user's is left in it.
        assert remove_profile(here(), target, path) is True
        if pick < len(chunks) and users_line_left(chunks[pick].content):
            parsed_before[target] = users
        assert raw_config_parse(str(path)) == parsed_before
        assert mode(path) == file_mode

    if pick >= len(chunks):
        assert after.startswith(before)  # a new section is only ever appended
        return
    # Bytes: everything up to the end of the target's header line and everything from its
    # trailing comments/blank lines onwards are unchanged.
    start = len(preamble) + sum(1 + len(c.content) + len(c.trailing) for c in chunks[:pick])
    head = "".join(lines[: start + 1])
    tail = "".join(lines[start + 1 + len(chunks[pick].content) :])
    assert after.startswith(head) and after.endswith(tail)
    middle = after[len(head) : len(after) - len(tail)]
    # The user's lines in their order, ssotui's as one block where its first line was (else
    # right below the header).
    if not head.endswith(("\n", "\r")):  # a header that ended the file gets a line ending
        middle = re.sub(r"^(\r\n|\r|\n)", "", middle)
    kept = user_lines(chunks[pick].content)
    at = first_owned(chunks[pick].content)
    expected = kept[:at] + credentials_file_module.profile_lines(make_creds()) + kept[at:]
    # (An empty last line without a line ending, where the file ends, is no line at all.)
    assert _trimmed(middle.splitlines()) == _trimmed(expected)


def _trimmed(lines: list[str]) -> list[str]:
    while lines and lines[-1] == "":
        lines = lines[:-1]
    return lines


def _owned_flags(content: list[str]) -> list[bool]:
    """Which generated content lines are ssotui's (its keys and their continuations)."""
    flags: list[bool] = []
    owned = False
    for line in content:
        if not line.strip() or line.strip()[:1] in "#;":
            flags.append(False)
        elif line.startswith("    "):
            flags.append(owned)  # a continuation goes with its key
        else:
            name = re.split(r"[=:]", line, maxsplit=1)[0].strip().lower()
            owned = name in {o.lower() for o in OWNED}
            flags.append(owned)
    return flags


def user_lines(content: list[str]) -> list[str]:
    return [line for line, owned in zip(content, _owned_flags(content), strict=True) if not owned]


def users_line_left(content: list[str]) -> bool:
    """Whether the section keeps a line of the user's once ssotui's are out: a key, or a
    comment above ssotui's block (one below it is below the section's last key, where it
    goes with what follows, as any comment after a section's last key does)."""
    kept = user_lines(content)
    before_block = kept[: first_owned(content)]
    return any(line.strip() and line.strip()[:1] not in "#;" for line in kept) or any(
        line.strip() for line in before_block
    )


def first_owned(content: list[str]) -> int:
    """Where ssotui's block goes among the user's lines."""
    flags = _owned_flags(content)
    return flags[: flags.index(True)].count(False) if True in flags else 0


# --- the splice module on its own (populate reuses it for the config file) ---------------------


def test_splice_a_config_file_section_by_its_full_name() -> None:
    text = "[profile a]\nregion = x\n\n[sso-session dev]\nsso_region = y\n"
    out = ini_sections.replace_section(text, "profile b", ["sso_session = dev"])
    assert out == text + "\n[profile b]\nsso_session = dev\n"
    out = ini_sections.replace_section(out, "profile a", ["region = z"])
    assert out.startswith("[profile a]\nregion = z\n\n[sso-session dev]\n")
    assert ini_sections.section_text(out, "profile b") == "[profile b]\nsso_session = dev\n"
    assert ini_sections.remove_section(out, "profile b") == text.replace("x", "z") + "\n"
    assert ini_sections.section_names(out) == ["profile a", "sso-session dev", "profile b"]


def test_an_empty_header_at_the_end_gets_a_body() -> None:
    assert ini_sections.replace_section("[a]\r\nk = v\r\n[p]", "p", ["x = 1", "y = 2"]) == (
        "[a]\r\nk = v\r\n[p]\r\nx = 1\r\ny = 2"
    )
    assert ini_sections.replace_section("", "p", ["x = 1"]) == "[p]\nx = 1\n"


ini_alphabet = st.text(st.sampled_from(list("[]=:#; \t\r\nab")), max_size=60)


@settings(max_examples=100, deadline=None)
@given(text=ini_alphabet)
def test_section_names_agree_with_configparser(text: str) -> None:
    import configparser
    import io

    parser = configparser.RawConfigParser(strict=False)
    try:
        parser.read_file(io.StringIO(text, newline=None))
    except configparser.Error:
        ini_sections.parse_sections(text)  # must not crash either way
        return
    ours = list(dict.fromkeys(n for n in ini_sections.section_names(text) if n != "DEFAULT"))
    assert ours == parser.sections()


@settings(max_examples=200, deadline=None)
@given(text=ini_alphabet)
def test_dropping_a_section_changes_no_other_and_leaves_no_run_of_blank_lines(text: str) -> None:
    before = credentials_file_module._parse(text)
    if before is None:
        return
    for name in dict.fromkeys(ini_sections.section_names(text)):
        if name == "DEFAULT":
            continue
        after_text = ini_sections.drop_section(text, name)
        after = credentials_file_module._parse(after_text)
        assert after is not None
        assert after == {k: v for k, v in before.items() if k != name}
        runs = "\n".join(line.strip() for line in after_text.splitlines())
        assert "\n\n\n" not in runs or "\n\n\n" in "\n".join(
            line.strip() for line in text.splitlines()
        )


@settings(max_examples=200, deadline=None)
@given(text=ini_alphabet, data=st.data())
def test_dropping_several_sections_at_once_changes_no_other(text: str, data: st.DataObject) -> None:
    before = credentials_file_module._parse(text)
    if before is None:
        return
    names = [n for n in dict.fromkeys(ini_sections.section_names(text)) if n != "DEFAULT"]
    gone = data.draw(st.lists(st.sampled_from(names), unique=True)) if names else []
    after = credentials_file_module._parse(ini_sections.drop_sections(text, gone))
    assert after == {k: v for k, v in before.items() if k not in gone}
