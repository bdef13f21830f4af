"""A cluster's kubeconfig through Magnum's certificate flow (what `openstack coe cluster config` does).

A fresh key and a CSR with CN "admin" and O "system:masters" are made here; Magnum signs the CSR
with the cluster's CA (POST /v1/certificates) and answers the CA (GET /v1/certificates/{cluster}).
The key never leaves this process; each read of a cluster makes a new client certificate.
"""

from __future__ import annotations

import base64
import json

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from drivers.openstack._magnum import Magnum


def _b64(text: str | bytes) -> str:
    raw = text.encode() if isinstance(text, str) else text
    return base64.b64encode(raw).decode()


def kubeconfig(magnum: Magnum, cluster_uuid: str, name: str, endpoint: str) -> str:
    key = ec.generate_private_key(ec.SECP256R1())
    subject = x509.Name(
        [
            x509.NameAttribute(NameOID.COMMON_NAME, "admin"),
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, "system:masters"),
        ]
    )
    csr = x509.CertificateSigningRequestBuilder().subject_name(subject).sign(key, hashes.SHA256())
    csr_pem = csr.public_bytes(serialization.Encoding.PEM).decode()
    signed = magnum.call("POST", "/certificates", {"cluster_uuid": cluster_uuid, "csr": csr_pem})
    ca = magnum.call("GET", f"/certificates/{cluster_uuid}")
    key_pem = key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.TraditionalOpenSSL, serialization.NoEncryption()
    )
    user = f"admin@{name}"
    # JSON is valid YAML, and kubectl reads either.
    config = {
        "apiVersion": "v1",
        "kind": "Config",
        "clusters": [
            {
                "name": name,
                "cluster": {"server": endpoint, "certificate-authority-data": _b64(str(ca.get("pem") or ""))},
            }
        ],
        "users": [
            {
                "name": user,
                "user": {
                    "client-certificate-data": _b64(str(signed.get("pem") or "")),
                    "client-key-data": _b64(key_pem),
                },
            }
        ],
        "contexts": [{"name": f"default@{name}", "context": {"cluster": name, "user": user}}],
        "current-context": f"default@{name}",
    }
    return json.dumps(config, indent=2)
