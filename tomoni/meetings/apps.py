from django.apps import AppConfig


class MeetingsConfig(AppConfig):
    name = "tomoni.meetings"
    verbose_name = "会議（支援会議・重層的支援会議）"
