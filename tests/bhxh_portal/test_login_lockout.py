"""Login attempts are rate-limited (django-axes) and sessions expire."""

import pytest
from django.conf import settings
from django.test import override_settings

from tests.factories import UserFactory


@pytest.fixture
def official(db):
    user = UserFactory(username="canbo.thu")
    user.set_password("mat-khau-dung")
    user.save()
    return user


@override_settings(AXES_ENABLED=True)
def test_five_wrong_passwords_lock_the_login_even_for_the_right_one(client, official):
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        response = client.post("/dang-nhap/", {"username": "canbo.thu", "password": "sai"})
        assert response.status_code == 200
        assert "không đúng" in response.content.decode()
    locked = client.post("/dang-nhap/", {"username": "canbo.thu", "password": "sai"})
    assert locked.status_code == 429
    assert "Tạm khóa đăng nhập" in locked.content.decode()
    still_locked = client.post("/dang-nhap/", {"username": "canbo.thu", "password": "mat-khau-dung"})
    assert still_locked.status_code == 429
    assert "_auth_user_id" not in client.session


@override_settings(AXES_ENABLED=True)
def test_a_success_before_the_limit_resets_the_count(client, official):
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        client.post("/dang-nhap/", {"username": "canbo.thu", "password": "sai"})
    ok = client.post("/dang-nhap/", {"username": "canbo.thu", "password": "mat-khau-dung"})
    assert ok.status_code == 302
    client.post("/dang-xuat/")
    again = client.post("/dang-nhap/", {"username": "canbo.thu", "password": "sai"})
    assert again.status_code == 200


def test_sessions_expire():
    assert settings.SESSION_COOKIE_AGE <= 8 * 3600
    assert settings.SESSION_EXPIRE_AT_BROWSER_CLOSE is True


@pytest.mark.django_db
def test_an_expired_session_is_sent_to_the_login_page(client, official):
    """The server keeps a session SESSION_COOKIE_AGE (8 hours) from the last save; after that the next
    request is anonymous again and lands on the login page, with the page it asked for as `next`."""
    import datetime
    from importlib import import_module

    from django.contrib.sessions.models import Session
    from django.core.cache import caches
    from django.utils import timezone

    assert client.post("/dang-nhap/", {"username": "canbo.thu", "password": "mat-khau-dung"}).status_code == 302
    assert client.get("/").status_code == 200
    session = Session.objects.get(session_key=client.session.session_key)
    lifetime = session.expire_date - timezone.now()
    assert datetime.timedelta(hours=7, minutes=59) < lifetime <= datetime.timedelta(seconds=settings.SESSION_COOKIE_AGE)
    Session.objects.filter(pk=session.pk).update(expire_date=timezone.now() - datetime.timedelta(seconds=1))
    # With a cache in front of the sessions (cached_db) the cached copy is kept for the same lifetime, so it
    # goes at the same moment as the row: the test ages both.
    store = import_module(settings.SESSION_ENGINE).SessionStore(session_key=session.session_key)
    if hasattr(store, "cache_key"):
        caches[settings.SESSION_CACHE_ALIAS].delete(store.cache_key)
    response = client.get("/don-vi/")
    assert response.status_code == 302
    assert response["Location"] == "/dang-nhap/?next=/don-vi/"
