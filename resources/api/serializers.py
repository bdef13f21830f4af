"""Input shapes of the resource API (snake_case; extend, don't rename) and output shapes for the docs."""

from __future__ import annotations

from rest_framework import serializers

from connections.api.serializers import StrictSerializer, name_field
from resources.services.vm import CONTROLS

TAGS_HELP = "Key/value tags set at creation."


def tags_field() -> serializers.DictField:
    return serializers.DictField(
        child=serializers.CharField(max_length=256, allow_blank=True), required=False, default=dict, help_text=TAGS_HELP
    )


class SubnetIn(StrictSerializer):
    name = name_field()
    ipv4_cidr = serializers.CharField(max_length=43, help_text="e.g. 192.168.1.0/24, inside the VPC's block.")
    zone = serializers.CharField(
        max_length=100, required=False, allow_blank=True, default="", help_text="Empty: the connection's zone."
    )
    tags = tags_field()


class VPCIn(StrictSerializer):
    name = name_field()
    ipv4_cidr = serializers.CharField(max_length=43, help_text="e.g. 192.168.0.0/16")
    subnets = SubnetIn(many=True, required=False, default=list)
    tags = tags_field()


class RuleIn(StrictSerializer):
    direction = serializers.ChoiceField(choices=["inbound", "outbound"])
    protocol = serializers.ChoiceField(choices=["TCP", "UDP", "ICMP", "ALL"])
    from_port = serializers.IntegerField(
        min_value=-1, max_value=65535, required=False, default=-1, help_text="-1: any (ICMP and ALL)."
    )
    to_port = serializers.IntegerField(min_value=-1, max_value=65535, required=False, default=-1)
    cidr = serializers.CharField(max_length=43, required=False, default="0.0.0.0/0")

    def to_internal_value(self, data: object) -> object:
        if isinstance(data, dict) and isinstance(data.get("protocol"), str):
            data = {**data, "protocol": data["protocol"].upper()}
        if isinstance(data, dict) and isinstance(data.get("direction"), str):
            data = {**data, "direction": data["direction"].lower()}
        value = super().to_internal_value(data)
        assert isinstance(value, dict)
        if value["from_port"] > value["to_port"]:
            raise serializers.ValidationError({"to_port": [f"must not be below from_port ({value['from_port']})."]})
        return value


class SecurityGroupIn(StrictSerializer):
    name = name_field()
    vpc = serializers.CharField(max_length=100, help_text="The VPC's name in this connection.")
    rules = RuleIn(many=True, required=False, default=list)
    tags = tags_field()


class RulesIn(StrictSerializer):
    rules = RuleIn(many=True, allow_empty=False)


class KeyPairIn(StrictSerializer):
    name = name_field()
    tags = tags_field()


class VMIn(StrictSerializer):
    name = name_field()
    image = serializers.CharField(
        max_length=255,
        help_text="A public image of the connection (see images/), or "
        "with `image_type` `my_image` the name of one of its machine images.",
    )
    image_type = serializers.ChoiceField(choices=["public_image", "my_image"], required=False, default="public_image")
    spec = serializers.CharField(max_length=255, help_text="A VM spec name of the connection (see specs/).")
    vpc = serializers.CharField(max_length=100)
    subnet = serializers.CharField(max_length=100)
    data_disks = serializers.ListField(
        child=serializers.CharField(max_length=100),
        required=False,
        default=list,
        help_text="Names of available disks to attach at start.",
    )
    security_groups = serializers.ListField(child=serializers.CharField(max_length=100), required=False, default=list)
    key_pair = serializers.CharField(max_length=100, required=False, allow_blank=True, default="")
    root_disk_type = serializers.CharField(max_length=64, required=False, allow_blank=True, default="")
    root_disk_size_gb = serializers.IntegerField(min_value=0, max_value=65536, required=False, default=0)
    vm_user_password = serializers.CharField(
        max_length=128,
        required=False,
        allow_blank=True,
        default="",
        write_only=True,
        help_text="Only for images without a key pair login.",
    )
    tags = tags_field()


class VMActionIn(StrictSerializer):
    action = serializers.ChoiceField(choices=list(CONTROLS))


class RegisterIn(StrictSerializer):
    name = name_field()
    system_id = serializers.CharField(max_length=255, help_text="The cloud's own id of the object to adopt.")


# --- outputs (documentation of the answers) -----------------------------------------------------------


