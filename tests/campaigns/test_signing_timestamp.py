"""Signing at PAdES B-T: with SIGNING_TSA_URL the signature carries an RFC 3161 time-stamp obtained over
HTTP from a time-stamp authority. The authority here is a real HTTP server on 127.0.0.1 started by the
test, answering with pyHanko's DummyTimeStamper under a TSA certificate made in this run."""

import datetime
import io
import socket
import threading
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from asn1crypto import keys as asn1_keys
from asn1crypto import tsp
from asn1crypto import x509 as asn1_x509
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

from campaigns.documents import services, signing
from campaigns.models import DocumentFile, DocumentStatus, FilePurpose
from tests.campaigns.conftest import PASSWORD, make_ca
from tests.campaigns.test_signing import sign_over_http, verify_over_http

pytestmark = pytest.mark.django_db

TSA_NAME = "Máy chủ dấu thời gian thử nghiệm"


def tsa_certificate(ca, name: str = TSA_NAME):
    """A TSA certificate issued by `ca`: key usage for signing, extended key usage time-stamping only
    (critical, as RFC 3161 requires)."""
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    now = datetime.datetime.now(datetime.timezone.utc)
    cert = (
        x509.CertificateBuilder()
        .subject_name(x509.Name([x509.NameAttribute(NameOID.COUNTRY_NAME, "VN"),
                                 x509.NameAttribute(NameOID.COMMON_NAME, name)]))
        .issuer_name(ca.cert.subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(days=1))
        .not_valid_after(now + datetime.timedelta(days=30))
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.TIME_STAMPING]), critical=True)
        .add_extension(x509.AuthorityKeyIdentifier.from_issuer_public_key(ca.key.public_key()), critical=False)
        .sign(ca.key, hashes.SHA256())
    )
    der_key = key.private_bytes(serialization.Encoding.DER, serialization.PrivateFormat.PKCS8,
                                serialization.NoEncryption())
    return (asn1_x509.Certificate.load(cert.public_bytes(serialization.Encoding.DER)),
            asn1_keys.PrivateKeyInfo.load(der_key))


@dataclass
class Tsa:
    url: str
    requests: list[str] = field(default_factory=list)  # the content type of each request received
    refuse: bool = False  # answer every request with a rejection (PKIStatus 'rejection')


def start_tsa(ca, name: str = TSA_NAME):
    """An RFC 3161 server over HTTP on 127.0.0.1 (any free port), in a thread; returns (Tsa, stop)."""
    from pyhanko.sign.timestamps import DummyTimeStamper

    cert, key = tsa_certificate(ca, name)
    stamper = DummyTimeStamper(tsa_cert=cert, tsa_key=key)

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self):
            body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
            tsa.requests.append(self.headers.get("Content-Type", ""))
            request = tsp.TimeStampReq.load(body)
            if tsa.refuse:
                answer = tsp.TimeStampResp({"status": tsp.PKIStatusInfo({"status": "rejection"})})
            else:
                answer = stamper.request_tsa_response(request)
            data = answer.dump()
            self.send_response(200)
            self.send_header("Content-Type", "application/timestamp-reply")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def log_message(self, *args):  # the test's output stays quiet
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    tsa = Tsa(f"http://127.0.0.1:{server.server_address[1]}/tsa")
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()

    def stop():
        server.shutdown()
        server.server_close()
        thread.join(5)

    return tsa, stop


@pytest.fixture
def tsa(trusted_ca, settings):
    """The authority, its certificate issued by the trusted test CA, configured in the settings."""
    server, stop = start_tsa(trusted_ca)
    settings.SIGNING_TSA_URL = server.url
    yield server
    stop()


def media_files(settings) -> set[str]:
    return {str(p) for p in Path(settings.MEDIA_ROOT).rglob("*") if p.is_file()}


