"""Run the simulator by hand: ``python -m tui.sim --help``."""

from __future__ import annotations

import argparse
import json
import shutil
import subprocess
import sys
import tempfile
import threading
from pathlib import Path

from tui.sim.knobs import Approve
from tui.sim.limiters import SHAPES
from tui.sim.org import Organisation
from tui.sim.shapes import SHAPES as ANSWER_SHAPES
from tui.sim.simulator import DEFAULT_START_URL, Simulator


def _approve(text: str) -> Approve:
    if text in ("auto", "manual", "deny"):
        return text
    try:
        return int(text)
    except ValueError:
        pass
    try:
        return float(text)
    except ValueError:
        raise argparse.ArgumentTypeError("auto, manual, deny, N (polls) or S.S (seconds)") from None


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="python -m tui.sim",
        description="A local IAM Identity Center (SSO OIDC + SSO portal) on 127.0.0.1.",
    )
    p.add_argument("--accounts", type=int, default=40, help="generated accounts (default 40)")
    p.add_argument("--seed", type=int, default=0, help="seed of the generated organisation")
    p.add_argument("--org", metavar="FILE", help="organisation JSON file (see tui/sim/org.py)")
    p.add_argument(
        "--hostile-names",
        action="store_true",
        help="add accounts whose names hold escape sequences, line breaks, NUL, CJK, bidi",
    )
    p.add_argument("--port", type=int, default=0, help="port on 127.0.0.1 (default: any free)")
    p.add_argument("--start-url", default=DEFAULT_START_URL, help="start URL to accept")
    p.add_argument("--region", default="us-east-1", help="region to advertise")
    p.add_argument("--latency", type=float, default=0.0, help="seconds added to every call")
    p.add_argument("--rate-limit", type=float, help="portal calls per second before 429")
    p.add_argument(
        "--limiter",
        choices=SHAPES,
        default="bucket",
        help="shape of the rate limit: token bucket (default), fixed or sliding 1 s windows",
    )
    p.add_argument("--burst", type=float, help="token bucket size (default: the rate, at least 1)")
    p.add_argument("--fail-every", type=int, help="answer 500 to every Nth portal call")
    p.add_argument(
        "--approve",
        type=_approve,
        default="manual",
        help="auto | manual (via the verification page; default) | deny | N polls | S.S seconds",
    )
    p.add_argument("--interval", type=int, default=1, help="device polling interval (s)")
    p.add_argument("--token-lifetime", type=int, default=3600, help="access token lifetime (s)")
    p.add_argument("--no-refresh", action="store_true", help="issue no refresh tokens")
    p.add_argument(
        "--credential-lifetime", type=int, default=3600, help="role credentials' lifetime (s)"
    )
    p.add_argument(
        "--shape",
        action="append",
        default=[],
        choices=sorted(ANSWER_SHAPES),
        metavar="NAME",
        help="an odd but valid answer, again for more (see tui/sim/shapes.py): "
        + ", ".join(ANSWER_SHAPES),
    )
    p.add_argument(
        "--tls",
        action="store_true",
        help="HTTPS with a self-signed certificate (made by openssl), trusted via AWS_CA_BUNDLE",
    )
    p.add_argument("--dump-org", action="store_true", help="print the organisation JSON and exit")
    p.add_argument("--quiet", action="store_true", help="no access log on stderr")
    return p


def _banner(sim: Simulator, cert: Path | None = None) -> str:
    trust = f"\nexport AWS_CA_BUNDLE={cert}" if cert else ""
    return f"""ssotui simulator listening on {sim.url}
  {len(sim.org)} accounts; approve={sim.knobs.approve!r}; sign-in page {sim.url}/device

Point the AWS CLI, boto3 or ssotui at it:

export AWS_ENDPOINT_URL_SSO={sim.url}
export AWS_ENDPOINT_URL_SSO_OIDC={sim.url}
export AWS_ENDPOINT_URL_SIGNIN={sim.url}{trust}

and in ~/.aws/config:

[sso-session sim]
sso_start_url = {sim.start_url}
sso_region = {sim.region}
sso_registration_scopes = sso:account:access

Ctrl-C stops it."""


def main(argv: list[str] | None = None) -> int:
    """Parse flags, start the simulator, serve until Ctrl-C."""
    args = _parser().parse_args(argv)
    if args.org:
        try:
            org = Organisation.from_file(args.org)
        except (OSError, ValueError) as err:
            print(f"cannot read organisation {args.org}: {err}", file=sys.stderr)
            return 1
    else:
        org = Organisation.generate(accounts=args.accounts, seed=args.seed)
    if args.hostile_names:
        org = org.with_hostile_names(args.seed)
    if args.dump_org:
        print(json.dumps(org.to_dict(), indent=2, ensure_ascii=False))
        return 0
    cert: Path | None = None
    folder = tempfile.mkdtemp(prefix="ssotui-sim-tls-") if args.tls else None
    try:
        tls = None
        if folder is not None:
            from tui.sim.certificate import self_signed, server_context

            cert, key = self_signed(Path(folder))
            tls = server_context(cert, key)
        sim = Simulator(
            org,
            latency=args.latency,
            rate_limit=args.rate_limit,
            limiter=args.limiter,
            burst=args.burst,
            fail_every=args.fail_every,
            approve=args.approve,
            interval=args.interval,
            token_lifetime=args.token_lifetime,
            refresh=not args.no_refresh,
            credential_lifetime=args.credential_lifetime,
            shapes=frozenset(args.shape),
            start_url=args.start_url,
            region=args.region,
            port=args.port,
            log=None if args.quiet else lambda line: print(line, file=sys.stderr, flush=True),
            tls=tls,
        )
        sim.start()
    except (OSError, ValueError, TypeError, RuntimeError, subprocess.SubprocessError) as err:
        print(f"cannot start the simulator: {err}", file=sys.stderr)
        if folder is not None:
            shutil.rmtree(folder, ignore_errors=True)
        return 1
    try:
        print(_banner(sim, cert), flush=True)  # inside: a Ctrl-C just after it is a clean stop
        threading.Event().wait()
    except KeyboardInterrupt:
        pass
    finally:
        sim.stop()
        if folder is not None:
            shutil.rmtree(folder, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
