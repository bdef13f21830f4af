from django.urls import include, path

from resources.api import (
    adoption,
    balancing,
    compute,
    extras,
    inventory,
    inventory_refresh,
    kubernetes,
    meta,
    network,
    storage,
)
from resources.api.operations import OperationDetail, OperationList
from resources.models import Kind

# Segments of the URL per kind that can be registered, unregistered and reconciled.
ADOPTABLE = {"vpcs": Kind.VPC, "security-groups": Kind.SECURITY_GROUP, "key-pairs": Kind.KEY_PAIR, "vms": Kind.VM,
             "disks": Kind.DISK, "my-images": Kind.MY_IMAGE, "nlbs": Kind.NLB, "clusters": Kind.CLUSTER}

adoption_patterns = []
for segment, kind in ADOPTABLE.items():
    adoption_patterns += [
        path(f"{segment}/register/", adoption.Register.as_view(kind=kind), name=f"{segment}-register"),
        path(f"{segment}/reconcile/", adoption.Reconcile.as_view(kind=kind), name=f"{segment}-reconcile"),
        path(f"{segment}/<str:name>/unregister/", adoption.Unregister.as_view(kind=kind),
             name=f"{segment}-unregister"),
    ]

tag_patterns = []
for segment, kind in ADOPTABLE.items():
    tag_patterns += [
        path(f"{segment}/<str:name>/tags/", extras.ResourceTags.as_view(kind=kind), name=f"{segment}-tags"),
        path(f"{segment}/<str:name>/tags/<str:key>/", extras.ResourceTag.as_view(kind=kind), name=f"{segment}-tag"),
    ]

connection_patterns = [
    *meta.urlpatterns,
    *adoption_patterns,
    *tag_patterns,
    path("tags/", extras.TagSearch.as_view(), name="tag-search"),
    path("vpcs/<str:name>/subnets/<str:subnet>/tags/", extras.ResourceTags.as_view(kind=Kind.SUBNET),
         name="subnet-tags"),
    path("vpcs/<str:name>/subnets/<str:subnet>/tags/<str:key>/", extras.ResourceTag.as_view(kind=Kind.SUBNET),
         name="subnet-tag"),
    path("anycall/", extras.AnyCall.as_view(), name="anycall"),
    path("destroy/", extras.Destroy.as_view(), name="destroy"),
    path("vms/<str:name>/metrics/", extras.VMMetrics.as_view(), name="vm-metrics"),
    path("vpcs/", network.VPCCollection.as_view(), name="vpc-list"),
    path("vpcs/<str:name>/", network.VPCItem.as_view(), name="vpc-detail"),
    path("vpcs/<str:name>/subnets/", network.SubnetCollection.as_view(), name="subnet-list"),
    path("vpcs/<str:name>/subnets/<str:subnet>/", network.SubnetItem.as_view(), name="subnet-detail"),
    path("security-groups/", network.SecurityGroupCollection.as_view(), name="security-group-list"),
    path("security-groups/<str:name>/", network.SecurityGroupItem.as_view(), name="security-group-detail"),
    path("security-groups/<str:name>/rules/", network.SecurityGroupRules.as_view(), name="security-group-rules"),
    path("key-pairs/", network.KeyPairCollection.as_view(), name="key-pair-list"),
    path("key-pairs/<str:name>/", network.KeyPairItem.as_view(), name="key-pair-detail"),
    path("vms/", compute.VMCollection.as_view(), name="vm-list"),
    path("vms/<str:name>/", compute.VMItem.as_view(), name="vm-detail"),
    path("vms/<str:name>/status/", compute.VMStatusView.as_view(), name="vm-status"),
    path("vms/<str:name>/actions/", compute.VMActions.as_view(), name="vm-actions"),
    path("disks/", storage.DiskCollection.as_view(), name="disk-list"),
    path("disks/<str:name>/", storage.DiskItem.as_view(), name="disk-detail"),
    path("disks/<str:name>/size/", storage.DiskResize.as_view(), name="disk-size"),
    path("disks/<str:name>/attach/", storage.DiskAttach.as_view(), name="disk-attach"),
    path("disks/<str:name>/detach/", storage.DiskDetach.as_view(), name="disk-detach"),
    path("my-images/", storage.MyImageCollection.as_view(), name="my-image-list"),
    path("my-images/<str:name>/", storage.MyImageItem.as_view(), name="my-image-detail"),
    path("nlbs/", balancing.NLBCollection.as_view(), name="nlb-list"),
    path("nlbs/<str:name>/", balancing.NLBItem.as_view(), name="nlb-detail"),
    path("nlbs/<str:name>/vms/", balancing.NLBVMs.as_view(), name="nlb-vms"),
    path("nlbs/<str:name>/listener/", balancing.NLBListener.as_view(), name="nlb-listener"),
    path("nlbs/<str:name>/vm-group/", balancing.NLBVMGroup.as_view(), name="nlb-vm-group"),
    path("nlbs/<str:name>/health-checker/", balancing.NLBHealthChecker.as_view(), name="nlb-health-checker"),
    path("nlbs/<str:name>/health/", balancing.NLBHealth.as_view(), name="nlb-health"),
    path("clusters/", kubernetes.ClusterCollection.as_view(), name="cluster-list"),
    path("clusters/<str:name>/", kubernetes.ClusterItem.as_view(), name="cluster-detail"),
    path("clusters/<str:name>/node-groups/", kubernetes.NodeGroups.as_view(), name="node-group-list"),
    path("clusters/<str:name>/node-groups/<str:group>/", kubernetes.NodeGroupItem.as_view(), name="node-group-detail"),
    path("clusters/<str:name>/node-groups/<str:group>/autoscaling/", kubernetes.NodeGroupAutoscaling.as_view(),
         name="node-group-autoscaling"),
    path("clusters/<str:name>/node-groups/<str:group>/size/", kubernetes.NodeGroupSize.as_view(),
         name="node-group-size"),
    path("clusters/<str:name>/upgrade/", kubernetes.ClusterUpgrade.as_view(), name="cluster-upgrade"),
    path("clusters/<str:name>/kubeconfig/", kubernetes.Kubeconfig.as_view(), name="cluster-kubeconfig"),
]

urlpatterns = [
    path("connections/<str:conn>/", include(connection_patterns)),
    path("inventory/refresh/", inventory_refresh.InventoryRefresh.as_view(), name="inventory-refresh"),
    path("inventory/", include(inventory.urlpatterns)),
    path("operations/", OperationList.as_view(), name="operation-list"),
    path("operations/<uuid:operation_id>/", OperationDetail.as_view(), name="operation-detail"),
]
