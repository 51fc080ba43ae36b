"""django-import-export in the admin: agents, and small participant lists (the row-by-row path)."""

import pytest
import tablib
from django.contrib.auth import get_user_model

from agents.models import Agent, Participant
from agents.resources import AgentResource, ParticipantResource

pytestmark = pytest.mark.django_db


def dataset(headers, rows):
    data = tablib.Dataset(headers=headers)
    for row in rows:
        data.append(row)
    return data


def test_agents_import_with_their_communes_and_reimport_is_unchanged(district):
    data = dataset(["Tên đại lý", "Mã đại lý", "Loại", "Mã đơn vị", "Mã các xã phục vụ", "Đang hoạt động"],
                   [["Bưu điện huyện Một", "BD01", "Bưu điện", "001", "00001,00002", "1"]])
    result = AgentResource().import_data(data, dry_run=False)
    assert not result.has_errors() and not result.has_validation_errors()
    agent = Agent.objects.get()
    assert (agent.kind, agent.code, agent.unit.code) == ("post_office", "BD01", "001")
    assert sorted(agent.communes.values_list("code", flat=True)) == ["00001", "00002"]
    again = AgentResource().import_data(data, dry_run=False)
    assert again.totals["skip"] == 1 and Agent.objects.count() == 1


def test_small_participant_list_keeps_leading_zeros_and_keys_by_either_code(district):
    headers = ["Mã số BHXH", "Số định danh cá nhân", "Họ và tên", "Ngày sinh", "Giới tính", "Mã xã", "Mã thôn",
               "Mã hộ gia đình"]
    data = dataset(headers, [[112345678, "001090012345", "Nguyễn Văn An", "03/05/1980", "Nam", "00001", "X1-T1", ""],
                             ["", 2090012345, "Lê Thị Bình", "1985-01-02", "Nữ", "00002", "", "H2"]])
    result = ParticipantResource().import_data(data, dry_run=False)
    assert not result.has_errors() and not result.has_validation_errors(), result.invalid_rows
    assert set(Participant.objects.values_list("bhxh_code", "personal_id")) == {
        (None, "002090012345"), ("0112345678", "001090012345")}
    data[1] = ["", "002090012345", "Lê Thị Bình Minh", "1985-01-02", "Nữ", "00002", "", "H2"]
    ParticipantResource().import_data(data, dry_run=False)
    assert Participant.objects.get(personal_id="002090012345").full_name == "Lê Thị Bình Minh"
    assert Participant.objects.count() == 2


def test_the_admin_sends_large_lists_to_the_bulk_import(district):
    headers = ["Mã số BHXH", "Họ và tên", "Ngày sinh", "Mã xã"]
    rows = [[f"01{i:08d}", f"Người {i}", "01/01/1980", "00001"] for i in range(2001)]
    result = ParticipantResource().import_data(dataset(headers, rows), dry_run=True)
    assert result.has_errors() or result.base_errors
    message = str((result.base_errors or [e for _, errors in result.row_errors() for e in errors])[0].error)
    assert "tối đa 2000 dòng" in message and "Nhập danh sách" in message
    assert Participant.objects.count() == 0


def test_admin_pages_for_agents_and_reference_data_open(client, district):
    admin = get_user_model().objects.create_superuser("root", "root@example.com", "x")
    client.force_login(admin)
    for url in ["/quan-tri/units/agent/", "/quan-tri/units/agent/import/", "/quan-tri/agents/participant/",
                "/quan-tri/agents/referenceamount/", "/quan-tri/agents/statesupportlevel/",
                "/quan-tri/agents/localtopup/", "/quan-tri/agents/householddiscount/",
                "/quan-tri/agents/contributionrate/", "/quan-tri/agents/collection/", "/quan-tri/jobs/job/"]:
        assert client.get(url).status_code == 200, url
