# Plan lines that already share the natural key added in 0007 (a plan imported twice).

from django.db import migrations

KEY = ["kind", "organiser_id", "organiser_detail", "planned_start", "planned_end", "title", "employer_id"]
PLAN = ["place", "planned_count", "invited_count", "invitees_note", "expected_attendance"]


def separate_duplicates(apps, schema_editor):
    """Lines that already share the new natural key (a plan imported twice): a copy that carries
    nothing of its own (still planned, same plan figures and sign-ups, no attachment, minutes,
    classification or linked participant) is deleted; any other copy is kept, its title marked
    "(trùng #id)" so that nothing recorded is lost and it can be reviewed in the admin."""
    DriveActivity = apps.get_model("campaigns", "DriveActivity")
    ActivitySignUp = apps.get_model("campaigns", "ActivitySignUp")
    groups = {}
    for activity in DriveActivity.objects.order_by("pk"):
        groups.setdefault(tuple(getattr(activity, f) for f in KEY), []).append(activity)

    def sign_ups(activity):
        return sorted(ActivitySignUp.objects.filter(activity=activity, expected__gt=0)
                      .values_list("product_id", "expected"))

    def carries_records(activity):
        return (activity.status != "planned" or activity.minutes or activity.held_on is not None
                or activity.attachments.exists() or activity.participants.exists()
                or activity.invited_employers.exists()
                or apps.get_model("campaigns", "DirectWorkRecord").objects.filter(activity=activity).exists()
                or ActivitySignUp.objects.filter(activity=activity, actual__isnull=False).exists())

    for copies in groups.values():
        if len(copies) < 2:
            continue
        keeper = next((a for a in copies if carries_records(a)), copies[0])
        for activity in copies:
            if activity.pk == keeper.pk:
                continue
            same_plan = all(getattr(activity, f) == getattr(keeper, f) for f in PLAN)
            if same_plan and not carries_records(activity) and sign_ups(activity) == sign_ups(keeper):
                activity.delete()
            else:
                mark = f" (trùng #{activity.pk})"
                activity.title = activity.title[:300 - len(mark)] + mark
                activity.save(update_fields=["title"])


class Migration(migrations.Migration):

    dependencies = [
        ('campaigns', '0008_beneficiary_list_once_per_file'),
    ]

    operations = [
        migrations.RunPython(separate_duplicates, migrations.RunPython.noop),
    ]
