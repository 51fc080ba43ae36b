"""The content type of Job takes the new app label, so that its permissions (auth_permission points
at the content type) and the admin log entries follow it. A database created after the move has no
old row: nothing to do there."""

from django.db import migrations


def relabel(apps, schema_editor, *, old, new):
    ContentType = apps.get_model("contenttypes", "ContentType")
    db = schema_editor.connection.alias
    if ContentType.objects.using(db).filter(app_label=new, model="job").exists():
        return  # already created under the new label (post_migrate ran in between): keep that one
    ContentType.objects.using(db).filter(app_label=old, model="job").update(app_label=new)


def forwards(apps, schema_editor):
    relabel(apps, schema_editor, old="reports", new="jobs")


def backwards(apps, schema_editor):
    relabel(apps, schema_editor, old="jobs", new="reports")


class Migration(migrations.Migration):

    dependencies = [
        ("contenttypes", "0002_remove_content_type_name"),
        ("jobs", "0001_initial"),
    ]

    operations = [migrations.RunPython(forwards, backwards)]
