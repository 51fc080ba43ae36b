from django import template

from bhxh_portal.numbers import format_percent

register = template.Library()


@register.filter
def get_item(mapping, key):
    return mapping.get(key) if mapping else None


@register.filter
def pct_of(done, target):
    """{{ 12|pct_of:40 }} -> 30,00%"""
    if not target:
        return ""
    from fractions import Fraction

    return format_percent(Fraction(done or 0) * 100 / Fraction(target))


@register.filter
def mask_id(value):
    """{{ p.personal_id|mask_id }} -> 0123****5678 (agents.personal_data)."""
    from agents.personal_data import mask_personal_id

    return mask_personal_id(value)
