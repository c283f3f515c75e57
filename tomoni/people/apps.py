from django.apps import AppConfig


class PeopleConfig(AppConfig):
    name = "tomoni.people"
    verbose_name = "本人・世帯"
