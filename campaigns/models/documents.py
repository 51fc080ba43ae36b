"""Plan and report documents (kế hoạch, báo cáo) in the national format (Decree 30/2020/NĐ-CP).

A document is its header (issuing body and its parent, number and symbol, place and date, subject,
legal bases), an ordered list of blocks (text in a light markup, or live blocks whose content is
read from the database when the document is rendered), the recipients (Nơi nhận) and the signature
block. Its life: draft → submitted → approved → signed → issued. At approval the PDF is rendered
once and frozen (DocumentFile with its SHA-256); the signer signs that file; the signed file is the
one issued. The frozen file is the text to be issued and carries no DỰ THẢO; until the document is
issued every copy served of it gets the mark laid over (`prints_as_draft`). A frozen file is never rewritten: a change after approval is a new version, which is a
new document pointing at the previous one. PlanEvent records who did what; django-simple-history
keeps every value a field or block ever had.
"""

import datetime

from django.conf import settings
from django.db import models
from django.db.models import Q
from simple_history.models import HistoricalRecords

from bhxh_portal.files import portal_name
from bhxh_portal.search import fold_text
from units.periods import Period


class DocumentType(models.TextChoices):
    PLAN = "KH", "Kế hoạch"
    REPORT = "BC", "Báo cáo"


class DocumentStatus(models.TextChoices):
    DRAFT = "draft", "Dự thảo"
    SUBMITTED = "submitted", "Đã trình duyệt"
    APPROVED = "approved", "Đã duyệt"
    SIGNED = "signed", "Đã ký số"
    ISSUED = "issued", "Đã ban hành"


class Authority(models.TextChoices):
    """How the signer signs (Decree 30, Article 13): for the head, acting, by order, by authorisation."""

    NONE = "", "Ký trực tiếp"
    KT = "KT.", "KT. (ký thay người đứng đầu)"
    Q = "Q.", "Q. (quyền)"
    TL = "TL.", "TL. (thừa lệnh)"
    TUQ = "TUQ.", "TUQ. (thừa ủy quyền)"


class BlockKind(models.TextChoices):
    TEXT = "text", "Đoạn văn"
    TARGETS = "targets", "Chỉ tiêu của đơn vị"
    ALLOCATION = "allocation", "Bảng phân bổ chỉ tiêu"
    COVERAGE = "coverage", "Bảng tỷ lệ bao phủ"
    REMAINING = "remaining", "Bảng số người còn phải vận động"
    EVALUATION = "evaluation", "Đánh giá kết quả năm trước"
    ACTIVITIES = "activities", "Lịch hoạt động vận động"
    PHASES = "phases", "Các giai đoạn thực hiện"
    ASSIGNMENTS = "assignments", "Phân công thực hiện"
    REPORTING = "reporting", "Chế độ báo cáo"


