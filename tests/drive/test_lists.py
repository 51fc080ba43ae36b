import pytest
from django.test import override_settings

from drive import selectors, services
from drive.models import Contact, ListKind, Outcome, WorkItem
from tests.factories import UserFactory

from .conftest import D, MONTH


def names(rows):
    return sorted(r.full_name for r in rows)


def close_person(participant, outcome, official, commune):
    """A contact of an earlier month that says the person is gone."""
    item = WorkItem.objects.create(month=D(2024, 5, 1), kind=ListKind.DUE, commune=commune, participant=participant)
    Contact.objects.create(item=item, contacted_on=D(2024, 5, 10), outcome=outcome, recorded_by=official)


def test_due_lists_enrolments_ending_in_the_month_not_renewed(registry, official):
    people = registry["people"]
    close_person(people["moved"], Outcome.MOVED, official, registry["xa1"])
    rows = selectors.due_rows(unit=registry["xa1"], month=MONTH)
    assert names(rows) == ["Lê Văn Tự Nguyện", "Trần Thị Đến Hạn"]
    row = next(r for r in rows if r.full_name == "Trần Thị Đến Hạn")
    assert row.last_valid_to == D(2024, 6, 15) and row.village_name == "Thôn Đông"
    assert row.product_name == "BHYT hộ gia đình"


def test_due_for_a_village_and_a_district(registry):
    assert names(selectors.due_rows(unit=registry["tay"], month=MONTH)) == ["Lê Văn Tự Nguyện"]
    district_names = names(selectors.due_rows(unit=registry["district"], month=MONTH))
    assert "Đinh Xã Khác" in district_names and "Bùi Chuyển Đi" in district_names


def test_lapsed_lists_the_last_twelve_months_not_rejoined_nor_deceased(registry, official):
    close_person(registry["people"]["deceased"], Outcome.DECEASED, official, registry["xa1"])
    rows = selectors.lapsed_rows(unit=registry["xa1"], month=MONTH)
    assert names(rows) == ["Vũ Thị Dừng Đóng"]


def test_lapsed_window_is_a_setting(registry):
    with override_settings(DRIVE_LAPSED_MONTHS=13):
        assert "Hoàng Dừng Lâu" in names(selectors.lapsed_rows(unit=registry["xa1"], month=MONTH))


def test_uninsured_are_residents_without_an_enrolment_in_force_at_month_end(registry):
    rows = selectors.uninsured_rows(unit=registry["xa1"], month=MONTH)
    assert names(rows) == ["Lý Chưa Tham Gia", "Mai Hết Thẻ"]
    assert all("****" in r.personal_id for r in rows)


@pytest.mark.parametrize("kind", ListKind.values)
def test_each_list_costs_the_same_queries_whatever_its_size(registry, official, kind, django_assert_max_num_queries):
    from .conftest import enrol, person

    for i in range(30):
        enrol(person(f"Người Thêm {i}", registry["dong"]), "bhyt_hgd", D(2023, 6, 1), D(2024, 5 if i % 2 else 6, 10))
    services.work_list_draw(unit=registry["xa1"], month=MONTH, kind=kind, by=official)
    with django_assert_max_num_queries(4):
        rows = selectors.work_rows(user=official, unit=registry["xa1"], month=MONTH, kind=kind)
    assert rows


def test_draw_gives_each_person_to_their_village_once(registry, official):
    xa1 = registry["xa1"]
    assert services.work_list_draw(unit=xa1, month=MONTH, kind=ListKind.DUE, by=official) == 3
    assert services.work_list_draw(unit=xa1, month=MONTH, kind=ListKind.DUE, by=official) == 0
    item = WorkItem.objects.get(participant=registry["people"]["not_renewed"])
    assert item.village == registry["dong"]


def test_a_person_is_on_one_list_of_the_month(registry, official):
    from django.db import IntegrityError, transaction

    item = WorkItem.objects.create(month=MONTH, kind=ListKind.DUE, commune=registry["xa1"],
                                   participant=registry["people"]["not_renewed"])
    with pytest.raises(IntegrityError), transaction.atomic():
        WorkItem.objects.create(month=MONTH, kind=ListKind.LAPSED, commune=registry["xa1"],
                                participant=item.participant)


def test_drawing_outside_ones_commune_is_refused(registry, official):
    from django.core.exceptions import PermissionDenied

    with pytest.raises(PermissionDenied):
        services.work_list_draw(unit=registry["xa2"], month=MONTH, kind=ListKind.DUE, by=official)
    with pytest.raises(PermissionDenied):
        services.work_list_draw(unit=registry["xa1"], month=MONTH, kind=ListKind.DUE, by=UserFactory())


def test_funnel_costs_the_same_queries_whatever_the_number_of_people(registry, official,
                                                                      django_assert_max_num_queries):
    from .conftest import enrol, person

    for i in range(40):
        enrol(person(f"Người Thêm {i}", registry["tay"]), "bhxh_tn", D(2023, 6, 1), D(2024, 6, 10))
    services.work_list_draw(unit=registry["xa1"], month=MONTH, kind=ListKind.DUE, by=official)
    for item in WorkItem.objects.all()[:20]:
        Contact.objects.create(item=item, contacted_on=D(2024, 6, 5), outcome=Outcome.REFUSED,
                               refusal_reason="no_need", recorded_by=official)
    for by in ("commune", "village", "agent"):
        with django_assert_max_num_queries(3):
            lines = selectors.funnel(user=official, unit=registry["xa1"], month=MONTH, by=by)
        assert lines[-1].listed == 43 and lines[-1].contacted == 20 and lines[-1].refusals["no_need"] == 20


def test_work_list_page_costs_the_same_queries_whatever_its_size(client, registry, official,
                                                                 django_assert_max_num_queries):
    from django.urls import reverse

    from .conftest import enrol, person

    for i in range(40):
        enrol(person(f"Người Thêm {i}", registry["tay"]), "bhxh_tn", D(2023, 6, 1), D(2024, 6, 10))
    services.work_list_draw(unit=registry["xa1"], month=MONTH, kind=ListKind.DUE, by=official)
    client.force_login(official)
    url = reverse("drive:work_list", kwargs={"pk": registry["xa1"].pk, "month": "2024-06", "kind": "due"})
    with django_assert_max_num_queries(15):
        assert client.get(url).status_code == 200


def test_funnel_counts_a_resident_once_when_the_registry_shows_them_enrolled_in_the_month(registry, official):
    from .conftest import enrol, person

    services.work_list_draw(unit=registry["xa1"], month=MONTH, kind=ListKind.UNINSURED, by=official)
    assert WorkItem.objects.filter(kind=ListKind.UNINSURED).count() == 2
    joined = person("Lý Chưa Tham Gia", registry["dong"], personal_id="001099000003")
    enrol(joined, "bhyt_hgd", D(2024, 6, 10), D(2025, 6, 9))
    enrol(joined, "bhxh_tn", D(2024, 6, 1), D(2024, 12, 31))  # two products in force: still one person
    # A non-drive card in force, or a drive card only from next month, is not counted.
    enrol(registry["people"]["expired_resident"], "bhyt_can_ngheo", D(2024, 6, 1), D(2024, 12, 31))
    enrol(registry["people"]["expired_resident"], "bhyt_hgd", D(2024, 7, 1), D(2025, 6, 30))
    lines = {line.key: line for line in selectors.funnel_summary(user=official, unit=registry["xa1"], month=MONTH)}
    assert (lines[ListKind.UNINSURED.value].listed, lines[ListKind.UNINSURED.value].enrolled) == (2, 1)
    assert lines[None].enrolled == 1 and lines[None].renewed == 0
