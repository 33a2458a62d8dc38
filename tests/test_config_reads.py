"""A large AWS config file is parsed once and read from ssotui's cache while it is unchanged."""

from __future__ import annotations

import configparser
import json
import stat
import time
from typing import Any

import pytest

from tests.conftest import Home
from tui.aws.sessions import config_sections, load_sessions, resolve_session
from tui.errors import ConfigError
from tui.store import config_reads

SESSION = """\
[sso-session dev]
sso_start_url = https://dev.awsapps.com/start
sso_region = eu-west-1
"""


def _big(session: str = SESSION, extra: str = "") -> str:
    """A config file of 500 profiles (~50 KB), as `ssotui populate` writes them."""
    profiles = "".join(
        f"\n[profile p{i}]\nsso_session = dev\nsso_account_id = {100000000000 + i}\n"
        "sso_role_name = ReadOnly\nregion = us-east-1\n"
        for i in range(500)
    )
    return session + extra + profiles


@pytest.fixture
def parses(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Each parse of a config file by configparser; files count as settled at once, and
    nothing is remembered from earlier tests in this process."""
    seen: list[str] = []
    real = configparser.RawConfigParser.read_string

    def counted(self: Any, text: str, source: str = "<string>") -> None:
        seen.append(source)
        real(self, text, source)

    monkeypatch.setattr(configparser.RawConfigParser, "read_string", counted)
    monkeypatch.setattr(config_reads, "SETTLED_NS", 0)
    monkeypatch.setattr(config_reads, "_last", {})
    return seen


def _forget_this_process(monkeypatch: pytest.MonkeyPatch) -> None:
    """As the next command, another process, finds things: only the kept file."""
    monkeypatch.setattr(config_reads, "_last", {})


def test_a_large_unchanged_config_is_parsed_once(
    home: Home, parses: list[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    home.write_config(_big())
    first = config_sections()
    _forget_this_process(monkeypatch)
    assert config_sections() == first
    assert resolve_session(name="p7").start_url == "https://dev.awsapps.com/start"
    assert parses == [str(home.aws_config)]
    kept = config_reads.cache_path(home.aws_config)
    assert stat.S_IMODE(kept.stat().st_mode) == 0o600
    assert stat.S_IMODE(kept.parent.stat().st_mode) == 0o700


def test_a_changed_config_is_read_anew_at_once(
    home: Home, parses: list[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    home.write_config(_big())
    assert [s.start_url for s in load_sessions()] == ["https://dev.awsapps.com/start"]
    # the same size, in place: only the times tell the change
    time.sleep(0.05)
    home.write_config(_big(SESSION.replace("dev.awsapps", "ved.awsapps")))
    _forget_this_process(monkeypatch)
    assert [s.start_url for s in load_sessions()] == ["https://ved.awsapps.com/start"]
    home.write_config(_big(extra="[sso-session"))
    with pytest.raises(ConfigError, match=r"line 4 is malformed \(a line that is not"):
        load_sessions()
    assert len(parses) == 3


def test_a_config_changed_just_now_is_not_kept(home: Home) -> None:
    # a second write within the file system's clock tick would leave the same times
    home.write_config(_big())
    load_sessions()
    assert not config_reads.cache_path(home.aws_config).exists()


def test_small_files_and_files_with_keys_are_not_kept(home: Home, parses: list[str]) -> None:
    home.write_config(SESSION)
    load_sessions()
    assert not config_reads.cache_path(home.aws_config).exists()
    home.write_config(_big(extra="[default]\naws_secret_access_key = SECRETKEY\n"))
    load_sessions()
    assert not config_reads.cache_path(home.aws_config).exists()


@pytest.mark.parametrize(
    "change", ["truncated", "nested too deep", "open to others", "other sections"]
)
def test_a_kept_read_that_is_corrupt_or_not_ours_is_ignored(
    home: Home, parses: list[str], monkeypatch: pytest.MonkeyPatch, change: str
) -> None:
    home.write_config(_big())
    load_sessions()
    kept = config_reads.cache_path(home.aws_config)
    text = kept.read_text()
    if change == "truncated":
        kept.write_text(text[: len(text) // 2])
    elif change == "nested too deep":
        kept.write_text("[" * 100_000)
    elif change == "open to others":
        kept.write_text(text.replace("dev.awsapps", "evil.awsapps"))
        kept.chmod(0o644)
    else:
        data = json.loads(text)
        data["sections"]["sso-session dev"] = {"sso_start_url": 1}
        kept.write_text(json.dumps(data))
    _forget_this_process(monkeypatch)
    assert [s.start_url for s in load_sessions()] == ["https://dev.awsapps.com/start"]
    assert len(parses) == 2
