from django.apps import AppConfig


class ParticipationConfig(AppConfig):
    name = "tomoni.participation"
    verbose_name = "参加支援（居場所・社会資源、マッチング）"
