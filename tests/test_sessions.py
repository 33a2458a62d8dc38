"""Sessions: reading `[sso-session]` and legacy profiles, and the resolution rules of DESIGN."""

from __future__ import annotations

import hashlib

import botocore.exceptions
import botocore.session
import pytest
from botocore.configloader import build_profile_map
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.cli_here import ssotui_here as ssotui
from tests.conftest import Home, here
from tui.aws.session_choice import chosen_session
from tui.aws.sessions import load_sessions, parse_scopes, profile_map
from tui.errors import ConfigError, UsageError
from tui.models import DEFAULT_SCOPES
from tui.store import rewrites

TWO = """\
# my sessions
[sso-session dev]
sso_start_url = https://dev.awsapps.com/start
sso_region = eu-west-1
sso_registration_scopes = sso:account:access, , other:scope

[sso-session prod]
sso_start_url = https://prod.awsapps.com/start
sso_region = us-east-1

[profile dev-admin]
sso_session = dev
sso_account_id = 111111111111
sso_role_name = Admin
region = eu-central-1

[profile legacy]
sso_start_url = https://old.awsapps.com/start
sso_region = us-west-2
region = us-west-1
"""


def test_one_session_is_chosen_without_flags(home: Home) -> None:
    home.write_config(
        "[sso-session dev]\nsso_start_url = https://dev.awsapps.com/start\nsso_region = eu-west-1\n"
    )
    session = chosen_session(here())[0]
    assert (session.name, session.start_url, session.region) == (
        "dev",
        "https://dev.awsapps.com/start",
        "eu-west-1",
    )
    assert session.scopes == DEFAULT_SCOPES and not session.scopes_configured
    assert session.cache_key == hashlib.sha1(b"dev").hexdigest()


def test_sections_and_scopes_and_a_profiles_region_stays_the_profiles(home: Home) -> None:
    home.write_config(TWO)
    sessions = {s.label: s for s in load_sessions(here())}
    assert set(sessions) == {"dev", "prod", "https://old.awsapps.com/start"}
    dev = sessions["dev"]
    assert dev.scopes == ("sso:account:access", "other:scope") and dev.scopes_configured
    # `region` in a profile that uses the session is that profile's, not the session's
    assert dev.default_region is None
    assert sessions["prod"].default_region is None
    legacy = sessions["https://old.awsapps.com/start"]
    assert legacy.name is None and legacy.region == "us-west-2"
    assert legacy.default_region is None
    assert legacy.cache_key == hashlib.sha1(b"https://old.awsapps.com/start").hexdigest()


def test_same_sessions_as_botocore_sees(home: Home) -> None:
    home.write_config(TWO)
    full = botocore.session.Session().full_config
    ours = {s.name for s in load_sessions(here()) if s.name}
    assert ours == set(full["sso_sessions"])


def test_several_without_default_fail_with_the_list(home: Home) -> None:
    home.write_config(TWO)
    with pytest.raises(ConfigError) as err:
        chosen_session(here())
    message = err.value.message
    assert "dev" in message and "prod" in message and "legacy (legacy profile)" in message
    assert "--session" in message and "default_session" in message
    assert "\n" not in message
    # Where that setting goes, by its path: a new user has no idea where "ssotui's config" is.
    assert message.endswith(f"or set default_session in {here().config_file}")


def test_a_default_session_that_is_not_there_says_it_comes_from_config_toml(
    home: Home,
) -> None:
    """`ssotui list` said only "no sso-session 'zzz' in ~/.aws/config": a name the user never
    typed, with no word of where it came from."""
    home.write_config(TWO)
    home.config_dir.mkdir(parents=True, exist_ok=True)
    (home.config_dir / "config.toml").write_text('default_session = "zzz"\n')
    result = ssotui("list")
    assert result.status == 1
    assert result.err.startswith(
        "ssotui: default_session in ssotui's config.toml: no sso-session 'zzz' in "
    )
    assert result.err.rstrip().endswith("; change it there, or give --session NAME")
    assert "\n" not in result.err.strip()
    assert ssotui("list", "--session", "zzz").err.startswith("ssotui: no sso-session 'zzz' in ")


def test_flag_beats_default_and_default_beats_guessing(home: Home) -> None:
    home.write_config(TWO)
    assert chosen_session(here(), default="prod")[0].name == "prod"
    assert chosen_session(here(), name="dev", default="prod")[0].name == "dev"
    # A legacy profile by its profile name; a profile that uses an sso-session by its name.
    assert chosen_session(here(), name="legacy")[0].start_url == "https://old.awsapps.com/start"
    assert chosen_session(here(), name="dev-admin")[0].name == "dev"


