"""Every write of 多機関協働: open a case, move it through its stages, record consent, the
assessment, plan versions, reviews, closure and tasks. Each checks the policy and the case's
state, writes and audits in one transaction; a refusal changes nothing.

One module per concern; callers use this package (``from tomoni.cases import actions``):

- ``opening``: open a case, take its lead
- ``moves``: the stage machine ``MOVES``, 終結・中断 (``close_case``) and 再開
- ``consents``: consents recorded from the case page
- ``team``: the team of agencies, concerns (課題の整理), tendency overrides
- ``cooperation``: 関係機関との連携 (退院支援, 受診同行 …) recorded on the case
- ``assessment``: the アセスメントシート
- ``plans``: plan versions and their review (評価)
- ``tasks``: 役割分担の作業
- ``_common``: what they share (open?, stage step, version bump)
"""

from __future__ import annotations

from tomoni.lib.stages import Move

from .assessment import ASSESSMENT_FIELDS, save_assessment
from .consents import record_consent, withdraw_consent
from .cooperation import record_cooperation
from .moves import MOVES, available_moves, close_case, move_case, reopen_case
from .opening import open_case, take_lead
from .plans import PLAN_STAGES, PlannedAction, PlanTerms, review_case, save_plan
from .tasks import add_task, complete_task
from .team import (
    add_team_member,
    end_team_member,
    remove_concern,
    set_concern,
    set_tendency_override,
)

__all__ = [
    "ASSESSMENT_FIELDS",
    "MOVES",
    "PLAN_STAGES",
    "Move",
    "PlanTerms",
    "PlannedAction",
    "add_task",
    "add_team_member",
    "available_moves",
    "close_case",
    "complete_task",
    "end_team_member",
    "move_case",
    "open_case",
    "record_consent",
    "record_cooperation",
    "remove_concern",
    "reopen_case",
    "review_case",
    "save_assessment",
    "save_plan",
    "set_concern",
    "set_tendency_override",
    "take_lead",
    "withdraw_consent",
]
