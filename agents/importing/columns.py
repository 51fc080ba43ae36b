"""The participant list's columns (column specs: Vietnamese headers, required, database limits), the
categorical names each column accepts, and the converters of its cells."""

import datetime
import math
import re
from dataclasses import dataclass

from bhxh_portal.importing import (
    ColumnSpec,
    ImportFileError,
    alias_lookup,
    cell_text,
    header_key,
    match_headers,
    parse_date,
    restore_code,
)
from bhxh_portal.numbers import format_number, parse_number
from bhxh_portal.personal_ids import mask_personal_id, mask_personal_ids_in

from ..models import Enrolment, Participant, PaymentMode, Sex, SupportGroup

normalise_header = header_key  # 'Mã số BHXH (10 số)*' -> 'ma so bhxh'; 'Nam/Nữ' -> 'nam nu'
_text = cell_text

COLUMNS = [
    ColumnSpec("bhxh_code", "Mã số BHXH", (
        "Mã số BHXH", "Mã BHXH", "Số sổ BHXH", "Mã số bảo hiểm xã hội", "MSBHXH", "Mã số BH", "Số sổ")),
    ColumnSpec("personal_id", "Số định danh cá nhân", (
        "Số định danh cá nhân", "Số định danh", "Số CCCD", "CCCD", "Số căn cước", "Số căn cước công dân",
        "CMND/CCCD", "Số CMND/CCCD", "Mã định danh", "Số ĐDCN", "Căn cước", "CCCD/ĐDCN", "Số CC")),
    ColumnSpec("full_name", "Họ và tên", ("Họ và tên", "Họ tên", "Tên người tham gia", "Họ và tên người tham gia"),
               required=True, model=Participant),
    ColumnSpec("birth_date", "Ngày sinh", (
        "Ngày sinh", "Ngày tháng năm sinh", "Ngày, tháng, năm sinh", "Năm sinh", "Ngày/tháng/năm sinh"),
        required=True),
    ColumnSpec("sex", "Giới tính", ("Giới tính", "Nam/Nữ", "Giới")),
    ColumnSpec("commune_code", "Mã xã", (
        "Mã xã", "Mã xã, phường", "Mã xã/phường", "Mã đơn vị hành chính xã", "Mã xã phường thị trấn", "Mã ĐVHC"),
        required=True),
    ColumnSpec("village_code", "Mã thôn", ("Mã thôn", "Mã thôn/tổ", "Mã thôn, tổ", "Mã thôn/ấp", "Mã ấp", "Mã tổ")),
    ColumnSpec("household_code", "Mã hộ gia đình", ("Mã hộ", "Mã hộ gia đình", "Số hộ", "Mã hộ GĐ", "Mã HGĐ"),
               model=Participant),
    ColumnSpec("member_order", "Thành viên thứ", (
        "Thành viên thứ", "Thứ tự thành viên", "TT trong hộ", "STT trong hộ", "Người thứ", "Thứ tự trong hộ")),
    ColumnSpec("product", "Loại hình", (
        "Loại hình", "Loại hình tham gia", "Đối tượng tham gia", "Sản phẩm", "Loại bảo hiểm", "Nhóm tham gia"),
        required=True),
    ColumnSpec("valid_from", "Từ ngày", (
        "Từ ngày", "Từ tháng", "Ngày bắt đầu", "Hiệu lực từ", "Giá trị từ", "Thời điểm tham gia"),
        required=True, model=Enrolment),
    ColumnSpec("valid_to", "Đến ngày", ("Đến ngày", "Đến tháng", "Ngày kết thúc", "Hiệu lực đến", "Giá trị đến"),
               model=Enrolment),
    ColumnSpec("income", "Mức thu nhập", (
        "Mức thu nhập", "Mức thu nhập lựa chọn", "Mức thu nhập làm căn cứ đóng", "Mức lương đóng", "Thu nhập",
        "Mức thu nhập tháng"), model=Enrolment, model_field="chosen_income"),
    ColumnSpec("payment_mode", "Phương thức đóng", ("Phương thức đóng", "Phương thức", "Hình thức đóng")),
    ColumnSpec("months", "Số tháng", ("Số tháng", "Số tháng đóng")),
    ColumnSpec("support_group", "Nhóm hỗ trợ", (
        "Nhóm hỗ trợ", "Đối tượng hỗ trợ", "Đối tượng được hỗ trợ", "Nhóm đối tượng", "Hỗ trợ")),
    ColumnSpec("is_new", "Mới/Tái tục", (
        "Mới/Tái tục", "Tham gia mới/Tái tục", "Loại tham gia", "Tình trạng", "Mới hay tái tục", "Mới/Tiếp tục")),
    ColumnSpec("agent", "Đại lý thu", ("Đại lý thu", "Đại lý", "Mã đại lý", "Tên đại lý")),
    ColumnSpec("amount", "Số tiền", ("Số tiền", "Số tiền đóng", "Tổng tiền", "Số tiền phải đóng", "Thành tiền"),
               model=Enrolment, model_field="amount_paid"),
]
COLUMN_BY_FIELD = {c.name: c for c in COLUMNS}
ALIASES = alias_lookup(COLUMNS)
# Headers that carry nothing to import; "Lỗi" and "Cảnh báo" are this importer's own columns,
# so a corrected copy of the error file can be uploaded again as it is.
IGNORED_HEADERS = {normalise_header(h) for h in (
    "STT", "TT", "Số TT", "Số thứ tự", "Ghi chú", "Lỗi", "Cảnh báo", "Địa chỉ", "Số điện thoại", "Điện thoại")}
