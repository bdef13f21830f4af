"""The Alibaba Cloud driver: the official alibabacloud-* Python SDKs with a RAM user's AccessKey.

- One AccessKey per connection; its product clients (ECS, VPC, SLB, CS, CMS) are created once,
  never retry and time out (`_session`). Every request is signed ACS3-HMAC-SHA256 by the SDK.
- Every SDK failure is mapped onto the driver error tree with Alibaba's code and message kept
  (`_errors`), throttling with its retry hint.
- Each family's module says what it offers and how (`OFFERED`, `UNSUPPORTED`, `NOTES`).
"""

from drivers.alibaba.driver import CAPABILITIES, AlibabaConnection, AlibabaDriver

__all__ = ["CAPABILITIES", "AlibabaConnection", "AlibabaDriver"]
