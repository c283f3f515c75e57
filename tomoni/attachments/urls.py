from django.urls import path

from . import views

app_name = "attachments"

# <slug> is person, consultation or case; anything else is the same 404 as a missing file.
urlpatterns = [
    path("attachments/new/<slug:slug>/<int:pk>/", views.new, name="new"),
    path("attachments/<slug:slug>/<int:pk>/", views.detail, name="detail"),
    path("attachments/<slug:slug>/<int:pk>/file/", views.download, name="download"),
    path("attachments/<slug:slug>/<int:pk>/inline/", views.inline, name="inline"),
    path("attachments/<slug:slug>/<int:pk>/preview/", views.preview, name="preview"),
    path("attachments/<slug:slug>/<int:pk>/remove/", views.remove, name="remove"),
]
