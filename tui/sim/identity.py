"""SSO OIDC side of the simulator: client registrations, device authorizations, tokens.

Behaves like IAM Identity Center: RegisterClient issues a public client, for the device code
flow or for the authorization code flow (:mod:`tui.sim.grants`); each is refused the other
flow (UnauthorizedClientException). The browser side of the code flow is in
:mod:`tui.sim.authorize`. Refresh tokens are only issued to clients registered with scopes (the
real service's "legacy" clients get none) and allowed the refresh grant, and only when the
``refresh`` knob is on. Refresh tokens are single use. Polling CreateToken faster than
``interval`` answers SlowDownException and from then on that device code needs ``interval + 5``
seconds between polls (RFC 8628 section 3.5). Not thread-safe by itself: the server holds its lock.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass, field
from typing import Any

from tui.sim.authorize import Answer, Authorizations
from tui.sim.errors import SimError, oidc_error, portal_error
from tui.sim.grants import (
    AUTH_CODE_GRANT,
    DEVICE_GRANT,
    GRANTS,
    REFRESH_GRANT,
    allows,
    registration_grants,
)
from tui.sim.knobs import Knobs

_CODE_LETTERS = "BCDFGHJKLMNPQRSTVWXZ"


@dataclass
class Client:
    """A registered OIDC client."""

    client_id: str
    secret: str
    name: str
    scopes: list[str]
    issued_at: float
    expires_at: float
    grant_types: list[str] = field(default_factory=list)  # empty: device code and refresh
    redirect_uris: list[str] = field(default_factory=list)

    def allows(self, grant: str) -> bool:
        """Whether this registration may use `grant` (no grantTypes: the device code flow's)."""
        return allows(self.grant_types, grant)


@dataclass
class Device:
    """One StartDeviceAuthorization and its approval state."""

    device_code: str
    user_code: str
    client_id: str
    started: float
    expires_at: float
    status: str = "pending"  # pending | approved | denied | used
    polls: int = 0
    last_poll: float | None = None
    slowed: bool = False


@dataclass(eq=False)
class Grant:
    """A sign-in: the access and refresh tokens it produced (Logout ends it as a whole)."""

    client_id: str
    access: dict[str, float] = field(default_factory=dict)  # token -> expires_at
    refresh: set[str] = field(default_factory=set)
    ended: bool = False


class Identity:
    """The OIDC operations and the bearer-token check the portal uses."""

    def __init__(self, knobs: Knobs, start_url: str) -> None:
        self.knobs = knobs
        self.start_url = start_url
        self.clients: dict[str, Client] = {}
        self.devices: dict[str, Device] = {}
        self.grants: list[Grant] = []
        self._access: dict[str, Grant] = {}
        self._refresh: dict[str, Grant] = {}
        self.authorizations = Authorizations(knobs)

    # -- operations -------------------------------------------------------------------------

    def register_client(self, body: dict[str, Any], now: float) -> dict[str, Any]:
        """RegisterClient: a public client, valid for ``client_lifetime`` seconds."""
        name, client_type = body.get("clientName"), body.get("clientType")
        if not isinstance(name, str) or not name:
            raise oidc_error("InvalidRequestException", "clientName is required")
        if client_type != "public":
            raise oidc_error("InvalidClientMetadataException", "clientType must be public")
        scopes = body.get("scopes") or []
        if not isinstance(scopes, list) or not all(isinstance(s, str) for s in scopes):
            raise oidc_error("InvalidScopeException", "scopes must be a list of strings")
        grants, redirects = registration_grants(body, self.start_url)
        client = Client(
            client_id=secrets.token_urlsafe(16),
            secret="sim." + secrets.token_urlsafe(96) + self.knobs.secret_suffix,
            name=name,
            scopes=list(scopes),
            issued_at=now,
            expires_at=now + self.knobs.client_lifetime,
            grant_types=grants,
            redirect_uris=redirects,
        )
        self.clients[client.client_id] = client
        return {
            "clientId": client.client_id,
            "clientSecret": client.secret,
            "clientIdIssuedAt": int(client.issued_at),
            "clientSecretExpiresAt": int(client.expires_at),
        }

    def start_device_authorization(
        self, body: dict[str, Any], now: float, verification_uri: str
    ) -> dict[str, Any]:
        """StartDeviceAuthorization for the simulator's start URL."""
        self._allowed(self._client(body, now), DEVICE_GRANT)
        start_url = body.get("startUrl")
        if not isinstance(start_url, str) or start_url.rstrip("/") != self.start_url.rstrip("/"):
            raise oidc_error("InvalidRequestException", f"unknown start URL {start_url!r}")
        user_code = self._new_user_code()
        device = Device(
            device_code=secrets.token_urlsafe(48),
            user_code=user_code,
            client_id=body["clientId"],
            started=now,
            expires_at=now + self.knobs.device_code_lifetime,
        )
        self.devices[device.device_code] = device
        return {
            "deviceCode": device.device_code,
            "userCode": user_code,
            "verificationUri": verification_uri,
            "verificationUriComplete": f"{verification_uri}?user_code={user_code}",
            "expiresIn": self.knobs.device_code_lifetime,
            "interval": self.knobs.interval,
        }

    def create_token(self, body: dict[str, Any], now: float) -> dict[str, Any]:
        """CreateToken with the device_code, authorization_code or refresh_token grant."""
        client = self._client(body, now)
        grant_type = body.get("grantType")
        if grant_type not in GRANTS:
            raise oidc_error("UnsupportedGrantTypeException", f"unsupported grant {grant_type!r}")
        self._allowed(client, str(grant_type))
        if grant_type == DEVICE_GRANT:
            return self._device_token(client, body.get("deviceCode"), now)
        if grant_type == AUTH_CODE_GRANT:
            self.authorizations.redeem(client, body, now)
            grant = Grant(client.client_id)
            self.grants.append(grant)
            return self._issue(client, grant, now)
        return self._refresh_token(client, body.get("refreshToken"), now)

    def authorize(self, query: dict[str, str], now: float) -> Answer:
        """``GET /authorize`` (the browser's side of the authorization code flow)."""
        client = self.clients.get(query.get("client_id", ""))
        return self.authorizations.authorize(client, query, now)

    def decide_authorization(self, request_id: str, approve: bool, now: float) -> Answer:
        """The Approve/Deny click on the manual authorize page."""
        return self.authorizations.decide(request_id, approve, now)

    def check_access(self, token: str | None, now: float) -> Grant:
        """The sign-in of a valid access token; 401 UnauthorizedException otherwise."""
        grant = self._access.get(token or "")
        if grant is None or grant.ended or token not in grant.access:
            raise portal_error(401, "UnauthorizedException", "Session token not found or invalid")
        if grant.access[token or ""] <= now:
            raise portal_error(401, "UnauthorizedException", "Session token expired")
        return grant

    def logout(self, token: str | None, now: float) -> None:
        """Logout: ends the sign-in, invalidating its access and refresh tokens."""
        self.check_access(token, now).ended = True

    # -- knobs ------------------------------------------------------------------------------

    def approve(self, user_code: str | None = None, *, deny: bool = False) -> int:
        """Approve (or deny) pending authorizations, all or the one with ``user_code``."""
        count = 0
        for device in self.devices.values():
            if device.status == "pending" and user_code in (None, device.user_code):
                device.status = "denied" if deny else "approved"
                count += 1
        return count

    def pending_user_codes(self, now: float) -> list[str]:
        """User codes of authorizations still waiting for approval."""
        return [
            d.user_code
            for d in self.devices.values()
            if d.status == "pending" and d.expires_at > now
        ]

    def revoke_tokens(self) -> None:
        """Invalidate every access and refresh token issued so far."""
        for grant in self.grants:
            grant.ended = True

    def expire_tokens(self, now: float) -> None:
        """Make every access token expired (refresh tokens stay usable)."""
        for grant in self.grants:
            for token in grant.access:
                grant.access[token] = min(grant.access[token], now - 1)

    def expire_clients(self, now: float) -> None:
        """Make every client registration expired."""
        for client in self.clients.values():
            client.expires_at = min(client.expires_at, now - 1)

    # -- internals --------------------------------------------------------------------------

    def _client(self, body: dict[str, Any], now: float) -> Client:
        client = self.clients.get(str(body.get("clientId")))
        if client is None or not secrets.compare_digest(
            client.secret, str(body.get("clientSecret"))
        ):
            raise oidc_error("InvalidClientException", "Invalid client", 401)
        if client.expires_at <= now:
            raise oidc_error("InvalidClientException", "Client registration has expired", 401)
        return client

    def _allowed(self, client: Client, grant: str) -> None:
        if not client.allows(grant):
            raise oidc_error(
                "UnauthorizedClientException", f"Client is not authorized for grant {grant}"
            )

    def _new_user_code(self) -> str:
        while True:
            letters = "".join(secrets.choice(_CODE_LETTERS) for _ in range(8))
            code = f"{letters[:4]}-{letters[4:]}"
            if all(d.user_code != code for d in self.devices.values()):
                return code

    def _device_token(self, client: Client, device_code: object, now: float) -> dict[str, Any]:
        if not isinstance(device_code, str) or not device_code:
            raise oidc_error("InvalidRequestException", "deviceCode is required")
        device = self.devices.get(device_code)
        if device is None or device.client_id != client.client_id or device.status == "used":
            raise oidc_error("InvalidGrantException", "Invalid grant provided")
        if device.expires_at <= now:
            raise oidc_error("ExpiredTokenException", "Device code has expired")
        needed = self.knobs.interval + (5 if device.slowed else 0)
        too_fast = device.last_poll is not None and now - device.last_poll < needed
        device.last_poll = now
        if too_fast:
            device.slowed = True
            raise oidc_error("SlowDownException", "Client is polling too fast")
        device.polls += 1
        if device.status == "pending":
            device.status = self._decide(device, now)
        if device.status == "denied":
            raise oidc_error("AccessDeniedException", "Authorization was denied by the user")
        if device.status == "pending":
            raise oidc_error("AuthorizationPendingException", "Authorization is still pending")
        device.status = "used"
        grant = Grant(client.client_id)
        self.grants.append(grant)
        return self._issue(client, grant, now)

    def _decide(self, device: Device, now: float) -> str:
        mode = self.knobs.approve
        if mode == "auto":
            return "approved"
        if mode == "deny":
            return "denied"
        if isinstance(mode, bool | str):
            return "pending"
        if isinstance(mode, int):
            return "approved" if device.polls >= mode else "pending"
        return "approved" if now - device.started >= mode else "pending"

    def _refresh_token(self, client: Client, refresh_token: object, now: float) -> dict[str, Any]:
        if not isinstance(refresh_token, str) or not refresh_token:
            raise oidc_error("InvalidRequestException", "refreshToken is required")
        grant = self._refresh.get(refresh_token)
        if (
            grant is None
            or grant.ended
            or refresh_token not in grant.refresh
            or grant.client_id != client.client_id
        ):
            raise oidc_error("InvalidGrantException", "Invalid refresh token provided")
        grant.refresh.discard(refresh_token)  # single use
        return self._issue(client, grant, now)

    def _issue(self, client: Client, grant: Grant, now: float) -> dict[str, Any]:
        access = "aoa" + secrets.token_urlsafe(96) + self.knobs.secret_suffix
        grant.access[access] = now + self.knobs.token_lifetime
        self._access[access] = grant
        answer: dict[str, Any] = {
            "accessToken": access,
            "tokenType": "Bearer",
            "expiresIn": self.knobs.token_lifetime,
        }
        if self.knobs.refresh and client.scopes and client.allows(REFRESH_GRANT):
            refresh = "aor" + secrets.token_urlsafe(96) + self.knobs.secret_suffix
            grant.refresh.add(refresh)
            self._refresh[refresh] = grant
            answer["refreshToken"] = refresh
        return answer


__all__ = ["AUTH_CODE_GRANT", "DEVICE_GRANT", "REFRESH_GRANT", "Identity", "SimError"]
