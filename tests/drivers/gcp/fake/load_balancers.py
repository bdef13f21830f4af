"""Regional load balancing: health checks (compute.regionHealthChecks), backend services
(compute.regionBackendServices, with getHealth), addresses (compute.addresses) and forwarding
rules (compute.forwardingRules, with setLabels).

Each part refuses a delete while another uses it, as Compute Engine does (a health check or an
instance group by a backend service, a backend service or an address by a forwarding rule).
Forwarding rules take labels only through setLabels, with the label fingerprint read last (412
when it is stale). getHealth answers HEALTHY for a member instance that is RUNNING and that Google's
health check probers can reach: the VM's firewalls must let every probe range of the backend's
scheme in on the check's port (https://cloud.google.com/load-balancing/docs/health-check-concepts#ip-ranges);
any other backend is UNHEALTHY, as the real probes are dropped.
"""

from __future__ import annotations

import ipaddress
import itertools
import secrets
from typing import Any

from tests.drivers.gcp.fake.firewalls import permits
from tests.drivers.gcp.fake.instance_groups import members
from tests.drivers.gcp.fake.networks import FILTERED_LIST, check_name, filtered, in_use, path_of, resolve
from tests.drivers.gcp.fake.operations import start_operation
from tests.drivers.gcp.fake.server import COMPUTE, ApiError, FakeGCP, Request, not_found

REGION_PATH = "/projects/(?P<project>[^/]+)/regions/(?P<region>[^/]+)"
CHECK_BLOCKS = {"TCP": "tcpHealthCheck", "HTTP": "httpHealthCheck", "HTTPS": "httpsHealthCheck"}
# Where Google's health check probes come from, by the load balancer's scheme.
PROBE_RANGES = {
    "EXTERNAL": ("35.191.0.0/16", "209.85.152.0/22", "209.85.204.0/22"),
    "INTERNAL": ("35.191.0.0/16", "130.211.0.0/22"),
}


def _invalid(field: str, value: Any) -> ApiError:
    return ApiError(400, f"Invalid value for field '{field}': '{value}'.", "invalid")


