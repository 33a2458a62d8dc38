"""`ssotui populate` and `ssotui configure` against the simulator, read back by botocore."""

from __future__ import annotations

from pathlib import Path

import boto3
import botocore.session
import pytest
from botocore.configloader import build_profile_map
from hypothesis import given
from hypothesis import strategies as st

from tests.cli_here import ssotui_here as ssotui
from tests.conftest import Home
from tui.export.aws_config import config_section
from tui.export.profile_names import profile_name_part
from tui.sim import Simulator

USER_TEXT = (
    "# my own settings, keep them\n"
    "[default]\n"
    "region = eu-west-1 ; inline\n"
    "\n"
    "[profile mine]\n"
    "sso_session = dev\n"
    "sso_account_id = 000000000000\n"
    "sso_role_name = Mine\n"
)


def _setup(sim: Simulator, home: Home) -> Path:
    home.write_config(
        USER_TEXT + "\n[sso-session dev]\n"
        f"sso_start_url = {sim.start_url}\nsso_region = {sim.region}\n"
        "sso_registration_scopes = sso:account:access\n"
    )
    assert ssotui("login", "--no-browser").status == 0
    return home.aws_config


def _profiles(path: Path) -> dict[str, dict[str, str]]:
    session = botocore.session.Session()
    return dict(session.full_config["profiles"])


def test_populate_writes_a_profile_per_role_and_keeps_the_rest(sim: Simulator, home: Home) -> None:
    path = _setup(sim, home)
    before = path.read_text()
    result = ssotui("populate", "--region", "eu-central-1")
    assert result.status == 0, result.err
    after = path.read_text()
    assert after.startswith(before), "text before the block changed"
    pairs = {(a.account_id, r.name) for a in sim.org.accounts for r in a.roles}
    profiles = _profiles(path)
    written = {
        (p["sso_account_id"], p["sso_role_name"])
        for name, p in profiles.items()
        if name != "mine" and "sso_account_id" in p
    }
    assert written == pairs
    assert profiles["mine"]["sso_role_name"] == "Mine"
    assert all(
        p.get("region") == "eu-central-1"
        for n, p in profiles.items()
        if n not in ("mine", "default")
    )
    assert f"Wrote {len(pairs)} profiles" in result.err


def test_populate_twice_is_byte_identical(sim: Simulator, home: Home) -> None:
    path = _setup(sim, home)
    assert ssotui("populate").status == 0
    first = path.read_bytes()
    result = ssotui("populate")
    assert result.status == 0
    assert path.read_bytes() == first
    assert "already up to date" in result.err


def test_stale_profiles_are_removed_and_text_after_the_block_kept(
    sim: Simulator, home: Home
) -> None:
    path = _setup(sim, home)
    assert ssotui("populate").status == 0
    path.write_text(path.read_text() + "\n# a trailing note\n[profile later]\nregion = us-east-1\n")
    gone_account = next(a for a in sim.org.accounts if len(a.roles) >= 2)
    gone = gone_account.roles.pop()
    assert ssotui("populate").status == 0
    profiles = _profiles(path)
    pairs = {(p.get("sso_account_id"), p.get("sso_role_name")) for p in profiles.values()}
    assert (gone_account.account_id, gone.name) not in pairs
    assert profiles["later"] == {"region": "us-east-1"}
    assert path.read_text().endswith("# a trailing note\n[profile later]\nregion = us-east-1\n")


def test_dry_run_prints_the_diff_and_changes_nothing(sim: Simulator, home: Home) -> None:
    path = _setup(sim, home)
    before = path.read_bytes()
    result = ssotui("populate", "--dry-run", "--prefix", "acme-")
    assert result.status == 0, result.err
    assert result.out.startswith("---")
    assert "+[profile acme-" in result.out
    assert path.read_bytes() == before


def test_a_later_run_without_prefix_keeps_the_prefix_as_it_keeps_the_region(
    sim: Simulator, home: Home
) -> None:
    """`populate --prefix sso-`, then `populate` again ("run again any time"): the profiles keep
    their names, which Terraform and scripts refer to, instead of all being renamed; `--prefix ''`
    drops it."""
    path = _setup(sim, home)
    assert ssotui("populate", "--prefix", "sso-", "--region", "eu-west-1").status == 0
    first = {n: p for n, p in _profiles(path).items() if "sso_account_id" in p and n != "mine"}
    assert first and all(name.startswith("sso-") for name in first)

    again = ssotui("populate")
    assert again.status == 0, again.err
    assert "removed" not in again.err
    assert {n: p for n, p in _profiles(path).items() if n in first} == first

    dropped = ssotui("populate", "--prefix", "")
    assert dropped.status == 0, dropped.err
    names = [n for n, p in _profiles(path).items() if "sso_account_id" in p and n != "mine"]
    assert len(names) == len(first) and not any(n.startswith("sso-") for n in names)


