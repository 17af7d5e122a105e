"""Tasks of a conclusion notice: the leaves of the action part of its outline, with codes."""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass

from tracker.parsing.normalize import match_key
from tracker.parsing.outline import Line, Node

# Headings of the part that reviews past results, not the part that sets work.
_ASSESSMENT = re.compile(
    r"^(?:(?:về|phần)\s+)?(?:(?:những|một\s+số|các)\s+)?(?:kết\s+quả|đánh\s+giá|tình\s+hình|"
    r"ưu\s+điểm|hạn\s+chế|khuyết\s+điểm|tồn\s+tại|nhận\s+xét|thành\s+tích|bối\s+cảnh|"
    r"thuận\s+lợi|khó\s+khăn|(?:công\s+)?việc\s+đã)"
)
# Sections of a plan that describe rather than assign (CONVENTIONS A5): purpose, targets,
# who is concerned, principles, forms, timing, budget, reporting, awards, slogans.
_DESCRIPTIVE = re.compile(
    r"^(?:(?:về|những|một\s+số|các)\s+)*(?:mục\s+(?:đích|tiêu)|yêu\s+cầu|đối\s+tượng|"
    r"nguyên\s+tắc|phương\s+pháp|hình\s+thức|thời\s+gian|thành\s+phần|kinh\s+phí|chế\s+độ\s+báo\s+cáo|"
    r"khen\s+thưởng|số\s+lượng|thủ\s+tục|tiêu\s+chuẩn|khẩu\s+hiệu|lộ\s+trình|phạm\s+vi|"
    r"quan\s+điểm|căn\s+cứ|nội\s+dung(?!\s+(?:trọng\s+tâm|hoạt\s+động|nhiệm\s+vụ|công\s+việc|"
    r"chủ\s+yếu|thực\s+hiện|triển\s+khai)))(?!\w)"
)
_CONTENT = re.compile(r"^(?:(?:về|những|một\s+số|các)\s+)*nội\s+dung(?!\w)")
# Items that record a position rather than set work (B5): "Cơ bản thống nhất với Báo cáo".
_POSITION = re.compile(
    r"^(?:cơ\s+bản\s+)?(?:thống\s+nhất|ghi\s+nhận|chấp\s+thuận|đồng\s+ý|biểu\s+dương|"
    r"hoan\s+nghênh|đánh\s+giá\s+cao)(?!\w)"
)
_ASSIGNS = re.compile(r"(?<!\w)(?:giao|đề\s+nghị|yêu\s+cầu|chủ\s+trì|phân\s+công)(?!\w)")
_ACTION_START = re.compile(r"^(?:tiếp\s+tục|triển\s+khai|thực\s+hiện|hoàn\s+thành)(?!\w)")
# A short numbered line that introduces prose rather than stating a task.
_HEADING_WORDS = re.compile(
    r"^(?:về|đối\s+với|tổ\s+chức\s+thực\s+hiện|kiến\s+nghị|đề\s+xuất|nhiệm\s+vụ|phương\s+hướng|"
    r"giải\s+pháp|kết\s+quả|đánh\s+giá|tình\s+hình|một\s+số|các\s+nhiệm\s+vụ|những)(?!\w)"
)
# How a paragraph that reports rather than sets work opens: "Những kiến nghị …", "Nhìn chung".
_REPORTS = re.compile(
    r"^(?:những|nhìn\s+chung|kết\s+quả|tình\s+hình|thời\s+gian\s+qua|qua\s|hiện\s+nay)(?!\w)"
)
_FIELD_LABEL = re.compile(
    r"^(?:nhiệm\s+vụ|nội\s+dung|cơ\s+quan|đơn\s+vị|thời\s+(?:gian|hạn)|kinh\s+phí|sản\s+phẩm|"
    r"kết\s+quả|lãnh\s+đạo\s+phụ\s+trách|chỉ\s+tiêu)[^:]{0,40}:"
)
_ABOUT = re.compile(r"^(?:về|đối\s+với|riêng)(?!\w)")
_TERMINAL = re.compile(r"[.;!?…]\W*$")
_CLOSING = re.compile(r"^(?:trên\s+đây|nơi\s+nhận|.{0,80}\bthông\s+báo\s+(?:để|cho)\b)")
_HEADING_MAX_WORDS = 15


@dataclass
class Draft:
    """A task before units and dates are resolved."""

    code: str
    text: str
    headings: list[Node]  # enclosing items, nearest first
    section: Node | None  # the Roman section it sits in
    topic: str = ""  # a topic line that opens the text ("Xử lý đối với …"): it names no actor
    block_unit: str = ""  # the name line of a unit block ("1. Công an tỉnh"): it leads (A1)


