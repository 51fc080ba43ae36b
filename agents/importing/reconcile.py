"""Who is who, and what changes: rows grouped by person and matched to the registry; each row new,
updated, unchanged or invalid; then the write (commit only): COPY on PostgreSQL, batch after batch inside
the run's one transaction."""

import itertools
import time
from operator import attrgetter, itemgetter

import numpy as np
from django.db import connection, transaction
from django.db.models.expressions import RawSQL
from django.utils import timezone

from bhxh_portal.personal_ids import mask_personal_id

from .. import bulk
from ..models import Enrolment, Participant
from ..signals import registry_changed
from .columns import COLUMN_BY_FIELD, E_FIELD_COLUMNS, E_FIELDS, P_FIELD_COLUMNS, P_FIELDS, Header
from .people import COMPARED, LOW_32, field_hashes
from .rows import ImportOutcome, Person, Row

REGISTRY_VALUES = ["id", *P_FIELDS, "commune__path"]
# A registry row's participant and enrolment columns, and a row's enrolment values, in the order of P_FIELDS
# and E_FIELDS: an unchanged person or enrolment (most of a list imported again) is told by one comparison.
_registry_participant = itemgetter(*P_FIELDS)
_registry_enrolment = itemgetter(*E_FIELDS)
ROW_ENROLMENT_ATTRIBUTES = {"valid_to": "valid_to", "chosen_income": "income", "payment_mode": "payment_mode",
                            "months": "months", "support_group": "support_group", "is_new": "is_new",
                            "household_member_order": "member_order", "agent_id": "agent_id",
                            "amount_paid": "amount", "amount_expected": "expected"}
_row_enrolment = attrgetter(*(ROW_ENROLMENT_ATTRIBUTES[f] for f in E_FIELDS))
WRITTEN_TABLE = "import_written_participants"


