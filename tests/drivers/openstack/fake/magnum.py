"""Magnum (container-infra, API v1): cluster templates, clusters and node groups (certificates: magnum_certs.py).

Shapes from the container-infrastructure-management api-ref ("Manage Cluster", "Manage Cluster
Templates", "Manage nodegroups", "Manage certificates", "Resize a cluster", "Upgrade a cluster"):
POST /v1/clusters answers 202 `{"uuid": ...}`; a cluster is CREATE_IN_PROGRESS for several polls,
then CREATE_COMPLETE; a resize, an upgrade or a node group's creation or deletion puts it in
UPDATE_IN_PROGRESS, then UPDATE_COMPLETE; DELETE answers 204 and the cluster is DELETE_IN_PROGRESS
for several polls before it is gone. Every cluster has the default nodegroups `default-master`
(role master) and `default-worker` (role worker, is_default), which cannot be deleted. Errors are
Magnum's ParsableErrorMiddleware body (magnum/api/middleware/parsable_error.py), `{"errors":
[{"request_id": "", "code": "client", "status", "title", "detail", "links": []}]}`; the 406 of a
too-old microversion is shown in that shape too, without the min_version/max_version Magnum adds.
Microversions: nodegroups need 1.9, resize 1.7, upgrade 1.8 (api-ref
"API microversion history"); an older header is answered 406.

The operator publishes cluster templates (`TEMPLATES`, made on first use); the labels kube_tag, auto_scaling_enabled,
min_node_count and max_node_count are the Kubernetes driver's documented labels.
"""

from __future__ import annotations

from typing import Any

from tests.drivers.openstack.fake.server import ApiError, FakeOpenStack, Reply, Request

MAX_VERSION = "1.11"
FCOS_IMAGE = "fedora-coreos-38"
TEMPLATES = (("k8s-v1.27.8", "v1.27.8"), ("k8s-v1.28.9", "v1.28.9"))
ID = "(?P<id>[^/?]+)"
NG = "(?P<ng>[^/?]+)"


def magnum_error(status: int, detail: str) -> ApiError:
    entry = {
        "request_id": "",
        "code": "client" if status < 500 else "server",
        "status": status,
        "title": detail.split(".", 1)[0],  # ParsableErrorMiddleware: the faultstring up to its first "."
        "detail": detail,
        "links": [],
    }
    return ApiError(status, {"errors": [entry]})


def register(fake: FakeOpenStack) -> None:
    r = fake.route
    s = "container-infra"
    r(s, "GET", "/clustertemplates", lambda req: {"clustertemplates": list(_templates(fake, req.region).values())})
    r(s, "GET", "/clusters", lambda req: {"clusters": [_short(c) for c in _clusters(fake, req, tick=True)]})
    r(s, "POST", "/clusters", lambda req: _create(fake, req))
    r(s, "GET", f"/clusters/{ID}", lambda req: _view(_cluster(fake, req, tick=True)))
    r(s, "DELETE", f"/clusters/{ID}", lambda req: _delete(fake, req))
    r(s, "POST", f"/clusters/{ID}/actions/resize", lambda req: _resize(fake, req))
    r(s, "POST", f"/clusters/{ID}/actions/upgrade", lambda req: _upgrade(fake, req))
    r(s, "GET", f"/clusters/{ID}/nodegroups", lambda req: _nodegroups(fake, req))
    r(s, "POST", f"/clusters/{ID}/nodegroups", lambda req: _add_ng(fake, req))
    r(s, "PATCH", f"/clusters/{ID}/nodegroups/{NG}", lambda req: _patch_ng(fake, req))
    r(s, "DELETE", f"/clusters/{ID}/nodegroups/{NG}", lambda req: _delete_ng(fake, req))


# --- state ---------------------------------------------------------------------------------------


def _templates(fake: FakeOpenStack, region: str) -> dict[str, dict[str, Any]]:
    templates = fake.coll(region, "magnum-templates")
    if not templates:
        for name, tag in TEMPLATES:
            uuid = fake.new_id()
            templates[uuid] = {
                "uuid": uuid,
                "name": name,
                "coe": "kubernetes",
                "image_id": FCOS_IMAGE,
                "public": True,
                "network_driver": "calico",
                "master_lb_enabled": True,
                "labels": {"kube_tag": tag},
                "links": [],
            }
    return templates


