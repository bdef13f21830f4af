"""Volumes, templates and tags of the fake KT Cloud (KT Cloud's SDK: `disk_volume.go`,
`server_template.go`, `tag.go`; states from CB-Spider's KT Classic disk handler: a new volume is
`Allocated`, an attached one `Ready`, and stays `Ready` after it is detached).

KT Cloud sizes a new volume by product code ("STG 100G": HDD of 10-500 GB in steps of 10, "SSD
300G": 100-800 GB in steps of 100). `resizeVolume` grows a volume by `size` GB (50, 80 or
100; 50 only with isLinux=Y: KT Cloud's Python SDK and CB-Spider) and needs it attached to the `vmid`
given, with that VM stopped. A template is made from a VM's ROOT volume and is
ready when its job ends. Tags go on UserVm, Volume and Template resources only.
"""

from __future__ import annotations

import re

from tests.drivers.ktclassic.fake.catalogue import zone
from tests.drivers.ktclassic.fake.compute import GIB, now, tags_of, vm_of
from tests.drivers.ktclassic.fake.server import Answer, ApiError, FakeKT, missing, param_error

_PRODUCT = re.compile(r"^(STG|SSD) (\d+)G$")
_TAGGABLE = {"uservm": "vms", "volume": "volumes", "template": "templates"}


def _volume(fake: FakeKT, volume_id: str, command: str) -> Answer:
    volume = fake.table("volumes").get(volume_id)
    if volume is None:
        raise missing(command, "id", volume_id)
    return volume


def _answer(fake: FakeKT, item: Answer) -> Answer:
    return {**item, "tags": tags_of(fake, item["id"])}


def create_volume(fake: FakeKT, args: dict[str, str]) -> Answer:
    zone(args.get("zoneid", ""))
    name = args.get("name", "")
    match = _PRODUCT.match(args.get("productcode", ""))
    if not name or match is None:
        raise param_error("createVolume needs a name and a productcode such as 'STG 100G'")
    kind, size = match.group(1), int(match.group(2))
    if kind == "STG" and not (10 <= size <= 500 and size % 10 == 0):
        raise param_error(f"Invalid volume size {size}: HDD volumes are 10-500 GB in steps of 10 GB")
    if kind == "SSD" and not (100 <= size <= 800 and size % 100 == 0):
        raise param_error(f"Invalid volume size {size}: SSD volumes are 100-800 GB in steps of 100 GB")
    volume_id = fake.new_id()
    volume = {
        "id": volume_id,
        "name": name,
        "zoneid": args["zoneid"],
        "type": "DATADISK",
        "size": size * GIB,
        "state": "Creating",
        "virtualmachineid": None,
        "diskofferingname": f"{kind} {size}G",
        "storagetype": "shared",
        "created": now(),
    }
    fake.table("volumes")[volume_id] = volume

    def allocated() -> Answer:
        volume["state"] = "Allocated"
        return {"volume": _answer(fake, volume)}

    return {"id": volume_id, "jobid": fake.job("createVolume", allocated, ticks=2)}


def list_volumes(fake: FakeKT, args: dict[str, str]) -> Answer:
    items = [
        _answer(fake, v)
        for v in fake.table("volumes").values()
        if all(
            not args.get(k) or str(v.get(f)) == args[k]
            for k, f in (("zoneid", "zoneid"), ("id", "id"), ("virtualmachineid", "virtualmachineid"), ("type", "type"))
        )
    ]
    return {"count": len(items), "volume": items} if items else {}


def attach_volume(fake: FakeKT, args: dict[str, str]) -> Answer:
    volume = _volume(fake, args.get("id", ""), "attachVolume")
    vm = vm_of(fake, args.get("virtualmachineid", ""), "attachVolume", "virtualmachineid")
    if volume["virtualmachineid"]:
        raise param_error("Please specify a volume that is not attached to any VM.")
    if vm["state"] not in ("Running", "Stopped"):
        raise param_error(f"Please specify a VM that is either running or stopped; {vm['name']} is {vm['state']}")
    used = {v.get("deviceid") for v in fake.table("volumes").values() if v.get("virtualmachineid") == vm["id"]}
    volume.update({"virtualmachineid": vm["id"], "vmname": vm["name"], "deviceid": min(set(range(1, 16)) - used)})
    volume["state"] = "Creating"  # KT Cloud says Creating while it attaches

    def ready() -> Answer:
        volume["state"] = "Ready"
        return {"volume": _answer(fake, volume)}

    return {"jobid": fake.job("attachVolume", ready, ticks=1)}


def detach_volume(fake: FakeKT, args: dict[str, str]) -> Answer:
    volume = _volume(fake, args.get("id", ""), "detachVolume")
    if not volume["virtualmachineid"] or volume["type"] != "DATADISK":
        raise param_error("Please specify a data volume that is attached to a VM.")

    def detached() -> Answer:
        volume.update({"virtualmachineid": None, "vmname": None, "deviceid": None})
        return {"volume": _answer(fake, volume)}

    return {"jobid": fake.job("detachVolume", detached, ticks=1)}


def resize_volume(fake: FakeKT, args: dict[str, str]) -> Answer:
    volume = _volume(fake, args.get("id", ""), "resizeVolume")
    vm = vm_of(fake, args.get("vmid", ""), "resizeVolume", "vmid")
    if volume["virtualmachineid"] != vm["id"]:
        raise param_error(f"Volume {volume['name']} is not attached to VM {vm['name']}")
    if vm["state"] != "Stopped":
        raise param_error(f"VM {vm['name']} must be stopped to resize its volumes")
    if args.get("isLinux") not in ("Y", "N"):
        raise param_error("isLinux must be Y or N")
    grow = int(args.get("size", "0"))
    if grow not in ((50, 80, 100) if args["isLinux"] == "Y" else (80, 100)):
        raise param_error(f"Invalid size {grow}: 50 (Linux only), 80 or 100")

    def grown() -> Answer:
        volume["size"] += grow * GIB
        return {"volume": _answer(fake, volume)}

    return {"jobid": fake.job("resizeVolume", grown, ticks=2)}


