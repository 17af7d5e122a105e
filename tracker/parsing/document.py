"""From the lines of a notice to its ParseResult: the one path every input format takes."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date

from tracker.parsing.actors import listed_actors, names_only_units
from tracker.parsing.article import article_clauses
from tracker.parsing.conclusion import Draft, collect_tasks, group_title
from tracker.parsing.dates import (
    Period,
    deadline_for_all,
    find_deadline,
    names_earlier_period,
    notice_period,
)
from tracker.parsing.errors import ParseError
from tracker.parsing.header import Head, read_head
from tracker.parsing.issuer import find_issuer
from tracker.parsing.leadin import lead_in_roles
from tracker.parsing.normalize import clean_line, fold_ws, match_key
from tracker.parsing.outline import Node, build_outline, classify
from tracker.parsing.recurrence import find_recurrence, mentions_weekly
from tracker.parsing.result import ParsedTask, ParseResult
from tracker.parsing.roles import Roles, clause_subjects, extract_roles
from tracker.parsing.units import UnitIndex, UnitRef, unit_index
from tracker.units.directory import UnitDirectory

# Where the body ends: the recipients, the signature block ("TM. ỦY BAN NHÂN DÂN", "KT. CHỦ
# TỊCH", "T/M BỘ CHÍNH TRỊ") or an annex ("PHỤ LỤC"): nothing after it assigns work (A5).
_RECIPIENTS = re.compile(r"^nơi\s+nhận(?!\w)")
_SIGNATURE = re.compile(r"^(?:TM|T/M|KT|TL|TUQ)\.?\s+[A-ZĐÀ-Ỹ]|^PHỤ\s+LỤC(?!\w)")
_FULL_DATE = re.compile(
    r"(?<!\d)(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})(?!\d)|ngày\s+(\d{1,2})\s+tháng"
    r"\s+(\d{1,2})\s+năm\s+(\d{4})"
)


def _warning(vi: str, en: str) -> str:
    return f"{vi} / {en}"


@dataclass
class _Context:
    """What every task of one notice is resolved against."""

    index: UnitIndex | None
    issuer: UnitRef | None
    year: int | None
    default_due: date | None
    all_items_due: date | None = None  # a closing sentence's deadline for every item (B9)
    heading_roles: dict[int, Roles] = field(default_factory=dict)
    intro: str = ""  # the paragraph before the first item: a letter's or plan's lead-in
    lead_ins: dict[int, Roles | None] = field(default_factory=dict)
    known_roles: dict[str, Roles] = field(default_factory=dict)  # by text: a topic is asked twice

    def roles(self, text: str) -> Roles:
        if self.index is None:
            return Roles()
        if text not in self.known_roles:
            self.known_roles[text] = extract_roles(text, self.index)
        return self.known_roles[text]

    def lead_in(self, headings: list[Node]) -> Roles | None:
        """The nearest announcing paragraph above a task that names its actor."""
        if self.index is None:
            return None
        for heading in headings:
            if id(heading) not in self.lead_ins:
                plain = [line.text for line in heading.trailing if line.kind == "plain"]
                found = lead_in_roles(plain[-1], self.index) if plain and heading.children else None
                self.lead_ins[id(heading)] = found
            if self.lead_ins[id(heading)] is not None:
                return self.lead_ins[id(heading)]
        if 0 not in self.lead_ins:
            self.lead_ins[0] = lead_in_roles(self.intro, self.index) if self.intro else None
        return self.lead_ins[0]

    def roles_of_heading(self, node: Node) -> Roles:
        if id(node) not in self.heading_roles:
            roles = self.roles(node.text)
            actors = (
                []
                if roles.names_lead or self.index is None
                else (listed_actors(self.index, node.text.rstrip(" :")))
            )
            if actors:
                roles = Roles(lead=actors, support=roles.support, names_lead=True)
            self.heading_roles[id(node)] = roles
        return self.heading_roles[id(node)]


def parse_lines(lines: list[str], source: str, directory: UnitDirectory | None) -> ParseResult:
    """Parse a notice given as lines of text (paragraphs, for .docx and .pdf)."""
    lines = [clean_line(line) for line in lines]
    cut = next((n for n, line in enumerate(lines) if _ends_body(line)), None)
    lines = lines[:cut]
    if not any(lines):
        raise ParseError("Tệp không có nội dung", "The file has no text")
    index = unit_index(directory) if directory else None
    head = read_head(lines)
    body = [classify(line) for line in lines[head.body_start :]]
    roots = build_outline(body)
    intro = next(
        (n for n, line in enumerate(body) if line.kind not in ("plain", "blank", "rule")), 0
    )
    plain_intro = [line.text for line in body[:intro] if line.kind == "plain"]
    year = head.issued_on.year if head.issued_on else None
    title_period = notice_period([head.title], year) if head.title else None
    drafts = collect_tasks(
        roots,
        lambda text: names_only_units(index, text) or bool(index and listed_actors(index, text)),
        lambda text: names_earlier_period(text, title_period),
    )
    kind = "conclusion" if drafts else "article"
    if kind == "article":
        head = _article_head(lines)
        year = head.issued_on.year if head.issued_on else None
    headings = [r.text for r in roots if r.kind in ("section", "roman") or r.children]
    period = notice_period([t for t in (head.title, *headings) if t], year)
    year = year or (period.last.year if period else None)
    issuer = _issuer(head, index, plain_intro)
    context = _Context(index, issuer, year, period.last if period else None)
    context.intro = plain_intro[-1] if plain_intro else ""
    if drafts:
        context.all_items_due = deadline_for_all(drafts[-1].text, year)
    warnings = _notice_warnings(kind, index, issuer, period)
    if kind == "conclusion":
        tasks = _conclusion_tasks(context, drafts)
    else:
        tasks = _article_tasks(context, lines[head.body_start :])
    for task in tasks:
        warnings += [f"[{task.code}] {w}" for w in task.warnings]
    return ParseResult(
        source=source,
        kind=kind,
        doc_type=head.doc_type if kind == "conclusion" else "other",
        number=head.number,
        title=head.title,
        issuer=issuer.code if issuer else None,
        issued_on=head.issued_on,
        period=period.key if period else None,
        default_due=context.default_due,
        tasks=tasks,
        warnings=list(dict.fromkeys(warnings)),
    )


def _conclusion_tasks(context: _Context, drafts: list[Draft]) -> list[ParsedTask]:
    """A conclusion's tasks, each read from its numbered item with the headings above it."""
    return [
        _task(
            context,
            draft.code,
            draft.text,
            draft.headings,
            group_title(draft),
            draft.topic,
            draft.block_unit,
        )
        for draft in drafts
    ]


