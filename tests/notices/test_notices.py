"""The three notices for Càng Long (the plan's June 2023 figures), sent once per recipient through a
real SMTP server, unsubscribing, failures recorded and retried, and who may configure and send."""

import datetime
import io

import pytest
from django.core import mail
from django.core.management import CommandError, call_command
from django.test import Client
from django.urls import reverse

from notices import services
from notices.models import DeliveryState, NoticeDelivery, NoticeKind, NoticeOptOut, UnitNoticeSettings
from notices.selectors import notices_for, unsubscribe_token
from units.models import Role, Unit
from tests.factories import make_member

pytestmark = pytest.mark.django_db

MONDAY = datetime.date(2023, 7, 3)  # June's figures due on 05/07/2023
LEADER, STAFF = "lanhdao.canglong@demo.bhxh.local", "bhxh.canglong@demo.bhxh.local"
OFFICES = ["vanphong.huyenuy@canglong.example.vn", "vanphong.ubnd@canglong.example.vn"]


@pytest.fixture
def configured(cang_long):
    return UnitNoticeSettings.objects.create(unit=cang_long, extra_addresses="\n".join(OFFICES))


@pytest.fixture
def duc_my_official(cang_long):
    return make_member(Unit.objects.get(code="CL14"), Role.COMMUNE_OFFICIAL, username="canbo.ducmy",
                       email="canbo.ducmy@demo.bhxh.local")


def text_of(message):
    return message.body


def test_weekly_progress_of_cang_long_prints_the_plans_june_figures(configured):
    [notice] = notices_for(unit=configured.unit, kind=NoticeKind.WEEKLY_PROGRESS, on=MONDAY)
    assert notice.period == "2023-W27"
    assert {r.address for r in notice.recipients} == {LEADER, STAFF, *OFFICES}
    services.notice_send(notice=notice)
    message = next(m for m in mail.outbox if m.to == [LEADER])
    body = message.body
    # The BHYT line: the district's own 132.600, target 95% of 148.806, coverage, achievement, remaining.
    assert ("Người tham gia BHYT (tất cả các nhóm): 132.600 người (tháng 6/2023); chỉ tiêu 141.366 người (95,00%); "
            "độ bao phủ 89,11%; đạt 93,80% chỉ tiêu; còn phải phát triển 8.766") in body
    assert "Người tham gia bảo hiểm thất nghiệp: 10.561 người (tháng 6/2023)" in body and "đạt 88,86% chỉ tiêu" in body
    # The communes furthest behind, as in the printed table (Huyền Hội 83,95%, Đức Mỹ 85,82%, Phương Thạnh 86,35%).
    behind = body.split("thấp nhất")[1]
    assert behind.index("Xã Huyền Hội: đạt 83,95%, còn 2.362") < behind.index("Xã Đức Mỹ: đạt 85,82%") < behind.index(
        "Xã Phương Thạnh: đạt 86,35%")
    html = message.alternatives[0][0]
    assert "<td align=\"right\">132.600</td>" in html and "89,11%" in html
    [(name, pdf, mimetype)] = message.attachments
    assert name == "bang-so-lieu-CL-2023-06.pdf" and mimetype == "application/pdf" and pdf.startswith(b"%PDF")
    from pypdf import PdfReader

    text = " ".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages)
    assert "132.600" in text and "89,11" in text and "10.561" in text
    assert "/thong-bao/huy/" in body and message.extra_headers["List-Unsubscribe"].startswith("<http")


