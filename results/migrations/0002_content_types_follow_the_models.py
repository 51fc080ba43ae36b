"""The content types of the moved models take the new app label, so that their permissions
(auth_permission points at the content type) and the admin log entries follow them. A database
created after the move has no old rows: nothing to do there."""

from django.db import migrations

MOVED_MODELS = ["monthlyreport", "monthlyreportevent", "monthlyresult", "historicalmonthlyresult"]


def relabel(apps, schema_editor, *, old, new):
    ContentType = apps.get_model("contenttypes", "ContentType")
    db = schema_editor.connection.alias
    for model in MOVED_MODELS:
        if ContentType.objects.using(db).filter(app_label=new, model=model).exists():
            # Already created under the new label (post_migrate ran in between): keep that one.
            continue
        ContentType.objects.using(db).filter(app_label=old, model=model).update(app_label=new)


def forwards(apps, schema_editor):
    relabel(apps, schema_editor, old="targets", new="results")


def backwards(apps, schema_editor):
    relabel(apps, schema_editor, old="results", new="targets")


class Migration(migrations.Migration):

    dependencies = [
        ("contenttypes", "0002_remove_content_type_name"),
        ("results", "0001_initial"),
    ]

    operations = [migrations.RunPython(forwards, backwards)]
