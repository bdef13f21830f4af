"""Node groups of the mock's Kubernetes clusters: checking a request, sizes, and the info shown."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from drivers.checks import check_whole
from drivers.errors import InvalidRequestError, NotFoundError
from drivers.mock import _catalogue
from drivers.mock._common import Record, check_new_name, check_tags, get, iid_of, new_id, table
from drivers.mock._relations import current
from drivers.mock._store import Doc
from drivers.types import IID, ClusterStatus, NodeGroupInfo, NodeGroupReqInfo

MAX_NODES = 100  # per node group
MIN_NODE_DISK_GB = 20
DEFAULT_NODE_DISK_GB = 50


def check_sizes(desired: Any, low: Any, high: Any, *, prefix: str = "") -> tuple[int, int, int]:
    """(desired, min, max) with 0 <= min <= desired <= max, 1 <= max <= MAX_NODES."""
    desired = check_whole(desired, field=f"{prefix}desired_node_size", what="The desired size")
    low = check_whole(low, field=f"{prefix}min_node_size", what="The minimum size")
    high = check_whole(high, field=f"{prefix}max_node_size", what="The maximum size")
    if low < 0:
        raise InvalidRequestError(f"The minimum size {low} is negative.", field=f"{prefix}min_node_size")
    if not 1 <= high <= MAX_NODES:
        raise InvalidRequestError(
            f"The maximum size must be 1 to {MAX_NODES} nodes, not {high}.", field=f"{prefix}max_node_size"
        )
    if low > desired:
        raise InvalidRequestError(
            f"The minimum size {low} is above the desired size {desired}.", field=f"{prefix}min_node_size"
        )
    if desired > high:
        raise InvalidRequestError(
            f"The desired size {desired} is above the maximum size {high}.", field=f"{prefix}desired_node_size"
        )
    return desired, low, high


def new_node_group(
    doc: Doc, req: NodeGroupReqInfo, siblings: Sequence[Record], *, region: str, prefix: str, settles_at: float
) -> Record:
    """A node group record for `req` (fields in errors start with `prefix`), Creating until `settles_at`."""
    check_new_name(siblings, req.name, what="node group", field=f"{prefix}name")
    try:
        spec = _catalogue.spec(region, req.spec_name)
    except NotFoundError as exc:
        raise NotFoundError(exc.message, field=f"{prefix}spec_name") from None
    key = get(table(doc, "key_pairs").values(), req.key_pair_iid, what="Key pair", field=f"{prefix}key_pair_iid")
    image_iid = req.image_iid or IID(name_id=_catalogue.DEFAULT_NODE_IMAGES[spec.architecture])
    try:
        image = _catalogue.image(image_iid)
    except NotFoundError as exc:
        raise NotFoundError(exc.message, field=f"{prefix}image_iid") from None
    if image.os_architecture != spec.architecture or image.os_platform != "Linux/UNIX":
        raise InvalidRequestError(
            f"Node image '{image.iid.name_id}' ({image.os_platform}, {image.os_architecture}) cannot run on spec "
            f"'{spec.name}' ({spec.architecture}); nodes need a Linux image of the spec's architecture.",
            field=f"{prefix}image_iid",
        )
    disk_type = req.root_disk_type or _catalogue.DEFAULT_DISK_TYPE
    if disk_type not in _catalogue.DISK_TYPES:
        raise InvalidRequestError(
            f"Root disk type '{disk_type}' is unknown (types: {', '.join(_catalogue.DISK_TYPES)}).",
            field=f"{prefix}root_disk_type",
        )
    disk_size = check_whole(req.root_disk_size_gb, field=f"{prefix}root_disk_size_gb", what="Root disk size")
    disk_size = disk_size or DEFAULT_NODE_DISK_GB
    if not MIN_NODE_DISK_GB <= disk_size <= _catalogue.DISK_TYPES[disk_type].max_gb:
        raise InvalidRequestError(
            f"A node's root disk must be {MIN_NODE_DISK_GB} to {_catalogue.DISK_TYPES[disk_type].max_gb} GB,"
            f" not {disk_size} GB.",
            field=f"{prefix}root_disk_size_gb",
        )
    desired, low, high = check_sizes(req.desired_node_size, req.min_node_size, req.max_node_size, prefix=prefix)
    return {
        "id": new_id("ng"),
        "name": req.name,
        "spec": spec.name,
        "key_id": key["id"],
        "image": image.iid.system_id,
        "root_disk_type": disk_type,
        "root_disk_size_gb": disk_size,
        "autoscaling": bool(req.on_auto_scaling),
        "desired": desired,
        "min": low,
        "max": high,
        "tags": check_tags(req.tags, field=f"{prefix}tags"),
        "state": ClusterStatus.ACTIVE.value,
        "transition": ClusterStatus.CREATING.value,
        "settles_at": settles_at,
    }


def node_group_status(record: Mapping[str, Any], now: float) -> ClusterStatus:
    return ClusterStatus(current(record, now))


def node_group_info(record: Mapping[str, Any], doc: Doc, *, cluster: Mapping[str, Any], now: float) -> NodeGroupInfo:
    status = node_group_status(record, now)
    key = table(doc, "key_pairs").get(record["key_id"])
    nodes = (
        ()
        if status == ClusterStatus.CREATING
        else tuple(
            IID(name_id=f"{cluster['name']}-{record['name']}-{index}", system_id=f"{record['id']}-node-{index}")
            for index in range(1, record["desired"] + 1)
        )
    )
    return NodeGroupInfo(
        iid=iid_of(record),
        spec_name=record["spec"],
        key_pair_iid=iid_of(key) if key else IID(name_id="", system_id=record["key_id"]),
        status=status,
        image_iid=IID(name_id=record["image"], system_id=record["image"]),
        root_disk_type=record["root_disk_type"],
        root_disk_size_gb=record["root_disk_size_gb"],
        on_auto_scaling=record["autoscaling"],
        desired_node_size=record["desired"],
        min_node_size=record["min"],
        max_node_size=record["max"],
        nodes=nodes,
        tags=record["tags"],
        extra={"kubernetes_version": cluster["version"]},
    )
