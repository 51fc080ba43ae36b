"""The participant import read, checked and written in batches: a person, a duplicate or a contradiction is
found across batches as within one, a problem in the last batch undoes what the first ones wrote, and the
problems kept are bounded while every one is counted. Batches of two rows stand for batches of 20.000."""

import datetime
import threading

import pytest
from django.db import connection

from agents.importers import ParticipantImport
from agents.importing.people import Register
from agents.importing.reconcile import Reconciler
from agents.importing.rows import MAX_PROBLEMS_KEPT, Person
from agents.models import Enrolment, Participant
from agents.samples import participant_rows, write_csv, write_xlsx
from jobs.services import JobError
from tests.agents.test_import_participants import person, snapshot, xlsx

D = datetime.date
pytestmark = pytest.mark.django_db


def run(user, unit, data, *, dry_run, batch_size=2, filename="ds.xlsx"):
    return ParticipantImport(user=user, scope=unit, dry_run=dry_run, batch_size=batch_size).run(
        data, filename=filename)


def other(n: int, **changes):
    return person(code=f"01123456{n:02d}", cccd=f"0010900123{n:02d}", name=f"Người Thứ {n}", **changes)


def test_a_commit_in_batches_writes_what_one_batch_writes_and_a_second_run_writes_nothing(district, staff, areas,
                                                                                          agent):
    data = write_xlsx(participant_rows(count=60, areas=areas, province_code="01", agents=[agent.name]))
    first, _ = run(staff, district, data, dry_run=False, batch_size=7)
    assert (first.total, first.new, first.invalid, first.committed) == (60, 60, 0, True)
    assert Enrolment.objects.count() == 60 and Participant.objects.count() == first.participants_created == 60
    before = snapshot()
    again, _ = run(staff, district, data, dry_run=False, batch_size=7)
    assert (again.unchanged, again.new, again.updated, again.enrolments_created) == (60, 0, 0, 0)
    assert snapshot() == before


def test_the_same_enrolment_in_two_batches_is_a_duplicate_naming_the_first_line(district, staff):
    outcome, _ = run(staff, district, xlsx([person(), other(1), other(2), person()]), dry_run=True)
    assert outcome.invalid == 1
    assert outcome.problems[0]["line"] == 7
    assert "Trùng với dòng 4" in outcome.problems[0]["message"]


def test_one_person_on_rows_of_two_batches_is_one_participant_with_two_enrolments(district, staff):
    later = person(product="BHYT HGĐ", start="01/01/2022", income=None, mode="12 tháng", amount=None)
    outcome, _ = run(staff, district, xlsx([person(), other(1), other(2), later]), dry_run=False)
    assert (outcome.invalid, outcome.new, outcome.participants_created) == (0, 4, 3)
    assert Enrolment.objects.filter(participant__bhxh_code="0112345678").count() == 2
    assert Participant.objects.count() == 3


def test_a_later_batch_contradicting_an_earlier_row_of_the_person_names_the_columns(district, staff):
    outcome, _ = run(staff, district, xlsx([person(), other(1), other(2),
                                            person(name="Nguyễn Văn Ân", start="01/10/2021")]), dry_run=True)
    assert outcome.invalid == 1
    assert outcome.problems[0]["message"] == "Thông tin người tham gia (Họ và tên) khác với dòng 4"


def test_a_code_of_someone_in_an_earlier_batch_on_another_persons_row_is_refused(district, staff):
    outcome, _ = run(staff, district, xlsx([person(), other(1), other(2),
                                            person(cccd="001090012301", start="01/10/2021")]), dry_run=True)
    assert outcome.invalid == 1
    assert "Mã số BHXH thuộc người ở dòng 4 nhưng số định danh thuộc người ở dòng 5" in (
        outcome.problems[0]["message"])


@pytest.mark.parametrize("dry_run", [True, False])
@pytest.mark.parametrize("batches_between", [0, 2])
def test_a_code_a_person_of_an_earlier_batch_gains_later_is_checked_against_the_registry(district, staff, dry_run,
                                                                                        batches_between):
    run(staff, district, xlsx([person(code="0112345609", cccd="001090012346", name="Người Thứ 9")]), dry_run=False)
    before = snapshot()
    # Row 4 names the person by their mã số BHXH alone; a row of a later batch adds a số định danh that
    # the registry holds for someone else. The check and the commit say the same, however far apart the
    # two rows are (the person's first row written by the commit, or not yet, when the later one is matched).
    between = [other(i) for i in range(1, 3 + 3 * batches_between)]
    rows = [person(cccd=None), *between, person(cccd="001090012346", start="01/10/2021")]
    line = 4 + len(between) + 1
    message = "Số định danh 0010****2346 đã gắn với mã số BHXH 0112345609 trong hệ thống"
    if dry_run:
        outcome, _ = run(staff, district, xlsx(rows), dry_run=True)
        assert (outcome.invalid, outcome.problems[0]["line"]) == (1, line)
        assert outcome.problems[0]["message"] == message
    else:
        with pytest.raises(JobError, match="có 1 dòng không hợp lệ; không dòng nào được ghi") as refused:
            run(staff, district, xlsx(rows), dry_run=False)
        problem = refused.value.result["problems"][0]
        assert (problem["line"], problem["message"]) == (line, message)
    assert snapshot() == before


