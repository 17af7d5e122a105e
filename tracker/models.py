"""Every table, imported in one place so Alembic and the tests see the whole schema."""

from tracker.accounts.models import ChatLink, LoginAttempt, LoginThrottle, User
from tracker.assignments.models import (
    Assignment,
    AssignmentComment,
    AssignmentState,
    EvidenceFile,
    ExtensionRequest,
    ProgressReport,
)
from tracker.audit.models import AuditEvent
from tracker.chat.models import LinkCode, TelegramInbox, WebhookEvent
from tracker.inbox.models import InboxEntry
from tracker.notices.models import Conclusion, NoticeImport, Task, TaskUnit
from tracker.notify.models import ChannelToken
from tracker.notify.shared_rate import rate_bucket
from tracker.reminders.models import OutboxMessage
from tracker.rollups.models import (
    ExplanationRequest,
    Review,
    ReviewComment,
    ReviewFigure,
    ReviewItem,
)
from tracker.units.models import Unit, UnitGroup, UnitGroupMember
from tracker.workdays import CalendarDay

__all__ = [
    "Assignment",
    "AssignmentComment",
    "AssignmentState",
    "AuditEvent",
    "CalendarDay",
    "ChannelToken",
    "ChatLink",
    "Conclusion",
    "EvidenceFile",
    "ExplanationRequest",
    "ExtensionRequest",
    "InboxEntry",
    "LinkCode",
    "LoginAttempt",
    "LoginThrottle",
    "NoticeImport",
    "OutboxMessage",
    "ProgressReport",
    "Review",
    "ReviewComment",
    "ReviewFigure",
    "ReviewItem",
    "Task",
    "TaskUnit",
    "TelegramInbox",
    "Unit",
    "UnitGroup",
    "UnitGroupMember",
    "User",
    "WebhookEvent",
    "rate_bucket",
]
