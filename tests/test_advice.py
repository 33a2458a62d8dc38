"""Advice in the words of the door: command-line advice carries the session options the user
typed; in the picker it becomes the key that does the same, or goes where the screen shows it."""

from __future__ import annotations

import pytest

from tests.conftest import Home, here
from tui.aws.session_choice import chosen_session
from tui.aws.sessions import load_sessions
from tui.errors import ConfigError
from tui.store.settings import Settings
from tui.workspace.advice import (
    for_the_command_line,
    for_the_picker,
    in_a_child,
    session_options,
    without_retrying,
)

# The messages of the errors a door shows, as the domain words them.
EXPIRED_CODE = (
    "the login code for session dev expired before it was approved: run `ssotui login` again"
)
DENIED = "the login to session dev was denied in the browser: run `ssotui login` again to retry"
REFUSED = (
    "Identity Center refused the login for session dev (InvalidClientException): check the "
    "session's sso_start_url and sso_region, then run `ssotui login` again"
)
NOT_LOGGED_IN = "not logged in to session dev: run `ssotui login`"
NO_ACCESS = (
    "no access to role Admin in account prod (123456789012): the permission set is not (or no "
    "longer) assigned to you; ask your administrator, or run `ssotui list --refresh`"
)
FAILED_AT_LOGIN = (
    "Identity Center failed the client registration of session dev with HTTP 503 "
    "(ServiceUnavailable): try again in a minute with `ssotui login`"
)
BROWSER_GONE = (
    "the browser did not come back within 10 minutes for session dev: run `ssotui login` again "
    "(or `ssotui login --use-device-code` to log in on another device)"
)
FAILED_ROLES = (
    "the roles of prod (123456789012) could not be listed (HTTP 500); try again with --refresh"
)


def test_the_command_line_repeats_the_session_options_typed() -> None:
    ad_hoc = session_options(
        session=None, start_url="acme.awsapps.com/start", sso_region="eu-west-1"
    )
    assert for_the_command_line(NOT_LOGGED_IN, ad_hoc) == (
        "not logged in to session dev: run "
        "`ssotui login --start-url acme.awsapps.com/start --sso-region eu-west-1`"
    )
    named = session_options(session="my session", start_url=None, sso_region=None)
    assert for_the_command_line(NO_ACCESS, named).endswith(
        "`ssotui list --refresh --session 'my session'`"
    )
    assert for_the_command_line(NOT_LOGGED_IN, []) == NOT_LOGGED_IN  # the default session


def test_configure_advice_is_left_alone(home: object) -> None:
    with pytest.raises(ConfigError) as caught:
        chosen_session(here())
    options = session_options(session=None, start_url=None, sso_region=None)
    assert for_the_command_line(caught.value.message, options) == caught.value.message


@pytest.mark.parametrize(
    ("message", "said"),
    [
        (EXPIRED_CODE, "the login code for session dev expired before it was approved"),
        (DENIED, "the login to session dev was denied in the browser"),
        (
            REFUSED,
            "Identity Center refused the login for session dev (InvalidClientException): check "
            "the session's sso_start_url and sso_region",
        ),
        (NOT_LOGGED_IN, "not logged in to session dev: press ctrl+l to log in"),
        (
            NO_ACCESS,
            "no access to role Admin in account prod (123456789012): the permission set is not "
            "(or no longer) assigned to you; ask your administrator, or press ctrl+r to refresh "
            "the list",
        ),
        (
            FAILED_AT_LOGIN,
            "Identity Center failed the client registration of session dev with HTTP 503 "
            "(ServiceUnavailable): try again in a minute",
        ),
        (BROWSER_GONE, "the browser did not come back within 10 minutes for session dev"),
        (
            FAILED_ROLES,
            "the roles of prod (123456789012) could not be listed (HTTP 500); press ctrl+r to "
            "try again",
        ),
    ],
)
def test_the_picker_gives_keys_not_commands(message: str, said: str) -> None:
    assert for_the_picker(message) == said
    assert "`ssotui" not in said and "--" not in said


def _told_in_a_child(environ: dict[str, str]) -> str:
    """What a child of the `dev` session (`exec --renew`'s command, the picker's renewing
    subshell) is told to run when it is not logged in, ssotui having been started in
    `environ`."""
    session = next(s for s in load_sessions(here()) if s.name == "dev")
    advice = in_a_child(session, settings=Settings(), environ=environ, paths=here())
    return advice(NOT_LOGGED_IN)


def test_a_child_is_told_the_session_only_where_ssotui_login_alone_would_not_reach_it(
    home: Home,
) -> None:
    """The child has no AWS_PROFILE: a session it chose is named; the only one is not."""
    dev = "[sso-session dev]\nsso_start_url = https://d.example/start\nsso_region = eu-west-1\n"
    home.write_config(dev)
    assert _told_in_a_child({}) == NOT_LOGGED_IN  # the only session: `ssotui login` reaches it
    home.write_config(
        dev + "[sso-session other]\nsso_start_url = https://o.example/start\n"
        "sso_region = eu-west-1\n[profile work]\nsso_session = dev\n"
    )
    named = "not logged in to session dev: run `ssotui login --session dev`"
    assert _told_in_a_child({"AWS_PROFILE": "work"}) == named
    assert _told_in_a_child({}) == named  # several, and nothing decides (the picker asked)


@pytest.mark.parametrize(
    ("message", "left"),
    [
        (
            "Identity Center failed Logout with HTTP 500 after retries (session dev): try again "
            "later",
            "Identity Center failed Logout with HTTP 500 after retries (session dev)",
        ),
        (
            "Identity Center refused Logout (OddException: no) for session dev: try again later, "
            "and report it if it persists",
            "Identity Center refused Logout (OddException: no) for session dev",
        ),
        (
            "the connection to Identity Center at h through the proxy p failed: try again later; "
            "if it keeps failing, check HTTPS_PROXY and NO_PROXY",
            "the connection to Identity Center at h through the proxy p failed: check "
            "HTTPS_PROXY and NO_PROXY",
        ),
        (
            "cannot reach Identity Center at h (session dev, region r): check your network",
            "cannot reach Identity Center at h (session dev, region r): check your network",
        ),
    ],
)
def test_a_call_that_cannot_be_sent_again_keeps_no_advice_to_retry(message: str, left: str) -> None:
    assert without_retrying(message) == left


def test_a_console_the_picker_cannot_reach_says_all_a_shell_needs() -> None:
    line = (
        "ssotui knows no console address or sign-in endpoint for region eusc-de-east-1 (outside "
        "the commercial, China and GovCloud partitions): give --destination URL and set "
        "AWS_ENDPOINT_URL_SIGNIN"
    )
    assert for_the_picker(line).endswith(
        "partitions): open it from the access portal in the browser, or with `ssotui console "
        "--destination URL` in a shell where AWS_ENDPOINT_URL_SIGNIN is set"
    )