def _micro(req: Request, least: str) -> str:
    header = req.headers.get("OpenStack-API-Version", "")
    service, _, version = header.partition(" ")
    asked = version if service == "container-infra" else "1.1"
    if tuple(map(int, asked.split("."))) < tuple(map(int, least.split("."))):
        raise magnum_error(406, f"Version {asked} was requested but the minimum version for this call is {least}.")
    return asked


def _clusters(fake: FakeOpenStack, req: Request, *, tick: bool) -> list[dict[str, Any]]:
    clusters = [c for c in fake.coll(req.region, "magnum-clusters").values() if c["project_id"] == req.project]
    if tick:
        for cluster in clusters:
            _tick(fake, req.region, cluster)
    return [c for c in fake.coll(req.region, "magnum-clusters").values() if c["project_id"] == req.project]


def _cluster(fake: FakeOpenStack, req: Request, *, tick: bool = False) -> dict[str, Any]:
    ident = req.params["id"]
    found = [c for c in _clusters(fake, req, tick=False) if ident in (c["uuid"], c["name"])]
    if len(found) > 1:
        raise magnum_error(409, "Multiple clusters exist with same name. Please use the cluster uuid instead.")
    if not found:
        raise magnum_error(404, f"Cluster {ident} could not be found.")
    if tick:
        _tick(fake, req.region, found[0])
        if found[0]["uuid"] not in fake.coll(req.region, "magnum-clusters"):
            raise magnum_error(404, f"Cluster {ident} could not be found.")
    return found[0]


def _begin(fake: FakeOpenStack, cluster: dict[str, Any], action: str) -> None:
    cluster["status"] = f"{action}_IN_PROGRESS"
    cluster["_pending"] = fake.polls_until_done


def _tick(fake: FakeOpenStack, region: str, cluster: dict[str, Any]) -> None:
    if not cluster.get("_pending"):
        return
    cluster["_pending"] -= 1
    if cluster["_pending"] > 0:
        return
    action = cluster["status"].removesuffix("_IN_PROGRESS")
    if action == "DELETE":
        del fake.coll(region, "magnum-clusters")[cluster["uuid"]]
        return
    cluster["status"] = f"{action}_COMPLETE"
    cluster["updated_at"] = fake.now()
    cluster["api_address"] = f"https://10.0.0.{len(cluster['name']) % 200 + 10}:6443"
    for group in list(cluster["nodegroups"]):
        if group["status"] == "DELETE_IN_PROGRESS":
            cluster["nodegroups"].remove(group)
        elif group["status"].endswith("_IN_PROGRESS"):
            group["status"] = group["status"].replace("_IN_PROGRESS", "_COMPLETE")
    cluster["node_count"] = sum(g["node_count"] for g in cluster["nodegroups"] if g["role"] != "master")


def _settled(cluster: dict[str, Any]) -> None:
    if not cluster["status"].endswith("_COMPLETE"):
        raise magnum_error(
            409, f"Cluster {cluster['uuid']} is in {cluster['status']} state and cannot be updated until it settles."
        )


# The nodegroup conductor's allowed_operation states: node groups change only on a settled or updating cluster.
NODEGROUP_STATES = ("CREATE_COMPLETE", "UPDATE_COMPLETE", "UPDATE_IN_PROGRESS", "UPDATE_FAILED")


def _allows_nodegroups(cluster: dict[str, Any]) -> None:
    if cluster["status"] not in NODEGROUP_STATES:
        raise magnum_error(
            400, f"Nodegroup operations are only supported when cluster status is one of {', '.join(NODEGROUP_STATES)}."
        )


def _short(cluster: dict[str, Any]) -> dict[str, Any]:
    keys = ("uuid", "name", "cluster_template_id", "keypair", "labels", "node_count", "master_count", "status")
    keys += ("stack_id", "health_status", "create_timeout", "flavor_id", "master_flavor_id", "links")
    return {key: cluster[key] for key in keys}


def _view(cluster: dict[str, Any]) -> dict[str, Any]:
    return {key: value for key, value in cluster.items() if key not in ("nodegroups", "project_id", "_pending")}