class ResourceOut(serializers.Serializer):
    name = serializers.CharField()
    system_id = serializers.CharField()
    connection = serializers.CharField()
    cloud_name = serializers.CharField(help_text="The name Spiderweb gave the object at the cloud.")
    status = serializers.CharField()
    lifecycle = serializers.ChoiceField(choices=["creating", "ready", "deleting", "failed"])
    managed = serializers.BooleanField()
    region = serializers.CharField()
    zone = serializers.CharField()
    tags = serializers.DictField(child=serializers.CharField())
    extra = serializers.DictField(child=serializers.CharField())
    created_at = serializers.DateTimeField()
    last_seen_at = serializers.DateTimeField(allow_null=True)
    missing_since = serializers.DateTimeField(allow_null=True)


class SubnetOut(serializers.Serializer):
    name = serializers.CharField()
    system_id = serializers.CharField()
    ipv4_cidr = serializers.CharField()
    zone = serializers.CharField()
    lifecycle = serializers.CharField()
    status = serializers.CharField(help_text="`NotExist` once the subnet is gone at the cloud.")
    missing_since = serializers.DateTimeField(allow_null=True)
    tags = serializers.DictField(child=serializers.CharField())


class VPCOut(ResourceOut):
    ipv4_cidr = serializers.CharField()
    subnets = SubnetOut(many=True)


class SubnetRecordOut(ResourceOut):
    """A subnet as a record of its own (inventory and resource pages); in a VPC's answer it is a `SubnetOut`."""

    vpc = serializers.CharField(help_text="The VPC's name; empty when Spiderweb does not know it.")
    ipv4_cidr = serializers.CharField()


class RuleOut(serializers.Serializer):
    direction = serializers.CharField()
    protocol = serializers.CharField()
    from_port = serializers.IntegerField()
    to_port = serializers.IntegerField()
    cidr = serializers.CharField()


class SecurityGroupOut(ResourceOut):
    vpc = serializers.CharField()
    rules = RuleOut(many=True)


class KeyPairOut(ResourceOut):
    fingerprint = serializers.CharField()
    public_key = serializers.CharField()
    vm_user_id = serializers.CharField()
    private_key = serializers.CharField(required=False, help_text="Only in the answer to create, once.")


class VMOut(ResourceOut):
    image = serializers.CharField()
    image_type = serializers.CharField()
    spec = serializers.CharField()
    vpc = serializers.CharField()
    subnet = serializers.CharField()
    security_groups = serializers.ListField(child=serializers.CharField())
    key_pair = serializers.CharField()
    data_disks = serializers.ListField(child=serializers.CharField())
    root_disk_type = serializers.CharField()
    root_disk_size_gb = serializers.IntegerField()
    platform = serializers.CharField()
    vm_user_id = serializers.CharField()
    public_ip = serializers.CharField()
    private_ip = serializers.CharField()
    ssh_access_point = serializers.CharField()
    start_time = serializers.DateTimeField(allow_null=True)


class DiskOut(ResourceOut):
    disk_type = serializers.CharField()
    size_gb = serializers.IntegerField()
    attached_to = serializers.CharField(help_text="The VM's name; empty when the disk is not attached.")


class MyImageOut(ResourceOut):
    source_vm = serializers.CharField(help_text="The VM the image was taken from.")


class VMStatusOut(serializers.Serializer):
    name = serializers.CharField()
    system_id = serializers.CharField()
    status = serializers.ChoiceField(
        choices=[
            "Creating",
            "Running",
            "Suspending",
            "Suspended",
            "Resuming",
            "Rebooting",
            "Terminating",
            "Terminated",
            "Failed",
            "NotExist",
        ]
    )


class VMActionOut(VMStatusOut):
    action = serializers.CharField()


class DeletedOut(serializers.Serializer):
    name = serializers.CharField()
    system_id = serializers.CharField()
    deleted = serializers.BooleanField()


class TerminatedOut(DeletedOut):
    status = serializers.CharField(help_text="The VM's last status at the cloud, e.g. `Terminated`.")


class ErrorDetailOut(serializers.Serializer):
    code = serializers.CharField()
    message = serializers.CharField()
    field = serializers.CharField()


class ProgressOut(serializers.Serializer):
    total = serializers.IntegerField()
    done = serializers.IntegerField()
    failed = serializers.IntegerField()


