from django.urls import path

from . import views

app_name = "cases"

urlpatterns = [
    path("cases/", views.index, name="index"),
    path("cases/new/", views.new, name="new"),
    path("cases/<int:pk>/", views.case, name="case"),
    path("cases/<int:pk>/take/", views.take_lead, name="take_lead"),
    # name: one of tomoni.cases.actions.MOVES (anything else is 404)
    path("cases/<int:pk>/move/<slug:name>/", views.move, name="move"),
    path("cases/<int:pk>/close/", views.close, name="close"),
    path("cases/<int:pk>/reopen/", views.reopen, name="reopen"),
    path("cases/<int:pk>/consent/", views.consent, name="consent"),
    path("cases/<int:pk>/consent/withdraw/", views.consent_withdraw, name="consent_withdraw"),
    path("cases/<int:pk>/team/", views.team_add, name="team_add"),
    path("cases/<int:pk>/team/<int:member>/end/", views.team_end, name="team_end"),
    path("cases/<int:pk>/concerns/", views.concern_add, name="concern_add"),
    path("cases/<int:pk>/concerns/<int:item>/remove/", views.concern_remove, name="concern_remove"),
    path("cases/<int:pk>/tendencies/<int:number>/", views.tendency, name="tendency"),
    path("cases/<int:pk>/notes/new/", views.note_new, name="note_new"),
    path("cases/<int:pk>/assessment/", views.assessment, name="assessment"),
    path("cases/<int:pk>/assessment/edit/", views.assessment_edit, name="assessment_edit"),
    path("cases/<int:pk>/plans/new/", views.plan_new, name="plan_new"),
    path("cases/<int:pk>/plans/<int:number>/", views.plan, name="plan"),
    path("cases/<int:pk>/review/", views.review, name="review"),
    path("tasks/", views.tasks, name="tasks"),
    path("tasks/<int:pk>/", views.task, name="task"),
    path("tasks/<int:pk>/complete/", views.task_complete, name="task_complete"),
]
