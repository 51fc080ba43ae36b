"""The weekly notice sent by the real Celery worker, on PostgreSQL and Redis, to a real SMTP server."""

import datetime

import pytest

from notices.models import DeliveryState, NoticeDelivery, NoticeKind
from tests import services as test_services

pytestmark = [pytest.mark.services, pytest.mark.django_db(transaction=True)]


def test_the_worker_sends_the_weekly_notice_once(settings, smtp_server):
    test_services.require_services()
    from units.demo import load_units, load_users
    from notices.models import UnitNoticeSettings
    from notices.tasks import send_unit_notices
    from targets.demo import load_targets_demo
    from results.demo import load_results_demo
    from units.models import Unit

    load_units()
    load_targets_demo()
    load_results_demo()
    load_users()
    unit = Unit.objects.get(code="CL")
    UnitNoticeSettings.objects.create(unit=unit, extra_addresses="vanphong.ubnd@canglong.example.vn")
    queue = test_services.new_queue()
    worker = test_services.start_worker(queue, extra_env={
        "MEDIA_ROOT": str(settings.MEDIA_ROOT), "EMAIL_URL": f"smtp://127.0.0.1:{settings.EMAIL_PORT}"})
    try:
        with test_services.celery_sends_to(test_services.broker_url()):
            for _ in range(2):  # a retried task sends nothing more
                send_unit_notices.apply_async(args=[unit.pk, NoticeKind.WEEKLY_PROGRESS, "2023-07-03"], queue=queue)
            test_services.wait_for(
                lambda: NoticeDelivery.objects.filter(state=DeliveryState.SENT).count() == 3,
                timeout=90, what="3 thư tình hình hằng tuần được gửi")
            test_services.wait_for(lambda: len(smtp_server.messages) >= 3, timeout=30, what="3 thư tới máy chủ SMTP")
            import time

            time.sleep(3)  # the second task has had time to run: it must send nothing
    finally:
        test_services.stop_worker(worker)
    assert len(smtp_server.messages) == 3
    assert all("132.600" in m.get_body(("plain",)).get_content() for m in smtp_server.messages)
    assert NoticeDelivery.objects.filter(period="2023-W27").count() == 3
    assert datetime.date(2023, 7, 3).isocalendar()[1] == 27
