"""nlb family of the Azure driver: Standard SKU load balancers (Microsoft.Network/loadBalancers) in the
connection's resource group, with a Standard static public IP (`<name>-ip`) as frontend (see
`_nlb_body` for the shape). VMs join the backend pool by their private address in the VNet, so the
membership is a change of the load balancer alone (no NIC is touched); a VM that no longer exists is
not shown in the group. Health is Azure's per-rule health of the backend addresses.
"""

from __future__ import annotations

import contextlib
from collections.abc import Mapping, Sequence
from typing import Any

from azure.mgmt.network.models import LoadBalancer, PublicIPAddress

from drivers.azure import _nlb_body as nb
from drivers.azure._common import as_json
from drivers.azure._errors import translate
from drivers.azure._session import AzureSession
from drivers.errors import AlreadyExistsError, InvalidRequestError, NotFoundError
from drivers.types import IID, HealthCheckerInfo, HealthInfo, ListenerInfo, NLBInfo, NLBReqInfo, VMGroupInfo

OFFERED = True
UNSUPPORTED: frozenset[str] = frozenset()
_ABOUT = (
    "Standard SKU Azure load balancers with a static public IP (or a private address of the VPC's first "
    "subnet for INTERNAL), one rule and one probe; VMs join the backend pool by private IP. Azure probes "
    "have no timeout: the value is recorded, a probe fails when the port does not answer within its "
    "interval (at least 5 seconds)."
)
NOTES: Mapping[str, str] = {
    "nlb": _ABOUT
    if OFFERED
    else "The Azure driver does not offer it yet: a VPC holding a load balancer can still be deleted."
}


def _tail(iid: IID) -> str:
    return iid.system_id.rstrip("/").rsplit("/", 1)[-1] if iid.system_id else iid.name_id


