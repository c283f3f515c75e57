"""Appending without the head lock: the database numbers events, each event carries its own
HMAC, and seals (tomoni.audit.log.seal) chain them in batches.

Events already stored get their own HMAC now (the key must be configured, as for appending)
and are sealed afresh by the first seal; their old plain-hash links are dropped, so run
`tomoni audit verify` before upgrading if the old chain is to be checked once more.
"""

import django.db.models.deletion
from django.db import migrations, models

from tomoni.audit import guard

GENESIS = "0" * 64


def unguard(apps, schema_editor):
    guard.remove(schema_editor.connection)


def reguard(apps, schema_editor):
    guard.install(schema_editor.connection)


def unguard_event(apps, schema_editor):
    guard.remove(schema_editor.connection, ("audit_auditevent",))


def reguard_event(apps, schema_editor):
    guard.install(schema_editor.connection, ("audit_auditevent",))


def resign(apps, schema_editor):
    from tomoni.audit.log import event_mac

    AuditEvent = apps.get_model("audit", "AuditEvent")
    for event in AuditEvent.objects.order_by("seq").iterator(chunk_size=2000):
        AuditEvent.objects.filter(seq=event.seq).update(hash=event_mac(event))
    apps.get_model("audit", "AuditHead").objects.update_or_create(
        pk=1, defaults={"seq": 0, "hash": GENESIS, "floor": 0}
    )
    if schema_editor.connection.vendor == "postgresql":
        with schema_editor.connection.cursor() as cursor:
            cursor.execute(
                "SELECT setval(pg_get_serial_sequence('audit_auditevent', 'seq'),"
                " COALESCE(MAX(seq), 0) + 1, false) FROM audit_auditevent"
            )


class Migration(migrations.Migration):

    dependencies = [
        ('audit', '0003_refuse_update_delete'),
    ]

    operations = [
        migrations.RunPython(unguard_event, reguard_event),
        migrations.RemoveField(
            model_name='auditevent',
            name='id',
        ),
        migrations.RemoveField(
            model_name='auditevent',
            name='prev_hash',
        ),
        migrations.AddField(
            model_name='audithead',
            name='floor',
            field=models.PositiveBigIntegerField(default=0),
        ),
        migrations.AlterField(
            model_name='auditevent',
            name='seq',
            field=models.BigAutoField(primary_key=True, serialize=False, verbose_name='連番'),
        ),
        migrations.CreateModel(
            name='AuditSeal',
            fields=[
                ('position', models.PositiveBigIntegerField(primary_key=True, serialize=False, verbose_name='位置')),
                ('prev_hash', models.CharField(max_length=64)),
                ('hash', models.CharField(max_length=64)),
                ('event', models.OneToOneField(on_delete=django.db.models.deletion.PROTECT, related_name='seal', to='audit.auditevent', verbose_name='イベント')),
            ],
            options={
                'verbose_name': '監査ログの封印',
                'ordering': ['position'],
            },
        ),
        migrations.RunPython(resign, migrations.RunPython.noop),
        migrations.RunPython(reguard, unguard),
    ]
