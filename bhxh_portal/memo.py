"""What every request reads again and rarely changes (the unit tree, a user's memberships, the
indicators), kept in Django's cache under keys versioned by the writes that change it.

A scope ("units", "memberships", ...) has a generation in the cache; each remembered value is
stored under its key and the generations of the scopes it depends on, so a write only has to move
its scopes' generations on (`bump`) for every later read to compute afresh: nothing is ever
deleted or patched, and no reader can see a value older than the last write it could see itself.

`bump` moves the generation on at once (the writer's own transaction reads its write) and again
when the transaction commits (a reader that computed from the data before the commit stored its
value under the generation of that moment, which the second move leaves behind). The models bump
from their signals (one object saved or deleted) and from their querysets (update, bulk writes):
see units.models and targets.models.

With the dummy cache (the default with several processes and no CACHE_URL: each process would
have its own generations) nothing is remembered between requests; the cache of one process
(local memory) is right only for one process (runserver, the tests).
"""

import pickle
import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Iterable

from django.core.cache import cache, caches  # `cache` is caches["default"]
from django.core.cache.backends.dummy import DummyCache
from django.core.cache.backends.redis import RedisCache
from django.core.signals import request_finished, request_started
from django.db import transaction

PREFIX = "memo"
# A bound on what an entry may cost in memory and on how long a generation lost with its cache
# (evicted, flushed) could matter: a remembered value is computed again at least this often.
TIMEOUT = 600
# Values this process has read lately, by their full key (generations included, so never out of
# date): the shared cache is asked only for what is not here.
LOCAL_ENTRIES = 1024
# The scopes a request's first read of generations fetches together (the ones read lately): a
# bound, since some scopes are many (a month's figures per unit).
SCOPES_READ_TOGETHER = 64
_MISSING = object()
_scopes_seen: OrderedDict[str, None] = OrderedDict()
_scopes_lock = threading.Lock()
_local = threading.local()  # .generations: {scope: generation} read in the current request
_values: OrderedDict[str, bytes] = OrderedDict()
_values_lock = threading.Lock()
# Values remembered with shared=True, unpickled once per process and handed out as they are, by their
# full key (a write moves the key on, so an object here is never out of date): a district's coverage
# inputs are hundreds of model instances, whose unpickling on every request cost more than the page.
SHARED_ENTRIES = 256
_objects: OrderedDict[str, object] = OrderedDict()


def _generation_key(scope: str) -> str:
    return f"{PREFIX}:g:{scope}"


def _read_generations(scopes: list[str]) -> dict[str, int]:
    backend = caches["default"]
    if isinstance(backend, RedisCache):
        return _read_generations_redis(backend, scopes)
    keys = {_generation_key(s): s for s in scopes}
    found = cache.get_many(list(keys))
    values = {}
    for key, scope in keys.items():
        value = found.get(key)
        if value is None:
            cache.add(key, time.time_ns(), timeout=None)
            value = cache.get(key, 0)
        values[scope] = value
    return values


def _read_generations_redis(backend, scopes: list[str]) -> dict[str, int]:
    """The same on Redis, straight from its client: every request reads dozens of generations (the
    scopes read lately), and Django's get_many checks each key for memcached's rules and decodes each
    value in Python. Our keys are plain; a generation is stored as a plain integer (Django's Redis
    serializer stores an int so, which `_move_on_redis` relies on too)."""
    keys = [backend.make_key(_generation_key(s)) for s in scopes]
    values = backend._cache.get_client(None).mget(keys)
    lost = [i for i, value in enumerate(values) if value is None]
    if lost:
        now = time.time_ns()
        pipeline = backend._cache.get_client(None, write=True).pipeline(transaction=False)
        for i in lost:
            pipeline.set(keys[i], now, nx=True)
            pipeline.get(keys[i])
        answers = pipeline.execute()
        for n, i in enumerate(lost):
            values[i] = answers[2 * n + 1]
    return {scope: int(value) for scope, value in zip(scopes, values)}


