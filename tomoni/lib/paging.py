"""A paginator that counts cheaply: on a lighter queryset, and up to a cap."""

from __future__ import annotations

from typing import Any

from django.core.paginator import Paginator
from django.db.models import QuerySet
from django.utils.functional import cached_property


class CountingPaginator(Paginator[Any]):
    """Pages of ``object_list``, counted on ``counted`` (the same rows, cheaper to count).

    With ``cap``, at most ``cap + 1`` rows are counted (the database stops there); when
    there are more, ``more`` is true and only the first ``cap`` rows are paged. A list
    ``object_list`` is counted as it is, with ``more`` given. ``partial``: only the newest
    ``walked`` rows were searched (the page says so).
    """

    def __init__(
        self,
        object_list: QuerySet[Any] | QuerySet[Any, int] | list[int],
        per_page: int,
        *,
        counted: QuerySet[Any] | None = None,
        cap: int | None = None,
        more: bool = False,
        partial: bool = False,
        walked: int = 0,
    ) -> None:
        super().__init__(object_list, per_page)
        self.counted = counted
        self.cap = cap
        self._more = more
        self.partial = partial
        self.walked = f"{walked:,}"

    @cached_property
    def count(self) -> int:
        if self.counted is None:
            return len(self.object_list)
        if self.cap is None:
            return self.counted.count()
        found = self.counted.order_by().values("pk")[: self.cap + 1].count()
        self._more = found > self.cap
        return min(found, self.cap)

    @property
    def more(self) -> bool:
        """Whether rows past the cap were left uncounted."""
        return self.count is not None and self._more

    @property
    def cap_label(self) -> str:
        return f"{self.cap or 0:,}"
