"""Codes kept as text with their leading zeros (mã số BHXH, số định danh, mã xã, mã đơn vị).

Excel turns a code typed into a general cell into a number: '0101000001' becomes 101000001. Where the
code has a fixed length, the zeros lost at the front are known and are put back; where the length
says digits are gone for good (or Excel wrote the number in scientific notation), the cell is refused.
"""

import re

_SCIENTIFIC = re.compile(r"^[0-9](?:[.,][0-9]+)?[eE]\+?[0-9]+$")


def code_text(value) -> str:
    """A code cell as text: a whole number from Excel without its '.0', text stripped."""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).strip()


def pad_code(text: str, digits: int | None) -> str:
    """Leading zeros back on a code of digits shorter than its fixed length (1 -> '01' for 2 digits)."""
    if digits and text.isdigit() and len(text) < digits:
        return text.zfill(digits)
    return text


def restore_code(value, *, length: int, prefix: int, label: str) -> str | None:
    """A code of exactly `length` digits; one Excel turned into a number gets its leading zeros back
    where no more than the `prefix` digits (which may be zeros) were lost, and is refused otherwise.
    Raises ValueError with a Vietnamese reason."""
    if value is None or value == "":
        return None
    if isinstance(value, bool):
        raise ValueError(f"{label} '{value}' không hợp lệ")
    if isinstance(value, float):
        if not value.is_integer():
            raise ValueError(f"{label} '{value}' không phải là mã (có phần thập phân)")
        text = str(int(value))
    elif isinstance(value, int):
        text = str(value)
    else:  # text, or a date or time cell where a code was expected
        text = str(value).strip().lstrip("'").replace(" ", "")
        if not text:
            return None
        if _SCIENTIFIC.match(text):
            raise ValueError(f"{label} '{text}' đã bị Excel đổi sang dạng số mũ và mất chữ số; định dạng cột là "
                             "Văn bản (Text) rồi nhập lại mã")
    if not text.isdigit():
        raise ValueError(f"{label} '{text}' phải gồm {length} chữ số")
    if len(text) > length:
        raise ValueError(f"{label} '{text}' có {len(text)} chữ số, phải là {length}")
    if len(text) < length:
        padded = text.zfill(length)
        if padded[:prefix].strip("0") == "":
            raise ValueError(f"{label} '{text}' chỉ có {len(text)} chữ số: đã mất số 0 ở đầu và không khôi phục "
                             f"được (mã phải có {length} chữ số); định dạng cột là Văn bản (Text) rồi nhập lại mã")
        text = padded
    return text


def loose_identifier(value, digits: int) -> str:
    """Text of digits as typed (checked by the caller); a whole number Excel stripped of at most two
    leading zeros gets them back (a CCCD starts with a 3-digit province code 001–096, a mã số BHXH
    with a 2-digit one)."""
    if value in (None, ""):
        return ""
    if isinstance(value, int) and not isinstance(value, bool):
        text = str(value)
        if digits - 2 <= len(text) < digits:
            text = text.zfill(digits)
        return text
    return str(value).strip().replace(" ", "").replace(".", "")
