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

import time
from collections.abc import Callable, Iterable

from django.core.cache import cache
from django.db import transaction

PREFIX = "memo"
# A bound on what an entry may cost in memory and on how long a generation lost with its cache
# (evicted, flushed) could matter: a remembered value is computed again at least this often.
TIMEOUT = 600
_MISSING = object()


def _generation_key(scope: str) -> str:
    return f"{PREFIX}:g:{scope}"


def generations(scopes: Iterable[str]) -> list[int]:
    """The current generation of each scope; a scope the cache has lost starts again from the
    clock, never from a number an older value may still be stored under."""
    scopes = list(scopes)
    keys = [_generation_key(s) for s in scopes]
    found = cache.get_many(keys)
    values = []
    for key in keys:
        value = found.get(key)
        if value is None:
            cache.add(key, time.time_ns(), timeout=None)
            value = cache.get(key, 0)
        values.append(value)
    return values


def _move_on(scopes: tuple[str, ...]) -> None:
    for scope in scopes:
        key = _generation_key(scope)
        try:
            cache.incr(key)
        except ValueError:  # not there (lost, or never read): any new number is ahead of the old ones
            cache.set(key, time.time_ns(), timeout=None)


def bump(*scopes: str) -> None:
    """The data of these scopes changed (or is changing in the current transaction)."""
    _move_on(scopes)
    if transaction.get_connection().in_atomic_block:
        transaction.on_commit(lambda: _move_on(scopes))


def remember(key: str, scopes: Iterable[str], compute: Callable[[], object], timeout: int = TIMEOUT):
    """compute(), or what it gave last time for `key` if none of `scopes` was written since.
    The value is pickled: plain data (tuples, dicts, model instances), no querysets."""
    versions = ".".join(str(g) for g in generations(scopes))
    full = f"{PREFIX}:{key}:{versions}"
    value = cache.get(full, _MISSING)
    if value is _MISSING:
        value = compute()
        cache.set(full, value, timeout)
    return value


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


def watch(model, *scopes: str) -> None:
    """Move `scopes` on whenever one object of `model` is saved or deleted (the admin, the forms,
    the services, cascades)."""
    from django.db.models.signals import post_delete, post_save

    def moved(sender, **kwargs):
        bump(*scopes)

    for signal in (post_save, post_delete):
        signal.connect(moved, sender=model, weak=False, dispatch_uid=f"memo:{model._meta.label}:{signal}")
