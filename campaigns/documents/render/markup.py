"""The light markup of a document's text: headings (#), lists (- and 1.), **bold** and *italics*.

Python-Markdown with everything else switched off: raw HTML is escaped (a unit called
"Xã <b>A</b>" prints those characters), links, images, code and quotes are plain text.
"""

import html
import re

import markdown
from django.utils.html import strip_tags
from django.utils.safestring import SafeString, mark_safe

_INLINE_OFF = ("backtick", "reference", "link", "image_link", "image_reference", "short_reference",
               "short_image_ref", "autolink", "automail", "html")
_BLOCK_OFF = ("code", "hr", "quote", "reference")


def _converter() -> markdown.Markdown:
    md = markdown.Markdown(output_format="html")
    md.preprocessors.deregister("html_block")
    for name in _INLINE_OFF:
        md.inlinePatterns.deregister(name)
    for name in _BLOCK_OFF:
        md.parser.blockprocessors.deregister(name)
    return md


def to_html(text: str) -> SafeString:
    """Safe HTML of the subset (p, h1–h6, ul, ol, li, strong, em, br)."""
    if not text or not text.strip():
        return mark_safe("")
    md = _converter()
    return mark_safe(md.convert(text))  # noqa: S308 — every raw tag was escaped above


_BLOCK_END = re.compile(r"</(p|h[1-6]|li)>|<br\s*/?>")


def to_plain_text(text: str) -> str:
    """The text without its markup, on one line: a short preview of a block (the list of blocks),
    where "## I. MỤC ĐÍCH" reads "I. MỤC ĐÍCH" and "- **a**" reads "a"."""
    if not text or not text.strip():
        return ""
    plain = html.unescape(strip_tags(_BLOCK_END.sub(" ", str(to_html(text)))))
    return " ".join(plain.split())