def test_a_code_a_registered_person_gains_in_a_later_batch_is_checked_against_the_registry(district, staff):
    run(staff, district, xlsx([person(cccd=None), person(code="0112345609", cccd="001090012346",
                                                         name="Người Thứ 9")]), dry_run=False)
    before = snapshot()
    rows = [person(cccd=None, start="01/10/2021"), other(1), other(2),
            person(cccd="001090012346", start="01/11/2021")]
    outcome, _ = run(staff, district, xlsx(rows), dry_run=True)
    assert (outcome.invalid, outcome.problems[0]["line"]) == (1, 7)
    assert outcome.problems[0]["message"] == ("Mã số BHXH 0112345678 và số định danh 0010****2346 thuộc hai người "
                                              "khác nhau trong hệ thống")
    assert snapshot() == before


def test_a_code_a_person_of_an_earlier_batch_gains_later_is_accepted_when_the_registry_has_it_for_them(
        district, staff):
    run(staff, district, xlsx([person()]), dry_run=False)
    rows = [person(cccd=None, start="01/10/2021"), other(1), other(2), person(start="01/11/2021")]
    outcome, _ = run(staff, district, xlsx(rows), dry_run=False)
    assert (outcome.invalid, outcome.new, outcome.participants_created) == (0, 4, 2)
    assert Participant.objects.get(bhxh_code="0112345678").personal_id == "001090012345"


def test_a_problem_in_the_last_batch_undoes_the_batches_already_written(district, staff):
    commit_first = [person(), other(1), other(2), other(3), other(4, commune="00009")]
    before = snapshot()
    with pytest.raises(JobError, match="có 1 dòng không hợp lệ; không dòng nào được ghi"):
        run(staff, district, xlsx(commit_first), dry_run=False)
    assert snapshot() == before and Participant.objects.count() == 0


def test_a_failure_while_checking_a_later_batch_undoes_the_batches_already_written(district, staff, monkeypatch):
    parse_batch = ParticipantImport.parse_batch

    def failing(self, lines, reading):
        if lines[0][0] >= 8:  # the third batch (lines 8 and 9): the first two are written by then
            raise RuntimeError("lỗi giữa chừng")
        return parse_batch(self, lines, reading)

    monkeypatch.setattr(ParticipantImport, "parse_batch", failing)
    before = snapshot()
    with pytest.raises(RuntimeError, match="lỗi giữa chừng"):
        run(staff, district, xlsx([person(), other(1), other(2), other(3), other(4), other(5)]), dry_run=False)
    assert snapshot() == before and Participant.objects.count() == 0


def test_problems_are_all_counted_and_the_first_thousand_kept(district, staff, areas):
    rows = participant_rows(count=MAX_PROBLEMS_KEPT + 30, areas=areas, province_code="01")
    for row in rows:
        row[3] = ""  # no name
    outcome, error_copy = run(staff, district, write_csv(rows), dry_run=True, batch_size=400, filename="ds.csv")
    result = outcome.as_result()
    assert result["invalid"] == result["problems_total"] == MAX_PROBLEMS_KEPT + 30
    assert len(result["problems"]) == MAX_PROBLEMS_KEPT
    assert result["problems"][-1]["line"] == MAX_PROBLEMS_KEPT + 1  # the header is line 1
    lines = error_copy.decode("utf-8-sig").splitlines()
    assert lines[0].endswith(",Lỗi,Cảnh báo") and len(lines) == MAX_PROBLEMS_KEPT + 31
    assert lines[-1].endswith("Họ và tên: Thiếu họ và tên,")


