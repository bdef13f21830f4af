"""Tags of the GCP driver: Google Cloud labels on VMs, disks, machine images, GKE clusters and load
balancers (the labels of an NLB's forwarding rule).

Only resources with labels take tags: VPC networks, subnetworks and firewall rules (security
groups) have none, and key pairs are project metadata, so those kinds are not taggable. A label is
stricter than a tag (lowercase letters, digits, '_' and '-'; a key starts with a letter; at most 63
characters each, 64 labels): a tag that is not a valid label is refused with the field named rather
than rewritten, so that reading the resource back gives the tag asked for. Labels are written whole
with the resource's label fingerprint; when something else changed them meanwhile (412), they are
read again and the change is applied afresh.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass

from google.cloud import compute_v1
from google.cloud.compute_v1.types import compute

from drivers.errors import InvalidRequestError, InvalidStateError, NotFoundError, TransientError
from drivers.gcp import cluster as _cluster
from drivers.gcp import disk as _disk
from drivers.gcp import my_image as _my_image
from drivers.gcp import nlb as _nlb
from drivers.gcp import vm as _vm
from drivers.gcp._common import last_segment
from drivers.gcp._errors import translate
from drivers.gcp._nlb_build import write_rule_labels
from drivers.gcp._nlb_parts import find_rule
from drivers.gcp._session import CALL, GCPClients
from drivers.gcp._vm_common import LABEL_KEY, LABEL_VALUE, MAX_LABELS
from drivers.types import IID, ResourceKind, TagInfo

# The kinds whose Google Cloud resources carry labels, by the family that makes them.
LABELLED = {
    ResourceKind.VM: _vm,
    ResourceKind.DISK: _disk,
    ResourceKind.MY_IMAGE: _my_image,
    ResourceKind.CLUSTER: _cluster,
    ResourceKind.NLB: _nlb,
}
# Declared taggable: the labelled kinds whose family the driver offers.
TAG_KINDS: frozenset[str] = frozenset(kind.value for kind, module in LABELLED.items() if module.OFFERED)
OFFERED = bool(TAG_KINDS)
UNSUPPORTED: frozenset[str] = frozenset()
_NOTES: Mapping[str, str] = {
    "tag": (
        "Tags are Google Cloud labels (VMs, disks, machine images, clusters, and the forwarding rules of "
        "load balancers): keys and values of lowercase letters, digits, '_' and '-', a key starting with "
        "a letter. VPCs, subnets and security groups "
        "(firewall rules) have no labels, and key pairs are project metadata."
    ),
}
NOTES: Mapping[str, str] = _NOTES if OFFERED else {}

FINGERPRINT_ATTEMPTS = 3


@dataclass
class _Labelled:
    iid: IID
    labels: dict[str, str]
    write: Callable[[dict[str, str]], None]  # replaces the labels, with the fingerprint read


def check_key(key: str) -> str:
    if not isinstance(key, str) or not LABEL_KEY.match(key):
        raise InvalidRequestError(
            f"Tag key {key!r} is not a Google Cloud label key: 1-63 lowercase letters, digits, '_' and '-', "
            "starting with a letter.",
            field="key",
        )
    return key


def check_value(value: str) -> str:
    if not isinstance(value, str) or not LABEL_VALUE.match(value):
        raise InvalidRequestError(
            f"Tag value {value!r} is not a Google Cloud label value: up to 63 lowercase letters, digits, '_' and '-'.",
            field="value",
        )
    return value


def _kind(kind: ResourceKind | str) -> ResourceKind:
    resolved = next((each for each in LABELLED if each.value == str(kind)), None)
    if resolved is None:
        raise InvalidRequestError(
            f"Resources of kind {kind!r} have no labels on Google Cloud (taggable: "
            f"{', '.join(sorted(each.value for each in LABELLED))}).",
            field="kind",
        )
    return resolved


class GCPTagHandler:
    def __init__(self, clients: GCPClients) -> None:
        self._clients = clients

    # --- resources and their labels ------------------------------------------------------------

    def _find(self, kind: ResourceKind, iid: IID) -> _Labelled | None:
        clients, project = self._clients, self._clients.project
        if kind == ResourceKind.VM:
            instance = _vm.GCPVMHandler(clients).find(iid)
            if instance is None:
                return None
            zone = last_segment(instance.zone)

            def write_instance(labels: dict[str, str]) -> None:
                body = compute.InstancesSetLabelsRequest(labels=labels, label_fingerprint=instance.label_fingerprint)
                with translate(field="key"):
                    operation = clients.client(compute_v1.InstancesClient).set_labels(
                        project=project, zone=zone, instance=instance.name,
                        instances_set_labels_request_resource=body, **CALL,
                    )  # fmt: skip
                clients.wait(operation, what=f"labelling VM '{instance.name}'", field="key")

            return _Labelled(
                IID(name_id=instance.name, system_id=str(instance.id)), dict(instance.labels), write_instance
            )
        if kind == ResourceKind.DISK:
            disk = _disk.find_disk(clients, iid)
            if disk is None:
                return None
            disk_zone = last_segment(disk.zone)

            def write_disk(labels: dict[str, str]) -> None:
                body = compute.ZoneSetLabelsRequest(labels=labels, label_fingerprint=disk.label_fingerprint)
                with translate(field="key"):
                    operation = clients.client(compute_v1.DisksClient).set_labels(
                        project=project, zone=disk_zone, resource=disk.name,
                        zone_set_labels_request_resource=body, **CALL,
                    )  # fmt: skip
                clients.wait(operation, what=f"labelling disk '{disk.name}'", field="key")

            return _Labelled(IID(name_id=disk.name, system_id=str(disk.id)), dict(disk.labels), write_disk)
        if kind == ResourceKind.MY_IMAGE:
            image = _my_image.find_machine_image(clients, iid)
            if image is None:
                return None

            def write_image(labels: dict[str, str]) -> None:
                body = compute.GlobalSetLabelsRequest(labels=labels, label_fingerprint=image.label_fingerprint)
                with translate(field="key"):
                    operation = clients.client(compute_v1.MachineImagesClient).set_labels(
                        project=project, resource=image.name, global_set_labels_request_resource=body, **CALL
                    )
                clients.wait(operation, what=f"labelling machine image '{image.name}'", field="key")

            return _Labelled(IID(name_id=image.name, system_id=str(image.id)), dict(image.labels), write_image)
        if kind == ResourceKind.NLB:
            rule = find_rule(clients, iid)
            if rule is None:
                return None
            return _Labelled(
                IID(name_id=rule.name, system_id=rule.self_link),
                dict(rule.labels),
                lambda labels: write_rule_labels(clients, rule, labels),
            )
        handler = _cluster.GCPClusterHandler(clients)
        cluster = handler.find(iid)
        if cluster is None:
            return None
        return _Labelled(
            IID(name_id=cluster.name, system_id=cluster.id),
            dict(cluster.resource_labels),
            lambda labels: handler.set_labels(cluster, labels),
        )

    def _get(self, kind: ResourceKind, iid: IID) -> _Labelled:
        found = self._find(kind, iid)
        if found is None:
            raise NotFoundError(f"{kind.value} '{iid.name_id or iid.system_id}' does not exist.", field="iid")
        return found

    def _change(self, kind: ResourceKind, iid: IID, change: Callable[[dict[str, str]], bool]) -> _Labelled | None:
        """Apply `change` to the labels (it says whether anything changed) and write them; a write
        refused for a stale fingerprint reads the resource again. None: the resource does not exist."""
        for attempt in range(FINGERPRINT_ATTEMPTS):
            resource = self._find(kind, iid)
            if resource is None:
                return None
            labels = dict(resource.labels)
            if not change(labels):
                return resource
            try:
                resource.write(labels)
            except (TransientError, InvalidStateError) as exc:
                # Compute Engine says 412, GKE FAILED_PRECONDITION naming the fingerprint.
                stale = isinstance(exc, TransientError) or "fingerprint" in exc.provider_message.lower()
                if not stale or attempt + 1 == FINGERPRINT_ATTEMPTS:
                    raise
                continue
            resource.labels = labels
            return resource
        return None  # pragma: no cover - the loop returns or raises

    @staticmethod
    def _info(kind: ResourceKind, resource: _Labelled) -> TagInfo:
        return TagInfo(kind=kind, resource_iid=resource.iid, tags=dict(resource.labels))

    # --- the interface -------------------------------------------------------------------------

    def add_tag(self, *, kind: ResourceKind, iid: IID, key: str, value: str) -> TagInfo:
        resolved = _kind(kind)
        check_key(key)
        check_value(value)

        def put(labels: dict[str, str]) -> bool:
            if labels.get(key) == value:
                return False
            if key not in labels and len(labels) >= MAX_LABELS:
                raise InvalidRequestError(f"Google Cloud allows at most {MAX_LABELS} labels.", field="key")
            labels[key] = value
            return True

        resource = self._change(resolved, iid, put)
        if resource is None:
            raise NotFoundError(f"{resolved.value} '{iid.name_id or iid.system_id}' does not exist.", field="iid")
        return self._info(resolved, resource)

    def list_tags(self, *, kind: ResourceKind, iid: IID) -> TagInfo:
        resolved = _kind(kind)
        return self._info(resolved, self._get(resolved, iid))

    def get_tag(self, *, kind: ResourceKind, iid: IID, key: str) -> str:
        resolved = _kind(kind)
        labels = self._get(resolved, iid).labels
        if key not in labels:
            raise NotFoundError(f"{resolved.value} '{iid.name_id or iid.system_id}' has no tag '{key}'.", field="key")
        return labels[key]

    def remove_tag(self, *, kind: ResourceKind, iid: IID, key: str) -> None:
        resolved = _kind(kind)

        def drop(labels: dict[str, str]) -> bool:
            return labels.pop(key, None) is not None

        self._change(resolved, iid, drop)

    def find_tags(self, *, kind: ResourceKind | None = None, keyword: str) -> list[TagInfo]:
        kinds = [each for each in LABELLED if each.value in TAG_KINDS] if kind is None else [_kind(kind)]
        needle = keyword.casefold()
        found: list[TagInfo] = []
        for each in kinds:
            for iid, tags in sorted(self._all(each), key=lambda item: (item[0].name_id, item[0].system_id)):
                if any(needle in k.casefold() or needle in v.casefold() for k, v in tags.items()):
                    found.append(TagInfo(kind=each, resource_iid=iid, tags=dict(tags)))
        return found

    def _all(self, kind: ResourceKind) -> list[tuple[IID, Mapping[str, str]]]:
        clients = self._clients
        if kind == ResourceKind.VM:
            return [(info.iid, info.tags) for info in _vm.GCPVMHandler(clients).list_vms()]
        if kind == ResourceKind.DISK:
            return [(info.iid, info.tags) for info in _disk.GCPDiskHandler(clients).list_disks()]
        if kind == ResourceKind.MY_IMAGE:
            return [(info.iid, info.tags) for info in _my_image.GCPMyImageHandler(clients).list_my_images()]
        if kind == ResourceKind.NLB:
            return [(info.iid, info.tags) for info in _nlb.GCPNLBHandler(clients).list_nlbs()]
        return [(info.iid, info.tags) for info in _cluster.GCPClusterHandler(clients).list_clusters()]