def register(fake: FakeGCP) -> None:
    public_ips = (f"35.{a}.{b}.{c}" for a, b, c in itertools.product(range(200, 210), range(256), range(2, 255)))

    def collection(req: Request, kind: str) -> dict[str, dict[str, Any]]:
        return fake.collection(req.project, f"regions/{req.params['region']}/{kind}")

    def existing(req: Request, kind: str, key: str) -> dict[str, Any]:
        record = collection(req, kind).get(req.params[key])
        if record is None:
            raise not_found(f"projects/{req.project}/regions/{req.params['region']}/{kind}/{req.params[key]}")
        return record

    def users(req: Request, kind: str, field: str, link: str) -> list[str]:
        found = []
        for record in collection(req, kind).values():
            value = record.get(field)
            if value == link or (isinstance(value, list) and link in value):
                found.append(record["selfLink"])
        return found

    def insert(req: Request, kind: str, record: dict[str, Any]) -> dict[str, Any]:
        project, region, name = req.project, req.params["region"], record["name"]
        path = f"regions/{region}/{kind}/{name}"
        if name in collection(req, kind):
            raise ApiError(409, f"The resource 'projects/{project}/{path}' already exists", "alreadyExists")
        record.update(
            id=fake.new_id(),
            creationTimestamp=fake.now(),
            region=fake.link(project, f"regions/{region}"),
            selfLink=fake.link(project, path),
        )

        def effect() -> None:
            collection(req, kind)[name] = record

        return start_operation(
            fake, project=project, scope=f"regions/{region}", op_type="insert", target=path, effect=effect
        )

    def delete(req: Request, kind: str, key: str, used_by: list[str]) -> dict[str, Any]:
        record = existing(req, kind, key)
        path = path_of(record["selfLink"])
        if used_by:
            raise in_use(path, path_of(used_by[0]))
        collection(req, kind).pop(record["name"])
        return start_operation(
            fake, project=req.project, scope=f"regions/{req.params['region']}", op_type="delete", target=path
        )

    def lister(kind: str, list_kind: str) -> Any:
        def handler(req: Request) -> dict[str, Any]:
            items = filtered(sorted(collection(req, kind).values(), key=lambda r: r["name"]), req)
            return fake.page(
                [public(item) for item in items],
                req,
                kind=list_kind,
                id=f"projects/{req.project}/regions/{req.params['region']}/{kind}",
            )

        return handler

    def public(record: dict[str, Any]) -> dict[str, Any]:
        return {key: value for key, value in record.items() if not key.startswith("_")}

    # --- health checks ---------------------------------------------------------------------------

    def check_record(body: dict[str, Any]) -> dict[str, Any]:
        kind = body.get("type")
        if kind not in CHECK_BLOCKS:
            raise _invalid("resource.type", kind)
        interval, timeout = int(body.get("checkIntervalSec", 5)), int(body.get("timeoutSec", 5))
        if timeout > interval:
            raise ApiError(
                400, "Invalid value for field 'resource.timeoutSec': timeout exceeds the interval.", "invalid"
            )
        blocks = [block for block in CHECK_BLOCKS.values() if block in body]
        if blocks != [CHECK_BLOCKS[kind]]:
            raise _invalid(f"resource.{CHECK_BLOCKS[kind]}", "")
        return {
            "kind": "compute#healthCheck",
            "name": check_name(body.get("name")),
            "type": kind,
            "checkIntervalSec": interval,
            "timeoutSec": timeout,
            "healthyThreshold": int(body.get("healthyThreshold", 2)),
            "unhealthyThreshold": int(body.get("unhealthyThreshold", 2)),
            CHECK_BLOCKS[kind]: {"proxyHeader": "NONE", **body[CHECK_BLOCKS[kind]]},
        }

    def insert_check(req: Request) -> dict[str, Any]:
        return insert(req, "healthChecks", check_record(req.body))

    def update_check(req: Request) -> dict[str, Any]:
        record = existing(req, "healthChecks", "check")
        new = check_record(req.body)
        if new["name"] != record["name"]:
            raise _invalid("resource.name", new["name"])

        def effect() -> None:
            for block in CHECK_BLOCKS.values():
                record.pop(block, None)
            record.update(new)

        return start_operation(
            fake, project=req.project, scope=f"regions/{req.params['region']}", op_type="update",
            target=path_of(record["selfLink"]), effect=effect,
        )  # fmt: skip

    # --- backend services ------------------------------------------------------------------------

    def insert_backend(req: Request) -> dict[str, Any]:
        body = req.body
        scheme, protocol = body.get("loadBalancingScheme"), body.get("protocol")
        if scheme not in ("EXTERNAL", "INTERNAL"):
            raise _invalid("resource.loadBalancingScheme", scheme)
        if protocol not in ("TCP", "UDP", "UNSPECIFIED"):
            raise _invalid("resource.protocol", protocol)
        checks = [resolve(fake, req.project, link) for link in body.get("healthChecks", [])]
        known_checks = {r["selfLink"] for r in collection(req, "healthChecks").values()}
        if len(checks) != 1 or checks[0] not in known_checks:
            raise _invalid("resource.healthChecks", ",".join(checks))
        backends = []
        for item in body.get("backends", []):
            group = resolve(fake, req.project, str(item.get("group", "")))
            zone = group.split("/zones/", 1)[-1].split("/", 1)[0]
            if group.rsplit("/", 1)[-1] not in fake.collection(req.project, f"zones/{zone}/instanceGroups"):
                raise not_found(path_of(group))
            backends.append({"group": group, "balancingMode": item.get("balancingMode", "CONNECTION")})
        record = {
            "kind": "compute#backendService",
            "name": check_name(body.get("name")),
            "description": body.get("description", ""),
            "loadBalancingScheme": scheme,
            "protocol": protocol,
            "healthChecks": checks,
            "backends": backends,
            "sessionAffinity": "NONE",
            "connectionDraining": {"drainingTimeoutSec": 0},
            "fingerprint": secrets.token_urlsafe(8),
        }
        if body.get("network"):
            record["network"] = resolve(fake, req.project, body["network"])
        return insert(req, "backendServices", record)

    def patch_backend(req: Request) -> dict[str, Any]:
        record = existing(req, "backendServices", "backend")
        if req.body.get("fingerprint") not in (None, record["fingerprint"]):
            raise ApiError(412, "Supplied fingerprint does not match current metadata fingerprint.", "conditionNotMet")
        unknown = set(req.body) - {"description", "fingerprint"}
        if unknown:
            raise ApiError(400, f"The fake patches only the description, not {sorted(unknown)}.", "invalid")

        def effect() -> None:
            record.update(description=req.body.get("description", ""), fingerprint=secrets.token_urlsafe(8))

        return start_operation(
            fake, project=req.project, scope=f"regions/{req.params['region']}", op_type="patch",
            target=path_of(record["selfLink"]), effect=effect,
        )  # fmt: skip

    def backend_health(req: Request) -> dict[str, Any]:
        record = existing(req, "backendServices", "backend")
        group_link = resolve(fake, req.project, str(req.body.get("group", "")))
        if group_link not in [item["group"] for item in record["backends"]]:
            raise ApiError(
                400, f"Invalid value for field 'resource.group': '{req.body.get('group')}'. Not a backend.", "invalid"
            )
        zone = group_link.split("/zones/", 1)[-1].split("/", 1)[0]
        group = fake.collection(req.project, f"zones/{zone}/instanceGroups")[group_link.rsplit("/", 1)[-1]]
        check = collection(req, "healthChecks")[str(record["healthChecks"][0]).rsplit("/", 1)[-1]]
        block = check.get(CHECK_BLOCKS.get(str(check.get("type")), "tcpHealthCheck")) or {}
        port = int(block.get("port") or 80)

        def reachable(instance: dict[str, Any]) -> bool:
            return all(
                permits(
                    fake,
                    req.project,
                    network=instance["networkInterfaces"][0]["network"],
                    tags=list((instance.get("tags") or {}).get("items") or []),
                    direction="INGRESS",
                    protocol="tcp",
                    port=port,
                    cidr=probes,
                )
                for probes in PROBE_RANGES[str(record["loadBalancingScheme"])]
            )

        statuses = [
            {
                "healthCheck": record["healthChecks"][0],
                "instance": instance["selfLink"],
                "ipAddress": instance["networkInterfaces"][0]["networkIP"],
                "healthState": "HEALTHY" if instance["status"] == "RUNNING" and reachable(instance) else "UNHEALTHY",
            }
            for instance in members(fake, req.project, group)
        ]
        answer: dict[str, Any] = {"kind": "compute#backendServiceGroupHealth"}
        if statuses:
            answer["healthStatus"] = statuses
        return answer

    # --- addresses -------------------------------------------------------------------------------

    def insert_address(req: Request) -> dict[str, Any]:
        body = req.body
        kind = body.get("addressType", "EXTERNAL")
        record: dict[str, Any] = {
            "kind": "compute#address",
            "name": check_name(body.get("name")),
            "addressType": kind,
            "status": "RESERVED",
            "networkTier": body.get("networkTier", "PREMIUM"),
        }
        if kind == "EXTERNAL":
            record["address"] = next(public_ips)
        elif kind == "INTERNAL":
            subnet_link = resolve(fake, req.project, str(body.get("subnetwork", "")))
            subnet = collection(req, "subnetworks").get(subnet_link.rsplit("/", 1)[-1])
            if subnet is None or subnet["selfLink"] != subnet_link:
                raise not_found(path_of(subnet_link))
            taken = {a.get("address") for a in collection(req, "addresses").values()}
            net = ipaddress.IPv4Network(subnet["ipCidrRange"])
            record.update(
                subnetwork=subnet_link,
                purpose="GCE_ENDPOINT",
                address=next(
                    str(net.broadcast_address - n) for n in range(2, 256) if str(net.broadcast_address - n) not in taken
                ),
            )
            record.pop("networkTier")
        else:
            raise _invalid("resource.addressType", kind)
        return insert(req, "addresses", record)

    # --- forwarding rules ------------------------------------------------------------------------

    def insert_rule(req: Request) -> dict[str, Any]:
        body = req.body
        if body.get("labels"):
            raise ApiError(400, "Labels of a forwarding rule are set with setLabels.", "invalid")
        backend_link = resolve(fake, req.project, str(body.get("backendService", "")))
        backend = collection(req, "backendServices").get(backend_link.rsplit("/", 1)[-1])
        if backend is None or backend["selfLink"] != backend_link:
            raise not_found(path_of(backend_link))
        scheme = body.get("loadBalancingScheme", "EXTERNAL")
        if scheme != backend["loadBalancingScheme"]:
            raise _invalid("resource.loadBalancingScheme", scheme)
        if body.get("IPProtocol") != backend["protocol"]:
            raise _invalid("resource.IPProtocol", body.get("IPProtocol"))
        ports = body.get("ports") or []
        if not 1 <= len(ports) <= 5 or not all(str(p).isdigit() and 1 <= int(p) <= 65535 for p in ports):
            raise _invalid("resource.ports", ports)
        address = next(
            (a for a in collection(req, "addresses").values() if a["address"] == body.get("IPAddress")), None
        )
        if address is None or address["addressType"] != scheme:
            raise _invalid("resource.IPAddress", body.get("IPAddress"))
        if address.get("users"):
            raise in_use(path_of(address["selfLink"]), path_of(address["users"][0]))
        record: dict[str, Any] = {
            "kind": "compute#forwardingRule",
            "name": check_name(body.get("name")),
            "description": body.get("description", ""),
            "IPAddress": address["address"],
            "IPProtocol": body["IPProtocol"],
            "ports": [str(port) for port in ports],
            "backendService": backend_link,
            "loadBalancingScheme": scheme,
            "labelFingerprint": "42WmSpB8rSM=",
        }
        if scheme == "INTERNAL":
            record.update(network=resolve(fake, req.project, body["network"]), subnetwork=address["subnetwork"])
        else:
            record["networkTier"] = body.get("networkTier", "PREMIUM")
        answer = insert(req, "forwardingRules", record)
        address.update(status="IN_USE", users=[record["selfLink"]])
        return answer

    def delete_rule(req: Request) -> dict[str, Any]:
        record = existing(req, "forwardingRules", "rule")
        for address in collection(req, "addresses").values():
            if record["selfLink"] in address.get("users", []):
                address.update(status="RESERVED")
                address.pop("users")
        return delete(req, "forwardingRules", "rule", [])

    def set_rule_labels(req: Request) -> dict[str, Any]:
        record = existing(req, "forwardingRules", "rule")
        if req.body.get("labelFingerprint") != record["labelFingerprint"]:
            raise ApiError(412, "Labels fingerprint either invalid or resource labels have changed", "conditionNotMet")
        record["labels"] = dict(req.body.get("labels") or {})
        record["labelFingerprint"] = secrets.token_urlsafe(8)
        return start_operation(
            fake, project=req.project, scope=f"regions/{req.params['region']}", op_type="setLabels",
            target=path_of(record["selfLink"]),
        )  # fmt: skip

    def getter(kind: str, key: str) -> Any:
        return lambda req: public(existing(req, kind, key))

    routes: list[tuple[str, str, str, Any]] = [
        ("healthChecks", "check", "compute#healthCheckList", insert_check),
        ("backendServices", "backend", "compute#backendServiceList", insert_backend),
        ("addresses", "address", "compute#addressList", insert_address),
        ("forwardingRules", "rule", "compute#forwardingRuleList", insert_rule),
    ]
    for kind, key, list_kind, inserter in routes:
        path = f"{REGION_PATH}/{kind}"
        one = f"{path}/(?P<{key}>[^/]+)"
        fake.route("GET", COMPUTE, path, lister(kind, list_kind), query=FILTERED_LIST)
        fake.route("POST", COMPUTE, path, inserter)
        fake.route("GET", COMPUTE, one, getter(kind, key))
    check_one = f"{REGION_PATH}/healthChecks/(?P<check>[^/]+)"
    fake.route("PUT", COMPUTE, check_one, update_check)
    fake.route(
        "DELETE",
        COMPUTE,
        check_one,
        lambda req: delete(
            req,
            "healthChecks",
            "check",
            users(req, "backendServices", "healthChecks", existing(req, "healthChecks", "check")["selfLink"]),
        ),
    )
    backend_one = f"{REGION_PATH}/backendServices/(?P<backend>[^/]+)"
    fake.route("PATCH", COMPUTE, backend_one, patch_backend)
    fake.route("POST", COMPUTE, f"{backend_one}/getHealth", backend_health)
    fake.route(
        "DELETE",
        COMPUTE,
        backend_one,
        lambda req: delete(
            req,
            "backendServices",
            "backend",
            users(req, "forwardingRules", "backendService", existing(req, "backendServices", "backend")["selfLink"]),
        ),
    )
    address_one = f"{REGION_PATH}/addresses/(?P<address>[^/]+)"
    fake.route(
        "DELETE",
        COMPUTE,
        address_one,
        lambda req: delete(req, "addresses", "address", list(existing(req, "addresses", "address").get("users", []))),
    )
    rule_one = f"{REGION_PATH}/forwardingRules/(?P<rule>[^/]+)"
    fake.route("DELETE", COMPUTE, rule_one, delete_rule)
    fake.route("POST", COMPUTE, f"{rule_one}/setLabels", set_rule_labels)
