"""The mock's state is shared by processes, survives restarts and loses nothing under concurrency.

Every test here runs on both backends (Redis and SQLite).
"""

from __future__ import annotations

import os
import subprocess
import sys
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
import redis

import drivers
from drivers.errors import AlreadyExistsError
from drivers.mock import MockDriver
from drivers.types import IID, VPCReqInfo
from tests.drivers.support import connection_info

REPO = Path(drivers.__file__).resolve().parents[1]

# Runs in a separate interpreter: creates `count` VPCs named <prefix>-<n>, prints all VPC names.
CHILD = """
import sys
from drivers.mock import MockDriver
from drivers.types import ConnectionInfo, VPCReqInfo
url, tenant, prefix, count = sys.argv[1:5]
info = ConnectionInfo(name="c", provider="mock", credential={"MockName": tenant}, region="mars")
conn = MockDriver(store_url=url).connect(info)
for n in range(int(count)):
    conn.vpc().create_vpc(req=VPCReqInfo(name=f"{prefix}-{n}", ipv4_cidr="10.0.0.0/16"))
print(",".join(vpc.iid.name_id for vpc in conn.vpc().list_vpcs()))
"""


def _child(url: str, tenant: str, prefix: str, count: int) -> subprocess.Popen[str]:
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    return subprocess.Popen(
        [sys.executable, "-c", CHILD, url, tenant, prefix, str(count)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
        cwd=REPO,
    )


def _finish(child: subprocess.Popen[str]) -> list[str]:
    out, err = child.communicate(timeout=60)
    assert child.returncode == 0, err
    return out.strip().split(",") if out.strip() else []


@pytest.fixture
def driver(store_url: str, tenant: str) -> Iterator[MockDriver]:
    driver = MockDriver(store_url=store_url)
    yield driver
    driver.wipe_tenant(tenant)
    driver.wipe_tenant(f"{tenant}:other")


def _names(driver: MockDriver, tenant: str, region: str = "mars") -> list[str]:
    return [vpc.iid.name_id for vpc in driver.connect(connection_info(tenant, region=region)).vpc().list_vpcs()]


def _create(driver: MockDriver, tenant: str, name: str, region: str = "mars") -> None:
    conn = driver.connect(connection_info(tenant, region=region))
    conn.vpc().create_vpc(req=VPCReqInfo(name=name, ipv4_cidr="10.0.0.0/16"))


def test_another_process_sees_the_same_cloud(driver: MockDriver, store_url: str, tenant: str) -> None:
    _create(driver, tenant, "made-by-parent")
    seen_by_child = _finish(_child(store_url, tenant, "made-by-child", 1))
    assert seen_by_child == ["made-by-child-0", "made-by-parent"]
    assert _names(driver, tenant) == ["made-by-child-0", "made-by-parent"]


def test_state_survives_a_restart(driver: MockDriver, store_url: str, tenant: str) -> None:
    _create(driver, tenant, "vpc-01")
    restarted = MockDriver(store_url=store_url)
    assert _names(restarted, tenant) == ["vpc-01"]


def test_concurrent_processes_lose_no_write(driver: MockDriver, store_url: str, tenant: str) -> None:
    children = [_child(store_url, tenant, f"p{index}", 10) for index in range(4)]
    for child in children:
        _finish(child)
    assert sorted(_names(driver, tenant)) == sorted(f"p{i}-{n}" for i in range(4) for n in range(10))


def test_concurrent_threads_lose_no_write(driver: MockDriver, tenant: str) -> None:
    conn = driver.connect(connection_info(tenant))
    errors: list[BaseException] = []

    def work(index: int) -> None:
        try:
            for n in range(5):
                conn.vpc().create_vpc(req=VPCReqInfo(name=f"t{index}-{n}", ipv4_cidr="10.0.0.0/16"))
        except BaseException as exc:  # collected and reported by the main thread
            errors.append(exc)

    threads = [threading.Thread(target=work, args=(index,)) for index in range(16)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert len(_names(driver, tenant)) == 80


def test_concurrent_creates_of_one_name_make_exactly_one(driver: MockDriver, tenant: str) -> None:
    conn = driver.connect(connection_info(tenant))
    outcomes: list[str] = []
    barrier = threading.Barrier(10)

    def work() -> None:
        barrier.wait()
        try:
            conn.vpc().create_vpc(req=VPCReqInfo(name="contested", ipv4_cidr="10.0.0.0/16"))
            outcomes.append("created")
        except AlreadyExistsError:
            outcomes.append("exists")

    threads = [threading.Thread(target=work) for _ in range(10)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(outcomes) == ["created"] + ["exists"] * 9
    assert _names(driver, tenant) == ["contested"]


def test_tenants_and_regions_are_apart(driver: MockDriver, tenant: str) -> None:
    _create(driver, tenant, "mars-vpc")
    _create(driver, tenant, "venus-vpc", region="venus")
    _create(driver, f"{tenant}:other", "other-vpc")
    assert _names(driver, tenant) == ["mars-vpc"]
    assert _names(driver, tenant, region="venus") == ["venus-vpc"]
    assert _names(driver, f"{tenant}:other") == ["other-vpc"]


def test_wiping_a_tenant_removes_all_its_regions_and_nothing_else(driver: MockDriver, tenant: str) -> None:
    _create(driver, tenant, "mars-vpc")
    _create(driver, tenant, "venus-vpc", region="venus")
    _create(driver, f"{tenant}:other", "other-vpc")
    driver.wipe_tenant(tenant)
    assert _names(driver, tenant) == []
    assert _names(driver, tenant, region="venus") == []
    assert _names(driver, f"{tenant}:other") == ["other-vpc"]


def test_get_by_system_id_works_across_instances(driver: MockDriver, store_url: str, tenant: str) -> None:
    conn = driver.connect(connection_info(tenant))
    created = conn.vpc().create_vpc(req=VPCReqInfo(name="vpc-01", ipv4_cidr="10.0.0.0/16"))
    other = MockDriver(store_url=store_url).connect(connection_info(tenant))
    assert other.vpc().get_vpc(iid=IID(name_id="", system_id=created.iid.system_id)) == created


def test_redis_state_sits_under_the_mockcloud_prefix(redis_url: str, tenant: str) -> None:
    driver = MockDriver(store_url=redis_url)
    _create(driver, tenant, "vpc-01")
    try:
        keys = [key.decode() for key in redis.Redis.from_url(redis_url).keys(f"*{tenant}*")]
        assert keys == [f"spiderweb:mockcloud:tenant:{tenant}"]
    finally:
        driver.wipe_tenant(tenant)


def test_default_store_is_an_sqlite_file_under_var(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, tenant: str
) -> None:
    monkeypatch.chdir(tmp_path)
    driver = MockDriver()
    _create(driver, tenant, "vpc-01")
    assert (tmp_path / "var" / "mockcloud.sqlite3").is_file()
    monkeypatch.chdir(REPO)
    assert _names(driver, tenant) == ["vpc-01"]  # the path was fixed when the store opened


@pytest.mark.parametrize("url", ["postgres://localhost/x", "sqlite:///", "memory://"])
def test_unsupported_store_urls_are_refused(url: str) -> None:
    with pytest.raises(ValueError, match="url"):
        MockDriver(store_url=url).store()
