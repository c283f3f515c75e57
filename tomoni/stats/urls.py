from django.urls import path

from . import views, views_lists

app_name = "stats"

urlpatterns = [
    path("stats/", views.dashboard, name="dashboard"),
    path(
        "stats/tendencies/<int:fy>/<int:number>/", views_lists.tendency_cases, name="tendency_cases"
    ),
    path(
        "stats/drill/<str:source>/<int:fy>/<str:table>/<int:row>/<int:column>/",
        views_lists.drill,
        name="drill",
    ),
    path("stats/targets/", views.targets, name="targets"),
    path("stats/costs/", views.costs, name="costs"),
    path("stats/report/", views.report, name="report"),
    path("stats/report.<str:fmt>", views.export, name="export"),  # xlsx | csv | pdf
]