def collect_tasks(
    roots: list[Node],
    names_only_units: Callable[[str], bool],
    names_past: Callable[[str], bool],
) -> list[Draft]:
    """Tasks of the action part, coded as numbered in the notice.

    `names_past` tells a heading about an earlier period ("Kết quả quý I/2021" in a notice for
    quý II): the review of past results, which comes before the work that is set.
    """
    drafts = _collect(roots, names_only_units, names_past, skip_descriptive=True)
    if not drafts:
        # The only list of jobs sits in a "NỘI DUNG" section: better to offer its items for
        # review than to read the plan as having no task at all.
        drafts = _collect(roots, names_only_units, names_past, skip_descriptive=False)
    _prefix_sections(drafts)
    return drafts


def _collect(
    roots: list[Node],
    names_only_units: Callable[[str], bool],
    names_past: Callable[[str], bool],
    skip_descriptive: bool,
) -> list[Draft]:
    drafts: list[Draft] = []
    in_action = False
    for root in roots:
        if not in_action and _is_assessment(root, names_past):
            continue
        if _describes(root, content_too=skip_descriptive):
            continue
        in_action = True
        _visit(root, drafts, names_only_units)
    return drafts


def _records_a_position(node: Node) -> bool:
    """ "Cơ bản thống nhất với Báo cáo …" records a position; "Đồng ý chủ trương …, giao Sở X
    thực hiện" still assigns work."""
    key = match_key(node.text)
    return bool(_POSITION.match(key)) and not node.children and not _ASSIGNS.search(key)


def _describes(root: Node, content_too: bool = True) -> bool:
    """A section (or top heading) that assigns no work: purpose, targets, budget ...; with
    `content_too`, also a "Nội dung" section that only lists what is done."""
    if root.kind not in ("section", "roman") and not root.children:
        return False
    key = match_key(root.text)
    if not content_too and _CONTENT.match(key):
        return False
    return bool(_DESCRIPTIVE.match(key))


def _is_assessment(root: Node, names_past: Callable[[str], bool]) -> bool:
    prose_heading = (
        root.kind in ("section", "roman")
        or bool(root.children)
        or any(line.kind == "plain" for line in root.trailing)
    )
    key = match_key(root.text)
    past = names_past(root.text) and not _ACTION_START.match(key)
    return prose_heading and (bool(_ASSESSMENT.match(key)) or past)


def _visit(node: Node, drafts: list[Draft], names_only_units: Callable[[str], bool]) -> None:
    if node.kind in ("number", "letter", "paren") and _records_a_position(node):
        return
    if node.children and node.kind in ("number", "letter", "paren") and _fields_only(node):
        # "a) Nhiệm vụ: … b) Cơ quan thực hiện: … c) Thời gian thực hiện: …" (CONVENTIONS A2).
        text = " ".join([_full_text(node)] + [f"{c.label}) {_full_text(c)}" for c in node.children])
        drafts.append(Draft(_code(node), text, node.ancestors(), _section(node)))
        return
    if node.children:
        for child in node.children:
            _visit(child, drafts, names_only_units)
        return
    if node.kind in ("number", "letter", "paren") and _unit_block(node, names_only_units):
        draft = Draft(_code(node), _block_text(node), node.ancestors(), _section(node))
        draft.block_unit = node.text.rstrip(" :")
        drafts.append(draft)
        return
    bullets = _leading_bullets(node)
    if node.kind in ("section", "roman") or _topic_without_work(node, names_only_units):
        # A section with dash items and nothing numbered under it: the dashes are its tasks.
        base = _code(node) if node.kind in ("number", "letter", "paren") else ""
        for number, line in enumerate(bullets, start=1):
            code = f"{base}.{number}" if base else str(number)
            drafts.append(Draft(code, line.text, [node, *node.ancestors()], _section(node)))
        return
    topic = node.text if _short_line(node) else ""
    drafts.append(Draft(_code(node), _full_text(node), node.ancestors(), _section(node), topic))


def _fields_only(node: Node) -> bool:
    """Whether every lettered child is a field of the item rather than a job of its own."""
    children = node.children
    return (
        len(children) >= 2
        and all(c.kind == "letter" and not c.children for c in children)
        and all(_FIELD_LABEL.match(match_key(c.text)) for c in children)
    )


def _unit_block(node: Node, names_only_units: Callable[[str], bool]) -> bool:
    """A numbered line that is only a unit's name, with its content below (CONVENTIONS A1).

    "1. Công an tỉnh" with dash bullets or a paragraph is one task led by that unit. A heading
    about a unit ("Đối với Sở Y tế:") keeps its bullets as separate tasks (../README.md).
    """
    text = node.text.rstrip(" :")
    if not node.trailing or _ABOUT.match(match_key(text)):
        return False
    return len(text.split()) <= _HEADING_MAX_WORDS and names_only_units(text)


