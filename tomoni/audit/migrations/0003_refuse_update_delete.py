"""The database refuses UPDATE and DELETE on audit events (tomoni/audit/guard.py)."""

from django.db import migrations

from tomoni.audit import guard


def forward(apps, schema_editor):
    guard.install(schema_editor.connection, ("audit_auditevent",))


def backward(apps, schema_editor):
    guard.remove(schema_editor.connection, ("audit_auditevent",))


class Migration(migrations.Migration):
    dependencies = [("audit", "0002_head")]
    operations = [migrations.RunPython(forward, backward)]
