"""One accent-free search for every list (bhxh_portal.search): units, participants and documents are
found by their names typed without accents, as with them."""

import datetime

import pytest
from django.urls import reverse

from agents.models import Participant
from agents.selectors import participant_search
from bhxh_portal.search import fold_text, folded_words_q
from campaigns.models import PlanDocument
from campaigns.documents.selectors import documents_for
from units.models import Role
from tests.factories import make_member, make_unit


def test_fold_text_drops_the_accents_and_the_d_bar():
    assert fold_text("Nguyễn Văn Đức") == "nguyen van duc"
    assert folded_words_q("  ", "search_name") is None


@pytest.fixture
def commune(db):
    province = make_unit("Tỉnh Thừa Thiên Huế", level_code="tinh", code="46-T")
    district = make_unit("Thị xã Hương Trà", level_code="huyen", parent=province, code="HT-T")
    return make_unit("Xã Hải Dương", level_code="xa", parent=district, code="HD-T")


def person(commune, name, code):
    return Participant.objects.create(full_name=name, bhxh_code=code, birth_date=datetime.date(1980, 1, 1),
                                      commune=commune)


@pytest.mark.parametrize("query", ["nguyen", "van", "tran", "Nguyễn Văn", "nguyen van", "NGUYEN"])
def test_participant_search_needs_no_accents(commune, query):
    nguyen = person(commune, "Nguyễn Văn Trần", "0100000001")
    person(commune, "Lê Thị Hoa", "0100000002")
    staff = make_member(commune, Role.BHXH_STAFF)
    assert list(participant_search(user=staff, text=query)) == [nguyen]


def test_a_word_must_start_a_word_of_the_name(commune):
    person(commune, "Trần Thái", "0100000003")
    staff = make_member(commune, Role.BHXH_STAFF)
    assert list(participant_search(user=staff, text="hai")) == []


def test_a_renamed_participant_is_found_by_the_new_name(commune):
    someone = person(commune, "Lê Thị Hoa", "0100000004")
    someone.full_name = "Đặng Thị Hoa"
    someone.save(update_fields=["full_name"])
    staff = make_member(commune, Role.BHXH_STAFF)
    assert list(participant_search(user=staff, text="dang hoa")) == [someone]


def test_the_participant_page_finds_nguyen_without_accents(client, commune):
    person(commune, "Nguyễn Văn An", "0100000005")
    client.force_login(make_member(commune, Role.BHXH_STAFF))
    response = client.get(reverse("agents:participant_list"), {"q": "nguyen van"})
    assert "Nguyễn Văn An" in response.content.decode()


def test_documents_are_found_by_subject_or_unit_without_accents(commune):
    document = PlanDocument.objects.create(unit=commune, year=2021, issuing_body="ỦY BAN NHÂN DÂN XÃ HẢI DƯƠNG",
                                           symbol="UBND", place="Hải Dương", number="162",
                                           subject="Kế hoạch vận động người dân tham gia BHYT")
    staff = make_member(commune, Role.BHXH_STAFF)
    assert list(documents_for(user=staff, text="van dong")) == [document]
    assert list(documents_for(user=staff, text="ke hoach hai duong")) == [document]
    assert list(documents_for(user=staff, text="162")) == [document]
    assert list(documents_for(user=staff, text="bhxh tu nguyen")) == []
