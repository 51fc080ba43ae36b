"""Stored files: kept where no URL reaches them, under names the portal makes, sent by one helper.

- `PrivateStorage` (the default storage) keeps every upload and generated file under MEDIA_ROOT
  and has no URL: a file is only ever sent by a view that first checks the subtree rule
  (an uploaded page served from the portal's own origin would run its scripts there).
- `portal_name` makes the stored name (`<folder>/<uuid4 hex><safe extension>`): the uploader's
  file name never reaches the disk; it is kept in a model field for display and download only.
- `file_download` is the one way a view sends a file: as an attachment whose name survives
  Vietnamese letters (`filename*=UTF-8''…` with an ASCII fallback), `nosniff`, `no-store`.
- `validate_office_document` accepts an attachment only when its extension and its first bytes
  agree on one of the document types an office uses (PDF, Word, Excel, JPEG, PNG).
"""

import re
import unicodedata
import uuid
import zipfile
from pathlib import PurePosixPath
from urllib.parse import quote

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.storage import FileSystemStorage
from django.http import FileResponse, Http404, HttpResponse

_SAFE_EXTENSION = re.compile(r"\.[a-z0-9]{1,8}")

# The content type each extension is sent with; anything else goes as a plain byte stream, so a
# stored page or script (an old upload) is never sent as something a browser would render.
CONTENT_TYPES = {
    ".pdf": "application/pdf",
    ".docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    ".xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    ".xlsm": "application/vnd.ms-excel.sheet.macroEnabled.12",
    ".xls": "application/vnd.ms-excel",
    ".ods": "application/vnd.oasis.opendocument.spreadsheet",
    ".csv": "text/csv; charset=utf-8",
    ".jpg": "image/jpeg",
    ".jpeg": "image/jpeg",
    ".png": "image/png",
}
OCTET_STREAM = "application/octet-stream"


class PrivateStorage(FileSystemStorage):
    """MEDIA_ROOT on disk, reachable by no URL: asking for one is a programming error."""

    def url(self, name):
        raise ValueError(f"Stored files have no URL ({name}); send them through a view that checks access.")


def original_name(name: str, *, default: str = "tep") -> str:
    """The uploader's file name without any folder part, for display and as the download name."""
    name = (name or "").replace("\\", "/").rsplit("/", 1)[-1].strip()
    name = "".join(ch for ch in name if unicodedata.category(ch)[0] != "C")
    return name[:200] or default


def safe_extension(filename: str) -> str:
    """The name's extension in lower case when it is short and plain (".xlsx"), else ""."""
    suffix = PurePosixPath(original_name(filename)).suffix.lower()
    return suffix if _SAFE_EXTENSION.fullmatch(suffix) else ""


def portal_name(folder: str, filename: str = "") -> str:
    """A stored name the portal makes: `<folder>/<uuid4 hex><extension of filename>`."""
    return f"{folder.strip('/')}/{uuid.uuid4().hex}{safe_extension(filename)}"


def ascii_name(filename: str) -> str:
    """The download name for browsers that ignore filename*: accents folded, odd characters dropped."""
    text = filename.replace("đ", "d").replace("Đ", "D")
    text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    text = re.sub(r"[^A-Za-z0-9._-]+", "-", text).strip("-.")
    return text or "tep"


def content_disposition(filename: str) -> str:
    """`attachment` with an ASCII fallback and the exact name (RFC 6266 / RFC 5987)."""
    return f"attachment; filename=\"{ascii_name(filename)}\"; filename*=UTF-8''{quote(filename, safe='')}"


def file_download(content, *, filename: str, content_type: str | None = None) -> HttpResponse:
    """Send bytes (made now) or an open binary file (a stored one, streamed) as a download.

    Always an attachment (never rendered on the portal's origin), `X-Content-Type-Options:
    nosniff`, and `Cache-Control: no-store`: every file the portal sends is either personal data or
    figures scoped to the user's units, and no shared or browser cache may keep it."""
    filename = original_name(filename)
    content_type = content_type or CONTENT_TYPES.get(safe_extension(filename), OCTET_STREAM)
    if isinstance(content, (bytes, bytearray)):
        response = HttpResponse(bytes(content), content_type=content_type)
    else:
        response = FileResponse(content, content_type=content_type)
    response["Content-Disposition"] = content_disposition(filename)
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "no-store"
    return response


# --- attachments: the document types an office uses ------------------------------------------

OFFICE_DOCUMENTS = {
    ".pdf": "PDF",
    ".docx": "Word (.docx)",
    ".xlsx": "Excel (.xlsx)",
    ".jpg": "ảnh JPG",
    ".jpeg": "ảnh JPG",
    ".png": "ảnh PNG",
}
_ZIP_PART = {".docx": "word/", ".xlsx": "xl/"}


def _zip_has_part(upload, folder: str) -> bool:
    try:
        upload.seek(0)
        with zipfile.ZipFile(upload) as archive:
            names = archive.namelist()
    except (zipfile.BadZipFile, OSError, ValueError):
        return False
    finally:
        upload.seek(0)
    return "[Content_Types].xml" in names and any(n.startswith(folder) for n in names)


def _content_matches(extension: str, head: bytes, upload) -> bool:
    if extension == ".pdf":
        return head.startswith(b"%PDF-")
    if extension in (".jpg", ".jpeg"):
        return head.startswith(b"\xff\xd8\xff")
    if extension == ".png":
        return head.startswith(b"\x89PNG\r\n\x1a\n")
    if extension in _ZIP_PART:
        return head.startswith(b"PK\x03\x04") and _zip_has_part(upload, _ZIP_PART[extension])
    return False


def attachment_max_bytes() -> int:
    return getattr(settings, "ATTACHMENT_MAX_UPLOAD_MB", 20) * 1024 * 1024


def validate_office_document(upload) -> None:
    """Refuse (ValidationError, in Vietnamese, naming the file) an upload that is not a PDF, DOCX,
    XLSX, JPEG or PNG by its extension, or whose first bytes are not those of that type."""
    name = original_name(getattr(upload, "name", ""))
    extension = safe_extension(name)
    if extension not in OFFICE_DOCUMENTS:
        raise ValidationError(f"Tệp {name}: chỉ nhận tệp PDF, Word (.docx), Excel (.xlsx), ảnh JPG hoặc PNG.")
    size = getattr(upload, "size", None)
    if size is not None and size > attachment_max_bytes():
        raise ValidationError(f"Tệp {name} quá lớn ({size / 1048576:.1f} MB); giới hạn là "
                              f"{attachment_max_bytes() // 1048576} MB.")
    upload.seek(0)
    head = upload.read(16)
    upload.seek(0)
    if not _content_matches(extension, head, upload):
        raise ValidationError(f"Tệp {name}: nội dung không phải {OFFICE_DOCUMENTS[extension]} như phần mở rộng "
                              f"{extension} cho biết; hãy tải lên đúng tệp.")


def dataset_download(dataset, *, fmt: str, filename: str) -> HttpResponse:
    """A tablib dataset as a .csv (UTF-8 with a BOM, so Excel shows the accents) or .xlsx download;
    another format is not found."""
    if fmt == "csv":
        content = dataset.export("csv").encode("utf-8-sig")
    elif fmt == "xlsx":
        content = dataset.export("xlsx")
    else:
        raise Http404("Chỉ xuất được .csv hoặc .xlsx.")
    return file_download(content, filename=f"{filename}.{fmt}")
