"""The targets pages through the HTTP client: the 2021 split on one page, refusals across branches
(404 or 403 with a Vietnamese message, never data), history, fixed query counts, files."""

import io

import openpyxl
import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from bhxh_portal.imports import load_dataset
from targets.models import Demographics, Target, TargetKind
from units.models import Role
from units.periods import Period
from tests.factories import make_collection_agent, make_demographics, make_member, make_target, make_unit

from .targets_fixtures import build_cang_long, build_hai_duong

pytestmark = pytest.mark.django_db

DECISION_324 = "Quyết định 324/QĐ-UBND ngày 15/3/2021"
KH_162 = "Kế hoạch 162/KH-UBND ngày 19/3/2021"


@pytest.fixture
def tree():
    return build_hai_duong()


def login(client, user):
    client.force_login(user)
    return client


def allocate_url(unit, year=2021, indicator="bhxh_tn_moi"):
    return reverse("targets:target_allocate", args=[unit.pk, year, indicator])


def overview_url(unit, year=2021):
    return reverse("targets:target_overview", args=[unit.pk, year])


def edit_url(unit, year=2021):
    return reverse("targets:target_edit", args=[unit.pk, year])


# --- the 2021 plan on the pages -------------------------------------------------------------------


def test_the_2021_commune_plan_through_the_pages(client, tree):
    users = tree.users
    # Thị xã giao 37 (the town's BHXH staff, on the commune's targets page).
    login(client, users["town_staff"])
    response = client.post(edit_url(tree.commune), {
        "indicator": "bhxh_tn_moi", "period": "2021", "kind": "giao", "entered_as": "count", "value": "37",
        "decision": DECISION_324, "note": ""})
    assert response.status_code == 302
    # Xã phấn đấu 40 (the commune official).
    login(client, users["commune_official"])
    response = client.post(edit_url(tree.commune), {
        "indicator": "bhxh_tn_moi", "period": "2021", "kind": "phan_dau", "entered_as": "count", "value": "40",
        "decision": KH_162})
    assert response.status_code == 302
    # On one page: the agent gets 10, the helper fills the six thôn equally with the rest.
    url = allocate_url(tree.commune)
    page = client.get(url)
    assert page.status_code == 200
    assert "Còn thiếu 40 người so với chỉ tiêu." in page.content.decode()
    agent_key = f"a{tree.agent.pk}"
    filled = client.post(url, {agent_key: "10", "fill": "equal", "decision": KH_162})
    assert filled.status_code == 200
    form = filled.context["form"]
    assert [form[f"u{v.pk}"].value() for v in tree.villages] == ["5"] * 6
    assert form[agent_key].value() == "10"
    assert filled.context["check"].status == "exact"
    assert Target.objects.filter(unit__parent=tree.commune).count() == 0  # helpers write nothing
    data = {f"u{v.pk}": "5" for v in tree.villages} | {agent_key: "10", "decision": KH_162, "action": "save"}
    saved = client.post(url, data)
    assert saved.status_code == 302
    page = client.get(url).content.decode()
    assert "Đã phân bổ đủ chỉ tiêu." in page
    assert sorted(Target.objects.filter(year=2021).values_list("count", flat=True)) == [5] * 6 + [10, 37, 40]
    overview = client.get(overview_url(tree.commune)).content.decode()
    assert "Quyết định 324/QĐ-UBND ngày 15/03/2021" in overview and "40 người" in overview and "(7 nơi nhận)" in overview


def test_split_below_the_target_is_warned_in_red_and_above_is_shown(client, tree):
    make_target(tree.commune, "bhxh_tn_moi", year=2021, count=40, kind=TargetKind.SELF_SET)
    login(client, tree.users["commune_official"])
    response = client.post(allocate_url(tree.commune), {f"u{tree.villages[0].pk}": "5", "action": "save"}, follow=True)
    html = response.content.decode()
    assert 'class="under"' in html and "Còn thiếu 35 người so với chỉ tiêu." in html
    data = {f"u{v.pk}": "8" for v in tree.villages} | {"action": "save"}
    html = client.post(allocate_url(tree.commune), data, follow=True).content.decode()
    assert 'class="over"' in html and "Vượt 8 người so với chỉ tiêu." in html