REQUIRED = [c.name for c in COLUMNS if c.required]
IGNORE = "_ignore"

PAYMENT_MODE_NAMES = {
    PaymentMode.MONTHLY: ("Hằng tháng", "Hàng tháng", "1 tháng", "01 tháng", "Tháng", "Đóng hằng tháng", "1"),
    PaymentMode.QUARTERLY: ("3 tháng", "03 tháng", "Quý", "Hằng quý", "3 tháng/lần", "3"),
    PaymentMode.HALF_YEAR: ("6 tháng", "06 tháng", "6 tháng/lần", "Nửa năm", "6"),
    PaymentMode.YEARLY: ("12 tháng", "12 tháng/lần", "1 năm", "Năm", "Hằng năm", "12"),
    PaymentMode.YEARS_AHEAD: ("Đóng trước nhiều năm", "Nhiều năm", "Trước nhiều năm", "Đóng trước"),
    PaymentMode.LUMP_SUM: ("Đóng một lần", "Đóng 1 lần", "Một lần", "1 lần", "Đóng 1 lần cho những năm còn thiếu"),
}
GROUP_NAMES = {
    SupportGroup.POOR: ("Hộ nghèo", "Nghèo"),
    SupportGroup.NEAR_POOR: ("Hộ cận nghèo", "Cận nghèo"),
    SupportGroup.ETHNIC_MINORITY: ("Dân tộc thiểu số", "DTTS", "Dân tộc"),
    SupportGroup.OTHER: ("Khác", "Đối tượng khác", "Không", "Bình thường"),
    SupportGroup.LOCAL: ("Địa phương", "Chương trình địa phương", "Hỗ trợ địa phương", "Đối tượng địa phương"),
}
NEW_NAMES = {True: ("Mới", "Tham gia mới", "Vận động mới", "M"), False: ("Tái tục", "Tiếp tục", "Gia hạn", "T",
                                                                         "Tái tục (tiếp tục)")}
SEX_NAMES = {Sex.MALE: ("Nam", "M", "Male"), Sex.FEMALE: ("Nữ", "F", "Female", "Nu")}

P_FIELDS = ["bhxh_code", "personal_id", "full_name", "search_name", "birth_date", "birth_year_only", "sex", "commune_id",
            "village_id", "household_code"]
