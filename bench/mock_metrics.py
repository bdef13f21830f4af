"""Benchmark: the mock cloud's longest metric series (30 days of 1-minute samples, 43,200 points).

The mock computes every sample from the VM's id, the metric and the sample's time slot, so a month
of data is a month of arithmetic; this times `get_vm_metric` for it through the driver alone (no
Django), on the mock's Redis store.

Runs alone: `.venv/bin/python bench/mock_metrics.py [-n 10]`. Uses Redis at `REDIS_URL` (default
redis://127.0.0.1:6379/1) under a throw-away tenant. Prints the median and p90 in milliseconds.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
import uuid
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from drivers.mock import MockDriver
from drivers.types import (
    IID,
    ConnectionInfo,
    KeyPairReqInfo,
    MetricType,
    SecurityReqInfo,
    SubnetReqInfo,
    VMReqInfo,
    VPCReqInfo,
)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("-n", type=int, default=10, help="timed calls")
    args = parser.parse_args()
    driver = MockDriver(store_url=os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/1"), settle_seconds=0)
    tenant = f"bench-{uuid.uuid4().hex}"
    info = ConnectionInfo(name="bench", provider="mock", credential={"MockName": tenant}, region="mars")
    conn = driver.connect(info)
    try:
        subnet = SubnetReqInfo(name="sn", ipv4_cidr="10.1.1.0/24")
        vpc = conn.vpc().create_vpc(req=VPCReqInfo(name="vpc", ipv4_cidr="10.1.0.0/16", subnets=(subnet,)))
        sg = conn.security_group().create_security_group(req=SecurityReqInfo(name="sg", vpc_iid=vpc.iid))
        key = conn.key_pair().create_key_pair(req=KeyPairReqInfo(name="key"))
        vm = (
            conn.vm()
            .start_vm(
                req=VMReqInfo(
                    name="vm",
                    image_iid=IID(name_id="mock-vmimage-01"),
                    spec_name="mock-vmspec-01",
                    vpc_iid=vpc.iid,
                    subnet_iid=vpc.subnets[0].iid,
                    security_group_iids=(sg.iid,),
                    key_pair_iid=key.iid,
                )
            )
            .iid
        )
        samples = []
        for _ in range(args.n):
            started = time.perf_counter()
            data = conn.monitoring().get_vm_metric(vm_iid=vm, metric=MetricType.DISK_READ_OPS, period_hours=720)
            samples.append((time.perf_counter() - started) * 1000)
        assert len(data.points) == 720 * 60
        ordered = sorted(samples)
        p90 = ordered[min(len(ordered) - 1, int(0.9 * len(ordered)))]
        print(
            f"30 days x 1 min = {len(data.points)} points, n={args.n}: "
            f"median {statistics.median(samples):.0f} ms, p90 {p90:.0f} ms"
        )
    finally:
        conn.close()
        driver.wipe_tenant(tenant)


if __name__ == "__main__":
    main()
