"""What changed between two consecutive history records (django-simple-history) of one object, as
(label, old, new) triples for the history pages of targets and monthly results."""

from collections.abc import Callable, Iterable


def history_changes(record, previous, fields: Iterable[tuple[str, str]], *, shown: Callable[[str, object], str],
                    quiet_on_create: Iterable[str] = (), shown_on_delete: Iterable[str] | None = None
                    ) -> list[tuple[str, str, str]]:
    """(label, old, new) for each (field name, label) whose value differs from `previous` (None: the first
    record of the object, a creation, showing its filled values except `quiet_on_create`). A deletion
    shows the values it removed (only `shown_on_delete`, if given)."""
    quiet = set(quiet_on_create)
    on_delete = None if shown_on_delete is None else set(shown_on_delete)
    changes = []
    for name, label in fields:
        new = getattr(record, name)
        if record.history_type == "-":
            if new is not None and (on_delete is None or name in on_delete):
                changes.append((label, shown(name, new), ""))
            continue
        if previous is None:
            if new not in (None, "") and name not in quiet:
                changes.append((label, "", shown(name, new)))
            continue
        old = getattr(previous, name)
        if old != new:
            changes.append((label, shown(name, old), shown(name, new)))
    return changes


def history_pairs(records: Iterable, *, key: str = "id"):
    """(record, the previous record of the same object or None) for records ordered by object then time."""
    previous = None
    for record in records:
        if previous is not None and getattr(previous, key) != getattr(record, key):
            previous = None
        yield record, previous
        previous = record
