"""The AWS driver: boto3 against AWS, or against an emulator/AWS-compatible cloud via `EndpointURL`.

- One boto3 session per connection; its clients are created once and reused (`_session`).
- Every SDK failure is mapped onto the driver error tree with AWS's message kept (`_errors`).
- Spiderweb names live in the `Name` tag (key pairs and security groups use AWS's own names).
- This release offers regions/zones, public images, VM specs, prices, VPCs/subnets, security
  groups and key pairs; the other families are declared unsupported.
"""

from drivers.aws.driver import CAPABILITIES, AWSConnection, AWSDriver

__all__ = ["CAPABILITIES", "AWSConnection", "AWSDriver"]