def test_the_register_finds_people_by_either_code_after_many_batches():
    register = Register()
    for start in range(0, 3000, 1000):  # three batches of a thousand people, the arrays growing past 1.024
        people = []
        for n in range(start, start + 1000):
            someone = Person(first_line=n + 2)
            someone.bhxh_code, someone.personal_id = f"{n:010d}", (f"{n:012d}" if n % 2 else None)
            someone.participant_id, someone.first_ok, someone.hashes = n + 1, True, (n,) * 8
            someone.enrolments = {(1, 738000): n + 2}
            people.append(someone)
        register.keep(people)
    by_code, by_id = register.people_of({"0000000005", "0000002999", "0000009999"}, {"000000001001"})
    assert sorted(by_code) == ["0000000005", "0000002999"] and list(by_id) == ["000000001001"]
    found = by_id["000000001001"]
    assert (found.first_line, found.participant_id, found.bhxh_code, found.earlier) == (1003, 1002, "0000001001", True)
    assert found.hashes == (1001,) * 8 and found.enrolments == {(1, 738000): 1003}
    assert by_code["0000000005"].personal_id == "000000000005"


def test_a_failure_while_writing_a_later_batch_undoes_the_batches_already_written(district, staff, monkeypatch):
    """On PostgreSQL a batch is written by a thread on the run's connection while the next is checked: its
    error reaches the run, which undoes everything, and no writing thread is left behind."""
    written = []
    write = Reconciler.write

    def failing(self, rows, header, outcome, **batch):
        written.append(threading.current_thread().name)
        if len(written) == 2:
            raise RuntimeError("mất kết nối khi ghi")
        return write(self, rows, header, outcome, **batch)

    monkeypatch.setattr(Reconciler, "write", failing)
    before = snapshot()
    with pytest.raises(RuntimeError, match="mất kết nối khi ghi"):
        run(staff, district, xlsx([person(), other(1), other(2), other(3), other(4), other(5)]), dry_run=False)
    assert snapshot() == before and Participant.objects.count() == 0
    assert not [t for t in threading.enumerate() if t.name == "import-write"]
    expected = "import-write" if connection.vendor == "postgresql" else threading.main_thread().name
    assert written == [expected, expected]



def test_a_batch_is_written_while_the_next_is_matched_and_each_person_keeps_their_number(district, staff,
                                                                                        monkeypatch):
    """On PostgreSQL batch k's write starts once batch k+1 has asked the registry its questions (its people
    numbered beforehand, so the register knows them), and runs while batch k+1 is classified; elsewhere
    each batch is written before the next is matched. Either way a person named in several batches is one
    participant with all their enrolments."""
    events = []
    match_registry, write = Reconciler.match_registry, Reconciler.write

    def first_line(people):
        return min(row.line for p in people for row in p.rows)

    def matching(self, header):
        events.append(("match", first_line(self.people)))
        return match_registry(self, header)

    def writing(self, rows, header, outcome, **batch):
        events.append(("write", rows[0].line))
        return write(self, rows, header, outcome, **batch)

    monkeypatch.setattr(Reconciler, "match_registry", matching)
    monkeypatch.setattr(Reconciler, "write", writing)
    rows = [person(), other(1), other(2), person(start="01/10/2021"), other(3), person(start="01/11/2021")]
    outcome, _ = run(staff, district, xlsx(rows), dry_run=False)
    if connection.vendor == "postgresql":
        assert events == [("match", 4), ("match", 6), ("write", 4), ("match", 8), ("write", 6), ("write", 8)]
    else:
        assert events == [("match", 4), ("write", 4), ("match", 6), ("write", 6), ("match", 8), ("write", 8)]
    assert (outcome.new, outcome.participants_created) == (6, 4)
    who = Participant.objects.get(bhxh_code="0112345678")
    assert sorted(who.enrolments.values_list("valid_from", flat=True)) == [
        D(2021, 9, 1), D(2021, 10, 1), D(2021, 11, 1)]
    assert set(Enrolment.objects.values_list("participant_id", flat=True)) == set(
        Participant.objects.values_list("pk", flat=True))


def test_the_progress_never_goes_back_and_ends_with_every_row_written(district, staff):
    reports = []
    rows = [person(), *(other(n) for n in range(1, 10))]
    ParticipantImport(user=staff, scope=district, dry_run=False, batch_size=2).run(
        xlsx(rows), filename="ds.xlsx", progress=lambda pct, message="": reports.append((pct, message)))
    shares = [pct for pct, _ in reports]
    assert shares == sorted(shares) and shares[-1] <= 90
    written = [message for _, message in reports if "ghi" in message]
    if connection.vendor == "postgresql":
        # A thread of its own hands the latest report to the job while the import's transaction is open:
        # reports that come faster than it writes are passed over.
        assert written and all(m.startswith("Đã kiểm tra") and "đã ghi" in m for m in written)
    else:
        assert written == [f"Đã kiểm tra và ghi {n} dòng" for n in (2, 4, 6, 8, 10)]


