from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from tomoni.accounts.middleware import before_second_factor
from tomoni.web import views as web_views

admin.site.site_header = "ともに 管理画面"
admin.site.site_title = "ともに 管理画面"
admin.site.index_title = "マスタ・アカウント管理"

urlpatterns = [
    path("", web_views.home, name="home"),
    path("healthz", web_views.healthz, name="healthz"),
    path("accounts/login/", web_views.login, name="login"),
    path("accounts/logout/", before_second_factor(auth_views.LogoutView.as_view()), name="logout"),
    path("", include("tomoni.accounts.urls")),
    path("admin/", admin.site.urls),
    path("", include("tomoni.web.urls")),
    path("", include("tomoni.access.urls")),
    path("", include("tomoni.people.urls")),
    path("", include("tomoni.intake.urls")),
    path("", include("tomoni.printing.urls")),
    path("", include("tomoni.meetings.urls")),
    path("", include("tomoni.cases.urls")),
    path("", include("tomoni.participation.urls")),
    path("", include("tomoni.outreach.urls")),
    path("", include("tomoni.stats.urls")),
    path("", include("tomoni.jiritsu.urls")),
    path("", include("tomoni.community.urls")),
    path("", include("tomoni.ecomap.urls")),
    path("", include("tomoni.attachments.urls")),
]

handler404 = "tomoni.web.views.page_not_found"
