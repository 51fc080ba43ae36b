"""bhxh_portal.memo: a value is remembered until a write moves one of its scopes on; a write in a
transaction is seen by the transaction at once and moves the scope on again when it commits; with
the dummy cache nothing is remembered; the querysets of the models move their scopes on."""

import pytest
from django.core.cache import cache
from django.db import transaction
from django.test import override_settings

from bhxh_portal import memo
from tests import services
from tests.factories import make_member, make_unit
from units.models import MEMBERSHIPS, UNITS, Membership, Unit

pytestmark = pytest.mark.django_db


def _counting(values):
    calls = []

    def compute():
        calls.append(1)
        return values[len(calls) - 1]

    return compute, calls


def test_a_value_is_remembered_until_one_of_its_scopes_is_written():
    compute, calls = _counting(["first", "second", "third"])

    assert memo.remember("k", ("a", "b"), compute) == "first"
    assert memo.remember("k", ("a", "b"), compute) == "first"
    memo.bump("b")
    assert memo.remember("k", ("a", "b"), compute) == "second"
    memo.bump("c")  # another scope: still remembered
    assert memo.remember("k", ("a", "b"), compute) == "second"
    assert len(calls) == 2


def test_each_caller_gets_its_own_copy():
    first = memo.remember("k", ("a",), lambda: {"x": [1]})
    first["x"].append(2)
    assert memo.remember("k", ("a",), lambda: None) == {"x": [1]}


def test_a_lost_generation_starts_again_past_the_old_ones():
    compute, calls = _counting(["old", "new"])
    memo.remember("k", ("a",), compute)
    cache.delete(f"{memo.PREFIX}:g:a")  # evicted: the old value must not come back under a reused number
    memo.bump("a")
    assert memo.remember("k", ("a",), compute) == "new"


def test_a_write_in_a_transaction_is_read_at_once_and_moves_the_scope_on_again_at_commit(
        django_capture_on_commit_callbacks):
    compute, calls = _counting(["before", "inside"])
    assert memo.remember("k", ("a",), compute) == "before"
    with django_capture_on_commit_callbacks(execute=True):
        with transaction.atomic():
            memo.bump("a")
            assert memo.remember("k", ("a",), compute) == "inside"
            # a request that read the data before this commit stores what it read under this generation
            cache.set(memo.recall("k", ("a",))[1], "stale")
    # the commit moved the scope on again: that value is left behind
    assert memo.remember("k", ("a",), lambda: "after") == "after"


@override_settings(CACHES={"default": {"BACKEND": "django.core.cache.backends.dummy.DummyCache"}})
def test_the_dummy_cache_remembers_nothing():
    compute, calls = _counting(["one", "two"])
    assert memo.remember("k", ("a",), compute) == "one"
    assert memo.remember("k", ("a",), compute) == "two"
    assert memo.recall("k", ("a",)) == (memo.MISSING, None)


def test_a_shared_value_is_one_object_in_the_process_until_one_of_its_scopes_is_written():
    compute, calls = _counting([{"x": [1]}, {"x": [2]}])
    first = memo.remember("k", ("a",), compute, shared=True)
    assert memo.remember("k", ("a",), compute, shared=True) is first
    memo.forget_in_process()  # another process: its own object, from the shared cache
    other = memo.remember("k", ("a",), compute, shared=True)
    assert other == {"x": [1]} and other is not first and len(calls) == 1

    memo.bump("a")
    assert memo.remember("k", ("a",), compute, shared=True) == {"x": [2]}
    assert len(calls) == 2


def test_several_keys_are_recalled_together_each_under_its_own_scopes():
    items = [("june", ("a", "month:6")), ("july", ("a", "month:7"))]
    (june, june_ticket), (july, july_ticket) = memo.recall_many(items)
    assert june is memo.MISSING and july is memo.MISSING
    memo.keep(june_ticket, {"v": 6})
    memo.keep(july_ticket, {"v": 7})
    assert [value for value, _ in memo.recall_many(items)] == [{"v": 6}, {"v": 7}]

    memo.bump("month:7")  # only July's scope
    assert [value for value, _ in memo.recall_many(items)] == [{"v": 6}, memo.MISSING]
    memo.forget_in_process()  # another process: June from the shared cache
    assert [value for value, _ in memo.recall_many(items)] == [{"v": 6}, memo.MISSING]
    memo.bump("a")  # the scope both share
    assert [value for value, _ in memo.recall_many(items)] == [memo.MISSING, memo.MISSING]


def test_in_a_request_the_first_read_brings_the_scopes_read_lately_and_a_later_one_only_what_it_lacks(
        monkeypatch):
    memo.generations(["a", "b"])  # read lately, outside a request
    asked = []
    read = memo._read_generations
    monkeypatch.setattr(memo, "_read_generations", lambda scopes: asked.append(set(scopes)) or read(scopes))
    memo._start()
    try:
        first = memo.generations(["c"])
        memo.generations(["a", "d"])
        memo.generations(["b", "c", "d"])
        memo.bump("c")  # this request's write: read again, alone
        again = memo.generations(["c"])
    finally:
        memo._finish()
    assert asked[0] >= {"a", "b", "c"}
    assert asked[1:] == [{"d"}, {"c"}]
    assert again[0] > first[0]


def _generation(scope):
    return memo.generations([scope])[0]


def test_the_models_move_their_scopes_on_for_one_object_and_for_querysets():
    unit = make_unit("Tỉnh A", level_code="tinh")
    member = make_member(unit)
    for write in (
        lambda: Unit.objects.filter(pk=unit.pk).update(name="Xã B"),
        lambda: unit.save(),
        lambda: Unit.objects.bulk_update([unit], ["name"]),
    ):
        before = _generation(UNITS)
        write()
        assert _generation(UNITS) > before
    for write in (
        lambda: Membership.objects.filter(pk=member.memberships.get().pk).update(role="leader"),
        lambda: member.memberships.all().delete(),
    ):
        before = _generation(MEMBERSHIPS)
        write()
        assert _generation(MEMBERSHIPS) > before


@pytest.mark.services
def test_on_redis_the_scopes_move_on_together_and_a_lost_one_starts_past_the_old_numbers(settings):
    # the test settings' cache is Redis (the broker's, next database) when the services are given
    services.require_services()
    assert settings.CACHES["default"]["BACKEND"].endswith("RedisCache")
    compute, calls = _counting(["old", "one", "two"])
    before = memo.generations(["a", "b"])
    assert memo.remember("k", ("a", "b"), compute) == "old"

    memo.bump("a", "b")  # one round trip

    moved = memo.generations(["a", "b"])
    assert moved == [before[0] + 1, before[1] + 1]
    assert memo.remember("k", ("a", "b"), compute) == "one"
    cache.delete(f"{memo.PREFIX}:g:b")  # evicted
    memo.bump("b")
    assert memo.generations(["b"])[0] > moved[1]
    assert memo.remember("k", ("a", "b"), compute) == "two"
    cache.delete(f"{memo.PREFIX}:g:a")  # evicted, and read before any write: from the clock, then kept
    restarted = memo.generations(["a"])[0]
    assert restarted > moved[0] and memo.generations(["a"]) == [restarted]
