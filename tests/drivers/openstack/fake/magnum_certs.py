"""Magnum's certificates (api-ref "Manage certificates"): a CA per cluster, made on first use;
POST /v1/certificates `{"cluster_uuid", "csr"}` answers 201 with the CSR signed by it in `pem`,
GET /v1/certificates/{cluster} answers the CA in `pem`.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from tests.drivers.openstack.fake.magnum import ID, _cluster, magnum_error
from tests.drivers.openstack.fake.server import FakeOpenStack, Reply, Request


def register(fake: FakeOpenStack) -> None:
    fake.route("container-infra", "GET", f"/certificates/{ID}", lambda req: _ca(fake, req))
    fake.route("container-infra", "POST", "/certificates", lambda req: _sign(fake, req))


def _ca_pair(fake: FakeOpenStack, region: str, cluster: dict[str, Any]) -> tuple[Any, x509.Certificate]:
    cas = fake.coll(region, "magnum-cas")
    if cluster["uuid"] not in cas:
        key = ec.generate_private_key(ec.SECP256R1())
        name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, cluster["name"])])
        cert = _build(name, name, key.public_key(), key, ca=True)
        cas[cluster["uuid"]] = {"key": key, "cert": cert}
    return cas[cluster["uuid"]]["key"], cas[cluster["uuid"]]["cert"]


def _build(subject: x509.Name, issuer: x509.Name, public: Any, key: Any, *, ca: bool) -> x509.Certificate:
    now = dt.datetime.now(tz=dt.UTC)
    builder = (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(issuer)
        .public_key(public)
        .serial_number(x509.random_serial_number())
        .not_valid_before(now)
        .not_valid_after(now + dt.timedelta(days=365))
        .add_extension(x509.BasicConstraints(ca=ca, path_length=None), critical=True)
    )
    return builder.sign(key, hashes.SHA256())


def _pem(cert: x509.Certificate) -> str:
    return cert.public_bytes(serialization.Encoding.PEM).decode()


def _ca(fake: FakeOpenStack, req: Request) -> Reply:
    cluster = _cluster(fake, req)
    _, cert = _ca_pair(fake, req.region, cluster)
    return {"cluster_uuid": cluster["uuid"], "pem": _pem(cert), "links": []}


def _sign(fake: FakeOpenStack, req: Request) -> Reply:
    ident = str(req.body.get("cluster_uuid", ""))
    cluster = _cluster(fake, Request(**{**req.__dict__, "params": {"id": ident}}))
    try:
        csr = x509.load_pem_x509_csr(str(req.body.get("csr", "")).encode())
    except ValueError:
        raise magnum_error(400, "Invalid CSR.") from None
    key, ca = _ca_pair(fake, req.region, cluster)
    cert = _build(csr.subject, ca.subject, csr.public_key(), key, ca=False)
    return 201, {"cluster_uuid": cluster["uuid"], "csr": req.body["csr"], "pem": _pem(cert), "links": []}
