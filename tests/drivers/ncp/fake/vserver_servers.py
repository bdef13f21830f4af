"""NCP's `vserver` servers and network interfaces (NCP API guide, Server > createServerInstances,
getServerInstanceList, stop/start/reboot/terminateServerInstances, getNetworkInterfaceList).

A server is answered INIT, becomes CREAT and then RUN (with its public IP when asked for); stop goes
RUN/SHTDN -> NSTOP, start NSTOP/START -> RUN, reboot RUN/RESTA -> RUN, and only a stopped server can be
terminated (NSTOP/TERMT, then gone with its network interface). A control in the wrong state is
refused with a message about the server's status.
"""

from __future__ import annotations

import ipaddress
from typing import Any

from tests.drivers.ncp.fake.server import Call, FakeNCP, ServiceError, code, listing, not_found, now
from tests.drivers.ncp.fake.vserver_meta import GIB, IMAGES, SPECS


def _state(server: dict[str, Any], status: str, operation: str = "NULL", name: str = "") -> None:
    server["serverInstanceStatus"] = code(status)
    server["serverInstanceOperation"] = code(operation)
    server["serverInstanceStatusName"] = name or {"RUN": "running", "NSTOP": "stopped"}.get(status, status.lower())


def create_servers(fake: FakeNCP, call: Call) -> dict[str, Any]:
    vpc = fake.table("vpcs").get(call.require("vpcNo"))
    subnet = fake.table("subnets").get(call.require("subnetNo"))
    if vpc is None or subnet is None or subnet["vpcNo"] != vpc["vpcNo"]:
        raise not_found("VPC or subnet")
    name = call.require("serverName")
    if any(s["serverName"] == name for s in fake.table("servers").values()):
        raise ServiceError("1300002", f"The server name '{name}' is already in use by name.")
    images = IMAGES + list(fake.table("member_images").values())
    image = next((i for i in images if i["serverImageNo"] == call.require("serverImageNo")), None)
    if image is None:
        raise not_found("server image")
    spec = next((s for s in SPECS if s["serverSpecCode"] == call.require("serverSpecCode")), None)
    if spec is None:
        raise not_found("server spec")
    key = call.get("loginKeyName")
    if key and key not in fake.table("login_keys"):
        raise not_found("login key")
    script = call.get("initScriptNo")
    if script and script not in fake.table("init_scripts"):
        raise not_found("init script")
    acgs = [
        v for k, v in sorted(call.params.items()) if k.startswith("networkInterfaceList.1.accessControlGroupNoList.")
    ]
    if call.get("networkInterfaceList.1.networkInterfaceOrder") != "0" or not acgs:
        raise ServiceError("1401", "The networkInterfaceList needs order 0 and at least one ACG.")
    for acg in acgs:
        group = fake.table("acgs").get(acg)
        if group is None or group["vpcNo"] != vpc["vpcNo"]:
            raise not_found("access control group")
    public = call.get("associateWithPublicIp") == "true"
    if public and subnet["subnetType"]["code"] != "PUBLIC":
        raise ServiceError("1300010", "A public IP can be associated only with a server in a public subnet.")
    number = fake.number()
    nic_no = fake.number()
    network = ipaddress.IPv4Network(subnet["subnet"])
    ip = str(network.network_address + subnet["_next_ip"])
    subnet["_next_ip"] += 1
    fake.table("nics")[nic_no] = {
        "networkInterfaceNo": nic_no,
        "networkInterfaceName": f"nic-{nic_no}",
        "subnetNo": subnet["subnetNo"],
        "deleteOnTermination": True,
        "isDefault": True,
        "deviceName": "eth0",
        "networkInterfaceStatus": code("USED"),
        "instanceType": code("VSVR"),
        "instanceNo": number,
        "ip": ip,
        "macAddress": "F2:20:AF:00:00:01",
        "accessControlGroupNoList": acgs,
        "networkInterfaceDescription": "",
    }
    description = call.get("serverDescription")
    if len(description) > 1000:
        raise ServiceError("1401", "The serverDescription is longer than 1000 characters.")
    server: dict[str, Any] = {
        "serverInstanceNo": number,
        "serverName": name,
        "serverDescription": description,
        "cpuCount": spec["cpuCount"],
        "memorySize": spec["memorySize"],
        "platformType": code("WND64" if image["osType"]["code"] == "WINDOWS" else "LNX64"),
        "loginKeyName": key,
        "publicIpInstanceNo": "",
        "publicIp": "",
        "createDate": now(),
        "uptime": now(),
        "serverImageProductCode": "",
        "serverProductCode": spec["serverProductCode"],
        "isProtectServerTermination": False,
        "zoneCode": subnet["zoneCode"],
        "regionCode": fake.region,
        "vpcNo": vpc["vpcNo"],
        "subnetNo": subnet["subnetNo"],
        "networkInterfaceNoList": [nic_no],
        "initScriptNo": script,
        "serverInstanceType": code("STAND"),
        "baseBlockStorageDiskType": code("NET"),
        "baseBlockStorageDiskDetailType": code("SSD"),
        "baseBlockStorageSize": 10 * GIB,
        "hypervisorType": code("KVM"),
        "serverImageNo": image["serverImageNo"],
        "serverSpecCode": spec["serverSpecCode"],
    }
    _state(server, "INIT", name="init")
    fake.table("servers")[number] = server
    fake.later(1, lambda: _state(server, "CREAT", name="creating"))

    def running() -> None:
        _state(server, "RUN")
        if public:
            server["publicIpInstanceNo"] = fake.number()
            server["publicIp"] = f"223.130.{len(fake.table('servers'))}.{int(number) % 250 + 1}"

    fake.later(3, running)
    return listing("serverInstanceList", [server])


