"""`ssotui doctor`: one screen of checks, each with a clear verdict.

Plain Python over the domain; the CLI prints the checks and exits 1 when any check failed.
Warnings (an AWS CLI v1, a readable credentials file) do not fail the run; a credentials
file or SSO cache that is not what it should be (a pipe, a folder) does.
"""

from __future__ import annotations

import argparse
import enum
import re
import shutil
import stat
import subprocess
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, replace
from pathlib import Path

from tui import durations
from tui.errors import SsotuiError
from tui.models import SsoSession, utcnow
from tui.paths import CONFIG_VARIABLE, CREDENTIALS_VARIABLE, Paths, empty_variable_reason
from tui.store.settings import Settings
from tui.text import counted, printable
from tui.workspace import Context
from tui.workspace.advice import for_the_command_line, naming


class Verdict(enum.Enum):
    """How one check came out."""

    OK = "ok"
    WARN = "warn"
    FAIL = "FAIL"


@dataclass(frozen=True)
class Check:
    """One line of the doctor's report."""

    name: str
    verdict: Verdict
    detail: str


def check_aws_config(paths: Paths) -> tuple[list[Check], list[SsoSession]]:
    """The AWS config file exists, parses, and has sessions, each complete, with a start URL
    that is a URL and no setting that holds what reads as an inline comment."""
    from tui.aws.sessions import inline_comment, load_sessions, session_problems
    from tui.workspace.setup import check_start_url, with_scheme

    if paths.config_unset:
        detail = empty_variable_reason(CONFIG_VARIABLE)
        return [Check("AWS config", Verdict.FAIL, detail)], []
    path = paths.aws_config_file
    if not path.exists():
        detail = f"{path} not found: run `ssotui configure` to add an [sso-session]"
        return [Check("AWS config", Verdict.FAIL, detail)], []
    try:
        sessions = load_sessions(paths)
        problems = session_problems(paths)
    except SsotuiError as exc:
        return [Check("AWS config", Verdict.FAIL, exc.message)], []
    checks = [Check("AWS config", Verdict.FAIL, problem) for problem in problems]
    if not sessions:
        if not checks:
            detail = f"{path} has no sso-session or SSO profile: run `ssotui configure` to add one"
            checks.append(Check("AWS config", Verdict.FAIL, detail))
        return checks, []
    names = ", ".join(s.label for s in sessions)
    checks.insert(
        0, Check("AWS config", Verdict.OK, f"{path}: {counted(len(sessions), 'session')}: {names}")
    )
    for s in sessions:
        if (note := inline_comment(s)) is not None:
            # A region or start URL with a space in it cannot work; a scope may merely be refused
            works = inline_comment(s, ("sso_start_url", "sso_region")) is None
            checks.append(
                Check(f"session {s.label}", Verdict.WARN if works else Verdict.FAIL, note)
            )
        elif check_start_url(s.start_url) is not None:
            fixed = with_scheme(s.start_url)
            hint = "write the full URL"
            if check_start_url(fixed) is None:
                hint = f"write sso_start_url = {fixed}"
            detail = f"sso_start_url {s.start_url!r} in {path} is not a URL: {hint}"
            checks.append(Check(f"session {s.label}", Verdict.FAIL, detail))
    return checks, sessions


def check_token(paths: Paths, session: SsoSession) -> Check:
    """The cached token of one session (in `paths`' token cache): valid for how long,
    refreshable or not."""
    from tui.aws.token_cache import load_token

    name = f"token {session.label}"
    try:
        token = load_token(paths, session)
    except SsotuiError as exc:
        return Check(name, Verdict.FAIL, exc.message)
    if token is None:
        return Check(name, Verdict.WARN, "not logged in: run `ssotui login`")
    refresh = "refreshable" if token.can_refresh else "not refreshable"
    if token.is_expired:
        verdict = Verdict.OK if token.can_refresh else Verdict.WARN
        hint = "" if token.can_refresh else ": run `ssotui login`"
        return Check(name, verdict, f"expired, {refresh}{hint}")
    return Check(name, Verdict.OK, f"expires in {durations.time_left(token.expires_at)}, {refresh}")


