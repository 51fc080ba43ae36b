"""The registry's tally: per commune and month, the people with an enrolment in force on the month's
last day, by product and new/renewing, so that a province's count reads a few hundred small rows
instead of counting millions of enrolments.

Kept current by the database itself: triggers on agents_enrolment (insert, delete, and an update of
who, what or when) and on agents_participant (a move to another commune) bump the commune's
version and drop its sheets, in the writing statement's transaction (migration 0019). Whatever writes
(bulk inserts, the ORM, the admin, raw SQL), no write can leave a sheet behind. The participant import
holds them for its transaction and bumps the communes it wrote once at its end, in that transaction
(migration 0020, `agents.registry_tally.registry_tally_held`).
A sheet is computed by the import at its end (in its transaction), by Celery beat for the months the
pages open on, or by the first read that finds none (agents.registry_tally), and tagged with the
version seen before counting; it counts only while that version is the commune's current one, so a
sheet computed from a snapshot older than a concurrent write is never used.
"""

from django.db import models


class RegistryVersion(models.Model):
    """How many times a commune's registry has changed; no row means never (version 0)."""

    # No database constraint: units are removed by Django (CASCADE) or with their registry.
    commune = models.OneToOneField("units.Unit", primary_key=True, on_delete=models.CASCADE,
                                   related_name="registry_version", db_constraint=False)
    version = models.PositiveBigIntegerField(default=0)

    class Meta:
        verbose_name = "phiên bản sổ đăng ký của xã"
        verbose_name_plural = "phiên bản sổ đăng ký của xã"


class RegistrySheet(models.Model):
    """One commune's counts for one month, as of `version`: {"<product id>:<1 new|0 renewing>": people}."""

    commune = models.ForeignKey("units.Unit", on_delete=models.CASCADE, related_name="+", db_constraint=False,
                                db_index=False)
    month = models.DateField()
    version = models.PositiveBigIntegerField()
    counts = models.JSONField(default=dict)

    class Meta:
        verbose_name = "bảng đếm sổ đăng ký"
        verbose_name_plural = "bảng đếm sổ đăng ký"
        constraints = [models.UniqueConstraint(fields=["commune", "month", "version"],
                                               name="registry_sheet_once_per_version")]
