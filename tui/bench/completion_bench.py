"""Shell completion, end to end: how long `ssotui` takes to answer one completion request.

Each request is the real program in a fresh process, asked as the bash script asks it
(`_ARGCOMPLETE=1`, `COMP_LINE`, `COMP_POINT`), against an isolated HOME with an AWS config and
a cached catalog of N accounts (no simulator, no network: completion never calls out). The
target is 150 ms per request. Run: `python -m tui.bench.completion_bench [--runs 20]`.
"""

from __future__ import annotations

import argparse
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

from tui.models import Account, Catalog, SsoSession
from tui.sim import Organisation

START_URL = "https://bench.awsapps.com/start"


def _home(root: Path, accounts: int) -> dict[str, str]:
    """An isolated HOME with one sso-session and its catalog cached; the environment for it."""
    env = {
        **os.environ,
        "HOME": str(root),
        "AWS_CONFIG_FILE": str(root / "config"),
        "SSOTUI_CONFIG_DIR": str(root / "ssotui-config"),
        "SSOTUI_CACHE_DIR": str(root / "ssotui-cache"),
        "SSOTUI_STATE_DIR": str(root / "ssotui-state"),
    }
    (root / "config").write_text(
        f"[sso-session bench]\nsso_start_url = {START_URL}\nsso_region = eu-west-1\n",
        encoding="utf-8",
    )
    org = Organisation.generate(accounts=accounts, seed=3)
    catalog = Catalog(
        accounts=tuple(Account(a.account_id, a.name, a.email) for a in org.accounts),
        roles={a.account_id: tuple(r.name for r in a.roles) for a in org.accounts},
        fetched_at=datetime.now(UTC),
    )
    old = os.environ.get("SSOTUI_CACHE_DIR")
    os.environ["SSOTUI_CACHE_DIR"] = env["SSOTUI_CACHE_DIR"]
    try:
        from tui.paths import Paths
        from tui.store import catalog_cache

        catalog_cache.save(
            Paths.from_environ(os.environ),
            SsoSession(name="bench", start_url=START_URL, region="eu-west-1"),
            catalog,
        )
    finally:
        if old is None:
            del os.environ["SSOTUI_CACHE_DIR"]
        else:
            os.environ["SSOTUI_CACHE_DIR"] = old
    return env


def _program() -> list[str]:
    """The installed `ssotui` script beside this Python, else `python -m tui`."""
    script = Path(sys.executable).with_name("ssotui")
    return [str(script)] if script.exists() else [sys.executable, "-m", "tui"]


def _cpu() -> float:
    used = resource.getrusage(resource.RUSAGE_CHILDREN)
    return used.ru_utime + used.ru_stime


def ask(line: str, env: dict[str, str], out: Path) -> tuple[float, float, list[str]]:
    """One completion request for `line` (cursor at its end): (wall seconds, CPU seconds,
    the candidates). CPU time says what the machine's other load does not change."""
    request = {
        **env,
        "_ARGCOMPLETE": "1",
        "_ARGCOMPLETE_SHELL": "bash",
        "_ARGCOMPLETE_IFS": "\n",
        "_ARGCOMPLETE_STDOUT_FILENAME": str(out),
        "COMP_LINE": line,
        "COMP_POINT": str(len(line)),
    }
    cpu, start = _cpu(), time.perf_counter()
    subprocess.run(_program(), env=request, stdin=subprocess.DEVNULL, capture_output=True)
    elapsed, cpu = time.perf_counter() - start, _cpu() - cpu
    return elapsed, cpu, [c for c in out.read_text(encoding="utf-8").split("\n") if c]


def _baseline(runs: int) -> tuple[float, float]:
    times, cpus = [], []
    for _ in range(runs):
        cpu, start = _cpu(), time.perf_counter()
        subprocess.run([sys.executable, "-c", "pass"], capture_output=True)
        times.append(time.perf_counter() - start)
        cpus.append(_cpu() - cpu)
    return statistics.median(times), statistics.median(cpus)


def main(argv: list[str] | None = None) -> int:
    """Print the median and worst time of each completion request."""
    parser = argparse.ArgumentParser(prog="python -m tui.bench.completion_bench")
    parser.add_argument("--runs", type=int, default=20, help="requests per line (default 20)")
    parser.add_argument("--accounts", type=int, nargs="+", default=[1000, 10000])
    options = parser.parse_args(argv)
    wall, cpu = _baseline(options.runs)
    print(f"python -c pass: {wall * 1000:.0f} ms median wall, {cpu * 1000:.0f} ms CPU")
    for accounts in options.accounts:
        with tempfile.TemporaryDirectory() as folder:
            root = Path(folder)
            env = _home(root, accounts)
            out = root / "answer"
            org = Organisation.generate(accounts=accounts, seed=3)
            some = org.accounts[len(org.accounts) // 2]
            lines = (
                "ssotui ",
                "ssotui ex",
                "ssotui --session ",
                "ssotui exec ",
                "ssotui export prod",  # no name begins so: the cost of looking through them all
                f"ssotui exec {some.name[:6]}",
                f"ssotui export {some.name} ",
            )
            print(f"\n{accounts:,} accounts in the cached catalog, {options.runs} requests each:")
            for line in lines:
                ask(line, env, out)  # warm the file cache
                times, cpus, answers = [], [], 0
                for _ in range(options.runs):
                    elapsed, cpu, got = ask(line, env, out)
                    times.append(elapsed)
                    cpus.append(cpu)
                    answers = len(got)
                print(
                    f"  {line!r:<40} wall {statistics.median(times) * 1000:4.0f} ms median "
                    f"{max(times) * 1000:4.0f} worst; CPU {statistics.median(cpus) * 1000:4.0f} ms"
                    f"  {answers:6,} candidates"
                )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