class PlanDocument(models.Model):
    unit = models.ForeignKey("units.Unit", on_delete=models.PROTECT, related_name="plan_documents",
                             verbose_name="đơn vị ban hành")
    doc_type = models.CharField("loại văn bản", max_length=2, choices=DocumentType.choices,
                                default=DocumentType.PLAN)
    starter = models.CharField("mẫu khởi tạo", max_length=40, blank=True,
                               help_text="Loại kế hoạch mẫu dùng để tạo bản dự thảo (commune-drive, ...)")
    year = models.PositiveSmallIntegerField("năm")
    period_key = models.CharField(
        "kỳ số liệu", max_length=10, blank=True,
        help_text="Kỳ của số liệu trong các bảng: 2021, 2023-H2, 2023-06 (trống: cả năm)",
    )
    parent_body = models.CharField("cơ quan chủ quản", max_length=200, blank=True,
                                   help_text="Tên cơ quan cấp trên trực tiếp, chữ in hoa (vd: UBND THỊ XÃ HƯƠNG TRÀ)")
    issuing_body = models.CharField("cơ quan ban hành", max_length=200,
                                    help_text="Chữ in hoa (vd: ỦY BAN NHÂN DÂN XÃ HẢI DƯƠNG)")
    number = models.CharField("số", max_length=20, blank=True, help_text="Để trống nếu văn thư cấp số sau")
    symbol = models.CharField("chữ viết tắt cơ quan", max_length=30,
                              help_text="Phần sau loại văn bản trong ký hiệu: 162/KH-UBND → UBND")
    place = models.CharField("địa danh", max_length=100, help_text="vd: Hải Dương")
    issued_on = models.DateField("ngày văn bản", null=True, blank=True,
                                 help_text="Để trống thì in chỗ trống cho ngày, tháng")
    subject = models.CharField("trích yếu", max_length=500)
    # Number and subject folded (bhxh_portal.search), kept in step by save(): the list is searched
    # without needing the accents, as units and participants are.
    search_name = models.CharField(max_length=600, editable=False, blank=True)
    legal_bases = models.JSONField("căn cứ", default=list, blank=True)
    recipients = models.JSONField("nơi nhận", default=list, blank=True)
    sign_on_behalf = models.CharField("thay mặt tập thể (TM.)", max_length=200, blank=True,
                                      help_text="vd: ỦY BAN NHÂN DÂN → in 'TM. ỦY BAN NHÂN DÂN'")
    sign_authority = models.CharField("thẩm quyền ký", max_length=5, choices=Authority.choices, blank=True)
    sign_authority_title = models.CharField("chức danh người đứng đầu", max_length=200, blank=True,
                                            help_text="vd: CHỦ TỊCH → in 'KT. CHỦ TỊCH'")
    signer_title = models.CharField("chức vụ người ký", max_length=200, blank=True, help_text="vd: PHÓ CHỦ TỊCH")
    signer_name = models.CharField("họ tên người ký", max_length=200, blank=True,
                                   help_text="Cần có trước khi trình duyệt")
    signer = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+",
        verbose_name="tài khoản người ký", help_text="Nếu chọn, chỉ người này được ký số văn bản",
    )
    status = models.CharField("trạng thái", max_length=20, choices=DocumentStatus.choices,
                              default=DocumentStatus.DRAFT, db_index=True)
    version = models.PositiveSmallIntegerField("phiên bản", default=1)
    previous_version = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="next_versions",
        verbose_name="phiên bản trước",
    )
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                   related_name="+", verbose_name="người tạo")
    created_at = models.DateTimeField("tạo lúc", auto_now_add=True)
    updated_at = models.DateTimeField("sửa lúc", auto_now=True)

    history = HistoricalRecords(verbose_name="lịch sử văn bản")

    class Meta:
        ordering = ["-year", "-created_at", "-pk"]
        verbose_name = "kế hoạch, báo cáo"
        verbose_name_plural = "kế hoạch, báo cáo"
        indexes = [models.Index(fields=["unit", "year"], name="plandoc_unit_year")]
        constraints = [
            models.CheckConstraint(
                condition=Q(version=1, previous_version__isnull=True) | Q(version__gt=1, previous_version__isnull=False),
                name="plandoc_version_chain",
                violation_error_message="Phiên bản sau phải trỏ tới phiên bản trước.",
            ),
        ]

    def __str__(self):
        return self.label

    def save(self, *args, **kwargs):
        self.search_name = fold_text(f"{self.number} {self.subject}")[:600]
        update_fields = kwargs.get("update_fields")
        if update_fields is not None and {"number", "subject"} & set(update_fields):
            kwargs["update_fields"] = {*update_fields, "search_name"}
        super().save(*args, **kwargs)

    @property
    def is_issued(self) -> bool:
        return self.status == DocumentStatus.ISSUED

    @property
    def prints_as_draft(self) -> bool:
        """Every print of a document not yet issued says DỰ THẢO (a watermark and the header), however
        far it went: approved and signed texts are final in wording but not yet in force, and a copy
        must not pass for the issued one. The one place the PDF, the DOCX and the page ask."""
        return not self.is_issued

    # -- what the header prints -----------------------------------------------------------------
    @property
    def number_symbol(self) -> str:
        """'162/KH-UBND'; without a number the clerk fills it in by hand: '     /KH-BHXH'."""
        number = self.number.strip() or "\u00a0" * 6
        return f"{number}/{self.doc_type}-{self.symbol}"

    @property
    def issuing_body_line(self) -> str:
        """The issuing body on one line (the header may break it in two)."""
        return " ".join(self.issuing_body.split())

    @property
    def type_title(self) -> str:
        return DocumentType(self.doc_type).label.upper()

    @property
    def date_line(self) -> str:
        """'Hải Dương, ngày 19 tháng 3 năm 2021': a leading zero for days under 10 and for months 1 and 2."""
        return f"{self.place}, {vietnamese_date(self.issued_on, year=self.year)}"

    @property
    def signature_lines(self) -> list[str]:
        lines = []
        if self.sign_on_behalf:
            lines.append(f"TM. {self.sign_on_behalf}")
        if self.sign_authority and self.sign_authority_title:
            lines.append(f"{self.sign_authority} {self.sign_authority_title}")
        if self.signer_title:
            lines.append(self.signer_title)
        return lines

    @property
    def period(self) -> Period:
        return Period.parse(self.period_key) if self.period_key else Period.of_year(self.year)

    @property
    def is_editable(self) -> bool:
        return self.status == DocumentStatus.DRAFT

    @property
    def label(self) -> str:
        return f"{DocumentType(self.doc_type).label} {self.number_symbol.strip()} — {' '.join(self.subject.split())}"


