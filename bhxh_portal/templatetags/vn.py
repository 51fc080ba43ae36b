"""Template filters for Vietnamese figures; loaded as a builtin in every template."""

from django import template
from django.utils.safestring import SafeString

from bhxh_portal.numbers import format_number, format_percent

register = template.Library()

# A formatted number is digits and . , % ( ) - only (text that is not a number raises in
# format_number; inf and nan print as such): nothing to escape. A dashboard prints hundreds, and
# escaping each one was a tenth of its template's time.
_digits = SafeString


@register.filter
def so(value, places=0):
    """{{ 148806|so }} -> 148.806; {{ 89.1124|so:2 }} -> 89,11."""
    if value is None or value == "":
        return ""
    return _digits(format_number(value, int(places)))


@register.filter
def so_bang(value, places=0):
    """Table style: negatives in parentheses, (75)."""
    if value is None or value == "":
        return ""
    return _digits(format_number(value, int(places), negative_in_parentheses=True))


@register.filter
def phan_tram(value, places=2):
    if value is None or value == "":
        return ""
    return _digits(format_percent(value, int(places)))


@register.filter
def nam(value):
    """A year is a name, not a quantity: {{ 2026|nam }} -> 2026, never 2.026 (USE_THOUSAND_SEPARATOR)."""
    if value in (None, ""):
        return ""
    try:
        return str(int(value))
    except (TypeError, ValueError):
        return str(value)

