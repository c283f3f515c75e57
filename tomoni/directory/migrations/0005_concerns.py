"""Start values for 課題 (DOMAIN.md §4): the 相談受付票 checklist, then the wider list."""

from django.db import migrations

# code, name, domain, on the 相談受付票 checklist
CONCERNS = [
    ("health", "病気・健康・障害", "health", True),
    ("housing", "住まい", "housing", True),
    ("income", "収入・生活費", "poverty", True),
    ("rent-loan", "家賃・ローン", "poverty", True),
    ("tax-bills", "税金・公共料金", "poverty", True),
    ("debt", "債務", "poverty", True),
    ("job-search", "仕事探し", "employment", True),
    ("job-trouble", "仕事上のトラブル", "employment", True),
    ("community", "地域との関係", "other", True),
    ("family", "家族との関係", "other", True),
    ("childcare", "子育て", "children", True),
    ("care", "介護", "elderly", True),
    ("hikikomori", "ひきこもり・不登校", "other", True),
    ("abuse-dv", "DV・虐待", "advocacy", True),
    ("no-food", "食べるものがない", "poverty", True),
    ("other", "その他", "other", True),
    ("dementia", "認知症", "elderly", False),
    ("mental-health", "精神保健", "health", False),
    ("developmental", "発達障害", "disability", False),
    ("addiction", "依存症", "health", False),
    ("budgeting", "家計管理", "poverty", False),
    ("communication", "コミュニケーションの苦手さ", "disability", False),
    ("single-parent", "ひとり親", "children", False),
    ("school-refusal", "不登校", "education", False),
    ("child-abuse", "児童虐待", "children", False),
    ("elder-abuse", "高齢者虐待", "elderly", False),
    ("disability-abuse", "障害者虐待", "disability", False),
    ("procedures", "手続き困難", "other", False),
    ("guardianship", "成年後見・金銭管理", "advocacy", False),
    ("consumer", "消費者被害", "consumer", False),
    ("neighbours", "近隣トラブル", "other", False),
    ("language", "外国籍・言語", "other", False),
    ("medical-access", "受診困難", "health", False),
]


def add_concerns(apps, schema_editor):
    Concern = apps.get_model("directory", "Concern")
    for order, (code, name, domain, checklist) in enumerate(CONCERNS, start=1):
        Concern.objects.update_or_create(
            code=code,
            defaults={"name": name, "domain": domain, "on_checklist": checklist, "order": order},
        )


class Migration(migrations.Migration):
    dependencies = [("directory", "0004_concern")]
    operations = [migrations.RunPython(add_concerns, migrations.RunPython.noop)]
