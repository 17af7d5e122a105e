"""Finding notices, tasks, reports, comments and units by words, within what a person may see.

The database does the matching and the ranking with its own full-text index (migration 0009):
FTS5 with bm25 on SQLite, a tsvector with ts_rank on PostgreSQL. The visibility rules are the
ones of tracker.permissions, written as SQL conditions so that only visible rows are ranked and
counted. Python only loads the few rows shown and cuts their snippets.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from enum import IntEnum
from typing import Any

from sqlalchemy import (
    ColumnClause,
    Select,
    and_,
    bindparam,
    func,
    literal,
    literal_column,
    or_,
    union_all,
)
from sqlalchemy import text as sql_text
from sqlalchemy.sql.elements import ColumnElement
from sqlmodel import Session, col, select

from tracker.accounts.models import User
from tracker.assignments.access import actor_scope
from tracker.assignments.models import Assignment, AssignmentComment, ProgressReport
from tracker.notices.models import Conclusion, NoticeStatus, Task, TaskRole, TaskUnit
from tracker.permissions import can_manage_notices, can_view_all_assignments
from tracker.search.folding import query_terms
from tracker.search.schema import SEARCH_VECTOR_COLUMN, SQLITE_INDEX_TABLE
from tracker.units.models import Unit

DEFAULT_LIMIT = 30


class Kind(IntEnum):
    """What a hit is; the number is also the low bits of the SQLite index's rowid."""

    NOTICE = 1
    TASK = 2
    REPORT = 3
    COMMENT = 4
    UNIT = 5


@dataclass(frozen=True)
class Hit:
    """One result: what it is, its words, and what to link to."""

    kind: Kind
    entity_id: int
    title: str
    text: str
    score: float
    conclusion_id: int | None = None
    assignment_id: int | None = None
    unit_id: int | None = None
    is_draft: bool = False
    withdrawn: bool = False  # a publication taken back: shown, marked, never opened to edit


@dataclass(frozen=True)
class Viewer:
    """What the visibility conditions need to know about the person searching."""

    sees_all: bool
    sees_drafts: bool
    scope: frozenset[int]

    @classmethod
    def of(cls, session: Session, actor: User) -> Viewer:
        return cls(
            sees_all=can_view_all_assignments(actor),
            sees_drafts=can_manage_notices(actor),
            scope=frozenset(actor_scope(session, actor)),
        )

    def supported_tasks(self) -> Select[Any]:
        return select(TaskUnit.task_id).where(
            col(TaskUnit.unit_id).in_(self.scope), col(TaskUnit.role) == TaskRole.SUPPORT
        )

    def visible_tasks(self) -> Any:
        """Tasks a unit may see: assigned to a unit in its scope, or supported by one."""
        assigned = select(Assignment.task_id).where(col(Assignment.unit_id).in_(self.scope))
        return union_all(assigned, self.supported_tasks())

    def notice_condition(self) -> ColumnElement[bool]:
        """Published notices (drafts too for the secretariat); for a unit, those it has
        work in."""
        if self.sees_all:
            if self.sees_drafts:
                return literal(True)
            return col(Conclusion.status) == NoticeStatus.PUBLISHED
        of_visible_tasks = select(Task.conclusion_id).where(col(Task.id).in_(self.visible_tasks()))
        return and_(
            col(Conclusion.status) == NoticeStatus.PUBLISHED,
            col(Conclusion.id).in_(of_visible_tasks),
        )

    def task_condition(self) -> ColumnElement[bool]:
        """Tasks of the notices one may see; for a unit, only its own and supported tasks."""
        if self.sees_all:
            return self.notice_condition()
        return and_(
            col(Conclusion.status) == NoticeStatus.PUBLISHED, col(Task.id).in_(self.visible_tasks())
        )

    def assignment_condition(self) -> ColumnElement[bool]:
        """For reports and comments: the rule of can_view_assignment, on published notices."""
        published = col(Conclusion.status) == NoticeStatus.PUBLISHED
        if self.sees_all:
            return published
        return and_(
            published,
            or_(
                col(Assignment.unit_id).in_(self.scope),
                col(Assignment.task_id).in_(self.supported_tasks()),
            ),
        )


