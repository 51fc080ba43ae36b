"""A target is entered as a rate of its denominator or as a count of people; the other is derived.

DOMAIN.md section 4: target count = rate × denominator, rounded half up to a whole person;
a rate is shown with two decimals, rounded half up. Exact arithmetic throughout (Fraction,
Decimal), never float: 95% of 13.737 is 13.050,15 → 13.050.
"""

from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction

from django.core.exceptions import ValidationError

from bhxh_portal.numbers import format_number, round_half_up

RATE_MAX_PLACES = 4  # what the database keeps of an entered rate
SHOWN_RATE_PLACES = 2


class EnteredAs:
    """The values of targets.models.EnteredAs (this module stays free of models)."""

    RATE = "rate"
    COUNT = "count"


def count_from_rate(rate_pct: Decimal | Fraction, denominator: int) -> int:
    return int(round_half_up(Fraction(rate_pct) * denominator / 100))


def rate_from_count(count: int, denominator: int) -> Decimal:
    """The derived rate, as shown: two decimals, half up."""
    return round_half_up(Fraction(count * 100, denominator), SHOWN_RATE_PLACES)


@dataclass(frozen=True)
class Derived:
    entered_as: str
    rate_pct: Decimal | None
    count: int
    denominator: int | None


def derive(*, rate_pct: Decimal | None, count: int | None, denominator: int | None,
           entered_as: str | None = None, denominator_label: str = "mẫu số",
           rate_allowed: bool = True) -> Derived:
    """Keep the value that was entered and derive the other. Errors are keyed by field
    ('rate_pct', 'count') with Vietnamese messages.

    With both given and `entered_as` unknown (a re-imported export), they must agree: the count
    is the rate's count, or the rate is the count's rate to two decimals.
    """
    errors: dict[str, str] = {}
    if rate_pct is not None:
        rate_pct = Decimal(rate_pct)
        if rate_pct < 0:
            errors["rate_pct"] = f"Tỷ lệ {format_number(rate_pct, 2)}% không được âm."
        elif rate_pct > 100:
            errors["rate_pct"] = f"Tỷ lệ {format_number(rate_pct, 2)}% vượt quá 100%."
        elif rate_pct != rate_pct.quantize(Decimal(1).scaleb(-RATE_MAX_PLACES)):
            errors["rate_pct"] = f"Tỷ lệ chỉ ghi tối đa {RATE_MAX_PLACES} chữ số thập phân."
        elif not rate_allowed:
            errors["rate_pct"] = "Chỉ tiêu của đại lý thu ghi bằng số người, không ghi tỷ lệ."
    if count is not None and count < 0:
        errors["count"] = f"Số người {format_number(count)} không được âm."
    if errors:
        raise ValidationError(errors)
    if rate_pct is None and count is None:
        raise ValidationError({"count": "Cần ghi tỷ lệ (%) hoặc số người."})
    if entered_as == EnteredAs.RATE and rate_pct is None:
        raise ValidationError({"rate_pct": "Chỉ tiêu nhập theo tỷ lệ nhưng chưa ghi tỷ lệ."})
    if entered_as == EnteredAs.COUNT and count is None:
        raise ValidationError({"count": "Chỉ tiêu nhập theo số người nhưng chưa ghi số người."})

    if rate_pct is not None and entered_as != EnteredAs.COUNT:
        if not denominator:
            raise ValidationError({"rate_pct": (
                f"Chưa có {denominator_label}: không tính được số người từ tỷ lệ. "
                f"Hãy nhập {denominator_label} trước, hoặc ghi số người."
            )})
        derived_count = count_from_rate(rate_pct, denominator)
        if count is None or entered_as == EnteredAs.RATE or count == derived_count:
            return Derived(EnteredAs.RATE, rate_pct, derived_count, denominator)
        # Both given, not agreeing on the count: the rate may be the count's rate, rounded.
        if rate_from_count(count, denominator) == round_half_up(rate_pct, SHOWN_RATE_PLACES):
            return Derived(EnteredAs.COUNT, rate_from_count(count, denominator), count, denominator)
        raise ValidationError({"count": (
            f"Số người {format_number(count)} không khớp tỷ lệ {format_number(rate_pct, 2)}% của "
            f"{denominator_label} {format_number(denominator)} (= {format_number(derived_count)} người). "
            "Chỉ ghi một trong hai, hoặc sửa cho khớp."
        )})
    rate = rate_from_count(count, denominator) if denominator else None
    return Derived(EnteredAs.COUNT, rate, count, denominator or None)


def exact_rate(*, entered_as: str, rate_pct: Decimal | None, count: int,
               denominator: int | None) -> Fraction | None:
    """The rate to compute with (achievement % is taken from unrounded values)."""
    if entered_as == EnteredAs.RATE and rate_pct is not None:
        return Fraction(rate_pct)
    if denominator:
        return Fraction(count * 100, denominator)
    return None