def _issuer(head: Head, index: UnitIndex | None, plain_intro: list[str]) -> UnitRef | None:
    """The issuing body: from the header, else (a copy without its header) the body that
    speaks in the lead-in ("…, Ban Chỉ đạo … yêu cầu …")."""
    issuer = find_issuer(head, index)
    if issuer is None and index is not None and plain_intro:
        speakers = clause_subjects(plain_intro[-1], index, speaking=True)
        speakers = speakers or clause_subjects(plain_intro[-1], index)
        issuer = next(iter(speakers), None)
    return issuer


def _ends_body(line: str) -> bool:
    if _RECIPIENTS.match(match_key(line)):
        return True
    return line.isupper() and bool(_SIGNATURE.match(line))


def _article_head(lines: list[str]) -> Head:
    """A news item's headline and date; there is no document number."""
    texts = [fold_ws(line) for line in lines if fold_ws(line)]
    title = next(
        (
            t
            for t in texts
            if len(t.split()) >= 6
            and not _FULL_DATE.search(match_key(t))
            and not re.search(r"\d{1,2}[/:]\d{1,2}", t)
        ),
        texts[0],
    )
    issued = None
    for text in texts[:8] + texts:
        if match := _FULL_DATE.search(match_key(text)):
            day, month, year = (int(g) for g in match.groups() if g)
            try:
                issued = date(year, month, day)
                break
            except ValueError:
                continue
    return Head(None, title, issued, [title], texts.index(title) + 1 if title in texts else 0)


def _notice_warnings(
    kind: str, index: UnitIndex | None, issuer: UnitRef | None, period: Period | None
) -> list[str]:
    warnings = []
    if kind == "article":
        warnings.append(
            _warning(
                "Văn bản dạng tin bài: các nhiệm vụ chỉ là gợi ý, cần kiểm tra từng dòng",
                "News-style text: the tasks are candidates, each needs review",
            )
        )
    if index is None:
        warnings.append(
            _warning(
                "Không có danh mục đơn vị: chưa xác định đơn vị chủ trì, phối hợp",
                "No unit directory given: lead and support units are left unresolved",
            )
        )
    elif issuer is None:
        warnings.append(
            _warning(
                "Không xác định được cơ quan ban hành", "The issuing body could not be identified"
            )
        )
    if period is None:
        warnings.append(
            _warning(
                "Không xác định được kỳ của thông báo (quý, 6 tháng, năm)",
                "The notice's period (quarter, half-year, year) was not found",
            )
        )
    return warnings


