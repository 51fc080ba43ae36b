"""The registry's per-commune tally: equal to a direct count, current after every kind of write."""

import datetime

import pytest
from django.contrib.auth import get_user_model
from django.utils import timezone

from agents.importers import ParticipantImport
from agents.models import Enrolment, Participant, Product, RegistrySheet, RegistryVersion
from agents.registry_tally import registry_count_direct, registry_tally, registry_tally_months
from agents.tasks import registry_tally_prepare
from bhxh_portal.months import add_months_to_first
from agents.selectors import active_enrolment_counts
from jobs.services import JobError
from units.models import Unit
from tests.agents.test_import_participants import commit, person, xlsx
from tests.agents.test_registry_counts import enrol
from tests.factories import make_unit

D = datetime.date
pytestmark = pytest.mark.django_db
MONTHS = [D(2023, 12, 1), D(2024, 1, 1), D(2024, 6, 1), D(2024, 9, 1), D(2024, 10, 1), D(2024, 12, 1)]


def direct(unit, month):
    """The count without the tally (the query the tally replaces), by product code and new/renewing."""
    codes = dict(Product.objects.values_list("pk", "code"))
    return {(codes[p], is_new): n for (p, is_new), n in registry_count_direct(unit=unit, month=month).items()}


def tallied(unit, month):
    codes = dict(Product.objects.values_list("pk", "code"))
    return {(codes[p], is_new): n for (p, is_new), n in registry_tally(unit=unit, month=month).items() if n}


@pytest.fixture
def registry(district):
    x1, x2 = district.children.order_by("code")
    enrol("0100000001", x1, "bhyt_hgd", D(2024, 1, 1), D(2024, 12, 31))
    enrol("0100000002", x1, "bhyt_hgd", D(2024, 6, 1), D(2024, 9, 30))
    enrol("0100000003", x2, "bhyt_hgd", D(2024, 10, 31))
    enrol("0100000005", x1, "bhxh_tn", D(2023, 1, 1))
    enrol("0100000006", x2, "bhxh_tn", D(2024, 2, 1), is_new=False)
    enrol("0100000006", x2, "bhxh_tn", D(2021, 2, 1), D(2022, 1, 31))
    enrol("0100000007", x1, "bhyt_can_ngheo", D(2024, 1, 1), D(2024, 12, 31))
    enrol("0100000008", Unit.objects.get(code="00009"), "bhyt_hgd", D(2024, 1, 1))
    return x1, x2


def test_the_tally_equals_the_direct_count_for_every_month_and_unit_cold_and_warm(district, registry):
    province = district.parent
    for unit in (province, district, *registry):
        for month in MONTHS:
            expected = direct(unit, month)
            assert tallied(unit, month) == expected  # cold
            assert tallied(unit, month) == expected  # warm
    assert tallied(province, D(2024, 10, 1)) == {("bhyt_hgd", True): 3, ("bhxh_tn", True): 1,
                                                 ("bhxh_tn", False): 1, ("bhyt_can_ngheo", True): 1}


def test_orm_create_update_delete_and_a_move_show_in_the_next_read(district, registry):
    x1, x2 = registry
    month = D(2024, 10, 1)
    assert active_enrolment_counts(unit=x1, month=month)["bhyt_hgd"] == 1
    enrol("0100000009", x1, "bhyt_hgd", D(2024, 3, 1))
    assert active_enrolment_counts(unit=x1, month=month)["bhyt_hgd"] == 2
    assert active_enrolment_counts(unit=district, month=month)["bhyt_hgd"] == 3

    one = Enrolment.objects.get(participant__bhxh_code="0100000009")
    one.valid_to = D(2024, 8, 31)
    one.save()
    assert active_enrolment_counts(unit=x1, month=month)["bhyt_hgd"] == 1
    Enrolment.objects.filter(pk=one.pk).update(valid_to=None)  # a queryset update too
    assert active_enrolment_counts(unit=x1, month=month)["bhyt_hgd"] == 2

    Participant.objects.filter(bhxh_code="0100000009").update(commune=x2)  # moved to the other commune
    assert active_enrolment_counts(unit=x1, month=month)["bhyt_hgd"] == 1
    assert active_enrolment_counts(unit=x2, month=month)["bhyt_hgd"] == 2
    assert active_enrolment_counts(unit=district, month=month)["bhyt_hgd"] == 3

    Enrolment.objects.get(pk=one.pk).delete()
    assert active_enrolment_counts(unit=x2, month=month)["bhyt_hgd"] == 1
    Participant.objects.get(bhxh_code="0100000001").delete()  # its enrolments go with it
    assert active_enrolment_counts(unit=x1, month=month).get("bhyt_hgd", 0) == 0
    for unit in (district, x1, x2):
        assert tallied(unit, month) == direct(unit, month)


