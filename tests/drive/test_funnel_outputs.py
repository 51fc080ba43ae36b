"""The funnel beside the targets on the dashboard, and as a PDF from the same table."""

import io

import pytest
from django.urls import reverse

from drive import selectors, services
from drive.models import ListKind, Outcome, WorkItem

from .conftest import D, MONTH


@pytest.fixture
def worked(registry, official, agents):
    for kind in ListKind.values:
        services.work_list_draw(unit=registry["xa1"], month=MONTH, kind=kind, by=official)
    item = WorkItem.objects.get(participant=registry["people"]["not_renewed"])
    services.work_item_assign(item=item, by=official, collector=agents["a"]["collector"])
    services.contact_record(item=item, by=official, contacted_on=D(2024, 6, 10), outcome=Outcome.PROMISED)
    return item


def test_summary_is_one_grouped_query_a_line_a_list(registry, official, worked, django_assert_num_queries):
    with django_assert_num_queries(1):
        lines = selectors.funnel_summary(user=official, unit=registry["xa1"], month=MONTH)
    assert [line.key for line in lines] == ["due", "lapsed", "uninsured", None]
    due, lapsed, uninsured, total = lines
    assert (due.listed, due.contacted, due.promised) == (3, 1, 1)
    assert lapsed.listed == 2 and uninsured.listed == 2
    assert total.listed == 7 and total.promised == 1
    assert total.listed == selectors.funnel(user=official, unit=registry["xa1"], month=MONTH)[-1].listed


def test_an_agents_summary_counts_only_their_people(registry, agents, worked):
    total = selectors.funnel_summary(user=agents["a"]["user"], unit=registry["xa1"], month=MONTH)[-1]
    assert (total.listed, total.promised) == (1, 1)


def test_dashboard_shows_the_drive_beside_the_targets(client, registry, official, worked):
    client.force_login(official)
    url = reverse("dashboard:unit", args=[registry["xa1"].pk]) + "?thang=2024-06"
    text = client.get(url).content.decode()
    assert 'id="drive-funnel"' in text and "Vận động theo danh sách, tháng 6/2024" in text.replace("Tháng", "tháng")
    assert reverse("drive:funnel", kwargs={"pk": registry["xa1"].pk, "month": "2024-06"}) in text


def test_a_leader_sees_the_drive_on_the_dashboard(client, registry, worked):
    from units.models import Role
    from tests.factories import make_member

    client.force_login(make_member(registry["district"], Role.LEADER))
    url = reverse("dashboard:unit", args=[registry["district"].pk]) + "?thang=2024-06"
    assert 'id="drive-funnel"' in client.get(url).content.decode()


def test_funnel_pdf_prints_the_same_table(client, registry, official, worked):
    from pypdf import PdfReader

    client.force_login(official)
    url = reverse("drive:funnel", kwargs={"pk": registry["xa1"].pk, "month": "2024-06"})
    response = client.get(url + "?theo=village&dinh_dang=pdf")
    assert response.status_code == 200 and response.content[:4] == b"%PDF"
    text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(response.content)).pages)
    assert "Thôn Đông" in text and "Tổng cộng" in text and "Xã Một" in text
