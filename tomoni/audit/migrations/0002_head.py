from django.db import migrations

GENESIS = "0" * 64


def add_head(apps, schema_editor):
    apps.get_model("audit", "AuditHead").objects.get_or_create(
        pk=1, defaults={"seq": 0, "hash": GENESIS}
    )


class Migration(migrations.Migration):
    dependencies = [("audit", "0001_initial")]
    operations = [migrations.RunPython(add_head, migrations.RunPython.noop)]
