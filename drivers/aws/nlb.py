"""Network load balancers on ELBv2: a `network` load balancer, one listener, one target group.

The NLB's IID is its name and ARN; its subnets are one per zone of its VPC. The VM group is a
target group of instances named from the NLB, its protocol and port (`target_group_name`) and
tagged like it; it is found through the listener's forward action. AWS keeps no registration
order, so the group's VMs are listed by name, then id. A VM that is terminated, or deregistered
and draining, is no longer listed. A target group cannot change its port or protocol, so a new
VM group is a new target group the listener is moved to.
"""

from __future__ import annotations

import contextlib
import time
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any, cast

from drivers.aws._common import check_tags, name_of, read_after_write, user_tags
from drivers.aws._errors import translate
from drivers.aws._nlb_convert import (
    NAME_PATTERN,
    SCHEMES,
    aws_tags,
    check_nlb_name,
    check_same_protocol,
    check_traffic,
    copied_health,
    forwarded_group,
    health_info,
    health_params,
    instance_iid,
    main_listener,
    members,
    name_from_arn,
    one_subnet_per_zone,
    owned_by,
    target_group_name,
)
from drivers.aws._nlb_read import (
    all_load_balancers,
    all_target_groups,
    find_load_balancer,
    listeners_of,
    read_infos,
    tags_of,
    targets_and_instances,
)
from drivers.aws._session import AWSClients
from drivers.aws.vm import AWSVMHandler
from drivers.aws.vpc import get_vpc_record, subnets_of
from drivers.errors import (
    AlreadyExistsError,
    DependencyError,
    DriverError,
    InvalidRequestError,
    InvalidStateError,
    NotFoundError,
)
from drivers.types import IID, HealthCheckerInfo, HealthInfo, ListenerInfo, NLBInfo, NLBReqInfo, VMGroupInfo

if TYPE_CHECKING:
    from mypy_boto3_ec2 import EC2Client
    from mypy_boto3_elbv2 import ElasticLoadBalancingv2Client

UNSUPPORTED: frozenset[str] = frozenset()
NOTES: Mapping[str, str] = {
    "nlb": "AWS network load balancers are regional (scope GLOBAL is refused); the listener and the VM "
    "group use the same protocol (TCP or UDP). A VM joining the group is healthy once it passes a few health checks.",
}

# A target group counts as in use for a moment after the listener or load balancer using it is deleted.
IN_USE_DELAYS = (0.5, 1.0, 2.0, 4.0)


def nlb_arn(clients: AWSClients, iid: IID) -> tuple[IID, str]:
    """The NLB's full IID and its ARN; `NotFoundError` when there is no such NLB."""
    lb = find_load_balancer(clients.elbv2(), iid)
    if lb is None:
        raise NotFoundError(f"Load balancer '{iid.system_id or iid.name_id}' does not exist.")
    arn = str(lb["LoadBalancerArn"])
    return IID(name_id=str(lb["LoadBalancerName"]), system_id=arn), arn


def list_nlb_iids(clients: AWSClients) -> list[tuple[IID, str]]:
    """Every network load balancer of the region as (IID, ARN), by name."""
    arns = [(str(lb["LoadBalancerName"]), str(lb["LoadBalancerArn"])) for lb in all_load_balancers(clients.elbv2())]
    return [(IID(name_id=name, system_id=arn), arn) for name, arn in sorted(arns)]