def test_fill_by_population_and_by_gap_on_the_district_page(client):
    cl = build_cang_long()
    make_target(cl.district, "bhyt", year=2023, rate_pct=95)
    staff = make_member(cl.district, Role.BHXH_STAFF)
    login(client, staff)
    url = allocate_url(cl.district, 2023, "bhyt")
    by_population = client.post(url, {"fill": "population"}).context["form"]
    shares = [int(by_population[f"u{c.pk}"].value().replace(".", "")) for c in cl.communes.values()]
    assert sum(shares) == 141366
    same_rate = client.post(url, {"fill": "same_rate"})
    assert same_rate.context["form"][f"u{cl.communes['CL01'].pk}"].value() == "13.050"
    assert same_rate.context["check"].status == "under"  # 141.365 of 141.366: rounded commune by commune
    gap = client.post(url, {"fill": "gap"})
    assert "Chưa có kết quả thực hiện" in gap.content.decode()


def test_fill_by_labour_force_without_figures_says_which_units(client, tree):
    make_target(tree.commune, "bhxh_tn_moi", year=2021, count=40, kind=TargetKind.SELF_SET)
    make_demographics(tree.villages[0], 2021, labour_force=500)
    login(client, tree.users["commune_official"])
    html = client.post(allocate_url(tree.commune), {"fill": "labour_force"}, follow=True).content.decode()
    assert "Chưa có lực lượng lao động trong độ tuổi năm 2021 của: Thôn TDH Bắc, Thôn TDH Nam" in html
    assert "Thôn Vĩnh Trị" not in html.split("Chưa có lực lượng")[1].split("</li>")[0]


# --- refusals -------------------------------------------------------------------------------------


def test_commune_official_cannot_open_another_communes_allocation(client, tree):
    secret = make_target(tree.sibling, "bhxh_tn_moi", year=2021, count=777, kind=TargetKind.SELF_SET)
    login(client, tree.users["commune_official"])
    for url in (allocate_url(tree.sibling), overview_url(tree.sibling), edit_url(tree.sibling),
                reverse("targets:target_history", args=[tree.sibling.pk]),
                reverse("targets:demographics_edit", args=[tree.sibling.pk, 2021]),
                reverse("targets:target_export", args=[tree.sibling.pk, 2021, "csv"])):
        response = client.get(url)
        assert response.status_code == 404, url
        assert "777" not in response.content.decode()
    response = client.post(allocate_url(tree.sibling), {f"u{tree.sibling_village.pk}": "5", "action": "save"})
    assert response.status_code == 404
    assert Target.objects.filter(pk=secret.pk, count=777).exists() and Target.objects.count() == 1


def test_commune_official_cannot_assign_the_communes_own_giao(client, tree):
    login(client, tree.users["commune_official"])
    response = client.get(edit_url(tree.commune) + "?indicator=bhxh_tn_moi&kind=giao")
    assert response.status_code == 403
    assert "chỉ tiêu giao do cấp trên" in response.content.decode()
    response = client.post(edit_url(tree.commune), {
        "indicator": "bhxh_tn_moi", "period": "2021", "kind": "giao", "entered_as": "count", "value": "37"})
    assert response.status_code == 403
    assert Target.objects.count() == 0


def test_collection_agent_sees_the_split_but_cannot_save_it(client, tree):
    make_target(tree.commune, "bhxh_tn_moi", year=2021, count=40, kind=TargetKind.SELF_SET)
    login(client, tree.users["agent_user"])
    page = client.get(allocate_url(tree.commune))
    assert page.status_code == 200 and "Bạn chỉ được xem phân bổ này." in page.content.decode()
    response = client.post(allocate_url(tree.commune), {f"u{tree.villages[0].pk}": "5", "action": "save"})
    assert response.status_code == 403
    assert "Bạn không có quyền phân bổ chỉ tiêu của Xã Hải Dương." in response.content.decode()
    assert Target.objects.count() == 1


def test_anonymous_user_is_sent_to_login(client, tree):
    response = client.get(overview_url(tree.commune))
    assert response.status_code == 302 and reverse("login") in response["Location"]