def generations(scopes: Iterable[str]) -> list[int]:
    """The current generation of each scope; a scope the cache has lost starts again from the
    clock, never from a number an older value may still be stored under. Inside a request they are
    read once (every scope in one round trip) and again after this process writes."""
    scopes = list(scopes)
    with _scopes_lock:
        for scope in scopes:
            _scopes_seen[scope] = None
            _scopes_seen.move_to_end(scope)
        while len(_scopes_seen) > SCOPES_READ_TOGETHER:
            _scopes_seen.popitem(last=False)
        lately = list(_scopes_seen)
    known = getattr(_local, "generations", None)
    if known is None:  # outside a request (a task, a command): always the cache's current ones
        found = _read_generations(scopes)
        return [found[s] for s in scopes]
    missing = [s for s in scopes if s not in known]
    if missing:
        # The request's first read brings the scopes read lately along (the ones its next reads are
        # likely to ask for); a later one only what it lacks: the scopes read lately are many (a
        # unit's months), and reading them all again at each new scope cost more than the round trip.
        known.update(_read_generations(sorted(set(missing) | (set() if known else set(lately)))))
    return [known[s] for s in scopes]


def forget_in_process() -> None:
    """Forget what this process holds beside the shared cache (its copies of values, the generations
    of the request under way, the scopes read lately). For a test run, where each test starts from an
    empty cache under ids the next test reuses; a deployment never needs it."""
    with _values_lock:
        _values.clear()
        _objects.clear()
    with _scopes_lock:
        _scopes_seen.clear()
    _local.generations = None


def _start(**kwargs) -> None:
    _local.generations = {}


def _finish(**kwargs) -> None:
    _local.generations = None


request_started.connect(_start, dispatch_uid="bhxh_portal.memo.start")
request_finished.connect(_finish, dispatch_uid="bhxh_portal.memo.finish")


def _move_on(scopes: tuple[str, ...]) -> None:
    known = getattr(_local, "generations", None)
    backend = caches["default"]
    if isinstance(backend, RedisCache):
        _move_on_redis(backend, scopes)
    else:
        for scope in scopes:
            key = _generation_key(scope)
            try:
                cache.incr(key)
            except ValueError:  # not there (lost, or never read): any new number is ahead of the old ones
                cache.set(key, time.time_ns(), timeout=None)
    if known:
        for scope in scopes:
            known.pop(scope, None)


# A lost generation starts again from the clock (SET NX), then each moves on (INCR): one command
# whatever the number of scopes, run by Redis itself (a pipeline of two commands per scope cost the
# save ~0,3 ms of CPU to encode and parse, twice per save).
_MOVE_ON_SCRIPT = "for _, key in ipairs(KEYS) do redis.call('SET', key, ARGV[1], 'NX') redis.call('INCR', key) end"
_move_on_script = None


def _move_on_redis(backend, scopes: tuple[str, ...]) -> None:
    """The same on Redis, in one round trip whatever the number of scopes (a save moves its unit's
    and its ancestors' months on), where Django's incr takes two per scope. Django's Redis serializer
    stores an int as a plain integer, which INCR reads."""
    global _move_on_script
    client = backend._cache.get_client(None, write=True)
    if _move_on_script is None:
        _move_on_script = client.register_script(_MOVE_ON_SCRIPT)
    keys = [backend.make_and_validate_key(_generation_key(scope)) for scope in scopes]
    _move_on_script(keys=keys, args=[time.time_ns()], client=client)


def bump(*scopes: str) -> None:
    """The data of these scopes changed (or is changing in the current transaction)."""
    _move_on(scopes)
    if transaction.get_connection().in_atomic_block:
        transaction.on_commit(lambda: _move_on(scopes))


def remember(key: str, scopes: Iterable[str], compute: Callable[[], object], timeout: int = TIMEOUT, *,
             shared: bool = False):
    """compute(), or what it gave last time for `key` if none of `scopes` was written since.
    The value is pickled (each caller gets its own copy): plain data, model instances, no querysets.
    `shared`: every caller in this process gets the same object, unpickled once, for values that
    their callers only read (a caller that changes a container copies it first)."""
    if _remembers_nothing():
        return compute()
    versions = ".".join(str(g) for g in generations(scopes))
    full = _value_key(key, versions)
    with _values_lock:
        if shared:
            value = _objects.get(full, _MISSING)
            if value is not _MISSING:
                _objects.move_to_end(full)
                return value
        stored = _values.get(full)
        if stored is not None:
            _values.move_to_end(full)
    if stored is not None:
        value = pickle.loads(stored)
    else:
        stored = cache.get(full, _MISSING)
        if stored is _MISSING:
            value = compute()
            stored = _pickled(value)
            cache.set(full, stored, timeout)
        else:
            value = pickle.loads(stored)
        _keep(full, stored)
    if shared:
        _share(full, value)
    return value


