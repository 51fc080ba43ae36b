"""Everyone a list has named so far, kept compactly while the list is read batch by batch.

A million-row list names about a million people; a later batch must still find the person an earlier
one named (the same person on two rows, a code that belongs to someone else further up). Python
objects would take 300–400 MB for that; here each person is a few numbers in numpy arrays (some
110 bytes): the codes as integers in two sorted maps (mã số BHXH, số định danh → person), the line
that named them first, their id in the registry, what the batch learnt about them (in the registry,
changed, refused), a hash per participant column of their first row (to say which columns a later row
contradicts) and their first enrolment (to find the same enrolment twice). A batch takes the people it
names out as `Person`s (`people_of`) and puts them back (`keep`).
"""

from operator import itemgetter

import numpy as np

from .columns import P_FIELDS
from .rows import Person

# The participant columns compared between two rows of one person (not the codes, which name them).
COMPARED = [f for f in P_FIELDS if f not in ("bhxh_code", "personal_id")]
COMPARED_AT = [P_FIELDS.index(f) for f in COMPARED]
IN_REGISTRY, CHANGED, REFUSED, FIRST_OK = 1, 2, 4, 8


_compared = itemgetter(*COMPARED_AT)
LOW_32 = 0xFFFFFFFF  # the register keeps 32 bits of each hash


def field_hashes(values: tuple) -> tuple:
    """The hash of each compared value: two rows of one person differ where their hashes do (compared on
    their low 32 bits, all the register keeps)."""
    return tuple(map(hash, _compared(values)))


class _CodeMap:
    """code (int) → person index, as two sorted arrays merged once per batch."""

    def __init__(self):
        self.codes = np.empty(0, dtype=np.int64)
        self.people = np.empty(0, dtype=np.int64)

    def find(self, codes: list[int]) -> dict[int, int]:
        if not codes or not len(self.codes):
            return {}
        wanted = np.fromiter(codes, dtype=np.int64, count=len(codes))
        at = np.searchsorted(self.codes, wanted)
        at[at == len(self.codes)] = 0
        hit = self.codes[at] == wanted
        return dict(zip(wanted[hit].tolist(), self.people[at[hit]].tolist()))

    def add(self, pairs: dict[int, int]) -> None:
        if not pairs:
            return
        codes = np.fromiter(pairs.keys(), dtype=np.int64, count=len(pairs))
        people = np.fromiter(pairs.values(), dtype=np.int64, count=len(pairs))
        order = np.argsort(codes, kind="stable")
        codes, people = codes[order], people[order]
        at = np.searchsorted(self.codes, codes)
        self.codes = np.insert(self.codes, at, codes)
        self.people = np.insert(self.people, at, people)


