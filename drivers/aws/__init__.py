"""The AWS driver: boto3 against AWS, or against an emulator/AWS-compatible cloud via `EndpointURL`.

- One boto3 session per connection; its clients are created once and reused (`_session`).
- Every SDK failure is mapped onto the driver error tree with AWS's message kept (`_errors`).
- Spiderweb names live in the `Name` tag (key pairs and security groups use AWS's own names).
- Every family is offered: EC2 for compute and network, ELBv2 for network load balancers, EKS for
  clusters, CloudWatch for metrics, Cost Explorer for AnyCall; gaps inside a family are declared
  in `CAPABILITIES.unsupported` with a note each.
"""

from drivers.aws.driver import CAPABILITIES, AWSConnection, AWSDriver

__all__ = ["CAPABILITIES", "AWSConnection", "AWSDriver"]
