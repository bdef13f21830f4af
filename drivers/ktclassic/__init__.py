"""KT Cloud's classic platform (CloudStack-style API, signed query requests)."""

from drivers.ktclassic.driver import KTClassicConnection, KTClassicDriver

__all__ = ["KTClassicConnection", "KTClassicDriver"]
