"""A stateful fake of NCP's API gateway for the NCP drivers' tests (no network).

`running()` starts it with every family registered and `responses` intercepting all HTTP.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import responses

from tests.drivers.ncp.fake import (
    block_storage,
    classic,
    classic_storage,
    cloud_insight,
    list_price,
    member_images,
    nks,
    vloadbalancer,
    vpc_api,
    vserver_meta,
    vserver_net,
    vserver_servers,
)
from tests.drivers.ncp.fake.server import HOST, Call, FakeGap, FakeNCP, ServiceError

FAMILIES = (
    block_storage.register,
    member_images.register,
    list_price.register,
    vloadbalancer.register,
    vpc_api.register,
    vserver_meta.register,
    vserver_net.register,
    vserver_servers.register,
    classic.register,
    classic_storage.register,
)


@contextmanager
def running(*, access_key: str, secret_key: str, region: str = "KR") -> Iterator[FakeNCP]:
    """The fake, answering every request made through `requests` until the block ends."""
    fake = FakeNCP(access_key=access_key, secret_key=secret_key, region=region)
    for register in FAMILIES:
        register(fake)
    with responses.RequestsMock(assert_all_requests_are_fired=False) as rsps:
        fake.install(rsps)
        cloud_insight.install(fake, rsps)
        nks.install(fake, rsps)
        yield fake


__all__ = ["HOST", "Call", "FakeGap", "FakeNCP", "ServiceError", "running"]
