from django.apps import AppConfig


class JiritsuConfig(AppConfig):
    name = "tomoni.jiritsu"
    verbose_name = "生活困窮者自立支援（自立相談支援・月次集計）"