def test_a_change_that_moves_no_count_keeps_the_sheets(district, registry):
    x1, _ = registry
    active_enrolment_counts(unit=x1, month=D(2024, 10, 1))
    Enrolment.objects.filter(participant__commune=x1).update(amount_paid=1000)
    assert RegistrySheet.objects.filter(commune=x1).count() == 1


def test_an_import_commit_shows_in_the_next_read(district, staff):
    month = D(2024, 10, 1)
    assert active_enrolment_counts(unit=district, month=month) == {}
    commit(staff, district, xlsx([person(), person(code="0112345679", cccd="001090012346")]))
    assert active_enrolment_counts(unit=district, month=month) == {"bhxh_tn": 2, "bhxh_tn_moi": 2}
    commit(staff, district, xlsx([person(code="0112345670", cccd="001090012340", commune="00002", village="X2-T1")]))
    assert active_enrolment_counts(unit=district, month=month) == {"bhxh_tn": 3, "bhxh_tn_moi": 3}
    assert tallied(district, month) == direct(district, month)


def test_a_sheet_older_than_the_communes_last_write_is_never_read(district, registry):
    x1, _ = registry
    month = D(2024, 10, 1)
    before = tallied(x1, month)
    sheet = RegistrySheet.objects.get(commune=x1, month=month)
    enrol("0100000009", x1, "bhyt_hgd", D(2024, 3, 1))
    # As a read that counted before the write and stored after it: the old version, the old counts.
    RegistrySheet.objects.create(commune=x1, month=month, version=sheet.version, counts=sheet.counts)
    assert tallied(x1, month) != before
    assert tallied(x1, month) == direct(x1, month)


def test_the_queries_do_not_grow_with_the_number_of_communes(district, registry, django_assert_max_num_queries):
    province = district.parent
    with django_assert_max_num_queries(5):
        active_enrolment_counts(unit=province, month=D(2024, 10, 1))
    for c in range(30):
        commune = make_unit(f"Xã Thêm {c}", level_code="xa", parent=district, code=f"9{c:04d}")
        enrol(f"02000000{c:02d}", commune, "bhyt_hgd", D(2024, 1, 1))
    with django_assert_max_num_queries(5):
        counts = active_enrolment_counts(unit=province, month=D(2024, 10, 1))
    assert counts["bhyt_hgd"] == 33
    with django_assert_max_num_queries(3):
        active_enrolment_counts(unit=province, month=D(2024, 10, 1))


def _form_data(form) -> dict:
    data = {}
    for name, field in form.fields.items():
        value = form.initial.get(name, field.initial)
        if value is None or value is False:
            continue
        if hasattr(value, "pk"):
            value = value.pk
        data[form.add_prefix(name)] = value.isoformat() if hasattr(value, "isoformat") else value
    return data


def test_an_admin_save_shows_in_the_next_read(client, district, registry):
    """The participant's admin page, its enrolment ended through the inline, as a person would."""
    x1, _ = registry
    month = D(2024, 10, 1)
    assert active_enrolment_counts(unit=x1, month=month)["bhyt_hgd"] == 1
    client.force_login(get_user_model().objects.create_superuser("root", "root@example.com", "x"))
    person = Participant.objects.get(bhxh_code="0100000001")
    url = f"/quan-tri/agents/participant/{person.pk}/change/"
    page = client.get(url)
    assert page.status_code == 200, (page.status_code, page.get("Location"))
    data = _form_data(page.context["adminform"].form)
    for inline in page.context["inline_admin_formsets"]:
        formset = inline.formset
        data[f"{formset.prefix}-TOTAL_FORMS"] = data[f"{formset.prefix}-INITIAL_FORMS"] = len(formset.forms)
        for form in formset.forms:
            data.update(_form_data(form))
            data[form.add_prefix("valid_to")] = "2024-09-30"  # ended before 31/10
    response = client.post(url, data)
    assert response.status_code == 302, response.context and [
        f.errors for f in [response.context["adminform"].form]] + [
        fs.formset.errors for fs in response.context["inline_admin_formsets"]]
    assert Enrolment.objects.get(participant=person).valid_to == D(2024, 9, 30)
    assert active_enrolment_counts(unit=x1, month=month).get("bhyt_hgd", 0) == 0


# --- the import holds the triggers and bumps the communes it wrote once ----------------------------

WITH_END = ["Mã số BHXH", "Số CCCD", "Họ và tên", "Ngày sinh", "Giới tính", "Mã xã", "Mã thôn", "Loại hình",
            "Từ ngày", "Đến ngày", "Mức thu nhập", "Phương thức đóng", "Số tiền"]


