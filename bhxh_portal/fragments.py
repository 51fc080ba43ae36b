"""Small templates rendered once per content: a row of a table that hundreds of pages print the same.

`fragment(name, **values)` renders the template `name` with `values` alone (no request, no context
processors) and remembers the HTML by the values themselves, in this process. The values must be plain
(str, int, bool, None, Fraction, Decimal, tuples of them): what the template sees is what the key holds, so the HTML
remembered is the HTML the same values would render now — a save that changes a figure changes the key,
never a remembered answer. Only the template's text outside the values is taken as fixed (the cached
template loader takes it so already).
"""

from decimal import Decimal
from fractions import Fraction
from functools import lru_cache

from django.template.loader import get_template
from django.utils.autoreload import file_changed
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import get_language

# The type is part of the key: 1, True and Fraction(1) are equal (and hash alike) but print differently;
# a Decimal by its text as well: Decimal("95") == Decimal("95.0"). A tuple holds plain values (or tuples).
_PLAIN = frozenset({str, SafeString, int, bool, type(None), Fraction})


def _types(name: str, value):
    """The type of `value`, or the types of a tuple's items, all the way down."""
    kind = type(value)
    if kind is tuple:
        kinds = tuple(map(type, value))
        if _PLAIN.issuperset(kinds):  # a row of plain cells, the common case: no recursion
            return kinds
        return tuple(_types(name, item) for item in value)
    if kind not in _PLAIN:
        raise TypeError(f"{name}: {kind.__name__} is not a plain value; pass what the template prints")
    return kind


def _key(values: dict) -> tuple:
    key = []
    for name, value in values.items():
        if type(value) is Decimal:
            key.append((name, Decimal, str(value)))
        else:
            key.append((name, _types(name, value), value))
    return tuple(key)


# A row is under 1 KB: at most ~8 MB per process. The load's pages print ~6.000 distinct rows (150
# communes' dashboards, 10 districts' dashboards and coverage tables).
@lru_cache(maxsize=8192)
def _render(name: str, language: str | None, key: tuple) -> SafeString:
    values = {n: (Decimal(v) if kind is Decimal else v) for n, kind, v in key}
    return mark_safe(get_template(name).render(values).removesuffix("\n"))


def fragment(name: str, /, **values) -> SafeString:
    """The HTML of template `name` with `values` (the file's last line break dropped)."""
    # The active language is part of the key: numbers are localized by it (one language today).
    return _render(name, get_language(), _key(values))


def _forget(sender, file_path, **kwargs):
    # runserver: an edited template renders anew without a restart, as Django's own loaders do.
    if file_path.suffix != ".py":
        _render.cache_clear()


file_changed.connect(_forget, dispatch_uid="bhxh_portal.fragments")
