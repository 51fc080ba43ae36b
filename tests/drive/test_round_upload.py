"""The printed round back: its xlsx to fill in, the upload of the filled file (check, then confirm),
every refusal with its row and column, the same file twice, and the agent's own people only."""

import datetime
import io

import pytest
from django.core.exceptions import PermissionDenied
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import load_workbook

from agents.models import PersonalDataAccess
from drive import selectors
from drive.models import Contact, ListKind, WorkItem
from drive.rounds import TEMPLATE_HEADERS, import_round_contacts, row_key

from .conftest import D, MONTH

HEADERS = "Mã dòng,Mã số BHXH,Họ và tên,Ngày gặp,Kết quả,Lý do từ chối,Hẹn ngày,Ghi chú\n"


def urls(unit, kind="due"):
    kwargs = {"pk": unit.pk, "month": "2024-06", "kind": kind}
    return reverse("drive:round_template", kwargs=kwargs), reverse("drive:contact_import", kwargs=kwargs)


def sheet(data: bytes) -> list[list]:
    rows = load_workbook(io.BytesIO(data)).active.iter_rows(values_only=True)
    return [list(row) for row in rows if any(v is not None for v in row)]


def fill(data: bytes, answers: dict[str, list]) -> bytes:
    """The template with the outcome columns (Ngày gặp … Ghi chú) of the named people filled in."""
    workbook = load_workbook(io.BytesIO(data))
    ws = workbook.active
    for row in ws.iter_rows(min_row=2):
        values = answers.get(row[3].value)
        if values:
            for cell, value in zip(row[8:], values):
                cell.value = value
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def run(official, text: str, *, unit, kind="due", dry_run=False):
    return import_round_contacts(text.encode(), filename="ket-qua.csv", unit=unit, month=MONTH, kind=kind,
                                 user=official, dry_run=dry_run)


def test_the_template_is_the_round_with_empty_outcome_columns(client, registry, official, drawn):
    client.force_login(official)
    response = client.get(urls(registry["xa1"])[0])
    assert response.status_code == 200
    assert 'filename="ket-qua-due-2024-06-00001.xlsx"' in response["Content-Disposition"]
    rows = sheet(b"".join(response.streaming_content) if response.streaming else response.content)
    assert rows[0] == TEMPLATE_HEADERS
    by_name = {r[3]: r for r in rows[1:]}
    assert set(by_name) == {"Trần Thị Đến Hạn", "Lê Văn Tự Nguyện", "Bùi Chuyển Đi"}
    row = by_name["Trần Thị Đến Hạn"]
    assert row[1] == row_key(drawn["a"].pk) and row[2] == registry["people"]["not_renewed"].bhxh_code
    assert row[5] == "Thôn Đông" and row[7] == "15/06/2024" and row[8:] == [None] * 5
    assert PersonalDataAccess.objects.filter(user=official).count() == 3  # each person shown is logged


def test_an_agent_gets_only_their_own_people(client, registry, agents, drawn):
    client.force_login(agents["a"]["user"])
    rows = sheet(client.get(urls(registry["xa1"])[0]).content)
    assert [r[3] for r in rows[1:]] == ["Trần Thị Đến Hạn"]


def test_upload_checks_then_confirms_and_moves_the_funnel(client, registry, official, drawn):
    before = selectors.funnel(user=official, unit=registry["xa1"], month=MONTH)[-1]
    assert (before.contacted, before.promised) == (0, 0)
    client.force_login(official)
    template, upload = urls(registry["xa1"])
    filled = fill(client.get(template).content, {
        "Trần Thị Đến Hạn": ["10/06/2024", "Hẹn đóng", None, "20/06/2024", "Hẹn cuối tháng"],
        "Lê Văn Tự Nguyện": ["11/06/2024", "tu choi", "khong du kha nang dong", None, None],
    })
    checked = client.post(upload, {"file": SimpleUploadedFile("dot-1.xlsx", filled)})
    report = checked.context["report"]
    assert checked.status_code == 200 and report.ok and report.dry_run, report.messages()
    assert (report.total, report.created, report.blank) == (2, 2, 1)
    assert "Bỏ qua 1 dòng chưa ghi kết quả" in report.summary()
    assert not Contact.objects.exists()  # the check writes nothing
    token = checked.context["pending"]["token"]
    confirmed = client.post(upload, {"action": "confirm", "token": token})
    assert confirmed.status_code == 302
    assert confirmed.url == reverse("drive:work_list", kwargs={"pk": registry["xa1"].pk, "month": "2024-06",
                                                               "kind": "due"})
    promised = Contact.objects.get(item=drawn["a"])
    assert (promised.contacted_on, promised.outcome, promised.next_date, promised.note, promised.recorded_by) == (
        D(2024, 6, 10), "promised", D(2024, 6, 20), "Hẹn cuối tháng", official)
    refused = Contact.objects.get(item=drawn["b"])
    assert (refused.outcome, refused.refusal_reason, refused.next_date) == ("refused", "cannot_afford", None)
    after = selectors.funnel(user=official, unit=registry["xa1"], month=MONTH)[-1]
    assert (after.listed, after.contacted, after.promised) == (before.listed, 2, 1)
    assert after.refusals["cannot_afford"] == 1
    # a second click on the same confirmation writes nothing again
    again = client.post(upload, {"action": "confirm", "token": token}, follow=True)
    assert "đã được ghi" in again.content.decode() and Contact.objects.count() == 2


