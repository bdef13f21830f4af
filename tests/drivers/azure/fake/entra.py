"""Microsoft Entra ID, as msal asks it for a service principal's token: the tenant's OpenID
configuration, then the token endpoint (client credentials grant). Errors carry Entra's AADSTS codes."""

from __future__ import annotations

import uuid

from tests.drivers.azure.fake.server import ARM_SCOPE, LOGIN, FakeAzure, Request, Response, ok


def register(fake: FakeAzure) -> None:
    fake.route(LOGIN, "GET", "/{tenant}/v2.0/.well-known/openid-configuration", _openid_configuration)
    fake.route(LOGIN, "POST", "/{tenant}/oauth2/v2.0/token", _token)


def _entra_error(status: int, error_name: str, code: int, description: str) -> Response:
    return Response(
        status,
        {
            "error": error_name,
            "error_description": f"AADSTS{code}: {description} Trace ID: {uuid.uuid4()}",
            "error_codes": [code],
            "error_uri": f"https://{LOGIN}/error?code={code}",
        },
    )


def _openid_configuration(fake: FakeAzure, request: Request) -> Response:
    tenant = request.args["tenant"]
    if tenant.lower() != fake.tenant_id.lower():
        return _entra_error(400, "invalid_tenant", 90002, f"Tenant '{tenant}' not found.")
    base = f"https://{LOGIN}/{fake.tenant_id}"
    return ok(
        {
            "token_endpoint": f"{base}/oauth2/v2.0/token",
            "authorization_endpoint": f"{base}/oauth2/v2.0/authorize",
            "issuer": f"https://{LOGIN}/{fake.tenant_id}/v2.0",
            "jwks_uri": f"https://{LOGIN}/{fake.tenant_id}/discovery/v2.0/keys",
            "token_endpoint_auth_methods_supported": ["client_secret_post", "private_key_jwt", "client_secret_basic"],
            "tenant_region_scope": "AS",
        }
    )


def _token(fake: FakeAzure, request: Request) -> Response:
    form = request.form()
    if request.args["tenant"].lower() != fake.tenant_id.lower():
        return _entra_error(400, "invalid_tenant", 90002, f"Tenant '{request.args['tenant']}' not found.")
    if form.get("grant_type") != "client_credentials":
        return _entra_error(400, "unsupported_grant_type", 70003, "The app requested an unsupported grant type.")
    if form.get("client_id") != fake.client_id:
        return _entra_error(
            400,
            "unauthorized_client",
            700016,
            f"Application with identifier '{form.get('client_id')}' was not found in the directory.",
        )
    if form.get("client_secret") != fake.client_secret:
        return _entra_error(401, "invalid_client", 7000215, "Invalid client secret provided.")
    if form.get("scope") != ARM_SCOPE:
        return _entra_error(400, "invalid_scope", 70011, f"The provided value '{form.get('scope')}' is not valid.")
    token = f"fake-token-{uuid.uuid4().hex}"
    fake.tokens.add(token)
    return ok({"token_type": "Bearer", "expires_in": 3599, "ext_expires_in": 3599, "access_token": token})