def _visible_rows(
    viewer: Viewer,
) -> list[tuple[Kind, Any, Callable[[Select[*tuple[Any, ...]]], Select[*tuple[Any, ...]]]]]:
    """For each kind: its table, and how to narrow a select over it to the visible rows."""

    def notices(query: Select[*tuple[Any, ...]]) -> Select[*tuple[Any, ...]]:
        return query.where(viewer.notice_condition())

    def tasks(query: Select[*tuple[Any, ...]]) -> Select[*tuple[Any, ...]]:
        return query.join(Conclusion, col(Task.conclusion_id) == Conclusion.id).where(
            viewer.task_condition()
        )

    def units(query: Select[*tuple[Any, ...]]) -> Select[*tuple[Any, ...]]:
        return query.where(col(Unit.is_active).is_(True))

    def of_assignment(table: Any) -> Callable[[Select[*tuple[Any, ...]]], Select[*tuple[Any, ...]]]:
        def narrow(query: Select[*tuple[Any, ...]]) -> Select[*tuple[Any, ...]]:
            return (
                query.join(Assignment, table.assignment_id == Assignment.id)
                .join(Task, col(Assignment.task_id) == Task.id)
                .join(Conclusion, col(Task.conclusion_id) == Conclusion.id)
                .where(viewer.assignment_condition())
            )

        return narrow

    kinds: list[
        tuple[Kind, Any, Callable[[Select[*tuple[Any, ...]]], Select[*tuple[Any, ...]]]]
    ] = [
        (Kind.NOTICE, Conclusion, notices),
        (Kind.TASK, Task, tasks),
        (Kind.UNIT, Unit, units),
    ]
    if viewer.sees_all or viewer.scope:
        kinds.append((Kind.REPORT, ProgressReport, of_assignment(ProgressReport)))
        kinds.append((Kind.COMMENT, AssignmentComment, of_assignment(AssignmentComment)))
    return kinds


def _ranked_postgres(terms: Sequence[str], viewer: Viewer) -> Select[*tuple[Any, ...]]:
    """(kind, id, score) of every visible match: each table's tsvector, one branch per kind."""
    # Every word must match; the last may be the beginning of a word still being typed.
    words = [*terms[:-1], f"{terms[-1]}:*"]
    tsquery = func.to_tsquery(
        literal_column("'simple'::regconfig"), bindparam("search_query", " & ".join(words))
    )
    branches = []
    for kind, table, narrow in _visible_rows(viewer):
        vector: ColumnClause[Any] = literal_column(f"{table.__tablename__}.{SEARCH_VECTOR_COLUMN}")
        # Normalised by the document's length: a short text about the words beats a long one
        # that mentions them once.
        score = func.ts_rank(vector, tsquery, 1)
        branches.append(
            narrow(
                select(literal(int(kind)).label("kind"), table.id, score.label("score")).where(
                    vector.op("@@")(tsquery)
                )
            )
        )
    ranked = union_all(*branches).subquery("ranked")
    return select(ranked.c.kind, ranked.c.id, ranked.c.score)


def _ranked_sqlite(terms: Sequence[str], viewer: Viewer) -> Select[*tuple[Any, ...]]:
    """(kind, id, score) of every visible match: one pass over the FTS5 matches, each kept if
    its row is visible (a primary-key lookup per match, no second pass over the index)."""
    words = [f'"{term}"' for term in terms[:-1]] + [f'"{terms[-1]}"*']
    matches = (
        select(
            literal_column("rowid").label("key"),
            literal_column(f"bm25({SQLITE_INDEX_TABLE})").label("rank"),
        )
        .select_from(sql_text(SQLITE_INDEX_TABLE))
        .where(
            sql_text(f"{SQLITE_INDEX_TABLE} MATCH :search_query").bindparams(
                search_query=" ".join(words)
            )
        )
        .subquery("fts")
    )
    kind = matches.c.key.op("&")(7)
    entity_id = matches.c.key.op(">>")(3)
    visible = [
        and_(kind == int(number), narrow(select(table.id).where(table.id == entity_id)).exists())
        for number, table, narrow in _visible_rows(viewer)
    ]
    return select(
        kind.label("kind"), entity_id.label("id"), (-matches.c.rank).label("score")
    ).where(or_(*visible))


def search(
    session: Session, *, actor: User, query: str, limit: int = DEFAULT_LIMIT
) -> tuple[list[Hit], list[str]]:
    """The best `limit` hits for `query` that `actor` may see, best first; and the words used."""
    terms = query_terms(query)
    if not terms:
        return [], []
    viewer = Viewer.of(session, actor)
    if session.get_bind().dialect.name == "postgresql":
        ranked = _ranked_postgres(terms, viewer).subquery("ranked")
    else:
        ranked = _ranked_sqlite(terms, viewer).subquery("ranked")
    rows = session.exec(
        select(ranked.c.kind, ranked.c.id, ranked.c.score)
        .order_by(ranked.c.score.desc(), ranked.c.kind, ranked.c.id)
        .limit(limit)
    ).all()
    hits = [(Kind(kind), ident, score) for kind, ident, score in rows]
    return _load(session, viewer, hits), terms