def _share(full: str, value) -> None:
    with _values_lock:
        _objects[full] = value
        _objects.move_to_end(full)
        while len(_objects) > SHARED_ENTRIES:
            _objects.popitem(last=False)


MISSING = _MISSING


def recall(key: str, scopes: Iterable[str]) -> tuple[object, str | None]:
    """(the value remembered for `key`, or MISSING; the ticket to `keep` a computed one under).
    The ticket holds the generations read now, before the caller computes: a write meanwhile
    leaves the value it keeps behind."""
    return recall_many([(key, scopes)])[0]


def recall_many(items: Iterable[tuple[str, Iterable[str]]]) -> list[tuple[object, str | None]]:
    """`recall` of several keys at once (a unit's figures month by month): the generations of all
    their scopes read together, and the values this process does not hold in one round trip, where
    a `recall` each would read them key by key."""
    items = [(key, list(scopes)) for key, scopes in items]
    if _remembers_nothing():
        return [(MISSING, None) for _ in items]
    every = list(dict.fromkeys(scope for _, scopes in items for scope in scopes))
    current = dict(zip(every, generations(every)))
    fulls = [_value_key(key, ".".join(str(current[s]) for s in scopes)) for key, scopes in items]
    with _values_lock:
        stored = {full: _values[full] for full in fulls if full in _values}
    absent = [full for full in fulls if full not in stored]
    if absent:
        for full, found in cache.get_many(absent).items():
            _keep(full, found)
            stored[full] = found
    return [(pickle.loads(stored[full]), full) if full in stored else (MISSING, full) for full in fulls]


def keep(ticket: str | None, value, timeout: int = TIMEOUT) -> None:
    """Remember `value` under the ticket `recall` gave."""
    if ticket is None:
        return
    stored = _pickled(value)
    cache.set(ticket, stored, timeout)
    _keep(ticket, stored)


def _value_key(key: str, versions: str) -> str:
    """Where a value is kept in the shared cache, as bytes (`_pickled`): under keys of their own, so
    that a process still running the code from before, which stored values whole, never reads them."""
    return f"{PREFIX}:b:{key}:{versions}"


def _pickled(value) -> bytes:
    """A value as the shared cache and this process both keep it: pickled once (a page's targets,
    denominators and units cost a tenth of a second to pickle), the same bytes in both places."""
    return pickle.dumps(value, pickle.HIGHEST_PROTOCOL)


def _remembers_nothing() -> bool:
    """The dummy cache keeps no generation: nothing may be remembered, not even in this process."""
    return isinstance(caches["default"], DummyCache)


def _keep(full: str, stored: bytes) -> None:
    with _values_lock:
        _values[full] = stored
        _values.move_to_end(full)
        while len(_values) > LOCAL_ENTRIES:
            _values.popitem(last=False)


class WritesBump:
    """A QuerySet mixin: its update, delete and bulk writes move `memo_scopes` on once written
    (the writes of one object move them on through `watch`)."""

    memo_scopes: tuple[str, ...] = ()

    def update(self, **kwargs):
        try:
            return super().update(**kwargs)
        finally:
            bump(*self.memo_scopes)

    def delete(self):
        try:
            return super().delete()
        finally:
            bump(*self.memo_scopes)

    def bulk_create(self, *args, **kwargs):
        try:
            return super().bulk_create(*args, **kwargs)
        finally:
            bump(*self.memo_scopes)

    def bulk_update(self, *args, **kwargs):
        try:
            return super().bulk_update(*args, **kwargs)
        finally:
            bump(*self.memo_scopes)

    def _raw_delete(self, using):
        try:
            return super()._raw_delete(using)
        finally:
            bump(*self.memo_scopes)


def watch(model, *scopes: str) -> None:
    """Move `scopes` on whenever one object of `model` is saved or deleted (the admin, the forms,
    the services, cascades)."""
    from django.db.models.signals import post_delete, post_save

    def moved(sender, **kwargs):
        bump(*scopes)

    for signal in (post_save, post_delete):
        signal.connect(moved, sender=model, weak=False, dispatch_uid=f"memo:{model._meta.label}:{signal}")