def test_the_next_weekly_notice_prints_the_change_since_the_last_one(configured):
    services.notices_send_for_unit(unit=configured.unit, kind=NoticeKind.WEEKLY_PROGRESS, on=MONDAY)
    assert "lần thông báo đầu tiên" in mail.outbox[0].body
    from results.models import MonthlyResult

    # The district's own BHYT entry of June grows by 250 during the week.
    MonthlyResult.objects.filter(unit__code="CL", indicator__code="bhyt", year=2023, month=6,
                                 agent__isnull=True).update(participants=132850)
    mail.outbox.clear()
    services.notices_send_for_unit(unit=configured.unit, kind=NoticeKind.WEEKLY_PROGRESS,
                                   on=MONDAY + datetime.timedelta(days=7))
    body = next(m for m in mail.outbox if m.to == [LEADER]).body
    assert "Người tham gia BHYT (tất cả các nhóm): 132.850 người" in body
    assert "so với lần thông báo trước: +250" in body


def test_sending_twice_sends_once(configured):
    first = services.notices_send_for_unit(unit=configured.unit, kind=NoticeKind.WEEKLY_PROGRESS, on=MONDAY)
    assert {o.status for o in first} == {services.SENT} and len(mail.outbox) == 4
    again = services.notices_send_for_unit(unit=configured.unit, kind=NoticeKind.WEEKLY_PROGRESS, on=MONDAY)
    assert {o.status for o in again} == {services.ALREADY} and len(mail.outbox) == 4
    assert NoticeDelivery.objects.filter(kind=NoticeKind.WEEKLY_PROGRESS, state=DeliveryState.SENT).count() == 4


def test_beat_sends_what_is_due_once_whatever_the_runs(configured, duc_my_official):
    from django.utils import timezone

    before_time = timezone.make_aware(datetime.datetime(2023, 7, 3, 6, 30))
    assert services.notices_send_due(now=before_time)["sent"] == 0 and not mail.outbox
    at_seven = timezone.make_aware(datetime.datetime(2023, 7, 3, 8, 5))
    summary = services.notices_send_due(now=at_seven)
    # weekly: 2 members + 2 offices; reminder two days before the 5th: Đức Mỹ's official (draft).
    assert summary["sent"] == 5
    assert [m.to for m in mail.outbox if "Sắp đến hạn" in m.subject] == [["canbo.ducmy@demo.bhxh.local"]]
    for hour in (9, 10):
        assert services.notices_send_due(now=at_seven.replace(hour=hour))["sent"] == 0
    assert len(mail.outbox) == 5


def test_due_reminder_before_and_the_day_after_the_due_day(configured, duc_my_official):
    unit = configured.unit
    assert notices_for(unit=unit, kind=NoticeKind.DUE_REMINDER, on=datetime.date(2023, 7, 2)) == []
    [before] = notices_for(unit=unit, kind=NoticeKind.DUE_REMINDER, on=datetime.date(2023, 7, 3))
    assert before.unit.code == "CL14" and [r.address for r in before.recipients] == ["canbo.ducmy@demo.bhxh.local"]
    late, above = notices_for(unit=unit, kind=NoticeKind.DUE_REMINDER, on=datetime.date(2023, 7, 6))
    services.notice_send(notice=late)
    services.notice_send(notice=above)
    to_official, to_district = mail.outbox[0], mail.outbox[1:]
    assert "Xã Đức Mỹ chưa nộp kết quả" in to_official.body and "đã quá hạn" in to_official.body
    assert "/don-vi/%d/ket-qua/2023-06/" % late.unit.pk in to_official.body
    assert {m.to[0] for m in to_district} == {LEADER, STAFF}
    body = to_district[0].body
    assert "1/14 đơn vị chưa nộp kết quả tháng 06/2023 (hạn nộp 05/07/2023)" in body
    assert "Xã Đức Mỹ (đang nhập)" in body and "canbo.ducmy@demo.bhxh.local" in body
    assert "Đề nghị Xã Đức Mỹ nhập và nộp kết quả" in body  # the Tiến độ nộp page's own text