def test_a_prefix_the_config_file_cannot_hold_is_refused_by_name_before_any_call(
    sim: Simulator, home: Home
) -> None:
    path = _setup(sim, home)
    before = path.read_bytes()
    result = ssotui("populate", "--prefix", "a\nb")
    assert result.status == 2
    assert "--prefix" in result.err.splitlines()[-1]
    assert "line break" in result.err
    assert path.read_bytes() == before


def test_botocore_gets_credentials_through_a_populated_profile(sim: Simulator, home: Home) -> None:
    path = _setup(sim, home)
    assert ssotui("populate").status == 0
    name, _ = next(
        (n, p)
        for n, p in _profiles(path).items()
        if "sso_account_id" in p
        and n != "mine"
        and not sim.org.account(p["sso_account_id"]).role(p["sso_role_name"]).forbidden  # type: ignore[union-attr]
    )
    creds = boto3.Session(profile_name=name).get_credentials()
    assert creds is not None
    assert creds.get_frozen_credentials().access_key.startswith("ASIA")


def test_names_are_safe_and_collisions_are_resolved() -> None:
    assert profile_name_part("Zürich Analytics") == "Zurich-Analytics"
    assert profile_name_part("a b/c[d]") == "a-b-c-d"
    assert profile_name_part("Straße Łódź") == "Strasse-Lodz"
    assert profile_name_part("東京") == ""  # the account id stands in (profile_name)


def test_configure_writes_a_session_botocore_reads(home: Home, sim: Simulator) -> None:
    home.write_config("# keep me\n[profile x]\nregion = us-west-2\n")
    result = ssotui(
        "configure",
        "--session",
        "acme",
        "--start-url",
        sim.start_url,
        "--sso-region",
        "eu-west-1",
        "--no-login",
    )
    assert result.status == 0, result.err
    text = home.aws_config.read_text()
    assert text.startswith("# keep me\n[profile x]\nregion = us-west-2\n")
    sessions = botocore.session.Session().full_config["sso_sessions"]
    assert sessions["acme"]["sso_start_url"] == sim.start_url
    assert sessions["acme"]["sso_region"] == "eu-west-1"


def test_configure_refuses_bad_values(home: Home) -> None:
    bad_region = ssotui(
        "configure", "--session", "a", "--start-url", "https://x.awsapps.com/start",
        "--sso-region", "mars-1", "--no-login",
    )  # fmt: skip
    assert bad_region.status == 2
    assert "mars-1" in bad_region.err
    bad_url = ssotui(
        "configure", "--session", "a", "--start-url", "x", "--sso-region", "us-east-1", "--no-login"
    )
    assert bad_url.status == 2
    missing = ssotui("configure", "--no-login")
    assert missing.status == 2
    assert not home.aws_config.exists()


def test_configure_with_no_terminal_names_every_option_missing_at_once(home: Home) -> None:
    # One at a time, a script's author found the next one missing at each try.
    none = ssotui("configure", "--no-login")
    assert none.status == 2
    assert none.err.startswith(
        "ssotui: --start-url, --sso-region and --session are missing and there is no terminal"
    )
    assert "ssotui configure --session NAME --start-url URL --sso-region REGION" in none.err
    one = ssotui("configure", "--no-login", "--start-url", "acme.awsapps.com/start")
    assert one.err.startswith("ssotui: --sso-region and --session are missing")
    last = ssotui("configure", "--no-login", "--session", "a", "--sso-region", "eu-west-1")
    assert last.err.startswith("ssotui: --start-url is missing")
    assert not home.aws_config.exists()


@pytest.mark.parametrize(
    ("content", "said"),
    [
        (b"\xef\xbb\xbf[default]\r\nregion = eu-west-1\r\n", "byte order mark"),
        (b"# caf\xe9 (latin-1)\n[default]\nregion = eu-west-1\n", "not valid UTF-8"),
        (b"[default]\na = 1\n[default]\nb = 2\n", "line 3 is malformed"),
    ],
)
def test_configure_leaves_a_file_the_aws_cli_cannot_read_unchanged(
    home: Home, content: bytes, said: str
) -> None:
    # botocore refuses each of these files; configure says why in one line and adds nothing.
    home.aws_config.write_bytes(content)
    result = ssotui(
        "configure", "--session", "acme", "--start-url", "https://acme.awsapps.com/start",
        "--sso-region", "eu-west-1", "--no-login",
    )  # fmt: skip
    assert result.status == 1
    assert said in result.err and str(home.aws_config) in result.err
    assert "unexpected error" not in result.err and len(result.err.strip().splitlines()) == 1
    assert home.aws_config.read_bytes() == content


