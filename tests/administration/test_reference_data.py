"""Reference data, read-only: the dated rules with their validity and legal basis, and the catalogues."""

import datetime

import pytest
from django.urls import reverse

from agents.models import ContributionRate, LocalTopUp, Product, ReferenceAmount

pytestmark = pytest.mark.django_db


def test_the_dated_rules_show_their_validity_and_legal_basis(admin_client, world):
    html = admin_client.get(reverse("administration:reference_data")).content.decode()
    for title in ["Mức chuẩn", "Tỷ lệ đóng", "Mức Nhà nước hỗ trợ", "Mức giảm trừ theo thành viên hộ gia đình",
                  "Loại hình tham gia", "Danh mục chỉ tiêu", "Cấp hành chính", "Ngày nghỉ lễ"]:
        assert title in html, title
    base = ReferenceAmount.objects.filter(kind="base_salary").order_by("-valid_from").first()
    assert base is not None and base.legal_basis and base.legal_basis in html
    assert f"{base.valid_from:%d/%m/%Y}" in html
    assert ContributionRate.objects.exists() and "Hiệu lực từ" in html and "đang áp dụng" in html
    assert "<form method=\"post\"" not in html.split('class="content"')[1]  # read-only


def test_local_top_ups_of_other_provinces_are_not_shown(admin_client, world):
    product = Product.objects.first()
    for province, name in [(world.mine, "Hỗ trợ của tỉnh mình"), (world.theirs, "Hỗ trợ của tỉnh bên kia")]:
        LocalTopUp.objects.create(programme=name, province=province, product=product, amount=10000,
                                  valid_from=datetime.date(2021, 1, 1), legal_basis="Nghị quyết thử")
    html = admin_client.get(reverse("administration:reference_data")).content.decode()
    assert "Hỗ trợ của tỉnh mình" in html and "Hỗ trợ của tỉnh bên kia" not in html
