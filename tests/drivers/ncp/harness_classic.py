"""The NCP Classic driver's entry in the conformance suite (see harness.py for what it skips and why)."""

from tests.drivers.ncp.harness import classic_harness as harness

__all__ = ["harness"]