def _group(fake: FakeOpenStack, cluster: dict[str, Any], body: dict[str, Any], **extra: Any) -> dict[str, Any]:
    uuid = fake.new_id()
    group = {
        "uuid": uuid,
        "id": fake.seq(),
        "name": body["name"],
        "cluster_id": cluster["uuid"],
        "project_id": cluster["project_id"],
        "flavor_id": body.get("flavor_id") or cluster["flavor_id"],
        "image_id": body.get("image_id") or FCOS_IMAGE,
        "docker_volume_size": body.get("docker_volume_size"),
        "labels": body.get("labels") or dict(cluster["labels"]),
        "node_addresses": [],
        "node_count": int(body.get("node_count", 1)),
        "role": body.get("role", "worker"),
        "max_node_count": body.get("max_node_count"),
        "min_node_count": int(body.get("min_node_count") or 0),
        "is_default": False,
        "stack_id": fake.new_id(),
        "status": "CREATE_IN_PROGRESS",
        "status_reason": None,
        "version": None,
        "created_at": fake.now(),
        "updated_at": None,
        "links": [],
    }
    group.update(extra)
    return group


# --- clusters ------------------------------------------------------------------------------------


def _create(fake: FakeOpenStack, req: Request) -> Reply:
    body = req.body
    templates = _templates(fake, req.region)
    template = templates.get(str(body.get("cluster_template_id", "")))
    if template is None:
        raise magnum_error(404, f"ClusterTemplate {body.get('cluster_template_id')} could not be found.")
    if not body.get("name"):
        raise magnum_error(400, "Invalid input for field/attribute name.")
    if body.get("keypair") and f"{req.project}/{body['keypair']}" not in fake.coll(req.region, "keypairs"):
        raise magnum_error(404, f"Unable to find keypair {body['keypair']}.")
    node_count = int(body.get("node_count", 1))
    labels = {**template["labels"], **(body.get("labels") or {})}
    uuid = fake.new_id()
    cluster: dict[str, Any] = {
        "uuid": uuid,
        "name": body["name"],
        "project_id": req.project,
        "cluster_template_id": template["uuid"],
        "keypair": body.get("keypair"),
        "labels": labels,
        "node_count": node_count,
        "master_count": int(body.get("master_count", 1)),
        "flavor_id": body.get("flavor_id", "m1.small"),
        "master_flavor_id": body.get("master_flavor_id", "m1.small"),
        "fixed_network": body.get("fixed_network"),
        "fixed_subnet": body.get("fixed_subnet"),
        "floating_ip_enabled": body.get("floating_ip_enabled", True),
        "create_timeout": body.get("create_timeout", 60),
        "stack_id": fake.new_id(),
        "status": "CREATE_IN_PROGRESS",
        "status_reason": None,
        "health_status": None,
        "api_address": None,
        "coe_version": None,
        "master_addresses": [],
        "node_addresses": [],
        "discovery_url": None,
        "created_at": fake.now(),
        "updated_at": None,
        "links": [],
        "_pending": fake.polls_until_done,
    }
    master = {"name": "default-master", "role": "master", "node_count": cluster["master_count"]}
    worker = {"name": "default-worker", "node_count": node_count}
    sizes = {"min_node_count": int(labels.get("min_node_count", 0)), "max_node_count": labels.get("max_node_count")}
    if sizes["max_node_count"] is not None:
        sizes["max_node_count"] = int(sizes["max_node_count"])
    cluster["nodegroups"] = [
        _group(fake, cluster, master, is_default=True, flavor_id=cluster["master_flavor_id"]),
        _group(fake, cluster, worker, is_default=True, **sizes),
    ]
    fake.coll(req.region, "magnum-clusters")[uuid] = cluster
    return 202, {"uuid": uuid}


def _delete(fake: FakeOpenStack, req: Request) -> Reply:
    cluster = _cluster(fake, req)
    if cluster["status"] != "DELETE_IN_PROGRESS":
        _begin(fake, cluster, "DELETE")
        for group in cluster["nodegroups"]:
            group["status"] = "DELETE_IN_PROGRESS"
    return 204, None


def _resize(fake: FakeOpenStack, req: Request) -> Reply:
    _micro(req, "1.7")
    cluster = _cluster(fake, req)
    _settled(cluster)
    wanted = int(req.body["node_count"])
    group = _find_ng(cluster, str(req.body.get("nodegroup") or "default-worker"))
    if group["role"] == "master":
        raise magnum_error(400, "Resizing a nodegroup with role master is not supported.")
    low, high = group["min_node_count"], group["max_node_count"]
    if wanted < low or (high is not None and wanted > high):
        raise magnum_error(
            400,
            f"Resizing {group['name']} outside the allowed range: min_node_count = {low}, max_node_count = {high}",
        )
    group["node_count"] = wanted
    group["status"] = "UPDATE_IN_PROGRESS"
    _begin(fake, cluster, "UPDATE")
    return 202, {"uuid": cluster["uuid"]}