def registered(code, commune, village, product, start, end):
    """A row naming a participant of the `registry` fixture as registered (same name and birth date)."""
    return [code, None, f"Người {code}", D(1980, 1, 1), "Nam", commune, village, product, start, end, None,
            "12 tháng", None]


def versions():
    return dict(RegistryVersion.objects.values_list("commune_id", "version"))


def test_an_import_in_batches_that_adds_ends_and_moves_leaves_every_sheet_right(district, registry, staff):
    """New people, a registered person's enrolment ended, another moved from the commune the file touches
    nowhere else, over several batches, read warm before: every unit and month reads what a count from
    scratch reads, and a write after the import in the same transaction is tallied again."""
    x1, x2 = registry
    province = district.parent
    units = (province, district, x1, x2)
    for unit in units:
        for month in MONTHS:
            tallied(unit, month)  # every sheet warm before the import
    rows = [
        [*person()[:8], "01/09/2021", None, *person()[9:]],
        registered("0100000007", "00001", "X1-T1", "bhyt_can_ngheo", "01/01/2024", "30/06/2024"),  # ended
        [*person(code="0112345679", cccd="001090012346", village="X1-T2")[:8], "01/09/2021", None, *person()[9:]],
        registered("0100000003", "00001", "X1-T2", "bhyt_hgd", "31/10/2024", None),  # moved from xã 2
        [*person(code="0112345670", cccd="001090012340")[:8], "01/01/2024", "31/12/2024", 1_500_000, "Hằng tháng",
         None],
    ]
    outcome = ParticipantImport(user=staff, scope=district, dry_run=False, batch_size=2).run(
        xlsx(rows, headers=WITH_END), filename="ds.xlsx")[0]
    assert (outcome.invalid, outcome.committed, outcome.new, outcome.updated) == (0, True, 3, 2), outcome.problems
    assert Participant.objects.get(bhxh_code="0100000003").commune == x1
    for unit in units:
        for month in MONTHS:
            assert tallied(unit, month) == direct(unit, month), (unit.code, month)
    october = D(2024, 10, 1)
    assert tallied(x1, october) == {("bhxh_tn", True): 4, ("bhyt_hgd", True): 2}
    assert tallied(x2, october) == {("bhxh_tn", False): 1}
    enrol("0100000009", x1, "bhyt_hgd", D(2024, 3, 1))  # the triggers are no longer held
    assert tallied(x1, october) == direct(x1, october) == {("bhxh_tn", True): 4, ("bhyt_hgd", True): 3}


def test_a_refused_import_bumps_nothing_and_holds_nothing(district, registry, staff):
    x1, _ = registry
    month = D(2024, 10, 1)
    tallied(x1, month)
    before = versions()
    rows = [registered("0100000001", "00002", "X2-T2", "bhyt_hgd", "01/01/2024", "31/12/2024"),
            [*person()[:8], "01/09/2021", None, *person()[9:]],
            [*person(code="0112345679", cccd="001090012346")[:8], "không phải ngày", None, *person()[9:]]]
    with pytest.raises(JobError):
        ParticipantImport(user=staff, scope=district, dry_run=False, batch_size=2).run(
            xlsx(rows, headers=WITH_END), filename="ds.xlsx")
    assert versions() == before
    assert RegistrySheet.objects.filter(commune=x1, month=month).exists()
    enrol("0100000009", x1, "bhyt_hgd", D(2024, 3, 1))
    assert tallied(x1, month) == direct(x1, month)


