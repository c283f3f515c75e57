"""``{% jiritsu_panel consultation %}``: the 自立相談支援 card of a consultation page;
``{{ agency|agency_label }}``: an agency's name as the pickers show it;
``{% absorbed_into agency as row %}``: the row the window absorbed, on the window's row."""

from __future__ import annotations

from typing import Any

from django import template

from tomoni.directory.merged import WINDOW, absorbed, is_jiritsu, target_label
from tomoni.directory.models import Agency, Staff
from tomoni.intake.models import Consultation

from ..actions import may_record
from ..models import Support
from ..window import OWN, scope_of

register = template.Library()


@register.inclusion_tag("jiritsu/_panel.html", takes_context=True)
def jiritsu_panel(context: dict[str, Any], consultation: Consultation) -> dict[str, Any]:
    """Shown on a consultation the 自立相談支援機関 took (the page has already read it through
    ``tomoni.access``; its record follows it, ``policy.DERIVED``)."""
    user = context["request"].user
    if not isinstance(user, Staff) or not is_jiritsu(
        consultation.agency_id, consultation.agency.code
    ):
        return {"show": False}
    try:
        support: Support | None = consultation.jiritsu
    except Support.DoesNotExist:
        support = None
    return {
        "show": True,
        "consultation": consultation,
        "support": support,
        "may_record": may_record(user, consultation),
    }


@register.simple_tag(takes_context=True)
def keeps_jiritsu_sheet(context: dict[str, Any]) -> bool:
    """Whether the signed-in worker is at the 自立相談支援機関 (its 月次集計 is theirs)."""
    user = context["request"].user
    return isinstance(user, Staff) and scope_of(user) == OWN


@register.filter
def agency_label(agency: Agency) -> str:
    """The window says it is the 自立相談支援機関 where it is (window.target_label)."""
    return target_label(agency)


@register.simple_tag
def absorbed_into(agency: Agency) -> Agency | None:
    """On the 業務紹介, the window's row also says what the 自立相談支援機関's row said."""
    return absorbed() if agency.code == WINDOW else None
