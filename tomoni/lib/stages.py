"""The stage machines of a case (tomoni.cases.actions.MOVES) and of an アウトリーチ
(tomoni.outreach.actions.MOVES): named moves from some stages to one, each with its label,
whether it needs a reason, and the conditions it rests on."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Generic, TypeVar

from django.core.exceptions import ValidationError

T = TypeVar("T")


@dataclass(frozen=True)
class Move(Generic[T]):
    """One step of a stage machine over records of type ``T``.

    ``checks`` each return a refusal (a Japanese sentence) or "" when the record is ready.
    """

    label: str
    sources: frozenset[str]
    target: str
    checks: tuple[Callable[[T], str], ...] = field(default=())
    needs_note: bool = False

    def refuse_unless_allowed(self, obj: T, *, stage: str, stage_label: str, note: str) -> None:
        """Refuse (ValidationError) a move from ``stage`` (shown as ``stage_label``), without
        the reason it needs, or against one of its checks; nothing is written."""
        if stage not in self.sources:
            raise ValidationError(f"「{stage_label}」の段階からは「{self.label}」できません。")
        if self.needs_note and not note.strip():
            raise ValidationError(f"「{self.label}」の理由を入力してください。")
        for check in self.checks:
            problem = check(obj)
            if problem:
                raise ValidationError(problem)


def available(moves: Mapping[str, Move[T]], stage: str) -> list[tuple[str, Move[T]]]:
    """The moves that start from ``stage``, in the machine's order."""
    return [(name, move) for name, move in moves.items() if stage in move.sources]