def test_a_cold_read_counts_the_few_communes_missing_alone_or_else_the_whole_subtree(district, registry):
    """Both ways of counting give what the direct count gives; the few missing are counted by their ids
    (the others' participants are not read), the many by the subtree's path in one pass."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    x1, x2 = registry
    province = district.parent
    month = D(2024, 10, 1)

    def count_query():
        with CaptureQueriesContext(connection) as captured:
            got = tallied(province, month)
        counts = [q["sql"] for q in captured.captured_queries if "COUNT(DISTINCT" in q["sql"]]
        assert len(counts) == 1
        return got, counts[0]

    communes = Unit.objects.filter(path__startswith=province.path).exclude(level__code="thon").count()
    assert communes == 6  # the province, two districts, three communes
    got, sql = count_query()  # all missing: the whole subtree
    assert got == direct(province, month) and '"commune_id" IN (' not in sql
    enrol("0100000009", x1, "bhyt_hgd", D(2024, 3, 1))  # one of six missing: that one alone
    got, sql = count_query()
    assert got == direct(province, month) and '"commune_id" IN (' in sql
    assert got[("bhyt_hgd", True)] == 4
    enrol("0100000010", x2, "bhyt_hgd", D(2024, 3, 1))
    enrol("0100000011", Unit.objects.get(code="00009"), "bhyt_hgd", D(2024, 3, 1))
    got, sql = count_query()  # two of six: by their ids
    assert got == direct(province, month) and '"commune_id" IN (' in sql
    enrol("0100000012", district, "bhxh_tn", D(2024, 3, 1))
    enrol("0100000013", province, "bhyt_hgd", D(2024, 3, 1))
    enrol("0100000014", x1, "bhyt_hgd", D(2024, 3, 1))
    enrol("0100000015", x2, "bhyt_hgd", D(2024, 3, 1))
    got, sql = count_query()  # four of six: the whole subtree again, the two current kept
    assert got == direct(province, month) and '"commune_id" IN (' not in sql
    assert got[("bhyt_hgd", True)] == 9 and got[("bhxh_tn", True)] == 2
    assert RegistrySheet.objects.filter(month=month).count() == communes


# --- the sheets counted again by the writes that drop them, and built ahead by beat ---------------

def test_an_import_counts_again_the_sheets_it_drops_so_that_the_next_read_counts_nothing(
        district, registry, staff, django_assert_num_queries):
    """The import pays for the count: the sheets of the communes it wrote, for the months kept ready and
    the months read in the last year, are current when it commits (a read is two queries: versions,
    sheets); a month read longer ago is counted again by its first read, and every month reads right."""
    x1, x2 = registry
    kept = registry_tally_months()
    lately, long_ago = add_months_to_first(timezone.localdate(), -5), D(2024, 10, 1)
    for unit in (x1, x2):
        for month in (lately, long_ago):
            tallied(unit, month)
    before = {unit: tallied(unit, kept[1]) for unit in (x1, x2)}
    commit(staff, district, xlsx([person(), person(code="0112345670", cccd="001090012340", commune="00002",
                                                   village="X2-T1")]))
    for unit in (x1, x2):
        for month in (*kept, lately):
            with django_assert_num_queries(2):
                registry_tally(unit=unit, month=month)
            assert tallied(unit, month) == direct(unit, month), (unit.code, month)
        new = before[unit].get(("bhxh_tn", True), 0) + 1  # one new BHXH TN participant in each commune
        assert tallied(unit, kept[1]) == {**before[unit], ("bhxh_tn", True): new}
        assert not RegistrySheet.objects.filter(commune=unit, month=long_ago).exists()
        assert tallied(unit, long_ago) == direct(unit, long_ago)
    district_total = tallied(district, kept[1])
    assert district_total == direct(district, kept[1])
    assert district_total[("bhxh_tn", True)] == 3


def test_beat_builds_the_months_kept_ready_for_every_commune_and_a_first_reader_is_still_right(
        district, registry, django_assert_num_queries):
    province = district.parent
    x1, x2 = registry
    kept = registry_tally_months()
    communes = Unit.objects.exclude(level__code="thon").count()  # any unit above a village can hold people
    assert tallied(x1, kept[1]) == direct(x1, kept[1])  # a reader before beat: counts, stores
    assert registry_tally_prepare() == 3 * communes - 1
    assert registry_tally_prepare() == 0  # all current: nothing counted
    for unit in (province, district, x1, x2):
        for month in kept:
            with django_assert_num_queries(2):
                registry_tally(unit=unit, month=month)
            assert tallied(unit, month) == direct(unit, month), (unit.code, month)
    enrol("0100000009", x1, "bhyt_hgd", D(2024, 3, 1))  # drops every sheet of x1
    assert tallied(x1, kept[1]) == direct(x1, kept[1])
    assert tallied(x1, kept[1])[("bhyt_hgd", True)] == 1
    assert registry_tally_prepare() == 2  # x1's other two months; the read made the current one
    for month in kept:
        assert tallied(province, month) == direct(province, month)


def test_beat_runs_the_preparation_every_hour_by_default():
    from celery import current_app

    entry = current_app.conf.beat_schedule["agents.registry_tally_prepare"]
    assert entry == {"task": "agents.registry_tally_prepare", "schedule": 3600.0}
    assert current_app.tasks["agents.registry_tally_prepare"].name == registry_tally_prepare.name


def test_kept_months_are_the_last_the_current_and_the_next():
    assert registry_tally_months(today=D(2025, 12, 31)) == [D(2025, 11, 1), D(2025, 12, 1), D(2026, 1, 1)]
    assert registry_tally_months(today=D(2026, 1, 1)) == [D(2025, 12, 1), D(2026, 1, 1), D(2026, 2, 1)]