class Reconciler:
    """Steps 2 to 4 of `ParticipantImport`, one batch of rows at a time; the people of earlier batches
    come back from the register (`self.register`), so a person is one person across the whole file."""

    # 2. who is who ------------------------------------------------------------------------
    def group_people(self, rows: list[Row], header: Header) -> None:
        """One `Person` per participant named in the batch (by either code); rows that contradict refused.
        The people of earlier batches come from the register: no query, so this may run while the
        batch before is being written."""
        by_code, by_id = self.register.people_of({r.bhxh_code for r in rows if r.bhxh_code},
                                                 {r.personal_id for r in rows if r.personal_id})
        people: list[Person] = list({id(p): p for p in (*by_code.values(), *by_id.values())}.values())
        for row in rows:
            if row.bhxh_code is None and row.personal_id is None:
                continue
            a = by_code.get(row.bhxh_code) if row.bhxh_code else None
            b = by_id.get(row.personal_id) if row.personal_id else None
            if a is not None and b is not None and a is not b:
                row.errors.append((None, f"Mã số BHXH thuộc người ở dòng {a.first_line} nhưng số định danh thuộc "
                                         f"người ở dòng {b.first_line}"))
                continue
            person = a or b
            if person is None:
                person = Person(first_line=row.line)
                people.append(person)
            if row.bhxh_code:
                if person.bhxh_code and person.bhxh_code != row.bhxh_code:
                    row.errors.append((None, f"Số định danh này đi với mã số BHXH {person.bhxh_code} ở dòng "
                                             f"{person.first_line}"))
                    continue
                person.bhxh_code = row.bhxh_code
                by_code[row.bhxh_code] = person
            if row.personal_id:
                if person.personal_id and person.personal_id != row.personal_id:
                    row.errors.append((None, f"Mã số BHXH này đi với số định danh "
                                             f"{mask_personal_id(person.personal_id)} ở dòng "
                                             f"{person.first_line}"))
                    continue
                person.personal_id = row.personal_id
                by_id[row.personal_id] = person
            hashes = field_hashes(row.participant_values())
            if person.rows or person.earlier:
                if not _joins(person, row, hashes, header):
                    continue
            else:
                person.hashes, person.first_ok = hashes, not row.errors
            row.person = person
            person.rows.append(row)
        self.people = people

    def _one_person_per_participant(self, header: Header) -> None:
        """People of the batch matched to one participant of the registry are one person: a row may name
        someone by their mã số BHXH alone and another row, of this batch or an earlier one, by their số
        định danh alone. The later joins the earlier (their rows compared with its first row), as if one
        row had named them by both codes."""
        holders = {p.participant_id: p for p in self.people if p.earlier and p.participant_id}
        matched = sorted((p for p in self.people if not p.earlier and p.db is not None and not p.problem),
                         key=lambda p: p.first_line)
        named_before = self.register.people_of_participants(
            sorted({p.participant_id for p in matched} - holders.keys()))
        joined: set[int] = set()
        for person in matched:
            holder = holders.get(person.participant_id) or named_before.pop(person.participant_id, None)
            if holder is None:
                holders[person.participant_id] = person
                continue
            if holder.participant_id not in holders:
                holders[holder.participant_id] = holder
                self.people.append(holder)
            for row in person.rows:
                row.person = None
                if _joins(holder, row, field_hashes(row.participant_values()), header):
                    row.person = holder
                    holder.rows.append(row)
            holder.bhxh_code = holder.bhxh_code or person.bhxh_code
            holder.personal_id = holder.personal_id or person.personal_id
            joined.add(id(person))
        if joined:
            self.people = [p for p in self.people if id(p) not in joined]

    def match_registry(self, header: Header) -> None:
        """The batch's new people matched to the registry by either code (one `= ANY(array)` query each on
        PostgreSQL), then the enrolments of everyone registered, to tell new from changed from unchanged.

        The rows the run itself has written are never needed here: their people are in the register (not
        asked), and an enrolment of theirs that a later row names again is refused by the register as the
        same enrolment twice. So the batch before may still be on its way to the database."""
        people = [p for p in self.people if not p.earlier]
        # A person an earlier batch named, by one code, whose row here brings the other: the registry is
        # asked about both (the new code may be someone else's there), as for someone new to the file.
        gaining = [p for p in self.people if p.earlier and not p.problem and p.rows
                   and (p.bhxh_code, p.personal_id) != p.known_codes]
        asked = people + gaining
        found: dict[int, dict] = {}
        for p in bulk.values_where_in(Participant.objects.all(), "bhxh_code",
                                      [p.bhxh_code for p in asked if p.bhxh_code], REGISTRY_VALUES):
            found[p["id"]] = p
        db_by_code = {p["bhxh_code"]: p for p in found.values() if p["bhxh_code"]}
        # A số định danh the registry has already given back with the row found by the person's mã số BHXH
        # is asked no more: it is unique, so that row is the only one that has it (on a list imported
        # again, every one of them: half the rows read).
        answered = {p["personal_id"] for p in found.values()}
        for p in bulk.values_where_in(Participant.objects.all(), "personal_id",
                                      [p.personal_id for p in asked if p.personal_id and p.personal_id not in answered],
                                      REGISTRY_VALUES):
            found[p["id"]] = p
        db_by_id = {p["personal_id"]: p for p in found.values() if p["personal_id"]}
        for person in people:
            a = db_by_code.get(person.bhxh_code) if person.bhxh_code else None
            b = db_by_id.get(person.personal_id) if person.personal_id else None
            person.problem = self._registry_problem(person, a, b)
            if person.problem is None and (a or b) is not None:
                person.db = a or b
                person.participant_id = person.db["id"]
                person.in_registry = True
        for person in gaining:
            # What the earlier batch learnt (their participant, written or matched then) stays as it is.
            a, b = db_by_code.get(person.bhxh_code), db_by_id.get(person.personal_id)
            if not person.in_registry:
                # Someone this run registers: the registry asked as before the run (their own row, written
                # by a batch before or not yet, is not someone else), as a dry run sees it.
                a, b = (None if m is not None and m["id"] == person.participant_id else m for m in (a, b))
            person.problem = self._registry_problem(person, a, b)
            own = person.participant_id
            person.gains = person.problem is None and (
                (person.bhxh_code is not None and (a is None or a["id"] != own))
                or (person.personal_id is not None and (b is None or b["id"] != own)))
        for person in self.people:
            if person.problem:
                for row in person.rows:
                    row.errors.append((None, person.problem))
        self._one_person_per_participant(header)
        self.enrolments: dict[tuple, dict] = {}
        known = [p.participant_id for p in self.people if p.participant_id]
        for e in bulk.values_where_in(Enrolment.objects.all(), "participant_id", known,
                                      ["id", "participant_id", "product_id", "valid_from", *E_FIELDS]):
            self.enrolments[(e["participant_id"], e["product_id"], e["valid_from"])] = e

    def _registry_problem(self, person: Person, a: dict | None, b: dict | None) -> str | None:
        if a is None and b is None:
            return None  # someone new to the registry: nothing to contradict
        typed_id = mask_personal_id(person.personal_id)
        if any(m is not None and not m["commune__path"].startswith(self.scope.path) for m in (a, b)):
            # Someone registered in another branch: the refusal says that much and nothing of them.
            return (f"Mã số BHXH hoặc số định danh của người này đã đăng ký ngoài phạm vi {self.scope.name} "
                    "của bạn: không được nhập hoặc sửa")
        if a is not None and b is not None and a["id"] != b["id"]:
            return (f"Mã số BHXH {person.bhxh_code} và số định danh {typed_id} thuộc hai người khác "
                    "nhau trong hệ thống")
        match = a or b
        if match is not None:
            if person.personal_id and match["personal_id"] and match["personal_id"] != person.personal_id:
                return (f"Mã số BHXH {person.bhxh_code} đã gắn với số định danh "
                        f"{mask_personal_id(match['personal_id'])} trong hệ thống")
            if person.bhxh_code and match["bhxh_code"] and match["bhxh_code"] != person.bhxh_code:
                return f"Số định danh {typed_id} đã gắn với mã số BHXH {match['bhxh_code']} trong hệ thống"
        return None

    # 3. new, updated, unchanged, invalid ----------------------------------------------------
    def classify(self, rows: list[Row], header: Header, outcome: ImportOutcome) -> None:
        present = set(header.columns)
        p_fields = [f for f in P_FIELDS if P_FIELD_COLUMNS[f] in present]
        self.e_fields = [f for f in E_FIELDS if E_FIELD_COLUMNS[f] is None or E_FIELD_COLUMNS[f] in present]
        for person in self.people:
            if not person.earlier and person.db is not None and person.rows:
                values = participant_values(person)
                if values == _registry_participant(person.db):
                    person.changed_fields = []
                    continue
                values = dict(zip(P_FIELDS, values))
                person.changed_fields = [f for f in p_fields if values[f] != person.db[f]
                                         and not (f in ("bhxh_code", "personal_id") and values[f] is None)]
        for row in rows:
            if row.person is not None and not row.errors:
                key = (row.product_id, row.valid_from.toordinal())
                seen = row.person.enrolments
                if key in seen:
                    row.errors.append((None, f"Trùng với dòng {seen[key]} (cùng người, loại hình và ngày bắt đầu)"))
                else:
                    seen[key] = row.line
            if row.is_new is None:
                row.is_new = row.person is None or not row.person.in_registry
            self._count(row, outcome)
        outcome.participants_created += len(new_participants(self.people))
        outcome.participants_updated += len(changed_participants(self.people))

    def _count(self, row: Row, outcome: ImportOutcome) -> None:
        outcome.total += 1
        if row.errors:
            row.status = "invalid"
            outcome.invalid += 1
            for column, message in row.errors:
                outcome.add_problem(row.line, column, message)
            return
        if row.warnings:
            outcome.warned += 1
            for message in row.warnings:
                outcome.add_warning(row.line, message)
        existing = (self.enrolments.get((row.person.participant_id, row.product_id, row.valid_from))
                    if row.person.participant_id else None)
        if existing is None:
            row.status = "new"
            outcome.new += 1
        elif self._enrolment_changes(row, existing) or row.person.changed_fields:
            row.status = "updated"
            outcome.updated += 1
        else:
            row.status = "unchanged"
            outcome.unchanged += 1

    def batch_done(self) -> None:
        """What the batch learnt about its people goes into the register; the batch's objects are freed."""
        self.register.keep(self.people)
        free_people(self.people)
        self.people, self.enrolments = [], {}

    def reserve_participant_ids(self) -> None:
        """The batch's new people numbered from the participants' sequence before their write, so that
        they can go into the register (and the next batch be matched) while they are being written."""
        new_people = new_participants(self.people)
        for person, pk in zip(new_people, bulk.reserve_ids(Participant, len(new_people))):
            person.participant_id = pk

    def _enrolment_values(self, row: Row) -> dict:
        return dict(zip(E_FIELDS, _row_enrolment(row)))

    def _enrolment_changes(self, row: Row, existing: dict) -> list[str]:
        values = _row_enrolment(row)
        if values == _registry_enrolment(existing):
            return []
        values = dict(zip(E_FIELDS, values))
        return [f for f in self.e_fields if values[f] != existing[f]]

    # 4. write -------------------------------------------------------------------------------
    def start_writing(self, written_communes: set[int]) -> None:
        """Before the first batch: where the run's writes are noted (`written_communes` is the set
        `registry_tally_held` bumps at the end)."""
        self.written_communes = written_communes
        # The participants written, noted batch by batch: on PostgreSQL in a temporary table of the run's
        # transaction (nothing held, whatever the size of the file: a million ids kept in memory, then sent
        # as one text, took the run's peak from 430 to 492 MB), elsewhere as numpy arrays (the tests' sizes).
        # Not found again by their last_import: that column has no index (one more per row written), and a
        # scan of the whole registry cost a 1.000-row import into the 10 million country 1,1 s of 1,3.
        self.written_people: list[np.ndarray] = []
        self.written_in_table = False
        self.date_texts = bulk.DateTexts()
        self.wrote_people = False
        self.former_personal_ids: list[str] = []

    def tell_registry(self) -> None:
        """After the last batch, in the run's transaction: the apps that keep figures on the registry
        (the drive's funnel facts) recompute them once for every participant the run wrote, instead of a
        round of queries per batch."""
        if not self.wrote_people and not self.former_personal_ids:
            return
        if self.written_in_table:
            with connection.cursor() as cursor:
                cursor.execute(f"ANALYZE {WRITTEN_TABLE}")  # its size, for the plans of the receivers' queries
            people = RawSQL(f"SELECT participant_id FROM {WRITTEN_TABLE}", [])
        else:  # the tests' sizes (SQLite) or nothing written
            people = np.unique(np.concatenate(self.written_people)).tolist() if self.written_people else []
            self.written_people = []
        registry_changed.send(sender=Participant, participant_ids=people, former_personal_ids=self.former_personal_ids)

    def _note_written(self, ids: np.ndarray) -> None:
        """A batch's participants written, for `tell_registry`."""
        if not ids.size:  # a batch that wrote nothing (a list imported again)
            return
        if connection.vendor != "postgresql":
            self.written_people.append(ids)
            return
        if not self.written_in_table:
            with connection.cursor() as cursor:
                # Gone with the run's transaction; an earlier run's, in a caller's transaction, replaced.
                cursor.execute(f"DROP TABLE IF EXISTS pg_temp.{WRITTEN_TABLE}")  # never a table of that name elsewhere
                cursor.execute(f"CREATE TEMP TABLE {WRITTEN_TABLE} (participant_id bigint NOT NULL) ON COMMIT DROP")
            self.written_in_table = True
        bulk.copy_into(WRITTEN_TABLE, ["participant_id"], ((pk,) for pk in ids.tolist()))

    def write(self, rows: list[Row], header: Header, outcome: ImportOutcome, *, people: list[Person],
              enrolments: dict) -> None:
        """A batch's writes: its people (numbered already if `reserve_participant_ids` ran) and their
        enrolments (`enrolments`: the registry's, as `match_registry` read them for this batch)."""
        now = timezone.now()
        job_id = self.job.pk if self.job else None
        present = set(header.columns)
        p_update_fields = [f for f in P_FIELDS if P_FIELD_COLUMNS[f] in present]
        started = time.perf_counter()
        with transaction.atomic():  # within the run's transaction: a batch is kept only if the whole file is
            # New rows take created_at and updated_at from the database (the transaction's time) on
            # PostgreSQL: two timestamps fewer per row to format and send.
            copying = connection.vendor == "postgresql"
            stamped = [] if copying else [now, now]
            stamps = [] if stamped == [] else ["created_at", "updated_at"]
            # COPY's dates go as text, formatted once per distinct date as the rows are built.
            day = self.date_texts if copying else _AS_IS
            new_people = new_participants(people)
            reserved = [p.participant_id for p in new_people]
            ids = bulk.bulk_insert(Participant, [*P_FIELDS, *stamps, "last_import_id"],
                                   [(*participant_values(p, day), *stamped, job_id) for p in new_people],
                                   ids=reserved if None not in reserved else None, dates_as_text=copying)
            for person, pk in zip(new_people, ids):
                person.participant_id = pk
            changed_people = changed_participants(people)
            # Someone an earlier batch wrote or matched, a code of theirs brought by a row of this one.
            gained = [p for p in people if p.earlier and p.gains and p.participant_id]
            if gained:
                bulk.bulk_change(Participant, ["bhxh_code", "personal_id", "updated_at", "last_import_id"],
                                 [(p.participant_id, p.bhxh_code, p.personal_id, now, job_id) for p in gained])
            if changed_people:
                values_of = {f: i for i, f in enumerate(P_FIELDS)}
                update_rows = []
                for person in changed_people:
                    values = participant_values(person)
                    update_rows.append((person.participant_id, *(
                        values[values_of[f]] if not (f in ("bhxh_code", "personal_id") and values[values_of[f]] is None)
                        else person.db[f] for f in p_update_fields), now, job_id))
                bulk.bulk_change(Participant, [*p_update_fields, "updated_at", "last_import_id"], update_rows)
            e_new, e_changed = [], []
            for row in rows:
                if row.status == "new":  # the values in the order of E_FIELDS
                    e_new.append((row.person.participant_id, row.product_id, day[row.valid_from], day[row.valid_to],
                                  row.income,
                                  row.payment_mode, row.months, row.support_group, row.is_new, row.member_order,
                                  row.agent_id, row.amount, row.expected, *stamped, job_id))
                elif row.status == "updated":
                    existing = enrolments.get((row.person.participant_id, row.product_id, row.valid_from))
                    if existing is not None and self._enrolment_changes(row, existing):
                        values = self._enrolment_values(row)
                        e_changed.append((existing["id"], *(values[f] for f in self.e_fields), now, job_id))
            participants_s = time.perf_counter() - started
            bulk.bulk_insert(Enrolment, ["participant_id", "product_id", "valid_from", *E_FIELDS, *stamps,
                                         "last_import_id"], e_new, returning=False, dates_as_text=copying)
            bulk.bulk_change(Enrolment, [*self.e_fields, "updated_at", "last_import_id"], e_changed)
            written = [row for row in rows if row.status in ("new", "updated")]
            # The registry tally's triggers are held for the run (registry_tally_held): the communes whose
            # counts these writes can move are bumped at its end. A written row's commune is its
            # participant's (a row that contradicts its person's first row is refused); a participant
            # moved also leaves their former commune.
            self.written_communes.update(row.commune_id for row in written)
            self.written_communes.update(p.db["commune_id"] for p in changed_people)
            # Bulk writes send no model signals: the apps that keep figures on the registry are told once,
            # at the end of the run (`tell_registry`), of every participant written.
            self.wrote_people = self.wrote_people or bool(written or new_people or changed_people or gained)
            self._note_written(np.unique(np.fromiter(
                (pk for pk in itertools.chain((p.participant_id for p in new_people),
                                              (p.participant_id for p in changed_people),
                                              (p.participant_id for p in gained),
                                              (row.person.participant_id for row in written)) if pk is not None),
                dtype=np.int64)))
            self.former_personal_ids.extend(p.db["personal_id"] for p in changed_people if p.db.get("personal_id")
                                            and "personal_id" in p.changed_fields)
        outcome.add_time("write_participants_s", participants_s)
        outcome.add_time("write_enrolments_s", time.perf_counter() - started - participants_s)
        outcome.enrolments_created += len(e_new)
        outcome.enrolments_updated += len(e_changed)