def test_with_an_authority_the_signature_has_a_valid_time_stamp_b_t(client, approved, danh_p12, tsa):
    response = sign_over_http(client, approved, danh_p12, PASSWORD)
    assert response.status_code == 302
    assert tsa.requests and set(tsa.requests) == {"application/timestamp-query"}  # a real RFC 3161 exchange
    approved.refresh_from_db()
    assert approved.status == DocumentStatus.SIGNED
    content = services.frozen_bytes(approved.files.get(purpose=FilePurpose.SIGNED))

    # pyHanko's own reading: the embedded signature has a signature time-stamp, intact and trusted
    from pyhanko.pdf_utils.reader import PdfFileReader
    from pyhanko.sign.validation import validate_pdf_signature
    from pyhanko_certvalidator import ValidationContext

    (embedded,) = PdfFileReader(io.BytesIO(content)).embedded_signatures
    status = validate_pdf_signature(embedded, ValidationContext(trust_roots=signing._load_roots(None)))
    assert status.timestamp_validity is not None
    assert status.timestamp_validity.intact and status.timestamp_validity.valid and status.timestamp_validity.trusted
    assert status.bottom_line

    result = signing.verify_pdf(content)
    assert result.all_valid
    (report,) = result.signatures
    assert report.level == "PAdES B-T"
    stamp = report.timestamp
    assert stamp is not None and stamp.valid and stamp.authority == TSA_NAME
    now = datetime.datetime.now(datetime.timezone.utc)
    assert abs((stamp.at - now).total_seconds()) < 300 and stamp.at.utcoffset() == datetime.timedelta(hours=7)

    page = verify_over_http(client, content).content.decode()
    assert "Chữ ký hợp lệ." in page
    assert "PAdES B-T: có dấu thời gian." in page
    assert f"(giờ Việt Nam), do {TSA_NAME} cấp; hợp lệ: dấu thời gian nguyên vẹn" in page
    facts = page[page.index('<dl class="facts">'):]
    assert (facts.index("Nguyên vẹn") < facts.index("Nguyễn Hữu Danh") < facts.index("Được tin cậy")
            < facts.index("PAdES B-T") < facts.index("Dấu thời gian"))


def test_an_authority_the_verifier_does_not_trust_is_said_plainly(client, approved, danh_p12, settings, tmp_path,
                                                                  caplog):
    # the signer's CA is trusted (the fixture danh_p12 comes from it), the authority's CA is not
    server, stop = start_tsa(make_ca("CA lạ của máy chủ dấu thời gian", tmp_path))
    settings.SIGNING_TSA_URL = server.url
    try:
        assert sign_over_http(client, approved, danh_p12, PASSWORD).status_code == 302
    finally:
        stop()
    content = services.frozen_bytes(approved.files.get(purpose=FilePurpose.SIGNED))
    (report,) = signing.verify_pdf(content).signatures
    assert report.level == "PAdES B-T" and report.intact and report.trusted
    assert report.timestamp.intact and not report.timestamp.trusted and not report.valid
    assert "máy chủ cấp nó không được tin cậy" in report.verdict
    page = verify_over_http(client, content).content.decode()
    assert "không hợp lệ: dấu thời gian nguyên vẹn nhưng máy chủ cấp nó không được tin cậy" in page
    assert not [r for r in caplog.records if r.exc_info or r.levelno >= 40], caplog.records


def test_without_an_authority_the_signature_is_b_b(client, approved, danh_p12, settings):
    settings.SIGNING_TSA_URL = ""
    assert sign_over_http(client, approved, danh_p12, PASSWORD).status_code == 302
    content = services.frozen_bytes(approved.files.get(purpose=FilePurpose.SIGNED))
    (report,) = signing.verify_pdf(content).signatures
    assert report.level == "PAdES B-B" and report.timestamp is None and report.valid
    page = verify_over_http(client, content).content.decode()
    assert "PAdES B-B: không có dấu thời gian" in page and "<dt>Dấu thời gian</dt>" not in page


def closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.mark.parametrize("failure", ["unreachable", "refused"])
def test_an_authority_that_fails_leaves_the_document_unsigned_with_a_clear_message(
        client, approved, danh_p12, trusted_ca, settings, caplog, failure):
    stop = None
    if failure == "unreachable":
        settings.SIGNING_TSA_URL = f"http://127.0.0.1:{closed_port()}/tsa"
    else:
        server, stop = start_tsa(trusted_ca)
        server.refuse = True
        settings.SIGNING_TSA_URL = server.url
    files, events, stored = DocumentFile.objects.count(), approved.events.count(), media_files(settings)
    try:
        response = sign_over_http(client, approved, danh_p12, PASSWORD)
    finally:
        if stop:
            stop()
    assert response.status_code == 400
    page = response.content.decode()
    assert "Không lấy được dấu thời gian: máy chủ cấp dấu thời gian (127.0.0.1:" in page
    assert "Văn bản chưa được ký, không có gì được lưu." in page
    approved.refresh_from_db()
    assert approved.status == DocumentStatus.APPROVED
    assert DocumentFile.objects.count() == files and approved.events.count() == events
    assert media_files(settings) == stored
    assert not [r for r in caplog.records if r.exc_info or r.levelno >= 40], caplog.records
    assert any("Time-stamp authority 127.0.0.1:" in r.getMessage() for r in caplog.records)