def get_servers(fake: FakeNCP, call: Call) -> dict[str, Any]:
    servers = list(fake.table("servers").values())
    for key in ("vpcNo", "subnetNo", "serverName"):
        if call.get(key):
            servers = [s for s in servers if s[key] == call.get(key)]
    if call.values("serverInstanceNoList"):
        servers = [s for s in servers if s["serverInstanceNo"] in call.values("serverInstanceNoList")]
    return listing("serverInstanceList", servers)


def get_server_detail(fake: FakeNCP, call: Call) -> dict[str, Any]:
    server = fake.table("servers").get(call.require("serverInstanceNo"))
    if server is None:
        raise not_found("server")
    return listing("serverInstanceList", [server])


def _control(action: str) -> Any:
    def handler(fake: FakeNCP, call: Call) -> dict[str, Any]:
        numbers = call.values("serverInstanceNoList")
        if not numbers:
            raise ServiceError("1401", "The parameter serverInstanceNoList is required.")
        servers = []
        for number in numbers:
            server = fake.table("servers").get(number)
            if server is None:
                raise not_found("server")
            status, operation = server["serverInstanceStatus"]["code"], server["serverInstanceOperation"]["code"]
            if operation != "NULL":
                raise ServiceError(
                    "1300020", "The server status does not allow this: another operation is in progress."
                )
            servers.append((server, status))
        for server, status in servers:
            _apply(fake, action, server, status)
        return listing("serverInstanceList", [server for server, _ in servers])

    return handler


def _apply(fake: FakeNCP, action: str, server: dict[str, Any], status: str) -> None:
    wanted = {"stop": "RUN", "start": "NSTOP", "reboot": "RUN", "terminate": "NSTOP"}[action]
    if status != wanted:
        raise ServiceError("1300021", f"The server status is {status}; {action} needs a server in status {wanted}.")
    if action == "stop":
        _state(server, "RUN", "SHTDN", "shutting down")
        fake.later(2, lambda: _state(server, "NSTOP"))
    elif action == "start":
        _state(server, "NSTOP", "START", "booting")
        fake.later(2, lambda: _state(server, "RUN"))
    elif action == "reboot":
        _state(server, "RUN", "RESTA", "rebooting")
        fake.later(2, lambda: _state(server, "RUN"))
    else:
        _state(server, "NSTOP", "TERMT", "terminating")

        def gone() -> None:
            fake.table("servers").pop(server["serverInstanceNo"], None)
            for nic in server.get("networkInterfaceNoList", []):
                fake.table("nics").pop(nic, None)
            for number, volume in list(fake.table("volumes").items()):
                if volume["serverInstanceNo"] == server["serverInstanceNo"]:
                    fake.table("volumes").pop(number)

        fake.later(2, gone)


def get_nics(fake: FakeNCP, call: Call) -> dict[str, Any]:
    nics = list(fake.table("nics").values())
    if call.values("networkInterfaceNoList"):
        nics = [n for n in nics if n["networkInterfaceNo"] in call.values("networkInterfaceNoList")]
    return listing("networkInterfaceList", nics)


def register(fake: FakeNCP) -> None:
    create_params = [
        "vpcNo",
        "subnetNo",
        "serverName",
        "serverImageNo",
        "serverSpecCode",
        "loginKeyName",
        "associateWithPublicIp",
        "serverDescription",
        "initScriptNo",
        "networkInterfaceList.N.networkInterfaceOrder",
        "networkInterfaceList.N.accessControlGroupNoList.N",
    ]
    fake.route("vserver", "createServerInstances", create_servers, create_params)
    list_params = ["vpcNo", "subnetNo", "serverName", "serverInstanceNoList.N"]
    fake.route("vserver", "getServerInstanceList", get_servers, list_params)
    fake.route("vserver", "getServerInstanceDetail", get_server_detail, ["serverInstanceNo"])
    for action in ("stop", "start", "reboot", "terminate"):
        fake.route("vserver", f"{action}ServerInstances", _control(action), ["serverInstanceNoList.N"])
    fake.route("vserver", "getNetworkInterfaceList", get_nics, ["networkInterfaceNoList.N"])
