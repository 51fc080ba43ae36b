"""A year is printed as 2026, never with a thousands dot (2.026): the pages of the demo, as each
login sees them, scanned where a year stands (tháng 12/2026, Năm 2026, ← 2025 · 2027 →, ?nam=2025)."""

import re

import pytest
from django.contrib.auth import get_user_model
from django.template import Context, Template
from django.urls import reverse

from campaigns.models import SupportProgramme
from units.models import Unit
from units.services.official_units import OLD_TO  # the demo units end the day before the 2025 mergers

YEAR_WITH_A_DOT = re.compile(
    r"(?:\b\d{1,2}/|[Nn]ăm |← |nam=|thang=)\d\.\d{3}\b|\b\d\.\d{3} →|\b\d\.\d{3}-\d{2}\b")


def test_the_year_filter_prints_digits_only():
    rendered = Template("{{ y|nam }} {{ y|add:-1|nam }} {{ none|nam }}").render(Context({"y": 2026, "none": None}))
    assert rendered == "2026 2025 "


@pytest.fixture
def demo(db):
    from portal.demo import load_demo

    load_demo()


def pages():
    binh_dinh = Unit.objects.valid_on(OLD_TO).get(code="52")
    hai_duong = Unit.objects.valid_on(OLD_TO).get(code="HDUONG")
    programme = SupportProgramme.objects.first()
    return [
        ("bhxh.binhdinh", reverse("activities:activity_list") + "?thang=2024-10"),
        ("bhxh.binhdinh", reverse("activities:monthly_plan", args=[binh_dinh.pk]) + "?thang=2024-10"),
        ("bhxh.binhdinh", reverse("activities:calendar", args=[binh_dinh.pk]) + "?thang=2024-12"),
        ("bhxh.bacninh", reverse("programmes:programme_detail", args=[programme.pk]) + "?nam=2026"),
        ("bhxh.bacninh", reverse("programmes:programme_detail", args=[programme.pk])),
        ("canbo.haiduong", reverse("campaigns:document_list")),
        ("canbo.haiduong", reverse("dashboard:unit", args=[hai_duong.pk]) + "?thang=2026-12"),
        ("canbo.haiduong", reverse("targets:target_overview", args=[hai_duong.pk, 2021])),
        ("admin", reverse("activities:activity_list") + "?thang=2026-12"),
    ]


def test_no_page_prints_a_year_with_a_thousands_dot(client, demo):
    for username, url in pages():
        client.force_login(get_user_model().objects.get(username=username))
        response = client.get(url)
        assert response.status_code == 200, url
        found = YEAR_WITH_A_DOT.findall(response.content.decode())
        assert not found, f"{url} as {username}: {found}"
