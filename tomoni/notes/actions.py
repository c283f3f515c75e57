"""Writing 支援経過記録."""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING, Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone

from tomoni import access
from tomoni.audit.log import Action, record
from tomoni.directory.models import Staff
from tomoni.intake.models import Consultation
from tomoni.lib import dateranges

if TYPE_CHECKING:
    from tomoni.cases.models import Case

from .models import Note, NoteMethod, Visibility


@transaction.atomic
def add_note(
    actor: Staff,
    on_record: Consultation | Case,
    *,
    text: str,
    method: str,
    on: date | None = None,
    visibility: str = Visibility.SHARED,
    request: HttpRequest | None = None,
) -> Note:
    """A dated entry in the 経過記録 of a consultation or a case. Notes are never edited: a
    correction is a new note, so the record shows what was known when. On a case, any team
    agency may write (NOTE); a closed case takes no more notes."""
    if isinstance(on_record, Consultation):
        access.require(actor, access.CHANGE, on_record)
        where: dict[str, Any] = {"consultation": on_record}
    else:
        access.require(actor, access.NOTE, on_record)
        on_record = type(on_record).objects.select_for_update().get(pk=on_record.pk)
        if on_record.is_ended:
            raise ValidationError(
                "終結・中断したケースには記録できません。再開してから記録してください。"
            )
        where = {"case": on_record}
    text = text.strip()
    if not text:
        raise ValidationError("内容を入力してください。")
    if method not in NoteMethod.values or visibility not in Visibility.values:
        raise ValidationError("方法と公開範囲を選んでください。")
    day = on or timezone.localdate()
    if day > timezone.localdate():
        raise ValidationError("未来の日付の記録は登録できません。")
    dateranges.check(day, dateranges.PAST, "日付")
    assert actor.agency is not None  # roles that change consultations all have an agency
    note = Note.objects.create(
        **where,
        on=day,
        method=method,
        author=actor,
        agency=actor.agency,
        text=text,
        visibility=visibility,
    )
    record(Action.CREATE, actor=actor, request=request, obj=note)
    from tomoni.fulltext.api import index

    index("notes.note", note.pk, text)
    return note
