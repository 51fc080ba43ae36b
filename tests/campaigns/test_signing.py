"""Digital signature: the signer signs the approved PDF with a PKCS#12 of a test CA made in this run."""

import hashlib

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from campaigns.documents import services, signing
from campaigns.models import DocumentFile, DocumentStatus, EventAction, FilePurpose, PlanDocument
from tests.campaigns.conftest import PASSWORD, make_ca, user
from tests.campaigns.pdfcheck import reader

pytestmark = pytest.mark.django_db

def sign_over_http(client, document, p12: bytes, password: str):
    client.force_login(user("lanhdao.huongtra"))
    return client.post(reverse("campaigns:document_sign", args=[document.pk]), {
        "certificate": SimpleUploadedFile("danh.p12", p12, content_type="application/x-pkcs12"),
        "password": password,
    })


def verify_over_http(client, content: bytes):
    return client.post(reverse("campaigns:verify"), {
        "pdf": SimpleUploadedFile("van-ban.pdf", content, content_type="application/pdf"),
    })


def test_signed_pdf_verifies_with_signer_time_and_no_change(client, approved, danh_p12):
    response = sign_over_http(client, approved, danh_p12, PASSWORD)
    assert response.status_code == 302
    approved.refresh_from_db()
    assert approved.status == DocumentStatus.SIGNED
    signed = approved.files.get(purpose=FilePurpose.SIGNED)
    content = services.frozen_bytes(signed)
    assert hashlib.sha256(content).hexdigest() == signed.sha256
    # the approved PDF is the signed revision: the signature appends, it does not rewrite
    approved_bytes = services.frozen_bytes(approved.files.get(purpose=FilePurpose.APPROVED))
    assert content.startswith(approved_bytes)

    result = signing.verify_pdf(content)
    assert result.all_valid
    (report,) = result.signatures
    assert report.holder == "Nguyễn Hữu Danh" and report.intact and report.trusted
    assert not report.changed_after and report.covers_whole_file
    assert report.signed_at.utcoffset().total_seconds() == 7 * 3600  # Asia/Ho_Chi_Minh

    # the visible stamp sits in the signature space, with signer, title and Vietnam time
    pages = reader(content).pages
    annotations = [a.get_object() for a in pages[-1].get("/Annots", [])]
    widget = next(a for a in annotations if a.get("/FT") == "/Sig" or a.get("/Parent"))
    x1, y1, x2, y2 = (float(v) for v in widget["/Rect"])
    assert x1 > pages[-1].mediabox.width / 2 and y2 > y1
    stream = widget["/AP"]["/N"].get_object().get_data()
    assert b"Tj" in stream or b"TJ" in stream

    page = verify_over_http(client, content).content.decode()
    assert "Chữ ký hợp lệ." in page and "Nguyễn Hữu Danh" in page and "(giờ Việt Nam)" in page
    assert "Nguyên vẹn: chữ ký bao trùm toàn bộ tệp" in page
    assert "Được tin cậy: chứng thư số do tổ chức chứng thực được tin cậy cấp" in page
    assert "PAdES B-B" in page and report.level == "PAdES B-B"
    # in the order a reader checks: intact, who, trusted, level
    facts = page[page.index("<dl class=\"facts\">"):]
    assert facts.index("Nguyên vẹn") < facts.index("Nguyễn Hữu Danh") < facts.index("Được tin cậy") < facts.index("PAdES B-B")
    assert "trùng khớp từng byte với bản đã ký số" in page


def test_the_stamp_prints_signer_title_and_time_in_vietnamese(approved, danh_p12, trusted_ca):
    loaded = signing.load_signer(danh_p12, PASSWORD)
    approved_file = approved.files.get(purpose=FilePurpose.APPROVED)
    from campaigns.documents.render.pdf import SignatureBox

    content = signing.sign_pdf(pdf=services.frozen_bytes(approved_file), loaded=loaded,
                               box=SignatureBox.from_dict(approved_file.meta["signature_box"]),
                               signer_title="PHÓ CHỦ TỊCH", body="ỦY BAN NHÂN DÂN XÃ HẢI DƯƠNG", reason="thử",
                               location="Hải Dương")
    lines = stamp_lines(content)
    assert lines[0] == "Ký bởi: Nguyễn Hữu Danh" and lines[1] == "Chức vụ: PHÓ CHỦ TỊCH"
    assert lines[2] == "Cơ quan: ỦY BAN NHÂN DÂN XÃ HẢI DƯƠNG"
    assert lines[3].startswith("Thời gian ký: ") and lines[3].endswith("(GMT+7)")


def stamp_lines(content: bytes) -> list[str]:
    """The text of the visible stamp: the ActualText of each line in the signature's appearance."""
    from pypdf.generic import ContentStream

    pdf = reader(content)
    for annotation in pdf.pages[-1].get("/Annots", []):
        annotation = annotation.get_object()
        if "/AP" not in annotation:
            continue
        appearance = annotation["/AP"]["/N"].get_object()
        found = []

        def walk(xobject):
            for operands, operator in ContentStream(xobject, pdf).operations:
                if operator == b"BDC" and len(operands) > 1 and "/ActualText" in operands[1]:
                    found.append(str(operands[1]["/ActualText"]))
                if operator == b"Do":
                    walk(xobject["/Resources"]["/XObject"][operands[0]].get_object())

        walk(appearance)
        if found:
            return found
    return []