# Which participant fields a file column carries (absent columns leave the stored value alone).
P_FIELD_COLUMNS = {"bhxh_code": "bhxh_code", "personal_id": "personal_id", "full_name": "full_name",
                   "search_name": "full_name",
                   "birth_date": "birth_date", "birth_year_only": "birth_date", "sex": "sex",
                   "commune_id": "commune_code", "village_id": "village_code", "household_code": "household_code"}
E_FIELDS = ["valid_to", "chosen_income", "payment_mode", "months", "support_group", "is_new",
            "household_member_order", "agent_id", "amount_paid", "amount_expected"]
E_FIELD_COLUMNS = {"valid_to": "valid_to", "chosen_income": "income", "payment_mode": "payment_mode",
                   "months": "payment_mode", "support_group": "support_group", "is_new": "is_new",
                   "household_member_order": "member_order", "agent_id": "agent", "amount_paid": "amount",
                   "amount_expected": None}


class Bad(ValueError):
    """One cell cannot be read; the message names the value and what is expected."""


# --- cell converters ------------------------------------------------------------------------

def bhxh_code(value) -> str | None:
    try:
        return restore_code(value, length=10, prefix=2, label="Mã số BHXH")
    except ValueError as exc:
        raise Bad(str(exc)) from None


def personal_id(value) -> str | None:
    # Messages (the check page, the error file) show the number masked, like every list.
    try:
        code = restore_code(value, length=12, prefix=3, label="Số định danh cá nhân")
    except ValueError as exc:
        raise Bad(mask_personal_ids_in(str(exc))) from None
    if code is not None and int(code[:3]) > 96:
        raise Bad(f"Số định danh cá nhân '{mask_personal_id(code)}': 3 chữ số đầu phải là mã tỉnh nơi đăng ký khai "
                  "sinh (001–096)")
    return code


_EXCEL_EPOCH = datetime.date(1899, 12, 30)


def read_date(value, *, label: str, year_only: bool = False) -> tuple[datetime.date | None, bool]:
    """(date, only the year was given). Excel dates and serials, dd/mm/yyyy, mm/yyyy, yyyy-mm-dd."""
    if value is None or value == "":
        return None, False
    if isinstance(value, datetime.datetime):
        return value.date(), False
    if isinstance(value, datetime.date):
        return value, False
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        if year_only and 1900 <= value <= 2100 and float(value).is_integer():
            return datetime.date(int(value), 1, 1), True
        if 1 <= value < 2958466:
            return _EXCEL_EPOCH + datetime.timedelta(days=int(value)), False
        raise Bad(f"{label} '{value}' không hợp lệ")
    text = str(value).strip().split(" ")[0]
    if not text:
        return None, False
    parts = text.split("/") if "/" in text else text.split("-") if text.count("-") == 2 and len(text) < 10 else None
    try:
        if parts and all(p.isdigit() for p in parts):
            if len(parts) == 3:
                day, month, year = (int(p) for p in parts)
                if year < 100:
                    raise Bad(f"{label} '{text}': năm phải đủ 4 chữ số")
                return datetime.date(year, month, day), False
            if len(parts) == 2:
                month, year = (int(p) for p in parts)
                return datetime.date(year, month, 1), False
        if year_only and len(text) == 4 and text.isdigit():
            return datetime.date(int(text), 1, 1), True
        return parse_date(text, label=label), False
    except Bad:
        raise
    except ValueError:
        raise Bad(f"{label} '{text}' không đúng dạng dd/mm/yyyy") from None


