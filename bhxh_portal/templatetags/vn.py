"""Template filters for Vietnamese figures; loaded as a builtin in every template."""

from django import template

from bhxh_portal.numbers import format_number, format_percent

register = template.Library()


@register.filter
def so(value, places=0):
    """{{ 148806|so }} -> 148.806; {{ 89.1124|so:2 }} -> 89,11."""
    if value in (None, ""):
        return ""
    return format_number(value, int(places))


@register.filter
def so_bang(value, places=0):
    """Table style: negatives in parentheses, (75)."""
    if value in (None, ""):
        return ""
    return format_number(value, int(places), negative_in_parentheses=True)


@register.filter
def phan_tram(value, places=2):
    if value in (None, ""):
        return ""
    return format_percent(value, int(places))


@register.filter
def nam(value):
    """A year is a name, not a quantity: {{ 2026|nam }} -> 2026, never 2.026 (USE_THOUSAND_SEPARATOR)."""
    if value in (None, ""):
        return ""
    try:
        return str(int(value))
    except (TypeError, ValueError):
        return str(value)
