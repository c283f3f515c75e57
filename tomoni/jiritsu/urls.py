from django.urls import path

from . import views

app_name = "jiritsu"

urlpatterns = [
    path("consultations/<int:pk>/jiritsu/", views.support, name="support"),
    path("stats/seikatsu/", views.monthly, name="monthly"),
    path("stats/seikatsu/targets/", views.benchmarks, name="benchmarks"),
    path("stats/seikatsu/<int:fy>/<int:month>/<slug:key>/", views.drill, name="drill"),
    path("stats/seikatsu.<str:fmt>", views.export, name="export"),  # csv | xlsx
]
