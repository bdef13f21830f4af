"""VMs on Compute Engine instances, through the fake: what the instance is made of, statuses, the
control calls chosen per machine, and failures that only the insert operation reports."""

from __future__ import annotations

from dataclasses import replace

import pytest
from google.cloud.compute_v1.types import compute

from drivers.errors import AlreadyExistsError, InvalidRequestError, InvalidStateError, NotFoundError, QuotaError
from drivers.gcp import GCPConnection, GCPDriver
from drivers.gcp._vm_convert import status_of
from drivers.types import IID, DiskReqInfo, VMStatus
from tests.drivers.conformance.harness import Harness, Network, make_network, vm_req
from tests.drivers.gcp.fake import FakeGCP
from tests.drivers.gcp.support import DEFAULT_ZONE, PROJECT

ZONE_PATH = f"/compute/v1/projects/{PROJECT}/zones/{DEFAULT_ZONE}"


@pytest.fixture
def cloud(gcp: GCPConnection) -> Harness:
    return Harness(
        driver=GCPDriver(),
        conn=gcp,
        image=IID(name_id="projects/debian-cloud/global/images/family/debian-12"),
        spec_name="e2-standard-2",
        vpc_cidr="10.20.0.0/16",
        subnet_cidrs=("10.20.1.0/24", "10.20.2.0/24"),
    )


@pytest.fixture
def network(cloud: Harness) -> Network:
    return make_network(cloud)


def _instance(fake: FakeGCP, name: str = "vm-01") -> dict[str, object]:
    return fake.collection(PROJECT, f"zones/{DEFAULT_ZONE}/instances")[name]


def _started(cloud: Harness, network: Network, **change: object) -> IID:
    vm = cloud.conn.vm().start_vm(req=replace(vm_req(cloud, network), **change))  # type: ignore[arg-type]
    cloud.wait_status(vm.iid, VMStatus.RUNNING)
    return vm.iid


def test_the_instance_has_the_vms_network_tags_key_and_labels(fake: FakeGCP, cloud: Harness, network: Network) -> None:
    req = replace(vm_req(cloud, network), root_disk_type="pd-ssd", root_disk_size_gb=30)
    vm = cloud.conn.vm().start_vm(req=req)

    instance = _instance(fake)
    assert str(instance["machineType"]).endswith(f"/zones/{DEFAULT_ZONE}/machineTypes/e2-standard-2")
    nic = instance["networkInterfaces"][0]  # type: ignore[index]
    assert nic["network"].endswith("/global/networks/vpc-vm")
    assert nic["subnetwork"].endswith("/regions/us-central1/subnetworks/sn-vm")
    assert [config["type"] for config in nic["accessConfigs"]] == ["ONE_TO_ONE_NAT"]
    assert instance["tags"]["items"] == ["sg-vm"]  # type: ignore[index]
    assert instance["labels"] == {"env": "test"}
    items = {item["key"]: item["value"] for item in instance["metadata"]["items"]}  # type: ignore[index]
    assert items["ssh-keys"].startswith("cb-user:ssh-rsa ")
    assert items["spiderweb-key-pair"] == "key-vm"

    boot = fake.collection(PROJECT, f"zones/{DEFAULT_ZONE}/disks")["vm-01"]
    assert boot["type"].endswith("/diskTypes/pd-ssd") and boot["sizeGb"] == "30"
    assert boot["sourceImage"].endswith("/debian-cloud/global/images/debian-12-bookworm-v20240110")
    assert (vm.root_disk_type, vm.root_disk_size_gb, vm.vm_user_id) == ("pd-ssd", 30, "cb-user")
    assert vm.image_iid.name_id == "projects/debian-cloud/global/images/debian-12-bookworm-v20240110"
    # The insert was followed to its end before the VM was read back.
    assert any(call.startswith(f"GET {ZONE_PATH}/operations/") for call in fake.calls)


def test_a_running_vm_shows_its_addresses(fake: FakeGCP, cloud: Harness, network: Network) -> None:
    iid = _started(cloud, network)
    vm = cloud.conn.vm().get_vm(iid=iid)
    assert vm.private_ip.startswith("10.20.1.") and vm.public_ip
    assert vm.ssh_access_point == f"{vm.public_ip}:22"
    assert vm.platform == "Linux/UNIX" and vm.zone == DEFAULT_ZONE and vm.start_time is not None
    assert cloud.conn.vm().get_vm(iid=IID(name_id="", system_id=iid.system_id)).iid == iid


