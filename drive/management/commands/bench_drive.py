"""manage.py bench_drive [--participants 1000000] [--month 2024-06] [--json]

Builds (or reuses, when the participant count matches) a synthetic province for the drive: 10
districts × 15 communes × 10 thôn, the participants spread over the thôn with one enrolment of a
drive product each (a third renewed), a population list of one resident in ten participants, the
month's three lists drawn for the whole province, a third of the people visited, and the renewals of
those who said they paid received by the registry. Participants,
enrolments, residents and contacts are written with COPY on PostgreSQL (bulk_create elsewhere).

Prints, in the same run, the time of one commune's lists (each kind) and of the province's funnel
(by commune, and the dashboard's summary), beside a reference: a bare COUNT of the province's
participants. The funnel is timed twice in the same run: before (its counters found in the contacts
and the registry at read time, `live=True`) and now (the facts kept on the work items, drive.tally),
with whether both give the same figures. Goals: a list under 0,5 s, the funnel under 2 s."""

import datetime
import json
import random
import time

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django.db import connection, transaction
from django.utils import timezone

from agents import bulk
from agents.models import Enrolment, Participant, Product
from agents.signals import registry_changed
from bhxh_portal.numbers import format_number as n
from drive import selectors, services, tally
from drive.models import Contact, ListKind, Outcome, Resident, WorkItem
from units.models import Unit, UnitLevel
from bhxh_portal.search import fold_text
from results.synthetic import _analyze, _create_level

CODE = "DRV"
NAME = "Tỉnh Mẫu Vận Động"
DISTRICTS, COMMUNES, VILLAGES = 10, 15, 10
BENCH_USER = "bench_drive"
OUTCOMES = [Outcome.MET, Outcome.PROMISED, Outcome.PAID, Outcome.NOT_MET]


def _timed(call, repeat: int = 3) -> tuple[float, object]:
    """The best of `repeat` runs (the first warms the caches), and the result."""
    best, result = None, None
    for _ in range(repeat):
        started = time.perf_counter()
        result = call()
        seconds = time.perf_counter() - started
        best = seconds if best is None else min(best, seconds)
    return best, result


