from django.urls import path

from . import views

app_name = "community"

urlpatterns = [
    path("community/", views.index, name="index"),
    path("community/areas/<slug:code>/", views.area, name="area"),
    path("community/districts/<slug:code>/", views.district, name="district"),
    path("community/districts/<slug:code>/council/", views.council_edit, name="council_edit"),
    path("community/districts/<slug:code>/members/new/", views.member_new, name="member_new"),
    path("community/members/<int:pk>/edit/", views.member_edit, name="member_edit"),
    path("community/districts/<slug:code>/meetings/new/", views.meeting_new, name="meeting_new"),
    path("community/meetings/<int:pk>/", views.meeting, name="meeting"),
    path("community/meetings/<int:pk>/edit/", views.meeting_edit, name="meeting_edit"),
    path("community/activities/", views.activities, name="activities"),
    path("community/activities/new/", views.activity_new, name="activity_new"),
    path("community/activities/<int:pk>/", views.activity, name="activity"),
    path("community/activities/<int:pk>/edit/", views.activity_edit, name="activity_edit"),
    path("community/activities/<int:pk>/sessions/new/", views.session_new, name="session_new"),
    path("community/events/", views.events, name="events"),
    path("community/events/new/", views.event_new, name="event_new"),
    path("community/events/<int:pk>/", views.event, name="event"),
    path("community/events/<int:pk>/edit/", views.event_edit, name="event_edit"),
    path("community/events/<int:pk>/programme/new/", views.programme_new, name="programme_new"),
    path("community/events/<int:pk>/groups/new/", views.group_new, name="group_new"),
    path(
        "community/events/<int:pk>/programme/",
        views.programme_print,
        {"fmt": "html"},
        name="programme_print",
    ),
    path(
        "community/events/<int:pk>/programme.pdf",
        views.programme_print,
        {"fmt": "pdf"},
        name="programme_pdf",
    ),
    path("community/agencies/", views.agencies, name="agencies"),
]