def _block_text(node: Node) -> str:
    """A unit block's text: the name, its bullets and paragraphs, up to a closing paragraph."""
    text = node.text
    for n, line in enumerate(node.trailing):
        if line.kind == "dash":
            text += f" {line.label} {line.text}"
        elif n == 0 or not _closing_after_block(node, n):
            text += f" {line.text}"
        else:
            break
    return text


def _closing_after_block(node: Node, position: int) -> bool:
    """A paragraph after the bullets of the section's last item closes the section."""
    later = node.trailing[position:]
    last_item = node.parent is None or node.parent.children[-1] is node
    return (
        last_item
        and all(line.kind == "plain" for line in later)
        and (
            bool(_CLOSING.match(match_key(later[0].text)))
            or node.trailing[position - 1].kind == "dash"
        )
    )


def _leading_bullets(node: Node) -> list[Line]:
    bullets = []
    for line in node.trailing:
        if line.kind != "dash":
            break
        bullets.append(line)
    return bullets


def _topic_without_work(node: Node, names_only_units: Callable[[str], bool]) -> bool:
    """A topic line whose paragraph reports rather than sets work ("3. Về các kiến nghị" +
    "Những kiến nghị thuộc thẩm quyền … đã được xem xét"). With dash bullets, or a paragraph
    that sets work, the item is one task (CONVENTIONS A1, p13)."""
    if not _heading_like(node, names_only_units) or names_only_units(node.text.rstrip(" :")):
        return False
    first = node.trailing[0]
    return first.kind == "plain" and bool(_REPORTS.match(match_key(first.text)))


def _short_line(node: Node) -> bool:
    """A short numbered line without a full stop, with its content below it."""
    text = node.text.rstrip()
    return (
        bool(node.trailing)
        and len(text.split()) <= _HEADING_MAX_WORDS
        and not _TERMINAL.search(text)
    )


def _heading_like(node: Node, names_only_units: Callable[[str], bool]) -> bool:
    """A numbered line that only names a topic or a unit, followed by its own content."""
    if not node.trailing:
        return False
    text = node.text.rstrip()
    short = len(text.split()) <= _HEADING_MAX_WORDS and not _TERMINAL.search(text)
    topic = bool(_HEADING_WORDS.match(match_key(text))) or text.isupper()
    return short and (topic or names_only_units(text.rstrip(": ")))


def _full_text(node: Node) -> str:
    """The item's text with its dash bullets and the lines that continue it.

    A paragraph between two items continues the item above (CONVENTIONS A18); after the last
    item of its list, only a line that continues the last sentence belongs to it.
    """
    text = node.text
    for line in node.trailing:
        if line.kind == "dash":
            text += f" {line.label} {line.text}"
        elif _continues(text, line.text) or (
            not node.last and not _CLOSING.match(match_key(line.text))
        ):
            text += f" {line.text}"
        else:
            break
    return text


def _continues(text: str, line: str) -> bool:
    # A paragraph break in the middle of a sentence (a converted or re-flowed file) joins;
    # after a full stop, an unnumbered paragraph is the notice's own prose, not the task.
    if _TERMINAL.search(text) or line.isupper() or line.startswith("("):
        return False
    return not _CLOSING.match(match_key(line))


def _code(node: Node) -> str:
    if node.kind == "paren":
        parent = next((a for a in node.ancestors() if a.kind in ("number", "letter")), None)
        return f"{_code(parent)}.{node.label}" if parent else node.label
    if node.kind == "letter":
        parent = next((a for a in node.ancestors() if a.kind == "number"), None)
        return f"{parent.label}.{node.label}" if parent else node.label
    return node.label


def _section(node: Node) -> Node | None:
    return next((a for a in [node, *node.ancestors()] if a.kind == "roman"), None)


def _prefix_sections(drafts: list[Draft]) -> None:
    """Codes repeated across Roman sections get the section as prefix ("II.1", "III.1")."""
    counts = Counter(d.code for d in drafts)
    sections = {id(d.section) for d in drafts if d.section is not None}
    if len(sections) > 1 and any(n > 1 for n in counts.values()):
        for draft in drafts:
            if draft.section is not None:
                draft.code = f"{draft.section.label}.{draft.code}"


def group_title(draft: Draft) -> str | None:
    """The nearest heading's text, without its colon."""
    if not draft.headings:
        return None
    return draft.headings[0].text.rstrip(" :")