def check_aws_cli() -> Check:
    """The AWS CLI is installed, and is v2 (v1 cannot use sso-session)."""
    aws = shutil.which("aws")
    if aws is None:
        return Check("AWS CLI", Verdict.WARN, "not installed (ssotui does not need it)")
    try:
        out = subprocess.run(
            [aws, "--version"], capture_output=True, text=True, timeout=10, check=False
        )
    except (OSError, subprocess.TimeoutExpired) as exc:
        return Check("AWS CLI", Verdict.WARN, f"{aws} did not answer: {exc}")
    text = (out.stdout or out.stderr).strip()
    match = re.search(r"aws-cli/(\d+)\.(\S+)", text)
    if not match and out.returncode != 0:
        # e.g. a config file it cannot parse: its last line says why (a traceback's first not)
        last = (out.stderr.strip() or out.stdout.strip()).splitlines()[-1:] or ["no output"]
        detail = f"`aws --version` failed (exit status {out.returncode}): {last[0].strip()[:200]}"
        return Check("AWS CLI", Verdict.WARN, detail)
    if not match:
        return Check("AWS CLI", Verdict.WARN, f"unknown version: {text[:60]}")
    if match.group(1) == "1":
        return Check(
            "AWS CLI", Verdict.WARN, f"v{match.group(1)}.{match.group(2)}: SSO needs v2; upgrade"
        )
    return Check("AWS CLI", Verdict.OK, f"v{match.group(1)}.{match.group(2)}")


def check_clipboard(environ: Mapping[str, str]) -> Check:
    """Which clipboard `c`/`--copy` would use."""
    if environ.get("SSOTUI_CLIPBOARD") == "none":
        return Check("clipboard", Verdict.OK, "disabled (SSOTUI_CLIPBOARD=none); OSC 52 fallback")
    from tui.export.clipboard import no_program_reason, system_program

    program = system_program(environ)
    if program is None:
        why = no_program_reason(environ)
        return Check("clipboard", Verdict.OK, f"{why}; terminal OSC 52 fallback")
    return Check("clipboard", Verdict.OK, f"system clipboard ({program.name})")


def check_clock(session: SsoSession) -> Check:
    """The local clock against the Identity Center endpoint's Date header."""
    from tui.aws.clients import oidc_client

    seen: list[str] = []

    def grab(response_dict: dict[str, dict[str, str]], **_: object) -> None:
        date = response_dict.get("headers", {}).get("Date")
        if date:
            seen.append(date)

    try:
        client = oidc_client(session)
    except SsotuiError as exc:  # what every login and refresh would meet too
        return Check("Identity Center", Verdict.FAIL, exc.message)
    client.meta.events.register("before-parse.sso-oidc.*", grab)
    failure: SsotuiError | None = None
    try:
        # Any answer carries a Date header; an invalid call costs nothing and changes nothing.
        client.create_token(clientId="doctor", clientSecret="doctor", grantType="doctor")
    except Exception as exc:  # an answer (any refusal) carries the Date; no answer is the problem
        from tui.aws.botocore_errors import from_botocore
        from tui.aws.transport import failure_line

        failed = from_botocore(exc, client.meta.endpoint_url)
        failure = failure_line(failed, session) if failed is not None else None
    finally:
        client.meta.events.unregister("before-parse.sso-oidc.*", grab)
    if failure is not None and not seen:
        # what every login and refresh would meet too: the unreachable URL, the unusable CA file
        return Check("Identity Center", Verdict.FAIL, failure.message)
    if not seen:
        return Check("clock", Verdict.WARN, f"could not reach Identity Center for {session.label}")
    from tui.aws.transport import http_date

    said = http_date(seen[0])
    if said is None:
        return Check(
            "clock",
            Verdict.WARN,
            f"Identity Center at {client.meta.endpoint_url} sent a Date header ssotui cannot "
            f"read ({printable(seen[0][:40])!r})",
        )
    skew = (utcnow() - said).total_seconds()
    detail = f"{skew:+.0f} s against Identity Center at {client.meta.endpoint_url}"
    return Check("clock", Verdict.OK if abs(skew) < 300 else Verdict.FAIL, detail)


