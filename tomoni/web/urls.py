from django.urls import path

from . import floor, views

app_name = "web"

urlpatterns = [
    path("programs/<slug:slug>/", views.program, name="program"),
    path("bench/floor/", floor.floor, name="bench_floor"),
]
