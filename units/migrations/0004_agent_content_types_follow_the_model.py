"""The content types of the moved agent models take the new app label, so that their permissions
(`agents.view_agent` becomes `units.view_agent`) and the admin log entries follow them. A database
created after the move has no old rows: nothing to do there."""

from django.db import migrations

MOVED_MODELS = ["agent", "historicalagent"]


def relabel(apps, schema_editor, *, old, new):
    ContentType = apps.get_model("contenttypes", "ContentType")
    db = schema_editor.connection.alias
    for model in MOVED_MODELS:
        if ContentType.objects.using(db).filter(app_label=new, model=model).exists():
            # Already created under the new label (post_migrate ran in between): keep that one.
            continue
        ContentType.objects.using(db).filter(app_label=old, model=model).update(app_label=new)


def forwards(apps, schema_editor):
    relabel(apps, schema_editor, old="agents", new="units")


def backwards(apps, schema_editor):
    relabel(apps, schema_editor, old="units", new="agents")


class Migration(migrations.Migration):

    dependencies = [
        ("contenttypes", "0002_remove_content_type_name"),
        ("units", "0003_agents_move_here"),
    ]

    operations = [migrations.RunPython(forwards, backwards)]
