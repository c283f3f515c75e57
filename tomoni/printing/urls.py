from django.urls import path

from . import views

app_name = "print"

# Each document twice: the print page (HTML, A4 print CSS) and the same page as a PDF.
urlpatterns = [
    path(
        "print/cases/<int:pk>/assessment/",
        views.assessment,
        {"fmt": views.HTML},
        name="assessment",
    ),
    path(
        "print/cases/<int:pk>/assessment.pdf",
        views.assessment,
        {"fmt": views.PDF},
        name="assessment_pdf",
    ),
    path(
        "print/cases/<int:pk>/plans/<int:number>/",
        views.plan,
        {"fmt": views.HTML},
        name="plan",
    ),
    path(
        "print/cases/<int:pk>/plans/<int:number>.pdf",
        views.plan,
        {"fmt": views.PDF},
        name="plan_pdf",
    ),
    path(
        "print/cases/<int:pk>/reviews/<int:review>/",
        views.review,
        {"fmt": views.HTML},
        name="review",
    ),
    path(
        "print/cases/<int:pk>/reviews/<int:review>.pdf",
        views.review,
        {"fmt": views.PDF},
        name="review_pdf",
    ),
    path("print/cases/<int:pk>/glance/", views.glance, {"fmt": views.HTML}, name="glance"),
    path("print/cases/<int:pk>/glance.pdf", views.glance, {"fmt": views.PDF}, name="glance_pdf"),
    path("print/meetings/<int:pk>/minutes/", views.minutes, {"fmt": views.HTML}, name="minutes"),
    path(
        "print/meetings/<int:pk>/minutes.pdf",
        views.minutes,
        {"fmt": views.PDF},
        name="minutes_pdf",
    ),
]
