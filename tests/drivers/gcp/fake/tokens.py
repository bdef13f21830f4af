"""Google's OAuth 2.0 token endpoint for service accounts (the JWT bearer grant).

The service account signs a JWT (RS256) claiming its e-mail as issuer, the scopes it wants and
the token endpoint as audience; the endpoint checks the grant type, the claims and the signature
against the account's public key, and answers a short-lived access token, or an OAuth error.
"""

from __future__ import annotations

import base64
import json
import secrets
import time
from typing import TYPE_CHECKING, Any

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import padding

if TYPE_CHECKING:
    from tests.drivers.gcp.fake.server import FakeGCP

TOKEN_URL = "https://oauth2.googleapis.com/token"
JWT_GRANT = "urn:ietf:params:oauth:grant-type:jwt-bearer"
LIFETIME_SECONDS = 3599


def exchange(fake: FakeGCP, form: dict[str, list[str]]) -> tuple[int, dict[str, Any]]:
    """(status, JSON answer) of the token endpoint for one form-encoded request."""
    if form.get("grant_type") != [JWT_GRANT]:
        return _error("unsupported_grant_type", "Invalid grant_type.")
    parts = form.get("assertion", [""])[0].split(".")
    if len(parts) != 3:
        return _error("invalid_grant", "Invalid JWT: the assertion has no three segments.")
    try:
        header, claims = (json.loads(_unb64(part)) for part in parts[:2])
        signature = _unb64(parts[2])
    except ValueError:
        return _error("invalid_grant", "Invalid JWT: a segment is not base64url JSON.")
    account = fake.accounts.get(str(claims.get("iss", "")))
    if header.get("alg") != "RS256" or account is None:
        return _error("invalid_grant", "Invalid grant: account not found")
    if claims.get("aud") != TOKEN_URL or not claims.get("scope") or int(claims.get("exp", 0)) < time.time():
        return _error("invalid_grant", "Invalid JWT: Token must be a short-lived token and in a reasonable timeframe.")
    try:
        account.public_key.verify(signature, f"{parts[0]}.{parts[1]}".encode(), padding.PKCS1v15(), hashes.SHA256())
    except InvalidSignature:
        return _error("invalid_grant", "Invalid JWT Signature.")
    token = f"ya29.fake-{secrets.token_urlsafe(24)}"
    fake.issue(token, account.email)
    return 200, {"access_token": token, "expires_in": LIFETIME_SECONDS, "token_type": "Bearer"}


def _unb64(segment: str) -> bytes:
    return base64.urlsafe_b64decode(segment + "=" * (-len(segment) % 4))


def _error(error: str, description: str) -> tuple[int, dict[str, Any]]:
    return 400, {"error": error, "error_description": description}
