"""Japanese full-text search, the same on SQLite and PostgreSQL.

Other apps index the text of their records and ask for the ids that match a query::

    from tomoni.fulltext.api import index, matching_ids, rebuild, remove

    index("intake.consultation", consultation.pk, consultation.summary)
    hits = access.visible(user, Consultation).filter(
        pk__in=matching_ids("intake.consultation", query)
    )

Nothing is imported here, so the package can be named before the app registry is ready.
"""