def delete_volume(fake: FakeKT, args: dict[str, str]) -> Answer:
    volume = _volume(fake, args.get("id", ""), "deleteVolume")
    if volume["virtualmachineid"]:
        raise param_error("Please specify a volume that is not attached to any VM.")
    del fake.table("volumes")[volume["id"]]
    return {"success": "true"}


def create_template(fake: FakeKT, args: dict[str, str]) -> Answer:
    volume = _volume(fake, args.get("volumeid", ""), "createTemplate")
    if volume["type"] != "ROOT" or not volume["virtualmachineid"]:
        raise param_error("A template is made from the ROOT volume of a VM")
    name = args.get("name", "")
    if not name or not args.get("displaytext") or not args.get("ostypeid"):
        raise param_error("createTemplate needs name, displaytext and ostypeid")
    vm = vm_of(fake, volume["virtualmachineid"], "createTemplate", "volumeid")
    template_id = fake.new_id()
    template = {
        "id": template_id,
        "name": name,
        "displaytext": args["displaytext"],
        "ispublic": False,
        "isready": False,
        "status": "Creating",
        "ostypeid": args["ostypeid"],
        "ostypename": vm["templatedisplaytext"],
        "zoneid": vm["zoneid"],
        "size": volume["size"],
        "created": now(),
    }
    fake.table("templates")[template_id] = template

    def ready() -> Answer:
        template.update({"isready": True, "status": "Download Complete"})
        return {"template": _answer(fake, template)}

    return {"id": template_id, "jobid": fake.job("createTemplate", ready, ticks=8)}


def list_templates(fake: FakeKT, args: dict[str, str]) -> Answer:
    if args.get("templatefilter") not in ("self", "selfexecutable"):
        raise param_error("templatefilter must be self or selfexecutable in this fake")
    items = [
        _answer(fake, t)
        for t in fake.table("templates").values()
        if (not args.get("id") or t["id"] == args["id"]) and (args.get("templatefilter") == "self" or t["isready"])
    ]
    return {"count": len(items), "template": items} if items else {}


def delete_template(fake: FakeKT, args: dict[str, str]) -> Answer:
    template_id = args.get("id", "")
    if template_id not in fake.table("templates"):
        raise missing("deleteTemplate", "id", template_id)

    def deleted() -> Answer:
        fake.table("templates").pop(template_id, None)
        return {"success": True}

    return {"jobid": fake.job("deleteTemplate", deleted, ticks=1)}


def _tag_target(fake: FakeKT, args: dict[str, str], command: str) -> tuple[str, list[str]]:
    kind = args.get("resourcetype", "").lower()
    if kind not in _TAGGABLE:
        raise ApiError(431, f"The resource type {args.get('resourcetype')} doesn't support resource tags")
    ids = [i for i in args.get("resourceids", "").split(",") if i]
    for resource_id in ids:
        if resource_id not in fake.table(_TAGGABLE[kind]):
            raise missing(command, "resourceids", resource_id)
    return kind, ids


def _indexed(args: dict[str, str], field: str) -> dict[str, str]:
    found = {}
    for key, value in args.items():
        match = re.fullmatch(r"tags\[(\d+)\]\.(key|value)", key)
        if match and match.group(2) == field:
            found[match.group(1)] = value
    return found


def create_tags(fake: FakeKT, args: dict[str, str]) -> Answer:
    kind, ids = _tag_target(fake, args, "createTags")
    keys, values = _indexed(args, "key"), _indexed(args, "value")

    def tagged() -> Answer:
        for resource_id in ids:
            for index, key in keys.items():
                tag_id = f"{resource_id}/{key}"
                fake.table("tags")[tag_id] = {
                    "key": key,
                    "value": values.get(index, ""),
                    "resourcetype": kind,
                    "resourceid": resource_id,
                }
        return {"success": True}

    return {"jobid": fake.job("createTags", tagged, ticks=1)}


def delete_tags(fake: FakeKT, args: dict[str, str]) -> Answer:
    _kind, ids = _tag_target(fake, args, "deleteTags")
    keys = list(_indexed(args, "key").values())

    def untagged() -> Answer:
        for resource_id in ids:
            for key in keys:
                fake.table("tags").pop(f"{resource_id}/{key}", None)
        return {"success": True}

    return {"jobid": fake.job("deleteTags", untagged, ticks=1)}


def list_tags(fake: FakeKT, args: dict[str, str]) -> Answer:
    items = [
        {**t, "resourcetype": {"uservm": "UserVm", "volume": "Volume", "template": "Template"}[t["resourcetype"]]}
        for t in fake.table("tags").values()
        if (not args.get("resourceid") or t["resourceid"] == args["resourceid"])
        and (not args.get("resourcetype") or t["resourcetype"] == args["resourcetype"].lower())
        and (not args.get("key") or t["key"] == args["key"])
    ]
    return {"count": len(items), "tag": items} if items else {}


def register(fake: FakeKT) -> None:
    fake.handlers.update(
        {
            "createVolume": create_volume,
            "listVolumes": list_volumes,
            "attachVolume": attach_volume,
            "detachVolume": detach_volume,
            "resizeVolume": resize_volume,
            "deleteVolume": delete_volume,
            "createTemplate": create_template,
            "listTemplates": list_templates,
            "deleteTemplate": delete_template,
            "createTags": create_tags,
            "deleteTags": delete_tags,
            "listTags": list_tags,
        }
    )
