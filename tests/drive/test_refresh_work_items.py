"""manage.py refresh_work_items: facts made stale behind the writes' back (a bulk UPDATE that sends no
signal) are found by --check without writing, then put right."""

import io

import pytest
from django.core.management import CommandError, call_command

from drive import selectors
from drive.models import WorkItem

from .conftest import MONTH


def funnel_totals(user, unit, live=False):
    total = selectors.funnel_summary(user=user, unit=unit, month=MONTH, live=live)[-1]
    return total.contacted, total.promised


def test_check_finds_stale_facts_then_the_refresh_puts_them_right(registry, official, drawn):
    xa1 = registry["xa1"]
    items = WorkItem.objects.count()
    assert items >= 7
    out = io.StringIO()
    call_command("refresh_work_items", "--check", stdout=out)
    assert out.getvalue().strip() == f"Cả {items} mục đều đúng."

    # behind the writes' back: two items claim a contact nobody recorded
    stale = list(WorkItem.objects.order_by("pk").values_list("pk", flat=True)[:2])
    WorkItem.objects.filter(pk__in=stale).update(contacted=True)
    assert funnel_totals(official, xa1) == (2, 0)

    with pytest.raises(CommandError, match=f"^2 trên {items} mục có số kiểm đếm lệch"):
        call_command("refresh_work_items", "--check")
    assert WorkItem.objects.filter(pk__in=stale, contacted=True).count() == 2  # the check wrote nothing

    out = io.StringIO()
    call_command("refresh_work_items", stdout=out)
    assert out.getvalue().strip() == f"Đã tính lại {items} mục; 2 mục được cập nhật."
    assert not WorkItem.objects.filter(contacted=True).exists()
    assert funnel_totals(official, xa1) == funnel_totals(official, xa1, live=True) == (0, 0)
