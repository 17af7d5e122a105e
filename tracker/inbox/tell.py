"""The services' side of the inbox: each change that someone should hear about calls one of
these in its own transaction (tracker/inbox/events.py has the mechanics)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import select
from sqlmodel import Session, SQLModel

from tracker.accounts.models import User
from tracker.assignments.models import ExtensionRequest, ExtensionStatus, ProgressReport
from tracker.inbox import events
from tracker.inbox.models import Topic
from tracker.notify.text import shorten
from tracker.reminders import outbox
from tracker.reminders.texts import render_explanation_request
from tracker.rollups.models import ExplanationRequest
from tracker.units.queries import unit_scope

MESSAGE_LIMIT = 300


@dataclass(frozen=True)
class Facts:
    """What an entry names about one assignment."""

    assignment_id: int
    unit_id: int
    unit: str
    code: str
    notice: str


def facts(session: Session, assignment_ids: Sequence[int]) -> dict[int, Facts]:
    """assignment id -> its unit, task code and notice number (one query)."""
    if not assignment_ids:
        return {}
    assignment, task, conclusion, unit = (
        SQLModel.metadata.tables[name] for name in ("assignment", "task", "conclusion", "unit")
    )
    rows = session.connection().execute(
        select(
            assignment.c.id,
            assignment.c.unit_id,
            unit.c.name,
            task.c.code,
            conclusion.c.number,
            conclusion.c.title,
        )
        .join(task, assignment.c.task_id == task.c.id)
        .join(conclusion, task.c.conclusion_id == conclusion.c.id)
        .join(unit, assignment.c.unit_id == unit.c.id)
        .where(assignment.c.id.in_(sorted(set(assignment_ids))))
    )
    return {
        row[0]: Facts(row[0], row[1], row[2], row[3], row[4] or shorten(row[5], 40)) for row in rows
    }


def _assignment_link(assignment_id: int) -> str:
    return f"{events.ASSIGNMENT_PATH}{assignment_id}"


def extension_requested(session: Session, request: ExtensionRequest) -> None:
    """The secretaries hear of a new extension request."""
    found = facts(session, [request.assignment_id])[request.assignment_id]
    events.enqueue_web(
        session,
        recipients=events.secretaries(session),
        key=f"extension_requested:{request.id}",
        moment=request.requested_at,
        topic=Topic.EXTENSION_REQUESTED,
        params={
            "unit": found.unit,
            "code": found.code,
            "notice": found.notice,
            "due": request.requested_due.isoformat(),
            "assignment_id": request.assignment_id,
        },
        link=events.EXTENSIONS_PATH,
    )


def extension_decided(session: Session, request: ExtensionRequest) -> None:
    """The unit (and whoever asked, if elsewhere) hears the decision."""
    found = facts(session, [request.assignment_id])[request.assignment_id]
    recipients = list(events.unit_people(session, [found.unit_id]))
    if events.is_active(session, request.requested_by_id):
        recipients.append(request.requested_by_id)
    events.enqueue_web(
        session,
        recipients=recipients,
        key=f"extension_decided:{request.id}",
        moment=request.decided_at,
        topic=Topic.EXTENSION_DECIDED,
        params={
            "approved": request.status == ExtensionStatus.APPROVED,
            "code": found.code,
            "notice": found.notice,
            "due": request.requested_due.isoformat(),
            "comment": shorten(request.decision_comment or "", MESSAGE_LIMIT),
            "assignment_id": request.assignment_id,
        },
        link=_assignment_link(request.assignment_id),
    )


def report_submitted(session: Session, report: ProgressReport) -> None:
    """The secretaries hear of a new progress report."""
    found = facts(session, [report.assignment_id])[report.assignment_id]
    events.enqueue_web(
        session,
        recipients=events.secretaries(session),
        key=f"report_submitted:{report.id}",
        moment=report.created_at,
        topic=Topic.REPORT_SUBMITTED,
        params={
            "unit": found.unit,
            "code": found.code,
            "notice": found.notice,
            "percent": report.percent_after,
            "status": report.status_after,
            "note": shorten(report.note or "", MESSAGE_LIMIT),
            "assignment_id": report.assignment_id,
        },
        link=_assignment_link(report.assignment_id),
    )


def explanation_requested(
    session: Session, *, requests: Sequence[ExplanationRequest], asked_unit_id: int, actor: User
) -> None:
    """One entry per person for the whole request, naming the tasks they can answer for:
    the asked unit's people and those of each unit whose work is asked about. People with a
    chat linked also get one chat message with the link to the answer page."""
    if not requests:
        return
    batch_id = requests[0].batch_id or requests[0].id
    by_assignment = facts(session, [request.assignment_id for request in requests])
    units = {found.unit_id for found in by_assignment.values()} | {asked_unit_id}
    people = events.unit_people(session, units)
    scopes = {unit_id: unit_scope(session, unit_id) for unit_id in set(people.values())}
    link = f"{events.EXPLANATION_PATH}{batch_id}"
    message = shorten(requests[0].message, MESSAGE_LIMIT)
    moment = requests[0].requested_at
    key = f"explanation_requested:{batch_id}"
    rows = []
    for user_id, unit_id in people.items():
        codes = sorted(
            (found.code for found in by_assignment.values() if found.unit_id in scopes[unit_id]),
            key=_natural,
        )
        if not codes:
            continue
        params = {"by": actor.full_name, "count": len(codes), "codes": codes, "message": message}
        rows.append(
            events.web_row(
                user_id=user_id,
                key=key,
                day=events.utc_day(moment),
                topic=Topic.EXPLANATION_REQUESTED,
                params=params,
                link=link,
                subject=_subject(Topic.EXPLANATION_REQUESTED, params),
            )
        )
        rows.extend(
            events.chat_rows(
                session,
                recipients=[user_id],
                key=key,
                moment=moment,
                subject=_subject(Topic.EXPLANATION_REQUESTED, params),
                body_for=lambda channel, base_url, codes=codes: render_explanation_request(
                    by=actor.full_name,
                    codes=codes,
                    message=message,
                    url=f"{base_url.rstrip('/')}{link}",
                    channel=channel,
                ),
            )
        )
    outbox.enqueue(session, rows)


def explanation_answered(
    session: Session, *, requests: Sequence[ExplanationRequest], actor: User
) -> None:
    """Whoever asked hears the answers given together, in one entry."""
    if not requests:
        return
    by_assignment = facts(session, [request.assignment_id for request in requests])
    codes = sorted((found.code for found in by_assignment.values()), key=_natural)
    units = sorted({found.unit for found in by_assignment.values()})
    batch_id = requests[0].batch_id or requests[0].id
    for asker in {request.requested_by_id for request in requests}:
        if not events.is_active(session, asker):
            continue
        events.enqueue_web(
            session,
            recipients=[asker],
            key="explanation_answered:" + ",".join(str(r.id) for r in sorted_ids(requests)),
            moment=requests[0].answered_at,
            topic=Topic.EXPLANATION_ANSWERED,
            params={
                "unit": ", ".join(units),
                "count": len(codes),
                "codes": codes,
                "by": actor.full_name,
            },
            link=f"{events.EXPLANATION_PATH}{batch_id}",
        )


def sorted_ids(requests: Sequence[ExplanationRequest]) -> list[ExplanationRequest]:
    return sorted(requests, key=lambda request: request.id or 0)


def _subject(topic: Topic, params: dict[str, object]) -> str:
    from tracker.inbox.wording import vietnamese

    return vietnamese(topic, params)


def _natural(code: str) -> tuple[object, ...]:
    from tracker.reminders.planning import _natural as natural

    return natural(code)
