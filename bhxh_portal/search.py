"""Accent-free search, one rule for every list that can be searched (units, participants, documents).

Each searchable model stores a folded copy of the text searched (`search_name`), written with the
row and indexed, so that the same query runs on SQLite and PostgreSQL without an unaccent extension:
'nguyen van' finds 'Nguyễn Văn', 'Nguyễn' finds it too, 'hai' finds 'Hải Dương' but not 'Thái'."""

import unicodedata

from django.db.models import Q


def fold_text(text: str) -> str:
    """Lower-case, accent-free form for search: 'Xã Hải Dương' -> 'xa hai duong'."""
    text = text.replace("đ", "d").replace("Đ", "D")
    decomposed = unicodedata.normalize("NFD", text)
    return "".join(c for c in decomposed if not unicodedata.combining(c)).lower().strip()


def folded_words_q(text: str, *fields: str) -> Q | None:
    """Every word of `text`, folded, at the start of a word of one of the folded columns `fields`
    ('hai' finds 'Hải Dương', not 'Thái'); None when the text has no word."""
    words = fold_text(text).split()
    if not words:
        return None
    condition = Q()
    for word in words:
        either = Q()
        for field in fields:
            either |= Q(**{f"{field}__startswith": word}) | Q(**{f"{field}__contains": f" {word}"})
        condition &= either
    return condition