def _joins(person: Person, row: Row, hashes: tuple, header: Header) -> bool:
    """Whether a later row of `person` agrees with their first row; if not, the row is refused, naming the
    columns that differ."""
    differs = [P_FIELD_COLUMNS[f] for f, x, y in zip(COMPARED, person.hashes, hashes)
               if (x ^ y) & LOW_32 and person.first_ok]
    if differs:
        names = ", ".join(sorted({header.labels.get(d, COLUMN_BY_FIELD[d].label) for d in differs}))
        row.errors.append((None, f"Thông tin người tham gia ({names}) khác với dòng {person.first_line}"))
    return not differs


def new_participants(people: list[Person]) -> list[Person]:
    """The people a batch registers: first named here, not in the registry, with a row of theirs."""
    return [p for p in people if not p.earlier and p.db is None and p.rows]


def changed_participants(people: list[Person]) -> list[Person]:
    """The registered people a batch matched first and whose participant columns it changes."""
    return [p for p in people if not p.earlier and p.db is not None and p.changed_fields]


# P_FIELDS starts with the two codes: the person's replace the row's; the birth date goes through `day`.
if P_FIELDS[:2] != ["bhxh_code", "personal_id"]:
    raise ImportError("participant_values writes the two codes first: P_FIELDS must start with them.")
_BIRTH_AT = P_FIELDS.index("birth_date")


class _AsIs(dict):
    def __missing__(self, value):
        return value


_AS_IS = _AsIs()


def participant_values(person: Person, day: dict = _AS_IS) -> tuple:
    """The participant's columns (P_FIELDS) as the batch writes them: their first row's, with the codes
    of all their rows (a row may name them by one code, a later row of the batch by both); the birth
    date through `day` (a `bulk.DateTexts` for COPY)."""
    values = person.rows[0].participant_values()
    return (person.bhxh_code, person.personal_id, *values[2:_BIRTH_AT], day[values[_BIRTH_AT]],
            *values[_BIRTH_AT + 1:])


def free_people(people: list[Person]) -> None:
    """A batch's objects freed as soon as it is done with. A person and their rows point at each other:
    with the cyclic collector off during a run, they would stay until the end (the memory growing with
    the file) unless the cycle is cut here, so reference counting frees them at once."""
    for person in people:
        person.rows = []
        person.db = None