@pytest.mark.parametrize(
    "header",
    [
        '[sso-session "acme"]',
        "[sso-session 'acme']",
        "[sso-session  acme]",
        "[sso-session\tacme]",
        "[sso-sessions acme]",  # botocore only asks that the title start with `sso-session`
    ],
)
def test_configure_updates_the_session_however_its_header_is_spelt(home: Home, header: str) -> None:
    old = "sso_start_url = https://old.awsapps.com/start\nsso_region = us-east-1\n"
    profile = "\n[profile a]\nsso_session = acme\n"
    home.write_config(f"# mine\n{header}\n{old}{profile}")
    assert list(botocore.session.Session().full_config["sso_sessions"]) == ["acme"]
    result = ssotui(
        "configure", "--session", "acme", "--start-url", "https://acme.awsapps.com/start",
        "--sso-region", "eu-west-1", "--no-login",
    )  # fmt: skip
    assert result.status == 0, result.err
    # The one section botocore reads as the session, under its own header, has the new values.
    new = (
        "sso_start_url = https://acme.awsapps.com/start\nsso_region = eu-west-1\n"
        "sso_registration_scopes = sso:account:access\n"
    )
    assert home.aws_config.read_text() == f"# mine\n{header}\n{new}{profile}"
    sessions = botocore.session.Session().full_config["sso_sessions"]
    assert sessions == {
        "acme": {
            "sso_start_url": "https://acme.awsapps.com/start",
            "sso_region": "eu-west-1",
            "sso_registration_scopes": "sso:account:access",
        }
    }


def test_configure_keeps_a_session_spelt_twice_once(home: Home) -> None:
    # What an earlier configure left: botocore reads the last of the two, ssotui updates both.
    home.write_config(
        '[sso-session "acme"]\nsso_start_url = https://one.awsapps.com/start\n'
        "sso_region = us-east-1\n\n[profile a]\nsso_session = acme\n\n"
        "[sso-session acme]\nsso_start_url = https://two.awsapps.com/start\n"
        "sso_region = us-east-1\n# the end\n"
    )
    result = ssotui(
        "configure", "--session", "acme", "--start-url", "https://acme.awsapps.com/start",
        "--sso-region", "eu-west-1", "--no-login",
    )  # fmt: skip
    assert result.status == 0, result.err
    assert home.aws_config.read_text() == (
        '[sso-session "acme"]\nsso_start_url = https://acme.awsapps.com/start\n'
        "sso_region = eu-west-1\nsso_registration_scopes = sso:account:access\n\n"
        "[profile a]\nsso_session = acme\n\n# the end\n"
    )


def test_configure_adds_a_session_botocore_does_not_read_as_the_same(home: Home) -> None:
    # A space before the title makes another section for botocore (not a session at all).
    text = "[ sso-session acme ]\nsso_region = us-east-1\n"
    home.write_config(text)
    result = ssotui(
        "configure", "--session", "acme", "--start-url", "https://acme.awsapps.com/start",
        "--sso-region", "eu-west-1", "--no-login",
    )  # fmt: skip
    assert result.status == 0, result.err
    assert home.aws_config.read_text().startswith(text + "\n[sso-session acme]\n")
    sessions = botocore.session.Session().full_config["sso_sessions"]
    assert sessions["acme"]["sso_region"] == "eu-west-1"


_TITLES = st.sampled_from(["profile", "sso-session", "services", "default", "profiles", "x"])
_WORDS = st.text(alphabet=st.sampled_from(list("ab -'\"\\\t_")), max_size=6)


@given(header=st.one_of(st.builds("{}{}".format, _TITLES, _WORDS), _WORDS))
def test_a_header_names_the_section_botocore_reads_from_it(header: str) -> None:
    built = build_profile_map({header: {"k": "v"}})
    kinds = (("profile", "profiles"), ("sso-session", "sso_sessions"), ("services", "services"))
    seen = [(kind, name) for kind, key in kinds for name in built[key]]
    assert config_section(header) == (seen[0] if seen else None)


def test_populate_of_a_session_without_a_name_says_so_before_any_login(
    sim: Simulator, home: Home
) -> None:
    # only a legacy profile: its profiles could not refer to a session. Was: "not logged in …:
    # run `ssotui login`", and after that login and a fetch of every account, the refusal.
    home.write_config(
        f"[profile old]\nsso_start_url = {sim.start_url}\nsso_region = {sim.region}\n"
        "sso_account_id = 111111111111\nsso_role_name = Admin\n"
    )
    before = home.aws_config.read_bytes()
    result = ssotui("populate")
    assert result.status == 1
    assert result.err == (
        "ssotui: populate needs a named [sso-session] (profiles refer to it); run `ssotui "
        "configure` to add one\n"
    )
    assert home.aws_config.read_bytes() == before