class OperationOut(serializers.Serializer):
    id = serializers.UUIDField()
    url = serializers.CharField()
    action = serializers.CharField()
    state = serializers.ChoiceField(choices=["pending", "running", "succeeded", "failed"])
    connection = serializers.CharField()
    target_kind = serializers.CharField()
    target_name = serializers.CharField()
    user = serializers.CharField(allow_null=True)
    attempts = serializers.IntegerField()
    progress = ProgressOut(help_text="For work made of many steps, such as an inventory refresh.")
    created_at = serializers.DateTimeField()
    started_at = serializers.DateTimeField(allow_null=True)
    finished_at = serializers.DateTimeField(allow_null=True)
    duration_ms = serializers.IntegerField(allow_null=True)
    error = ErrorDetailOut(allow_null=True)
    result = serializers.DictField()


class RefreshFailureOut(serializers.Serializer):
    connection = serializers.CharField()
    kind = serializers.CharField()
    code = serializers.CharField()
    message = serializers.CharField()


class RefreshResultOut(serializers.Serializer):
    """What a finished refresh found: every (connection, kind) listed, and the ones that failed with why."""

    total = serializers.IntegerField()
    succeeded = serializers.IntegerField()
    failed = serializers.IntegerField()
    failures = RefreshFailureOut(many=True, help_text="At most 200, by connection and kind.")


class ReconcileOut(serializers.Serializer):
    managed = serializers.ListField(child=serializers.DictField())
    only_in_spiderweb = serializers.ListField(child=serializers.DictField())
    only_at_cloud = serializers.ListField(child=serializers.DictField())


class DiskIn(StrictSerializer):
    name = name_field()
    zone = serializers.CharField(
        max_length=100, required=False, allow_blank=True, default="", help_text="Empty: the connection's zone."
    )
    disk_type = serializers.CharField(
        max_length=64, required=False, allow_blank=True, default="", help_text="Empty: the cloud's default type."
    )
    size_gb = serializers.IntegerField(
        min_value=0, max_value=65536, required=False, default=0, help_text="0: the type's default size."
    )
    tags = tags_field()


class DiskResizeIn(StrictSerializer):
    size_gb = serializers.IntegerField(min_value=1, max_value=65536, help_text="Larger than now: disks only grow.")


class DiskAttachIn(StrictSerializer):
    vm = serializers.CharField(max_length=100, help_text="The VM's name in this connection.")


class MyImageIn(StrictSerializer):
    name = name_field()
    source_vm = serializers.CharField(max_length=100, help_text="The VM to snapshot.")
    tags = tags_field()


class ListenerIn(StrictSerializer):
    protocol = serializers.ChoiceField(choices=["TCP", "UDP"])
    port = serializers.IntegerField(min_value=1, max_value=65535)


class VMGroupIn(StrictSerializer):
    protocol = serializers.ChoiceField(choices=["TCP", "UDP"])
    port = serializers.IntegerField(min_value=1, max_value=65535)
    vms = serializers.ListField(child=serializers.CharField(max_length=100), required=False, default=list)


class VMGroupChangeIn(StrictSerializer):
    protocol = serializers.ChoiceField(choices=["TCP", "UDP"])
    port = serializers.IntegerField(min_value=1, max_value=65535)


class HealthCheckerIn(StrictSerializer):
    protocol = serializers.ChoiceField(choices=["TCP", "HTTP", "HTTPS"])
    port = serializers.IntegerField(min_value=1, max_value=65535)
    interval_s = serializers.IntegerField(min_value=1, max_value=3600, required=False, default=10)
    timeout_s = serializers.IntegerField(min_value=1, max_value=3600, required=False, default=10)
    threshold = serializers.IntegerField(min_value=1, max_value=100, required=False, default=3)


class NLBIn(StrictSerializer):
    name = name_field()
    vpc = serializers.CharField(max_length=100)
    type = serializers.ChoiceField(choices=["PUBLIC", "INTERNAL"], required=False, default="PUBLIC")
    scope = serializers.ChoiceField(choices=["REGION", "GLOBAL"], required=False, default="REGION")
    listener = ListenerIn()
    vm_group = VMGroupIn()
    health_checker = HealthCheckerIn()
    tags = tags_field()


class NLBVMsIn(StrictSerializer):
    vms = serializers.ListField(child=serializers.CharField(max_length=100), allow_empty=False)


class NLBOut(ResourceOut):
    vpc = serializers.CharField()
    type = serializers.CharField()
    scope = serializers.CharField()
    listener = serializers.DictField()
    vm_group = serializers.DictField()
    health_checker = serializers.DictField()


class NLBHealthOut(serializers.Serializer):
    name = serializers.CharField()
    system_id = serializers.CharField()
    all = serializers.ListField(child=serializers.CharField())
    healthy = serializers.ListField(child=serializers.CharField())
    unhealthy = serializers.ListField(child=serializers.CharField())


