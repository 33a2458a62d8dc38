"""A stand-in browser for the tests, run through `BROWSER` (see `use_fake_browser`).

What it does with the URL it is given is set by FAKE_BROWSER_MODE:
  follow (default)  fetch the URL and follow its redirects, as a browser does; on the
                    simulator's manual page it clicks FAKE_BROWSER_CLICK (approve or deny)
  wrong-state       call the URL's redirect_uri with a code and a state of its own
  error             call the redirect_uri with error=server_error and the right state
  record            open nothing
Each URL it was given, what it saw and its command line (`argv`, which every local user may
read) are appended as one JSON line to FAKE_BROWSER_LOG.
FAKE_BROWSER_PROBE=1 first asks the listener for another path and records the status;
FAKE_BROWSER_TWICE=1 loads the page it ended on once more (a browser's retry or reload) and
records that status ("refused" when nothing listens any more);
FAKE_BROWSER_WAIT_FOR=<file> waits until that file exists before doing anything.
FAKE_BROWSER_HTTPS_PROXY=<url> sends https requests through that proxy (CONNECT), trusting the
certificates of FAKE_BROWSER_CA: a browser that reaches a simulator behind the real endpoint
names (`tests.aws_cli_support.RealNames`); http (the loopback listener) goes direct.
"""

from __future__ import annotations

import json
import os
import re
import ssl
import sys
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import parse_qs, urlencode, urlsplit

if TYPE_CHECKING:
    import pytest


def _opener() -> urllib.request.OpenerDirector:
    proxy = os.environ.get("FAKE_BROWSER_HTTPS_PROXY")
    if not proxy:
        return urllib.request.build_opener(urllib.request.ProxyHandler({}))
    context = ssl.create_default_context(cafile=os.environ.get("FAKE_BROWSER_CA"))
    return urllib.request.build_opener(
        urllib.request.ProxyHandler({"https": proxy}), urllib.request.HTTPSHandler(context=context)
    )


def _fetch(url: str, data: bytes | None = None) -> tuple[int, str, str]:
    """(status, final URL, body) after following redirects."""
    try:
        with _opener().open(url, data=data, timeout=10) as answer:
            return answer.status, answer.geturl(), answer.read().decode("utf-8", "replace")
    except urllib.error.HTTPError as err:
        return err.code, err.geturl(), err.read().decode("utf-8", "replace")


def _redirect_and_state(url: str) -> tuple[str, str]:
    query = parse_qs(urlsplit(url).query)
    return query["redirect_uri"][0], query["state"][0]


def run(url: str) -> dict[str, object]:
    """Do what FAKE_BROWSER_MODE says with `url`; what was seen."""
    seen: dict[str, object] = {"url": url}
    wait_for = os.environ.get("FAKE_BROWSER_WAIT_FOR")
    if wait_for:
        while not Path(wait_for).exists():
            time.sleep(0.05)
    mode = os.environ.get("FAKE_BROWSER_MODE", "follow")
    if mode == "record":
        return seen
    if "/authorize?" in url and os.environ.get("FAKE_BROWSER_PROBE"):
        redirect_uri, _state = _redirect_and_state(url)
        listener = urlsplit(redirect_uri)
        seen["probe"] = _fetch(f"http://{listener.netloc}/favicon.ico")[0]
    if mode == "wrong-state":
        redirect_uri, _state = _redirect_and_state(url)
        target = f"{redirect_uri}?{urlencode({'code': 'stolen', 'state': 'not-yours'})}"
        seen["status"] = _fetch(target)[0]
        return seen
    if mode == "error":
        redirect_uri, state = _redirect_and_state(url)
        target = f"{redirect_uri}?{urlencode({'error': 'server_error', 'state': state})}"
        seen["status"] = _fetch(target)[0]
        return seen
    status, final, body = _fetch(url)
    request_id = re.search(r'name="request_id" value="([^"]+)"', body)
    if request_id:  # the simulator's manual page: click
        seen["page"] = status
        form = urlencode(
            {
                "request_id": request_id.group(1),
                "action": os.environ.get("FAKE_BROWSER_CLICK", "approve"),
            }
        )
        parts = urlsplit(final)
        status, final, body = _fetch(f"{parts.scheme}://{parts.netloc}/authorize", form.encode())
    seen.update(status=status, final=urlsplit(final).path, body=body)
    if os.environ.get("FAKE_BROWSER_TWICE"):
        try:
            seen["again"] = _fetch(final)[0]
        except urllib.error.URLError:
            seen["again"] = "refused"
    return seen


@dataclass
class FakeBrowser:
    """The log of a fake browser installed as BROWSER."""

    log: Path

    def visits(self) -> list[dict[str, object]]:
        """One entry per URL the browser was asked to open."""
        if not self.log.exists():
            return []
        return [json.loads(line) for line in self.log.read_text().splitlines() if line]


def use_fake_browser(
    monkeypatch: pytest.MonkeyPatch, folder: Path, mode: str = "follow", **settings: str
) -> FakeBrowser:
    """Set BROWSER to this script (and its settings: click=, probe=, twice=, wait_for=)."""
    log = folder / "browser.log"
    monkeypatch.setenv("BROWSER", f"{sys.executable} {Path(__file__).resolve()} %s")
    monkeypatch.setenv("FAKE_BROWSER_MODE", mode)
    monkeypatch.setenv("FAKE_BROWSER_LOG", str(log))
    for name, value in settings.items():
        monkeypatch.setenv(f"FAKE_BROWSER_{name.upper()}", value)
    return FakeBrowser(log)


if __name__ == "__main__":
    result = {**run(sys.argv[1]), "argv": sys.argv}
    with open(os.environ["FAKE_BROWSER_LOG"], "a", encoding="utf-8") as out:
        out.write(json.dumps(result) + "\n")