def _upgrade(fake: FakeOpenStack, req: Request) -> Reply:
    _micro(req, "1.8")
    cluster = _cluster(fake, req)
    _settled(cluster)
    templates = _templates(fake, req.region)
    ident = str(req.body.get("cluster_template", ""))
    found = [t for t in templates.values() if ident in (t["uuid"], t["name"])]
    if not found:
        raise magnum_error(404, f"ClusterTemplate {ident} could not be found.")
    cluster["cluster_template_id"] = found[0]["uuid"]
    cluster["labels"] = {**cluster["labels"], "kube_tag": found[0]["labels"]["kube_tag"]}
    _begin(fake, cluster, "UPDATE")
    return 202, {"uuid": cluster["uuid"]}


# --- node groups ---------------------------------------------------------------------------------


def _find_ng(cluster: dict[str, Any], ident: str) -> dict[str, Any]:
    for group in cluster["nodegroups"]:
        if ident in (group["uuid"], group["name"], str(group["id"])):
            return group
    raise magnum_error(404, f"Nodegroup {ident} could not be found.")


def _nodegroups(fake: FakeOpenStack, req: Request) -> Reply:
    _micro(req, "1.9")
    cluster = _cluster(fake, req)
    return {"nodegroups": [dict(group) for group in cluster["nodegroups"]]}


def _add_ng(fake: FakeOpenStack, req: Request) -> Reply:
    _micro(req, "1.9")
    cluster = _cluster(fake, req)
    _allows_nodegroups(cluster)
    if not cluster["api_address"]:
        # The nodegroup controller's first check (ClusterAPIAddressUnavailable): none before CREATE_COMPLETE.
        raise magnum_error(409, "The Cluster API address is not available yet. Please retry later.")
    body = req.body
    if any(group["name"] == body.get("name") for group in cluster["nodegroups"]):
        raise magnum_error(409, f"A node group with name {body.get('name')} already exists in the cluster.")
    group = _group(fake, cluster, body)
    high = group["max_node_count"]
    if group["min_node_count"] > group["node_count"] or (high is not None and group["node_count"] > high):
        raise magnum_error(400, "min_node_count <= node_count <= max_node_count must hold.")
    cluster["nodegroups"].append(group)
    _begin(fake, cluster, "UPDATE")
    return 202, dict(group)


def _patch_ng(fake: FakeOpenStack, req: Request) -> Reply:
    _micro(req, "1.9")
    cluster = _cluster(fake, req)
    group = _find_ng(cluster, req.params["ng"])
    ops = req.body if isinstance(req.body, list) else req.body.get("_patch", [])
    changed = dict(group)
    for op in ops:
        field = str(op.get("path", "")).lstrip("/")
        if field not in ("min_node_count", "max_node_count") or op.get("op") != "replace":
            raise magnum_error(400, f"'/{field}' is an internal attribute and can not be updated")
        changed[field] = op.get("value")
    low, high = int(changed["min_node_count"]), changed["max_node_count"]
    if (
        (high is not None and low > int(high))
        or low > group["node_count"]
        or (high is not None and group["node_count"] > int(high))
    ):
        raise magnum_error(400, "min_node_count <= node_count <= max_node_count must hold.")
    _allows_nodegroups(cluster)
    group.update(min_node_count=low, max_node_count=high, status="UPDATE_IN_PROGRESS")
    # The nodegroup conductor's nodegroup_update: the cluster updates (a Heat stack update) too.
    _begin(fake, cluster, "UPDATE")
    return 202, dict(group)


def _delete_ng(fake: FakeOpenStack, req: Request) -> Reply:
    _micro(req, "1.9")
    cluster = _cluster(fake, req)
    group = _find_ng(cluster, req.params["ng"])
    if group["is_default"]:
        raise magnum_error(400, "Deleting a default nodegroup is not supported.")
    _allows_nodegroups(cluster)
    group["status"] = "DELETE_IN_PROGRESS"
    _begin(fake, cluster, "UPDATE")
    return 204, None
