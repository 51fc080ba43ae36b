"""The admin's log keeps each object's label (object_repr) as it was: labels of participants and
beneficiaries carried the full số định danh until they were masked; mask the entries already written."""

from django.db import migrations

from bhxh_portal.personal_ids import mask_personal_ids_in


def mask_admin_log(apps, schema_editor):
    LogEntry = apps.get_model("admin", "LogEntry")
    for entry in LogEntry.objects.filter(object_repr__regex=r"[0-9]{12}").only("pk", "object_repr").iterator():
        masked = mask_personal_ids_in(entry.object_repr)
        if masked != entry.object_repr:
            LogEntry.objects.filter(pk=entry.pk).update(object_repr=masked)


class Migration(migrations.Migration):

    dependencies = [
        ("admin", "0003_logentry_add_action_flag_choices"),
        ("agents", "0010_personal_data_access_beneficiary"),
    ]

    operations = [migrations.RunPython(mask_admin_log, migrations.RunPython.noop)]