def _load(session: Session, viewer: Viewer, ranked: list[tuple[Kind, int, float]]) -> list[Hit]:
    """The hits' rows, in rank order (a handful of primary-key lookups)."""
    wanted: dict[Kind, list[int]] = {}
    for kind, ident, _score in ranked:
        wanted.setdefault(kind, []).append(ident)
    found: dict[tuple[Kind, int], Hit] = {}
    for kind, ids in wanted.items():
        for hit in _LOADERS[kind](session, viewer, ids):
            found[(kind, hit.entity_id)] = hit
    hits = []
    for kind, ident, score in ranked:
        hit = found.get((kind, ident))
        if hit is not None:
            hits.append(replace(hit, score=float(score)))
    return hits


def _notices(session: Session, _viewer: Viewer, ids: list[int]) -> list[Hit]:
    return [
        Hit(
            kind=Kind.NOTICE,
            entity_id=notice.id or 0,
            title=notice.number or "",
            text=notice.title,
            score=0.0,
            conclusion_id=notice.id,
            is_draft=notice.status == NoticeStatus.DRAFT,
            withdrawn=notice.status == NoticeStatus.WITHDRAWN,
        )
        for notice in session.exec(select(Conclusion).where(col(Conclusion.id).in_(ids))).all()
    ]


def _tasks(session: Session, viewer: Viewer, ids: list[int]) -> list[Hit]:
    rows = session.exec(
        select(Task, Conclusion)
        .join(Conclusion, col(Task.conclusion_id) == Conclusion.id)
        .where(col(Task.id).in_(ids))
    ).all()
    own: dict[int, int] = {}
    if not viewer.sees_all:
        # A unit is taken to its own assignment of the task (or, supporting, to a lead's).
        for assignment in session.exec(
            select(Assignment)
            .where(col(Assignment.task_id).in_(ids))
            .order_by(col(Assignment.parent_id).is_not(None), col(Assignment.id))
        ).all():
            mine = assignment.unit_id in viewer.scope
            if mine and (assignment.task_id not in own or own[assignment.task_id] < 0):
                own[assignment.task_id] = assignment.id or 0
            elif assignment.task_id not in own:
                own[assignment.task_id] = -(assignment.id or 0)
    return [
        Hit(
            kind=Kind.TASK,
            entity_id=task.id or 0,
            title=" · ".join(part for part in (notice.number, task.code) if part),
            text=task.text,
            score=0.0,
            conclusion_id=notice.id,
            assignment_id=abs(own[task.id or 0]) if task.id in own else None,
            is_draft=notice.status == NoticeStatus.DRAFT,
            withdrawn=notice.status == NoticeStatus.WITHDRAWN,
        )
        for task, notice in rows
    ]


def _assignment_texts(table: Any, kind: Kind, body: str) -> Any:
    def load(session: Session, _viewer: Viewer, ids: list[int]) -> list[Hit]:
        rows = session.exec(
            select(table, Task, Conclusion, Unit)
            .join(Assignment, table.assignment_id == Assignment.id)
            .join(Task, col(Assignment.task_id) == Task.id)
            .join(Conclusion, col(Task.conclusion_id) == Conclusion.id)
            .join(Unit, col(Assignment.unit_id) == Unit.id)
            .where(table.id.in_(ids))
        ).all()
        return [
            Hit(
                kind=kind,
                entity_id=row.id,
                title=" · ".join(part for part in (notice.number, task.code, unit.name) if part),
                text=getattr(row, body),
                score=0.0,
                conclusion_id=notice.id,
                assignment_id=row.assignment_id,
                unit_id=unit.id,
            )
            for row, task, notice, unit in rows
        ]

    return load


def _units(session: Session, _viewer: Viewer, ids: list[int]) -> list[Hit]:
    return [
        Hit(
            kind=Kind.UNIT,
            entity_id=unit.id or 0,
            title=unit.name,
            text=unit.code,
            score=0.0,
            unit_id=unit.id,
        )
        for unit in session.exec(select(Unit).where(col(Unit.id).in_(ids))).all()
    ]


_LOADERS = {
    Kind.NOTICE: _notices,
    Kind.TASK: _tasks,
    Kind.REPORT: _assignment_texts(ProgressReport, Kind.REPORT, "note"),
    Kind.COMMENT: _assignment_texts(AssignmentComment, Kind.COMMENT, "body"),
    Kind.UNIT: _units,
}