class Command(BaseCommand):
    help = "Đo tốc độ danh sách vận động và kết quả vận động trên một tỉnh mẫu (1.000.000 người tham gia)."

    def add_arguments(self, parser):
        parser.add_argument("--participants", type=int, default=1_000_000)
        parser.add_argument("--month", default="2024-06", help="Tháng, dạng NNNN-TT")
        parser.add_argument("--seed", type=int, default=3)
        parser.add_argument("--json", action="store_true", dest="as_json")
        parser.add_argument("--rebuild", action="store_true", help="Dựng lại tỉnh mẫu dù đã có")

    def handle(self, *args, participants, month, seed, as_json, rebuild, **options):
        try:
            start = datetime.datetime.strptime(month, "%Y-%m").date()
        except ValueError:
            raise CommandError(f"Tháng '{month}' không đúng dạng NNNN-TT (vd: 2024-06).") from None
        if participants < 10:
            raise CommandError("Cần ít nhất 10 người tham gia.")
        say = (lambda *a: None) if as_json else self.stdout.write
        user = get_user_model().objects.get_or_create(username=BENCH_USER, defaults={"is_superuser": True})[0]
        if not user.is_superuser:
            user.is_superuser = True
            user.save(update_fields=["is_superuser"])
        province = Unit.objects.filter(code=CODE, valid_to__isnull=True).first()
        count = Participant.objects.filter(commune__path__startswith=province.path).count() if province else 0
        built = None
        if province is None or count != participants or rebuild:
            started = time.perf_counter()
            province = self._build(participants=participants, month=start, seed=seed, user=user)
            built = time.perf_counter() - started
            say(f"Dựng tỉnh mẫu {n(participants)} người tham gia: {n(built, 1)} s")
        else:
            say(f"Dùng lại tỉnh mẫu {n(participants)} người tham gia")
        say(f"Cơ sở dữ liệu: {connection.vendor} ({connection.settings_dict['NAME']})")
        communes = list(Unit.objects.filter(path__startswith=province.path, level__code="xa").order_by("code"))
        commune = communes[len(communes) // 2]

        reference, counted = _timed(
            lambda: Participant.objects.filter(commune__path__startswith=province.path).count())
        say(f"Mốc so sánh: COUNT người tham gia của tỉnh ({n(counted)}): {n(reference, 3)} s")
        figures = {"participants": participants, "database": connection.vendor, "built_seconds": built,
                   "reference_count_seconds": reference}
        for kind in ListKind.values:
            seconds, rows = _timed(lambda: selectors.list_rows(unit=commune, month=start, kind=kind))
            say(f"Danh sách {ListKind(kind).label.lower()} của {commune.name}: {n(len(rows))} người, {n(seconds, 3)} s"
                f"{'' if seconds < 0.5 else ' (quá mục tiêu 0,5 s)'}")
            figures[f"list_{kind}_seconds"], figures[f"list_{kind}_rows"] = seconds, len(rows)
        seconds, rows = _timed(lambda: selectors.work_rows(user=user, unit=commune, month=start, kind=ListKind.DUE))
        say(f"Trang danh sách đến hạn (kèm phân công, lần gặp): {n(seconds, 3)} s")
        figures["work_rows_due_seconds"] = seconds
        # Before: the counters found in the contacts and the registry at read time (the query the funnel
        # ran until its facts were kept on the work items); after: the kept facts. Same figures.
        live_seconds, live = _timed(lambda: selectors.funnel(user=user, unit=province, month=start, by="commune",
                                                             live=True))
        seconds, lines = _timed(lambda: selectors.funnel(user=user, unit=province, month=start, by="commune"))
        total = lines[-1]
        same = [vars(a) == vars(b) for a, b in zip(live, lines)]
        say(f"Kết quả vận động của tỉnh theo xã ({n(len(lines) - 1)} xã, {n(total.listed)} người trong danh sách, "
            f"{n(total.contacted)} đã gặp, {n(total.enrolled)} đã tham gia): trước {n(live_seconds, 3)} s "
            f"(đọc lần gặp và sổ đăng ký khi xem), nay {n(seconds, 3)} s{'' if seconds < 2 else ' (quá mục tiêu 2 s)'}"
            f"; số liệu {'giống nhau' if all(same) and len(live) == len(lines) else 'KHÁC NHAU'}")
        figures.update(funnel_seconds=seconds, funnel_live_seconds=live_seconds, funnel_listed=total.listed,
                       funnel_same=all(same) and len(live) == len(lines))
        live_seconds, _ = _timed(lambda: selectors.funnel_summary(user=user, unit=province, month=start, live=True))
        seconds, _ = _timed(lambda: selectors.funnel_summary(user=user, unit=province, month=start))
        say(f"Khối vận động trên trang tổng quan của tỉnh: trước {n(live_seconds, 3)} s, nay {n(seconds, 3)} s")
        figures.update(funnel_summary_seconds=seconds, funnel_summary_live_seconds=live_seconds)
        if as_json:
            self.stdout.write(json.dumps(figures))

    # ----------------------------------------------------------------------------------------
    def _remove(self) -> None:
        province = Unit.objects.filter(code=CODE).first()
        if province is None:
            return
        units = Unit.objects.filter(path__startswith=province.path)
        ids = list(units.values_list("pk", flat=True))
        # Raw: the items go too, so the facts kept on them need no refresh contact by contact.
        Contact.objects.filter(item__commune_id__in=ids)._raw_delete(Contact.objects.db)
        WorkItem.objects.filter(commune_id__in=ids)._raw_delete(WorkItem.objects.db)
        Resident.objects.filter(commune_id__in=ids)._raw_delete(Resident.objects.db)
        Enrolment.objects.filter(participant__commune_id__in=ids)._raw_delete(Enrolment.objects.db)
        Participant.objects.filter(commune_id__in=ids)._raw_delete(Participant.objects.db)
        for depth in sorted(set(units.values_list("depth", flat=True)), reverse=True):
            Unit.objects.filter(pk__in=ids, depth=depth)._raw_delete(Unit.objects.db)

    @transaction.atomic
    def _build(self, *, participants: int, month: datetime.date, seed: int, user) -> Unit:
        self._remove()
        rng = random.Random(seed)
        levels = {lv.code: lv for lv in UnitLevel.objects.filter(code__in=["tinh", "huyen", "xa", "thon"])}
        (province,) = _create_level(levels["tinh"], [(None, CODE, NAME)])
        districts = _create_level(levels["huyen"], [
            (province, f"{CODE}-H{d:02d}", f"Huyện Vận Động {d:02d}") for d in range(1, DISTRICTS + 1)])
        communes = _create_level(levels["xa"], [
            (district, f"{district.code}-X{c:02d}", f"Xã Vận Động {d:02d}.{c:02d}")
            for d, district in enumerate(districts, start=1) for c in range(1, COMMUNES + 1)])
        villages = _create_level(levels["thon"], [
            (commune, f"{commune.code}-T{v:02d}", f"Thôn {v:02d}") for commune in communes
            for v in range(1, VILLAGES + 1)])
        products = list(Product.objects.filter(code__in=selectors.drive_products()).values_list("pk", flat=True))
        now = timezone.now()
        people = []
        for i in range(participants):
            village = villages[i % len(villages)]
            name = f"Người Mẫu {i:07d}"
            people.append((f"9{i:09d}", f"099{i:09d}", name, fold_text(name), datetime.date(1950 + i % 55, 1 + i % 12, 1),
                           False, "", village.parent_id, village.pk, f"H{i // 4:08d}", now, now))
        ids = bulk.bulk_insert(Participant, ["bhxh_code", "personal_id", "full_name", "search_name", "birth_date",
                                             "birth_year_only", "sex", "commune_id", "village_id", "household_code",
                                             "created_at", "updated_at"], people)
        del people
        # One enrolment each, ending over the 24 months around the month; a third renewed.
        enrolments = []
        base = selectors.add_months(month, -12)
        for pk in ids:
            product = products[rng.randrange(len(products))]
            end_month = selectors.add_months(base, rng.randrange(24))
            valid_to = selectors.month_end(end_month)
            valid_from = selectors.add_months(end_month, -11)
            enrolments.append((pk, product, valid_from, valid_to, "monthly", 12, "other", True, now, now))
            if rng.random() < 0.33:
                enrolments.append((pk, product, selectors.add_months(end_month, 1),
                                   selectors.month_end(selectors.add_months(end_month, 12)), "monthly", 12, "other",
                                   False, now, now))
        bulk.bulk_insert(Enrolment, ["participant_id", "product_id", "valid_from", "valid_to", "payment_mode", "months",
                                     "support_group", "is_new", "created_at", "updated_at"], enrolments,
                         returning=False)
        del enrolments
        # The population list: one resident in ten participants, half of them in the registry.
        residents = []
        for i in range(participants // 10):
            village = villages[i % len(villages)]
            personal_id = f"099{i * 2:09d}" if i % 2 else f"098{i:09d}"
            residents.append((village.parent_id, village.pk, f"Cư Dân {i:07d}", None, personal_id, "", now))
        bulk.bulk_insert(Resident, ["commune_id", "village_id", "full_name", "birth_date", "personal_id",
                                    "household_code", "updated_at"], residents, returning=False)
        _analyze([Unit, Participant, Enrolment, Resident])
        # The month's lists, drawn for the whole province as the communes would; a third visited.
        for kind in ListKind.values:
            services.work_list_draw(unit=province, month=month, kind=kind, by=user)
        items = list(WorkItem.objects.filter(month=month, commune__path__startswith=province.path)
                     .values_list("pk", flat=True))
        contacts = [(pk, month, OUTCOMES[rng.randrange(len(OUTCOMES))], "", "", user.pk, now)
                    for pk in items if rng.random() < 0.33]
        bulk.bulk_insert(Contact, ["item_id", "contacted_on", "outcome", "refusal_reason", "note", "recorded_by_id",
                                   "created_at"], contacts, returning=False)
        # COPY sends no signal: the facts the funnel reads are set on the visited people here.
        tally.refresh(WorkItem.objects.filter(month=month, contacted=False, contacts__isnull=False).distinct())
        # Those who said "đã đóng" did pay: the registry receives their renewal as the participant import
        # writes it (COPY, then agents.signals.registry_changed), so the funnel has people enrolled.
        paid = list(WorkItem.objects.filter(month=month, commune__path__startswith=province.path,
                                            participant__isnull=False, product__isnull=False,
                                            contacts__outcome=Outcome.PAID)
                    .values_list("participant_id", "product_id", "last_valid_to").distinct())
        bulk.bulk_insert(Enrolment, ["participant_id", "product_id", "valid_from", "valid_to", "payment_mode", "months",
                                     "support_group", "is_new", "created_at", "updated_at"],
                         [(pk, product, end + datetime.timedelta(days=1), selectors.month_end(selectors.add_months(
                             end, 12, clamp=True)), "monthly", 12, "other", False, now, now) for pk, product, end in paid],
                         returning=False)
        registry_changed.send(sender=Participant, participant_ids=[pk for pk, _, _ in paid])
        _analyze([WorkItem, Contact, Enrolment])
        return province
