"""Vietnamese number display and parsing, and the half-up rounding the official tables use.

148.806 (thousands with '.'), 89,11 (decimals with ','), (75) for a negative in a table.
"""

from decimal import ROUND_HALF_UP, Decimal, InvalidOperation, localcontext
from fractions import Fraction

Number = int | Decimal | Fraction | float

# The largest values the database's integer columns hold (PostgreSQL's integer and bigint; SQLite's
# integers are 64-bit): a count past INT_MAX or an id past BIGINT_MAX is refused before it is written.
INT_MAX = 2_147_483_647
BIGINT_MAX = 9_223_372_036_854_775_807


def to_decimal(value: Number) -> Decimal:
    if isinstance(value, Decimal):
        return value
    if isinstance(value, Fraction):
        return Decimal(value.numerator) / Decimal(value.denominator)
    if isinstance(value, float):
        return Decimal(repr(value))
    return Decimal(value)


def round_half_up(value: Number, places: int = 0) -> Decimal:
    """Round half away from zero, on the exact value (a Fraction stays exact until here)."""
    if isinstance(value, Fraction):
        scaled = value * (10**places)
        whole, remainder = divmod(abs(scaled.numerator), scaled.denominator)
        if 2 * remainder >= scaled.denominator:
            whole += 1
        if scaled < 0:
            whole = -whole
        return Decimal(whole).scaleb(-places)
    quantum = Decimal(1).scaleb(-places)
    number = to_decimal(value)
    if not number.is_finite():
        return number
    with localcontext() as context:  # 10^30 from a hostile cell has more digits than the default 28
        context.prec = max(context.prec, number.adjusted() + places + 3)
        return number.quantize(quantum, rounding=ROUND_HALF_UP)


def format_number(value: Number | None, places: int = 0, *, negative_in_parentheses: bool = False) -> str:
    """148806 -> '148.806'; 89.1124 with places=2 -> '89,11'; -75 in a table -> '(75)'."""
    if value is None:
        return ""
    if type(value) is int and places == 0:  # the common case (counts): exact, nothing to round
        text = f"{abs(value):,}".replace(",", ".")
        return (f"({text})" if negative_in_parentheses else f"-{text}") if value < 0 else text
    rounded = round_half_up(value, places)
    if not rounded.is_finite():
        return str(value)  # inf, nan: quoted as they came
    negative = rounded < 0
    # copy_abs, not abs(): abs() rounds to the context's 28 digits (10^28 + 1 would print 10^28)
    text = f"{rounded.copy_abs():,.{places}f}".replace(",", " ").replace(".", ",").replace(" ", ".")
    if negative:
        return f"({text})" if negative_in_parentheses else f"-{text}"
    return text


def format_percent(value: Number | None, places: int = 2) -> str:
    if value is None:
        return ""
    return f"{format_number(value, places)}%"


def parse_number(text: str | int | float | Decimal | None) -> Decimal | None:
    """Read a number as Vietnamese officials type it: 148.806, 1.234,5, 95,00; also 95.00 and 13737.

    A lone '.' followed by groups of exactly three digits is a thousands separator (148.806);
    otherwise it is a decimal point (95.00). A lone ',' is the decimal separator (95,00).
    Raises ValueError with a Vietnamese message.
    """
    if text is None:
        return None
    if isinstance(text, bool):
        raise ValueError("không phải là số")
    if isinstance(text, (int, Decimal, float)):
        value = Decimal(repr(text)) if isinstance(text, float) else Decimal(text)
        if not value.is_finite():  # a spreadsheet cell may hold inf or NaN
            raise ValueError(f"'{text}' không phải là số hợp lệ")
        return value
    raw = str(text).strip().replace("\u00a0", "").replace(" ", "")
    if raw == "":
        return None
    negative = False
    if raw.startswith("(") and raw.endswith(")"):
        negative, raw = True, raw[1:-1]
    if raw.endswith("%"):
        raw = raw[:-1]
    if raw.startswith("-"):
        negative, raw = not negative, raw[1:]
    elif raw.startswith("+"):
        raw = raw[1:]
    if "." in raw and "," in raw:
        decimal_sep = "," if raw.rfind(",") > raw.rfind(".") else "."
        thousands_sep = "." if decimal_sep == "," else ","
        integer, _, fraction = raw.rpartition(decimal_sep)
        groups = integer.split(thousands_sep)
        if not _is_thousands_grouping(groups):
            raise ValueError(f"'{text}' không phải là số hợp lệ")
        normalised = "".join(groups) + "." + fraction
    elif "." in raw or "," in raw:
        sep = "." if "." in raw else ","
        parts = raw.split(sep)
        if len(parts) > 2 or (sep == "." and all(len(p) == 3 for p in parts[1:])):
            if not _is_thousands_grouping(parts):
                raise ValueError(f"'{text}' không phải là số hợp lệ")
            normalised = "".join(parts)
        else:
            normalised = parts[0] + "." + parts[1]
    else:
        normalised = raw
    if not normalised.replace(".", "", 1).isdigit():
        raise ValueError(f"'{text}' không phải là số hợp lệ")
    try:
        value = Decimal(normalised)
    except InvalidOperation as exc:
        raise ValueError(f"'{text}' không phải là số hợp lệ") from exc
    return value.copy_negate() if negative else value  # exact: unary minus rounds to 28 digits


def parse_id(text) -> int | None:
    """An id typed in a URL or a form field: ASCII digits within the database's bigint, else None
    (str.isdigit also takes '²', which int() refuses)."""
    text = str(text).strip()
    if not (text.isascii() and text.isdigit()):
        return None
    value = int(text)
    return value if value <= BIGINT_MAX else None


def parse_whole_number(text) -> int | None:
    value = parse_number(text)
    if value is None:
        return None
    if value != value.to_integral_value():
        raise ValueError(f"'{text}' phải là số nguyên")
    return int(value)


def _is_thousands_grouping(groups: list[str]) -> bool:
    return (
        bool(groups)
        and groups[0].isdigit()
        and 1 <= len(groups[0]) <= 3
        and all(len(g) == 3 and g.isdigit() for g in groups[1:])
    )
