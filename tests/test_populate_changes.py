"""`populate` run again over an organisation that changed: what the user is told, what the dry
run shows, and how long it takes on a big organisation."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from typing import Any

import boto3
import botocore.session
import pytest

from tests.cli_here import ssotui_here as ssotui
from tests.conftest import Home, here
from tests.test_populate import _setup
from tui.export import aws_config
from tui.export.aws_config import populate_profiles
from tui.export.credentials_file import write_profile
from tui.models import Account, Catalog, RoleCredentials, SsoSession
from tui.sim import Simulator
from tui.sim.org import SimRole

LATER = datetime(2030, 1, 1, tzinfo=UTC)
SESSION = SsoSession(name="dev", start_url="https://example.awsapps.com/start", region="eu-west-1")
HUNK = re.compile(r"@@ -(\d+)(?:,(\d+))? \+(\d+)(?:,(\d+))? @@")


def catalog(accounts: int, roles: tuple[str, ...] = ("Admin", "ReadOnly", "PowerUser")) -> Catalog:
    listed = tuple(Account(f"{100000000000 + i}", f"team-{i}") for i in range(accounts))
    return Catalog(
        accounts=listed,
        roles={a.account_id: roles for a in listed},
        fetched_at=datetime(2030, 1, 1, tzinfo=UTC),
    )


def apply(old: str, diff: str) -> str:
    """`old` with a unified diff applied, as `patch` would (hunks checked line by line)."""
    lines = old.splitlines(keepends=True)
    out: list[str] = []
    at = 0
    body = diff.splitlines(keepends=True)[2:]
    for line in body:
        hunk = HUNK.match(line)
        if hunk:
            start = int(hunk.group(1)) - (0 if hunk.group(2) == "0" else 1)
            out += lines[at:start]
            at = start
        elif line[0] in " -":
            assert lines[at] == line[1:], f"line {at + 1} does not match the diff"
            at += 1
            if line[0] == " ":
                out.append(line[1:])
        else:
            out.append(line[1:])
    return "".join(out + lines[at:])


def test_a_dry_run_over_thousands_of_changed_profiles_is_exact(home: Home) -> None:
    # The diff is found section by section (tui/export/config_diff.py): a line-by-line difflib
    # took ~5 s here and 44 s for 9,000 profiles. A real write computes no diff.
    big = catalog(1000)
    populate_profiles(here(), SESSION, big, region="eu-west-1")
    before = home.aws_config.read_text()

    result = populate_profiles(here(), SESSION, big, region="eu-west-2", dry_run=True)

    assert result.changed and result.count == 3000
    assert home.aws_config.read_text() == before
    changes = [line for line in result.diff.splitlines()[2:] if line[:1] in "+-"]
    assert changes.count("-region = eu-west-1") == changes.count("+region = eu-west-2") == 3000
    assert len(changes) == 6000
    after = populate_profiles(here(), SESSION, big, region="eu-west-2")
    assert after.changed and after.diff == ""
    assert apply(before, result.diff) == home.aws_config.read_text()


def generated_regions() -> set[str | None]:
    profiles = botocore.session.Session().full_config["profiles"]
    return {
        p.get("region")
        for name, p in profiles.items()
        if p.get("sso_session") == "dev" and name not in ("mine", "dev-box")
    }


def test_a_run_without_region_keeps_the_region_the_last_run_wrote(
    sim: Simulator, home: Home
) -> None:
    path = _setup(sim, home)
    assert ssotui("populate", "--region", "eu-west-1").status == 0
    # The user later adds a profile of their own for this session, above the block.
    text = path.read_text()
    path.write_text(
        "[profile dev-box]\nsso_session = dev\nsso_account_id = 000000000000\n"
        "sso_role_name = Mine\nregion = ap-south-1\n\n" + text
    )
    before = path.read_bytes()

    dry = ssotui("populate", "--dry-run")
    assert dry.status == 0 and dry.out == ""
    again = ssotui("populate")
    assert again.status == 0 and "already up to date" in again.err
    assert path.read_bytes() == before
    assert generated_regions() == {"eu-west-1"}

    assert ssotui("populate", "--region", "us-west-2").status == 0
    assert generated_regions() == {"us-west-2"}


def test_a_run_with_no_region_anywhere_gives_the_profiles_the_sso_region(
    sim: Simulator, home: Home
) -> None:
    _setup(sim, home)  # no --region, no region in a block, no default_region
    result = ssotui("populate")
    assert result.status == 0, result.err
    said = f", with region {sim.region}, the session's sso_region (--region R for another)."
    assert result.err.rstrip("\n").endswith(said)
    assert generated_regions() == {sim.region}
    profiles = botocore.session.Session().full_config["profiles"]
    name = next(n for n, p in profiles.items() if p.get("sso_session") == "dev" and n != "mine")
    # Without a region, boto3 refused to make most clients ("You must specify a region").
    assert boto3.Session(profile_name=name).client("ec2").meta.region_name == sim.region
    again = ssotui("populate")
    assert "already up to date" in again.err and "sso_region" not in again.err


def test_default_region_comes_before_the_sso_region(sim: Simulator, home: Home) -> None:
    home.config_dir.mkdir(parents=True, exist_ok=True)
    (home.config_dir / "config.toml").write_text('default_region = "ca-central-1"\n')
    _setup(sim, home)
    result = ssotui("populate")
    assert result.status == 0, result.err
    assert "sso_region" not in result.err
    assert generated_regions() == {"ca-central-1"}


def test_the_user_is_told_which_profiles_came_and_went(sim: Simulator, home: Home) -> None:
    path = _setup(sim, home)
    assert ssotui("populate", "--region", "eu-west-1").status == 0
    assert "already up to date" in ssotui("populate", "--dry-run").err  # not just "unchanged"

    account = next(a for a in sim.org.accounts if len(a.roles) >= 2)
    gone = account.roles.pop()
    account.roles.append(SimRole("IncidentCommander"))
    lost = next(
        name
        for name, p in botocore.session.Session().full_config["profiles"].items()
        if (p.get("sso_account_id"), p.get("sso_role_name")) == (account.account_id, gone.name)
    )
    before = path.read_bytes()

    dry = ssotui("populate", "--dry-run")
    assert dry.status == 0
    assert f"would write {sum(len(a.roles) for a in sim.org.accounts)} profiles" in dry.err
    assert f"(1 added, 1 removed ({lost}))" in dry.err
    assert path.read_bytes() == before

    real = ssotui("populate")
    assert real.status == 0 and f"(1 added, 1 removed ({lost}))" in real.err
    again = ssotui("populate", "--region", "us-west-2")
    assert f"({sum(len(a.roles) for a in sim.org.accounts)} changed)" in again.err


def test_a_change_another_program_makes_while_populate_plans_is_kept(
    home: Home, monkeypatch: pytest.MonkeyPatch
) -> None:
    # An editor or `aws configure set` takes no lock; one that saves while populate works on
    # thousands of profiles must not have its change written away.
    home.write_config("[default]\nregion = eu-west-1\n")
    real = aws_config.plan_profiles
    calls = 0

    def plan_while_someone_writes(*args: Any, **kwargs: Any) -> Any:
        nonlocal calls
        calls += 1
        if calls == 1:
            with home.aws_config.open("a") as handle:
                handle.write("\n[profile added-meanwhile]\nregion = us-east-2\n")
        return real(*args, **kwargs)

    monkeypatch.setattr(aws_config, "plan_profiles", plan_while_someone_writes)
    result = populate_profiles(here(), SESSION, catalog(2))
    profiles = botocore.session.Session().full_config["profiles"]
    assert profiles.get("added-meanwhile") == {"region": "us-east-2"}
    assert len(profiles) == 2 + 6
    assert result.changed and calls == 2


def test_a_profile_of_the_credentials_file_keeps_its_keys(home: Home) -> None:
    # botocore merges [acme.Admin] of the credentials file into [profile acme.Admin] of the
    # config file, and there SSO wins: a generated profile of that name would take it over.
    home.write_config(
        "[sso-session dev]\nsso_start_url = https://example.awsapps.com/start\n"
        "sso_region = eu-west-1\n"
    )
    # A profile ssotui's own write-profile left there (the same role) does not count.
    acme = Account("123456789012", "acme")
    write_profile(
        here(), RoleCredentials(acme, "ReadOnly", "ASIAKEY0000000000000", "s" * 40, "t" * 40, LATER)
    )
    with home.aws_credentials.open("a") as handle:
        handle.write(
            "[acme.Admin]\naws_access_key_id = AKIAUSERSOWNKEY00000\naws_secret_access_key = s\n"
        )
    result = populate_profiles(
        here(),
        SESSION,
        Catalog(accounts=(acme,), roles={acme.account_id: ("Admin", "ReadOnly")}, fetched_at=LATER),
    )
    creds = botocore.session.Session(profile="acme.Admin").get_credentials()
    assert creds is not None and creds.access_key == "AKIAUSERSOWNKEY00000"
    assert result.profiles.added == ("acme.Admin-123456789012", "acme.ReadOnly")


def test_no_generated_profile_becomes_the_default_profile(home: Home) -> None:
    # With profile_template "{account}", an account named "default" would be [profile
    # default]: what every `aws` command without --profile uses.
    home.write_config("[profile mine]\nregion = eu-west-1\n")
    ops = Account("123456789012", "default")
    populate_profiles(
        here(),
        SESSION,
        Catalog(
            accounts=(ops,),
            roles={ops.account_id: ("Admin",)},
            fetched_at=datetime(2030, 1, 1, tzinfo=UTC),
        ),
        template="{account}",
    )
    profiles = botocore.session.Session().full_config["profiles"]
    assert "default" not in profiles
    assert profiles["default-123456789012"]["sso_role_name"] == "Admin"


def _profile_names(text: str) -> set[str]:
    return set(re.findall(r"^\[profile (.+)\]$", text, re.MULTILINE))


def test_the_block_of_a_session_renamed_since_is_named_with_what_to_do(
    sim: Simulator, home: Home
) -> None:
    # `[sso-session dev]` renamed `work` after a populate: the block of dev holds the profile
    # names, so every new profile gets `-<account id>`; was said nowhere
    _setup(sim, home)
    assert ssotui("populate").status == 0
    names = _profile_names(home.aws_config.read_text())
    home.aws_config.write_text(
        home.aws_config.read_text().replace("[sso-session dev]", "[sso-session work]")
    )
    assert ssotui("login", "--session", "work", "--no-browser").status == 0
    result = ssotui("populate", "--session", "work")
    assert result.status == 0, result.err
    begin = "# >>> ssotui populate: session dev (managed; edits inside are overwritten)"
    end = "# <<< ssotui populate: session dev"
    assert (
        f"ssotui: warning: {home.aws_config} still holds the profiles populate wrote for session "
        "dev, which has no [sso-session dev] any more: they cannot work, and session work's "
        f"profiles cannot take their names; delete that block, from '{begin}' to '{end}'"
    ) in result.err
    # with that block deleted, the session's profiles get those names, and nothing is said
    text = home.aws_config.read_text()
    cut = text[: text.index(begin)] + text[text.index(end) + len(end) + 1 :]
    home.aws_config.write_text(cut)
    again = ssotui("populate", "--session", "work")
    assert again.status == 0, again.err
    assert "warning" not in again.err
    assert _profile_names(home.aws_config.read_text()) == names
