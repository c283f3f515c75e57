from django.apps import AppConfig


class OutreachConfig(AppConfig):
    name = "tomoni.outreach"
    verbose_name = "アウトリーチ等を通じた継続的支援"
