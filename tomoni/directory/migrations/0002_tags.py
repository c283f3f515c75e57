"""Start values for the cross-cutting tags (DOMAIN.md §4); administrators may edit them."""

from django.db import migrations

TAGS = [
    ("8050", "8050", "高齢の親と、ひきこもり等の中高年の子が同居する世帯"),
    ("double-care", "ダブルケア", "介護と育児を同時に担っている"),
    ("young-carer", "ヤングケアラー", "家族の世話を日常的に担う子ども・若者"),
    ("hikikomori", "ひきこもり", "6か月以上、社会参加を避けている"),
    ("isolation", "社会的孤立", "頼れる人・つながりがない"),
    ("self-neglect", "セルフネグレクト・ごみ屋敷", "自身の世話・住環境の管理ができていない"),
]


def add_tags(apps, schema_editor):
    Tag = apps.get_model("directory", "Tag")
    for order, (code, name, description) in enumerate(TAGS, start=1):
        Tag.objects.update_or_create(
            code=code, defaults={"name": name, "description": description, "order": order}
        )


class Migration(migrations.Migration):
    dependencies = [("directory", "0001_initial")]
    operations = [migrations.RunPython(add_tags, migrations.RunPython.noop)]