@pytest.mark.parametrize(
    ("tags", "field"),
    [({"Env": "test"}, "tags"), ({"env": "Test Value"}, "tags"), ({"1env": "x"}, "tags")],
)
def test_tags_that_are_not_labels_are_refused(
    fake: FakeGCP, cloud: Harness, network: Network, tags: dict[str, str], field: str
) -> None:
    with pytest.raises(InvalidRequestError) as caught:
        cloud.conn.vm().start_vm(req=replace(vm_req(cloud, network), tags=tags))
    assert caught.value.field == field
    assert f"POST {ZONE_PATH}/instances" not in fake.calls


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"name": "VM_01"}, "name"),
        ({"vm_user_password": "secret"}, "vm_user_password"),
        ({"root_disk_type": "gp3"}, "root_disk_type"),
        ({"image_type": "MyImage", "root_disk_size_gb": 50}, "root_disk_size_gb"),
    ],
)
def test_requests_google_cannot_carry_are_refused(
    cloud: Harness, network: Network, change: dict[str, object], field: str
) -> None:
    with pytest.raises(InvalidRequestError) as caught:
        cloud.conn.vm().start_vm(req=replace(vm_req(cloud, network), **change))  # type: ignore[arg-type]
    assert caught.value.field == field


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"image_iid": IID(name_id="projects/debian-cloud/global/images/no-such-image")}, "image_iid"),
        ({"image_type": "MyImage", "image_iid": IID(name_id="no-such-image")}, "image_iid"),
        ({"spec_name": "n9-standard-2"}, "spec_name"),
        ({"vpc_iid": IID(name_id="no-such-vpc")}, "vpc_iid"),
        ({"subnet_iid": IID(name_id="no-such-subnet")}, "subnet_iid"),
        ({"security_group_iids": (IID(name_id="no-such-sg"),)}, "security_group_iids"),
        ({"key_pair_iid": IID(name_id="no-such-key")}, "key_pair_iid"),
        ({"data_disk_iids": (IID(name_id="no-such-disk"),)}, "data_disk_iids"),
    ],
)
def test_a_missing_reference_is_named_by_its_field(
    fake: FakeGCP, cloud: Harness, network: Network, change: dict[str, object], field: str
) -> None:
    with pytest.raises(NotFoundError) as caught:
        cloud.conn.vm().start_vm(req=replace(vm_req(cloud, network), **change))  # type: ignore[arg-type]
    assert caught.value.field == field
    assert f"POST {ZONE_PATH}/instances" not in fake.calls


def test_a_failed_insert_operation_is_reported(fake: FakeGCP, cloud: Harness, network: Network) -> None:
    # The boot disk is named after the VM; a disk already holding the name fails the operation, not the request.
    cloud.conn.disk().create_disk(req=DiskReqInfo(name="vm-01"))
    with pytest.raises(AlreadyExistsError) as caught:
        cloud.conn.vm().start_vm(req=vm_req(cloud, network))
    assert "already exists" in caught.value.provider_message
    assert cloud.conn.vm().list_vms() == []


def test_a_quota_refusal_is_a_quota_error(fake: FakeGCP, cloud: Harness, network: Network) -> None:
    fake.fail(
        f"{ZONE_PATH}/instances",
        method="POST",
        status=403,
        reason="quotaExceeded",
        message="Quota 'CPUS' exceeded. Limit: 8.0 in region us-central1.",
    )
    with pytest.raises(QuotaError) as caught:
        cloud.conn.vm().start_vm(req=vm_req(cloud, network))
    assert "CPUS" in caught.value.provider_message


def test_suspend_is_a_real_suspend_where_the_machine_allows_it(fake: FakeGCP, cloud: Harness, network: Network) -> None:
    iid = _started(cloud, network)
    vms = cloud.conn.vm()
    assert vms.suspend_vm(iid=iid) == VMStatus.SUSPENDING
    assert f"POST {ZONE_PATH}/instances/vm-01/suspend" in fake.calls
    cloud.wait_status(iid, VMStatus.SUSPENDED)
    assert _instance(fake)["status"] == "SUSPENDED"
    assert vms.resume_vm(iid=iid) == VMStatus.RESUMING
    assert f"POST {ZONE_PATH}/instances/vm-01/resume" in fake.calls
    assert vms.get_vm_status(iid=iid) == VMStatus.RESUMING  # STAGING again, after having been suspended
    cloud.wait_status(iid, VMStatus.RUNNING)