def test_monthly_pack_goes_to_the_leaders_with_tables_and_charts(configured):
    outcomes = services.notices_send_for_unit(unit=configured.unit, kind=NoticeKind.MONTHLY_PACK,
                                              on=datetime.date(2023, 7, 10))
    assert [o.recipient.address for o in outcomes] == [LEADER]
    [message] = mail.outbox
    [(name, pdf, _)] = message.attachments
    assert name == "so-lieu-thang-CL-2023-06.pdf"
    from pypdf import PdfReader

    reader = PdfReader(io.BytesIO(pdf))
    text = " ".join(page.extract_text() for page in reader.pages)
    assert "132.600" in text and "TỔNG QUAN THÁNG 6/2023" in text
    # A month not approved yet (Càng Long's July) sends nothing.
    assert notices_for(unit=configured.unit, kind=NoticeKind.MONTHLY_PACK, on=datetime.date(2023, 8, 10)) == []


def test_an_unsubscribed_address_gets_nothing(configured, client):
    token = unsubscribe_token(address=LEADER, kind=NoticeKind.WEEKLY_PROGRESS)
    url = reverse("notices:unsubscribe", args=[token])
    assert "Hủy nhận" in client.get(url).content.decode()
    assert not NoticeOptOut.objects.exists()  # a GET (a mail scanner) changes nothing
    assert client.post(url).status_code == 200
    outcomes = services.notices_send_for_unit(unit=configured.unit, kind=NoticeKind.WEEKLY_PROGRESS, on=MONDAY)
    assert {o.recipient.address: o.status for o in outcomes}[LEADER] == services.OPTED_OUT
    assert LEADER not in [m.to[0] for m in mail.outbox] and len(mail.outbox) == 3
    assert client.get(reverse("notices:unsubscribe", args=[token[:-3] + "abc"])).status_code == 400


def test_the_preferences_page_chooses_the_kinds(cang_long):
    client = Client()
    client.login(username="lanhdao.canglong", password="bhxh-demo-2025")
    response = client.post(reverse("notices:preferences"), {"kinds": [NoticeKind.MONTHLY_PACK]})
    assert response.status_code == 302
    assert set(NoticeOptOut.objects.filter(address=LEADER).values_list("kind", flat=True)) == {
        NoticeKind.WEEKLY_PROGRESS, NoticeKind.DUE_REMINDER}
    page = client.get(reverse("notices:preferences")).content.decode()
    assert LEADER in page


def test_a_real_smtp_server_receives_the_weekly_notice(configured, smtp_server):
    services.notices_send_for_unit(unit=configured.unit, kind=NoticeKind.WEEKLY_PROGRESS, on=MONDAY)
    assert len(smtp_server.messages) == 4
    message = next(m for m in smtp_server.messages if m["To"] == LEADER)
    assert message["Subject"].strip().startswith("Tình hình thực hiện chỉ tiêu BHXH, BHYT, BHTN — Huyện Càng Long")
    assert message["List-Unsubscribe"]
    parts = {part.get_content_type() for part in message.walk()}
    assert {"text/plain", "text/html", "application/pdf"} <= parts
    assert "132.600" in message.get_body(("plain",)).get_content()


def test_an_smtp_failure_is_recorded_and_retried(configured, smtp_server, settings):
    working = settings.EMAIL_PORT
    from tests.services import free_port

    settings.EMAIL_PORT = free_port()  # nothing listens there
    outcomes = services.notices_send_for_unit(unit=configured.unit, kind=NoticeKind.WEEKLY_PROGRESS, on=MONDAY)
    assert {o.status for o in outcomes} == {services.FAILED}
    failed = NoticeDelivery.objects.get(recipient=LEADER)
    assert failed.state == DeliveryState.FAILED and "Connection refused" in failed.error and failed.attempts == 1
    settings.EMAIL_PORT = working
    assert services.notices_retry_failed() == 4
    sent = NoticeDelivery.objects.get(recipient=LEADER)
    assert (sent.state, sent.attempts, sent.error) == (DeliveryState.SENT, 2, "")
    assert len(smtp_server.messages) == 4
    assert services.notices_retry_failed() == 0 and len(smtp_server.messages) == 4


