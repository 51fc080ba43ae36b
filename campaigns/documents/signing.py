"""Digital signatures on documents: PAdES with pyHanko, and their verification.

Signing takes the signer's PKCS#12 file (.p12/.pfx) and its password, used for that one signature
and never stored, and adds a PAdES signature with a visible stamp in the signature space of the
document: who signed (the certificate holder), their title, the body, and the time in
Asia/Ho_Chi_Minh. With settings.SIGNING_TSA_URL the signature gets an RFC 3161 time-stamp from that
authority (PAdES B-T: the time is vouched for by a third party, not only the signer's clock); without
it the signature is PAdES B-B and no network is reached.

Verification takes any PDF and reports, for each signature, in the order a reader checks: whether
the content is intact or was changed after signing, who signed and when, whether the certificate
chains to a trusted root and why not, and the PAdES level with the time-stamp's time and whether the
time-stamp is intact and trusted. The trusted roots (signers' CAs and time-stamp authorities) are the
certificate files listed in settings.SIGNING_TRUST_ROOTS (PEM or DER; comma-separated in the
environment variable of the same name).
"""

import datetime
import io
import logging
import os
import tempfile
import urllib.parse
import zoneinfo
from dataclasses import dataclass, field
from pathlib import Path

from django.conf import settings

from .render.pdf import FONTS_DIR, SignatureBox

logger = logging.getLogger(__name__)
VIETNAM = zoneinfo.ZoneInfo("Asia/Ho_Chi_Minh")
FIELD_NAME = "ChuKySo"
STAMP_FONT_SOURCE = FONTS_DIR / "LiberationSerif-Regular.ttf"


class SigningError(Exception):
    """A refusal the signer should read, in Vietnamese."""


@dataclass(frozen=True)
class LoadedSigner:
    signer: object  # pyhanko SimpleSigner
    holder: str  # the certificate's common name
    subject: str
    serial: str
    not_after: datetime.datetime


def load_signer(pkcs12: bytes, password: str) -> LoadedSigner:
    """Open the PKCS#12 file; a wrong password or a file that is not PKCS#12 is refused."""
    from pyhanko.sign import signers

    if not pkcs12:
        raise SigningError("Chưa chọn tệp chứng thư số (.p12, .pfx).")
    try:
        signer = signers.SimpleSigner.load_pkcs12_data(
            pkcs12, other_certs=[], passphrase=password.encode("utf-8") if password else None
        )
    except (ValueError, TypeError) as exc:
        raise SigningError(
            "Không mở được chứng thư số: mật khẩu không đúng hoặc tệp không phải tệp PKCS#12 (.p12, .pfx). "
            "Văn bản chưa được ký, không có gì được lưu."
        ) from exc
    cert = signer.signing_cert
    now = datetime.datetime.now(datetime.timezone.utc)
    if not (cert.not_valid_before <= now <= cert.not_valid_after):
        raise SigningError(
            f"Chứng thư số hết hiệu lực hoặc chưa có hiệu lực (từ {cert.not_valid_before.astimezone(VIETNAM):%d/%m/%Y} "
            f"đến {cert.not_valid_after.astimezone(VIETNAM):%d/%m/%Y}). Văn bản chưa được ký."
        )
    holder = cert.subject.native.get("common_name") or cert.subject.human_friendly
    return LoadedSigner(signer, holder, cert.subject.human_friendly, format(cert.serial_number, "X"),
                        cert.not_valid_after)


def _stamp_font() -> str:
    """Liberation Serif rescaled to 1000 units per em for the stamp.

    pyHanko writes glyph widths in font units while PDF expects thousandths of an em, so a font
    with 2048 units per em (Liberation) prints twice too wide; a rescaled copy prints right.
    Made once per process in the temporary directory."""
    from fontTools.ttLib import TTFont
    from fontTools.ttLib.scaleUpem import scale_upem

    target = Path(tempfile.gettempdir()) / f"bhxh-stamp-{STAMP_FONT_SOURCE.stat().st_size}-1000-v2.ttf"
    if not target.exists():
        font = TTFont(str(STAMP_FONT_SOURCE))
        if font["head"].unitsPerEm != 1000:
            scale_upem(font, 1000)
        if "FFTM" in font:  # FontForge's timestamps: nothing to subset, fontTools would warn
            del font["FFTM"]
        partial = target.with_suffix(f".{os.getpid()}.tmp")
        font.save(str(partial))
        os.replace(partial, target)
    return str(target)


