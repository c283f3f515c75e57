from django.urls import path

from . import views, views_materials

app_name = "meetings"

urlpatterns = [
    path("meetings/", views.index, name="index"),
    path("meetings/new/", views.new, name="new"),
    path("meetings/calendar.ics", views.calendar_ics, name="calendar_ics"),
    path("meetings/<int:pk>/", views.meeting, name="meeting"),
    path("meetings/<int:pk>.ics", views.meeting_ics, name="meeting_ics"),
    path("meetings/<int:pk>/pledge/", views.pledge, name="pledge"),
    path("meetings/<int:pk>/pledges/", views.paper_pledge, name="paper_pledge"),
    path("meetings/<int:pk>/attendees/", views.attendee_add, name="attendee_add"),
    path("meetings/<int:pk>/agenda/", views.agenda_add, name="agenda_add"),
    path("meetings/<int:pk>/agenda/preview/", views.agenda_preview, name="agenda_preview"),
    path("cases/<int:pk>/agenda/", views.agenda_from_case, name="agenda_from_case"),
    path("meetings/<int:pk>/agenda/<int:item>/", views_materials.snapshot, name="snapshot"),
    path("meetings/<int:pk>/minutes/", views_materials.minutes, name="minutes"),
    path("meetings/<int:pk>/decisions/", views_materials.decisions, name="decisions"),
]
