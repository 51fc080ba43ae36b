"""The signed-in user's row read on every request with SQL compiled once (bhxh_portal.auth_backends):
read afresh, so a user made inactive or whose password changed is signed out at their next request."""

import pytest
from django.contrib.auth import BACKEND_SESSION_KEY
from django.test.utils import CaptureQueriesContext
from django.db import connection

from bhxh_portal.compiled import _compiled
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def _signed_in(client) -> str | None:
    response = client.get("/suc-khoe/")
    user = response.wsgi_request.user
    return user.username if user.is_authenticated else None


def test_a_signed_in_session_reads_its_user_through_the_compiled_backend(client):
    user = UserFactory(username="canbo.thu", first_name="Hoa")
    client.force_login(user)
    assert client.session[BACKEND_SESSION_KEY] == "bhxh_portal.auth_backends.UserBackend"
    assert _signed_in(client) == "canbo.thu"
    compiled = _compiled.cache_info().misses
    with CaptureQueriesContext(connection) as queries:
        assert _signed_in(client) == "canbo.thu"
    assert _compiled.cache_info().misses == compiled  # the SQL is not compiled again
    assert sum('"auth_user"' in q["sql"] for q in queries.captured_queries) == 1

    user.first_name = "Lan"
    user.save()
    response = client.get("/suc-khoe/")
    assert response.wsgi_request.user.first_name == "Lan"  # the row as it is now


def test_a_user_made_inactive_is_signed_out_at_the_next_request(client):
    user = UserFactory(username="canbo.thu")
    client.force_login(user)
    assert _signed_in(client) == "canbo.thu"
    user.is_active = False
    user.save()
    assert _signed_in(client) is None


def test_a_password_changed_elsewhere_signs_the_session_out(client):
    user = UserFactory(username="canbo.thu")
    client.force_login(user)
    assert _signed_in(client) == "canbo.thu"
    user.set_password("một mật khẩu mới 2026")
    user.save()
    assert _signed_in(client) is None


def test_a_user_deleted_is_signed_out(client):
    user = UserFactory(username="canbo.thu")
    client.force_login(user)
    user.delete()
    assert _signed_in(client) is None


def test_signing_in_with_the_password_still_works(client):
    user = UserFactory(username="canbo.thu")
    user.set_password("mật khẩu đúng 2026")
    user.save()
    response = client.post("/dang-nhap/", {"username": "canbo.thu", "password": "mật khẩu đúng 2026"})
    assert response.status_code == 302
    assert _signed_in(client) == "canbo.thu"
    client.logout()
    response = client.post("/dang-nhap/", {"username": "canbo.thu", "password": "sai"})
    assert response.status_code == 200 and _signed_in(client) is None