@pytest.mark.parametrize("spec", ["g2-standard-4", "m1-ultramem-40", "c3-standard-4-lssd"])
def test_machines_that_cannot_suspend_are_stopped(fake: FakeGCP, cloud: Harness, network: Network, spec: str) -> None:
    iid = _started(cloud, network, spec_name=spec)
    vms = cloud.conn.vm()
    assert vms.suspend_vm(iid=iid) == VMStatus.SUSPENDING
    assert f"POST {ZONE_PATH}/instances/vm-01/stop" in fake.calls
    cloud.wait_status(iid, VMStatus.SUSPENDED)
    assert _instance(fake)["status"] == "TERMINATED"
    assert vms.resume_vm(iid=iid) == VMStatus.RESUMING
    assert f"POST {ZONE_PATH}/instances/vm-01/start" in fake.calls
    cloud.wait_status(iid, VMStatus.RUNNING)


def test_a_suspend_google_refuses_becomes_a_stop(fake: FakeGCP, cloud: Harness, network: Network) -> None:
    iid = _started(cloud, network)
    fake.fail(
        "/instances/vm-01/suspend",
        status=400,
        reason="invalid",
        message="Suspend is not supported for instances with the 'windows-11' guest operating system.",
    )
    assert cloud.conn.vm().suspend_vm(iid=iid) == VMStatus.SUSPENDING
    assert f"POST {ZONE_PATH}/instances/vm-01/stop" in fake.calls
    cloud.wait_status(iid, VMStatus.SUSPENDED)


def test_reboot_is_a_reset(fake: FakeGCP, cloud: Harness, network: Network) -> None:
    iid = _started(cloud, network)
    assert cloud.conn.vm().reboot_vm(iid=iid) == VMStatus.REBOOTING
    assert f"POST {ZONE_PATH}/instances/vm-01/reset" in fake.calls


def test_control_in_the_wrong_state_is_refused_before_any_call(fake: FakeGCP, cloud: Harness, network: Network) -> None:
    iid = _started(cloud, network)
    vms = cloud.conn.vm()
    with pytest.raises(InvalidStateError):
        vms.resume_vm(iid=iid)
    vms.suspend_vm(iid=iid)
    cloud.wait_status(iid, VMStatus.SUSPENDED)
    for call in (vms.suspend_vm, vms.reboot_vm):
        with pytest.raises(InvalidStateError) as caught:
            call(iid=iid)
        assert caught.value.code == "invalid_state"
    assert f"POST {ZONE_PATH}/instances/vm-01/reset" not in fake.calls


def test_terminate_deletes_the_instance_and_its_boot_disk(fake: FakeGCP, cloud: Harness, network: Network) -> None:
    iid = _started(cloud, network)
    assert cloud.conn.vm().terminate_vm(iid=iid) == VMStatus.TERMINATING
    assert f"DELETE {ZONE_PATH}/instances/vm-01" in fake.calls
    assert "vm-01" not in fake.collection(PROJECT, f"zones/{DEFAULT_ZONE}/disks")
    assert cloud.conn.vm().terminate_vm(iid=iid) == VMStatus.TERMINATED


def test_lists_read_every_page(fake: FakeGCP, cloud: Harness, network: Network) -> None:
    for name in ("vm-01", "vm-02", "vm-03"):
        cloud.conn.vm().start_vm(req=vm_req(cloud, network, name))
    fake.page_cap = 1
    assert [vm.iid.name_id for vm in cloud.conn.vm().list_vms()] == ["vm-01", "vm-02", "vm-03"]
    assert [status.iid.name_id for status in cloud.conn.vm().list_vm_status()] == ["vm-01", "vm-02", "vm-03"]


@pytest.mark.parametrize(
    ("status", "stopped_before", "expected"),
    [
        ("PROVISIONING", False, VMStatus.CREATING),
        ("STAGING", False, VMStatus.CREATING),
        ("STAGING", True, VMStatus.RESUMING),
        ("RUNNING", False, VMStatus.RUNNING),
        ("STOPPING", False, VMStatus.SUSPENDING),
        ("SUSPENDING", False, VMStatus.SUSPENDING),
        ("SUSPENDED", False, VMStatus.SUSPENDED),
        ("TERMINATED", True, VMStatus.SUSPENDED),
        ("REPAIRING", False, VMStatus.REBOOTING),
    ],
)
def test_statuses(status: str, stopped_before: bool, expected: VMStatus) -> None:
    instance = compute.Instance(status=status)
    if stopped_before:
        instance.last_stop_timestamp = "2024-01-10T08:15:30.123-08:00"
    assert status_of(instance) == expected
