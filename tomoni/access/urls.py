from django.urls import path

from . import views

app_name = "access"

urlpatterns = [
    path("break-glass/", views.open_grant, name="break_glass"),
    path("break-glass/review/", views.review_list, name="review_list"),
    path("break-glass/review/<int:pk>/", views.review, name="review"),
    path("break-glass/summary/", views.summary, name="summary"),
]
