"""A large AWS config file is parsed once and read from ssotui's cache while it is unchanged."""

from __future__ import annotations

import configparser
import json
import os
import stat
import time
from typing import Any

import pytest

from tests.cli_helpers import ssotui
from tests.conftest import Home, here
from tui.aws import kept_sessions, session_choice, sessions
from tui.aws.endpoints import portal_route
from tui.aws.session_choice import chosen_session
from tui.aws.sessions import config_sections, load_sessions, session_problems
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
    first = config_sections(here())
    _forget_this_process(monkeypatch)
    assert config_sections(here()) == first
    assert chosen_session(here(), name="p7")[0].start_url == "https://dev.awsapps.com/start"
    assert parses == [str(home.aws_config)]
    kept = config_reads.cache_path(here(), home.aws_config)
    assert stat.S_IMODE(kept.stat().st_mode) == 0o600
    assert stat.S_IMODE(kept.parent.stat().st_mode) == 0o700


def test_a_changed_config_is_read_anew_at_once(
    home: Home, parses: list[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    home.write_config(_big())
    assert [s.start_url for s in load_sessions(here())] == ["https://dev.awsapps.com/start"]
    # the same size, in place: only the times tell the change
    time.sleep(0.05)
    home.write_config(_big(SESSION.replace("dev.awsapps", "ved.awsapps")))
    _forget_this_process(monkeypatch)
    assert [s.start_url for s in load_sessions(here())] == ["https://ved.awsapps.com/start"]
    home.write_config(_big(extra="[sso-session"))
    with pytest.raises(ConfigError, match=r"line 4 is malformed \(a line that is not"):
        load_sessions(here())
    assert len(parses) == 3


def test_a_config_changed_just_now_is_not_kept(home: Home) -> None:
    # a second write within the file system's clock tick would leave the same times
    home.write_config(_big())
    load_sessions(here())
    assert not config_reads.cache_path(here(), home.aws_config).exists()


def test_a_config_written_just_now_is_parsed_once_by_one_command(
    home: Home, parses: list[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    # `ssotui populate` run again right after the last one wrote its profiles: the session,
    # then what decides the portal's route, read the file. Was: parsed by each (2 x ~45 ms for
    # 771 profiles; the second run ~12% slower than the first).
    monkeypatch.setattr(config_reads, "SETTLED_NS", 3600 * 10**9)  # not settled: not kept
    home.write_config(_big())
    assert chosen_session(here(), name="dev")[0].region == "eu-west-1"
    assert (
        portal_route("eu-west-1", os.environ)[0] is not None
    )  # nothing in the file sends it to botocore
    assert parses == [str(home.aws_config)]
    assert not config_reads.cache_path(here(), home.aws_config).exists()
    # changed since: read anew, in the same process
    time.sleep(0.05)
    home.write_config(_big(SESSION.replace("dev.awsapps", "ved.awsapps")))
    assert chosen_session(here(), name="dev")[0].start_url == "https://ved.awsapps.com/start"
    assert len(parses) == 2


def test_small_files_and_files_with_keys_are_not_kept(home: Home, parses: list[str]) -> None:
    home.write_config(SESSION)
    load_sessions(here())
    assert not config_reads.cache_path(here(), home.aws_config).exists()
    home.write_config(_big(extra="[default]\naws_secret_access_key = SECRETKEY\n"))
    load_sessions(here())
    assert not config_reads.cache_path(here(), home.aws_config).exists()


def test_a_small_config_costs_no_digest_of_ssotuis_code(
    home: Home, parses: list[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """What a kept read is tagged with (a digest of the code that reads sessions, three
    source files read and hashed) is worked out only for a file whose read may be kept."""
    home.write_config(SESSION)
    monkeypatch.setattr(kept_sessions, "rules", _counted(kept_sessions.rules))
    load_sessions(here())
    assert len(parses) == 1
    assert kept_sessions.rules.calls == 0  # type: ignore[attr-defined]
    home.write_config(_big())
    load_sessions(here())
    assert kept_sessions.rules.calls > 0  # type: ignore[attr-defined]


def _counted(function: Any) -> Any:
    def counting() -> Any:
        counting.calls += 1  # type: ignore[attr-defined]
        return function()

    counting.calls = 0  # type: ignore[attr-defined]
    return counting


@pytest.mark.parametrize(
    "change", ["truncated", "nested too deep", "open to others", "other sections"]
)
def test_a_kept_read_that_is_corrupt_or_not_ours_is_ignored(
    home: Home, parses: list[str], monkeypatch: pytest.MonkeyPatch, change: str
) -> None:
    home.write_config(_big())
    load_sessions(here())
    kept = config_reads.cache_path(here(), home.aws_config)
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
    assert [s.start_url for s in load_sessions(here())] == ["https://dev.awsapps.com/start"]
    assert len(parses) == 2


MIXED = """\
[sso-session dev]
sso_start_url = https://dev.awsapps.com/start
sso_region = eu-west-1
sso_registration_scopes = sso:account:access, other:scope

[sso-session broken]
sso_start_url = https://broken.awsapps.com/start

[profile old-a]
sso_start_url = https://old.awsapps.com/start
sso_region = us-west-2

[profile old-b]
sso_start_url = https://dev.awsapps.com/start
sso_region = eu-west-1

[profile old-c]
sso_start_url = https://old.awsapps.com/start

[profile uses-missing]
sso_session = nowhere
"""


def _what_commands_see() -> list[Any]:
    """What the sessions read from the config file tell a user, by every way they are asked."""
    seen: list[Any] = [load_sessions(here()), session_problems(here())]
    for name in ("dev", "p7", "old-a", "old-b", "old-c", "broken", "uses-missing", "nope"):
        try:
            seen.append(chosen_session(here(), name=name)[0])
        except ConfigError as exc:
            seen.append(str(exc))
    try:
        chosen_session(here())
    except ConfigError as exc:
        seen.append(str(exc))
    return seen


def test_the_next_command_uses_what_the_last_one_found(
    home: Home, parses: list[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    home.write_config(_big(MIXED))
    first = _what_commands_see()
    built: list[int] = []
    real = sessions.profile_map
    for module in (sessions, session_choice):
        monkeypatch.setattr(module, "profile_map", lambda s: built.append(1) or real(s))
    _forget_this_process(monkeypatch)
    assert _what_commands_see() == first
    # neither parsed nor rebuilt: 15,000 profiles cost every command ~90 ms to rebuild
    assert parses == [str(home.aws_config)] and built == []
    assert [s.start_url for s in first[0]] == [
        "https://dev.awsapps.com/start",
        "https://old.awsapps.com/start",
    ]


def test_what_was_found_by_other_rules_is_not_used(
    home: Home, parses: list[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    home.write_config(_big())
    load_sessions(here())
    kept = config_reads.cache_path(here(), home.aws_config)
    kept.write_text(kept.read_text().replace("dev.awsapps", "old.awsapps"))
    kept.chmod(0o600)
    _forget_this_process(monkeypatch)
    # a byte changed in what was kept: its checksum fails
    assert [s.start_url for s in load_sessions(here())] == ["https://dev.awsapps.com/start"]
    assert len(parses) == 2
    # kept by another ssotui (other rules): the kept sections are used, not what it found
    built: list[int] = []
    real = sessions.profile_map
    monkeypatch.setattr(sessions, "profile_map", lambda s: built.append(1) or real(s))
    monkeypatch.setattr(kept_sessions, "rules", lambda: "other rules")
    _forget_this_process(monkeypatch)
    assert [s.start_url for s in load_sessions(here())] == ["https://dev.awsapps.com/start"]
    assert len(parses) == 2 and built == [1]


def test_a_kept_read_still_follows_aws_profile_and_default_session(home: Home) -> None:
    """What a command found in a large config file is kept; the next commands, run with
    AWS_PROFILE naming a profile of the other session, then with default_session set, pick
    the session those name (neither is in the file, so neither may come from what was kept)."""
    home.write_config(
        _big(extra="\n[sso-session ops]\nsso_start_url = https://ops.awsapps.com/start\n"
             "sso_region = us-east-2\n\n[profile opsprof]\nsso_session = ops\n")
    )  # fmt: skip
    time.sleep(config_reads.SETTLED_NS / 1e9 + 0.2)  # settled: the read is kept
    first = ssotui("list")
    assert first.status != 0 and "several SSO sessions" in first.err, first.err
    assert config_reads.cache_path(here(), home.aws_config).exists()
    with_profile = ssotui("list", env={"AWS_PROFILE": "opsprof"})
    assert "session ops" in with_profile.err and "session dev" not in with_profile.err, (
        with_profile.err
    )
    home.config_dir.mkdir(parents=True, exist_ok=True)
    (home.config_dir / "config.toml").write_text('default_session = "dev"\n')
    with_default = ssotui("list", env={"AWS_PROFILE": "opsprof"})
    assert "session dev" in with_default.err and "session ops" not in with_default.err, (
        with_default.err
    )
