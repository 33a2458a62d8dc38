"""A local IAM Identity Center (SSO OIDC + SSO portal + console sign-in) for the demo, the tests
and by hand.

    with Simulator(Organisation.generate(accounts=50)) as sim:
        os.environ.update(sim.env())   # AWS_ENDPOINT_URL_SSO / _SSO_OIDC / _SIGNIN
        ...                            # log in against sim.start_url in sim.region

Imports nothing from the rest of ``tui``; stdlib only.
"""

from __future__ import annotations

from tui.sim.errors import SimError
from tui.sim.knobs import Knobs
from tui.sim.org import HOSTILE_ACCOUNTS, Organisation, SimAccount, SimRole
from tui.sim.simulator import DEFAULT_START_URL, Simulator

__all__ = [
    "DEFAULT_START_URL",
    "HOSTILE_ACCOUNTS",
    "Knobs",
    "Organisation",
    "SimAccount",
    "SimError",
    "SimRole",
    "Simulator",
]