def test_a_code_a_new_person_gains_on_a_later_row_of_the_batch_is_written(district, staff):
    # The first row names the person by their mã số BHXH alone, the next by both codes: the participant
    # written has both (the checks against the registry were made with both).
    rows = [person(cccd=None), person(start="01/10/2021")]
    outcome, _ = run(staff, district, xlsx(rows), dry_run=False, batch_size=100)
    assert (outcome.invalid, outcome.participants_created) == (0, 1)
    assert Participant.objects.get(bhxh_code="0112345678").personal_id == "001090012345"


def test_a_code_a_registered_person_gains_on_a_later_row_of_the_batch_is_written(district, staff):
    run(staff, district, xlsx([person(cccd=None)]), dry_run=False)
    rows = [person(cccd=None, start="01/10/2021"), person(start="01/11/2021")]
    outcome, _ = run(staff, district, xlsx(rows), dry_run=False, batch_size=100)
    assert (outcome.invalid, outcome.new, outcome.participants_updated) == (0, 2, 1)
    assert Participant.objects.get(bhxh_code="0112345678").personal_id == "001090012345"


def test_a_code_a_new_person_gains_in_a_later_batch_is_written(district, staff):
    rows = [person(cccd=None), other(1), other(2), person(start="01/10/2021")]
    outcome, _ = run(staff, district, xlsx(rows), dry_run=False)
    assert (outcome.invalid, outcome.participants_created) == (0, 3)
    assert Participant.objects.get(bhxh_code="0112345678").personal_id == "001090012345"


def test_a_code_a_registered_person_gains_in_a_later_batch_is_written_and_nothing_else_is(district, staff):
    run(staff, district, xlsx([person(cccd=None), other(1)]), dry_run=False)
    untouched = Participant.objects.get(bhxh_code="0112345601")
    rows = [person(cccd=None, start="01/10/2021"), other(1), other(2), person(start="01/11/2021")]
    outcome, _ = run(staff, district, xlsx(rows), dry_run=False)
    assert (outcome.invalid, outcome.new) == (0, 3)
    assert Participant.objects.get(bhxh_code="0112345678").personal_id == "001090012345"
    assert Participant.objects.get(pk=untouched.pk).updated_at == untouched.updated_at


@pytest.mark.parametrize("batch_size", [2, 100])
def test_a_registered_person_named_by_each_code_in_turn_is_one_person(district, staff, batch_size):
    """Row 4 names a registered person by their số định danh alone, row 7 (in a later batch, or the same one)
    by their mã số BHXH alone: one person, so the same enrolment twice is refused as such, by the check and
    the commit alike, and two different enrolments are both theirs."""
    run(staff, district, xlsx([person()]), dry_run=False)
    before = snapshot()
    rows = [person(code=None, start="01/10/2021"), other(1), other(2), person(cccd=None, start="01/10/2021")]
    checked, _ = run(staff, district, xlsx(rows), dry_run=True, batch_size=batch_size)
    assert (checked.invalid, checked.problems[0]["line"]) == (1, 7)
    assert checked.problems[0]["message"] == "Trùng với dòng 4 (cùng người, loại hình và ngày bắt đầu)"
    with pytest.raises(JobError, match="có 1 dòng không hợp lệ"):
        run(staff, district, xlsx(rows), dry_run=False, batch_size=batch_size)
    assert snapshot() == before

    rows[-1] = person(cccd=None, start="01/11/2021")
    outcome, _ = run(staff, district, xlsx(rows), dry_run=False, batch_size=batch_size)
    assert (outcome.invalid, outcome.new, outcome.participants_created) == (0, 4, 2)
    who = Participant.objects.get(bhxh_code="0112345678")
    assert who.personal_id == "001090012345"
    assert sorted(who.enrolments.values_list("valid_from", flat=True)) == [
        D(2021, 9, 1), D(2021, 10, 1), D(2021, 11, 1)]


def test_a_later_row_naming_a_registered_person_by_their_other_code_is_compared_with_their_first(district,
                                                                                                staff):
    run(staff, district, xlsx([person()]), dry_run=False)
    rows = [person(code=None, start="01/10/2021"), other(1), other(2),
            person(cccd=None, name="Nguyễn Văn Ân", start="01/11/2021")]
    checked, _ = run(staff, district, xlsx(rows), dry_run=True)
    assert (checked.invalid, checked.problems[0]["line"]) == (1, 7)
    assert checked.problems[0]["message"] == "Thông tin người tham gia (Họ và tên) khác với dòng 4"
