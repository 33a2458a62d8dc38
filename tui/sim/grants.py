"""Grant types and redirect URIs of a RegisterClient, checked as IAM Identity Center does.

A registration without ``grantTypes`` is a device code one (device code and refresh token);
one with ``authorization_code`` needs loopback ``redirectUris`` on ``/oauth/callback`` and the
start URL as ``issuerUrl``; one cannot have both the device code and the authorization code
(the real service answers InvalidScopeException).
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

from tui.sim.errors import oidc_error

AUTH_CODE_GRANT = "authorization_code"
DEVICE_GRANT = "urn:ietf:params:oauth:grant-type:device_code"
REFRESH_GRANT = "refresh_token"
GRANTS = (AUTH_CODE_GRANT, DEVICE_GRANT, REFRESH_GRANT)
LOOPBACK_HOSTS = ("127.0.0.1", "localhost", "::1")


def loopback_callback(uri: str) -> bool:
    """An `http` loopback URI on the `/oauth/callback` path (what the service takes from a
    public client)."""
    split = urlsplit(uri)
    return (
        split.scheme == "http"
        and split.hostname in LOOPBACK_HOSTS
        and split.path == "/oauth/callback"
        and not split.query
        and not split.fragment
    )


def registration_grants(body: dict[str, Any], start_url: str) -> tuple[list[str], list[str]]:
    """The grant types and redirect URIs of a RegisterClient request (SimError when refused)."""
    grants = body.get("grantTypes") or []
    if not isinstance(grants, list) or not all(g in GRANTS for g in grants):
        raise oidc_error("UnsupportedGrantTypeException", f"unsupported grantTypes {grants!r}")
    if AUTH_CODE_GRANT in grants and DEVICE_GRANT in grants:
        raise oidc_error("InvalidScopeException", "Invalid grant types for this client")
    if AUTH_CODE_GRANT not in grants:
        return list(grants), []
    redirects = body.get("redirectUris") or []
    if (
        not isinstance(redirects, list)
        or not redirects
        or not all(isinstance(r, str) and loopback_callback(r) for r in redirects)
    ):
        raise oidc_error("InvalidRedirectUriException", "Invalid redirect URI")
    issuer = body.get("issuerUrl")
    if not isinstance(issuer, str) or issuer.rstrip("/") != start_url.rstrip("/"):
        raise oidc_error("InvalidRequestException", f"unknown issuerUrl {issuer!r}")
    return list(grants), list(redirects)


def allows(grant_types: list[str], grant: str) -> bool:
    """Whether a registration with `grant_types` may use `grant`."""
    if not grant_types:
        return grant in (DEVICE_GRANT, REFRESH_GRANT)
    return grant in grant_types