def test_one_byte_changed_after_signing_does_not_verify(client, approved, danh_p12):
    sign_over_http(client, approved, danh_p12, PASSWORD)
    content = services.frozen_bytes(approved.files.get(purpose=FilePurpose.SIGNED))
    at = content.index(b"WeasyPrint")  # in the signed range: the producer of the first revision
    tampered = content[:at] + b"V" + content[at + 1:]
    assert len(tampered) == len(content) and tampered != content

    result = signing.verify_pdf(tampered)
    assert not result.all_valid
    (report,) = result.signatures
    assert not report.valid and not report.intact
    assert report.trusted  # the CA is trusted: only the content is wrong, and the page says so
    assert not any("tin cậy" in p for p in report.problems)
    page = verify_over_http(client, tampered).content.decode()
    assert "Chữ ký không hợp lệ" in page and "nội dung đã bị thay đổi sau khi ký" in page
    assert "Đã bị thay đổi sau khi ký" in page and "Nguyên vẹn" not in page
    assert "Được tin cậy" in page and "Không được tin cậy" not in page
    assert "Tệp không trùng với bản nào đã chốt trong hệ thống." in page


def test_wrong_password_is_refused_with_a_message_and_nothing_is_stored(client, approved, danh_p12):
    files_before = DocumentFile.objects.count()
    events_before = approved.events.count()
    response = sign_over_http(client, approved, danh_p12, "sai-mat-khau")
    assert response.status_code == 400
    assert "mật khẩu không đúng" in response.content.decode()
    approved.refresh_from_db()
    assert approved.status == DocumentStatus.APPROVED
    assert DocumentFile.objects.count() == files_before
    assert approved.events.count() == events_before
    assert not approved.files.filter(purpose=FilePurpose.SIGNED).exists()


def test_a_certificate_of_someone_else_is_refused(approved, trusted_ca):
    other = trusted_ca.issue_pkcs12("Trần Văn Khác", PASSWORD)
    with pytest.raises(signing.SigningError, match="không phải người ký"):
        services.document_sign(document=approved, pkcs12=other, password=PASSWORD, by=user("lanhdao.huongtra"))
    assert not approved.files.filter(purpose=FilePurpose.SIGNED).exists()


def test_a_signature_from_an_untrusted_ca_is_intact_but_not_valid(approved, trusted_ca, tmp_path, caplog):
    stranger = make_ca("CA lạ", tmp_path)
    p12 = stranger.issue_pkcs12("Nguyễn Hữu Danh", PASSWORD)
    services.document_sign(document=approved, pkcs12=p12, password=PASSWORD, by=user("lanhdao.huongtra"))
    content = services.frozen_bytes(approved.files.get(purpose=FilePurpose.SIGNED))
    (report,) = signing.verify_pdf(content).signatures
    assert report.intact and not report.trusted and not report.valid
    assert "không do tổ chức chứng thực được tin cậy cấp" in report.verdict
    assert "không do tổ chức chứng thực được tin cậy cấp" in report.trust_note
    # an expected outcome, shown on the page: no traceback in the server log
    assert not [r for r in caplog.records if r.exc_info or r.levelno >= 30], caplog.records


def test_a_pdf_without_signature_and_a_file_that_is_not_pdf(client, hai_duong):
    client.force_login(user("canbo.haiduong"))
    document = PlanDocument.objects.get(unit=hai_duong, starter="commune-drive")
    draft = client.get(reverse("campaigns:document_pdf", args=[document.pk])).content
    assert "không có chữ ký số nào" in verify_over_http(client, draft).content.decode()
    assert "không phải là tệp PDF" in verify_over_http(client, b"hello").content.decode()


def test_only_the_leader_signs(client, approved, danh_p12):
    client.force_login(user("canbo.haiduong"))
    response = client.post(reverse("campaigns:document_sign", args=[approved.pk]), {
        "certificate": SimpleUploadedFile("danh.p12", danh_p12), "password": PASSWORD,
    })
    assert response.status_code == 403
    assert not approved.files.filter(purpose=FilePurpose.SIGNED).exists()


def test_issue_keeps_the_signed_pdf_unchanged_and_the_history_shows_who_did_what(client, approved, danh_p12):
    sign_over_http(client, approved, danh_p12, PASSWORD)
    client.force_login(user("canbo.haiduong"))
    response = client.post(reverse("campaigns:document_transition", args=[approved.pk, "ban-hanh"]))
    assert response.status_code == 302
    approved.refresh_from_db()
    assert approved.status == DocumentStatus.ISSUED
    signed = approved.files.get(purpose=FilePurpose.SIGNED)
    issued = approved.files.get(purpose=FilePurpose.ISSUED)
    assert issued.sha256 == signed.sha256
    served = client.get(reverse("campaigns:document_pdf", args=[approved.pk]))
    assert hashlib.sha256(served.content).hexdigest() == issued.sha256
    trail = [(e.action, e.by.username if e.by else None) for e in approved.events.all()]
    assert trail[-4:] == [
        (EventAction.SUBMITTED, "canbo.haiduong"), (EventAction.APPROVED, "lanhdao.huongtra"),
        (EventAction.SIGNED, "lanhdao.huongtra"), (EventAction.ISSUED, "canbo.haiduong"),
    ]
    page = client.get(reverse("campaigns:document_detail", args=[approved.pk])).content.decode()
    assert "Ký số" in page and issued.sha256 in page