@pytest.mark.parametrize(
    "profiles",
    [
        "[profile corp]\nsso_session = corp\n",  # its sso-session section is missing
        "[profile a]\nsso_session = b\n[profile b]\nsso_session = a\n",
    ],
)
def test_a_profile_whose_sso_session_is_missing_is_one_clear_line(
    home: Home, profiles: str
) -> None:
    # botocore reads `sso_session` as an [sso-session] name only (never another profile).
    home.write_config(
        "[sso-session dev]\nsso_start_url = https://d.awsapps.com/start\nsso_region = us-east-1\n"
        + profiles
    )
    name = "corp" if "corp" in profiles else "a"
    with pytest.raises(ConfigError) as err:
        chosen_session(here(), name=name)
    assert "no [sso-session" in err.value.message and "\n" not in err.value.message
    result = ssotui("list", "--session", name)
    assert result.status == 1
    assert "Traceback" not in result.err and "unexpected error" not in result.err
    assert "no [sso-session" in result.err


def test_aws_config_file_with_a_variable_is_the_file_botocore_reads(
    home: Home, monkeypatch: pytest.MonkeyPatch
) -> None:
    home.write_config(TWO)
    monkeypatch.setenv("AWS_CONFIG_FILE", "$HOME/.aws/config")
    assert set(botocore.session.Session().full_config["sso_sessions"]) == {"dev", "prod"}
    assert chosen_session(here(), name="prod")[0].start_url == "https://prod.awsapps.com/start"
    result = ssotui("config")
    assert result.status == 0, result.err
    assert str(home.aws_config) in result.out and "(absent)" not in result.out.split("\n")[1]


@pytest.mark.usefixtures("quick_aws_cli")  # doctor asks `aws --version` at once
def test_an_empty_aws_config_file_reads_no_file_as_botocore_does(
    home: Home, monkeypatch: pytest.MonkeyPatch
) -> None:
    home.write_config(TWO)  # the default file is there, but set-but-empty means none at all
    monkeypatch.setenv("HOME", str(home.root))
    monkeypatch.setenv("AWS_CONFIG_FILE", "")
    botocore_sees = botocore.session.Session().full_config
    assert botocore_sees == {"profiles": {}}
    assert load_sessions(here()) == []
    for name in (None, "dev"):
        with pytest.raises(ConfigError) as err:
            chosen_session(here(), name=name)
        said = err.value.message
        assert "AWS_CONFIG_FILE is set but empty, so no AWS config file is read" in said
        assert "--start-url" in said and "\n" not in said
    ad_hoc = chosen_session(here(), start_url="https://x.awsapps.com/start", region="ap-south-1")[0]
    assert ad_hoc.start_url == "https://x.awsapps.com/start"
    result = ssotui("config")
    assert result.status == 0, result.err
    assert "AWS config       (none)" in result.out and "$AWS_CONFIG_FILE is empty" in result.out
    doctor = ssotui("doctor")
    assert "[FAIL] AWS config: AWS_CONFIG_FILE is set but empty" in doctor.out


def test_unknown_name_lists_the_known_ones(home: Home) -> None:
    home.write_config(TWO)
    with pytest.raises(ConfigError, match=r"no sso-session 'nope' in .*config.*dev, prod"):
        chosen_session(here(), name="nope")


@pytest.mark.parametrize("text", [None, "", "[profile plain]\nregion = eu-west-1\n"])
def test_none_configured_says_how_to_add_one(home: Home, text: str | None) -> None:
    if text is not None:
        home.write_config(text)
    with pytest.raises(ConfigError) as err:
        chosen_session(here())
    assert "[sso-session NAME]" in err.value.message
    assert "`ssotui configure`" in err.value.message
    assert "--start-url" in err.value.message
    assert str(home.aws_config) in err.value.message


def test_ad_hoc_start_url(home: Home) -> None:
    session, _ = chosen_session(
        here(), start_url="https://x.awsapps.com/start", region="ap-south-1"
    )
    assert session.name is None and session.region == "ap-south-1"
    assert session.cache_key == hashlib.sha1(b"https://x.awsapps.com/start").hexdigest()
    with pytest.raises(UsageError, match="--sso-region"):
        chosen_session(here(), start_url="https://x.awsapps.com/start")
    with pytest.raises(UsageError):
        chosen_session(here(), name="dev", start_url="https://x.awsapps.com/start", region="r")
    home.write_config(TWO)  # the region of a configured session with that URL is used
    assert (
        chosen_session(here(), start_url="https://prod.awsapps.com/start")[0].region == "us-east-1"
    )


