"""The built-in kinds. To add one, declare it here (see docs/adding-a-kind.md)."""

from __future__ import annotations

from resources.kinds.spec import DriverCalls, KindSpec, Reference

SERVICES = "resources.services"
PRESENT = "resources.selectors"
OUT = "resources.api.serializers"
SUMMARY = "resources.views.summaries"
CREATE = "resources.views"


def _register(spec: KindSpec) -> None:
    from resources.kinds import register

    register(spec)


_register(
    KindSpec(
        name="vpc",
        segment="vpcs",
        label="VPC",
        noun="VPC",
        plural="VPCs",
        menu="VPCs",
        family="vpc",
        driver=DriverCalls("vpc", get="get_vpc", list="list_vpcs", delete="delete_vpc"),
        service=f"{SERVICES}.vpc",
        apply="apply_vpc",
        presenter=f"{PRESENT}:present_vpc",
        summary=f"{SUMMARY}:vpc",
        serializer=f"{OUT}:VPCOut",
        delete_service="vpc_delete",
        api_routes="resources.api.network:VPC_ROUTES",
        create_page=f"{CREATE}.create_network:vpc_form",
        destroy_stage=6,
        adoptable=True,
    )
)
_register(
    KindSpec(
        name="subnet",
        segment="subnets",
        label="Subnet",
        noun="subnet",
        plural="subnets",
        menu="Subnets",
        family="vpc",
        part_of="vpc",
        presenter=f"{PRESENT}:present_subnet",
        summary=f"{SUMMARY}:subnet",
        serializer=f"{OUT}:SubnetRecordOut",
        service=f"{SERVICES}.vpc",
        delete_service="subnet_delete",
        create_page=f"{CREATE}.create_network:subnet_form",
    )
)
_register(
    KindSpec(
        name="security_group",
        segment="security-groups",
        label="Security group",
        noun="security group",
        plural="security groups",
        menu="Security groups",
        family="security_group",
        driver=DriverCalls(
            "security_group", get="get_security_group", list="list_security_groups", delete="delete_security_group"
        ),
        service=f"{SERVICES}.security_group",
        apply="apply_security_group",
        presenter=f"{PRESENT}:present_security_group",
        summary=f"{SUMMARY}:security_group",
        serializer=f"{OUT}:SecurityGroupOut",
        delete_service="security_group_delete",
        api_routes="resources.api.network:SECURITY_GROUP_ROUTES",
        create_page=f"{CREATE}.create_network:security_group_form",
        references=(Reference("vpc_iid", "vpc"),),
        in_vpc=True,
        destroy_stage=5,
        adoptable=True,
    )
)
_register(
    KindSpec(
        name="key_pair",
        segment="key-pairs",
        label="Key pair",
        noun="key pair",
        plural="key pairs",
        menu="Key pairs",
        family="key_pair",
        driver=DriverCalls("key_pair", get="get_key_pair", list="list_key_pairs", delete="delete_key_pair"),
        service=f"{SERVICES}.key_pair",
        apply="apply_key_pair",
        presenter=f"{PRESENT}:present_key_pair",
        summary=f"{SUMMARY}:key_pair",
        serializer=f"{OUT}:KeyPairOut",
        delete_service="key_pair_delete",
        api_routes="resources.api.network:KEY_PAIR_ROUTES",
        create_page=f"{CREATE}.create_network:key_pair_form",
        destroy_stage=4,
        adoptable=True,
    )
)
_register(
    KindSpec(
        name="vm",
        segment="vms",
        label="VM",
        noun="VM",
        plural="VMs",
        menu="VMs",
        family="vm",
        driver=DriverCalls("vm", get="get_vm", list="list_vms", delete="terminate_vm"),
        service=f"{SERVICES}.vm",
        apply="apply_vm",
        presenter=f"{PRESENT}:present_vm",
        summary=f"{SUMMARY}:vm",
        serializer=f"{OUT}:VMOut",
        delete_service="vm_delete",
        api_routes="resources.api.compute:VM_ROUTES",
        create_page=f"{CREATE}.create_compute:vm_form",
        references=(
            Reference("vpc_iid", "vpc"),
            Reference("subnet_iid", "subnet"),
            Reference("key_pair_iid", "key_pair"),
            Reference("image_iid", "my_image"),
            Reference("security_group_iids[]", "security_group"),
            Reference("data_disk_iids[]", "disk"),
        ),
        in_vpc=True,
        destroy_stage=2,
        adoptable=True,
    )
)
_register(
    KindSpec(
        name="disk",
        segment="disks",
        label="Disk",
        noun="disk",
        plural="disks",
        menu="Disks",
        family="disk",
        driver=DriverCalls("disk", get="get_disk", list="list_disks", delete="delete_disk"),
        service=f"{SERVICES}.disk",
        apply="apply_disk",
        presenter=f"{PRESENT}:present_disk",
        summary=f"{SUMMARY}:disk",
        serializer=f"{OUT}:DiskOut",
        delete_service="disk_delete",
        api_routes="resources.api.storage:DISK_ROUTES",
        create_page=f"{CREATE}.create_other:disk_form",
        references=(Reference("owner_vm_iid", "vm"),),
        destroy_stage=3,
        adoptable=True,
    )
)
_register(
    KindSpec(
        name="my_image",
        segment="my-images",
        label="Machine image",
        noun="my image",
        plural="machine images",
        menu="My images",
        family="my_image",
        driver=DriverCalls("my_image", get="get_my_image", list="list_my_images", delete="delete_my_image"),
        service=f"{SERVICES}.my_image",
        apply="apply_my_image",
        presenter=f"{PRESENT}:present_my_image",
        summary=f"{SUMMARY}:my_image",
        serializer=f"{OUT}:MyImageOut",
        delete_service="my_image_delete",
        api_routes="resources.api.storage:MY_IMAGE_ROUTES",
        create_page=f"{CREATE}.create_other:my_image_form",
        references=(Reference("source_vm_iid", "vm"),),
        destroy_stage=1,
        adoptable=True,
    )
)
_register(
    KindSpec(
        name="nlb",
        segment="nlbs",
        label="Network load balancer",
        noun="NLB",
        plural="network load balancers",
        menu="NLBs",
        family="nlb",
        driver=DriverCalls("nlb", get="get_nlb", list="list_nlbs", delete="delete_nlb"),
        service=f"{SERVICES}.nlb",
        apply="apply_nlb",
        presenter=f"{PRESENT}:present_nlb",
        summary=f"{SUMMARY}:nlb",
        serializer=f"{OUT}:NLBOut",
        delete_service="nlb_delete",
        api_routes="resources.api.balancing:NLB_ROUTES",
        create_page=f"{CREATE}.create_other:nlb_form",
        references=(Reference("vpc_iid", "vpc"), Reference("vm_group.vm_iids[]", "vm")),
        in_vpc=True,
        destroy_stage=1,
        adoptable=True,
    )
)
_register(
    KindSpec(
        name="cluster",
        segment="clusters",
        label="Kubernetes cluster",
        noun="cluster",
        plural="Kubernetes clusters",
        menu="Clusters",
        family="cluster",
        driver=DriverCalls("cluster", get="get_cluster", list="list_clusters", delete="delete_cluster"),
        service=f"{SERVICES}.cluster",
        apply="apply_cluster",
        presenter=f"{PRESENT}:present_cluster",
        summary=f"{SUMMARY}:cluster",
        serializer=f"{OUT}:ClusterOut",
        delete_service="cluster_delete",
        api_routes="resources.api.kubernetes:CLUSTER_ROUTES",
        create_page=f"{CREATE}.create_other:cluster_form",
        references=(
            Reference("vpc_iid", "vpc"),
            Reference("subnet_iids[]", "subnet"),
            Reference("security_group_iids[]", "security_group"),
            Reference("node_groups[].key_pair_iid", "key_pair"),
        ),
        in_vpc=True,
        destroy_stage=0,
        adoptable=True,
    )
)
