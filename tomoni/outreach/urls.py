from django.urls import path

from . import views

app_name = "outreach"

urlpatterns = [
    path("outreach/", views.index, name="index"),
    path("outreach/new/", views.new, name="new"),
    path("outreach/<int:pk>/", views.engagement, name="engagement"),
    path("outreach/<int:pk>/contact/", views.contact, name="contact"),
    # name: one of tomoni.outreach.actions.MOVES (anything else is 404)
    path("outreach/<int:pk>/move/<slug:name>/", views.move, name="move"),
    path("outreach/<int:pk>/workers/", views.workers, name="workers"),
]
