"""What differs between the clouds this package drives: one `Profile` per provider.

Everything not named here is stock OpenStack. Each difference is taken from the cloud's public
documentation (docs/drivers-openstack.md cites it); where a difference could not be confirmed,
the profile keeps stock behaviour.
"""

from __future__ import annotations

from dataclasses import dataclass

from drivers.types import FieldSpec

_ENDPOINT = FieldSpec(
    name="IdentityEndpoint",
    label="Identity endpoint",
    help="Keystone's URL, e.g. https://keystone.example.com:5000/v3.",
)
_USER = FieldSpec(name="Username", label="User name", required=False, help="The API user (with a password).")
_PASSWORD = FieldSpec(name="Password", label="Password", secret=True, required=False)
_DOMAIN = FieldSpec(
    name="DomainName",
    label="Domain",
    required=False,
    help="The user's and project's identity domain; empty: Default.",
)
_PROJECT = FieldSpec(name="ProjectID", label="Project ID", required=False, help="The project (tenant) to work in.")
_APP_ID = FieldSpec(
    name="ApplicationCredentialID",
    label="Application credential ID",
    required=False,
    help="Instead of a user and password: an application credential (it carries its own project).",
)
_APP_SECRET = FieldSpec(
    name="ApplicationCredentialSecret", label="Application credential secret", secret=True, required=False
)


@dataclass(frozen=True, slots=True, kw_only=True)
class Profile:
    """One OpenStack-based cloud."""

    provider: str
    label: str
    credential_fields: tuple[FieldSpec, ...]
    # "v3" (Keystone v3: password with a domain, or an application credential) or "v2.0" (tenantId,
    # username, password).
    identity_version: str
    default_identity_endpoint: str = ""
    default_domain: str = "Default"
    # The catalogue type of Cinder: "block-storage" (v3) or "volumev2" on clouds still serving v2.
    volume_service: str = "block-storage"
    octavia: bool = True  # Network load balancers through Octavia (catalogue type load-balancer).
    nlb_note: str = ""
    tags: bool = True  # Neutron and Nova tags (standard-attr-tag, microversion 2.26).
    # False for a cloud whose Nova refuses suspend: suspend and resume become stop (os-stop) and start.
    suspend: bool = True
    # Kubernetes clusters through Magnum (catalogue type container-infra); False: the cloud's Kubernetes
    # service is its own API (or none), and clusters are not offered.
    magnum: bool = False
    cluster_note: str = ""
    external_network: str = ""  # the floating-IP network's name when the cloud names it; empty: router:external
    notes: tuple[tuple[str, str], ...] = ()


OPENSTACK = Profile(
    provider="openstack",
    label="OpenStack",
    credential_fields=(_ENDPOINT, _USER, _PASSWORD, _DOMAIN, _PROJECT, _APP_ID, _APP_SECRET),
    identity_version="v3",
    magnum=True,
)

# NHN Cloud: one Keystone for every region, authenticated with Identity v2.0 (tenantId, the user's
# e-mail and the "API password" set in the console), per docs.nhncloud.com "Identity API" (API v2
# Preparations) and "IaaS Token"; block storage is catalogued as volumev2. Its load balancer is
# NHN's own API, not Octavia: the catalogue in that documentation lists no load-balancer service.
NHN = Profile(
    provider="nhn",
    label="NHN Cloud",
    credential_fields=(
        FieldSpec(name="Username", label="User (NHN Cloud ID e-mail)"),
        FieldSpec(
            name="Password",
            label="API password",
            secret=True,
            help="The API password set under Compute > Instance > API Endpoint settings.",
        ),
        FieldSpec(name="TenantID", label="Tenant ID", help="Shown in the same API Endpoint settings dialog."),
        FieldSpec(
            name="IdentityEndpoint",
            label="Identity endpoint",
            required=False,
            help="Empty: https://api-identity-infrastructure.nhncloudservice.com/v2.0 (all regions).",
        ),
    ),
    identity_version="v2.0",
    default_identity_endpoint="https://api-identity-infrastructure.nhncloudservice.com/v2.0",
    volume_service="volumev2",
    octavia=False,
    nlb_note="NHN Cloud's load balancer is its own API, not Octavia; its catalogue offers no load-balancer service.",
    cluster_note="NHN Kubernetes Service (NKS) is NHN's own API (catalogue type kubernetes), not Magnum; this driver "
    "does not speak it.",
)

# KT Cloud's VPC platform (D1): Keystone v3 under https://api.ucloudbiz.olleh.com/d1/identity/v3/
# with user, password, domain and project id, as CB-Spider's KT Cloud VPC driver registers it. Its
# network load balancer is KT's own NLB API, not Octavia.
KTVPC = Profile(
    provider="ktvpc",
    label="KT Cloud VPC",
    credential_fields=(
        FieldSpec(name="Username", label="User name"),
        FieldSpec(name="Password", label="Password", secret=True),
        FieldSpec(name="DomainName", label="Domain", required=False, help="Empty: default."),
        FieldSpec(name="ProjectID", label="Project ID", help="Shown under Servers > Token in the KT Cloud portal."),
        FieldSpec(
            name="IdentityEndpoint",
            label="Identity endpoint",
            required=False,
            help="Empty: https://api.ucloudbiz.olleh.com/d1/identity/v3/.",
        ),
    ),
    identity_version="v3",
    default_identity_endpoint="https://api.ucloudbiz.olleh.com/d1/identity/v3/",
    default_domain="default",
    octavia=False,
    nlb_note="KT Cloud's network load balancer is its own NLB API, not Octavia.",
    cluster_note="KT Cloud's Kubernetes service is not Magnum and its API is not publicly documented; clusters are "
    "not offered.",
)

PROFILES = {profile.provider: profile for profile in (OPENSTACK, NHN, KTVPC)}
