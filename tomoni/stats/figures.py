"""The figures of the 重層 project by period (年度, or a 年度 so far), as plain tables.

Every figure is one aggregate query (GROUP BY in the database) that counts all the periods at
once with conditional counts, so the number of queries is fixed whatever the size of the city:
only the tendencies are per-case rules, and those are read as stored per case by the actions
(``tendencies.stored_many``, one query). Ages are taken **at the consultation date**
(受付日) — the age the person had when the worry reached us — computed in SQL so that no row
leaves the database. Each counted row carries what it counts (``Counted``): the same
definition gives the figure and, for one period, the list of its records (``listed``).

Counting rules (written in docs/guide.md too):
- a consultation counts in the period of its 受付日 (Asia/Tokyo), new or continuing by its
  「新規相談」 mark; its route is the last link of the chain (who brought it to us), its
  分野 that of the ◎ concern; by concern, a consultation counts once under each concern ticked;
- a case is new in the period it opened, continuing if it opened earlier and had not ended
  before the period began; 終結・中断 count by the date on the closure;
- by receiving agency, a consultation counts under its 受付機関; by 横断タグ, once under each
  tag (every tag a row, zeros kept); by 対応結果, under its outcome (未記入 while none);
- cases per kind of meeting: distinct cases on the agenda of the meetings of that kind held in
  the period (a case discussed at two 全体会 is one);
- a referral counts in the period it was sent; 期限内 means answered on or before its due day;
- cases by tendency: every case open at some time in the period (new + continuing);
- a whole 年度 with figures imported for it (``HistoricalFigure``, `tomoni import history`)
  shows the imported value instead of the count wherever the key matches, marked as imported.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field, replace
from datetime import date, datetime, time, timedelta
from statistics import median
from typing import Any

from django.apps import apps
from django.db.models import (
    Case as CaseExpr,
)
from django.db.models import (
    CharField,
    Count,
    ExpressionWrapper,
    F,
    FilteredRelation,
    Func,
    IntegerField,
    Manager,
    Model,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Value,
    When,
)
from django.db.models.functions import ExtractDay, ExtractMonth, ExtractYear, TruncDate
from django.db.models.lookups import GreaterThan
from django.utils import timezone

from tomoni.cases.actions.moves import MOVES
from tomoni.cases.models import Case, Closure
from tomoni.directory.models import Agency, Concern, District, Domain, Tag
from tomoni.intake.models import (
    Consultation,
    Method,
    Outcome,
    Referral,
    RouteKind,
    RouteStep,
)
from tomoni.lib.fiscal import fiscal_year, fiscal_year_label, fiscal_year_range
from tomoni.meetings.models import Kind
from tomoni.outreach.models import Accompaniment, ContactMethod, Engagement, Reason
from tomoni.outreach.models import Stage as OutreachStage
from tomoni.participation.models import Match
from tomoni.participation.models import active_on as place_active_on
from tomoni.people.models import Sex

from . import tendencies
from .models import HistoricalFigure, Kpi, Target

# Age bands (at the consultation date): the tendency rules' boundaries (18, 40, 65, 75).
AGE_BANDS: tuple[tuple[str, str, int | None, int | None], ...] = (
    ("0-17", "18歳未満", None, 17),
    ("18-39", "18〜39歳", 18, 39),
    ("40-64", "40〜64歳", 40, 64),
    ("65-74", "65〜74歳", 65, 74),
    ("75-", "75歳以上", 75, None),
)
UNKNOWN = "不明・未記録"


@dataclass(frozen=True)
class Period:
    label: str
    start: date
    end: date  # inclusive

    def q(self, name: str, *, moment: bool = False) -> Q:
        """``name`` falls in the period; a datetime by the local (Asia/Tokyo) calendar day."""
        if not moment:
            return Q(**{f"{name}__gte": self.start, f"{name}__lte": self.end})
        tz = timezone.get_current_timezone()
        first = datetime.combine(self.start, time.min, tzinfo=tz)
        after = datetime.combine(self.end + timedelta(days=1), time.min, tzinfo=tz)
        return Q(**{f"{name}__gte": first, f"{name}__lt": after})


def _tz() -> Any:
    return timezone.get_current_timezone()


def fiscal_period(fy: int, label: str = "") -> Period:
    start, end = fiscal_year_range(fy)
    return Period(label or fiscal_year_label(fy), start, end)


def dashboard_periods(fy: int, today: date) -> list[Period]:
    """This 年度 so far, last 年度 to the same day, and the whole of last 年度; for a past
    年度 simply that 年度 and the one before."""
    if fiscal_year(today) != fy:
        return [fiscal_period(fy), fiscal_period(fy - 1)]
    start, _ = fiscal_year_range(fy)
    before, _ = fiscal_year_range(fy - 1)
    same_day = _same_day_last_year(today)
    return [
        Period(f"{fiscal_year_label(fy)}（{today.month}月{today.day}日まで）", start, today),
        Period(f"{fiscal_year_label(fy - 1)}（同期）", before, same_day),
        fiscal_period(fy - 1),
    ]


def _same_day_last_year(d: date) -> date:
    try:
        return d.replace(year=d.year - 1)
    except ValueError:  # 2/29
        return d.replace(year=d.year - 1, day=28)


@dataclass
class Row:
    label: str
    values: list[float | None]
    # For averages: how many records each value is over (suppression looks at these).
    bases: list[int] | None = None
    # Never suppressed: the city's own numbers (targets, 事業費), and a count that is not of
    # people in a table of people (地域の取組の実施回数).
    exact: bool = False
    unit: str = ""
    # Columns (period indexes) holding an imported figure of an earlier 年度, not a count.
    imported: set[int] = field(default_factory=set)
    # What the row counts (None: the city's own numbers — targets, 事業費 — which open no
    # list); a mean: the records it is over.
    counted: Counted | None = None
    # Where a cell counts over its own period rather than the report's (目標と実績: the 年度
    # to the end of the latest month).
    spans: list[Period | None] | None = None
    # Columns that open no list although the row is counted (a mean over an imported count).
    unlisted: set[int] = field(default_factory=set)

    def drillable(self, column: int) -> bool:
        """Whether the cell opens the list of what it counts: a counted row's value, not an
        imported figure of an earlier 年度."""
        return (
            self.counted is not None
            and column not in self.imported
            and column not in self.unlisted
            and 0 <= column < len(self.values)
            and self.values[column] is not None
        )

    def period(self, column: int, periods: Sequence[Period]) -> Period:
        own = self.spans[column] if self.spans is not None else None
        return own or periods[column]

    @property
    def is_mean(self) -> bool:
        return self.bases is not None


@dataclass
class Table:
    key: str
    title: str
    rows: list[Row]
    unit: str = "件"
    chart: bool = True
    note: str = ""
    # Small-number suppression protects people: a table that counts something else (meetings
    # held, the agencies attending them, 居場所, 地域の取組) is False and shown as it is.
    people: bool = True


@dataclass
class Section:
    key: str
    title: str
    tables: list[Table] = field(default_factory=list)


@dataclass
class Report:
    periods: list[Period]
    sections: list[Section]
    scope: str  # "all" | "own_agency"
    agency: str = ""

    def table(self, key: str) -> Table:
        for section in self.sections:
            for table in section.tables:
                if table.key == key:
                    return table
        raise KeyError(key)


# --- what a figure counts -------------------------------------------------------------------

IN, CONTINUING, ACTIVE, ASOF, OPEN = "in", "continuing", "active", "asof", "open"
# OPEN: in force at the period's end by a named condition of that day (a name pickles), and
# the field its list is ordered by.
AT_END: dict[str, tuple[Callable[[date], Q], str]] = {
    "place_active": (place_active_on, "created_at"),
}


def _primary_domain() -> dict[str, Any]:
    # At most one ◎ per consultation (a unique partial index), so a join on the ◎ link never
    # repeats a consultation: one hash join where a subquery per consultation took 0.6 s of
    # a 年度 at data set L (PostgreSQL).
    return {
        "primary_link": FilteredRelation(
            "concern_links", condition=Q(concern_links__is_primary=True)
        ),
        "domain": F("primary_link__concern__domain"),
    }


def _route_kind() -> Subquery:
    """The last link of the route chain: who brought the worry to us."""
    return Subquery(
        RouteStep.objects.filter(consultation=OuterRef("pk")).order_by("-order").values("kind")[:1]
    )


# Named annotations a condition may refer to (a name pickles; the expressions are rebuilt):
# each gives the annotations to add, the named one among them.
ANNOTATIONS: dict[str, Callable[[], dict[str, Any]]] = {
    "route_kind": lambda: {"route_kind": _route_kind()},
    "domain": _primary_domain,
    "age": lambda: {"age": AgeOn("person__birth_date", "received_at")},
}


@dataclass(frozen=True)
class Counted:
    """What a figure counts: one definition gives the figure (an aggregate over every period at
    once) and, for one period, the records behind it — so the two cannot drift apart.

    ``model`` (an app label) filtered by ``where``; the period applies to ``on`` (a datetime by
    the local day when ``moment``): IN the period, CONTINUING (begun before it, not ended
    before it began: ``ended``), ACTIVE (new or continuing), ASOF (begun by its end) or OPEN
    (``on`` names a condition of the period's last day in ``AT_END``: 居場所 活動中 then).
    ``what`` counts distinct related records instead (cases on an agenda); ``total`` sums a
    field (延べ参加者); ``tendency`` is the cases of that tendency among the ACTIVE ones (rules
    in Python). Plain data and a Q: it pickles with the cached dashboard."""

    model: str
    on: str
    moment: bool = False
    where: Q = field(default_factory=Q)
    what: str = ""
    span: str = IN
    ended: str = ""
    annotate: str = ""
    total: str = ""
    tendency: int = 0

    def narrow(self, condition: Q) -> Counted:
        return replace(self, where=self.where & condition)

    def model_class(self) -> type[Model]:
        return apps.get_model(self.model)

    def related_class(self) -> type[Model]:
        """The model of what is listed: the records, or the related records counted."""
        model = self.model_class()
        if not self.what:
            return model
        related = model._meta.get_field(self.what).related_model
        assert isinstance(related, type) and issubclass(related, Model)
        return related

    def queryset(self, base: QuerySet[Any] | None = None) -> QuerySet[Any]:
        """Every record the condition holds for, in any period (from ``base`` if given)."""
        manager: Manager[Any] = self.model_class()._default_manager
        qs = base if base is not None else manager.all()
        if self.annotate:
            qs = qs.annotate(**ANNOTATIONS[self.annotate]())
        return qs.filter(self.where)

    def within(self, p: Period) -> Q:
        """The records of period ``p``."""
        if self.span == IN:
            return p.q(self.on, moment=self.moment)
        if self.span == OPEN:
            return AT_END[self.on][0](p.end)
        if self.span == ASOF:
            if not self.moment:
                return Q(**{f"{self.on}__lte": p.end})
            after = datetime.combine(p.end + timedelta(days=1), time.min, tzinfo=_tz())
            return Q(**{f"{self.on}__lt": after})
        if self.span == CONTINUING:
            begun = Q(**{f"{self.on}__lt": p.start})
        else:  # ACTIVE
            begun = Q(**{f"{self.on}__lte": p.end})
        return begun & (Q(**{f"{self.ended}__isnull": True}) | Q(**{f"{self.ended}__gte": p.start}))

    def aggregate(self, p: Period, *, extra: Q | None = None) -> Count | Sum:
        """The figure of ``p`` as an aggregate over ``queryset()`` (``extra``: the row's own
        condition, when several rows share one query)."""
        condition = self.within(p) if extra is None else extra & self.within(p)
        if self.total:
            return Sum(self.total, filter=condition)
        return Count(self.what or "pk", filter=condition, distinct=bool(self.what))

    def counts(self, periods: Sequence[Period]) -> dict[str, Count | Sum]:
        return {f"p{i}": self.aggregate(p) for i, p in enumerate(periods)}

    def records(self, p: Period, base: QuerySet[Any] | None = None) -> QuerySet[Any]:
        """The records counted in ``p`` (from ``base``, e.g. those a user may see)."""
        return self.queryset(base).filter(self.within(p))


def combined(rows: Sequence[Row]) -> Counted | None:
    """What a sum of rows counts: one row's own; 新規 + 継続 of the same records are those
    ACTIVE in the period; anything else opens no list."""
    specs = [r.counted for r in rows]
    if len(specs) == 1:
        return specs[0]
    if len(specs) == 2 and all(s is not None for s in specs):
        new, old = specs
        assert new is not None and old is not None
        if (new.span, old.span) == (IN, CONTINUING) and new == replace(old, span=IN):
            return replace(old, span=ACTIVE)
    return None


def _rows(specs: Sequence[tuple[str, Counted]], periods: Sequence[Period], **kw: Any) -> list[Row]:
    """One aggregate query for rows counting records of the same model (each row its own
    condition within the same query)."""
    model = specs[0][1]
    assert all(s.model == model.model and not s.annotate for _, s in specs)
    data = model.model_class()._default_manager.aggregate(
        **{
            f"r{j}p{i}": spec.aggregate(p, extra=spec.where)
            for j, (_, spec) in enumerate(specs)
            for i, p in enumerate(periods)
        }
    )
    return [
        Row(label, [data[f"r{j}p{i}"] or 0 for i in range(len(periods))], counted=spec, **kw)
        for j, (label, spec) in enumerate(specs)
    ]


# --- query helpers -------------------------------------------------------------------------


def _span(periods: Sequence[Period], name: str, *, moment: bool = False) -> Q:
    whole = Period("", min(p.start for p in periods), max(p.end for p in periods))
    return whole.q(name, moment=moment)


def _values(row: dict[str, Any], periods: Sequence[Period]) -> list[float | None]:
    return [row.get(f"p{i}", 0) or 0 for i in range(len(periods))]


def _grouped(
    spec: Counted,
    group: str,
    periods: Sequence[Period],
    choices: Iterable[tuple[Any, str]],
    *,
    total: str = "",
    cases: dict[str, Q] | None = None,
) -> list[Row]:
    """One GROUP BY query over what ``spec`` counts: a row per choice (zeros kept, so every
    year has the same rows), then any value outside the choices (and NULL) under 不明・未記録.
    Each row counts ``spec`` narrowed to its value (the 合計: ``spec`` itself). With
    ``cases``, ``group`` is the first of those conditions that holds (a CASE in SQL), and each
    row counts ``spec`` narrowed to its condition."""
    qs = spec.queryset()
    if cases is not None:
        qs = qs.annotate(
            **{
                group: CaseExpr(
                    *(When(condition, then=Value(value)) for value, condition in cases.items()),
                    default=Value(None),
                    output_field=CharField(),
                )
            }
        )
    data = (
        qs.filter(_span(periods, spec.on, moment=spec.moment))
        .values(group)
        .annotate(**spec.counts(periods))
        .order_by()
    )
    found = {row[group]: _values(row, periods) for row in data}
    zeros: list[float | None] = [0] * len(periods)
    rows = []
    values = []
    for value, label in choices:
        values.append(value)
        condition = cases[value] if cases is not None else Q(**{group: value})
        rows.append(Row(label, found.pop(value, list(zeros)), counted=spec.narrow(condition)))
    if found:
        rest = [sum(v[i] or 0 for v in found.values()) for i in range(len(periods))]
        other = ~Q(**{f"{group}__in": values}) | Q(**{f"{group}__isnull": True})
        rows.append(Row(UNKNOWN, list(rest), counted=spec.narrow(other)))
    if total:
        rows.append(
            Row(
                total,
                [sum(r.values[i] or 0 for r in rows) for i in range(len(periods))],
                counted=spec,
            )
        )
    return rows


# --- the sections --------------------------------------------------------------------------


def _consultations(periods: Sequence[Period], agency: Agency | None) -> Section:
    own = Q(agency=agency.pk) if agency is not None else Q()
    spec = Counted("intake.Consultation", "received_at", moment=True, where=own)
    by_agency = [
        Table(
            "consultations_agency",
            "受付機関別の相談件数",
            _by_agency(spec, periods),
            note="相談を受け付けた機関（受付機関）ごとの件数です。",
        )
    ]
    return Section(
        "consultations",
        "相談（包括的相談支援）",
        [
            Table(
                "consultations",
                "相談件数（新規・継続）",
                _grouped(spec, "is_new", periods, [(True, "新規"), (False, "継続")], total="合計"),
            ),
            Table(
                "consultations_route",
                "相談経路（相談をつないだ人・機関）",
                _grouped(
                    replace(spec, annotate="route_kind"), "route_kind", periods, RouteKind.choices
                ),
            ),
            Table(
                "consultations_method",
                "相談方法",
                _grouped(spec, "method", periods, Method.choices),
            ),
            Table(
                "consultations_domain",
                "分野（◎の課題の分野）",
                _grouped(replace(spec, annotate="domain"), "domain", periods, Domain.choices),
            ),
            Table(
                "consultations_concern",
                "課題（チェックされた課題ごと・複数計上）",
                _by_concern(periods, agency),
            ),
            Table(
                "consultations_tag",
                "横断的な課題（横断タグごと・複数計上）",
                _by_tag(spec, periods, agency),
                note="1件の相談に複数のタグが付くことがあります。",
            ),
            Table(
                "consultations_outcome",
                "対応結果",
                _grouped(spec, "outcome", periods, [*Outcome.choices, ("", "未記入（対応中）")]),
            ),
            # The agency's own figures are all its own: no breakdown by agency there.
            *(by_agency if agency is None else []),
            Table(
                "consultations_age",
                "本人の年齢（受付日時点）",
                _age_bands(replace(spec, annotate="age"), periods),
                unit="人",
            ),
            Table(
                "consultations_sex",
                "本人の性別",
                _grouped(spec, "person__sex", periods, Sex.choices),
                unit="人",
            ),
        ],
    )


def _by_concern(periods: Sequence[Period], agency: Agency | None) -> list[Row]:
    """One GROUP BY query over the ticked concerns: a row per 課題 found in any period; a
    consultation counts once under each concern ticked."""
    own = Q(consultation__agency=agency.pk) if agency is not None else Q()
    spec = Counted(
        "intake.ConsultationConcern",
        "consultation__received_at",
        moment=True,
        where=own,
        what="consultation",
    )
    data = (
        spec.queryset()
        .filter(_span(periods, spec.on, moment=True))
        .values("concern_id", "concern__name", "concern__order")
        .annotate(**spec.counts(periods))
        .order_by("concern__order", "concern__name")
    )
    return [
        Row(
            row["concern__name"],
            _values(row, periods),
            counted=spec.narrow(Q(concern=row["concern_id"])),
        )
        for row in data
    ]


def _by_agency(spec: Counted, periods: Sequence[Period]) -> list[Row]:
    """One GROUP BY query: a row per agency that received a consultation in any period."""
    data = (
        spec.queryset()
        .filter(_span(periods, spec.on, moment=True))
        .values("agency_id", "agency__name", "agency__order", "agency__code")
        .annotate(**spec.counts(periods))
        .order_by("agency__order", "agency__code")
    )
    return [
        Row(
            row["agency__name"],
            _values(row, periods),
            counted=spec.narrow(Q(agency=row["agency_id"])),
        )
        for row in data
    ]


def _by_tag(spec: Counted, periods: Sequence[Period], agency: Agency | None) -> list[Row]:
    """One query over the tags (a LEFT JOIN to their consultations): a row per 横断タグ, zeros
    kept; a consultation counts once under each of its tags."""
    moment = "consultations__received_at"
    own = Q(consultations__agency=agency) if agency is not None else Q()
    data = (
        Tag.objects.annotate(
            **{
                f"p{i}": Count("consultations", filter=p.q(moment, moment=True) & own)
                for i, p in enumerate(periods)
            }
        )
        .values("pk", "name", *(f"p{i}" for i in range(len(periods))))
        .order_by("order", "code")
    )
    return [
        Row(row["name"], _values(row, periods), counted=spec.narrow(Q(tags=row["pk"])))
        for row in data
    ]


class AgeOn(Func):
    """Age in completed years at a moment's local date.

    Portable form: year difference, minus one before the birthday (Extract* handle the time
    zone). SQLite evaluates those extracts in Python, six calls a row, which dominated the
    annual report; there, for a zone without daylight saving (Asia/Tokyo), the same age is
    ``(YYYYMMDD(local day) − YYYYMMDD(birth)) / 10000`` in SQLite's own ``strftime``.
    """

    portable: Any = None  # the portable expression, resolved with this one

    def __init__(self, birth: str, on: str) -> None:
        super().__init__(F(birth), F(on), output_field=IntegerField())
        self.birth, self.on = birth, on

    def _portable(self) -> Any:
        birth, on = self.birth, self.on
        before_birthday: Any = GreaterThan(
            ExtractMonth(birth) * 100 + ExtractDay(birth),
            ExtractMonth(on) * 100 + ExtractDay(on),
        )
        return ExpressionWrapper(
            ExtractYear(on)
            - ExtractYear(birth)
            - CaseExpr(When(before_birthday, then=Value(1)), default=Value(0)),
            output_field=IntegerField(),
        )

    def resolve_expression(self, *args: Any, **kwargs: Any) -> Any:
        resolved = super().resolve_expression(*args, **kwargs)
        resolved.portable = self._portable().resolve_expression(*args, **kwargs)
        return resolved

    def as_sql(self, compiler: Any, connection: Any, *args: Any, **extra: Any) -> Any:
        return compiler.compile(self.portable)

    def as_sqlite(self, compiler: Any, connection: Any, **extra: Any) -> Any:
        offset = _fixed_offset_seconds()
        if offset is None:
            return self.as_sql(compiler, connection, **extra)
        birth_sql, birth_params = compiler.compile(self.source_expressions[0])
        on_sql, on_params = compiler.compile(self.source_expressions[1])
        # '%%' is how a literal % reaches SQLite through Django's placeholder conversion.
        sql = (
            f"((CAST(strftime('%%Y%%m%%d', {on_sql}, '{offset:+d} seconds') AS INTEGER)"
            f" - CAST(strftime('%%Y%%m%%d', {birth_sql}) AS INTEGER)) / 10000)"
        )
        return sql, (*on_params, *birth_params)


def _fixed_offset_seconds() -> int | None:
    """The current zone's UTC offset if it never changes (no daylight saving), else None."""
    tz = timezone.get_current_timezone()
    year = timezone.now().year
    offsets = {datetime(y, m, 1, tzinfo=tz).utcoffset() for y in (year - 3, year) for m in (1, 7)}
    if len(offsets) != 1:
        return None
    (offset,) = offsets
    return int(offset.total_seconds()) if offset is not None else None


def _band(low: int | None, high: int | None) -> Q:
    condition = Q()
    if low is not None:
        condition &= Q(age__gte=low)
    if high is not None:
        condition &= Q(age__lte=high)
    return condition


def _age_bands(spec: Counted, periods: Sequence[Period]) -> list[Row]:
    """Grouped by the age itself in SQL (about a hundred groups), banded here: the age
    expression is then computed once per row instead of once per band."""
    data = (
        spec.queryset()
        .filter(_span(periods, spec.on, moment=True))
        .values("age")
        .annotate(**spec.counts(periods))
        .order_by()
    )
    totals = {code: [0] * len(periods) for code, *_ in AGE_BANDS}
    unknown = [0] * len(periods)
    for row in data:
        age = row["age"]
        code = next(
            (
                code
                for code, _, low, high in AGE_BANDS
                if age is not None and (low is None or age >= low) and (high is None or age <= high)
            ),
            None,
        )
        target = totals[code] if code else unknown
        for i in range(len(periods)):
            target[i] += row[f"p{i}"]
    rows = [
        Row(label, list(totals[code]), counted=spec.narrow(_band(low, high)))
        for code, label, low, high in AGE_BANDS
    ]
    if any(unknown):
        rows.append(Row(UNKNOWN, list(unknown), counted=spec.narrow(Q(age__isnull=True))))
    return rows


def _referrals(periods: Sequence[Period], agency: Agency | None, today: date) -> Section:
    own = Q(to_agency=agency.pk) | Q(from_agency=agency.pk) if agency is not None else Q()
    spec = Counted("intake.Referral", "sent_at", moment=True, where=own)
    answered = Q(responded_at__isnull=False)
    answered_on = TruncDate("responded_at")
    # Exclusive, in this order (due_on is never empty).
    timeliness = {
        "in_time": answered & Q(due_on__gte=answered_on),
        "late": answered & Q(due_on__lt=answered_on),
        "overdue": Q(responded_at__isnull=True, due_on__lt=today),
        "waiting": Q(responded_at__isnull=True, due_on__gte=today),
    }
    timed = spec.narrow(answered)
    hours: list[float | None] = []
    bases: list[int] = []
    responded = list(
        timed.queryset()
        .filter(_span(periods, spec.on, moment=True))
        .values_list("sent_at", "responded_at")
    )
    tz = timezone.get_current_timezone()
    # Each referral's local day and hours once (not once per period: 60,000 a 年度 at L).
    timed_rows = [
        (sent.astimezone(tz).date(), (answered_at - sent).total_seconds() / 3600)
        for sent, answered_at in responded
        if answered_at is not None
    ]
    for p in periods:
        spans = [h for day, h in timed_rows if p.start <= day <= p.end]
        hours.append(round(median(spans), 1) if spans else None)
        bases.append(len(spans))
    return Section(
        "referrals",
        "つなぎ（他機関への紹介）",
        [
            Table(
                "referrals",
                "つなぎの件数（状態別）",
                _grouped(spec, "state", periods, Referral.State.choices, total="合計"),
            ),
            Table(
                "referrals_response",
                "回答までの期間",
                [
                    *_grouped(
                        spec,
                        "timeliness",
                        periods,
                        [
                            ("in_time", "期限内に回答"),
                            ("late", "期限後に回答"),
                            ("overdue", "未回答（期限超過）"),
                            ("waiting", "未回答（期限前）"),
                        ],
                        cases=timeliness,
                    ),
                    Row("回答までの時間（中央値・時間）", hours, bases, counted=timed),
                ],
            ),
        ],
    )


def _active(periods: Sequence[Period], opened: str, ended: str) -> dict[str, Q]:
    return {
        f"p{i}": Q(**{f"{opened}__lte": p.end})
        & (Q(**{f"{ended}__isnull": True}) | Q(**{f"{ended}__gte": p.start}))
        for i, p in enumerate(periods)
    }


def _cases(periods: Sequence[Period]) -> Section:
    closures = list(
        Closure.objects.filter(_span(periods, "on")).values_list("kind", "on", "case__opened_on")
    )
    closed: list[float | None] = []
    suspended: list[float | None] = []
    days: list[float | None] = []
    bases: list[int] = []
    for p in periods:
        inside = [c for c in closures if p.start <= c[1] <= p.end]
        closed.append(sum(1 for c in inside if c[0] == Closure.Kind.CLOSED))
        suspended.append(sum(1 for c in inside if c[0] == Closure.Kind.SUSPENDED))
        spans = [(on - opened).days for kind, on, opened in inside if kind == Closure.Kind.CLOSED]
        days.append(round(median(spans), 1) if spans else None)
        bases.append(len(spans))
    ended = Counted("cases.Closure", "on")
    case = Counted("cases.Case", "opened_on", ended="closed_on")
    # The dates people entered (作成日, 承認日: the approving meeting's date), not the
    # system's stamps; 見直し is a 再プラン (the stage move back to drafting), not a save.
    replan = MOVES["replan"]
    plans = _rows(
        [
            ("作成（初版）", Counted("cases.Plan", "written_on", where=Q(number=1))),
            ("重層的支援会議で承認", Counted("cases.Plan", "approved_on")),
        ],
        periods,
    )
    later = Counted(
        "cases.StageChange",
        "at",
        moment=True,
        where=Q(to_stage=replan.target, from_stage__in=replan.sources),
    )
    plans.insert(1, _rows([("見直し（第2版以降）", later)], periods)[0])
    return Section(
        "cases",
        "多機関協働",
        [
            Table(
                "cases",
                "ケース数",
                [
                    *_rows([("新規", case), ("継続", replace(case, span=CONTINUING))], periods),
                    Row("終結", closed, counted=ended.narrow(Q(kind=Closure.Kind.CLOSED))),
                    Row("中断", suspended, counted=ended.narrow(Q(kind=Closure.Kind.SUSPENDED))),
                    Row(
                        "終結までの日数（中央値）",
                        days,
                        bases,
                        counted=ended.narrow(Q(kind=Closure.Kind.CLOSED)),
                    ),
                ],
            ),
            Table("plans", "支援プラン", plans),
        ],
    )


def _meetings(periods: Sequence[Period]) -> Section:
    held = Counted("meetings.Meeting", "starts_at", moment=True, where=Q(held=True))
    plenary = Counted(
        "meetings.Attendance",
        "meeting__starts_at",
        moment=True,
        where=Q(meeting__kind=Kind.PLENARY, meeting__held=True),
    )
    attended = replace(plenary, what="meeting")
    by_agency = (
        attended.queryset()
        .filter(_span(periods, plenary.on, moment=True))
        .values("agency_id", "agency__name", "agency__order")
        .annotate(**attended.counts(periods))
        .order_by("agency__order", "agency__name")
    )
    agencies = replace(plenary, what="agency")
    # Cases on the agenda of a meeting held in the period, each case once per kind.
    on_agenda = _grouped(
        Counted(
            "meetings.AgendaItem",
            "meeting__starts_at",
            moment=True,
            where=Q(meeting__held=True),
            what="case",
        ),
        "meeting__kind",
        periods,
        Kind.choices,
    )
    return Section(
        "meetings",
        "会議",
        [
            Table(
                "meetings",
                "開催した会議（種別）",
                _grouped(held, "kind", periods, Kind.choices),
                unit="回",
                people=False,
            ),
            Table(
                "plenary",
                "支援会議(全体会)の参加機関",
                [
                    *_rows([("参加した機関の数", agencies)], periods),
                    *(
                        Row(
                            row["agency__name"],
                            _values(row, periods),
                            counted=attended.narrow(Q(agency=row["agency_id"])),
                        )
                        for row in by_agency
                    ),
                ],
                unit="回",
                chart=False,
                people=False,
                note="機関ごとの数は、その機関が出席した全体会の回数です。",
            ),
            Table(
                "meetings_cases",
                "会議で検討したケース（会議の種別ごと）",
                on_agenda,
                note="期間中に開催した会議の議題に挙がったケースの数です（同じ種別の会議で"
                "複数回検討したケースも1件）。",
            ),
        ],
    )


def _outreach(periods: Sequence[Period]) -> Section:
    engagement = Counted("outreach.Engagement", "opened_on", ended="ended_on")
    connected = Counted("outreach.Engagement", "ended_on", where=Q(stage=OutreachStage.CONNECTED))
    contact = Counted("outreach.Contact", "on")
    return Section(
        "outreach",
        "アウトリーチ",
        [
            Table(
                "engagements",
                "対象（世帯・本人）",
                _rows(
                    [
                        ("新規", engagement),
                        ("継続", replace(engagement, span=CONTINUING)),
                        ("つながった", connected),
                    ],
                    periods,
                ),
            ),
            Table(
                "engagements_reason",
                "新規対象の理由",
                _grouped(engagement, "reason", periods, Reason.choices),
            ),
            Table(
                "contacts",
                "接触・訪問（方法別）",
                _grouped(contact, "method", periods, ContactMethod.choices, total="合計"),
                unit="回",
            ),
            Table(
                "accompaniments",
                "同行支援",
                _grouped(
                    contact.narrow(~Q(accompaniment="")),
                    "accompaniment",
                    periods,
                    [c for c in Accompaniment.choices if c[0]],
                ),
                unit="回",
            ),
        ],
    )


def _participation(periods: Sequence[Period]) -> Section:
    def one(label: str, spec: Counted) -> Row:
        return _rows([(label, spec)], periods)[0]

    return Section(
        "participation",
        "参加支援",
        [
            Table(
                "participation",
                "参加支援の実績",
                [
                    one(
                        "参加支援プラン（新規）",
                        Counted("participation.ParticipationPlan", "created_at", moment=True),
                    ),
                    one(
                        "マッチング（候補に選んだ）",
                        Counted("participation.Match", "picked_at", moment=True),
                    ),
                    one("体験", Counted("participation.Trial", "on")),
                    one("定着", Counted("participation.Match", "settled_on")),
                    one("定着後のフォロー等", Counted("participation.FollowUp", "on")),
                ],
            ),
        ],
    )


def _places_asof(periods: Sequence[Period]) -> dict[str, Count]:
    # By the dates entered: 開始日 (else the day it was registered) and 休止日.
    return {
        f"p{i}": Count("places", filter=place_active_on(p.end, "places__"))
        for i, p in enumerate(periods)
    }


def _districts(periods: Sequence[Period]) -> Section:
    rows = District.objects.annotate(**_places_asof(periods)).order_by("order", "code")
    tables = [
        Table(
            "places",
            "居場所・社会資源（地区別・期末時点で活動中）",
            [
                Row(
                    d.name,
                    [getattr(d, f"p{i}") for i in range(len(periods))],
                    counted=Counted(
                        "participation.Place", "place_active", span=OPEN, where=Q(district=d.pk)
                    ),
                )
                for d in rows
            ],
            unit="か所",
            people=False,
        )
    ]
    tables.extend(community_activities(periods))
    return Section("districts", "地域づくり（地区別）", tables)


def community_activities(periods: Sequence[Period]) -> list[Table]:
    """地域の取組 per 地区 (``tomoni.community``): activities that ran in the period (had at
    least one session), and the sessions with their participants (counts only). Two queries;
    nothing when the community app is not installed."""
    if not apps.is_installed("tomoni.community"):
        return []

    session = Counted("community.ActivitySession", "held_on")
    ran = replace(session, what="activity")
    per_district = (
        ran.queryset()
        .filter(_span(periods, session.on))
        .values("activity__district_id")
        .annotate(**ran.counts(periods))
        .order_by()
    )
    found = {row["activity__district_id"]: _values(row, periods) for row in per_district}
    zeros: list[float | None] = [0] * len(periods)
    districts = District.objects.order_by("order", "code")
    sessions = _rows(
        [
            ("実施回数", session),
            ("子ども（18歳未満）", replace(session, total="children")),
            ("現役世代（18〜64歳）", replace(session, total="adults")),
            ("高齢者（65歳以上）", replace(session, total="elderly")),
        ],
        periods,
    )
    sessions[0].exact, sessions[0].unit = True, "回"
    return [
        Table(
            "activities",
            "地域の取組（地区別・期間中に実施したもの）",
            [
                Row(
                    d.name,
                    list(found.get(d.pk, zeros)),
                    counted=ran.narrow(Q(activity__district=d.pk)),
                )
                for d in districts
            ],
            people=False,
        ),
        Table("activity_sessions", "地域の取組の実施回数と延べ参加者", sessions, unit="人"),
    ]


def _tendencies(periods: Sequence[Period]) -> Section:
    table = tendency_table(periods)
    # What each row counts, for its list: the cases open in the period (the last row), and
    # among them those each tendency fires for (the rows in the order of NUMBERS).
    active = Counted("cases.Case", "opened_on", span=ACTIVE, ended="closed_on")
    for row, number in zip(table.rows, (*tendencies.NUMBERS, 0), strict=True):
        row.counted = replace(active, tendency=number)
    return Section("tendencies", "稲城市の5つの支援傾向", [table])


def active_cases(periods: Sequence[Period], base: QuerySet[Case] | None = None) -> QuerySet[Case]:
    """Cases open at some time in any of the periods."""
    active = Q(pk__in=[])
    for condition in _active(periods, "opened_on", "closed_on").values():
        active |= condition
    return (base if base is not None else Case.objects.all()).filter(active)


def tendency_table(periods: Sequence[Period]) -> Table:
    cases = active_cases(periods)
    found = tendencies.stored_many(cases, reasons=False)  # as stored by the actions
    spans = list(cases.values_list("pk", "opened_on", "closed_on"))
    counts = {number: [0] * len(periods) for number in tendencies.NUMBERS}
    total = [0] * len(periods)
    for pk, opened, closed in spans:
        for i, p in enumerate(periods):
            if opened <= p.end and (closed is None or closed >= p.start):
                total[i] += 1
                for t in found[pk]:
                    if t.value:
                        counts[t.number][i] += 1
    rows = [
        Row(f"{'①②③④⑤'[n - 1]} {tendencies.LABELS[n]}", list(counts[n])) for n in tendencies.NUMBERS
    ]
    rows.append(Row("対象ケース（期間中に支援したケース）", list(total)))
    return Table(
        "tendencies",
        "支援傾向別のケース数（複数該当あり）",
        rows,
        note="1つのケースが複数の傾向に当てはまることがあります。手動の判断を優先します。",
    )


# --- figures of earlier 年度 imported from CSV ------------------------------------------------

TOTAL = "合計"
IMPORTED_MARK = "（取込）"


def history_key(table: str, label: str) -> str:
    """How an imported figure names its row: 「表キー/項目」, e.g. ``consultations/新規``."""
    return f"{table}/{label}"


def importable(row: Row) -> bool:
    """Counts only: a mean needs the records under it, and a 合計 follows its rows."""
    return not row.is_mean and row.label != TOTAL


def _whole_year(period: Period) -> int | None:
    fy = fiscal_year(period.start)
    return fy if (period.start, period.end) == fiscal_year_range(fy) else None


def with_history(report: Report) -> Report:
    """Each whole 年度 of the report with imported figures shows them where a key matches
    (one query). A row the records never produced (a 課題 nobody had) is added, zero in the
    other periods; a 合計 is summed again; the table's note says which values were imported.
    A period that is only part of a 年度 (「同期」) keeps its counts."""
    columns = {fy: i for i, p in enumerate(report.periods) if (fy := _whole_year(p)) is not None}
    if not columns:
        return report
    found: dict[str, dict[int, int]] = {}
    for fy, key, value in HistoricalFigure.objects.filter(fy__in=columns).values_list(
        "fy", "key", "value"
    ):
        found.setdefault(key, {})[columns[fy]] = value
    if not found:
        return report
    n = len(report.periods)
    for section in report.sections:
        for table in section.tables:
            prefix = history_key(table.key, "")
            rows = {history_key(table.key, row.label): row for row in table.rows}
            for key in sorted(k for k in found if k.startswith(prefix) and k not in rows):
                rows[key] = Row(key[len(prefix) :], [0] * n)
                total = next((r for r in table.rows if r.label == TOTAL), None)
                table.rows.insert(table.rows.index(total) if total else len(table.rows), rows[key])
            marked: set[int] = set()
            for key, row in rows.items():
                if key in found and importable(row):
                    for column, value in found[key].items():
                        row.values[column] = value
                        row.imported.add(column)
                        marked.add(column)
            if not marked:
                continue
            for row in table.rows:
                if row.label == TOTAL:
                    for column in marked - row.imported:
                        row.values[column] = sum(
                            r.values[column] or 0 for r in table.rows if importable(r)
                        )
                        row.unlisted.add(column)  # partly imported: no list adds up to it
            years = "・".join(report.periods[i].label for i in sorted(marked))
            note = f"{IMPORTED_MARK}は{years}の取り込んだ実績値です（記録の集計ではありません）。"
            table.note = f"{table.note} {note}".strip()
    return report


def history_keys() -> list[tuple[str, str]]:
    """Every key a figure can be imported under, with its table's title: the rows of the
    city-wide figures (built over an empty period), plus one row per 課題 and per agency for
    the tables whose rows come from the records."""
    empty = Period("", date(1900, 4, 1), date(1900, 4, 1))
    report = build([empty], history=False)
    keys = [
        (history_key(table.key, row.label), table.title)
        for section in report.sections
        for table in section.tables
        for row in table.rows
        if importable(row)
    ]
    known = {key for key, _ in keys}
    concerns = Concern.objects.values_list("name", flat=True)
    extra = [
        *(("consultations_concern", name) for name in concerns),
        *(("plenary", name) for name in Agency.objects.values_list("name", flat=True)),
        *(("consultations_agency", name) for name in Agency.objects.values_list("name", flat=True)),
    ]
    titles = {table.key: table.title for s in report.sections for table in s.tables}
    for table, label in extra:
        key = history_key(table, label)
        if key not in known:
            keys.append((key, titles[table]))
            known.add(key)
    return keys


def build(
    periods: Sequence[Period],
    *,
    agency: Agency | None = None,
    today: date | None = None,
    history: bool = True,
) -> Report:
    """Every figure for the periods; with ``agency``, only that agency's consultations and
    referrals (an agency worker's own figures). The city-wide figures show the imported
    figures of earlier 年度 (``with_history``) unless ``history`` is False."""
    day = today or timezone.localdate()
    periods = list(periods)
    if agency is not None:
        return Report(
            periods,
            [_consultations(periods, agency), _referrals(periods, agency, day)],
            "own_agency",
            agency.name,
        )
    report = Report(
        periods,
        [
            _consultations(periods, None),
            _referrals(periods, None, day),
            _cases(periods),
            _meetings(periods),
            _outreach(periods),
            _participation(periods),
            _districts(periods),
            _tendencies(periods),
        ],
        "all",
    )
    return with_history(report) if history else report


# --- targets (KPI) against actuals, month by month ----------------------------------------


@dataclass
class TargetProgress:
    target: Target
    months: list[date]  # the first day of each month of the 年度
    actual: list[int | None]  # cumulative at each month's end; None for months to come

    @property
    def latest(self) -> int:
        return next((a for a in reversed(self.actual) if a is not None), 0)

    @property
    def rate(self) -> int | None:
        return round(100 * self.latest / self.target.value) if self.target.value else None

    @property
    def counted(self) -> Counted:
        return kpi_counted(self.target)

    def span(self, month: int) -> Period:
        """The days the cumulative actual of ``month`` (an index) counts: from the 年度's
        first day to that month's end."""
        first = self.months[month]
        label = f"{fiscal_year_label(fiscal_year(self.months[0]))}（{first.month}月末まで）"
        return Period(label, self.months[0], _month_end(first))

    @property
    def latest_span(self) -> Period:
        """The days ``latest`` counts (none before the 年度 has begun)."""
        shown = [k for k, a in enumerate(self.actual) if a is not None]
        if not shown:
            return Period("", self.months[0], self.months[0] - timedelta(days=1))
        return self.span(shown[-1])


def _months(fy: int) -> list[date]:
    return [date(fy + (m < 4), m, 1) for m in (*range(4, 13), 1, 2, 3)]


def _month_counts(qs: QuerySet[Any], name: str, fy: int, *, moment: bool = False) -> list[int]:
    """One query: how many in each month of the 年度 (月別件数)."""
    months = _months(fy)
    counts = qs.aggregate(
        **{
            f"m{i}": Count("pk", filter=Period("", m, _month_end(m)).q(name, moment=moment))
            for i, m in enumerate(months)
        }
    )
    return [counts[f"m{i}"] for i in range(len(months))]


def _month_end(first: date) -> date:
    return (first.replace(day=28) + timedelta(days=4)).replace(day=1) - timedelta(days=1)


def _cumulative(values: list[int], base: int = 0) -> list[int]:
    out, running = [], base
    for v in values:
        running += v
        out.append(running)
    return out


KPI_SOURCES: dict[str, tuple[type[Model], str, bool, Q]] = {
    Kpi.CONSULTATIONS_NEW: (Consultation, "received_at", True, Q(is_new=True)),
    Kpi.CASES_NEW: (Case, "opened_on", False, Q()),
    Kpi.ENGAGEMENTS_NEW: (Engagement, "opened_on", False, Q()),
    Kpi.SETTLED: (Match, "settled_on", False, Q()),
}


def kpi_counted(target: Target) -> Counted:
    """What a target's actual counts (places: 活動中 at the end of the month)."""
    if target.kpi == Kpi.PLACES:
        district = Q(district=target.district_id) if target.district_id else Q()
        return Counted("participation.Place", "place_active", span=OPEN, where=district)
    model, name, moment, condition = KPI_SOURCES[target.kpi]
    return Counted(model._meta.label, name, moment=moment, where=condition)


def kpi_progress(fy: int, today: date | None = None) -> list[TargetProgress]:
    """Each target of the 年度 with its actual, cumulative month by month (one query per
    target, and the targets are a handful)."""
    day = today or timezone.localdate()
    months = _months(fy)
    progress = []
    for target in Target.objects.filter(fy=fy).select_related("district"):
        spec = kpi_counted(target)
        qs = spec.queryset()
        if spec.span == OPEN:  # a stock: how many at each month's end, in one query
            ends = {f"m{i}": _month_end(m) for i, m in enumerate(months)}
            counts = qs.aggregate(
                **{k: Count("pk", filter=AT_END[spec.on][0](end)) for k, end in ends.items()}
            )
            actual = [counts[k] for k in ends]
        elif spec.span == ASOF:
            start = datetime.combine(months[0], time.min, _tz())
            base = qs.filter(**{f"{spec.on}__lt": start}).count()
            actual = _cumulative(_month_counts(qs, spec.on, fy, moment=spec.moment), base)
        else:
            actual = _cumulative(_month_counts(qs, spec.on, fy, moment=spec.moment))
        progress.append(
            TargetProgress(
                target,
                months,
                [a if m <= day else None for a, m in zip(actual, months, strict=True)],
            )
        )
    return progress


PROGRESS = "progress"


def progress_table(progress: Sequence[TargetProgress]) -> Table:
    """The dashboard's 目標と実績 (月別累計) as a table: a row per target, a column per month,
    each cell counting from the 年度's start to that month's end (its own period)."""
    rows = [
        Row(
            _target_label(p.target),
            [float(a) if a is not None else None for a in p.actual],
            counted=p.counted,
            spans=[p.span(k) for k in range(len(p.months))],
        )
        for p in progress
    ]
    return Table(PROGRESS, "目標と実績（月別累計）", rows, chart=False)


def annual(fy: int, today: date | None = None) -> Report:
    """The 年度実績報告: the 年度 beside the one before, with the targets against actuals."""
    periods = [fiscal_period(fy), fiscal_period(fy - 1)]
    report = build(periods, today=today)
    report.sections.append(Section("targets", "目標と実績", [targets_table(fy, today)]))
    return report


def targets_table(fy: int, today: date | None = None) -> Table:
    """Each KPI with a target in the 年度 or the one before: target, actual and rate."""
    now = [kpi_progress(fy, today), kpi_progress(fy - 1, today)]
    keys: list[tuple[str, int | None, str]] = []
    for progress in now:
        for p in progress:
            key = (p.target.kpi, p.target.district_id, _target_label(p.target))
            if key not in keys:
                keys.append(key)
    rows = []
    for kpi, district, label in keys:
        found = [
            next(
                (p for p in progress if (p.target.kpi, p.target.district_id) == (kpi, district)),
                None,
            )
            for progress in now
        ]
        rows.append(
            Row(f"{label} 目標", [p.target.value if p else None for p in found], exact=True)
        )
        # The actual (and the rate, over it) lists what it counts from the 年度's start to
        # the end of the latest month.
        counted = next(p for p in found if p).counted
        spans = [p.latest_span if p else None for p in found]
        rows.append(
            Row(
                f"{label} 実績",
                [p.latest if p else None for p in found],
                counted=counted,
                spans=spans,
            )
        )
        # A rate gives its actual away (target 10, 20 % → 2): it is suppressed with it.
        rows.append(
            Row(
                f"{label} 達成率",
                [p.rate if p else None for p in found],
                bases=[p.latest if p else 0 for p in found],
                unit="%",
                counted=counted,
                spans=list(spans),
            )
        )
    return Table("targets", "目標と実績（年度末または現在）", rows, chart=False)


def _target_label(target: Target) -> str:
    where = f"（{target.district.name}）" if target.district_id and target.district else ""
    return f"{target.get_kpi_display()}{where}"


# --- the records behind a figure -------------------------------------------------------------


@dataclass
class Listed:
    """The records a figure counts in one period, as far as one user may see them."""

    model: type[Model]
    records: QuerySet[Any]  # of ``model``, visible to the user, newest first
    total: int  # how many the figure counts now, whoever may see them
    summed: int | None = None  # a sum's value over the records listed (延べ参加者)


def listed(
    counted: Counted, period: Period, visible: Callable[[type[Model]], QuerySet[Any]]
) -> Listed:
    """What ``counted`` counts in ``period``: the records ``visible`` (the user's own view of a
    model, ``access.visible``) lets through, and how many there are for anyone. A count of
    distinct related records lists those (cases on an agenda); a tendency the cases it fires
    for among the active ones."""
    if counted.tendency:
        return _tendency_listed(counted, period, visible)
    records = counted.records(period)
    if counted.what:
        model = counted.related_class()
        ids = records.order_by().values(counted.what)
        total = ids.distinct().count()
        return Listed(model, visible(model).filter(pk__in=ids), total)
    model = counted.model_class()
    newest = AT_END[counted.on][1] if counted.span == OPEN else counted.on
    shown = counted.records(period, visible(model)).order_by(f"-{newest}", "-pk")
    if counted.total:
        found = shown.aggregate(n=Sum(counted.total))
        return Listed(model, shown, records.count(), found["n"] or 0)
    return Listed(model, shown, records.count())


def _tendency_listed(
    counted: Counted, period: Period, visible: Callable[[type[Model]], QuerySet[Any]]
) -> Listed:
    def hits(cases: QuerySet[Any]) -> list[int]:
        found = tendencies.stored_many(cases, reasons=False)  # as the figure reads them
        return [pk for pk, ts in found.items() if ts[counted.tendency - 1].value]

    mine = hits(counted.records(period, visible(Case)))
    total = len(hits(counted.records(period)))
    return Listed(Case, visible(Case).filter(pk__in=mine).order_by("-opened_on", "-pk"), total)
