"""The IAM roles EKS acts under: one for the clusters' control planes, one for their nodes.

Both are found by fixed names and used as they are, so an administrator may make them beforehand
(with other policies, or for a credential that may not create roles). When missing, they are
created with AWS's managed policies that EKS documents for each.
"""

from __future__ import annotations

import contextlib
import json
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, TypeVar

from drivers.aws._errors import translate
from drivers.aws._session import AWSClients
from drivers.errors import AlreadyExistsError, DriverError, InvalidRequestError, NotFoundError

if TYPE_CHECKING:
    from mypy_boto3_iam import IAMClient

T = TypeVar("T")


@dataclass(frozen=True, slots=True)
class RoleSpec:
    name: str
    service: str  # the AWS service principal allowed to assume the role
    policies: tuple[str, ...]  # names of AWS managed policies
    description: str


CLUSTER_ROLE = RoleSpec(
    name="spiderweb-eks-cluster-role",
    service="eks.amazonaws.com",
    policies=("AmazonEKSClusterPolicy",),
    description="Lets EKS run the control planes of Spiderweb's Kubernetes clusters.",
)
NODE_ROLE = RoleSpec(
    name="spiderweb-eks-node-role",
    service="ec2.amazonaws.com",
    policies=("AmazonEKSWorkerNodePolicy", "AmazonEKS_CNI_Policy", "AmazonEC2ContainerRegistryReadOnly"),
    description="Lets the nodes of Spiderweb's Kubernetes clusters join them and pull images.",
)

# IAM is eventually consistent: EKS may not see a role for some seconds after it is made.
NEW_ROLE_DELAYS: Sequence[float] = (2.0, 4.0, 8.0, 16.0)


def _trust_policy(service: str) -> str:
    statement = {"Effect": "Allow", "Principal": {"Service": service}, "Action": "sts:AssumeRole"}
    return json.dumps({"Version": "2012-10-17", "Statement": [statement]})


def _arn(iam: IAMClient, name: str) -> str | None:
    try:
        with translate():
            return str(iam.get_role(RoleName=name)["Role"]["Arn"])
    except NotFoundError:
        return None


def ensure_role(iam: IAMClient, spec: RoleSpec, *, aws_endpoint: bool = True) -> tuple[str, bool]:
    """The role's ARN, and whether it was made just now (creating it, with its policies, if missing).

    Off AWS's own endpoint (an emulator, an AWS-compatible cloud) AWS's managed policies may not
    exist; the role is then made with those that do."""
    arn = _arn(iam, spec.name)
    if arn is not None:
        return arn, False
    try:
        with translate():
            arn = str(
                iam.create_role(
                    RoleName=spec.name,
                    AssumeRolePolicyDocument=_trust_policy(spec.service),
                    Description=spec.description,
                )["Role"]["Arn"]
            )
    except AlreadyExistsError:
        # Made by a concurrent request, which attaches the policies; it may still be settling.
        return _arn(iam, spec.name) or "", True
    partition = arn.split(":")[1] if arn.count(":") >= 5 else "aws"
    try:
        with translate():
            for policy in spec.policies:
                try:
                    iam.attach_role_policy(RoleName=spec.name, PolicyArn=f"arn:{partition}:iam::aws:policy/{policy}")
                except iam.exceptions.NoSuchEntityException:
                    if aws_endpoint:
                        raise
    except DriverError:
        # A role without its policies would be found and used next time; leave none behind.
        with contextlib.suppress(DriverError), translate():
            for policy in spec.policies:
                with contextlib.suppress(iam.exceptions.NoSuchEntityException):
                    iam.detach_role_policy(RoleName=spec.name, PolicyArn=f"arn:{partition}:iam::aws:policy/{policy}")
            iam.delete_role(RoleName=spec.name)
        raise
    return arn, True


def role_of(clients: AWSClients, spec: RoleSpec) -> tuple[str, bool]:
    """`ensure_role` through a connection's clients."""
    return ensure_role(clients.iam(), spec, aws_endpoint=not clients.endpoint_url)


def while_role_settles(call: Callable[[], T], *, new_role: bool, delays: Sequence[float] | None = None) -> T:
    """`call()`, retried while EKS refuses a role made just now (it does not see it yet)."""
    if not new_role:
        return call()
    for delay in NEW_ROLE_DELAYS if delays is None else delays:
        try:
            return call()
        except InvalidRequestError as exc:
            if "role" not in f"{exc.message} {exc.provider_message}".lower():
                raise
            time.sleep(delay)
    return call()
