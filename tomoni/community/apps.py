from django.apps import AppConfig


class CommunityConfig(AppConfig):
    name = "tomoni.community"
    verbose_name = "地域づくり（地区・協議体・地域の取組・関係機関）"
