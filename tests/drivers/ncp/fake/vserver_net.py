"""NCP's `vserver` ACGs, login keys and init scripts (NCP API guide, Server > ACG, Login Key, Init Script).

An ACG is answered INIT and turns RUN; each rule change puts it in SET for a while, during which the
next change is refused (the console shows the same "applying" state). Rules are protocol code, ipBlock
and portRange (none for ICMP). A login key's private key is answered once, by createLoginKey.
"""

from __future__ import annotations

import base64
import hashlib
from typing import Any

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

from tests.drivers.ncp.fake.server import Call, FakeNCP, ServiceError, code, listing, not_found, now

_PROTOCOL_NUMBERS = {"TCP": "6", "UDP": "17", "ICMP": "1"}


def _acg(fake: FakeNCP, number: str) -> dict[str, Any]:
    acg = fake.table("acgs").get(number)
    if acg is None:
        raise not_found("access control group")
    return acg


def create_acg(fake: FakeNCP, call: Call) -> dict[str, Any]:
    vpc = fake.table("vpcs").get(call.require("vpcNo"))
    if vpc is None:
        raise not_found("VPC")
    name = call.require("accessControlGroupName")
    if any(a["accessControlGroupName"] == name for a in fake.table("acgs").values()):
        raise ServiceError("1007010", f"The ACG name '{name}' is already in use by name.")
    description = call.get("accessControlGroupDescription")
    if len(description) > 1000:
        raise ServiceError("1401", "The accessControlGroupDescription is longer than 1000 characters.")
    number = fake.number()
    acg = {
        "accessControlGroupNo": number,
        "accessControlGroupName": name,
        "isDefault": False,
        "vpcNo": vpc["vpcNo"],
        "accessControlGroupStatus": code("INIT"),
        "accessControlGroupDescription": description,
        "_rules": [],
    }
    fake.table("acgs")[number] = acg
    fake.later(1, lambda: acg.update(accessControlGroupStatus=code("RUN")))
    return listing("accessControlGroupList", [acg])


def get_acg_list(fake: FakeNCP, call: Call) -> dict[str, Any]:
    groups = list(fake.table("acgs").values())
    if call.get("vpcNo"):
        groups = [g for g in groups if g["vpcNo"] == call.get("vpcNo")]
    if call.values("accessControlGroupNoList"):
        groups = [g for g in groups if g["accessControlGroupNo"] in call.values("accessControlGroupNoList")]
    return listing("accessControlGroupList", groups)


def delete_acg(fake: FakeNCP, call: Call) -> dict[str, Any]:
    acg = _acg(fake, call.require("accessControlGroupNo"))
    if acg["vpcNo"] != call.require("vpcNo"):
        raise not_found("access control group")
    if acg["isDefault"]:
        raise ServiceError("1007012", "The default ACG cannot be deleted.")
    if any(acg["accessControlGroupNo"] in n["accessControlGroupNoList"] for n in fake.table("nics").values()):
        raise ServiceError("1007013", "The ACG cannot be deleted because it is in use by a network interface.")
    if acg["accessControlGroupStatus"]["code"] != "RUN":
        raise ServiceError("1007014", "The ACG status is not RUN; try again later.")
    acg["accessControlGroupStatus"] = code("TERMTING")
    fake.later(1, lambda: fake.table("acgs").pop(acg["accessControlGroupNo"], None))
    return listing("accessControlGroupList", [acg])


def get_rule_list(fake: FakeNCP, call: Call) -> dict[str, Any]:
    acg = _acg(fake, call.require("accessControlGroupNo"))
    rules = acg["_rules"]
    if call.get("accessControlGroupRuleTypeCode"):
        rules = [
            r for r in rules if r["accessControlGroupRuleType"]["code"] == call.get("accessControlGroupRuleTypeCode")
        ]
    return listing("accessControlGroupRuleList", rules)


def _rule(acg: dict[str, Any], direction: str, item: dict[str, str]) -> dict[str, Any]:
    protocol = item.get("protocolTypeCode", "")
    if protocol not in _PROTOCOL_NUMBERS:
        raise ServiceError("1401", f"The protocolTypeCode {protocol!r} is invalid.")
    port = item.get("portRange", "")
    if protocol == "ICMP" and port:
        raise ServiceError("1401", "ICMP rules take no portRange.")
    if protocol != "ICMP" and not port:
        raise ServiceError("1401", "The portRange is required for TCP and UDP.")
    return {
        "accessControlGroupNo": acg["accessControlGroupNo"],
        "protocolType": {"code": protocol, "codeName": protocol, "number": _PROTOCOL_NUMBERS[protocol]},
        "ipBlock": item.get("ipBlock", ""),
        "accessControlGroupSequence": item.get("accessControlGroupSequence", ""),
        "portRange": port,
        "accessControlGroupRuleType": code(direction),
        "accessControlGroupRuleDescription": item.get("accessControlGroupRuleDescription", ""),
    }


