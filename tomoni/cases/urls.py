from django.urls import path

from .views import case_list, consents, edits, opening, page, plans, tasks

app_name = "cases"

urlpatterns = [
    path("cases/", case_list.index, name="index"),
    path("cases/new/", opening.new, name="new"),
    path("cases/<int:pk>/", page.case, name="case"),
    path("cases/<int:pk>/take/", case_list.take_lead, name="take_lead"),
    # name: one of tomoni.cases.actions.MOVES (anything else is 404)
    path("cases/<int:pk>/move/<slug:name>/", edits.move, name="move"),
    path("cases/<int:pk>/close/", edits.close, name="close"),
    path("cases/<int:pk>/reopen/", edits.reopen, name="reopen"),
    path("cases/<int:pk>/consent/", consents.consent, name="consent"),
    path("cases/<int:pk>/consent/withdraw/", consents.consent_withdraw, name="consent_withdraw"),
    path("cases/<int:pk>/team/", edits.team_add, name="team_add"),
    path("cases/<int:pk>/team/<int:member>/end/", edits.team_end, name="team_end"),
    path("cases/<int:pk>/concerns/", edits.concern_add, name="concern_add"),
    path("cases/<int:pk>/concerns/<int:item>/remove/", edits.concern_remove, name="concern_remove"),
    path("cases/<int:pk>/tendencies/<int:number>/", edits.tendency, name="tendency"),
    path("cases/<int:pk>/cooperation/", edits.cooperation_add, name="cooperation_add"),
    path("cases/<int:pk>/notes/new/", edits.note_new, name="note_new"),
    path("cases/<int:pk>/assessment/", plans.assessment, name="assessment"),
    path("cases/<int:pk>/assessment/edit/", plans.assessment_edit, name="assessment_edit"),
    path("cases/<int:pk>/plans/new/", plans.plan_new, name="plan_new"),
    path("cases/<int:pk>/plans/<int:number>/", plans.plan, name="plan"),
    path("cases/<int:pk>/review/", plans.review, name="review"),
    path("tasks/", tasks.tasks, name="tasks"),
    path("tasks/<int:pk>/", tasks.task, name="task"),
    path("tasks/<int:pk>/complete/", tasks.task_complete, name="task_complete"),
]
