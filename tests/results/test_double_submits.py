"""The confirmation of a checked file (targets, demographics, schools, results) writes once: sent
again, from a double click or a second tab that still shows it, it is told the file was written and
writes nothing, history included. A workflow step clicked twice by the same person is one step, and
the second click is told so calmly (another approver's conflict keeps its own message)."""

import pytest
from django.contrib.messages import get_messages
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from bhxh_portal.models import FormSubmission
from targets.models import Demographics
from results.models import MonthlyReportEvent, MonthlyResult, ReportAction, ReportState
from results import services as services

from .results_fixtures import JUNE, build_district, enter

pytestmark = pytest.mark.django_db


@pytest.fixture
def tree():
    return build_district(communes=2, villages=1)


def messages_of(response) -> list[tuple[str, str]]:
    return [(m.level_tag, m.message) for m in get_messages(response.wsgi_request)]


def check_then_confirm_twice(client, url: str, fields: dict, name: str, content: str):
    checked = client.post(url, {**fields, "action": "check", "file": SimpleUploadedFile(name, content.encode())})
    assert checked.context["report"].ok, checked.context["report"].messages()
    token = checked.context["pending"]["token"]
    first = client.post(url, {"action": "confirm", "token": token})
    second = client.post(url, {"action": "confirm", "token": token})
    return first, second


def test_demographics_confirmed_twice_are_written_once(client, tree):
    client.force_login(tree.users["district_staff"])
    a, b = tree.communes
    content = f"unit_code,year,population,labour_force\n{a.code},2023,1.200,800\n{b.code},2023,900,600\n"
    first, second = check_then_confirm_twice(client, reverse("targets:target_import"), {"kind": "demographics"},
                                             "dan_so.csv", content)
    assert first.status_code == second.status_code == 302
    assert Demographics.objects.count() == 2 and Demographics.history.count() == 2
    level, text = messages_of(second)[-1]
    assert level == "info" and text.startswith("Tệp này đã được ghi lúc ") and "không ghi lại" in text
    assert FormSubmission.objects.get().purpose == "targets.import"


def test_a_results_file_confirmed_twice_is_written_once(client, tree):
    client.force_login(tree.users["district_staff"])
    a, b = tree.communes
    content = f"unit_code,period,indicator,participants\n{a.code},2023-06,bhyt,1.234\n{b.code},2023-06,bhyt,900\n"
    first, second = check_then_confirm_twice(client, reverse("results:results_import"), {}, "ket_qua.csv", content)
    assert first.status_code == second.status_code == 302
    assert MonthlyResult.objects.count() == 2 and MonthlyResult.history.count() == 2
    assert messages_of(second)[-1][0] == "info" and "Tệp này đã được ghi lúc" in messages_of(second)[-1][1]


def test_a_stale_confirmation_that_was_never_used_still_says_the_session_ended(client, tree):
    client.force_login(tree.users["district_staff"])
    response = client.post(reverse("results:results_import"), {"action": "confirm", "token": "0" * 32})
    assert messages_of(response)[-1] == ("error", "Phiên nhập tệp đã hết hạn; hãy tải tệp lên lại.")


def test_submit_and_approve_clicked_twice_are_one_step_each(client, tree):
    commune = tree.communes[0]
    enter(commune, 100)
    url = reverse("results:results_transition", args=[commune.pk, JUNE.key])
    client.force_login(tree.users["official"])
    client.post(url, {"action": "submit"})
    again = client.post(url, {"action": "submit"})
    assert again.status_code == 302
    assert messages_of(again)[-1][0] == "info" and "Bạn đã nộp kết quả Xã 1 lúc" in messages_of(again)[-1][1]
    client.force_login(tree.users["district_staff"])
    client.post(url, {"action": "approve"})
    again = client.post(url, {"action": "approve"})
    assert messages_of(again)[-1][0] == "info" and "Bạn đã duyệt kết quả Xã 1 lúc" in messages_of(again)[-1][1]
    report = services.find_report(unit=commune, month=JUNE)
    assert report.state == ReportState.APPROVED
    assert list(MonthlyReportEvent.objects.filter(report=report).values_list("action", flat=True)) == [
        ReportAction.SUBMIT, ReportAction.APPROVE]
    # Another approver's click after it is still the conflict, naming who approved.
    client.force_login(tree.users["district_staff2"])
    late = client.post(url, {"action": "approve"})
    assert messages_of(late)[-1][0] == "error" and "Hoa" in messages_of(late)[-1][1]


def test_a_grid_cell_saved_twice_with_the_same_value_is_one_save(client, tree):
    from .test_results_entry import save_cell

    commune = tree.communes[0]
    client.force_login(tree.users["official"])
    row = f"u{commune.pk}"
    first = save_cell(client, commune, row, "bhyt", "participants", "5.200", 0)
    second = save_cell(client, commune, row, "bhyt", "participants", "5.200", 0)  # the same version seen
    assert first.status_code == second.status_code == 200
    result = MonthlyResult.objects.get()
    assert (result.participants, result.version, result.history.count()) == (5200, 1, 1)
    # Another value from the old version is still refused with the stored one.
    assert save_cell(client, commune, row, "bhyt", "participants", "5.300", 0).status_code == 409
