"""Seconds from highlighting an account until its roles show, while a throttled catalog loads.

`python -m tui.bench.highlight_bench [--rate-limit 2] [--accounts 200] [--moves 12]` (not
part of `python -m tui.bench`: it runs a first fetch in real time, a minute or two). It
starts `python -m tui.sim` in a process of its own with that rate limit, logs in to it in a
throwaway HOME, and opens the picker (`make_app`) headless at 120x40, with no cache: the
first fetch. It times the account highlighted at the start until the roles pane lists its
roles, then, while the catalog still loads, highlights an account whose roles are still
loading (one at random, as a user moving there would), times it likewise, and so on.
`--moves-only` starts moving as soon as the first accounts are listed (without it, a slow
start leaves few accounts loading to move to).
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

SIZE = (120, 40)
START_URL = "https://ssotui-sim.awsapps.com/start"  # the simulator's default


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _private_home(url: str) -> None:
    """Point HOME, the AWS files and ssotui's folders at a new folder; the portal at `url`."""
    home = Path(tempfile.mkdtemp(prefix="ssotui-highlight-"))
    (home / ".aws").mkdir()
    (home / ".aws" / "config").write_text(
        f"[sso-session sim]\nsso_start_url = {START_URL}\nsso_region = us-east-1\n"
        "sso_registration_scopes = sso:account:access\n"
    )
    for name in ("AWS_PROFILE", "AWS_DEFAULT_PROFILE", "AWS_CA_BUNDLE", "SSL_CERT_FILE"):
        os.environ.pop(name, None)
    os.environ.update(
        HOME=str(home),
        XDG_CONFIG_HOME=str(home / ".config"),
        XDG_CACHE_HOME=str(home / ".cache"),
        XDG_STATE_HOME=str(home / ".state"),
        AWS_CONFIG_FILE=str(home / ".aws" / "config"),
        AWS_SHARED_CREDENTIALS_FILE=str(home / ".aws" / "credentials"),
        AWS_ENDPOINT_URL_SSO=url,
        AWS_ENDPOINT_URL_SSO_OIDC=url,
    )


def _roles_shown(screen: Any, account_id: str) -> bool:
    """The roles pane shows this account's roles (or that it has none, or why not)."""
    model, rows = screen.model, screen.roles.row_list
    highlighted = screen.accounts.highlighted_item
    return (
        highlighted is not None
        and highlighted.account_id == account_id
        and (account_id in model.roles or account_id in model.failed)
        and (rows.row_count > 0 or rows.placeholder != "loading roles…")
    )


async def measure(moves: int, seed: int, timeout: float, *, start: bool = True) -> list[float]:
    """The figures, in seconds: the account highlighted at the start (with `start`), then
    each move."""
    from tui.app import make_app
    from tui.aws import login
    from tui.aws.sessions import load_sessions
    from tui.paths import Paths
    from tui.store.settings import Settings

    sessions = load_sessions(Paths.from_environ(os.environ))
    login.login(
        Paths.from_environ(os.environ), sessions[0], announce=lambda _a: None, sleep=lambda _s: 0
    )
    app = make_app(sessions=sessions, open_browser=False, settings=Settings())
    pick = random.Random(seed)
    figures: list[float] = []
    async with app.run_test(size=SIZE) as pilot:
        screen: Any = app.screen
        while type(screen).__name__ != "MainScreen" or not screen.accounts.highlighted_item:
            await pilot.pause(0.01)
            screen = app.screen
        # The cursor stays on the first row while rows stream in: time whatever is there.
        shown_first, since = None, time.monotonic()
        while start:
            account = screen.accounts.highlighted_item
            if account is None:
                await pilot.pause(0.01)
                continue
            if account is not shown_first:
                shown_first, since = account, time.monotonic()
            if _roles_shown(screen, account.account_id):
                break
            await pilot.pause(0.01)
        if shown_first is not None:
            figures.append(time.monotonic() - since)
            print(f"at the start, {shown_first.name}: {figures[-1]:.2f} s", flush=True)
        while len(figures) < moves + start and screen.model.progress.loading:
            model = screen.model
            loading = [
                row.value
                for row in screen.accounts.row_list.visible_rows()
                if model.roles_pending(row.value.account_id)
            ]
            if not loading:
                break
            wanted = pick.choice(loading)
            screen.accounts.highlight(lambda a, w=wanted: a is w)
            since = time.monotonic()
            while not _roles_shown(screen, wanted.account_id):
                if time.monotonic() - since > timeout:
                    break
                await pilot.pause(0.01)
            figures.append(time.monotonic() - since)
            print(
                f"moved to {wanted.name} ({len(model.roles)} accounts' roles in): "
                f"{figures[-1]:.2f} s",
                flush=True,
            )
            await pilot.pause(pick.uniform(0.5, 2.0))  # the user reads a moment
    return figures


def main() -> int:
    """Start the simulator, measure, print the figures."""
    parser = argparse.ArgumentParser(prog="python -m tui.bench.highlight_bench")
    parser.add_argument("--rate-limit", type=float, default=2.0)
    parser.add_argument("--accounts", type=int, default=200)
    parser.add_argument("--moves", type=int, default=12)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--timeout", type=float, default=180.0, help="seconds per figure")
    parser.add_argument("--moves-only", action="store_true", help="no figure for the start")
    args = parser.parse_args()
    port = _free_port()
    url = f"http://127.0.0.1:{port}"
    _private_home(url)
    sim = subprocess.Popen(
        [sys.executable, "-m", "tui.sim", "--port", str(port), "--quiet", "--approve", "auto",
         "--interval", "0", "--accounts", str(args.accounts),
         "--rate-limit", str(args.rate_limit)],
        stdout=subprocess.DEVNULL,
    )  # fmt: skip
    try:
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError:
                time.sleep(0.1)
        start = not args.moves_only
        figures = asyncio.run(measure(args.moves, args.seed, args.timeout, start=start))
    finally:
        sim.terminate()
        sim.wait()
    moved = figures[1:] if start else figures
    if start:
        print(f"highlighted at the start: {figures[0]:.2f} s")
    if moved:
        print(
            f"{len(moved)} moves: median {statistics.median(moved):.2f} s, worst {max(moved):.2f} s"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