def read_whole(value, *, label: str, low: int = 0, high: int | None = None) -> int | None:
    if value is None or value == "":
        return None
    if isinstance(value, bool):
        raise Bad(f"{label} '{value}' không phải là số")
    if isinstance(value, int):
        number = value
    elif isinstance(value, float):
        if not math.isfinite(value):
            raise Bad(f"{label} '{value}' không phải là số")
        if not value.is_integer():
            raise Bad(f"{label} '{format_number(value, 2)}' phải là số nguyên")
        number = int(value)
    else:
        try:
            parsed = parse_number(value)
        except ValueError:
            raise Bad(f"{label} '{value}' không phải là số") from None
        if parsed is None:
            return None
        if parsed != parsed.to_integral_value():
            raise Bad(f"{label} '{value}' phải là số nguyên")
        number = int(parsed)
    if number < low or (high is not None and number > high):
        raise Bad(f"{label} {format_number(number)} ngoài khoảng cho phép ({format_number(low)}–"
                  f"{format_number(high) if high is not None else '…'})")
    return number


class Choice:
    """A categorical column read through a folded lookup, memoised per distinct value."""

    def __init__(self, names: dict, *, label: str, expected: str):
        self.lookup = {}
        for key, variants in names.items():
            for variant in (key, *variants):
                self.lookup[normalise_header(variant)] = key
        self.label, self.expected = label, expected
        self.memo: dict = {}

    def __call__(self, value):
        if value is None or value == "":
            return None
        try:
            return self.memo[value]
        except (KeyError, TypeError):
            pass
        text = _text(value)
        key = normalise_header(text)
        if key not in self.lookup:
            raise Bad(f"{self.label} '{text}' không hợp lệ ({self.expected})")
        self.memo[value] = self.lookup[key]
        return self.lookup[key]

# --- the header ----------------------------------------------------------------------------

@dataclass
class Header:
    line: int                     # 1-based line of the header row in the sheet
    columns: dict[str, int]       # field -> column index
    labels: dict[str, str]        # field -> header as written in the file
    unknown: list[str]            # headers nobody knows (as written), in file order
    skip_lines: int = 0           # a numbering row under the header ((1), (2), ... or A, B, 1, 2)

def find_header(rows: list[list], *, filename: str, mapping: dict[str, str] | None = None,
                search_rows: int = 30) -> Header:
    """The header row (the one of the first rows naming most known columns) and its columns."""
    keys = {normalise_header(k): v for k, v in (mapping or {}).items()}
    best = None
    for index, row in enumerate(rows[:search_rows]):
        hits = sum(1 for cell in row if isinstance(cell, str) and normalise_header(cell) in ALIASES)
        hits += sum(1 for cell in row if isinstance(cell, str) and keys.get(normalise_header(cell), IGNORE)
                    != IGNORE and normalise_header(cell) not in ALIASES)
        if hits >= 3 and (best is None or hits > best[1]):
            best = (index, hits)
    if best is None:
        raise ImportFileError(
            f"Tệp {filename}: không tìm thấy dòng tiêu đề trong {search_rows} dòng đầu (cần các cột như "
            "Mã số BHXH, Họ và tên, Ngày sinh, Mã xã, Loại hình, Từ ngày)."
        )
    index = best[0]
    match = match_headers(rows[index], COLUMNS, filename=filename, line=index + 1, lookup=ALIASES,
                          ignored=IGNORED_HEADERS, mapping=mapping, ignore_marker=IGNORE, check_required=False)
    skip = 0
    if index + 1 < len(rows):
        following = [_text(c) for c in rows[index + 1] if _text(c)]
        if following and all(re.fullmatch(r"\(?[0-9]{1,2}\)?|[A-Z]|[0-9]+ ?= ?[0-9+\-*/ ]+", c) for c in following):
            skip = 1
    return Header(line=index + 1, columns=match.columns, labels=match.labels, unknown=match.unknown, skip_lines=skip)


def missing_columns(header: Header) -> list[str]:
    missing = [COLUMN_BY_FIELD[f].label for f in REQUIRED if f not in header.columns]
    if "bhxh_code" not in header.columns and "personal_id" not in header.columns:
        missing.insert(0, "Mã số BHXH hoặc Số định danh cá nhân")
    return missing
