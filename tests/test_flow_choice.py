"""Which login flow runs, and how a URL reaches a browser (BROWSER, WSL)."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest

from tests.fake_browser import use_fake_browser
from tui.aws.flow_choice import Flow, FlowChoice, choose_flow, over_ssh
from tui.browser import browser_can_start, cmd_quoted, is_wsl, open_url, windows_open_command

URL = "https://oidc.eu-west-1.amazonaws.com/authorize?response_type=code&state=a%20b&scopes=x"


def choice(environ: dict[str, str] | None = None, **flags: bool) -> FlowChoice:
    values = {"use_device_code": False, "no_browser": False, "browser_can_start": True}
    values.update(flags)
    return choose_flow(environ=environ or {}, **values)  # type: ignore[arg-type]


def test_the_browser_flow_is_the_default() -> None:
    assert choice() == FlowChoice(Flow.BROWSER)


def test_asked_for_device_code() -> None:
    chosen = choice(use_device_code=True)
    assert chosen.flow is Flow.DEVICE_CODE and not chosen.fallback
    assert chosen.reason == "--use-device-code was given"
    chosen = choice(no_browser=True, environ={"SSH_TTY": "/dev/pts/1"})
    assert chosen.flow is Flow.DEVICE_CODE and chosen.reason == "--no-browser was given"


@pytest.mark.parametrize("variable", ["SSH_CONNECTION", "SSH_TTY"])
def test_over_ssh_falls_back_to_the_device_code(variable: str) -> None:
    chosen = choice({variable: "10.0.0.1 5122 10.0.0.2 22", "DISPLAY": ":0"})
    assert chosen.flow is Flow.DEVICE_CODE and chosen.fallback
    assert f"SSH session ({variable} is set)" in chosen.reason and "\n" not in chosen.reason


def test_ssh_detection() -> None:
    assert over_ssh({"SSH_CONNECTION": "1 2 3 4"}) == "SSH_CONNECTION"
    assert over_ssh({"SSH_TTY": "/dev/pts/3"}) == "SSH_TTY"
    assert over_ssh({"SSH_CONNECTION": "", "SSH_TTY": ""}) is None  # set but empty: not SSH
    assert over_ssh({"SSH_AUTH_SOCK": "/tmp/agent"}) is None  # an agent is no SSH session


def test_no_browser_or_no_sso_session_falls_back() -> None:
    chosen = choice(browser_can_start=False)
    assert (chosen.flow, chosen.reason, chosen.fallback) == (
        Flow.DEVICE_CODE,
        "no browser can be started here",
        True,
    )
    chosen = choice(named_session=False)
    assert chosen.flow is Flow.DEVICE_CODE and "[sso-session]" in chosen.reason


def test_where_a_browser_can_start() -> None:
    assert browser_can_start({"BROWSER": "firefox"}, platform="linux", osrelease="6.1")
    assert browser_can_start({}, platform="darwin")
    assert browser_can_start({}, platform="win32")
    assert browser_can_start({"DISPLAY": ":0"}, platform="linux", osrelease="6.1")
    assert browser_can_start({"WAYLAND_DISPLAY": "w"}, platform="linux", osrelease="6.1")
    assert not browser_can_start({}, platform="linux", osrelease="6.1.0-18-amd64")
    wsl = "5.15.153.1-microsoft-standard-WSL2"
    assert browser_can_start({}, platform="linux", osrelease=wsl)


def test_wsl_detection() -> None:
    assert is_wsl({}, "5.15.153.1-microsoft-standard-WSL2\n")
    assert is_wsl({}, "4.4.0-19041-Microsoft")
    assert is_wsl({"WSL_DISTRO_NAME": "Ubuntu"}, "")
    assert not is_wsl({}, "6.8.0-45-generic")


def test_url_quoted_for_cmd() -> None:
    quoted = cmd_quoted('https://x/a?b=1&c=2|3<4>5(6)^7%208!9"0 1')
    assert quoted == "https://x/a?b=1^&c=2^|3^<4^>5^(6^)^^7^%208^!9^%220^%201"
    # cmd removes each escaping caret: what `start` receives is the URL, percent-encoded
    assert quoted.replace("^^", "\0").replace("^", "").replace("\0", "^") == (
        "https://x/a?b=1&c=2|3<4>5(6)^7%208!9%220%201"
    )


def _fake_command(folder: Path, name: str) -> Path:
    """An executable `name` that records its arguments, one per line, in `<name>.args`."""
    folder.mkdir(exist_ok=True)
    path = folder / name
    path.write_text(
        f"#!{sys.executable}\nimport sys\n"
        f"open({str(folder / (name + '.args'))!r}, 'w').write('\\n'.join(sys.argv[1:]))\n"
    )
    path.chmod(0o755)
    return path


def test_wsl_opens_urls_with_wslview_else_cmd(tmp_path: Path) -> None:
    bin_dir = tmp_path / "bin"
    cmd = _fake_command(bin_dir, "cmd.exe")
    env = {"WSL_DISTRO_NAME": "Ubuntu", "PATH": str(bin_dir)}
    assert windows_open_command(URL, env) == [str(cmd), "/c", "start", cmd_quoted(URL)]
    wslview = _fake_command(bin_dir, "wslview")
    assert windows_open_command(URL, env) == [str(wslview), URL]
    assert windows_open_command(URL, {"PATH": str(tmp_path / "empty")}) is None


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="WSL is Linux")
def test_open_url_on_wsl_runs_cmd_with_the_quoted_url(tmp_path: Path) -> None:
    bin_dir = tmp_path / "bin"
    _fake_command(bin_dir, "cmd.exe")
    env = {"WSL_DISTRO_NAME": "Ubuntu", "PATH": str(bin_dir)}
    assert open_url(URL, environ=env)
    assert (bin_dir / "cmd.exe.args").read_text().split("\n") == [
        "/c",
        "start",
        cmd_quoted(URL),
    ]
    # BROWSER, when set, wins over WSL
    assert not open_url(URL, environ={**env, "BROWSER": "false"})


def test_browser_variable_is_read_at_each_call(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    assert open_url(URL, os.environ)  # conftest's BROWSER=true
    browser = use_fake_browser(monkeypatch, tmp_path, "record")
    assert open_url(URL, os.environ)
    assert [v["url"] for v in browser.visits()] == [URL]
    monkeypatch.setenv("BROWSER", os.pathsep.join(["false", "true"]))
    assert open_url(URL, os.environ)  # the next command of the list when one fails
    monkeypatch.setenv("BROWSER", "false")
    assert not open_url(URL, os.environ)
