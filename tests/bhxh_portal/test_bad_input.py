"""Bad input answers 400 or 404 with a Vietnamese reason, never 500: months and years asked for in a
URL go through targets.periods (one parser for every page), values a column cannot hold and filters
that do not exist through bhxh_portal.middleware."""

import pytest
from django.core.exceptions import BadRequest

from units.models import Role
from units.periods import InvalidPeriodParam, Period, month_param, period_param, year_param
from tests.factories import UserFactory, make_member, make_tree

BIG = "99999999999999999999"


@pytest.mark.parametrize("text, month", [("2023-06", Period.month(2023, 6)), (" 2023-6 ", Period.month(2023, 6)),
                                         ("1901-01", Period.month(1901, 1)), ("2199-12", Period.month(2199, 12))])
def test_a_month_of_a_url(text, month):
    assert month_param(text) == month


@pytest.mark.parametrize("text", ["2023-13", "2023-00", "9999-12", "0000-01", "1900-01", "2200-12", "2023",
                                  "2023-H2", BIG, "Đắk Lắk ñ 中", "' OR 1=1 --", "x" * 3000])
def test_anything_else_is_refused_with_the_parameter_named(text):
    with pytest.raises(InvalidPeriodParam) as refused:
        month_param(text)
    assert isinstance(refused.value, BadRequest) and isinstance(refused.value, ValueError)
    message = str(refused.value)
    assert message.startswith("Tháng không hợp lệ (thang=") and "YYYY-MM" in message and len(message) < 200


def test_empty_takes_the_default_and_without_one_is_refused():
    default = Period.month(2024, 5)
    assert month_param(None, default=default) == month_param("", default=default) == default
    assert year_param("  ", default=2024) == 2024
    assert period_param(None, default=Period.of_year(2021)) == Period.of_year(2021)
    with pytest.raises(InvalidPeriodParam):
        month_param("")


@pytest.mark.parametrize("text", ["0", "9999", "1900", "2200", BIG, "20x4", "-2023"])
def test_a_year_outside_the_pages_range_is_refused(text):
    with pytest.raises(InvalidPeriodParam, match=r"Năm không hợp lệ \(nam="):
        year_param(text)


def test_a_period_key_of_any_kind():
    assert period_param("2023-H2") == Period.half(2023, 2)
    assert period_param("2023-q3") == Period.quarter(2023, 3)
    for text in ("2023-H3", "9999", "abc"):
        with pytest.raises(InvalidPeriodParam, match="Kỳ không hợp lệ"):
            period_param(text)


@pytest.mark.parametrize("text, value", [("42", 42), (" 7 ", 7), ("0", 0), ("9223372036854775807", 2**63 - 1),
                                         ("9223372036854775808", None), ("1²", None), ("-3", None), ("", None),
                                         ("4.2", None), ("abc", None)])
def test_an_id_typed_in_a_url_or_a_form(text, value):
    from bhxh_portal.numbers import parse_id

    assert parse_id(text) == value


# --- through the pages ---------------------------------------------------------------------------

@pytest.fixture
def staff(db):
    province = make_tree(districts=1, communes=1, villages=1)
    return province, make_member(province, Role.BHXH_STAFF)


@pytest.mark.django_db
@pytest.mark.parametrize("url", ["/hoat-dong/lich/{pk}/?thang=9999-12", "/hoat-dong/ke-hoach-thang/{pk}/?thang=2023-13",
                                 "/hoat-dong/?thang=0000-01", "/don-vi/{pk}/tong-quan/?thang=2200-12",
                                 "/nguoi-tham-gia/so-lieu/{pk}/?thang=2023-00", "/chuong-trinh/1/?nam=9999"])
def test_a_month_or_year_that_is_not_one_answers_400_saying_which(client, staff, url):
    province, user = staff
    client.force_login(user)
    response = client.get(url.format(pk=province.pk))
    if "chuong-trinh" in url:  # no programme 1: the year is read after the programme is found
        assert response.status_code == 404
        return
    assert response.status_code == 400
    page = response.content.decode()
    assert "Yêu cầu không hợp lệ" in page and "không hợp lệ (" in page and "Về trang chủ" in page


@pytest.mark.django_db
def test_a_month_of_the_path_outside_the_range_is_not_a_page(client, staff):
    province, user = staff
    client.force_login(user)
    for month in ("2200-12", "1900-01", "2023-13"):
        assert client.get(f"/don-vi/{province.pk}/tien-do/{month}/").status_code == 404


@pytest.mark.django_db
def test_the_coverage_page_says_the_month_is_wrong_and_shows_the_default(client, staff):
    province, user = staff
    client.force_login(user)
    response = client.get(f"/bao-cao/{province.pk}/", {"period": "1900-01"})
    assert response.status_code == 200
    assert "Tháng không hợp lệ (period=1900-01)" in response.content.decode()


@pytest.mark.django_db
def test_the_admin_export_with_a_filter_that_does_not_exist_answers_400_even_to_a_superuser(client, staff):
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    for query in ({"foo__bar": "1"}, {"id__gt": "' OR 1=1 --"}, {"pk__in": "abc"}):
        response = client.get("/quan-tri/units/unit/export/", query)
        assert response.status_code == 400, query
        assert "Bộ lọc trong địa chỉ không có" in response.content.decode()


@pytest.mark.django_db
def test_the_admin_given_ids_that_are_not_ids_answers_404_or_400(client, staff):
    province, _ = staff
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    assert client.get("/quan-tri/targets/target/abc/history/").status_code == 404
    assert client.get(f"/quan-tri/units/unit/{BIG}/change/").status_code in (302, 404)
    response = client.post("/quan-tri/units/unit/", {"action": "delete_selected", "_selected_action": [BIG]})
    assert response.status_code in (200, 302, 400)  # SQLite refuses the id, PostgreSQL finds nothing to delete
    assert province.__class__.objects.filter(pk=province.pk).exists()


@pytest.mark.django_db
def test_a_constraint_message_with_a_percent_sign_is_shown_not_a_500(client):
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    response = client.post("/quan-tri/agents/localtopup/add/", {"percent": "10", "amount": "1000"})
    assert response.status_code == 200
    assert "Ghi mức hỗ trợ theo phần trăm hoặc theo số tiền, không cả hai." in response.content.decode()


@pytest.mark.django_db
def test_an_unknown_page_and_a_server_error_have_vietnamese_pages(client):
    page = client.get("/khong-co-trang-nay/")
    assert page.status_code == 404 and "Không tìm thấy" in page.content.decode()
    from django.template.loader import render_to_string

    assert "Lỗi hệ thống" in render_to_string("500.html")  # needs no context: drawn when anything may be broken