def timestamper():
    """The time-stamp authority of the settings, or None (signatures at B-B)."""
    from pyhanko.sign.timestamps import HTTPTimeStamper

    url = (getattr(settings, "SIGNING_TSA_URL", "") or "").strip()
    if not url:
        return None
    username = getattr(settings, "SIGNING_TSA_USERNAME", "")
    auth = (username, getattr(settings, "SIGNING_TSA_PASSWORD", "")) if username else None
    return HTTPTimeStamper(url, auth=auth, timeout=getattr(settings, "SIGNING_TSA_TIMEOUT", 10))


TSA_UNREACHABLE = ("Không lấy được dấu thời gian: máy chủ cấp dấu thời gian ({host}) không trả lời hoặc "
                   "trả lời không hợp lệ. Văn bản chưa được ký, không có gì được lưu. Hãy thử lại sau; "
                   "nếu vẫn không được, báo quản trị hệ thống kiểm tra địa chỉ máy chủ cấp dấu thời gian.")


def sign_pdf(*, pdf: bytes, loaded: LoadedSigner, box: SignatureBox | None, signer_title: str, body: str,
             reason: str, location: str, when: datetime.datetime | None = None) -> bytes:
    """The PDF with a PAdES signature and its visible stamp in `box` (PDF points): B-T with the
    time-stamp authority of the settings, B-B without one."""
    from pyhanko.pdf_utils.font.opentype import GlyphAccumulatorFactory
    from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
    from pyhanko.pdf_utils.text import TextBoxStyle
    from pyhanko.sign import fields, signers
    from pyhanko.stamp import TextStampStyle

    when = (when or datetime.datetime.now(datetime.timezone.utc)).astimezone(VIETNAM)
    style = TextStampStyle(
        stamp_text="Ký bởi: %(holder)s\nChức vụ: %(title)s\nCơ quan: %(body)s\nThời gian ký: %(time)s",
        text_box_style=TextBoxStyle(font=GlyphAccumulatorFactory(_stamp_font(), font_size=8), font_size=8,
                                    leading=10),
        border_width=1,
    )
    if box is None:  # a PDF without a signature space: bottom right of the last page
        box = SignatureBox(-1, 330, 60, 560, 130)
    meta = signers.PdfSignatureMetadata(
        field_name=FIELD_NAME, md_algorithm="sha256", subfilter=fields.SigSeedSubFilter.PADES,
        reason=reason, location=location, name=loaded.holder,
    )
    from pyhanko.sign.timestamps import TimestampRequestError

    writer = IncrementalPdfFileWriter(io.BytesIO(pdf))
    tsa = timestamper()
    pdf_signer = signers.PdfSigner(
        meta, signer=loaded.signer, stamp_style=style, timestamper=tsa,
        new_field_spec=fields.SigFieldSpec(FIELD_NAME, on_page=box.page, box=(box.x1, box.y1, box.x2, box.y2)),
    )
    try:
        output = pdf_signer.sign_pdf(writer, appearance_text_params={
            "holder": loaded.holder, "title": signer_title, "body": body,
            "time": f"{when:%d/%m/%Y %H:%M:%S} (GMT+7)",
        })
    except TimestampRequestError as exc:  # an outage of the authority, expected: one line, no traceback
        host = urllib.parse.urlsplit(tsa.url).netloc or tsa.url
        logger.warning("Time-stamp authority %s did not answer: %s (%s)", host, exc, exc.__cause__ or "")
        raise SigningError(TSA_UNREACHABLE.format(host=host)) from exc
    except Exception as exc:  # pyHanko raises many kinds; the signer needs one sentence
        if tsa is not None and _from_timestamping(exc):
            host = urllib.parse.urlsplit(tsa.url).netloc or tsa.url
            logger.warning("Time-stamp authority %s answered badly: %s", host, exc)
            raise SigningError(TSA_UNREACHABLE.format(host=host)) from exc
        raise SigningError(f"Không ký được văn bản: {exc}") from exc
    return output.getvalue()


def _from_timestamping(exc: BaseException) -> bool:
    """Whether an error came out of the time-stamp exchange (a refusal or a malformed reply is raised
    by pyHanko's timestamp code as a plain error)."""
    tb = exc.__traceback__
    while tb is not None:
        if "pyhanko/sign/timestamps" in tb.tb_frame.f_code.co_filename.replace("\\", "/"):
            return True
        tb = tb.tb_next
    return False


# --- verification --------------------------------------------------------------------------------
@dataclass
class SignatureReport:
    field_name: str
    valid: bool  # intact, cryptographically valid, trusted and unchanged since
    intact: bool
    trusted: bool
    holder: str
    subject: str
    signed_at: datetime.datetime | None
    covers_whole_file: bool
    changed_after: bool
    change_note: str
    problems: list[str] = field(default_factory=list)
    trust_note: str = ""  # why the certificate is (not) trusted
    level: str = ""  # PAdES baseline level, or what else the signature is
    timestamp: "TimestampReport | None" = None  # the signature time-stamp (B-T and above)

    @property
    def verdict(self) -> str:
        if self.valid:
            return "Chữ ký hợp lệ."
        return "Chữ ký không hợp lệ: " + "; ".join(self.problems) + "."