# --- who may configure and send -------------------------------------------------------------------


def test_the_units_administrator_sets_addresses_day_and_time(cang_long):
    client = Client()
    client.login(username="quantri.travinh", password="bhxh-demo-2025")
    url = reverse("notices:unit_settings", args=[cang_long.pk])
    data = {"weekly_enabled": "on", "weekly_weekday": 0, "weekly_hour": 7, "reminder_enabled": "on",
            "reminder_days_before": 2, "reminder_hour": 8, "monthly_enabled": "on", "monthly_day": 10,
            "monthly_hour": 7, "extra_addresses": "\n".join(OFFICES)}
    assert client.post(url, data).status_code == 302
    assert UnitNoticeSettings.objects.get(unit=cang_long).addresses == OFFICES
    bad = client.post(url, {**data, "extra_addresses": f"{OFFICES[0]}\nvan phong ubnd", "monthly_day": 31})
    page = bad.content.decode()
    assert bad.status_code == 200 and "Dòng 2: &#x27;van phong ubnd&#x27; không phải là địa chỉ e-mail" in page
    assert "từ 1 đến 28" in page


@pytest.mark.parametrize(("username", "status"), [("bhxh.canglong", 403), ("bhxh.binhdinh", 404),
                                                  ("lanhdao.canglong", 403)])
def test_others_cannot_open_a_units_notice_settings(cang_long, username, status):
    client = Client()
    client.login(username=username, password="bhxh-demo-2025")
    assert client.get(reverse("notices:unit_settings", args=[cang_long.pk])).status_code == status
    assert client.post(reverse("notices:unit_settings", args=[cang_long.pk]), {}).status_code == status
    assert not UnitNoticeSettings.objects.exists()


def test_the_command_sends_or_shows_what_beat_would_send(configured):
    out = io.StringIO()
    call_command("send_notices", "--kind", "weekly-progress", "--unit", "CL", "--date", "2023-07-03", "--dry-run",
                 stdout=out)
    assert f"{LEADER}: sẽ gửi" in out.getvalue() and "bang-so-lieu-CL-2023-06.pdf" in out.getvalue()
    assert not mail.outbox and not NoticeDelivery.objects.exists()
    call_command("send_notices", "--kind", "weekly-progress", "--unit", "CL", "--date", "2023-07-03",
                 "--as", "quantri.travinh", stdout=io.StringIO())
    assert len(mail.outbox) == 4
    out = io.StringIO()
    call_command("send_notices", "--kind", "weekly-progress", "--unit", "CL", "--date", "2023-07-03", stdout=out)
    assert f"{LEADER}: đã gửi trước đó, bỏ qua" in out.getvalue() and len(mail.outbox) == 4


@pytest.mark.parametrize("args", [
    ["--unit", "CL", "--as", "bhxh.binhdinh"],  # another province
    ["--unit", "KHONGCO", "--as", "bhxh.binhdinh"],  # does not exist: the same answer
    ["--unit", "CL", "--as", "bhxh.canglong"],  # sees it, does not administer it
])
def test_the_command_as_a_user_refuses_units_outside_their_scope(cang_long, args):
    with pytest.raises(CommandError, match="nằm ngoài phạm vi"):
        call_command("send_notices", "--kind", "weekly-progress", "--date", "2023-07-03", *args)
    assert not mail.outbox


def test_the_command_explains_bad_input(cang_long):
    with pytest.raises(CommandError, match="YYYY-MM-DD"):
        call_command("send_notices", "--kind", "weekly-progress", "--unit", "CL", "--date", "03/07/2023")
    with pytest.raises(CommandError, match="Không có đơn vị mã 'X'"):
        call_command("send_notices", "--kind", "weekly-progress", "--unit", "X", "--date", "2023-07-03")