class Register:
    """The people of one list, across its batches."""

    def __init__(self):
        self.size = 0
        self.by_code, self.by_id, self.by_participant = _CodeMap(), _CodeMap(), _CodeMap()
        self._grow(1024)
        self.problems: dict[int, str] = {}     # person → the registry's refusal (rare)
        self.more_enrolments: dict[int, list] = {}  # person → [(product, start, line)] past the first

    def _grow(self, capacity: int) -> None:
        def grown(old, dtype, shape=()):
            new = np.zeros((capacity, *shape), dtype=dtype)
            if old is not None:
                new[:len(old)] = old
            return new

        self.first_line = grown(getattr(self, "first_line", None), np.int64)
        self.participant = grown(getattr(self, "participant", None), np.int64)
        self.bhxh = grown(getattr(self, "bhxh", None), np.int64)
        self.pid = grown(getattr(self, "pid", None), np.int64)
        self.flags = grown(getattr(self, "flags", None), np.uint8)
        self.hashes = grown(getattr(self, "hashes", None), np.uint32, (len(COMPARED),))
        self.first_product = grown(getattr(self, "first_product", None), np.int64)
        self.first_start = grown(getattr(self, "first_start", None), np.int64)
        self.first_enrolment_line = grown(getattr(self, "first_enrolment_line", None), np.int64)

    # -- a batch takes its people out ----------------------------------------------------------------
    def people_of(self, bhxh_codes: set[str], personal_ids: set[str]) -> tuple[dict, dict]:
        """The people earlier batches named by these codes, as `Person`s keyed by code (text)."""
        found_code = self.by_code.find([int(c) for c in bhxh_codes])
        found_id = self.by_id.find([int(c) for c in personal_ids])
        people: dict[int, Person] = {}
        by_code = {f"{c:010d}": people.setdefault(i, self._person(i)) for c, i in found_code.items()}
        by_id = {f"{c:012d}": people.setdefault(i, self._person(i)) for c, i in found_id.items()}
        return by_code, by_id

    def people_of_participants(self, participant_ids: list[int]) -> dict[int, Person]:
        """The people earlier batches matched or registered as these participants, keyed by participant id."""
        return {pk: self._person(i) for pk, i in self.by_participant.find(participant_ids).items()}

    def _person(self, index: int) -> Person:
        person = Person(first_line=int(self.first_line[index]))
        person.index = index
        flags = int(self.flags[index])
        person.bhxh_code = f"{self.bhxh[index]:010d}" if self.bhxh[index] >= 0 else None
        person.personal_id = f"{self.pid[index]:012d}" if self.pid[index] >= 0 else None
        person.participant_id = int(self.participant[index]) or None
        person.in_registry = bool(flags & IN_REGISTRY)
        person.changed_fields = ["*"] if flags & CHANGED else []
        person.problem = self.problems.get(index)
        person.first_ok = bool(flags & FIRST_OK)
        person.hashes = tuple(self.hashes[index].tolist())
        person.earlier = True
        person.known_codes = (person.bhxh_code, person.personal_id)
        if self.first_enrolment_line[index]:
            person.enrolments = {(int(self.first_product[index]), int(self.first_start[index])):
                                 int(self.first_enrolment_line[index])}
            for product, start, line in self.more_enrolments.get(index, ()):
                person.enrolments[(product, start)] = line
        return person

    # -- and puts them back --------------------------------------------------------------------------
    def keep(self, people: list[Person]) -> None:
        """Store what the batch learnt about its people (new ones get an index), column by column."""
        new = [p for p in people if p.index is None]
        if self.size + len(new) > len(self.first_line):
            self._grow(max(2 * len(self.first_line), self.size + len(new)))
        for index, person in enumerate(new, start=self.size):
            person.index = index
        if new:
            at = np.arange(self.size, self.size + len(new))
            self.first_line[at] = [p.first_line for p in new]
            self.hashes[at] = np.array([p.hashes for p in new], dtype=np.int64).reshape(len(new), -1) & LOW_32
            self.size += len(new)
        at = np.fromiter((p.index for p in people), dtype=np.int64, count=len(people))
        numbered = self.participant[at] == 0
        self.participant[at] = [p.participant_id or 0 for p in people]
        self.by_participant.add({int(pk): int(i) for pk, i, first in zip(self.participant[at], at, numbered)
                                 if pk and first})
        self.flags[at] = [(IN_REGISTRY if p.in_registry else 0) | (CHANGED if p.changed_fields else 0)
                          | (REFUSED if p.problem else 0) | (FIRST_OK if p.first_ok else 0) for p in people]
        self.bhxh[at] = [int(p.bhxh_code) if p.bhxh_code else -1 for p in people]
        self.pid[at] = [int(p.personal_id) if p.personal_id else -1 for p in people]
        self.by_code.add({int(p.bhxh_code): p.index for p in people
                          if p.bhxh_code and p.bhxh_code != p.known_codes[0]})
        self.by_id.add({int(p.personal_id): p.index for p in people
                        if p.personal_id and p.personal_id != p.known_codes[1]})
        for person in people:
            if person.problem:
                self.problems[person.index] = person.problem
            if person.enrolments:
                self._keep_enrolments(person.index, person.enrolments)

    def _keep_enrolments(self, index: int, enrolments: dict) -> None:
        if len(enrolments) == 1:
            ((product, start), line), = enrolments.items()
            self.first_product[index], self.first_start[index], self.first_enrolment_line[index] = (
                product, start, line)
            return
        items = sorted(enrolments.items(), key=lambda item: item[1])
        (product, start), line = items[0]
        self.first_product[index], self.first_start[index], self.first_enrolment_line[index] = product, start, line
        self.more_enrolments[index] = [(p, s, line) for (p, s), line in items[1:]]