def test_legacy_profile_repeating_a_session_url_is_not_a_second_session(home: Home) -> None:
    home.write_config(
        "[sso-session dev]\nsso_start_url = https://d.awsapps.com/start\nsso_region = us-east-1\n"
        "[profile old]\nsso_start_url = https://d.awsapps.com/start\nsso_region = us-east-1\n"
    )
    assert chosen_session(here())[0].name == "dev"


def test_incomplete_session_is_named_when_chosen(home: Home) -> None:
    home.write_config("[sso-session half]\nsso_start_url = https://h.awsapps.com/start\n")
    with pytest.raises(ConfigError, match=r"\[sso-session half\].*no sso_region"):
        chosen_session(here(), name="half")
    with pytest.raises(ConfigError, match="no sso_region"):
        chosen_session(here())


@pytest.mark.parametrize(
    ("text", "line"),
    [
        ("sso_region = us-east-1\n[sso-session a]\n", 1),
        ("[sso-session a]\nsso_region = x\n[sso-session a]\nsso_region = y\n", 3),
        ("[sso-session a]\nsso_region = x\nsso_region = y\n", 3),
        ("[sso-session a]\nsso_region = x\nthis is not a setting\n", 3),
    ],
)
def test_malformed_config_names_file_and_line(home: Home, text: str, line: int) -> None:
    home.write_config(text)
    with pytest.raises(ConfigError) as err:
        load_sessions(here())
    assert f"{home.aws_config}, line {line}" in err.value.message
    assert "\n" not in err.value.message


def test_malformed_nested_block_and_bad_encoding(home: Home) -> None:
    home.write_config("[profile p]\ns3 =\n  no equals sign here\n")
    with pytest.raises(ConfigError, match="indented line"):
        load_sessions(here())
    home.aws_config.write_bytes(b"[sso-session a]\nsso_region = \xff\xfe\n")
    with pytest.raises(ConfigError, match="not valid UTF-8"):
        load_sessions(here())
    # A byte order mark: botocore refuses the file ("no section headers"); ssotui says why.
    home.aws_config.write_bytes(b"\xef\xbb\xbf[sso-session a]\nsso_region = x\n")
    with pytest.raises(ConfigError, match=r"byte order mark \(BOM\)"):
        load_sessions(here())
    with pytest.raises(botocore.exceptions.ConfigParseError):
        botocore.session.Session().get_scoped_config()


def test_parse_scopes_like_the_aws_cli() -> None:
    assert parse_scopes(" a , b,,c ") == ("a", "b", "c")
    assert parse_scopes("") == ()


