"""The demo's schedules, the due reminder's days around the due day, the preview on a unit's
settings page, and the people a dry run skips for want of an address."""

import datetime
import io

import pytest
from django.core import mail
from django.core.management import call_command
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from notices import services
from notices.models import NoticeDelivery, NoticeKind, UnitNoticeSettings
from notices.selectors import notices_for
from units.models import Role, Unit
from tests.factories import make_member

pytestmark = pytest.mark.django_db

LEADER, STAFF = "lanhdao.canglong@demo.bhxh.local", "bhxh.canglong@demo.bhxh.local"
DUC_MY = "canbo.ducmy@demo.bhxh.local"


@pytest.fixture
def demo_schedules(cang_long):
    from notices.demo import load_notices_demo

    load_notices_demo()
    return UnitNoticeSettings.objects.get(unit=cang_long)


@pytest.fixture
def duc_my_official(cang_long):
    return make_member(Unit.objects.get(code="CL14"), Role.COMMUNE_OFFICIAL, username="canbo.ducmy",
                       email=DUC_MY)


def day(d: int, month: int = 7) -> datetime.date:
    return datetime.date(2023, month, d)


# --- the demo ------------------------------------------------------------------------------------


def test_the_demo_schedules_cang_long_and_hai_duong_once_whatever_the_runs(cang_long):
    from portal.demo import STEPS
    from notices.demo import load_notices_demo

    assert load_notices_demo in STEPS
    load_notices_demo()
    load_notices_demo()
    schedules = {s.unit.code: s for s in UnitNoticeSettings.objects.select_related("unit")}
    assert set(schedules) == {"CL", "HDUONG"}
    cl = schedules["CL"]
    assert (cl.weekly_weekday, cl.weekly_hour, cl.reminder_days_before, cl.monthly_day) == (0, 7, 3, 10)
    assert cl.addresses == ["vanphong.huyenuy.canglong@demo.bhxh.local"]
    assert all(a.endswith("@demo.bhxh.local") for s in schedules.values() for a in s.addresses)


# --- the due reminder around the due day (June 2023 due on 05/07/2023, three days before) -------------


def test_due_reminder_goes_from_n_days_before_and_once_on_the_day_after(demo_schedules, duc_my_official):
    unit = demo_schedules.unit

    def periods(on):
        return [(n.unit.code, n.period) for n in notices_for(unit=unit, kind=NoticeKind.DUE_REMINDER, on=on)]

    assert periods(day(1)) == []  # four days before
    assert periods(day(2)) == periods(day(5)) == [("CL14", "2023-06:truoc-han")]
    assert periods(day(6)) == [("CL14", "2023-06:qua-han"), ("CL", "2023-06:cap-tren")]
    assert periods(day(7)) == periods(day(20)) == periods(day(31)) == []  # not every day after
    july = periods(day(2, month=8))  # July's turn: no commune has entered it
    assert len(july) == 14 and {period for _, period in july} == {"2023-07:truoc-han"}


def test_beat_reminds_the_late_commune_and_the_district_only_on_the_day_after(demo_schedules, duc_my_official):
    UnitNoticeSettings.objects.exclude(pk=demo_schedules.pk).delete()  # Hải Dương's
    demo_schedules.weekly_enabled = demo_schedules.monthly_enabled = False
    demo_schedules.save()
    at = timezone.make_aware(datetime.datetime(2023, 7, 2, 8, 5))
    assert services.notices_send_due(now=at)["sent"] == 1
    assert services.notices_send_due(now=at.replace(day=5))["sent"] == 0  # the same reminder, once
    assert [m.to for m in mail.outbox] == [[DUC_MY]] and "Sắp đến hạn" in mail.outbox[0].subject
    mail.outbox.clear()
    assert services.notices_send_due(now=at.replace(day=6))["sent"] == 3
    assert sorted(m.to[0] for m in mail.outbox) == sorted([DUC_MY, LEADER, STAFF])
    to_district = next(m for m in mail.outbox if m.to == [LEADER])
    assert "Xã Đức Mỹ (đang nhập)" in to_district.body and "Kính gửi lãnh đạo và cán bộ BHXH Huyện Càng Long" in (
        to_district.body)
    mail.outbox.clear()
    NoticeDelivery.objects.all().delete()  # even with no record of it, a later day sends nothing
    for later in (7, 8, 20):
        assert services.notices_send_due(now=at.replace(day=later))["sent"] == 0
    assert not mail.outbox


def test_a_due_day_earlier_than_the_days_before_reminds_at_the_end_of_the_month(demo_schedules, duc_my_official,
                                                                                 settings):
    settings.RESULTS_DUE_DAY = 2  # June due on 02/07: from 29/06, three days before
    unit = demo_schedules.unit
    assert notices_for(unit=unit, kind=NoticeKind.DUE_REMINDER, on=day(28, month=6)) == []
    [before] = notices_for(unit=unit, kind=NoticeKind.DUE_REMINDER, on=day(29, month=6))
    assert before.period == "2023-06:truoc-han"
    assert [n.period for n in notices_for(unit=unit, kind=NoticeKind.DUE_REMINDER, on=day(3))] == [
        "2023-06:qua-han", "2023-06:cap-tren"]


