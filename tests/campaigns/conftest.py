"""Demo data for the document tests, and a test CA made in the test run."""

import datetime
from dataclasses import dataclass

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.hazmat.primitives.serialization import pkcs12
from cryptography.x509.oid import NameOID
from django.contrib.auth import get_user_model

from units.models import Unit
from units.services.official_units import OLD_TO  # the demo units end the day before the 2025 mergers


@pytest.fixture
def demo(db):
    """The demo database (`manage.py load_demo`): units, logins, targets, plans."""
    from portal.demo import load_demo

    load_demo()
    return Unit.objects.valid_on(OLD_TO)


@pytest.fixture
def hai_duong(demo) -> Unit:
    return Unit.objects.valid_on(OLD_TO).get(code="HDUONG")


def user(username: str):
    return get_user_model().objects.get(username=username)


@dataclass
class TestCA:
    cert: x509.Certificate
    key: object
    pem_path: str

    def issue_pkcs12(self, common_name: str, password: str, *, days: int = 30) -> bytes:
        key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        now = datetime.datetime.now(datetime.timezone.utc)
        cert = (
            x509.CertificateBuilder()
            .subject_name(x509.Name([x509.NameAttribute(NameOID.COUNTRY_NAME, "VN"),
                                     x509.NameAttribute(NameOID.COMMON_NAME, common_name)]))
            .issuer_name(self.cert.subject)
            .public_key(key.public_key())
            .serial_number(x509.random_serial_number())
            .not_valid_before(now - datetime.timedelta(days=1))
            .not_valid_after(now + datetime.timedelta(days=days))
            .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
            .add_extension(x509.KeyUsage(digital_signature=True, content_commitment=True, key_encipherment=False,
                                         data_encipherment=False, key_agreement=False, key_cert_sign=False,
                                         crl_sign=False, encipher_only=False, decipher_only=False), critical=True)
            .add_extension(x509.AuthorityKeyIdentifier.from_issuer_public_key(self.key.public_key()), critical=False)
            .sign(self.key, hashes.SHA256())
        )
        return pkcs12.serialize_key_and_certificates(
            common_name.encode("utf-8"), key, cert, [self.cert],
            serialization.BestAvailableEncryption(password.encode("utf-8")),
        )


def make_ca(name: str, directory) -> TestCA:
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    now = datetime.datetime.now(datetime.timezone.utc)
    subject = x509.Name([x509.NameAttribute(NameOID.COUNTRY_NAME, "VN"), x509.NameAttribute(NameOID.COMMON_NAME, name)])
    cert = (
        x509.CertificateBuilder()
        .subject_name(subject).issuer_name(subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(days=2))
        .not_valid_after(now + datetime.timedelta(days=365))
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .add_extension(x509.KeyUsage(digital_signature=False, content_commitment=False, key_encipherment=False,
                                     data_encipherment=False, key_agreement=False, key_cert_sign=True, crl_sign=True,
                                     encipher_only=False, decipher_only=False), critical=True)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
        .sign(key, hashes.SHA256())
    )
    path = directory / f"{abs(hash(name))}.pem"
    path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    return TestCA(cert, key, str(path))


@pytest.fixture(scope="session")
def test_ca(tmp_path_factory) -> TestCA:
    return make_ca("CA thử nghiệm BHXH Portal", tmp_path_factory.mktemp("ca"))


@pytest.fixture
def trusted_ca(test_ca, settings) -> TestCA:
    settings.SIGNING_TRUST_ROOTS = [test_ca.pem_path]
    return test_ca


PASSWORD = "mật-khẩu-ký-2021"  # of the test signer's PKCS#12


@pytest.fixture
def approved(hai_duong):
    """Hải Dương's 2021 plan, submitted and approved: its PDF frozen, ready to sign."""
    from campaigns.documents import services
    from campaigns.models import PlanDocument

    document = PlanDocument.objects.get(unit=hai_duong, starter="commune-drive", year=2021)
    services.document_submit(document=document, by=user("canbo.haiduong"))
    services.document_approve(document=document, by=user("lanhdao.huongtra"))
    document.refresh_from_db()
    return document


@pytest.fixture
def danh_p12(trusted_ca) -> bytes:
    """The signer of that plan, certified by the trusted test CA."""
    return trusted_ca.issue_pkcs12("Nguyễn Hữu Danh", PASSWORD)
