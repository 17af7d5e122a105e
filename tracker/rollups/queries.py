"""Rollups of assignments at a reference date: SQL aggregates by unit, notice, group and period.

Every count reads the assignments as they stood at the reference date (the state rows in force
then, tracker/assignments/asof.py) and goes through `category_at`, the one SQL rule for the
reporting categories; it counts published lead assignments only, a delegated part through its
parent.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any, TypeVar

import sqlalchemy
from sqlalchemy import Label, SQLColumnExpression, and_, case, func, or_, text
from sqlalchemy.sql.elements import ColumnElement
from sqlmodel import Session, col, select
from sqlmodel.sql.expression import Select

from tracker.accounts.models import User
from tracker.assignments.asof import State, category_at, in_force
from tracker.assignments.models import Assignment, AssignmentStatus
from tracker.assignments.status import Category
from tracker.errors import N_, PermissionDenied
from tracker.notices.models import Conclusion, NoticeStatus, Task
from tracker.permissions import can_view_rollups
from tracker.rollups.periods import Period
from tracker.tables import select_many
from tracker.units.models import Unit
from tracker.units.queries import unit_scope

# The assignments figures count: not delegated parts (a part counts through its parent; only
# lead units have assignments). IS NULL is written into the SQL, so a server-side prepared
# statement's generic plan can still use the index made for them (ix_assignment_state_in_force,
# partial on this condition).
COUNTED: tuple[ColumnElement[bool], ...] = (col(State.parent_id).is_(None),)


@dataclass(frozen=True)
class Scope:
    """Which assignments a rollup counts, and the date their category is judged on."""

    reference: date
    period: Period | None = None
    notice_id: int | None = None
    # Also count those due before the period and still unfinished when it began (a review).
    carry_over: bool = False

    def conditions(self) -> list[ColumnElement[bool]]:
        """The WHERE conditions on the state rows (they need no join)."""
        # "Not a task of a draft" rather than a join to every task: drafts are few, so the
        # database checks each assignment against a small hashed set (twice as fast at 1M).
        drafts = (
            select(Task.id)
            .join(Conclusion, col(Task.conclusion_id) == Conclusion.id)
            .where(Conclusion.status != NoticeStatus.PUBLISHED)
        )
        conditions = [
            in_force(self.reference),
            col(State.task_id).not_in(drafts),
            *COUNTED,
        ]
        if self.notice_id is not None:
            notice_tasks = select(Task.id).where(Task.conclusion_id == self.notice_id)
            conditions.append(col(State.task_id).in_(notice_tasks))
        if self.period is not None:
            start = self.period.start
            in_period: ColumnElement[bool] = col(State.due).between(start, self.period.end)
            if self.carry_over:
                open_at_start = or_(
                    col(State.status).in_(
                        [AssignmentStatus.NOT_STARTED, AssignmentStatus.IN_PROGRESS]
                    ),
                    and_(
                        col(State.status) == AssignmentStatus.DONE,
                        col(State.completed_on) >= start,
                    ),
                )
                in_period = or_(in_period, and_(col(State.due) < start, open_at_start))
            conditions.append(in_period)
        return conditions


@dataclass(frozen=True)
class Figures:
    """Counts per category, and the rates the head reads."""

    counts: dict[Category, int] = field(default_factory=lambda: dict.fromkeys(Category, 0))

    @classmethod
    def of(cls, pairs: Iterable[tuple[str, int]]) -> Figures:
        """Figures from (category, count) pairs."""
        counts = dict.fromkeys(Category, 0)
        for name, count in pairs:
            counts[Category(name)] += int(count)
        return cls(counts)

    @classmethod
    def from_counts(cls, values: Iterable[int | None]) -> Figures:
        """Figures from one count per category, in the order of Category."""
        return cls({category: int(n or 0) for category, n in zip(Category, values, strict=True)})

    def __add__(self, other: Figures) -> Figures:
        return Figures(
            {category: n + other.counts[category] for category, n in self.counts.items()}
        )

    @property
    def total(self) -> int:
        return sum(self.counts.values())

    @property
    def counted(self) -> int:
        """What the rates are taken of: everything but cancelled work."""
        return self.total - self.counts[Category.CANCELLED]

    @property
    def done(self) -> int:
        return self.counts[Category.DONE_ON_TIME] + self.counts[Category.DONE_LATE]

    @property
    def completion_rate(self) -> float | None:
        """Done (on time or late) out of everything not cancelled."""
        return self.done / self.counted if self.counted else None

    @property
    def on_time_rate(self) -> float | None:
        """Done on time out of everything done."""
        return self.counts[Category.DONE_ON_TIME] / self.done if self.done else None

    def rank_key(self) -> tuple[float, float, int]:
        """Best first: higher completion, then higher on-time share, then fewer overdue."""
        return (
            -(self.completion_rate or 0.0),
            -(self.on_time_rate or 0.0),
            self.counts[Category.OVERDUE],
        )


def _check(session: Session, actor: User) -> None:
    """Refuse those who may not read rollups; tune the transaction for them otherwise."""
    if not can_view_rollups(actor):
        raise PermissionDenied(N_("Bạn không có quyền xem số liệu tổng hợp."))
    for_reporting(session)


# Any select statement, sqlmodel's single-column ones included: `scoped` keeps its kind.
_Statement = TypeVar("_Statement", bound=sqlalchemy.Select[*tuple[Any, ...]])


def scoped(statement: _Statement, scope: Scope, *, with_task: bool = False) -> _Statement:
    """`statement` over the assignments of `scope` as they stood at its reference date (the
    state rows in force then), joined to their task and notice if asked."""
    statement = statement.select_from(State)
    if with_task:
        statement = statement.join(Task, col(State.task_id) == Task.id).join(
            Conclusion, col(Task.conclusion_id) == Conclusion.id
        )
    return statement.where(*scope.conditions())


def counted(
    scope: Scope,
    keys: Sequence[SQLColumnExpression[Any]] = (),
    *,
    with_task: bool = False,
    where: Sequence[ColumnElement[bool]] = (),
) -> Select[*tuple[Any, ...]]:
    """(key_0, ..., one count per category in Category's order), grouped by the keys, which
    may be columns of the assignments' tasks when `with_task`.

    Counted by (keys, category) in one pass, the category worked out once per assignment;
    then the few resulting rows are turned into one column per category.
    """
    labelled: list[Label[Any]] = [key.label(f"key_{number}") for number, key in enumerate(keys)]
    category = category_at(scope.reference).label("category")
    statement = scoped(select_many(*labelled, category, func.count().label("n")), scope)
    if with_task:
        # The task only: its notice adds nothing to a count (a sixth of the time at 1M).
        statement = statement.join(Task, col(State.task_id) == col(Task.id))
    rows = statement.where(*where).group_by(*labelled, category).subquery("per_category")
    groups = [rows.c[f"key_{number}"] for number in range(len(keys))]
    counts = [
        func.coalesce(func.sum(rows.c.n).filter(rows.c.category == category.value), 0).label(
            category.value
        )
        for category in Category
    ]
    return select_many(*groups, *counts).group_by(*groups)


def for_reporting(session: Session) -> None:
    """On PostgreSQL, plan the rest of this transaction for reports over many rows."""
    if session.get_bind().dialect.name != "postgresql":
        return
    # JIT compiling took longer than the whole scan (0.5 s of 0.9 s over 1M assignments), and
    # with the default 4 MB the planner sorts a million rows on disk to group them.
    session.connection().execute(text("SET LOCAL jit = off"))
    session.connection().execute(text("SET LOCAL work_mem = '64MB'"))


def totals(
    session: Session, *, actor: User, scope: Scope, only_unit_id: int | None = None
) -> Figures:
    """Figures over the whole scope, or over one unit's own assignments (not its subtree)."""
    _check(session, actor)
    where = [] if only_unit_id is None else [col(State.unit_id) == only_unit_id]
    return Figures.from_counts(session.exec(counted(scope, where=where)).one())


def unit_rollup(scope: Scope, unit_ids: Sequence[int] | None = None) -> Select[*tuple[Any, ...]]:
    """(unit_id, one count per category) with each unit's subtree; all units when None."""
    start: Select[Any, Any] = select(
        col(Unit.id).label("ancestor_id"), col(Unit.id).label("unit_id")
    )
    if unit_ids is not None:
        start = start.where(col(Unit.id).in_(unit_ids))
    tree = start.cte("tree", recursive=True)
    tree = tree.union_all(
        select(tree.c.ancestor_id, Unit.id).where(Unit.parent_id == tree.c.unit_id)
    )
    # Count per unit first (one pass over the assignments), then add the counts up the tree.
    per_unit = counted(scope, [col(State.unit_id)]).subquery("per_unit")
    return (
        select_many(
            tree.c.ancestor_id,
            *[func.sum(per_unit.c[category.value]).label(category.value) for category in Category],
        )
        .join(per_unit, per_unit.c.key_0 == tree.c.unit_id)
        .group_by(tree.c.ancestor_id)
    )


def by_unit(
    session: Session, *, actor: User, scope: Scope, unit_ids: Sequence[int] | None = None
) -> dict[int, Figures]:
    """Each unit's figures, its subtree included (a district with its communes)."""
    _check(session, actor)
    return keyed(session.exec(unit_rollup(scope, unit_ids)).all())


def notice_rollup(scope: Scope, dialect: str) -> Select[*tuple[Any, ...]]:
    """(notice id as key_0, one count per category) for every notice with work in `scope`."""
    if dialect != "sqlite":
        # PostgreSQL joins each state row to its task by hashing the tasks once.
        return counted(scope, [col(Task.conclusion_id)], with_task=True)
    # SQLite would look each of a million state rows' task up by its id: counting per task
    # first leaves one look-up per task (2.4 times less work at 1M assignments).
    per_task = counted(scope, [col(State.task_id)]).subquery("per_task")
    notice_id = col(Task.conclusion_id)
    return (
        select_many(
            notice_id.label("key_0"),
            *[func.sum(per_task.c[category.value]).label(category.value) for category in Category],
        )
        .join(per_task, per_task.c.key_0 == col(Task.id))
        .group_by(notice_id)
    )


def by_notice(
    session: Session, *, actor: User, scope: Scope, limit: int | None = None
) -> list[tuple[Conclusion, Figures]]:
    """Each notice with its figures, most overdue first; only the first `limit` if given."""
    _check(session, actor)
    statement = notice_rollup(scope, session.get_bind().dialect.name)
    overdue, notice_id = statement.selected_columns.overdue, statement.selected_columns.key_0
    figures = keyed(session.exec(statement.order_by(overdue.desc(), notice_id).limit(limit)).all())
    notices = {
        notice.id: notice
        for notice in session.exec(select(Conclusion).where(col(Conclusion.id).in_(figures))).all()
    }
    return [(notices[notice_id], counts) for notice_id, counts in figures.items()]


def by_group(session: Session, *, actor: User, scope: Scope) -> list[tuple[str, str, Figures]]:
    """(group number, group title, figures) for the numbered groups of the scope's tasks.

    Meant for one notice: counted per task, then the tasks are added up by group here.
    """
    _check(session, actor)
    keys = [col(Task.group_title), col(Task.code), col(Task.position)]
    rows = session.exec(counted(scope, keys, with_task=True)).all()
    groups: dict[str | None, tuple[int, str, Figures]] = {}
    for title, code, position, *values in sorted(rows, key=lambda row: (row[2], row[1])):
        first, number, figures = groups.get(title, (position, code.split(".")[0], Figures()))
        groups[title] = (first, number, figures + Figures.from_counts(values))
    return [(number, title or "", figures) for title, (_, number, figures) in groups.items()]


def by_period(
    session: Session, *, actor: User, scope: Scope, periods: Sequence[Period]
) -> list[tuple[Period, Figures]]:
    """Figures of the assignments due in each period (the scope's own period is ignored)."""
    _check(session, actor)
    bucket = case(
        *[(col(State.due).between(period.start, period.end), period.code) for period in periods]
    )
    unbounded = Scope(reference=scope.reference, notice_id=scope.notice_id)
    window = col(State.due).between(min(p.start for p in periods), max(p.end for p in periods))
    figures = keyed(session.exec(counted(unbounded, [bucket], where=[window])).all())
    return [(period, figures.get(period.code, Figures())) for period in periods]


@dataclass(frozen=True)
class AssignmentLine:
    """One assignment in a drill-down list, as it stood at the list's reference date."""

    assignment: Assignment
    task: Task
    conclusion: Conclusion
    unit: Unit
    category: Category
    status: str
    percent: int
    due: date | None
    completed_on: date | None

    # The names of a review's ItemLine, so both lists render with one template macro.
    @property
    def assignment_id(self) -> int | None:
        return self.assignment.id


def list_assignments(
    session: Session,
    *,
    actor: User,
    scope: Scope,
    unit_id: int | None = None,
    own_only: bool = False,
    category: Category | None = None,
    page: int = 1,
    per_page: int = 50,
) -> tuple[list[AssignmentLine], int]:
    """One page of the assignments a figure counts, and how many it counts in all.

    `unit_id` takes the unit's subtree, or only the unit's own work when `own_only`.
    """
    _check(session, actor)
    category_column = category_at(scope.reference)
    filters = _line_filters(
        session, category_column, unit_id=unit_id, own_only=own_only, category=category
    )
    total = session.exec(scoped(select(func.count()), scope).where(*filters)).one()
    rows = session.exec(
        scoped(
            select_many(
                Assignment,
                Task,
                Conclusion,
                Unit,
                category_column,
                State.status,
                State.percent,
                State.due,
                State.completed_on,
            ),
            scope,
            with_task=True,
        )
        .join(Assignment, col(State.assignment_id) == Assignment.id)
        .join(Unit, col(State.unit_id) == Unit.id)
        .where(*filters)
        .order_by(
            col(State.due).is_(None),
            col(State.due),
            col(Unit.name),
            col(Task.position),
            col(State.assignment_id),
        )
        .offset((max(page, 1) - 1) * per_page)
        .limit(per_page)
    ).all()
    return _assignment_lines(rows), total


def _line_filters(
    session: Session,
    category_column: ColumnElement[str],
    *,
    unit_id: int | None,
    own_only: bool,
    category: Category | None,
) -> list[ColumnElement[bool]]:
    """The conditions narrowing the lines to a unit's subtree (or own work) and a category."""
    filters: list[ColumnElement[bool]] = []
    if unit_id is not None and own_only:
        filters.append(col(State.unit_id) == unit_id)
    elif unit_id is not None:
        filters.append(col(State.unit_id).in_(unit_scope(session, unit_id)))
    if category is not None:
        filters.append(category_column == category.value)
    return filters


def _assignment_lines(rows: Sequence[tuple[Any, ...]]) -> list[AssignmentLine]:
    """The query's rows as assignment lines, each with its category at the reference date."""
    return [
        AssignmentLine(
            assignment=a,
            task=t,
            conclusion=c,
            unit=u,
            category=Category(name),
            status=status,
            percent=percent,
            due=due,
            completed_on=completed_on,
        )
        for a, t, c, u, name, status, percent, due, completed_on in rows
    ]


def years_with_work(
    session: Session, *, actor: User, today: date, at_most: int = 10
) -> tuple[int, int]:
    """The first and last years that assignments fall due in, today's year included."""
    _check(session, actor)
    first, last = session.exec(select(func.min(Assignment.due), func.max(Assignment.due))).one()
    first_year = min(first.year if first else today.year, today.year)
    last_year = max(last.year if last else today.year, today.year)
    return max(first_year, last_year - at_most + 1), last_year


def keyed(rows: Iterable[Any]) -> dict[Any, Figures]:
    """{key: figures} from rows of (key, one count per category)."""
    return {key: Figures.from_counts(values) for key, *values in rows}
