"""Tags on every resource kind the Azure driver manages, through ARM's Tags API at the resource's
scope (`{resource id}/providers/Microsoft.Resources/tags/default`): a Merge patch adds or changes a
tag, a Delete patch removes one, a GET reads them; the same call serves every resource type. A
patch may be answered 202 and finished later, so the tags are read again after it.

Spiderweb names are Azure names, so a resource is addressed by its ARM id when the IID has one,
else by its name in the connection's resource group. Tags whose key starts with `spiderweb-` are
Spiderweb's own bookkeeping (the VNet a security group belongs to...): never listed, found, set or
removed here.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from drivers.azure._errors import translate
from drivers.azure._session import AzureSession
from drivers.errors import InvalidRequestError, NotFoundError, QuotaError
from drivers.types import IID, ResourceKind, TagInfo

# The ARM resource type behind each kind, and its label in messages.
KINDS: Mapping[ResourceKind, tuple[str, str]] = {
    ResourceKind.VPC: ("Microsoft.Network/virtualNetworks", "VPC"),
    ResourceKind.SECURITY_GROUP: ("Microsoft.Network/networkSecurityGroups", "Security group"),
    ResourceKind.KEY_PAIR: ("Microsoft.Compute/sshPublicKeys", "Key pair"),
    ResourceKind.VM: ("Microsoft.Compute/virtualMachines", "VM"),
    ResourceKind.DISK: ("Microsoft.Compute/disks", "Disk"),
    ResourceKind.MY_IMAGE: ("Microsoft.Compute/images", "Machine image"),
    ResourceKind.NLB: ("Microsoft.Network/loadBalancers", "Load balancer"),
    ResourceKind.CLUSTER: ("Microsoft.ContainerService/managedClusters", "Cluster"),
}
TAG_KINDS: frozenset[str] = frozenset(kind.value for kind in KINDS)

OFFERED = True
UNSUPPORTED: frozenset[str] = frozenset()
NOTES: Mapping[str, str] = {
    "tag": (
        "Azure tags through the Tags API. Subnets cannot carry tags in Azure (their VNet can). Keys are "
        "case-insensitive, at most 512 characters without < > % & \\ ? /; values at most 256 characters; "
        "at most 50 tags per resource. Keys starting with 'spiderweb-' are Spiderweb's, those starting with "
        "microsoft, azure or windows Azure's."
    ),
}

RESERVED_PREFIX = "spiderweb-"
MAX_KEY = 512
MAX_VALUE = 256
MAX_TAGS = 50
_FORBIDDEN = frozenset("<>%&\\?/")
# Prefixes Azure keeps for its own tags.
_AZURE_PREFIXES = ("microsoft", "azure", "windows")


def check_tag(key: str, value: str | None = None) -> None:
    """Azure's tag rules, checked before any call so the error names the field."""
    if not isinstance(key, str) or not key.strip() or len(key) > MAX_KEY:
        raise InvalidRequestError(f"Tag key {key!r} is invalid: use 1 to {MAX_KEY} characters.", field="key")
    bad = sorted(_FORBIDDEN.intersection(key))
    if bad:
        raise InvalidRequestError(
            f"Tag key {key!r} holds {' '.join(bad)}: Azure refuses < > % & \\ ? / in tag names.", field="key"
        )
    if key.lower().startswith(_AZURE_PREFIXES):
        raise InvalidRequestError(
            f"Tag key {key!r} starts with a prefix Azure keeps for itself (microsoft, azure, windows).", field="key"
        )
    if key.lower().startswith(RESERVED_PREFIX):
        raise InvalidRequestError(
            f"Tag keys starting with '{RESERVED_PREFIX}' are reserved for Spiderweb.", field="key"
        )
    if value is not None and (not isinstance(value, str) or len(value) > MAX_VALUE):
        raise InvalidRequestError(f"Tag '{key}' needs a string value of at most {MAX_VALUE} characters.", field="value")


def user_tags(tags: Mapping[str, Any] | None) -> dict[str, str]:
    """The tags a user sees: Spiderweb's own left out."""
    return {str(k): str(v) for k, v in (tags or {}).items() if not str(k).lower().startswith(RESERVED_PREFIX)}


def _kind(kind: ResourceKind | str) -> ResourceKind:
    try:
        found = ResourceKind(kind)
    except ValueError:
        found = None
    if found is None or found not in KINDS:
        raise InvalidRequestError(
            f"Azure cannot tag resources of kind {kind!r} (kinds: {', '.join(k.value for k in KINDS)}).",
            field="kind",
        )
    return found


def _tags_of(result: Any) -> dict[str, str]:
    properties = result.get("properties") if isinstance(result, Mapping) else getattr(result, "properties", None)
    tags = properties.get("tags") if isinstance(properties, Mapping) else getattr(properties, "tags", None)
    return {str(k): str(v) for k, v in (tags or {}).items()}


