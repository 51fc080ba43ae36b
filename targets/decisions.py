"""The source of a target: the document that set it, e.g. 'Quyết định 324/QĐ-UBND ngày 15/03/2021'.

People write it in many ways ("QĐ số 324/QĐ-UBND ngày 15 tháng 3 năm 2021 của UBND thị xã");
`parse_decision` reads them all into a number, a date and an issuer, and `Decision.label` prints
one way. The document type comes from the number (QĐ → Quyết định, KH → Kế hoạch, ...).
"""

import datetime
import re
from dataclasses import dataclass

DOCUMENT_TYPES = {
    "QĐ": "Quyết định",
    "QD": "Quyết định",
    "KH": "Kế hoạch",
    "NQ": "Nghị quyết",
    "CV": "Công văn",
    "TB": "Thông báo",
    "CT": "Chỉ thị",
}
_TYPE_WORDS = r"(?:quyết định|quyet dinh|kế hoạch|ke hoach|nghị quyết|nghi quyet|công văn|cong van|thông báo|chỉ thị|qđ|qd|kh|nq)"


@dataclass(frozen=True)
class Decision:
    number: str
    date: datetime.date | None = None
    issuer: str = ""

    @property
    def document_type(self) -> str:
        return document_type_of(self.number)

    @property
    def label(self) -> str:
        if not self.number:
            return ""
        parts = [f"{self.document_type} {self.number}".strip()]
        if self.date:
            parts.append(f"ngày {self.date:%d/%m/%Y}")
        if self.issuer:
            parts.append(f"của {self.issuer}")
        return " ".join(parts)

    def __str__(self) -> str:
        return self.label


def document_type_of(number: str) -> str:
    """'324/QĐ-UBND' -> 'Quyết định'; '162/KH-UBND' -> 'Kế hoạch'; unknown -> 'Văn bản'."""
    if not number:
        return ""
    after_slash = number.rsplit("/", 1)[1] if "/" in number else number
    code = re.split(r"[-/ ]", after_slash.strip(), maxsplit=1)[0].upper()
    return DOCUMENT_TYPES.get(code, "Văn bản")


def parse_decision(text) -> Decision | None:
    """Read 'Quyết định 324/QĐ-UBND ngày 15/3/2021', '324/QĐ-UBND ngày 15 tháng 3 năm 2021 của UBND
    thị xã' or just '324/QĐ-UBND'. Empty -> None. Raises ValueError (Vietnamese) when no number."""
    if text is None:
        return None
    raw = re.sub(r"\s*/\s*", "/", " ".join(str(text).split()))  # "295 /KH-BCĐ" as printed
    if not raw:
        return None
    rest = re.sub(rf"^{_TYPE_WORDS}\.?\s*", "", raw, flags=re.IGNORECASE)
    rest = re.sub(r"^số\s*:?\s*", "", rest, flags=re.IGNORECASE)
    match = re.match(r"([0-9A-Za-zÀ-ỹĐđ.]+/[^\s,;]+)", rest)
    if not match:
        raise ValueError(
            f"Không đọc được số văn bản trong '{raw}' (vd: Quyết định 324/QĐ-UBND ngày 15/3/2021)."
        )
    number = match.group(1).rstrip(".")
    tail = rest[match.end():].strip(" ,;")
    date = None
    issuer = ""
    date_match = re.match(
        r"ngày\s+(\d{1,2})\s*(?:/|-|\.|\s+tháng\s+)(\d{1,2})\s*(?:/|-|\.|\s+năm\s+)(\d{4})",
        tail, flags=re.IGNORECASE,
    )
    if date_match:
        day, month, year = (int(g) for g in date_match.groups())
        try:
            date = datetime.date(year, month, day)
        except ValueError as exc:
            raise ValueError(f"Ngày {day}/{month}/{year} của văn bản {number} không có thật.") from exc
        tail = tail[date_match.end():].strip(" ,;")
    elif tail.lower().startswith("ngày"):
        raise ValueError(f"Ngày của văn bản {number} không đúng dạng dd/mm/yyyy: '{tail}'.")
    if tail.lower().startswith("của "):
        issuer = tail[4:].strip()
    return Decision(number=number, date=date, issuer=issuer)