class AWSNLBHandler:
    def __init__(self, clients: AWSClients) -> None:
        self._clients = clients

    @property
    def _elb(self) -> ElasticLoadBalancingv2Client:
        return self._clients.elbv2()

    @property
    def _ec2(self) -> EC2Client:
        return self._clients.ec2()

    def create_nlb(self, *, req: NLBReqInfo) -> NLBInfo:
        name = check_nlb_name(req.name)
        if req.type not in SCHEMES:
            raise InvalidRequestError(f"Load balancer type {req.type!r} must be PUBLIC or INTERNAL.", field="type")
        if req.scope != "REGION":
            raise InvalidRequestError("AWS network load balancers are regional: scope must be REGION.", field="scope")
        listener = check_traffic(req.listener.protocol, req.listener.port, field="listener", what="Listener")
        group = check_traffic(req.vm_group.protocol, req.vm_group.port, field="vm_group", what="VM group")
        check_same_protocol(listener[0], group[0], field="vm_group.protocol")
        health = health_params(req.health_checker)
        tags = check_tags(req.tags)
        existing = find_load_balancer(self._elb, IID(name_id=name), network_only=False)
        if existing is not None:
            raise AlreadyExistsError(
                f"A load balancer named '{name}' already exists ({existing.get('Type', '')}).", field="name"
            )
        # Everything the NLB refers to is looked up first, so a missing one is named by its field.
        vpc = get_vpc_record(self._ec2, req.vpc_iid, field="vpc_iid")
        vpc_id = str(vpc["VpcId"])
        instance_ids = self._vm_ids(vpc_id, req.vm_group.vm_iids, field="vm_group.vm_iids")
        subnets = one_subnet_per_zone(subnets_of(self._ec2, vpc_id))
        if not subnets:
            raise InvalidRequestError(f"VPC '{name_of(vpc.get('Tags'), vpc_id)}' has no subnet.", field="vpc_iid")
        self._sweep(name, keep="")
        with translate(field="name"):
            lb = self._elb.create_load_balancer(
                Name=name,
                Subnets=subnets,
                Scheme=cast(Any, SCHEMES[req.type]),
                Type="network",
                Tags=aws_tags(name, tags),
            )["LoadBalancers"][0]
        arn = str(lb["LoadBalancerArn"])
        made: list[str] = []
        try:
            made.append(self._create_group(name, vpc_id, group, health, tags))
            with translate(field="listener"):
                self._elb.create_listener(
                    LoadBalancerArn=arn,
                    Protocol=cast(Any, listener[0]),
                    Port=listener[1],
                    DefaultActions=[{"Type": "forward", "TargetGroupArn": made[0]}],
                )
            self._register(made[0], instance_ids, field="vm_group.vm_iids")
        except DriverError:
            # Nothing half-made stays behind: the caller sees the first error and no NLB.
            with contextlib.suppress(DriverError):
                self._teardown(arn, made)
            raise
        return read_after_write(lambda: self.get_nlb(iid=IID(name_id=name, system_id=arn)))

    def list_nlbs(self) -> list[NLBInfo]:
        infos = self._infos(all_load_balancers(self._elb))
        return sorted(infos, key=lambda info: (info.iid.name_id, info.iid.system_id))

    def get_nlb(self, *, iid: IID) -> NLBInfo:
        return self._infos([self._get(iid)])[0]

    def delete_nlb(self, *, iid: IID) -> None:
        lb = find_load_balancer(self._elb, iid)
        if lb is None:
            # A delete cut short may have left target groups behind; a retry clears them.
            name = name_from_arn(iid.system_id) if iid.system_id else iid.name_id
            if NAME_PATTERN.match(name):
                self._sweep(name, keep="")
            return
        arn = str(lb["LoadBalancerArn"])
        listeners = listeners_of(self._elb, arn)
        with translate():
            for listener in listeners:
                with contextlib.suppress(self._elb.exceptions.ListenerNotFoundException):
                    self._elb.delete_listener(ListenerArn=str(listener["ListenerArn"]))
        self._teardown(arn, [group for group in map(forwarded_group, listeners) if group])
        self._sweep(str(lb["LoadBalancerName"]), keep=arn)

    def add_vms(self, *, nlb_iid: IID, vm_iids: Sequence[IID]) -> NLBInfo:
        """Add VMs to the group; one already in it stays as it is (idempotent)."""
        lb = self._get(nlb_iid, field="nlb_iid")
        instance_ids = self._vm_ids(str(lb["VpcId"]), vm_iids, field="vm_iids")
        self._register(self._group_arn(lb), instance_ids, field="vm_iids")
        return self._infos([lb])[0]

    def remove_vms(self, *, nlb_iid: IID, vm_iids: Sequence[IID]) -> NLBInfo:
        """Remove VMs from the group; one not in it (or gone) is ignored (idempotent)."""
        lb = self._get(nlb_iid, field="nlb_iid")
        group_arn = self._group_arn(lb)
        current = members(*targets_and_instances(self._elb, self._ec2, group_arn))
        leaving = [vm.system_id for vm, _ in current if any(_names(vm, iid) for iid in vm_iids)]
        if leaving:
            with translate(field="vm_iids"):
                self._elb.deregister_targets(TargetGroupArn=group_arn, Targets=[{"Id": i} for i in leaving])
        return self._infos([lb])[0]

    def change_listener(self, *, nlb_iid: IID, listener: ListenerInfo) -> NLBInfo:
        """Change the listener's protocol and port; its DNS name stays."""
        protocol, port = check_traffic(listener.protocol, listener.port, field="listener", what="Listener")
        lb = self._get(nlb_iid, field="nlb_iid")
        current = self._listener(lb)
        group = self._group(self._group_arn(lb, current))
        check_same_protocol(protocol, str(group.get("Protocol", "")), field="listener.protocol")
        if (current.get("Protocol"), current.get("Port")) != (protocol, port):
            with translate(field="listener"):
                self._elb.modify_listener(
                    ListenerArn=str(current["ListenerArn"]), Protocol=cast(Any, protocol), Port=port
                )
        return self._infos([lb])[0]

    def change_vm_group(self, *, nlb_iid: IID, vm_group: VMGroupInfo) -> NLBInfo:
        """Change the group's protocol and port. Its VMs change through add_vms/remove_vms: `vm_iids`
        must be empty or name the current members.

        The listener moves to a new target group with the old one's health check and VMs, and the
        old group is deleted."""
        protocol, port = check_traffic(vm_group.protocol, vm_group.port, field="vm_group", what="VM group")
        lb = self._get(nlb_iid, field="nlb_iid")
        listener = self._listener(lb)
        check_same_protocol(str(listener.get("Protocol", "")), protocol, field="vm_group.protocol")
        old = self._group(self._group_arn(lb, listener))
        old_arn = str(old["TargetGroupArn"])
        current = [vm.system_id for vm, _ in members(*targets_and_instances(self._elb, self._ec2, old_arn))]
        if vm_group.vm_iids:
            asked = self._vm_ids(str(lb["VpcId"]), vm_group.vm_iids, field="vm_group.vm_iids")
            if set(asked) != set(current):
                raise InvalidRequestError(
                    "Changing a VM group keeps its VMs; use add_vms / remove_vms to change them.",
                    field="vm_group.vm_iids",
                )
        if (old.get("Protocol"), old.get("Port")) == (protocol, port):
            return self._infos([lb])[0]
        name, lb_arn = str(lb["LoadBalancerName"]), str(lb["LoadBalancerArn"])
        tags = user_tags(tags_of(self._elb, [lb_arn]).get(lb_arn))
        new = self._create_group(name, str(lb["VpcId"]), (protocol, port), copied_health(old), tags)
        try:
            self._register(new, current, field="vm_group")
            with translate(field="vm_group"):
                self._elb.modify_listener(
                    ListenerArn=str(listener["ListenerArn"]),
                    DefaultActions=[{"Type": "forward", "TargetGroupArn": new}],
                )
        except DriverError:
            with contextlib.suppress(DriverError):
                self._delete_group(new)
            raise
        # The change is made once the listener forwards to the new group; an old group that AWS does
        # not let go yet is swept by delete_nlb.
        with contextlib.suppress(DriverError):
            self._delete_group(old_arn)
        return self._infos([lb])[0]

    def change_health_checker(self, *, nlb_iid: IID, health_checker: HealthCheckerInfo) -> NLBInfo:
        params = health_params(health_checker)
        lb = self._get(nlb_iid, field="nlb_iid")
        with translate(field="health_checker"):
            self._elb.modify_target_group(TargetGroupArn=self._group_arn(lb), **params)
        return self._infos([lb])[0]

    def get_health(self, *, nlb_iid: IID) -> HealthInfo:
        lb = self._get(nlb_iid, field="nlb_iid")
        return health_info(*targets_and_instances(self._elb, self._ec2, self._group_arn(lb)))

    # --- lookups ---------------------------------------------------------------------------------

    def _infos(self, lbs: Sequence[Mapping[str, Any]]) -> list[NLBInfo]:
        return read_infos(self._elb, self._ec2, lbs)

    def _get(self, iid: IID, *, field: str = "") -> dict[str, Any]:
        lb = find_load_balancer(self._elb, iid)
        if lb is None:
            raise NotFoundError(f"Load balancer '{iid.system_id or iid.name_id}' does not exist.", field=field)
        return lb

    def _listener(self, lb: Mapping[str, Any]) -> dict[str, Any]:
        listener = main_listener(listeners_of(self._elb, str(lb["LoadBalancerArn"])))
        if listener is None:
            raise InvalidStateError(f"Load balancer '{lb['LoadBalancerName']}' has no listener.", field="nlb_iid")
        return dict(listener)

    def _group_arn(self, lb: Mapping[str, Any], listener: Mapping[str, Any] | None = None) -> str:
        arn = forwarded_group(listener if listener is not None else self._listener(lb))
        if not arn:
            raise InvalidStateError(
                f"The listener of load balancer '{lb['LoadBalancerName']}' forwards to no VM group.", field="nlb_iid"
            )
        return arn

    def _group(self, arn: str) -> dict[str, Any]:
        with translate(field="nlb_iid"):
            return dict(self._elb.describe_target_groups(TargetGroupArns=[arn])["TargetGroups"][0])

    def _vm_ids(self, vpc_id: str, iids: Sequence[IID], *, field: str) -> list[str]:
        """The instance ids of `iids`, which must be live VMs of the NLB's VPC; duplicates collapse."""
        vms, ids = AWSVMHandler(self._clients), []
        for index, iid in enumerate(iids):
            where = f"{field}[{index}]"
            try:
                instance = vms.instance(iid)
            except NotFoundError as exc:
                raise NotFoundError(exc.message, provider_message=exc.provider_message, field=where) from exc
            vm = instance_iid(instance)
            if str(instance.get("State", {}).get("Name", "")) in ("shutting-down", "terminated"):
                raise InvalidStateError(
                    f"VM '{vm.name_id}' is terminated: it cannot join a load balancer.", field=where
                )
            if str(instance.get("VpcId", "")) != vpc_id:
                raise InvalidRequestError(f"VM '{vm.name_id}' is in another VPC than the load balancer.", field=where)
            if vm.system_id not in ids:
                ids.append(vm.system_id)
        return ids

    # --- changes ---------------------------------------------------------------------------------

    def _create_group(
        self, name: str, vpc_id: str, traffic: tuple[str, int], health: Mapping[str, Any], tags: Mapping[str, str]
    ) -> str:
        protocol, port = traffic
        with translate(field="vm_group"):
            group = self._elb.create_target_group(
                Name=target_group_name(name, protocol, port),
                Protocol=cast(Any, protocol),
                Port=port,
                VpcId=vpc_id,
                TargetType="instance",
                Tags=aws_tags(name, tags),
                **health,
            )["TargetGroups"][0]
        return str(group["TargetGroupArn"])

    def _register(self, group_arn: str, instance_ids: Sequence[str], *, field: str) -> None:
        if instance_ids:
            with translate(field=field):
                self._elb.register_targets(TargetGroupArn=group_arn, Targets=[{"Id": i} for i in instance_ids])

    def _teardown(self, lb_arn: str, group_arns: Sequence[str]) -> None:
        """Delete the load balancer (its listeners go with it), then its target groups."""
        with translate():
            self._elb.delete_load_balancer(LoadBalancerArn=lb_arn)
        for arn in group_arns:
            self._delete_group(arn)

    def _delete_group(self, arn: str) -> None:
        """Delete a target group, waiting while AWS still counts it in use; absent counts as deleted."""
        for delay in (*IN_USE_DELAYS, None):
            try:
                with translate():
                    self._elb.delete_target_group(TargetGroupArn=arn)
                return
            except NotFoundError:
                return
            except DependencyError:
                if delay is None:
                    raise
                time.sleep(delay)

    def _sweep(self, nlb_name: str, *, keep: str) -> None:
        """Delete the target groups named for this NLB that no load balancer but `keep` uses (left by
        a create or delete cut short); their Name tag must say so too, so no one else's group goes."""
        stale = [
            str(group["TargetGroupArn"])
            for group in all_target_groups(self._elb)
            if owned_by(group, nlb_name) and set(group.get("LoadBalancerArns", [])) <= {keep}
        ]
        for arn, tags in tags_of(self._elb, stale).items():
            if name_of(tags, "") == nlb_name:
                self._delete_group(arn)


def _names(member: IID, iid: IID) -> bool:
    """Whether `iid` names the group member `member`: by id when it has one, else by name or id."""
    if iid.system_id:
        return iid.system_id == member.system_id
    return iid.name_id in (member.name_id, member.system_id)