@dataclass(frozen=True)
class TimestampReport:
    """The signature's time-stamp: when the authority saw the signature, and whether to believe it."""

    at: datetime.datetime | None
    intact: bool  # the token is unaltered and stamps this very signature
    trusted: bool  # the authority's certificate chains to a trusted root
    authority: str
    note: str  # why it is (not) trusted, in Vietnamese

    @property
    def valid(self) -> bool:
        return self.intact and self.trusted


def _timestamp_report(status) -> TimestampReport | None:
    ts = getattr(status, "timestamp_validity", None)
    if ts is None:
        return None
    trusted, why = _trust(ts)
    cert = ts.signing_cert
    authority = cert.subject.native.get("common_name") or cert.subject.human_friendly if cert else ""
    at = ts.timestamp.astimezone(VIETNAM) if ts.timestamp else None
    intact = bool(ts.intact and ts.valid)
    if not intact:
        note = "dấu thời gian đã bị thay đổi hoặc không khớp với chữ ký"
    elif trusted:
        note = "dấu thời gian nguyên vẹn, do máy chủ cấp dấu thời gian được tin cậy cấp"
    else:
        note = "dấu thời gian nguyên vẹn nhưng máy chủ cấp nó không được tin cậy: " + why.replace(
            "chứng thư số", "chứng thư của máy chủ cấp dấu thời gian", 1)
    return TimestampReport(at, intact, trusted, authority, note)


class _QuietCertificateErrors(logging.Filter):
    """pyHanko logs every certificate it cannot chain to a trusted root as a warning with a
    traceback; that is an expected outcome of checking a stranger's file, shown on the page, so
    the server log keeps one plain line instead."""

    def filter(self, record: logging.LogRecord) -> bool:
        if record.exc_info:
            record.exc_info = None
            record.exc_text = None
            record.levelno, record.levelname = logging.INFO, "INFO"
        return True


_CMS_LOGGER = logging.getLogger("pyhanko.sign.validation.generic_cms")
if not any(isinstance(f, _QuietCertificateErrors) for f in _CMS_LOGGER.filters):
    _CMS_LOGGER.addFilter(_QuietCertificateErrors())

TRUST_NOTES = {
    "NO_CERTIFICATE_CHAIN_FOUND": "chứng thư số không do tổ chức chứng thực được tin cậy cấp "
                                  "(không tìm thấy chuỗi chứng thực tới một gốc tin cậy đã cấu hình)",
    "OUT_OF_BOUNDS_NO_POE": "chứng thư số đã hết hạn hoặc chưa có hiệu lực vào lúc kiểm tra",
    "OUT_OF_BOUNDS_NOT_REVOKED": "chứng thư số đã hết hạn hoặc chưa có hiệu lực vào lúc kiểm tra",
    "NOT_YET_VALID": "chứng thư số chưa có hiệu lực vào lúc ký",
    "EXPIRED": "chứng thư số đã hết hạn",
    "REVOKED_NO_POE": "chứng thư số đã bị thu hồi",
    "REVOKED_CA_NO_POE": "chứng thư của tổ chức chứng thực đã bị thu hồi",
    "CRYPTO_CONSTRAINTS_FAILURE": "thuật toán của chứng thư số không còn được chấp nhận",
    "CRYPTO_CONSTRAINTS_FAILURE_NO_POE": "thuật toán của chứng thư số không còn được chấp nhận",
}


def _trust(status) -> tuple[bool, str]:
    """Whether the certificate chains to a trusted root, judged apart from whether the content is
    intact (pyHanko's `trusted` folds both together), and why, in Vietnamese."""
    problem = status.trust_problem_indic
    if problem is None and status.validation_path is not None:
        return True, "chứng thư số do tổ chức chứng thực được tin cậy cấp, còn hiệu lực"
    name = getattr(problem, "name", "")
    return False, TRUST_NOTES.get(name, "chứng thư số không được xác nhận là tin cậy"
                                  + (f" ({name})" if name else ""))


