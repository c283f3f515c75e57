from django.urls import path

from . import views

app_name = "ecomap"

urlpatterns = [
    path("households/<int:pk>/ecomap/", views.household, name="household"),
    path("households/<int:pk>/ecomap/ties/new/", views.tie_new, name="tie_new"),
    path("households/<int:pk>/ecomap/ties/<int:tie_pk>/end/", views.tie_end, name="tie_end"),
]
