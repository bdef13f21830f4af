"""AnyCall: the declared function ids, and one clear refusal for any other."""

from __future__ import annotations

import pytest

from drivers.errors import NotSupportedError
from drivers.types import AnyCallInfo
from tests.drivers.conformance.harness import Harness


def test_declared_fids_are_listed_for_the_api(cloud: Harness) -> None:
    caps = cloud.driver.capabilities
    assert caps.to_dict()["anycall_fids"] == list(caps.anycall_fids)
    assert len(set(caps.anycall_fids)) == len(caps.anycall_fids)
    if not caps.supports("anycall"):
        assert caps.anycall_fids == ()


def test_an_unknown_fid_is_not_supported_and_the_message_lists_the_known(cloud: Harness) -> None:
    cloud.require("anycall")
    with pytest.raises(NotSupportedError) as caught:
        cloud.conn.anycall().call(req=AnyCallInfo(fid="noSuchFunction", params_in={"a": "b"}))
    for fid in cloud.driver.capabilities.anycall_fids:
        assert fid in str(caught.value)