def _article_tasks(context: _Context, lines: list[str]) -> list[ParsedTask]:
    tasks: list[ParsedTask] = []
    last_named: dict[int, Node] = {}  # per paragraph: the latest clause that named a lead
    for number, clause in enumerate(article_clauses(lines), start=1):
        previous = last_named.get(clause.paragraph)
        task = _task(context, str(number), clause.text, [previous] if previous else [], None)
        task.needs_review = True
        tasks.append(task)
        if context.roles(clause.text).names_lead:
            last_named[clause.paragraph] = Node("clause", "", clause.text)
    return tasks


def _task(
    context: _Context,
    code: str,
    text: str,
    headings: list[Node],
    title: str | None,
    topic: str = "",
    block: str = "",
) -> ParsedTask:
    text = fold_ws(text)
    lead, support, found = _task_units(context, text, headings, topic, block)
    warnings, unresolved = _unit_warnings(found)
    review = any(source.unknown or source.guesses for source in found)
    if not lead and not any(source.names_lead for source in found):
        review = True
        if context.issuer is not None:
            lead = [context.issuer]
            warnings.append(
                _warning(
                    "Không thấy đơn vị chủ trì; tạm giao cho đơn vị ban hành "
                    f"({context.issuer.code})",
                    f"no lead unit named; the issuer ({context.issuer.code}) is assumed",
                )
            )
        elif context.index is not None:
            warnings.append(_warning("Không thấy đơn vị chủ trì", "no lead unit named"))
    lead_codes = sorted({code for ref in lead for code in ref.members})
    support_codes = sorted({code for ref in support for code in ref.members} - set(lead_codes))
    due, due_warnings = _task_due(context, text)
    warnings += due_warnings
    review = review or bool(due_warnings) or due is None or not lead_codes
    if mentions_weekly(text):
        warnings.append(
            _warning(
                "Việc lặp lại hằng tuần: hệ thống chỉ nhắc theo tháng, quý, năm",
                "weekly work: recurrence is only monthly, quarterly or yearly",
            )
        )
    return ParsedTask(
        code=code,
        group_title=title,
        text=text,
        lead=lead_codes,
        support=support_codes,
        due=due,
        recurrence=find_recurrence(text),
        needs_review=review,
        warnings=warnings,
        unresolved=unresolved,
    )


def _task_units(
    context: _Context, text: str, headings: list[Node], topic: str, block: str
) -> tuple[list[UnitRef], list[UnitRef], list[Roles]]:
    """Lead and support units of a task, and every reading that named them: the task's own
    words first, then its headings, then the lead-in that announces who acts."""
    # Under a topic line ("3. Xử lý đối với trường hợp chậm triển khai"), its body says who acts.
    topic = fold_ws(topic)
    body = text[len(topic) :].strip() if topic and text.startswith(topic) else ""
    roles = context.roles(body) if body and not context.roles(topic).names_lead else Roles()
    if not roles.names_lead:
        roles = context.roles(text)
    if block and context.index is not None and (actors := listed_actors(context.index, block)):
        # A unit block is led by the units its name line lists (A1), generic ones aside.
        roles = Roles(actors, roles.support, roles.unknown, roles.guesses, names_lead=True)
    lead, support = list(roles.lead), list(roles.support)
    found = [roles]
    if not roles.names_lead:
        for heading in headings:
            inherited = context.roles_of_heading(heading)
            if inherited.names_lead:
                lead, support = list(inherited.lead), support + inherited.support
                found.append(inherited)
                break
    if not any(source.names_lead for source in found):
        announced = context.lead_in(headings)
        if announced is not None:
            lead, support = list(announced.lead), support + announced.support
            found.append(announced)
    return lead, support, found


def _unit_warnings(found: list[Roles]) -> tuple[list[str], list[dict[str, str]]]:
    """Warnings for units not in the directory or only guessed, and the names not resolved."""
    warnings: list[str] = []
    unresolved: list[dict[str, str]] = []
    for source in found:
        for name, role in source.unknown:
            unresolved.append({"name": name, "role": role})
            warnings.append(
                _warning(
                    f"Đơn vị “{name}” không có trong danh mục",
                    f"unit '{name}' is not in the directory",
                )
            )
        for name, ref, score in source.guesses:
            warnings.append(
                _warning(
                    f"Đơn vị “{name}” được hiểu là {ref.name} ({ref.code}), giống {score:.0f}%",
                    f"unit '{name}' read as {ref.name} ({ref.code}), {score:.0f}% similar",
                )
            )
    return warnings, unresolved


def _task_due(context: _Context, text: str) -> tuple[date | None, list[str]]:
    """The task's due date (its own, else the notice's) and the warnings about it."""
    deadline = find_deadline(text, context.year)
    warnings = [_warning(vi, en) for vi, en in deadline.problems]
    fallback = context.default_due or context.all_items_due
    due = deadline.due or (None if deadline.problems else fallback)
    if due is None and not deadline.problems:
        warnings.append(_warning("Không có thời hạn", "no due date"))
    return due, warnings
