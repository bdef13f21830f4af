"""The OpenStack family of drivers: one class per cloud, each parameterised by its `Profile`."""

from __future__ import annotations

from types import ModuleType
from typing import NoReturn

from drivers.capabilities import FAMILIES, Capabilities
from drivers.errors import FieldError, NotSupportedError
from drivers.fields import validate_values
from drivers.openstack import cluster as _cluster
from drivers.openstack import disk as _disk
from drivers.openstack import key_pair as _key_pair
from drivers.openstack import my_image as _my_image
from drivers.openstack import nlb as _nlb
from drivers.openstack import security_group as _security_group
from drivers.openstack import tag as _tag
from drivers.openstack import vm as _vm
from drivers.openstack import vpc as _vpc
from drivers.openstack._session import Clouds, make_auth
from drivers.openstack.image import OpenStackImageHandler
from drivers.openstack.profiles import KTVPC, NHN, OPENSTACK, Profile
from drivers.openstack.region_zone import OpenStackRegionZoneHandler
from drivers.openstack.vm_spec import OpenStackVMSpecHandler
from drivers.types import ConnectionInfo, FieldSpec

META = frozenset({"region_zone", "image", "vm_spec"})
FAMILY_MODULES: dict[str, ModuleType] = {
    "vpc": _vpc,
    "security_group": _security_group,
    "key_pair": _key_pair,
    "vm": _vm,
    "disk": _disk,
    "my_image": _my_image,
    "nlb": _nlb,
    "tag": _tag,
    "cluster": _cluster,
}
# Families no OpenStack cloud here offers, and why.
NEVER = {
    "price": "OpenStack has no price API; NHN Cloud and KT Cloud publish prices only as web pages.",
    "monitoring": "Stock OpenStack has no metrics API for tenants (Ceilometer/Gnocchi are optional and absent from "
    "these clouds' public API documentation).",
    "anycall": "No OpenStack-specific extension calls are offered.",
}
NOT_YET = "The OpenStack driver does not offer it yet."


def capabilities_for(profile: Profile) -> Capabilities:
    offered = {family for family, module in FAMILY_MODULES.items() if module.OFFERED}
    if not profile.octavia:
        offered.discard("nlb")
    if not profile.magnum:
        offered.discard("cluster")
    handlers = META | offered
    notes = {family: NOT_YET for family in FAMILIES if family not in handlers}
    notes.update({family: note for family, note in NEVER.items() if family not in handlers})
    for module in FAMILY_MODULES.values():
        notes.update(module.NOTES)
    if not profile.octavia:
        notes["nlb"] = profile.nlb_note
    if not profile.magnum:
        notes["cluster"] = profile.cluster_note
    if not profile.suspend:
        notes["vm.suspend"] = "This cloud's Nova cannot suspend: suspend stops the VM (os-stop), resume starts it."
    tag_kinds = set(_tag.TAG_KINDS) if "tag" in handlers else set()
    if "nlb" in handlers and tag_kinds:
        tag_kinds.add("nlb")
    return Capabilities(
        handlers=frozenset(handlers),
        unsupported=frozenset().union(*(module.UNSUPPORTED for module in FAMILY_MODULES.values())),
        tag_kinds=frozenset(tag_kinds),
        notes=notes,
    )


