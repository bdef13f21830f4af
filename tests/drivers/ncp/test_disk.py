"""Block storage on NCP's VPC platform: only additional volumes, attach/detach waited out, tags in the description."""

from __future__ import annotations

import pytest

from drivers.errors import InvalidRequestError, InvalidStateError
from drivers.ncp import NCPConnection
from drivers.types import IID, DiskReqInfo, DiskStatus
from tests.drivers.ncp.fake import FakeNCP


def test_create_sends_ncp_units_and_defaults(ncp: NCPConnection, fake: FakeNCP) -> None:
    disk = ncp.disk().create_disk(req=DiskReqInfo(name="data-01", tags={"team": "db"}))
    call = next(c for c in fake.calls if c.action == "createBlockStorageInstance")
    assert (call.params["blockStorageSize"], call.params["blockStorageVolumeTypeCode"], call.params["zoneCode"]) == (
        "10",
        "CB1",
        "KR-1",
    )
    assert (disk.status, disk.disk_size_gb, disk.disk_type) == (DiskStatus.CREATING, 10, "CB1")
    assert ncp.disk().get_disk(iid=IID(name_id="data-01")).tags == {"team": "db"}


@pytest.mark.parametrize(
    ("req", "field"),
    [
        (DiskReqInfo(name="data-01", disk_type="SSD"), "disk_type"),
        (DiskReqInfo(name="data-01", disk_size_gb=5), "disk_size_gb"),
        (DiskReqInfo(name="D", disk_size_gb=20), "name"),
    ],
)
def test_bad_requests(ncp: NCPConnection, fake: FakeNCP, req: DiskReqInfo, field: str) -> None:
    with pytest.raises(InvalidRequestError) as caught:
        ncp.disk().create_disk(req=req)
    assert caught.value.field == field
    assert fake.table("volumes") == {}


def test_root_volumes_are_not_disks(ncp: NCPConnection, fake: FakeNCP) -> None:
    fake.table("servers")["9"] = {
        "serverInstanceNo": "9",
        "serverName": "web",
        "baseBlockStorageSize": 10 * 1024**3,
        "zoneCode": "KR-1",
    }
    assert ncp.disk().list_disks() == []


def test_a_disk_in_creation_cannot_be_attached(ncp: NCPConnection, fake: FakeNCP) -> None:
    disk = ncp.disk().create_disk(req=DiskReqInfo(name="data-01"))
    fake.table("servers")["9"] = {
        "serverInstanceNo": "9",
        "serverName": "web",
        "baseBlockStorageSize": 0,
        "zoneCode": "KR-1",
    }
    fake.table("volumes")[disk.iid.system_id]["blockStorageInstanceStatus"] = {"code": "INIT"}
    with pytest.raises(InvalidStateError):
        ncp.disk().attach_disk(iid=disk.iid, vm_iid=IID(name_id="web"))