def test_a_late_commune_with_its_own_schedule_is_listed_to_the_level_above(cang_long):
    from notices.demo import load_notices_demo

    load_notices_demo()
    hai_duong = Unit.objects.get(code="HDUONG")
    make_member(hai_duong.parent, Role.LEADER, username="lanhdao.htra", email="lanhdao.htra@demo.bhxh.local")
    late, above = notices_for(unit=hai_duong, kind=NoticeKind.DUE_REMINDER, on=day(6))
    assert [r.address for r in late.recipients] == ["canbo.haiduong@demo.bhxh.local"]
    assert [r.address for r in above.recipients] == ["lanhdao.htra@demo.bhxh.local"]
    text, _ = above.render(above.recipients[0])
    assert "Kính gửi lãnh đạo và cán bộ BHXH Thị xã Hương Trà" in text and "Xã Hải Dương" in text


# --- the preview on the settings page -------------------------------------------------------------


@pytest.fixture
def admin_client(cang_long):
    client = Client()
    client.login(username="quantri.travinh", password="bhxh-demo-2025")
    return client


def test_the_settings_page_previews_each_notice_as_sent(demo_schedules, duc_my_official, admin_client):
    unit = demo_schedules.unit
    page = admin_client.get(reverse("notices:unit_settings", args=[unit.pk]), {"ngay": "2023-07-06"}).content.decode()
    assert "Tình hình thực hiện chỉ tiêu BHXH, BHYT, BHTN — Huyện Càng Long — tuần 27/2023" in page
    assert "Quá hạn nộp kết quả tháng 06/2023 — Xã Đức Mỹ" in page and "Các đơn vị quá hạn nộp kết quả" in page
    assert "bang-so-lieu-CL-2023-06.pdf" in page and "Số liệu tháng 06/2023 đã duyệt" in page
    assert "vanphong.huyenuy.canglong@demo.bhxh.local" in page
    frame = reverse("notices:notice_preview", args=[unit.pk, NoticeKind.WEEKLY_PROGRESS, 0])
    assert f'src="{frame}?ngay=2023-07-06"' in page
    response = admin_client.get(frame, {"ngay": "2023-07-06"})
    assert response.status_code == 200 and "frame-ancestors 'self'" in response["Content-Security-Policy"]
    # The same HTML part as the message sent that day (only the greeting and the unsubscribe link differ).
    [notice] = notices_for(unit=unit, kind=NoticeKind.WEEKLY_PROGRESS, on=day(6))
    services.notice_send(notice=notice)
    sent = next(m for m in mail.outbox if m.to == [LEADER]).alternatives[0][0]
    table = sent[sent.index("<table"):sent.index("</table>")]
    assert table in response.content.decode() and "132.600" in table
    late = admin_client.get(reverse("notices:notice_preview", args=[unit.pk, NoticeKind.DUE_REMINDER, 0]),
                            {"ngay": "2023-07-06"}).content.decode()
    assert "<strong>Xã Đức Mỹ</strong> chưa nộp kết quả" in late and "đã quá hạn" in late


def test_the_preview_explains_a_bad_day_and_a_missing_message(demo_schedules, admin_client):
    unit = demo_schedules.unit
    response = admin_client.get(reverse("notices:unit_settings", args=[unit.pk]), {"ngay": "06/07/2023"})
    assert response.status_code == 200
    assert "Ngày xem trước &#x27;06/07/2023&#x27; không hợp lệ: ghi theo dạng YYYY-MM-DD" in response.content.decode()
    far = admin_client.get(reverse("notices:unit_settings", args=[unit.pk]), {"ngay": "9999-12-31"})
    assert far.status_code == 200 and "phải trong các năm 2000-2100" in far.content.decode()
    frame = reverse("notices:notice_preview", args=[unit.pk, NoticeKind.WEEKLY_PROGRESS, 0])
    assert admin_client.get(frame, {"ngay": "9999-12-31"}).status_code == 200  # today's instead
    page = admin_client.get(reverse("notices:unit_settings", args=[unit.pk]), {"ngay": "2023-07-20"}).content.decode()
    assert "Ngày 20/07/2023 không có thư nào loại này" in page
    missing = reverse("notices:notice_preview", args=[unit.pk, NoticeKind.DUE_REMINDER, 0])
    assert admin_client.get(missing, {"ngay": "2023-07-20"}).status_code == 404
    assert admin_client.get(reverse("notices:notice_preview", args=[unit.pk, "khac", 0])).status_code == 404


@pytest.mark.parametrize(("username", "status"), [("bhxh.canglong", 403), ("bhxh.binhdinh", 404)])
def test_others_cannot_preview_a_units_notices(cang_long, username, status):
    client = Client()
    client.login(username=username, password="bhxh-demo-2025")
    url = reverse("notices:notice_preview", args=[cang_long.pk, NoticeKind.WEEKLY_PROGRESS, 0])
    assert client.get(url, {"ngay": "2023-07-03"}).status_code == status


# --- users without an address ---------------------------------------------------------------------


def test_the_dry_run_names_the_users_skipped_for_want_of_an_address(demo_schedules):
    make_member(demo_schedules.unit, Role.LEADER, username="pho.canglong", first_name="Bình", last_name="Trần Văn")
    out = io.StringIO()
    call_command("send_notices", "--kind", "weekly-progress", "--unit", "CL", "--date", "2023-07-03", "--dry-run",
                 stdout=out)
    text = out.getvalue()
    assert "Bình Trần Văn (pho.canglong): bỏ qua, tài khoản chưa có địa chỉ e-mail" in text
    assert "Bỏ qua 1 người chưa có địa chỉ e-mail" in text and f"{LEADER}: sẽ gửi" in text
    assert not mail.outbox and not NoticeDelivery.objects.exists()
