"""Consent per person (issue 15): every case-level consent row becomes a people.Consent of the
case's main person (or, for a case without one, its household's first member), then the
case-level table goes. Nothing is lost: date, who recorded it and when, the scope text (as the
note) and withdrawals (linked to the consent they withdraw) all carry over.

- 同意あり → 情報共有 and 重層的支援会議 (what a case-level consent allowed before);
- 同意なし → 情報共有: 同意なし; a withdrawal → 同意撤回 of the 情報共有 consent before it;
- 確認中 → 情報共有: 確認中.

How consent was obtained was never recorded: those rows say 「記録なし（移行前の記録）」.
A consultation taken on the 申込票【本人同意あり】 becomes its person's written consent to
sharing. Case.consent is then recomputed from the main person's current sharing consent.
"""

from django.db import migrations
from django.utils import timezone

SHARE, JUSOU = "share", "jusou"


def _main_person(case, Membership):
    if case.person_id:
        return case.person_id
    first = Membership.objects.filter(household_id=case.household_id).order_by("pk").first()
    if first is None:
        raise RuntimeError(
            f"ケース {case.code} には世帯員がいないため、同意の記録を移せません。"
            "世帯員を登録してから移行をやり直してください。"
        )
    return first.person_id


def carry_over(apps, schema_editor):
    Case = apps.get_model("cases", "Case")
    CaseConsent = apps.get_model("cases", "CaseConsent")
    Consent = apps.get_model("people", "Consent")
    Membership = apps.get_model("people", "Membership")
    Consultation = apps.get_model("intake", "Consultation")

    for case in Case.objects.order_by("pk"):
        rows = list(CaseConsent.objects.filter(case=case).order_by("recorded_at", "pk"))
        if not rows:
            continue
        person_id = _main_person(case, Membership)
        if case.person_id is None:
            case.person_id = person_id
            case.save(update_fields=["person"])
        given = {}  # scope → the last consent given, which a withdrawal withdraws
        for row in rows:
            common = {
                "person_id": person_id,
                "on": row.on,
                "method": "unrecorded",
                "note": row.scope[:300],
                "context": f"ケース {case.code}"[:40],
                "recorded_by_id": row.recorded_by_id,
                "recorded_at": row.recorded_at,
            }
            if row.withdrawal:
                for scope in (SHARE, JUSOU):
                    target = given.pop(scope, None)
                    if target is not None or scope == SHARE:
                        Consent.objects.create(
                            scope=scope, status="withdrawn", withdraws=target, **common
                        )
            elif row.state == "given":
                for scope in (SHARE, JUSOU):
                    given[scope] = Consent.objects.create(scope=scope, status="given", **common)
            else:
                status = "refused" if row.state == "none" else "pending"
                Consent.objects.create(scope=SHARE, status=status, **common)
                given.pop(SHARE, None)

    # The 申込票【本人同意あり】: the person's written consent to sharing, dated at intake.
    taken = Consultation.objects.filter(consent="given", person__isnull=False).order_by("pk")
    for consultation in taken:
        context = f"相談 {consultation.code}"
        if Consent.objects.filter(person_id=consultation.person_id, context=context).exists():
            continue
        Consent.objects.create(
            person_id=consultation.person_id,
            scope=SHARE,
            status="given",
            on=timezone.localdate(consultation.received_at),
            method="written",
            note="相談受付・申込票【本人同意あり】",
            context=context,
            recorded_by_id=consultation.receiver_id,
            recorded_at=consultation.received_at,
        )

    state = {"given": "given", "refused": "none", "withdrawn": "none", "pending": "pending"}
    for case in Case.objects.exclude(person__isnull=True).order_by("pk"):
        latest = (
            Consent.objects.filter(person_id=case.person_id, scope=SHARE)
            .order_by("-recorded_at", "-pk")
            .first()
        )
        value = state[latest.status] if latest else "pending"
        if case.stage in ("closed", "suspended"):
            # An ended case keeps the consent it ended with (its history).
            value = case.consent
        if value != case.consent:
            Case.objects.filter(pk=case.pk).update(consent=value)


class Migration(migrations.Migration):
    dependencies = [
        ("cases", "0002_initial"),
        ("people", "0005_consent_per_person"),
        ("intake", "0001_initial"),
    ]

    operations = [
        migrations.RunPython(carry_over, migrations.RunPython.noop),
        migrations.DeleteModel(name="CaseConsent"),
    ]