def _pades_level(sig, status, reader) -> str:
    """The PAdES baseline level the file reaches: B-B (signature only), B-T (with a signature
    time-stamp), B-LT (with validation data in the file), B-LTA (with a document time-stamp)."""
    subfilter = str(sig.sig_object.get("/SubFilter", ""))
    if subfilter != "/ETSI.CAdES.detached":
        return f"không phải PAdES (chữ ký kiểu {subfilter.lstrip('/') or 'không rõ'})"
    level = "B-B"
    if getattr(status, "timestamp_validity", None) is not None:
        level = "B-T"
        if "/DSS" in reader.root:
            level = "B-LT"
            if any(s.sig_object.get("/Type") == "/DocTimeStamp" for s in reader.embedded_signatures):
                level = "B-LTA"
    return f"PAdES {level}"


@dataclass
class Verification:
    signatures: list[SignatureReport]
    error: str = ""

    @property
    def all_valid(self) -> bool:
        return bool(self.signatures) and all(s.valid for s in self.signatures) and not self.error


def trust_root_paths() -> list[str]:
    configured = getattr(settings, "SIGNING_TRUST_ROOTS", None)
    if configured is None:
        configured = [p for p in os.environ.get("SIGNING_TRUST_ROOTS", "").split(",") if p.strip()]
    return [str(p).strip() for p in configured]


def _load_roots(extra: list | None) -> list:
    from asn1crypto import pem
    from asn1crypto import x509 as asn1_x509

    roots = list(extra or [])
    for path in trust_root_paths():
        data = Path(path).read_bytes()
        if pem.detect(data):
            roots += [asn1_x509.Certificate.load(der) for _, _, der in pem.unarmor(data, multiple=True)]
        else:
            roots.append(asn1_x509.Certificate.load(data))
    return roots


def verify_pdf(data: bytes, *, extra_roots: list | None = None) -> Verification:
    """Every signature of the PDF, checked against the trusted roots (no network)."""
    from pyhanko.pdf_utils.misc import PdfReadError
    from pyhanko.pdf_utils.reader import PdfFileReader
    from pyhanko.sign.validation import validate_pdf_signature
    from pyhanko.sign.validation.status import SignatureCoverageLevel
    from pyhanko_certvalidator import ValidationContext

    if not data.startswith(b"%PDF"):
        return Verification([], "Tệp không phải là tệp PDF.")
    try:
        reader = PdfFileReader(io.BytesIO(data), strict=False)
        embedded = list(reader.embedded_signatures)
    except (PdfReadError, ValueError, KeyError, TypeError) as exc:
        return Verification([], f"Không đọc được tệp PDF (tệp hỏng hoặc đã bị sửa): {exc}")
    if not embedded:
        return Verification([], "Tệp PDF không có chữ ký số nào.")
    context = ValidationContext(trust_roots=_load_roots(extra_roots), allow_fetching=False,
                                revocation_mode="soft-fail")
    reports = []
    for sig in embedded:
        try:
            status = validate_pdf_signature(sig, context)
        except Exception as exc:  # a damaged signature must be reported, not crash the page
            reports.append(SignatureReport(
                sig.field_name, False, False, False, "", "", None, False, True, "",
                [f"không kiểm tra được chữ ký ({exc})"],
            ))
            continue
        cert = status.signing_cert
        whole = status.coverage == SignatureCoverageLevel.ENTIRE_FILE
        level = status.modification_level
        changed = not whole
        change_note = ""
        if changed:
            name = getattr(level, "name", "OTHER") if level is not None else "OTHER"
            change_note = {
                "LTA_UPDATES": "sau khi ký chỉ được bổ sung dữ liệu kiểm tra chữ ký",
                "FORM_FILLING": "sau khi ký có điền biểu mẫu hoặc thêm chữ ký khác",
                "ANNOTATIONS": "sau khi ký có thêm ghi chú",
            }.get(name, "văn bản đã bị sửa sau khi ký")
        problems = []
        if not status.intact:
            problems.append("nội dung đã bị thay đổi sau khi ký (mã băm không khớp)")
        if not status.valid:
            problems.append("chữ ký số không đúng")
        trusted, trust_note = _trust(status)
        if not trusted:
            problems.append(trust_note)
        if changed and not status.docmdp_ok:
            problems.append(change_note)
        timestamp = _timestamp_report(status)
        if timestamp is not None and not timestamp.valid:
            problems.append(timestamp.note)
        signed_at = status.signer_reported_dt.astimezone(VIETNAM) if status.signer_reported_dt else None
        reports.append(SignatureReport(
            field_name=sig.field_name, valid=status.bottom_line and not problems, intact=status.intact,
            trusted=trusted, trust_note=trust_note, level=_pades_level(sig, status, reader),
            holder=cert.subject.native.get("common_name") or cert.subject.human_friendly,
            subject=cert.subject.human_friendly, signed_at=signed_at, covers_whole_file=whole,
            changed_after=changed, change_note=change_note, problems=problems, timestamp=timestamp,
        ))
    return Verification(reports)