def test_demographics_page_writes_only_editable_rows(client, tree):
    login(client, tree.users["commune_official"])
    url = reverse("targets:demographics_edit", args=[tree.commune.pk, 2021])
    page = client.get(url)
    assert page.status_code == 200
    form = page.context["form"]
    assert f"{tree.commune.pk}-population" not in form.fields  # the commune's own figure: from above
    data = {f"{v.pk}-population": "1.234" for v in tree.villages} | {f"{tree.commune.pk}-population": "99"}
    response = client.post(url, data)
    assert response.status_code == 302
    assert sorted(Demographics.objects.values_list("population", flat=True)) == [1234] * 6
    bad = client.post(url, {f"{tree.villages[0].pk}-population": "-5"})
    assert bad.status_code == 200 and "không được âm" in bad.content.decode()


def test_agent_login_cannot_post_demographics(client, tree):
    login(client, tree.users["agent_user"])
    url = reverse("targets:demographics_edit", args=[tree.commune.pk, 2021])
    response = client.post(url, {f"{tree.villages[0].pk}-population": "5"})
    assert response.status_code == 403
    assert Demographics.objects.count() == 0


# --- history --------------------------------------------------------------------------------------


def test_history_page_shows_who_when_old_and_new(client, tree):
    staff = tree.users["town_staff"]
    make_target(tree.commune, "bhxh_tn_moi", year=2021, count=35, by=staff)
    make_target(tree.commune, "bhxh_tn_moi", year=2021, count=37, decision=DECISION_324, by=staff)
    login(client, tree.users["commune_official"])
    response = client.get(reverse("targets:target_history", args=[tree.commune.pk]) + "?nam=2021")
    entries = response.context["entries"]
    assert entries[0].action == "Sửa" and entries[0].who == staff.get_full_name() or staff.username
    assert ("số người", "35", "37") in entries[0].changes
    assert ("số văn bản", "—", "324/QĐ-UBND") in entries[0].changes
    assert entries[1].action == "Tạo"
    html = response.content.decode()
    assert "35 → 37" in html


# --- fixed numbers of queries ---------------------------------------------------------------------


def _tree_with_children(n: int):
    province = make_unit("Tỉnh", level_code="tinh")
    district = make_unit("Huyện", level_code="huyen", parent=province)
    make_demographics(district, 2023, population=100000, labour_force=50000)
    make_target(district, "bhyt", year=2023, rate_pct=95)
    make_target(district, "bhyt", year=2023, rate_pct=96, kind=TargetKind.SELF_SET)
    for i in range(n):
        commune = make_unit(f"Xã {i}", level_code="xa", parent=district, code=f"Q{n}X{i:03d}")
        make_demographics(commune, 2023, population=1000 + i, labour_force=500)
        make_target(commune, "bhyt", year=2023, rate_pct=95)
    make_collection_agent(district, f"Bưu điện {n}")
    staff = make_member(district, Role.BHXH_STAFF)
    return district, staff


def _queries(client, url) -> int:
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return len(captured)


@pytest.mark.parametrize("view", ["overview", "allocate"])
def test_pages_cost_the_same_queries_for_3_and_30_children(client, view, django_assert_max_num_queries):
    counts = []
    for n in (3, 30):
        district, staff = _tree_with_children(n)
        client.force_login(staff)
        url = overview_url(district, 2023) if view == "overview" else allocate_url(district, 2023, "bhyt")
        client.get(url)  # warm the session
        counts.append(_queries(client, url))
        with django_assert_max_num_queries(15):
            client.get(url)
    assert counts[0] == counts[1]


# --- files ----------------------------------------------------------------------------------------


def test_blank_templates_have_vietnamese_headers(client, tree):
    login(client, tree.users["commune_official"])
    response = client.get(reverse("targets:import_template", args=["chi-tieu", "xlsx"]))
    assert response.status_code == 200
    workbook = openpyxl.load_workbook(io.BytesIO(response.content))
    headers = [c.value for c in workbook["Mẫu"][1]]
    assert headers[:5] == ["Mã đơn vị", "Tên đơn vị", "Năm", "Kỳ", "Chỉ tiêu"]
    assert "Tỷ lệ (%)" in headers and "Số người" in headers and "Quyết định giao" in headers
    assert "bhxh_tn_moi" in [r[0].value for r in workbook["Hướng dẫn"].iter_rows()]
    csv_template = client.get(reverse("targets:import_template", args=["dan-so", "csv"]))
    assert csv_template.content.decode("utf-8-sig").startswith("Mã đơn vị,Tên đơn vị,Năm,Dân số,Lực lượng lao động")