def test_the_same_file_twice_writes_nothing_the_second_time(client, registry, official, drawn):
    text = HEADERS + f"{row_key(drawn['a'].pk)},,,10/06/2024,Đã gặp,,,\n"
    first = run(official, text, unit=registry["xa1"])
    assert first.ok and first.created == 1
    second = run(official, text, unit=registry["xa1"])
    assert second.ok and (second.created, second.unchanged) == (0, 1)
    assert Contact.objects.count() == 1
    # on the page: the check finds nothing new and offers no confirmation
    client.force_login(official)
    page = client.post(urls(registry["xa1"])[1], {"file": SimpleUploadedFile("ket-qua.csv", text.encode())})
    assert page.context["pending"] is None and "không có gì mới để ghi" in page.content.decode()
    # another visit of the same person is a new contact
    third = run(official, text.replace("10/06/2024", "12/06/2024"), unit=registry["xa1"])
    assert third.created == 1 and Contact.objects.count() == 2


def test_people_named_by_bhxh_code_labels_or_letters_with_or_without_accents(registry, official, drawn):
    people = registry["people"]
    text = HEADERS + (f",{people['not_renewed'].bhxh_code},,05/06/2024,DA DONG,,,\n"
                      f",{people['voluntary_due'].bhxh_code},,05/06/2024,KG,,07/06/2024,\n"
                      f",{people['moved'].bhxh_code},,05/06/2024,chuyển đi,,,\n")
    report = run(official, text, unit=registry["xa1"])
    assert report.ok and report.created == 3, report.messages()
    assert sorted(Contact.objects.values_list("outcome", flat=True)) == ["moved", "not_met", "paid"]


def test_a_resident_of_the_uninsured_list_is_named_by_the_row_key(registry, official, drawn):
    item = WorkItem.objects.get(resident=registry["residents"]["bare"])
    report = run(official, HEADERS + f"{row_key(item.pk)},,,05/06/2024,Hẹn đóng,,,\n", unit=registry["xa1"],
                 kind="uninsured")
    assert report.ok and Contact.objects.get().item == item


def test_each_error_names_row_and_column_and_nothing_is_written(registry, official, drawn):
    people = registry["people"]
    a, b = row_key(drawn["a"].pk), row_key(drawn["b"].pk)
    tomorrow = f"{datetime.date.today() + datetime.timedelta(days=1):%d/%m/%Y}"
    text = HEADERS + "\n".join([
        f"{a},,,10/06/2024,Hẹn đóng,,,",                        # 2: fine, but not written with the others
        f"{b},,,10/06/2024,Đã vui,,,",                           # 3: unknown outcome
        f",{people['moved'].bhxh_code},,10/06/2024,Từ chối,,,",  # 4: refused without a reason
        f"{a},,,11/06/2024,Đã gặp,,,",                           # 5: the same person again
        "VD-999999,,,10/06/2024,Đã gặp,,,",                     # 6: a key of nobody in the round
        "abc,,,10/06/2024,Đã gặp,,,",                           # 7: not a key
        ",,,10/06/2024,Đã gặp,,,",                              # 8: nobody named
        f",{people['lapsed'].bhxh_code},,31/06/2024,Đã gặp,,,",  # 9: a bad date, a person of another list
        f"{b},,,{tomorrow},Đã gặp,,,",                           # 10: in the future
        f"{b},,,10/06/2024,Hẹn đóng,,09/06/2024,",              # 11: next date before the visit
        f"{b},,,10/06/2024,Đã gặp,Chưa thấy cần thiết,,",       # 12: a reason without a refusal
        f"{b},,,10/06/2024,Từ chối,Vì trời mưa,,",               # 13: a reason not in the list
        f"{b},,,,Đã gặp,,,",                                     # 14: no date
        f"{b},,,10/06/2024,Đã gặp,,," + "x" * 501,             # 15: a note too long
    ]) + "\n"
    report = run(official, text, unit=registry["xa1"])
    assert not report.ok and not Contact.objects.exists()
    found = {(p.line, p.column): p.message for p in report.problems}
    assert "kết quả 'Đã vui' không có trong danh mục" in found[(3, "Kết quả")]
    assert found[(4, "Lý do từ chối")] == "hãy chọn lý do từ chối."
    assert found[(5, "Mã dòng")] == "người này đã có ở dòng 2."
    assert "mã dòng VD-999999 không có trong danh sách đến hạn tháng 06/2024" in found[(6, "Mã dòng")]
    assert "không đúng dạng VD-số" in found[(7, "Mã dòng")]
    assert "thiếu Mã dòng hoặc Mã số BHXH" in found[(8, "Mã dòng")]
    assert "ngày gặp '31/06/2024' không đúng dạng dd/mm/yyyy" in found[(9, "Ngày gặp")]
    assert f"mã số BHXH {people['lapsed'].bhxh_code} không có trong danh sách đến hạn" in found[(9, "Mã số BHXH")]
    assert found[(10, "Ngày gặp")] == "ngày gặp không được sau hôm nay."
    assert found[(11, "Hẹn ngày")] == "ngày hẹn lần sau phải từ ngày gặp trở đi."
    assert "chỉ ghi khi kết quả là Từ chối" in found[(12, "Lý do từ chối")]
    assert "lý do 'Vì trời mưa' không có trong danh mục" in found[(13, "Lý do từ chối")]
    assert found[(14, "Ngày gặp")] == "hãy ghi ngày gặp."
    assert "500" in found[(15, "Ghi chú")]
    assert report.messages()[0].startswith("Tệp ket-qua.csv, dòng 3, cột Kết quả:")
    assert 2 not in {p.line for p in report.problems}