class OpenStackConnection:
    """One project of one OpenStack-based cloud in one region."""

    def __init__(self, *, info: ConnectionInfo, clouds: Clouds, capabilities: Capabilities) -> None:
        self._info = info
        self._clouds = clouds
        self._caps = capabilities

    @property
    def info(self) -> ConnectionInfo:
        return self._info

    def verify(self) -> None:
        clouds = self._clouds
        clouds.authenticate()
        regions = clouds.catalog_regions()
        if clouds.region not in regions:
            raise FieldError(
                f"Region '{clouds.region}' is not in the service catalogue (regions: {', '.join(regions) or 'none'}).",
                field="region",
            )
        if self._info.zone:
            zones = {zone.name for zone in OpenStackRegionZoneHandler(clouds).get_region_zone(name=clouds.region).zones}
            if self._info.zone not in zones:
                raise FieldError(f"Zone '{self._info.zone}' is not a zone of region '{clouds.region}'.", field="zone")

    def close(self) -> None:
        self._clouds.close()

    def _require(self, family: str) -> None:
        self._caps.require(family)

    def region_zone(self) -> OpenStackRegionZoneHandler:
        return OpenStackRegionZoneHandler(self._clouds)

    def image(self) -> OpenStackImageHandler:
        return OpenStackImageHandler(self._clouds)

    def vm_spec(self) -> OpenStackVMSpecHandler:
        return OpenStackVMSpecHandler(self._clouds)

    def price(self) -> NoReturn:
        self._require("price")
        raise NotSupportedError(NEVER["price"])

    def vpc(self) -> _vpc.OpenStackVPCHandler:
        self._require("vpc")
        return _vpc.OpenStackVPCHandler(self._clouds)

    def security_group(self) -> _security_group.OpenStackSecurityGroupHandler:
        self._require("security_group")
        return _security_group.OpenStackSecurityGroupHandler(self._clouds)

    def key_pair(self) -> _key_pair.OpenStackKeyPairHandler:
        self._require("key_pair")
        return _key_pair.OpenStackKeyPairHandler(self._clouds)

    def vm(self) -> _vm.OpenStackVMHandler:
        self._require("vm")
        return _vm.OpenStackVMHandler(self._clouds)

    def disk(self) -> _disk.OpenStackDiskHandler:
        self._require("disk")
        return _disk.OpenStackDiskHandler(self._clouds)

    def my_image(self) -> _my_image.OpenStackMyImageHandler:
        self._require("my_image")
        return _my_image.OpenStackMyImageHandler(self._clouds)

    def nlb(self) -> _nlb.OpenStackNLBHandler:
        self._require("nlb")
        return _nlb.OpenStackNLBHandler(self._clouds)

    def cluster(self) -> _cluster.OpenStackClusterHandler:
        self._require("cluster")
        if not self._clouds.has_service("container-infra"):
            raise NotSupportedError(
                f"The service catalogue offers no container-infra (Magnum) service in region '{self._clouds.region}'."
            )
        return _cluster.OpenStackClusterHandler(self._clouds)

    def tag(self) -> _tag.OpenStackTagHandler:
        self._require("tag")
        return _tag.OpenStackTagHandler(self._clouds, nlb_kind=self._caps.supports("nlb"))

    def monitoring(self) -> NoReturn:
        self._require("monitoring")
        raise NotSupportedError(NEVER["monitoring"])

    def anycall(self) -> NoReturn:
        self._require("anycall")
        raise NotSupportedError(NEVER["anycall"])


class OpenStackFamilyDriver:
    """A cloud speaking OpenStack's APIs through openstacksdk; `profile` says which one."""

    profile: Profile = OPENSTACK
    region_options: tuple[FieldSpec, ...] = ()

    def __init__(self) -> None:
        self.name = self.profile.provider
        self.label = self.profile.label
        self.credential_fields = self.profile.credential_fields
        self.region_fields = (
            FieldSpec(name="region", label="Region", help="A region of the cloud's service catalogue, e.g. RegionOne."),
            FieldSpec(
                name="zone",
                label="Zone",
                required=False,
                help="An availability zone of the region; empty: the region's first available zone.",
            ),
        )
        self.capabilities = capabilities_for(self.profile)

    def connect(self, info: ConnectionInfo) -> OpenStackConnection:
        what = f"{self.label} credential"
        credential = validate_values(self.credential_fields, info.credential, what=what)
        validate_values(self.region_fields, {"region": info.region, "zone": info.zone}, what=f"{self.label} region")
        validate_values(self.region_options, info.options, what=f"{self.label} region options")
        self._check_auth_fields(credential, what)
        endpoint = str(credential.get("IdentityEndpoint") or self.profile.default_identity_endpoint)
        if not endpoint.startswith(("https://", "http://")):
            raise FieldError(f"{what}: 'IdentityEndpoint' must be an http(s) URL.", field="IdentityEndpoint")
        auth = make_auth(self.profile, credential)
        clouds = Clouds(profile=self.profile, auth=auth, region=info.region, zone=info.zone)
        return OpenStackConnection(info=info, clouds=clouds, capabilities=self.capabilities)

    def _check_auth_fields(self, credential: dict[str, object], what: str) -> None:
        if "ApplicationCredentialID" not in {spec.name for spec in self.credential_fields}:
            return  # every field this cloud takes is required, and validate_values checked them
        app = [key for key in ("ApplicationCredentialID", "ApplicationCredentialSecret") if credential.get(key)]
        if app:
            if len(app) == 1:
                missing = ({"ApplicationCredentialID", "ApplicationCredentialSecret"} - set(app)).pop()
                raise FieldError(f"{what}: '{missing}' is required with an application credential.", field=missing)
            return
        for key in ("Username", "Password", "ProjectID"):
            if not credential.get(key):
                raise FieldError(
                    f"{what}: '{key}' is required (or give an application credential's ID and secret).", field=key
                )


class OpenStackDriver(OpenStackFamilyDriver):
    profile = OPENSTACK


class NHNDriver(OpenStackFamilyDriver):
    profile = NHN


class KTVPCDriver(OpenStackFamilyDriver):
    profile = KTVPC


__all__ = ["KTVPCDriver", "NHNDriver", "OpenStackDriver"]
