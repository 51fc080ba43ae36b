"""`{% once_field "purpose" %}`: the hidden one-time token of a form (bhxh_portal.idempotency)."""

from django import template
from django.utils.html import format_html

from bhxh_portal.idempotency import TOKEN_FIELD, once_token

register = template.Library()


@register.simple_tag(takes_context=True)
def once_field(context, purpose: str):
    request = context.get("request")
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return ""
    return format_html('<input type="hidden" name="{}" value="{}">', TOKEN_FIELD,
                       once_token(user=user, purpose=purpose))