def _change(adding: bool, direction: str) -> Any:
    def handler(fake: FakeNCP, call: Call) -> dict[str, Any]:
        acg = _acg(fake, call.require("accessControlGroupNo"))
        if acg["vpcNo"] != call.require("vpcNo"):
            raise not_found("access control group")
        if acg["accessControlGroupStatus"]["code"] != "RUN":
            raise ServiceError("1007020", "The ACG status is not RUN (rules are being applied); try again later.")
        items = [_rule(acg, direction, item) for item in call.objects("accessControlGroupRuleList")]
        if not items:
            raise ServiceError("1401", "The parameter accessControlGroupRuleList is required.")
        key = ("protocolType", "ipBlock", "portRange", "accessControlGroupRuleType")
        for item in items:
            same = [r for r in acg["_rules"] if all(r[k] == item[k] for k in key)]
            if adding and same:
                raise ServiceError("1007021", "The same rule already exists in the ACG.")
            if not adding and not same:
                raise ServiceError("1007022", "The rule to remove does not exist in the ACG.")
            if adding:
                acg["_rules"].append(item)
            else:
                acg["_rules"].remove(same[0])
        acg["accessControlGroupStatus"] = code("SET")
        fake.later(1, lambda: acg.update(accessControlGroupStatus=code("RUN")))
        return listing("accessControlGroupRuleList", acg["_rules"])

    return handler


def fingerprint(public_openssh: str) -> str:
    digest = hashlib.md5(base64.b64decode(public_openssh.split()[1])).hexdigest()  # noqa: S324 - NCP shows MD5
    return ":".join(digest[i : i + 2] for i in range(0, len(digest), 2))


def create_login_key(fake: FakeNCP, call: Call) -> dict[str, Any]:
    name = call.require("keyName")
    if any(k["keyName"] == name for k in fake.table("login_keys").values()):
        raise ServiceError("10007", f"The login key '{name}' already exists.")
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    private = key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.TraditionalOpenSSL, serialization.NoEncryption()
    ).decode()
    public = key.public_key().public_bytes(serialization.Encoding.OpenSSH, serialization.PublicFormat.OpenSSH).decode()
    fake.table("login_keys")[name] = {"keyName": name, "fingerprint": fingerprint(public), "createDate": now()}
    return {"privateKey": private}


def get_login_key_list(fake: FakeNCP, call: Call) -> dict[str, Any]:
    keys = list(fake.table("login_keys").values())
    if call.get("keyName"):
        keys = [k for k in keys if k["keyName"] == call.get("keyName")]
    return listing("loginKeyList", keys)


def delete_login_keys(fake: FakeNCP, call: Call) -> dict[str, Any]:
    names = call.values("keyNameList")
    if not names:
        raise ServiceError("1401", "The parameter keyNameList is required.")
    for name in names:
        if fake.table("login_keys").pop(name, None) is None:
            raise not_found(f"login key {name}")
    return {}


def create_init_script(fake: FakeNCP, call: Call) -> dict[str, Any]:
    name = call.require("initScriptName")
    if any(s["initScriptName"] == name for s in fake.table("init_scripts").values()):
        raise ServiceError("1009001", f"The init script name '{name}' is already in use by name.")
    if len(call.get("initScriptDescription")) > 1000:
        raise ServiceError("1401", "The initScriptDescription is longer than 1000 characters.")
    number = fake.number()
    script = {
        "initScriptNo": number,
        "initScriptName": name,
        "createDate": now(),
        "initScriptDescription": call.get("initScriptDescription"),
        "osType": code(call.get("osTypeCode", "LNX")),
        "_content": call.require("initScriptContent"),
    }
    fake.table("init_scripts")[number] = script
    return listing("initScriptList", [script])


def get_init_script_list(fake: FakeNCP, call: Call) -> dict[str, Any]:
    scripts = list(fake.table("init_scripts").values())
    if call.get("initScriptName"):
        scripts = [s for s in scripts if s["initScriptName"] == call.get("initScriptName")]
    return listing("initScriptList", scripts)


def delete_init_scripts(fake: FakeNCP, call: Call) -> dict[str, Any]:
    for number in call.values("initScriptNoList"):
        if fake.table("init_scripts").pop(number, None) is None:
            raise not_found("init script")
    return {}


def register(fake: FakeNCP) -> None:
    fake.route(
        "vserver",
        "createAccessControlGroup",
        create_acg,
        ["vpcNo", "accessControlGroupName", "accessControlGroupDescription"],
    )
    fake.route("vserver", "getAccessControlGroupList", get_acg_list, ["vpcNo", "accessControlGroupNoList.N"])
    fake.route("vserver", "deleteAccessControlGroup", delete_acg, ["vpcNo", "accessControlGroupNo"])
    fake.route(
        "vserver",
        "getAccessControlGroupRuleList",
        get_rule_list,
        ["accessControlGroupNo", "accessControlGroupRuleTypeCode"],
    )
    fields = [
        "protocolTypeCode",
        "ipBlock",
        "portRange",
        "accessControlGroupSequence",
        "accessControlGroupRuleDescription",
    ]
    rule_params = ["vpcNo", "accessControlGroupNo", *(f"accessControlGroupRuleList.N.{f}" for f in fields)]
    for verb, adding in (("add", True), ("remove", False)):
        for direction, word in (("INBND", "Inbound"), ("OTBND", "Outbound")):
            fake.route("vserver", f"{verb}AccessControlGroup{word}Rule", _change(adding, direction), rule_params)
    fake.route("vserver", "createLoginKey", create_login_key, ["keyName"])
    fake.route("vserver", "getLoginKeyList", get_login_key_list, ["keyName"])
    fake.route("vserver", "deleteLoginKeys", delete_login_keys, ["keyNameList.N"])
    script_params = ["initScriptName", "initScriptContent", "initScriptDescription", "osTypeCode"]
    fake.route("vserver", "createInitScript", create_init_script, script_params)
    fake.route("vserver", "getInitScriptList", get_init_script_list, ["initScriptName", "initScriptNoList.N"])
    fake.route("vserver", "deleteInitScripts", delete_init_scripts, ["initScriptNoList.N"])