@settings(
    max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(data=st.binary(max_size=300) | st.text(max_size=300).map(str.encode))
def test_any_bytes_give_sessions_or_one_config_error(
    home: Home, data: bytes, monkeypatch: pytest.MonkeyPatch
) -> None:
    # each file is read as soon as written: no wait for a writer still at it (tui.store.rewrites)
    monkeypatch.setattr(rewrites, "PATIENCE", 0)
    home.aws_config.write_bytes(data)
    try:
        sessions = load_sessions(here())
    except ConfigError as exc:
        assert exc.message and "\n" not in exc.message
    else:
        assert all(s.start_url and s.region for s in sessions)


_TITLE_WORDS = st.sampled_from(
    ["profile", "sso-session", "services", "default", "profiles", "sso_sessions", "preview"]
)
# blanks botocore's shlex splits on and others it keeps in a word (a tab, a vertical tab, a
# no-break space), quotes and the escape
_NAMES = st.text(alphabet=st.sampled_from(list("ab -'\"\\_\t\x0b\xa0")), max_size=6)


@given(
    st.lists(
        st.tuples(
            st.one_of(_TITLE_WORDS, st.builds("{} {}".format, _TITLE_WORDS, _NAMES), _NAMES),
            st.dictionaries(st.sampled_from(["region", "sso_session", "x"]), _NAMES, max_size=2),
        ),
        max_size=6,
    )
)
def test_sections_are_grouped_exactly_as_botocore_groups_them(
    sections: list[tuple[str, dict[str, str]]],
) -> None:
    # ssotui groups the sections itself (importing botocore would cost every command ~5 ms):
    # quoted names, odd titles, `default`, a later section of the same name, all as botocore.
    parsed = dict(sections)
    assert profile_map(parsed) == build_profile_map(parsed)


def _session_chosen(err: str) -> str:
    """The session a command that is not logged in names in its one line."""
    assert "Traceback" not in err and "\n" not in err.strip(), err
    return err.split("not logged in to session ", 1)[1].split(": run", 1)[0]


def test_aws_profile_naming_an_sso_profile_picks_its_session(home: Home) -> None:
    # `aws sso login` with AWS_PROFILE set logs in to that profile's session: so does ssotui,
    # instead of "several SSO sessions are configured"; ssotui's own default_session still
    # comes first, as the contract has it.
    home.write_config(TWO)
    assert botocore.session.Session(profile="dev-admin").get_scoped_config()["sso_session"] == "dev"
    result = ssotui("list", env={"AWS_PROFILE": "dev-admin"})
    assert result.status == 1 and _session_chosen(result.err) == "dev"
    home.config_dir.mkdir(parents=True, exist_ok=True)
    (home.config_dir / "config.toml").write_text('default_session = "prod"\n')
    result = ssotui("list", env={"AWS_PROFILE": "dev-admin"})
    assert _session_chosen(result.err) == "prod"
    (home.config_dir / "config.toml").unlink()
    # the AWS CLI v2's order: AWS_PROFILE before AWS_DEFAULT_PROFILE (which counts alone);
    # --session before both
    env = {"AWS_PROFILE": "dev-admin", "AWS_DEFAULT_PROFILE": "legacy"}
    assert _session_chosen(ssotui("list", env=env).err) == "dev"
    env = {"AWS_DEFAULT_PROFILE": "dev-admin"}
    assert _session_chosen(ssotui("list", env=env).err) == "dev"
    result = ssotui("list", "--session", "prod", env={"AWS_PROFILE": "dev-admin"})
    assert _session_chosen(result.err) == "prod"


def test_aws_profile_naming_a_legacy_sso_profile_picks_its_start_url(home: Home) -> None:
    home.write_config(TWO)
    result = ssotui("list", env={"AWS_PROFILE": "legacy"})
    assert result.status == 1 and _session_chosen(result.err) == "https://old.awsapps.com/start"
    session = chosen_session(here(), profile="legacy")[0]
    assert (session.name, session.region) == (None, "us-west-2")


@pytest.mark.parametrize("profile", ["keys", "nowhere", "broken", "prod"])
def test_aws_profile_without_a_usable_sso_session_changes_nothing(home: Home, profile: str) -> None:
    # A profile of static keys, one that is not there, one whose sso_session is missing, and a
    # name that is a session's but no profile's: the usual rules apply, as without AWS_PROFILE.
    home.write_config(
        TWO + "[profile keys]\nregion = eu-west-1\n[profile broken]\nsso_session = gone\n"
    )
    assert chosen_session(here(), profile=profile, default="dev")[0].name == "dev"
    result = ssotui("list", env={"AWS_PROFILE": profile})
    assert result.status == 1 and "several SSO sessions are configured" in result.err


@pytest.mark.parametrize("copied", ["/", "/#/", "#/", "//"])
def test_legacy_profile_with_the_portal_url_as_the_browser_shows_it_is_not_a_second_session(
    home: Home, copied: str
) -> None:
    # Old profiles often hold the start URL copied from the browser's address bar.
    home.write_config(
        "[sso-session corp]\nsso_start_url = https://corp.awsapps.com/start\n"
        "sso_region = eu-west-1\n"
        f"[profile old]\nsso_start_url = https://corp.awsapps.com/start{copied}\n"
        "sso_region = eu-west-1\nsso_account_id = 111111111111\nsso_role_name = Admin\n"
    )
    result = ssotui("list")
    assert result.status == 1 and _session_chosen(result.err) == "corp"
    assert [s.name for s in load_sessions(here())] == ["corp"]
    # The profile itself still logs in under its own URL: the AWS CLI caches its token by it.
    old = chosen_session(here(), name="old")[0]
    assert (
        old.cache_key
        == hashlib.sha1(f"https://corp.awsapps.com/start{copied}".encode()).hexdigest()
    )
    assert (
        chosen_session(here(), start_url=f"https://corp.awsapps.com/start{copied}")[0].region
        == "eu-west-1"
    )


@pytest.mark.parametrize("newline", ["\r", "\r\n", "\n"])
def test_line_endings_read_as_botocore_reads_them(home: Home, newline: str) -> None:
    text = (
        "# saved on an old Mac\n[sso-session corp]\nsso_start_url = https://c.awsapps.com/start\n"
        "sso_region = eu-west-1\n[profile p]\nsso_session = corp\nregion = us-east-1\n"
    )
    home.aws_config.write_bytes(text.replace("\n", newline).encode())
    full = botocore.session.Session().full_config
    assert full["sso_sessions"]["corp"]["sso_region"] == "eu-west-1"
    assert [(s.name, s.start_url, s.region) for s in load_sessions(here())] == [
        ("corp", "https://c.awsapps.com/start", "eu-west-1")
    ]
