from django.urls import path

from . import views, views_referrals

app_name = "intake"

urlpatterns = [
    path("consultations/", views.index, name="index"),
    path("consultations/new/", views.new, name="new"),
    path("consultations/new/matches/", views.matches, name="matches"),
    path("consultations/new/choose/", views.choose, name="choose"),
    path("consultations/<int:pk>/", views.consultation, name="consultation"),
    path("consultations/<int:pk>/outcome/", views.outcome, name="outcome"),
    path("consultations/<int:pk>/assign/", views.assign, name="assign"),
    path("consultations/<int:pk>/refer/", views.refer, name="refer"),
    path("consultations/<int:pk>/notes/new/", views.note_new, name="note_new"),
    path("referrals/in/", views_referrals.referrals_in, name="referrals_in"),
    path("referrals/out/", views_referrals.referrals_out, name="referrals_out"),
    path("referrals/overdue/", views_referrals.referrals_overdue, name="referrals_overdue"),
    path("referrals/<int:pk>/", views_referrals.referral, name="referral"),
    # action: accept | decline | complete | withdraw (anything else is 404)
    path("referrals/<int:pk>/<slug:action>/", views_referrals.referral_move, name="referral_move"),
]