def _private(path: Path, what: str, *, folder: bool = False) -> Check:
    """`path` (a file, or a folder when `folder`) is what it should be and others cannot read
    it."""
    from tui.store.files import file_kind

    try:
        status = path.stat()
    except FileNotFoundError:
        return Check(what, Verdict.OK, f"{path} does not exist")
    except OSError as exc:  # a symlink loop, a folder it may not enter
        return Check(what, Verdict.FAIL, f"cannot read {path}: {exc.strerror or exc}")
    expected = stat.S_ISDIR(status.st_mode) if folder else stat.S_ISREG(status.st_mode)
    if not expected:
        # botocore reads no shared file that is not a regular file, and ssotui writes none
        want = "a folder" if folder else "a regular file"
        return Check(
            what,
            Verdict.FAIL,
            f"{path} is {file_kind(status.st_mode)}, not {want}: the AWS CLI and ssotui cannot "
            f"use it; replace it with {want}",
        )
    mode = stat.S_IMODE(status.st_mode)
    if mode & 0o077:
        return Check(
            what, Verdict.WARN, f"{path} is mode {mode:04o}: others can read it; chmod go-rwx"
        )
    return Check(what, Verdict.OK, f"{path} is mode {mode:04o}")


def check_token_files(paths: Paths) -> Check:
    """Each token and registration file of the SSO cache is readable by its owner only."""
    from tui.aws.token_cache import files_open_to_others
    from tui.text import some_of

    open_files = files_open_to_others(paths.sso_cache_dir)
    if not open_files:
        return Check("token files", Verdict.OK, "each token and registration file is 0600")
    listed = some_of([f"{path.name} ({mode:04o})" for path, mode in open_files], 3)
    return Check(
        "token files",
        Verdict.FAIL,
        f"others can read {listed} in {paths.sso_cache_dir}: chmod 600 them",
    )


def check_secret_folders(paths: Paths) -> Check:
    """No one else may change a folder where secrets go (the SSO cache, the credentials file's,
    ssotui's kept role credentials' and the cache folder above it): one of another user's is
    refused (FAIL), one open by its mode is allowed but said (WARN,
    `tui.store.secret_file.open_folder`)."""
    from tui.store import credentials_cache
    from tui.store.secret_file import open_folder

    # the kept role credentials' folder is judged with the folders above it
    folders = [
        paths.sso_cache_dir,
        paths.aws_credentials_file.parent,
        credentials_cache.folder(paths),
    ]
    for folder in folders:
        found = open_folder(folder)
        if found is not None:
            verdict = Verdict.FAIL if found.theirs else Verdict.WARN
            kept = "ssotui keeps no secrets in" if found.theirs else "others may change"
            return Check("secret folders", verdict, f"{kept} {folder}: {found.message}")
    return Check("secret folders", Verdict.OK, "no one else may change them")


def check_settings(settings: Settings, paths: Paths) -> Check:
    """ssotui's own config.toml is valid, and names a theme the picker has."""
    from tui.commands.picker import theme_problem

    warnings = [*settings.warnings, *filter(None, [theme_problem(settings, paths.config_file)])]
    if warnings:
        return Check("ssotui config", Verdict.WARN, "; ".join(warnings))
    where = paths.config_file
    return Check("ssotui config", Verdict.OK, f"{where}" + ("" if where.exists() else " (none)"))


def check_subshell_credentials(settings: Settings) -> Check:
    """Which credentials the picker's subshell gets (`renew_credentials`)."""
    if settings.renew_credentials:
        detail = "the picker's subshell renews its credentials (a loopback endpoint)"
    else:
        detail = "the picker's subshell gets static keys (renew_credentials = true to renew)"
    return Check("subshell credentials", Verdict.OK, detail)


def check_ca_file(environ: Mapping[str, str]) -> Check:
    """The CA file TLS is verified with (botocore's choice) and the setting that named it."""
    from tui.aws.ca_files import chosen_ca_file, tls_context, unusable_line

    ca = chosen_ca_file(environ)
    if tls_context(ca) is None:
        return Check("CA file", Verdict.FAIL, unusable_line(ca, "Identity Center"))
    if ca.setting is None:
        return Check("CA file", Verdict.OK, f"{ca.path} (the default: no CA setting)")
    return Check("CA file", Verdict.OK, f"{ca.path} (from {ca.setting})")


