"""Key pairs and VMs of the fake KT Cloud (commands and shapes of KT Cloud's SDK: `ssh_keypair.go`,
`virtualmachine.go`; states and wording of CloudStack's `deployVirtualMachine` family).

A VM is deployed `Starting` and is `Running` when its job ends (three ticks); stop goes through
`Stopping` to `Stopped`, start through `Starting`; destroy makes it `Expunging` until its job ends,
when it is gone with its root disk and its port forwarding rules, and its data disks are detached.
Its private address is the one asked for (`ipaddress`, which must be free and inside the zone's
network) or the next free one. Deploying with a name in use, an unknown offering, template or key
pair, or an address outside the network is a 431.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import ipaddress
from datetime import UTC, datetime
from typing import Any

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

from tests.drivers.ktclassic.fake.catalogue import OFFERINGS, TEMPLATES, zone
from tests.drivers.ktclassic.fake.server import Answer, ApiError, FakeKT, missing, param_error

GIB = 1024**3


def now() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%S+0000")


def tags_of(fake: FakeKT, resource_id: str) -> list[Answer]:
    return [
        {"key": t["key"], "value": t["value"]} for t in fake.table("tags").values() if t["resourceid"] == resource_id
    ]


# --- key pairs -----------------------------------------------------------------------------------


def create_ssh_key_pair(fake: FakeKT, args: dict[str, str]) -> Answer:
    name = args.get("name", "")
    if not name:
        raise param_error("Unable to execute API command createsshkeypair due to missing parameter name")
    if name in fake.table("keys"):
        raise param_error(f"A key pair with name '{name}' already exists.")
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    private = key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.TraditionalOpenSSL, serialization.NoEncryption()
    ).decode()
    public = key.public_key().public_bytes(serialization.Encoding.OpenSSH, serialization.PublicFormat.OpenSSH)
    digest = hashlib.md5(base64.b64decode(public.split()[1])).hexdigest()  # noqa: S324 - SSH's fingerprint format
    fingerprint = ":".join(digest[i : i + 2] for i in range(0, 32, 2))
    fake.table("keys")[name] = {"name": name, "fingerprint": fingerprint, "publickey": public.decode()}
    return {"keypair": {"name": name, "fingerprint": fingerprint, "privatekey": private}}


def list_ssh_key_pairs(fake: FakeKT, args: dict[str, str]) -> Answer:
    items = [
        {"name": k["name"], "fingerprint": k["fingerprint"]}
        for k in fake.table("keys").values()
        if not args.get("name") or k["name"] == args["name"]
    ]
    return {"count": len(items), "sshkeypair": items} if items else {}


def delete_ssh_key_pair(fake: FakeKT, args: dict[str, str]) -> Answer:
    name = args.get("name", "")
    if fake.table("keys").pop(name, None) is None:
        raise param_error(f"A key pair with name '{name}' does not exist for account in specified domain id")
    return {"success": "true"}


# --- VMs -----------------------------------------------------------------------------------------


def vm_of(fake: FakeKT, vm_id: str, command: str, name: str = "id") -> Answer:
    vm = fake.table("vms").get(vm_id)
    if vm is None:
        raise missing(command, name, vm_id)
    return vm


def answer_vm(fake: FakeKT, vm: Answer) -> Answer:
    return {**{k: v for k, v in vm.items() if not k.startswith("_")}, "tags": tags_of(fake, vm["id"])}


def _address(fake: FakeKT, zone_id: str, wanted: str) -> str:
    network = ipaddress.IPv4Network(zone(zone_id)["cidr"])
    used = {nic["ipaddress"] for vm in fake.table("vms").values() for nic in vm["nic"]}
    if wanted:
        try:
            address = ipaddress.IPv4Address(wanted)
        except ValueError:
            raise param_error(f"Invalid ip address {wanted}") from None
        if address not in network or address in (network.network_address, network.broadcast_address):
            raise param_error(f"Invalid ip address {wanted}: it is not in the network range {network}")
        if wanted in used:
            raise param_error(f"The requested ip address {wanted} is already in use")
        return wanted
    for host in list(network.hosts())[10:]:
        if str(host) not in used:
            return str(host)
    raise ApiError(533, "Insufficient address capacity")


def deploy_virtual_machine(fake: FakeKT, args: dict[str, str]) -> Answer:
    command = "deployVirtualMachine"
    zone_id = args.get("zoneid", "")
    the_zone = zone(zone_id)
    offering = args.get("serviceofferingid", "")
    if offering not in OFFERINGS:
        raise missing(command, "serviceofferingid", offering)
    template_id = args.get("templateid", "")
    own = fake.table("templates").get(template_id)
    if template_id not in TEMPLATES and (own is None or not own["isready"]):
        raise missing(command, "templateid", template_id)
    keypair = args.get("keypair", "")
    if keypair and keypair not in fake.table("keys"):
        raise param_error(f"A key pair with name '{keypair}' was not found.")
    name = args.get("name", "")
    if any(vm["name"] == name for vm in fake.table("vms").values()):
        raise param_error(f"The vm with hostName {name} already exists in the network domain: cs2cloud.internal")
    if args.get("userdata"):
        try:
            base64.b64decode(args["userdata"], validate=True)
        except binascii.Error:
            raise param_error("User data is not base64 encoded") from None
    address = _address(fake, zone_id, args.get("ipaddress", ""))
    description = TEMPLATES.get(template_id) or (own or {}).get("ostypename", "")
    vm_id = fake.new_id()
    cpus, memory = (1, 1024) if "1vCore" in OFFERINGS[offering] else (2, 4096)
    vm = {
        "id": vm_id,
        "name": name,
        "displayname": args.get("displayname", name),
        "account": "spiderweb",
        "created": now(),
        "state": "Starting",
        "zoneid": zone_id,
        "zonename": the_zone["name"],
        "templateid": template_id,
        "templatename": own["name"] if own else description,
        "templatedisplaytext": description,
        "serviceofferingid": offering,
        "serviceofferingname": OFFERINGS[offering],
        "cpunumber": cpus,
        "memory": memory,
        "keypair": keypair,
        "hypervisor": "XenServer",
        "guestosid": "ostype-" + template_id[-4:],
        "nic": [
            {
                "id": fake.new_id(),
                "networkid": f"net-{zone_id[:8]}",
                "ipaddress": address,
                "netmask": str(ipaddress.IPv4Network(the_zone["cidr"]).netmask),
                "gateway": str(next(ipaddress.IPv4Network(the_zone["cidr"]).hosts())),
                "isdefault": True,
                "traffictype": "Guest",
                "type": "Isolated",
            }
        ],
        "_userdata": args.get("userdata", ""),
    }
    fake.table("vms")[vm_id] = vm
    windows = description.upper().startswith("WIN")
    root_id = fake.new_id()
    fake.table("volumes")[root_id] = {
        "id": root_id,
        "name": f"ROOT-{vm_id[-4:]}",
        "zoneid": zone_id,
        "type": "ROOT",
        "size": (50 if windows else 20) * GIB,
        "state": "Ready",
        "virtualmachineid": vm_id,
        "vmname": name,
        "deviceid": 0,
        "created": now(),
        "storagetype": "shared",
    }

    def running() -> Answer:
        vm["state"] = "Running"
        return {"virtualmachine": answer_vm(fake, vm)}

    return {"id": vm_id, "jobid": fake.job(command, running, ticks=3)}


def list_virtual_machines(fake: FakeKT, args: dict[str, str]) -> Answer:
    items = [
        answer_vm(fake, vm)
        for vm in fake.table("vms").values()
        if (not args.get("zoneid") or vm["zoneid"] == args["zoneid"])
        and (not args.get("id") or vm["id"] == args["id"])
        and (not args.get("name") or vm["name"] == args["name"])
    ]
    # CloudStack leaves the list (and the count) out of an empty answer.
    return {"count": len(items), "virtualmachine": items} if items else {}


def _transition(command: str, needs: str, during: str, after: str, ticks: int = 2) -> Any:
    def handler(fake: FakeKT, args: dict[str, str]) -> Answer:
        vm = vm_of(fake, args.get("id", ""), command)
        if vm["state"] != needs:
            raise param_error(f"VM {vm['name']} is in state {vm['state']}; {command} needs it {needs}")
        vm["state"] = during

        def done() -> Answer:
            vm["state"] = after
            return {"virtualmachine": answer_vm(fake, vm)}

        return {"jobid": fake.job(command, done, ticks=ticks)}

    return handler


def destroy_virtual_machine(fake: FakeKT, args: dict[str, str]) -> Answer:
    vm = vm_of(fake, args.get("id", ""), "destroyVirtualMachine")
    if vm["state"] == "Expunging":
        raise param_error(f"VM {vm['name']} is already being destroyed")
    vm["state"] = "Expunging"

    def gone() -> Answer:
        fake.table("vms").pop(vm["id"], None)
        for volume_id, volume in list(fake.table("volumes").items()):
            if volume.get("virtualmachineid") == vm["id"]:
                if volume["type"] == "ROOT":
                    del fake.table("volumes")[volume_id]
                else:
                    volume.update({"virtualmachineid": None, "vmname": None, "deviceid": None})
        for rule_id, rule in list(fake.table("forwards").items()):
            if rule["virtualmachineid"] == vm["id"]:
                del fake.table("forwards")[rule_id]
        for tag_id, tag in list(fake.table("tags").items()):
            if tag["resourceid"] == vm["id"]:
                del fake.table("tags")[tag_id]
        return {"virtualmachine": {**answer_vm(fake, vm), "state": "Destroyed"}}

    return {"jobid": fake.job("destroyVirtualMachine", gone, ticks=3)}


def register(fake: FakeKT) -> None:
    fake.handlers.update(
        {
            "createSSHKeyPair": create_ssh_key_pair,
            "listSSHKeyPairs": list_ssh_key_pairs,
            "deleteSSHKeyPair": delete_ssh_key_pair,
            "deployVirtualMachine": deploy_virtual_machine,
            "listVirtualMachines": list_virtual_machines,
            "startVirtualMachine": _transition("startVirtualMachine", "Stopped", "Starting", "Running"),
            "stopVirtualMachine": _transition("stopVirtualMachine", "Running", "Stopping", "Stopped"),
            "rebootVirtualMachine": _transition("rebootVirtualMachine", "Running", "Running", "Running"),
            "destroyVirtualMachine": destroy_virtual_machine,
        }
    )