class NodeGroupOut(serializers.Serializer):
    name = serializers.CharField()
    system_id = serializers.CharField()
    status = serializers.CharField()
    spec = serializers.CharField()
    key_pair = serializers.CharField()
    on_auto_scaling = serializers.BooleanField()
    min_node_size = serializers.IntegerField()
    desired_node_size = serializers.IntegerField()
    max_node_size = serializers.IntegerField()
    nodes = serializers.IntegerField()


class ClusterOut(ResourceOut):
    version = serializers.CharField()
    vpc = serializers.CharField()
    subnets = serializers.ListField(child=serializers.CharField())
    security_groups = serializers.ListField(child=serializers.CharField())
    node_groups = NodeGroupOut(many=True)
    endpoint = serializers.CharField()


class NodeGroupIn(StrictSerializer):
    name = name_field()
    image = serializers.CharField(
        max_length=255,
        required=False,
        allow_blank=True,
        default="",
        help_text="Empty: the cluster's default node image.",
    )
    spec = serializers.CharField(max_length=255)
    key_pair = serializers.CharField(max_length=100)
    root_disk_type = serializers.CharField(max_length=64, required=False, allow_blank=True, default="")
    root_disk_size_gb = serializers.IntegerField(min_value=0, max_value=65536, required=False, default=0)
    on_auto_scaling = serializers.BooleanField(required=False, default=True)
    min_node_size = serializers.IntegerField(min_value=0, max_value=1000, required=False, default=1)
    desired_node_size = serializers.IntegerField(min_value=0, max_value=1000, required=False, default=1)
    max_node_size = serializers.IntegerField(min_value=0, max_value=1000, required=False, default=1)


class ClusterIn(StrictSerializer):
    name = name_field()
    vpc = serializers.CharField(max_length=100)
    version = serializers.CharField(
        max_length=32,
        required=False,
        allow_blank=True,
        default="",
        help_text="Empty: the cloud's default Kubernetes version.",
    )
    subnets = serializers.ListField(child=serializers.CharField(max_length=100), required=False, default=list)
    security_groups = serializers.ListField(child=serializers.CharField(max_length=100), required=False, default=list)
    node_groups = NodeGroupIn(many=True, required=False, default=list)
    tags = tags_field()


class AutoscalingIn(StrictSerializer):
    on = serializers.BooleanField()


class NodeGroupSizeIn(StrictSerializer):
    min_node_size = serializers.IntegerField(min_value=0, max_value=1000)
    desired_node_size = serializers.IntegerField(min_value=0, max_value=1000)
    max_node_size = serializers.IntegerField(min_value=0, max_value=1000)


class UpgradeIn(StrictSerializer):
    version = serializers.CharField(max_length=32)


class KubeconfigOut(serializers.Serializer):
    name = serializers.CharField()
    system_id = serializers.CharField()
    endpoint = serializers.CharField()
    kubeconfig = serializers.CharField()


class TagsOut(serializers.Serializer):
    name = serializers.CharField()
    system_id = serializers.CharField()
    kind = serializers.CharField()
    tags = serializers.DictField(child=serializers.CharField())


class TagOut(serializers.Serializer):
    key = serializers.CharField()
    value = serializers.CharField()


class TagMatchOut(serializers.Serializer):
    kind = serializers.CharField()
    name = serializers.CharField()
    system_id = serializers.CharField()
    cloud_name = serializers.CharField()
    tags = serializers.DictField(child=serializers.CharField())


class AnyCallOut(serializers.Serializer):
    fid = serializers.CharField()
    params = serializers.DictField(child=serializers.CharField())
    result = serializers.DictField(child=serializers.CharField())


class MetricPointOut(serializers.Serializer):
    timestamp = serializers.DateTimeField()
    value = serializers.FloatField()


class MetricOut(serializers.Serializer):
    name = serializers.CharField()
    system_id = serializers.CharField()
    metric = serializers.CharField()
    unit = serializers.CharField()
    interval_minutes = serializers.IntegerField()
    period_hours = serializers.IntegerField()
    points = MetricPointOut(many=True)


class DestroyedOut(serializers.Serializer):
    kind = serializers.CharField()
    name = serializers.CharField()
    system_id = serializers.CharField()


class RemainedOut(DestroyedOut):
    reason = serializers.CharField()


class DestroyOut(serializers.Serializer):
    connection = serializers.CharField()
    deleted = DestroyedOut(many=True)
    remained = RemainedOut(many=True)


class UnregisteredOut(serializers.Serializer):
    name = serializers.CharField()
    system_id = serializers.CharField()
    unregistered = serializers.BooleanField()