def vietnamese_date(day: datetime.date | None, *, year: int | None = None) -> str:
    if day is None:
        blank = "\u00a0" * 5
        return f"ngày{blank}tháng{blank}năm {year or ''}".rstrip()
    day_text = f"{day.day:02d}" if day.day < 10 else str(day.day)
    month_text = f"{day.month:02d}" if day.month <= 2 else str(day.month)
    return f"ngày {day_text} tháng {month_text} năm {day.year}"


class PlanBlock(models.Model):
    """One block of a document, in order: text (light markup) or a live block rendered from the database."""

    document = models.ForeignKey(PlanDocument, on_delete=models.CASCADE, related_name="blocks",
                                 verbose_name="văn bản")
    position = models.PositiveIntegerField("thứ tự")
    kind = models.CharField("loại khối", max_length=20, choices=BlockKind.choices, default=BlockKind.TEXT)
    text = models.TextField(
        "nội dung", blank=True,
        help_text="Đoạn văn: nội dung. Khối số liệu: lời dẫn in trước bảng (có thể để trống)",
    )
    params = models.JSONField("tham số", default=dict, blank=True)

    history = HistoricalRecords(verbose_name="lịch sử khối nội dung")

    class Meta:
        ordering = ["position", "pk"]
        verbose_name = "khối nội dung"
        verbose_name_plural = "khối nội dung"

    def __str__(self):
        return f"{self.position}. {self.get_kind_display()}"


class FilePurpose(models.TextChoices):
    APPROVED = "approved", "Bản đã duyệt"
    SIGNED = "signed", "Bản đã ký số"
    ISSUED = "issued", "Bản phát hành"


def _document_file_path(instance: "DocumentFile", filename: str) -> str:
    return portal_name("van-ban", filename)


class DocumentFile(models.Model):
    """A frozen PDF: written once, never changed; its SHA-256 is checked whenever it is served."""

    document = models.ForeignKey(PlanDocument, on_delete=models.PROTECT, related_name="files",
                                 verbose_name="văn bản")
    purpose = models.CharField("loại bản", max_length=20, choices=FilePurpose.choices)
    file = models.FileField("tệp", upload_to=_document_file_path, max_length=300)
    sha256 = models.CharField("SHA-256", max_length=64, db_index=True)
    size = models.PositiveIntegerField("dung lượng (byte)")
    meta = models.JSONField("thông tin thêm", default=dict, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                   related_name="+", verbose_name="người tạo")
    created_at = models.DateTimeField("tạo lúc", auto_now_add=True)

    class Meta:
        ordering = ["document", "created_at", "pk"]
        verbose_name = "tệp văn bản đã chốt"
        verbose_name_plural = "tệp văn bản đã chốt"
        constraints = [
            models.UniqueConstraint(fields=["document", "purpose"], name="docfile_one_per_purpose",
                                    violation_error_message="Văn bản đã có bản này; không ghi đè."),
        ]

    def __str__(self):
        return f"{self.get_purpose_display()} — {self.document.number_symbol} — {self.sha256[:12]}"

    @property
    def filename(self) -> str:
        return self.file.name.rsplit("/", 1)[-1]


class EventAction(models.TextChoices):
    CREATED = "created", "Tạo dự thảo"
    EDITED = "edited", "Sửa phần đầu văn bản"
    BLOCK_ADDED = "block_added", "Thêm khối nội dung"
    BLOCK_CHANGED = "block_changed", "Sửa khối nội dung"
    BLOCK_MOVED = "block_moved", "Đổi thứ tự khối"
    BLOCK_REMOVED = "block_removed", "Xóa khối nội dung"
    SUBMITTED = "submitted", "Trình duyệt"
    RETURNED = "returned", "Trả lại để sửa"
    APPROVED = "approved", "Duyệt (chốt bản PDF)"
    SIGNED = "signed", "Ký số"
    ISSUED = "issued", "Ban hành"
    NEW_VERSION = "new_version", "Tạo phiên bản mới"


class PlanEvent(models.Model):
    """Who did what to a document, and when; file events carry the SHA-256 of the file."""

    document = models.ForeignKey(PlanDocument, on_delete=models.CASCADE, related_name="events",
                                 verbose_name="văn bản")
    action = models.CharField("việc", max_length=20, choices=EventAction.choices)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                           related_name="+", verbose_name="người thực hiện")
    at = models.DateTimeField("lúc", auto_now_add=True)
    note = models.CharField("ghi chú", max_length=500, blank=True)
    sha256 = models.CharField("SHA-256", max_length=64, blank=True)

    class Meta:
        ordering = ["at", "pk"]
        verbose_name = "nhật ký văn bản"
        verbose_name_plural = "nhật ký văn bản"

    def __str__(self):
        return f"{self.at:%d/%m/%Y %H:%M} — {self.get_action_display()}"
