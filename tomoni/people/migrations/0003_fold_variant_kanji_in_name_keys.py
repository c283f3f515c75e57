"""Name search keys now fold 異体字 (髙→高, 邊→辺 …): recompute the stored keys."""

from django.db import migrations

BATCH = 2000


def refresh_name_keys(apps, schema_editor):
    from tomoni.lib.textnorm import name_key

    Person = apps.get_model("people", "Person")
    fields = ["name_key", "family_key", "given_key"]
    last = 0
    while True:
        # Batches by primary key, so no cursor stays open while rows are written (SQLite).
        batch = list(
            Person.objects.filter(pk__gt=last)
            .order_by("pk")
            .only("pk", "family_name", "given_name", *fields)[:BATCH]
        )
        if not batch:
            return
        last = batch[-1].pk
        changed = []
        for person in batch:
            keys = (
                name_key(person.family_name + person.given_name),
                name_key(person.family_name),
                name_key(person.given_name),
            )
            if keys != (person.name_key, person.family_key, person.given_key):
                person.name_key, person.family_key, person.given_key = keys
                changed.append(person)
        Person.objects.bulk_update(changed, fields)


class Migration(migrations.Migration):
    dependencies = [("people", "0002_matching_review_merge")]

    operations = [migrations.RunPython(refresh_name_keys, migrations.RunPython.noop)]