class AzureNLBHandler:
    def __init__(self, session: AzureSession) -> None:
        self._session = session

    @property
    def _group(self) -> str:
        return self._session.resource_group()

    def create_nlb(self, *, req: NLBReqInfo) -> NLBInfo:
        nb.check_name(req.name)
        nb.check_listener(req.listener)
        nb.check_vm_group(req.vm_group)
        nb.check_health(req.health_checker)
        if req.scope != "REGION":
            raise InvalidRequestError("Azure load balancers here are regional.", field="scope")
        if self._find(IID(name_id=req.name)) is not None:
            raise AlreadyExistsError(f"Load balancer '{req.name}' already exists.", field="name")
        vnet = self._vnet(req.vpc_iid)
        members = self._members(req.vm_group.vm_iids, str(vnet["id"]))
        network = self._session.network()
        lb_id = f"{self._scope()}/providers/Microsoft.Network/loadBalancers/{req.name}"
        if req.type == "INTERNAL":
            subnets = (vnet.get("properties") or {}).get("subnets") or []
            if not subnets:
                raise InvalidRequestError(f"VPC '{vnet['name']}' has no subnet for the frontend.", field="vpc_iid")
            frontend: dict[str, Any] = {"subnet": {"id": subnets[0]["id"]}, "privateIPAllocationMethod": "Dynamic"}
        else:
            pip_body = {
                "location": self._session.region,
                "sku": {"name": "Standard", "tier": "Regional"},
                "tags": {nb.VPC_TAG: str(vnet["name"])},
                "properties": {"publicIPAllocationMethod": "Static", "publicIPAddressVersion": "IPv4"},
            }
            pip = self._session.wait(
                lambda: network.public_ip_addresses.begin_create_or_update(
                    self._group, f"{req.name}-ip", PublicIPAddress(pip_body)
                ),
                what=f"the public IP of '{req.name}'",
            )
            frontend = {"publicIPAddress": {"id": str(as_json(pip)["id"])}}
        body = nb.body(
            lb_id=lb_id,
            location=self._session.region,
            tags={**dict(req.tags), nb.VPC_TAG: str(vnet["name"])},
            frontend=frontend,
            listener=req.listener,
            group=req.vm_group,
            checker=req.health_checker,
            members=nb.backend_addresses(members, str(vnet["id"])),
        )
        try:
            self._put(req.name, body)
        except Exception:
            # The address was made for this load balancer only: a failed create leaves nothing behind.
            if req.type != "INTERNAL":
                self._delete_ip(req.name)
            raise
        return self.get_nlb(iid=IID(name_id=req.name))

    def list_nlbs(self) -> list[NLBInfo]:
        with translate():
            found = [as_json(lb) for lb in self._session.network().load_balancers.list(self._group)]
        vms = self._vms()
        return sorted((self._info(lb, vms) for lb in found), key=lambda info: info.iid.name_id.lower())

    def get_nlb(self, *, iid: IID) -> NLBInfo:
        return self._info(self._require(iid), self._vms())

    def delete_nlb(self, *, iid: IID) -> None:
        lb = self._find(iid)
        if lb is not None:
            name = str(lb["name"])
            self._session.wait(
                lambda: self._session.network().load_balancers.begin_delete(self._group, name),
                what=f"the deletion of load balancer '{name}'",
            )
        self._delete_ip(_tail(iid) if lb is None else str(lb["name"]))

    def add_vms(self, *, nlb_iid: IID, vm_iids: Sequence[IID]) -> NLBInfo:
        lb = self._require(nlb_iid)
        current = nb.members(lb)
        vnet_id = self._vnet_id(lb)
        added = [(vm, ip) for vm, ip in self._members(vm_iids, vnet_id) if vm.name_id not in current]
        if not added:
            return self._info(lb, self._vms())
        pool = lb["properties"]["backendAddressPools"][0]
        addresses = list(pool["properties"].get("loadBalancerBackendAddresses") or [])
        pool["properties"]["loadBalancerBackendAddresses"] = addresses + nb.backend_addresses(added, vnet_id)
        return self._save(lb)

    def remove_vms(self, *, nlb_iid: IID, vm_iids: Sequence[IID]) -> NLBInfo:
        lb = self._require(nlb_iid)
        doomed = {_tail(vm).lower() for vm in vm_iids}
        pool = lb["properties"]["backendAddressPools"][0]
        addresses = list(pool["properties"].get("loadBalancerBackendAddresses") or [])
        kept = [a for a in addresses if str(a.get("name", "")).lower() not in doomed]
        if len(kept) == len(addresses):
            return self._info(lb, self._vms())
        pool["properties"]["loadBalancerBackendAddresses"] = kept
        return self._save(lb)

    def change_listener(self, *, nlb_iid: IID, listener: ListenerInfo) -> NLBInfo:
        nb.check_listener(listener)
        lb = self._require(nlb_iid)
        rule = lb["properties"]["loadBalancingRules"][0]["properties"]
        rule["frontendPort"] = listener.port
        rule["protocol"] = listener.protocol.capitalize()
        return self._save(lb)

    def change_vm_group(self, *, nlb_iid: IID, vm_group: VMGroupInfo) -> NLBInfo:
        nb.check_vm_group(vm_group)
        lb = self._require(nlb_iid)
        rule = lb["properties"]["loadBalancingRules"][0]["properties"]
        rule["backendPort"] = vm_group.port
        rule["protocol"] = vm_group.protocol.capitalize()
        return self._save(lb)

    def change_health_checker(self, *, nlb_iid: IID, health_checker: HealthCheckerInfo) -> NLBInfo:
        nb.check_health(health_checker)
        lb = self._require(nlb_iid)
        lb["properties"]["probes"] = [nb.probe(health_checker)]
        lb["tags"] = {**dict(lb.get("tags") or {}), nb.TIMEOUT_TAG: str(health_checker.timeout_s)}
        return self._save(lb)

    def get_health(self, *, nlb_iid: IID) -> HealthInfo:
        lb = self._require(nlb_iid)
        vms = self._vms()
        shown = {name: vms[name] for name in nb.members(lb) if name in vms}
        by_ip: dict[str, IID] = {}
        for address in (
            lb["properties"]["backendAddressPools"][0]["properties"].get("loadBalancerBackendAddresses") or []
        ):
            name = str(address.get("name", ""))
            if name in shown:
                by_ip[str((address.get("properties") or {}).get("ipAddress", ""))] = shown[name]
        name = str(lb["name"])
        result = self._session.wait(
            lambda: self._session.network().load_balancer_load_balancing_rules.begin_health(self._group, name, nb.RULE),
            what=f"the health of load balancer '{name}'",
        )
        healthy: list[IID] = []
        for address in as_json(result).get("loadBalancerBackendAddresses") or []:
            vm = by_ip.get(str(address.get("ipAddress", "")))
            if vm is not None and str(address.get("state", "")).lower() == "up":
                healthy.append(vm)
        every = tuple(shown.values())
        return HealthInfo(
            all_vms=every,
            healthy_vms=tuple(vm for vm in every if vm in healthy),
            unhealthy_vms=tuple(vm for vm in every if vm not in healthy),
        )

    # --- helpers ---------------------------------------------------------------------------------------

    def _put(self, name: str, body: Mapping[str, Any]) -> dict[str, Any]:
        network = self._session.network()
        result = self._session.wait(
            lambda: network.load_balancers.begin_create_or_update(self._group, name, LoadBalancer(dict(body))),
            what=f"load balancer '{name}'",
        )
        return as_json(result)

    def _save(self, lb: dict[str, Any]) -> NLBInfo:
        body: dict[str, Any] = {key: lb[key] for key in ("location", "sku", "tags", "properties") if key in lb}
        return self._info(self._put(str(lb["name"]), body), self._vms())

    def _delete_ip(self, name: str) -> None:
        network = self._session.network()
        with contextlib.suppress(NotFoundError):
            self._session.wait(
                lambda: network.public_ip_addresses.begin_delete(self._group, f"{name}-ip"),
                what=f"the deletion of the public IP of '{name}'",
            )

    def _find(self, iid: IID) -> dict[str, Any] | None:
        name = _tail(iid)
        if not name or "/" in name:
            return None
        try:
            with translate(field="iid"):
                return as_json(self._session.network().load_balancers.get(self._group, name))
        except NotFoundError:
            return None

    def _require(self, iid: IID) -> dict[str, Any]:
        lb = self._find(iid)
        if lb is None:
            raise NotFoundError(f"Load balancer '{iid.system_id or iid.name_id}' does not exist.", field="nlb_iid")
        return lb

    def _vms(self) -> dict[str, IID]:
        with translate():
            found = [as_json(vm) for vm in self._session.compute().virtual_machines.list(self._group)]
        return {str(vm["name"]): IID(name_id=str(vm["name"]), system_id=str(vm["id"])) for vm in found}

    def _vnet(self, iid: IID) -> dict[str, Any]:
        name = _tail(iid)
        try:
            with translate(field="vpc_iid"):
                return as_json(self._session.network().virtual_networks.get(self._group, name))
        except NotFoundError as exc:
            raise NotFoundError(
                f"VPC '{name}' does not exist.", field="vpc_iid", provider_message=exc.provider_message
            ) from exc

    def _vnet_id(self, lb: Mapping[str, Any]) -> str:
        vnet = str((lb.get("tags") or {}).get(nb.VPC_TAG, ""))
        return f"{self._scope()}/providers/Microsoft.Network/virtualNetworks/{vnet}"

    def _scope(self) -> str:
        return f"/subscriptions/{self._session.subscription_id}/resourceGroups/{self._group}"

    def _members(self, vm_iids: Sequence[IID], vnet_id: str) -> list[tuple[IID, str]]:
        """Each VM's IID and its private address, checked to be in the load balancer's VNet."""
        found: list[tuple[IID, str]] = []
        compute, network = self._session.compute(), self._session.network()
        for iid in vm_iids:
            name = _tail(iid)
            try:
                with translate(field="vm_iids"):
                    vm = as_json(compute.virtual_machines.get(self._group, name))
            except NotFoundError as exc:
                raise NotFoundError(
                    f"VM '{name}' does not exist.", field="vm_iids", provider_message=exc.provider_message
                ) from exc
            nics = ((vm.get("properties") or {}).get("networkProfile") or {}).get("networkInterfaces") or []
            if not nics:
                raise InvalidRequestError(f"VM '{name}' has no network interface.", field="vm_iids")
            with translate(field="vm_iids"):
                nic = as_json(network.network_interfaces.get(self._group, str(nics[0]["id"]).rsplit("/", 1)[-1]))
            config = ((nic.get("properties") or {}).get("ipConfigurations") or [{}])[0].get("properties") or {}
            subnet = str((config.get("subnet") or {}).get("id", ""))
            if subnet.split("/subnets/")[0].lower() != vnet_id.lower():
                raise InvalidRequestError(f"VM '{name}' is not in the load balancer's VPC.", field="vm_iids")
            found.append(
                (IID(name_id=str(vm["name"]), system_id=str(vm["id"])), str(config.get("privateIPAddress", "")))
            )
        return found

    def _info(self, lb: Mapping[str, Any], vms: Mapping[str, IID]) -> NLBInfo:
        properties = lb.get("properties") or {}
        frontend = (properties.get("frontendIPConfigurations") or [{}])[0].get("properties") or {}
        pip_id = str((frontend.get("publicIPAddress") or {}).get("id", ""))
        ip, dns = "", ""
        if pip_id:
            with translate():
                pip = as_json(self._session.network().public_ip_addresses.get(self._group, pip_id.rsplit("/", 1)[-1]))
            ip = str((pip.get("properties") or {}).get("ipAddress") or "")
            dns = str(((pip.get("properties") or {}).get("dnsSettings") or {}).get("fqdn") or "")
        vnet_id = self._vnet_id(lb)
        vpc = IID(name_id=vnet_id.rsplit("/", 1)[-1], system_id=vnet_id)
        return nb.nlb_info(lb, vpc=vpc, vms=vms, ip=ip, dns_name=dns)


def load_balancers_in(session: AzureSession, vnet_name: str) -> list[str]:
    """Names of the connection's load balancers in this VNet (by their `spiderweb-vpc` tag), for the VPC
    family, whose delete must wait for them: an IP-addressed backend pool holds no NIC of the VNet."""
    with translate():
        found = [as_json(lb) for lb in session.network().load_balancers.list(session.resource_group())]
    return [
        str(lb["name"]) for lb in found if str((lb.get("tags") or {}).get(nb.VPC_TAG, "")).lower() == vnet_name.lower()
    ]
