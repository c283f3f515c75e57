"""多機関協働 pages, one module per concern (``tomoni/cases/urls.py`` names each view):

- ``case_list``: the case list (with its word search) and 担当になる
- ``opening``: opening a case from a consultation or a household
- ``page``: the case page
- ``edits``: the small forms of the case page (stage moves, 終結, team, 課題, notes …)
- ``consents``: recording and withdrawing consent
- ``plans``: the assessment, plan versions and 評価
- ``tasks``: the task lists and a task

Reads go through ``tomoni.access``; writes through ``tomoni.cases.actions`` and
``tomoni.notes.actions``. Outsiders get 404 for a case whether or not it exists; those who
may see a case but not change it get 403 from its edit views.
"""
