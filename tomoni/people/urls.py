from django.urls import path

from . import views

app_name = "people"

urlpatterns = [
    path("people/", views.search, name="search"),
    path("households/new/", views.household_new, name="household_new"),
    path("households/<int:pk>/", views.household, name="household"),
    path("households/<int:pk>/edit/", views.household_edit, name="household_edit"),
    path("households/<int:pk>/members/new/", views.member_new, name="member_new"),
    path(
        "households/<int:pk>/members/<int:membership_pk>/end/",
        views.membership_end,
        name="membership_end",
    ),
    path("persons/<int:pk>/", views.person, name="person"),
    path("persons/<int:pk>/edit/", views.person_edit, name="person_edit"),
    path("persons/<int:pk>/consents/new/", views.consent_new, name="consent_new"),
    path(
        "persons/<int:pk>/consents/<int:consent_pk>/withdraw/",
        views.consent_withdraw,
        name="consent_withdraw",
    ),
]
