"""Credentials that renew themselves: a loopback credential endpoint for a child process.

`CredentialEndpoint(fetch)` serves the role credentials `fetch` returns, renewed before they
expire, in the container-credentials protocol (`AWS_CONTAINER_CREDENTIALS_FULL_URI` and
`AWS_CONTAINER_AUTHORIZATION_TOKEN`); `tui.export.env.endpoint_child_env` builds the child's
environment around it. Standard library only.
"""

from __future__ import annotations

from tui.serve.endpoint import TOKEN_VAR, URI_VAR, CredentialEndpoint
from tui.serve.renewing import RENEW_MARGIN, FetchPending, RenewingCredentials

__all__ = [
    "RENEW_MARGIN",
    "TOKEN_VAR",
    "URI_VAR",
    "CredentialEndpoint",
    "FetchPending",
    "RenewingCredentials",
]
