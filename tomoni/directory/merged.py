"""Which agency is the 自立相談支援機関 (生活困窮者自立支援法 第5条) in this city, and what every
agency picker and action does about it (master data: the agency directory's own rule; the
自立相談支援 records and the monthly sheet are ``tomoni.jiritsu``).

In 稲城市 the 福祉くらしの総合窓口 *is* the 自立相談支援機関: the former 生活困窮 window,
widened in 令和6年度 to take any welfare worry (DOMAIN.md §2). ``TOMONI_WINDOW_IS_JIRITSU``
(default on) says so. Then:

- the window (agency code ``window``) records the 自立相談支援 items on its own consultations
  and reports the monthly 生活困窮 figures;
- the separate master-data row 「自立相談支援機関」 (code ``jiritsu``) stands for the same
  office, so it is no つなぎ先 for anyone: the window would be referring to itself, and an
  agency with a 生活困窮 worry refers to the window (its label in the picker says it is the
  自立相談支援機関). The row itself is kept, so referrals sent to it before stay readable.

A city whose 自立相談支援機関 is a separate (often contracted) office turns the setting off:
that agency records the items and the window refers to it like any other agency.
"""

from __future__ import annotations

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db.models import QuerySet

from .models import Agency

WINDOW = "window"
SEPARATE = "jiritsu"


def window_is_jiritsu() -> bool:
    """``TOMONI_WINDOW_IS_JIRITSU``, read when asked (tests may override it)."""
    return bool(getattr(settings, "TOMONI_WINDOW_IS_JIRITSU", True))


def jiritsu_code() -> str:
    """The agency code of the 自立相談支援機関: the window's, or the separate office's."""
    return WINDOW if window_is_jiritsu() else SEPARATE


def is_jiritsu(agency_id: int | None, code: str | None = None) -> bool:
    """Whether the agency (by id, or by ``code`` when known) is the 自立相談支援機関."""
    if agency_id is None:
        return False
    if code is not None:
        return code == jiritsu_code()
    return Agency.objects.filter(pk=agency_id, code=jiritsu_code()).exists()


def jiritsu_agency() -> Agency | None:
    return Agency.objects.filter(code=jiritsu_code()).first()


def merged_away(agency: Agency) -> bool:
    """The separate 自立相談支援機関 row, while the window is the 自立相談支援機関."""
    return window_is_jiritsu() and agency.code == SEPARATE


def pickable(agencies: QuerySet[Agency]) -> QuerySet[Agency]:
    """The agencies a worker may pick — a referral's つなぎ先, a case's team, 担当機関 and
    hand-off, a 連携, a meeting's attendees and tasks, an エコマップ tie, the 業務紹介 list —
    without the row the window has absorbed. Records that name it already keep it."""
    return agencies.exclude(code=SEPARATE) if window_is_jiritsu() else agencies


def absorbed() -> Agency | None:
    """The separate row while the window is the 自立相談支援機関 (what it says of itself — whom
    it serves, how to refer — is the window's now), else None."""
    return Agency.objects.filter(code=SEPARATE).first() if window_is_jiritsu() else None


def target_label(agency: Agency, label: str | None = None) -> str:
    """The picker's label of ``agency`` (its name unless ``label``): the window says it is
    the 自立相談支援機関."""
    label = agency.name if label is None else label
    if window_is_jiritsu() and agency.code == WINDOW:
        return f"{label}［自立相談支援機関］"
    return label


class AgencyField(forms.ModelChoiceField[Agency]):
    """A picker over ``pickable`` agencies, labelled as the referral form labels them."""

    def label_from_instance(self, obj: Agency) -> str:
        return target_label(obj)


def merged_message(from_window: bool = False) -> str:
    if from_window:
        return (
            "この市では福祉くらしの総合窓口が自立相談支援機関です。"
            "生活困窮の支援は、この相談の「自立相談支援」に記録してください。"
        )
    return "この市では福祉くらしの総合窓口が自立相談支援機関です。総合窓口を選んでください。"


def refuse_merged(agency: Agency | None, *, from_window: bool = False) -> None:
    """The actions' check: an agency picked through a form that never offered it (a stale
    page, a script) is refused with the reason, before anything is written."""
    if agency is not None and merged_away(agency):
        raise ValidationError(merged_message(from_window))
