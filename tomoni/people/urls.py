from django.urls import path

from . import views, views_matching, views_relations

app_name = "people"

urlpatterns = [
    path("people/", views.search, name="search"),
    path("people/postal/", views.postal_lookup, name="postal_lookup"),
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
    # Relations and the ジェノグラム (views_relations).
    path(
        "households/<int:pk>/relations/new/",
        views_relations.household_relation_new,
        name="household_relation_new",
    ),
    path("households/<int:pk>/genogram/", views_relations.genogram, name="genogram"),
    path(
        "persons/<int:pk>/relations/new/",
        views_relations.person_relation_new,
        name="person_relation_new",
    ),
    path(
        "persons/<int:pk>/relations/<int:relation_pk>/end/",
        views_relations.relation_end,
        name="relation_end",
    ),
    path("matches/", views_matching.match_queue, name="match_queue"),
    path("matches/<int:pk>/", views_matching.match_review, name="match_review"),
    path("matches/<int:pk>/confirm/", views_matching.match_confirm, name="match_confirm"),
    path("matches/<int:pk>/reject/", views_matching.match_reject, name="match_reject"),
    path("merges/", views_matching.merge_history, name="merge_history"),
    path("merges/<int:pk>/undo/", views_matching.merge_undo, name="merge_undo"),
]