def test_a_file_without_the_outcome_column_or_any_person_column(registry, official, drawn):
    report = run(official, "Mã dòng,Ngày gặp\nVD-1,10/06/2024\n", unit=registry["xa1"])
    assert report.messages() == ["Tệp ket-qua.csv, dòng 1: thiếu cột Kết quả. Dòng tiêu đề có: Mã dòng, Ngày gặp."]
    report = run(official, "Họ và tên,Kết quả\nA,Đã gặp\n", unit=registry["xa1"])
    assert "thiếu cột Mã dòng hoặc Mã số BHXH" in report.messages()[0]


def test_a_person_outside_the_subtree_is_refused_without_saying_who_or_where(client, registry, official, drawn):
    from drive import services

    other = registry["people"]["other_commune"]
    services.work_list_draw(unit=registry["xa2"], month=MONTH, kind=ListKind.DUE,
                            by=_member(registry["xa2"]))
    other_item = WorkItem.objects.get(participant=other)
    text = HEADERS + (f",{other.bhxh_code},,10/06/2024,Đã gặp,,,\n"
                      f"{row_key(other_item.pk)},,,10/06/2024,Đã gặp,,,\n")
    client.force_login(official)
    page = client.post(urls(registry["xa1"])[1], {"file": SimpleUploadedFile("ket-qua.csv", text.encode())})
    assert page.status_code == 400 and not Contact.objects.exists()
    shown = page.content.decode()
    messages = page.context["report"].messages()
    assert len(messages) == 2
    for secret in ("Đinh Xã Khác", "Xã Hai", "Thôn Bắc", other.personal_id):
        assert secret not in shown
    # the same words as for a code of nobody
    nobody = run(official, HEADERS + ",0999999999,,10/06/2024,Đã gặp,,,\n", unit=registry["xa1"]).messages()[0]
    assert messages[0].replace(other.bhxh_code, "X") == nobody.replace("0999999999", "X")
    # another commune's round: no page, and the service refuses
    assert client.get(urls(registry["xa2"])[1]).status_code == 404
    assert client.get(urls(registry["xa2"])[0]).status_code == 404
    with pytest.raises(PermissionDenied):
        run(official, text, unit=registry["xa2"])


def test_an_agent_uploads_only_for_their_own_people(client, registry, agents, drawn):
    """A collection agent records what they may record on the phone page: the people given to them.
    Another agent's person is refused with the words used for a code of nobody."""
    user = agents["a"]["user"]
    own, others = row_key(drawn["a"].pk), row_key(drawn["b"].pk)
    refused = run(user, HEADERS + f"{own},,,10/06/2024,Đã gặp,,,\n{others},,,10/06/2024,Đã gặp,,,\n",
                  unit=registry["xa1"])
    assert [(p.line, p.column) for p in refused.problems] == [(3, "Mã dòng")]
    assert "Lê Văn Tự Nguyện" not in refused.messages()[0] and not Contact.objects.exists()
    report = run(user, HEADERS + f"{own},,,10/06/2024,Đã gặp,,,\n", unit=registry["xa1"])
    assert report.ok and Contact.objects.get().item == drawn["a"]
    client.force_login(user)
    assert client.get(urls(registry["xa1"])[1]).status_code == 200


def test_a_confirmation_of_another_round_or_expired_writes_nothing(client, registry, official, drawn):
    client.force_login(official)
    text = HEADERS + f"{row_key(drawn['a'].pk)},,,10/06/2024,Đã gặp,,,\n"
    due_page = urls(registry["xa1"])[1]
    checked = client.post(due_page, {"file": SimpleUploadedFile("ket-qua.csv", text.encode())})
    token = checked.context["pending"]["token"]
    lapsed_page = urls(registry["xa1"], kind="lapsed")[1]
    response = client.post(lapsed_page, {"action": "confirm", "token": token}, follow=True)
    assert "hết hạn" in response.content.decode() and not Contact.objects.exists()
    client.post(due_page, {"action": "confirm", "token": token})
    assert Contact.objects.count() == 1


def _member(unit):
    from units.models import Role
    from tests.factories import make_member

    return make_member(unit, Role.COMMUNE_OFFICIAL)