def test_filled_template_imports_through_the_web_with_check_then_confirm(client, tree):
    login(client, tree.users["commune_official"])
    template = client.get(reverse("targets:import_template", args=["chi-tieu", "xlsx"]))
    workbook = openpyxl.load_workbook(io.BytesIO(template.content))
    sheet = workbook["Mẫu"]
    for village in tree.villages:
        sheet.append([village.code, village.name, 2021, "Năm", "bhxh_tn_moi", None, None, 5, "giao", KH_162])
    sheet.append(["HDUONG", "Xã Hải Dương", 2021, "", "bhxh_tn_moi", tree.agent.name, None, 10, "giao", KH_162])
    buffer = io.BytesIO()
    workbook.save(buffer)
    buffer.seek(0)
    buffer.name = "phan_bo.xlsx"
    url = reverse("targets:target_import")
    checked = client.post(url, {"kind": "targets", "file": buffer, "action": "check"})
    assert checked.status_code == 200
    assert checked.context["report"].ok, checked.context["report"].messages()
    assert "sẽ thêm 7" in checked.content.decode()
    assert Target.objects.count() == 0  # the check writes nothing
    token = checked.context["pending"]["token"]
    confirmed = client.post(url, {"action": "confirm", "token": token}, follow=True)
    assert "đã thêm 7" in confirmed.content.decode()
    assert Target.objects.count() == 7
    assert Target.history.filter(history_user=tree.users["commune_official"]).count() == 7


def test_web_import_with_bad_rows_lists_line_and_column_and_writes_nothing(client, tree):
    login(client, tree.users["commune_official"])
    content = ("unit_code,year,indicator,rate_pct,count,kind,decision\n"
               "HD-VT,2021,bhxh_tn_moi,,5,giao,\n"
               "HVINH,2021,bhxh_tn_moi,,5,giao,\n"
               "HD-VT,2021,bhxh_tn_moi,,6,giao,\n").encode()
    upload = io.BytesIO(content)
    upload.name = "chi_tieu.csv"
    response = client.post(reverse("targets:target_import"), {"kind": "targets", "file": upload, "action": "check"})
    html = response.content.decode()
    assert "Tệp chi_tieu.csv, dòng 3, cột unit_code: Không có đơn vị mã &#x27;HVINH&#x27;." in html
    assert "dòng 4, cột indicator: Trùng với dòng 2" in html
    assert response.context["pending"] is None
    assert Target.objects.count() == 0


def test_confirm_with_a_stale_token_writes_nothing(client, tree):
    login(client, tree.users["commune_official"])
    response = client.post(reverse("targets:target_import"), {"action": "confirm", "token": "khong-co"}, follow=True)
    assert "Phiên nhập tệp đã hết hạn" in response.content.decode()
    assert Target.objects.count() == 0


def test_agent_login_cannot_import(client, tree):
    login(client, tree.users["agent_user"])
    assert client.get(reverse("targets:target_import")).status_code == 403


def test_export_of_a_units_targets(client, tree):
    make_target(tree.commune, "bhxh_tn_moi", year=2021, count=37, decision=DECISION_324)
    make_target(tree.sibling, "bhxh_tn_moi", year=2021, count=11)
    login(client, tree.users["commune_official"])
    response = client.get(reverse("targets:target_export", args=[tree.commune.pk, 2021, "xlsx"]))
    rows = load_dataset(response.content, filename="x.xlsx").dict
    assert [(r["unit_code"], r["count"], r["decision"]) for r in rows] == [
        ("HDUONG", 37, "Quyết định 324/QĐ-UBND ngày 15/03/2021")]


def test_menu_has_the_targets_entry(client, tree):
    login(client, tree.users["commune_official"])
    html = client.get(reverse("targets:target_home")).content.decode()
    assert f'href="{reverse("targets:target_home")}"' in html and "Chỉ tiêu" in html
    assert "Xã Hải Dương" in html


# --- the targets page: targets, split, progress ---------------------------------------------------