class AzureTagHandler:
    def __init__(self, session: AzureSession) -> None:
        self._session = session

    def add_tag(self, *, kind: ResourceKind, iid: IID, key: str, value: str) -> TagInfo:
        kind = _kind(kind)
        check_tag(key, value)
        resource = self._scope(kind, iid)
        current = self._read(kind, resource)
        same = [k for k in current if k.lower() == key.lower()]
        if not same and len(current) >= MAX_TAGS:
            raise QuotaError(f"{KINDS[kind][1]} '{resource.name_id}' already has {MAX_TAGS} tags.", field="key")
        # Tag names are case-insensitive in Azure: a Merge with another case would keep the old name.
        if same and same[0] != key:
            self._patch(resource, "Delete", {same[0]: current[same[0]]})
        self._patch(resource, "Merge", {key: value})
        # The patch may be answered 202 (its end carries no tags): what the resource holds is read again.
        return TagInfo(kind=kind, resource_iid=resource, tags=user_tags(self._read(kind, resource)))

    def list_tags(self, *, kind: ResourceKind, iid: IID) -> TagInfo:
        kind = _kind(kind)
        resource = self._scope(kind, iid)
        return TagInfo(kind=kind, resource_iid=resource, tags=user_tags(self._read(kind, resource)))

    def get_tag(self, *, kind: ResourceKind, iid: IID, key: str) -> str:
        info = self.list_tags(kind=kind, iid=iid)
        for name, value in info.tags.items():
            if name.lower() == key.lower():
                return value
        raise NotFoundError(f"{KINDS[info.kind][1]} '{info.resource_iid.name_id}' has no tag '{key}'.", field="key")

    def remove_tag(self, *, kind: ResourceKind, iid: IID, key: str) -> None:
        kind = _kind(kind)
        if str(key).lower().startswith(RESERVED_PREFIX):
            raise InvalidRequestError(
                f"Tag keys starting with '{RESERVED_PREFIX}' are reserved for Spiderweb.", field="key"
            )
        resource = self._scope(kind, iid)
        try:
            current = self._read(kind, resource)
        except NotFoundError:
            return
        # A Delete patch removes a name/value pair, so it names the value the tag holds now.
        doomed = {name: value for name, value in current.items() if name.lower() == key.lower()}
        if doomed:
            self._patch(resource, "Delete", doomed)

    def find_tags(self, *, kind: ResourceKind | None = None, keyword: str) -> list[TagInfo]:
        """Resources of the connection's group with a tag whose key or value contains `keyword`
        (ignoring case), by kind then name. Read from ARM's resource list, which may show a change
        made a few seconds ago late."""
        kinds = list(KINDS) if kind is None else [_kind(kind)]
        of_type = {KINDS[k][0].lower(): k for k in kinds}
        needle = keyword.casefold()
        group = self._session.resource_group()
        with translate():
            listed = list(self._session.resources().resources.list_by_resource_group(group))
        found: list[TagInfo] = []
        for item in listed:
            each = of_type.get(str(item.get("type", "")).lower())
            tags = user_tags(item.get("tags"))
            if each is None or not any(needle in f"{k}\n{v}".casefold() for k, v in tags.items()):
                continue
            found.append(
                TagInfo(kind=each, resource_iid=IID(name_id=str(item["name"]), system_id=str(item["id"])), tags=tags)
            )
        order = list(KINDS)
        return sorted(found, key=lambda i: (order.index(i.kind), i.resource_iid.name_id.lower()))

    # --- calls --------------------------------------------------------------------------------------

    def _read(self, kind: ResourceKind, resource: IID) -> dict[str, str]:
        try:
            with translate(field="iid"):
                return _tags_of(self._session.resources().tags.get_at_scope(resource.system_id))
        except NotFoundError as exc:
            raise NotFoundError(
                f"{KINDS[kind][1]} '{resource.name_id}' does not exist.",
                field="iid",
                provider_message=exc.provider_message,
            ) from exc

    def _patch(self, resource: IID, operation: str, tags: Mapping[str, str]) -> None:
        """A Tags PATCH, followed to its end: Azure answers it 200 with the tags or 202 with a Location
        whose end answers none (the SDK accepts both), so callers read the tags afterwards."""
        body = {"operation": operation, "properties": {"tags": dict(tags)}}
        tags_api = self._session.resources().tags
        self._session.wait(
            lambda: tags_api.begin_update_at_scope(resource.system_id, body), what=f"the tags of '{resource.name_id}'"
        )

    def _scope(self, kind: ResourceKind, iid: IID) -> IID:
        """The resource's IID with its ARM id: the id given, else the id of the name in the group."""
        arm_type = KINDS[kind][0]
        if iid.system_id:
            parts = iid.system_id.strip("/").split("/")
            if (
                len(parts) != 8
                or parts[0].lower() != "subscriptions"
                or parts[2].lower() != "resourcegroups"
                or parts[4].lower() != "providers"
                or f"{parts[5]}/{parts[6]}".lower() != arm_type.lower()
            ):
                raise InvalidRequestError(
                    f"'{iid.system_id}' is not the id of an Azure {arm_type} resource.", field="iid"
                )
            return IID(name_id=parts[7], system_id=iid.system_id)
        name = iid.name_id
        if not name or "/" in name or name != name.strip():
            raise NotFoundError(f"{KINDS[kind][1]} '{name}' does not exist.", field="iid")
        group = self._session.resource_group()
        scope = f"/subscriptions/{self._session.subscription_id}/resourceGroups/{group}/providers/{arm_type}/{name}"
        return IID(name_id=name, system_id=scope)