def check_portal(session: SsoSession, environ: Mapping[str, str]) -> Check:
    """How the portal calls will go: ssotui's direct client or botocore, and why."""
    from tui.aws.endpoints import portal_route

    try:
        url, why = portal_route(session.region, environ)
    except SsotuiError as exc:
        return Check("portal", Verdict.FAIL, exc.message)
    if url is None:
        from tui.aws.clients import sso_client

        try:  # where botocore goes: a [services] section may send SSO OIDC elsewhere
            where = f" to {sso_client(session).meta.endpoint_url}"
        except SsotuiError:
            where = ""  # the Identity Center check says why
        return Check("portal", Verdict.OK, f"through botocore{where} ({why})")
    return Check("portal", Verdict.OK, f"direct to {url} ({why})")


def check_endpoints(environ: Mapping[str, str]) -> Iterator[Check]:
    """A `[services]` section botocore cannot use as the config file means it; no line when
    there is none or it is right."""
    from tui.aws.endpoints import services_slips

    for fatal, line in services_slips(environ):
        yield Check("endpoints", Verdict.FAIL if fatal else Verdict.WARN, line)


def check_session(context: Context) -> tuple[SsoSession | None, Check]:
    """The session a command takes without `--session`, and where from (`AWS_PROFILE=…`, the
    only one...). A warning when a variable names a profile that is not there or whose
    session cannot be used (the AWS CLI fails with it); several and none chosen is as it may
    be (the picker asks)."""
    from tui.aws.session_choice import aws_cli_profile, unused_profile

    hint = aws_cli_profile(context.environ)
    try:
        session, why = context.chosen_session()
    except SsotuiError as exc:
        slip = unused_profile(context.paths, hint)[1] if hint.variable else False
        return None, Check("session", Verdict.WARN if slip else Verdict.OK, exc.message)
    detail = f"{session.label} without --session ({why})"
    if hint.variable is None or why.startswith(f"{hint.variable}="):
        return session, Check("session", Verdict.OK, detail)
    # the AWS CLI takes the profile the variable names (and fails on one not there)
    note, slip = unused_profile(context.paths, hint)
    detail += f", and {note}" if note else ""
    return session, Check("session", Verdict.WARN if slip else Verdict.OK, detail)


def run_checks(context: Context, session: SsoSession | None = None) -> Iterator[Check]:
    """Every check, in the order they are shown."""
    paths = context.paths
    config, sessions = check_aws_config(paths)
    yield from config
    for s in sessions:
        token = check_token(paths, s)
        if len(sessions) > 1:  # a bare `ssotui login` would ask which session: say it
            token = replace(token, detail=for_the_command_line(token.detail, naming(s, paths)))
        yield token
    yield check_aws_cli()
    yield check_clipboard(context.environ)
    yield check_ca_file(context.environ)
    target = session
    if target is None and sessions:
        chosen, check = check_session(context)
        yield check
        target = chosen or sessions[0]
    if target is not None:
        yield check_portal(target, context.environ)
        yield from check_endpoints(context.environ)
        yield check_clock(target)
    if paths.credentials_unset:
        detail = f"none ({CREDENTIALS_VARIABLE} is set but empty: the AWS CLI reads none)"
        yield Check("credentials file", Verdict.OK, detail)
    else:
        yield _private(paths.aws_credentials_file, "credentials file")
    yield _private(paths.sso_cache_dir, "SSO token cache", folder=True)
    yield check_token_files(paths)
    yield check_secret_folders(paths)
    yield check_settings(context.settings, paths)
    yield check_subshell_credentials(context.settings)


def doctor(args: argparse.Namespace, context: Context) -> int:
    """`ssotui doctor`: every check with its verdict; exit 1 when one failed."""
    session = None
    if args.session or args.start_url:
        session = context.session(
            name=args.session, start_url=args.start_url, sso_region=args.sso_region
        )
    from tui.text import printable

    verdicts = []
    for check in run_checks(context, session):
        verdicts.append(check.verdict)
        # details may quote the config file or the service: control characters replaced
        print(printable(f"[{check.verdict.value:>4}] {check.name}: {check.detail}"))
    failed = Verdict.FAIL in verdicts
    warned = verdicts.count(Verdict.WARN)
    if failed:
        print("Some checks failed.")
    elif warned:  # "All is well." under a [warn] line said two things at once
        print(f"No check failed; {counted(warned, 'warning')} above.")
    else:
        print("All is well.")
    return 1 if failed else 0