@pytest.fixture
def golden_source():
    from targets import progress
    from targets.models import Indicator
    from units.models import Unit

    from .targets_fixtures import golden_rows

    figures = {r["local_code"]: int(r["bhyt_participants"]) for r in golden_rows()}

    def source(*, unit_ids, indicator_ids, period):
        bhyt = Indicator.objects.get(code="bhyt").pk
        codes = Unit.objects.filter(pk__in=unit_ids).values_list("pk", "code")
        return {(pk, bhyt): figures[code] for pk, code in codes if code in figures and bhyt in indicator_ids}

    previous = progress.register_participants_source(source)
    yield
    progress.register_participants_source(previous)


def test_targets_page_shows_progress_once_results_exist(client, golden_source):
    cl = build_cang_long()
    make_target(cl.communes["CL01"], "bhyt", year=2023, rate_pct=95)
    make_target(cl.district, "bhyt", year=2023, rate_pct=95)
    official = make_member(cl.communes["CL01"], Role.COMMUNE_OFFICIAL)
    login(client, official)
    html = client.get(overview_url(cl.communes["CL01"], 2023)).content.decode()
    for figure in ("13.050 người", "95,00%", "12.787", "93,08%", "97,98%", ">263<"):
        assert figure in html, figure
    staff = make_member(cl.district, Role.BHXH_STAFF)
    login(client, staff)
    html = client.get(overview_url(cl.district, 2023)).content.decode()
    for figure in ("141.366 người", "132.600", "89,11%", "93,80%", ">8.766<"):
        assert figure in html, figure


def test_targets_page_for_a_half_year(client, tree):
    make_target(tree.commune, "bhxh_tn_moi", year=2021, count=20, kind=TargetKind.SELF_SET,
                period=Period.half(2021, 2))
    login(client, tree.users["commune_official"])
    html = client.get(overview_url(tree.commune) + "?ky=2021-H2").content.decode()
    assert "Chỉ tiêu 6 tháng cuối năm 2021" in html and "20 người" in html
    for key, reason in (("2020-H2", "không thuộc năm 2021"), ("abc", "Kỳ không hợp lệ (ky=abc)")):
        response = client.get(overview_url(tree.commune) + f"?ky={key}")
        assert response.status_code == 400 and reason in response.content.decode()


def test_edit_page_refuses_a_rate_over_100_and_keeps_nothing(client):
    cl = build_cang_long()
    staff = make_member(cl.district, Role.BHXH_STAFF)
    login(client, staff)
    url = edit_url(cl.communes["CL01"], 2023)
    assert client.get(url + "?indicator=bhyt&kind=giao").status_code == 200
    response = client.post(url, {"indicator": "bhyt", "period": "2023", "kind": "giao", "entered_as": "rate",
                                 "value": "101"})
    assert response.status_code == 200 and "vượt quá 100%" in response.content.decode()
    response = client.post(url, {"indicator": "bhyt", "period": "2023", "kind": "giao", "entered_as": "rate",
                                 "value": "95,00", "decision": "QĐ 12/QĐ-UBND ngày 2/1/2023"})
    assert response.status_code == 302
    target = Target.objects.get()
    assert (target.count, target.decision_label) == (13050, "Quyết định 12/QĐ-UBND ngày 02/01/2023")
    page = client.get(url + "?indicator=bhyt&kind=giao")
    assert page.context["form"]["value"].value() == "95"


def test_demographics_export(client):
    cl = build_cang_long()
    staff = make_member(cl.district, Role.BHXH_STAFF)
    login(client, staff)
    response = client.get(reverse("targets:demographics_export", args=[cl.district.pk, 2023, "csv"]))
    rows = load_dataset(response.content, filename="d.csv").dict
    assert len(rows) == 15 and rows[0]["unit_code"] == "CL" and rows[0]["population"] == "148806"
    assert [r["unit_code"] for r in rows[1:3]] == ["CL01", "CL02"]


def test_the_target_form_groups_its_choice_of_rate_or_count_under_one_legend(client, tree):
    login(client, tree.users["town_staff"])
    page = client.get(edit_url(tree.commune)).content.decode()
    assert "<fieldset><legend>Nhập theo</legend>" in page
    assert page.count('name="entered_as"') == 2
    assert '<label for="id_value">' in page  # the other fields keep their own labels
