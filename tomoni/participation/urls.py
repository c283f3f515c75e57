from django.urls import path

from . import views_places, views_plans

app_name = "participation"

urlpatterns = [
    path("participation/places/", views_places.places, name="places"),
    path("participation/places/new/", views_places.place_new, name="place_new"),
    path("participation/places/export.json", views_places.places_export, name="places_export"),
    path("participation/places/import/", views_places.places_import, name="places_import"),
    path("participation/places/<int:pk>/", views_places.place, name="place"),
    path("participation/places/<int:pk>/edit/", views_places.place_edit, name="place_edit"),
]

# 参加支援プラン, matches and the host side (views_plans).
urlpatterns += [
    path("participation/plans/", views_plans.plans, name="plans"),
    path("participation/plans/new/", views_plans.plan_new, name="plan_new"),
    path("participation/plans/<int:pk>/", views_plans.plan, name="plan"),
    path("participation/plans/<int:pk>/edit/", views_plans.plan_edit, name="plan_edit"),
    path("participation/plans/<int:pk>/end/", views_plans.plan_end, name="plan_end"),
    path("participation/plans/<int:pk>/pick/", views_plans.plan_pick, name="plan_pick"),
    path("participation/matches/<int:pk>/trial/", views_plans.match_trial, name="match_trial"),
    path("participation/matches/<int:pk>/settle/", views_plans.match_settle, name="match_settle"),
    path("participation/matches/<int:pk>/drop/", views_plans.match_drop, name="match_drop"),
    path(
        "participation/matches/<int:pk>/follow-up/",
        views_plans.match_follow_up,
        name="match_follow_up",
    ),
    path(
        "participation/places/<int:place_pk>/participants/",
        views_plans.place_participants,
        name="place_participants",
    ),
]
