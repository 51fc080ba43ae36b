"""The one-time form token (bhxh_portal.idempotency): a token writes once, a failed write leaves it
usable, a token of another user, another form or too old writes nothing and says so."""

import datetime

import pytest
from django.template import Context, Template
from django.test import RequestFactory

from bhxh_portal import idempotency
from bhxh_portal.idempotency import Repeated, WriteRefused, once, once_token
from bhxh_portal.models import FormSubmission
from units.models import Role
from tests.factories import make_member, make_unit

pytestmark = pytest.mark.django_db


@pytest.fixture
def user():
    return make_member(make_unit("Tỉnh Một", level_code="tinh"), Role.BHXH_STAFF)


def write(token, user, *, purpose="demo.form", fail=False):
    with once(token=token, user=user, purpose=purpose, repeated="Đã tạo") as claim:
        make_unit(level_code="tinh")
        if fail:
            raise ValueError("refused")
        claim.done("/ket-qua/1/")


def test_a_token_writes_once_and_the_second_submission_is_sent_to_the_first_ones_page(user):
    token = once_token(user=user, purpose="demo.form")
    write(token, user)
    with pytest.raises(Repeated) as repeated:
        write(token, user)
    assert repeated.value.url == "/ket-qua/1/"
    assert repeated.value.message.startswith("Đã tạo lúc ") and "không ghi lại lần nữa" in repeated.value.message
    assert FormSubmission.objects.count() == 1


def test_a_write_that_fails_leaves_the_token_usable(user):
    token = once_token(user=user, purpose="demo.form")
    with pytest.raises(ValueError):
        write(token, user, fail=True)
    assert not FormSubmission.objects.exists()
    write(token, user)
    assert FormSubmission.objects.count() == 1


def test_a_token_of_another_user_or_form_writes_nothing(user):
    other = make_member(make_unit("Tỉnh Hai", level_code="tinh"), Role.BHXH_STAFF)
    token = once_token(user=user, purpose="demo.form")
    for args in [(token, other), (token + "x", user)]:
        with pytest.raises(WriteRefused, match="không hợp lệ"):
            write(*args)
    with pytest.raises(WriteRefused, match="không hợp lệ"):
        write(token, user, purpose="demo.other")
    assert not FormSubmission.objects.exists()


def test_a_form_kept_open_too_long_is_refused_with_a_reason(user, monkeypatch):
    token = once_token(user=user, purpose="demo.form")
    monkeypatch.setattr(idempotency, "MAX_AGE", datetime.timedelta(seconds=-1))
    with pytest.raises(WriteRefused, match="mở quá lâu"):
        write(token, user)


def test_without_a_token_the_write_runs_unguarded(user):
    write(None, user)
    write("", user)
    assert not FormSubmission.objects.exists()


def test_the_template_tag_gives_a_hidden_field_with_a_fresh_token(user):
    request = RequestFactory().get("/")
    request.user = user
    template = Template('{% load once %}{% once_field "demo.form" %}')
    first, second = (template.render(Context({"request": request})) for _ in range(2))
    assert first.startswith('<input type="hidden" name="once_token" value="') and first != second
