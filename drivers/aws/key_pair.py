"""Key pairs. AWS generates the key; its private half is in the answer to create and nowhere else.

The Spiderweb name is the key name (AWS keeps those unique per region); the id is `KeyPairId`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ed25519, rsa

from drivers.aws._common import check_name, check_tags, filters, read_after_write, tag_spec, user_tags
from drivers.aws._errors import translate
from drivers.aws._session import AWSClients
from drivers.errors import AlreadyExistsError, DependencyError, NotFoundError
from drivers.types import IID, KeyPairInfo, KeyPairReqInfo

if TYPE_CHECKING:
    from mypy_boto3_ec2 import EC2Client

# The login user Spiderweb puts the key on when it starts a VM (the same on every cloud).
VM_USER = "cb-user"


def key_pair_info(key: dict[str, Any], *, private_key: str = "") -> KeyPairInfo:
    return KeyPairInfo(
        iid=IID(name_id=str(key["KeyName"]), system_id=str(key.get("KeyPairId", ""))),
        fingerprint=str(key.get("KeyFingerprint", "")),
        public_key=str(key.get("PublicKey", "")).strip(),
        private_key=private_key,
        vm_user_id=VM_USER,
        tags=user_tags(key.get("Tags")),
        extra={"key_type": str(key.get("KeyType", ""))} if key.get("KeyType") else {},
    )


def _public_key(private_pem: str) -> str:
    """The OpenSSH public line of a PEM private key ('' if it cannot be read)."""
    try:
        key = serialization.load_pem_private_key(private_pem.encode(), password=None)
    except (ValueError, TypeError):
        return ""
    if not isinstance(key, rsa.RSAPrivateKey | ed25519.Ed25519PrivateKey):
        return ""
    return key.public_key().public_bytes(serialization.Encoding.OpenSSH, serialization.PublicFormat.OpenSSH).decode()


class AWSKeyPairHandler:
    def __init__(self, clients: AWSClients) -> None:
        self._clients = clients

    @property
    def _ec2(self) -> EC2Client:
        return self._clients.ec2()

    def create_key_pair(self, *, req: KeyPairReqInfo) -> KeyPairInfo:
        check_name(req.name, what="key pair")
        tags = check_tags(req.tags)
        existing = self._find(IID(name_id=req.name))
        if existing is not None:
            raise AlreadyExistsError(
                f"A key pair named '{req.name}' already exists ({existing.get('KeyPairId', '')}).", field="name"
            )
        with translate(field="name"):
            created = self._ec2.create_key_pair(
                KeyName=req.name, KeyType="rsa", TagSpecifications=tag_spec("key-pair", req.name, tags)
            )
        # The create answer has no public key; read it back so create and get describe the key alike.
        private_key = str(created.get("KeyMaterial", ""))
        try:
            stored = read_after_write(lambda: self._get(IID(name_id=req.name, system_id=str(created["KeyPairId"]))))
        except NotFoundError:
            # The private key exists only in this answer, so it must reach the caller even if AWS
            # is slow to show the new key: describe it from the answer and the key itself.
            named = tag_spec("key-pair", req.name, tags)[0]["Tags"]
            stored = {**created, "PublicKey": _public_key(private_key), "Tags": named}
        return key_pair_info(stored, private_key=private_key)

    def list_key_pairs(self) -> list[KeyPairInfo]:
        with translate():
            keys = self._ec2.describe_key_pairs(IncludePublicKey=True).get("KeyPairs", [])
        return sorted((key_pair_info(dict(key)) for key in keys), key=lambda info: info.iid.name_id)

    def get_key_pair(self, *, iid: IID) -> KeyPairInfo:
        return key_pair_info(self._get(iid))

    def delete_key_pair(self, *, iid: IID) -> None:
        key = self._find(iid)
        if key is None:
            return
        # Imported here: the cluster module builds on this one.
        from drivers.aws.cluster import clusters_using

        # AWS deletes a key that node groups still put on their nodes; new nodes would then fail.
        users = clusters_using(self._clients, key_name=str(key["KeyName"]))
        if users:
            raise DependencyError(f"Key pair '{key['KeyName']}' is used by Kubernetes clusters: {', '.join(users)}.")
        with translate():
            # By name: every AWS-compatible endpoint accepts it (moto ignores KeyPairId); names are unique.
            self._ec2.delete_key_pair(KeyName=str(key["KeyName"]))

    def _get(self, iid: IID) -> dict[str, Any]:
        key = self._find(iid)
        if key is None:
            raise NotFoundError(f"Key pair '{iid.system_id or iid.name_id}' does not exist.")
        return key

    def _find(self, iid: IID) -> dict[str, Any] | None:
        """By id when the IID has one, else by name, else a key id given as name."""
        with translate():
            if iid.system_id:
                found = self._ec2.describe_key_pairs(Filters=filters(key_pair_id=iid.system_id), IncludePublicKey=True)
            else:
                found = self._ec2.describe_key_pairs(Filters=filters(key_name=iid.name_id), IncludePublicKey=True)
                if not found.get("KeyPairs") and iid.name_id.startswith("key-"):
                    found = self._ec2.describe_key_pairs(
                        Filters=filters(key_pair_id=iid.name_id), IncludePublicKey=True
                    )
        keys = found.get("KeyPairs", [])
        return dict(keys[0]) if keys else None


def user_data(public_key: str) -> str:
    """cloud-init that puts the key on the login user every Spiderweb VM has."""
    return (
        "#cloud-config\n"
        "users:\n"
        "  - default\n"
        f"  - name: {VM_USER}\n"
        "    sudo: ALL=(ALL) NOPASSWD:ALL\n"
        "    shell: /bin/bash\n"
        "    ssh_authorized_keys:\n"
        f"      - {public_key}\n"
    )
