"""Who leads (chủ trì) and who supports (phối hợp) a task, from the phrases that say so.

Known unit names are first replaced by placeholders, so the phrase patterns read like the
sentence they match: "Giao ⟨0⟩ chủ trì, phối hợp với ⟨1⟩ và ⟨2⟩ ...". A name merely mentioned
("tham mưu ⟨3⟩", "báo cáo ⟨4⟩", "kiến nghị của ⟨5⟩") sits in no such phrase and is ignored.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from tracker.parsing.categories import CATEGORY_WORDS, spell_out_lists
from tracker.parsing.normalize import strip_marks
from tracker.parsing.units import Mention, UnitIndex, UnitRef, display

_M = r"\ue000\d+\ue001"
# An office holder stands for the office's body (B6): "(các) (đồng chí) Bộ trưởng ⟨Bộ X⟩",
# "Chủ tịch ⟨UBND tỉnh⟩", "các đồng chí bí thư ⟨tỉnh ủy⟩".
_OFFICE = (
    r"(?:(?:phó\s+)?(?:chủ\s+tịch|giám\s+đốc|bí\s+thư|trưởng\s+ban|chánh\s+văn\s+phòng)|"
    r"bộ\s+trưởng|thứ\s+trưởng|thủ\s+trưởng)\s+"
)
_MC = rf"(?:các\s+)?(?:đồng\s+chí\s+)?(?:{_OFFICE})?{_M}"
# Between two names of a list: a comma, "và", "cùng", or a comma left out ("Bộ X Bộ Y").
_JOIN = r"(?:\s*,\s*(?:và\s+)?|\s+và\s+|\s+cùng\s+|\s+(?=(?:các\s+)?\ue000))"
# "các Bộ: ⟨0⟩, ⟨1⟩": the category before a spelled-out list (see categories.py).
_CATEGORY_HEAD = (
    r"(?:(?:(?:chủ\s+tịch\s+)?(?:ủy\s+ban\s+nhân\s+dân|ubnd)\s+)?"
    rf"các\s+(?:{CATEGORY_WORDS})(?:\s*,\s*cơ\s+quan)?\s*:\s*)?"
)
_CHAIN = rf"(?P<chain>{_CATEGORY_HEAD}{_MC}(?:{_JOIN}{_MC})*)"
# "về việc giao X là chủ đầu tư" names what is discussed, not who acts.
_CUE = r"(?<!\w)(?<!việc\s)(?:giao(?:\s+cho)?|đề\s+nghị|yêu\s+cầu|phân\s+công(?:\s+cho)?)\s+"
_CHU_TRI = r"(?:là\s+(?:cơ\s+quan|đơn\s+vị)\s+)?(?:chủ\s+trì|chịu\s+trách\s+nhiệm|làm\s+đầu\s+mối)"
# "phối hợp (chặt chẽ) với Z" and "phối hợp Z" (A9) are not "Y phối hợp": Y acts, Z supports.
_NO_VOI = r"(?!\s+(?:[^\W\d_]+\s+){0,2}với|\s+(?:các\s+)?\ue000)"

_LEAD = [
    re.compile(_CUE + _CHAIN, re.IGNORECASE),  # Giao X / Đề nghị X ...
    re.compile(r"\(\s*(?:giao\s+)?" + _CHAIN + r"\s*thực\s+hiện", re.IGNORECASE),  # (X thực hiện)
]
# "X chủ trì" and "(X chủ trì; Y, Z phối hợp)": the names are the list just before the verb.
_ROLE_VERB = re.compile(
    rf"(?P<lead>{_CHU_TRI})|(?P<support>(?:cùng\s+)?phối\s+hợp{_NO_VOI})", re.IGNORECASE
)
_LIST_START = re.compile(
    r"[.;:(]|(?<!\w)(?:giao(?:\s+cho)?|đề\s+nghị|yêu\s+cầu|do)\s", re.IGNORECASE
)
_ONE_MENTION = re.compile(r"^(?:các\s+)?\ue000(\d+)\ue001$", re.IGNORECASE)
_SUBJECT_BODY = (
    r"\s*(?:(?:về|đối\s+với)(?:\s+phía)?\s+|riêng\s+|đồng\s+chí\s+)?"
    # Atomic: the whole list is the subject, or none of it ("X, Y phối hợp" never leaves X).
    + f"(?>{_CHAIN})"
    + r"(?!\s*,?\s*(?:cùng\s+)?phối\s+hợp"
    + _NO_VOI
    + r"|\s+(?:giao|đề\s+nghị|yêu\s+cầu)\b)"
)
# Generic parties before the named ones: "Các Bộ, cơ quan liên quan và các Tập đoàn: X, Y".
_GENERIC_FIRST = r"(?:các\s+[^\W\d_]+(?:[\s,]+[^\W\d_]+){0,5}\s+và\s+(?=các\s))?"
_SUBJECT = re.compile("^" + _GENERIC_FIRST + _SUBJECT_BODY, re.IGNORECASE)
# A later sentence that opens with a unit names a second lead (CONVENTIONS A4):
# "Tập đoàn X chủ động làm việc … . Ủy ban nhân dân tỉnh Y phối hợp với …".
_FRONT_WORDS = (
    r"(?:quá|khi|trường\s+hợp|nếu|sau\s+khi|căn\s+cứ|trên\s+cơ\s+sở|với\s+vai\s+trò|"
    r"trong\s+quá\s+trình|để)(?!\w)[^.;:]*?,\s*"
)
_LATER_SUBJECT = re.compile(
    rf"(?<=[.!?])\s+(?:{_FRONT_WORDS})?" + _SUBJECT_BODY,
    re.IGNORECASE,
)
# A clause that opens with a unit after a comma: "căn cứ …, Văn phòng X cụ thể hoá …".
_CLAUSE_SUBJECT = re.compile(r"(?:^|(?<=[,;]))\s*(?=\ue000|các\s+\ue000)" + _SUBJECT_BODY)
# A subordinate clause put first, then the subject: "Quá 24 tháng …, Sở X sẽ tổng hợp",
# "với vai trò là chủ đầu tư, Tập đoàn X chủ động …" (A4, B26).
_FRONTED = re.compile(r"^\s*" + _FRONT_WORDS + _SUBJECT_BODY, re.IGNORECASE)
_CLAUSE_SPEAKER = re.compile(
    r"(?:^|(?<=[,;]))\s*" + _CHAIN + r"\s+(?:\([^)]*\)\s*)?"
    r"(?:yêu\s+cầu|đề\s+nghị|giao|chỉ\s+đạo|có\s+ý\s+kiến|thông\s+báo)(?!\w)",
    re.IGNORECASE,
)
# "Về đề nghị …: giao X chủ trì": the topic before the colon names no actor (B24).
_TOPIC = re.compile(r"^\s*về\s[^:]{0,400}:\s*(?=\S)", re.IGNORECASE)
# "phối hợp (chặt chẽ) với Y"; "phối với Y" (a typo a reader forgives); "phối hợp Y" without
# "với" when a known name follows at once (CONVENTIONS A9).
_SUPPORT_AFTER = re.compile(
    r"phối\s+(?:hợp(?:\s+(?:chặt\s+chẽ|tốt|thường\s+xuyên|đồng\s+bộ))?\s+)?với\s+"
    r"|phối\s+hợp\s+(?=(?:các\s+)?\ue000)",
    re.IGNORECASE,
)
# "Cơ quan thực hiện: + X chủ trì, … + Y đăng tải …": each "+" line's unit leads (A3).
_PLUS_SUBJECTS = re.compile(
    r"(?:(?:cơ\s+quan|đơn\s+vị)\s+thực\s+hiện\s*:\s*|(?<=[.;])\s+)\+" + _SUBJECT_BODY,
    re.IGNORECASE,
)
# Field lines (CONVENTIONS A3): "Cơ quan (Đơn vị) chủ trì: X", "Đơn vị phối hợp: Y",
# "Cơ quan thực hiện: X; Y" (all lead, unless the field itself says "X chủ trì").
_FIELD = re.compile(
    r"(?:cơ\s+quan|đơn\s+vị)(?:\s*\(\s*(?:cơ\s+quan|đơn\s+vị)\s*\))?\s+"
    r"(?P<role>chủ\s+trì|phối\s+hợp|thực\s+hiện)\s*:\s*(?P<content>.*?)(?=\s+-\s|[.:]|$)",
    re.IGNORECASE,
)
_ITEM = re.compile(r"(?:các\s+)?\ue000(\d+)\ue001", re.IGNORECASE)
_SEPARATOR = re.compile(r"\s*,\s*(?:và\s+)?|\s+và\s+|\s+cùng\s+", re.IGNORECASE)
_IDS = re.compile(r"\ue000(\d+)\ue001")

# Unknown names: where a phrase says "this one leads" but no known name stands there.
_CUE_UNKNOWN = re.compile(_CUE + r"(?!\ue000|các\s+\ue000)", re.IGNORECASE)
_VERBS = (
    "triển khai|thực hiện|chỉ đạo|xây dựng|tổ chức|hướng dẫn|tham mưu|rà soát|nghiên cứu|"
    "theo dõi|kiểm tra|tổng hợp|báo cáo|đôn đốc|tuyên truyền|phối hợp|chủ trì|tiếp tục|"
    "tập trung|đẩy mạnh|tăng cường|nắm|giải quyết|lãnh đạo|quán triệt|bảo đảm|đảm bảo|"
    "hoàn thành|ban hành|trình|đề xuất|cung cấp|chuẩn bị|vận động|làm|có|sớm|khẩn trương|"
    "chủ động|quan tâm|cập nhật|bố trí|hỗ trợ|thẩm định|xem xét|tiếp thu|giám sát|khảo sát|"
    "đánh giá|sơ kết|tổng kết|kiện toàn|phát động|nâng cao|duy trì|cần|phải|tiến hành|"
    "thường xuyên|kịp thời|định kỳ|hằng|hàng|để|theo|về|đối với|tại|cho|thăm|chăm lo|gửi|"
    "lập|phát huy|đổi mới|rà|chịu"
)
# Matched against the text without diacritics, so that names typed without them end too.
_STOPS = re.compile(rf"[,;:()]|\s+va\s+|\s*(?=\ue000)|\s+(?=(?:{strip_marks(_VERBS)})(?!\w))")
_MULTI_HEADS = tuple(
    strip_marks(head)  # compared without diacritics, like the phrase
    for head in (
        "công an",
        "ủy ban",
        "văn phòng",
        "bộ chỉ huy",
        "bộ đội",
        "trung tâm",
        "liên đoàn",
        "mặt trận",
        "tỉnh đoàn",
        "thường trực",
        "đảng ủy",
        "đảng đoàn",
        "huyện ủy",
        "thành ủy",
        "thị ủy",
        "tỉnh ủy",
        "ban cán sự",
        "chi cục",
        "kho bạc",
        "ngân hàng",
        "tòa án",
        "viện kiểm sát",
        "hội đồng",
        "lực lượng",
        "ubnd",
        "hđnd",
        "mttq",
    )
)
_SINGLE_HEADS = {"ban", "so", "hoi", "phong", "bo", "doan", "cuc", "vien", "truong", "bao", "dai"}
_MAX_NAME_WORDS = 10


@dataclass
class Roles:
    """Units a text names as lead and support, and the names it used that are not known."""

    lead: list[UnitRef] = field(default_factory=list)
    support: list[UnitRef] = field(default_factory=list)
    unknown: list[tuple[str, str]] = field(default_factory=list)  # (name, "lead"/"support")
    guesses: list[tuple[str, UnitRef, float]] = field(default_factory=list)
    names_lead: bool = False  # the text says who leads, even if the name is not known


def unit_like(phrase: str) -> bool:
    """Whether a phrase reads as the name of a body ("Sở Y tế", "Ủy ban nhân dân huyện")."""
    words = phrase.split()
    if not words or not words[0][:1].isupper():
        return False
    plain = strip_marks(phrase.lower())  # heads are compared without diacritics
    if any(plain == head or plain.startswith(head + " ") for head in _MULTI_HEADS):
        return True
    return plain.split()[0] in _SINGLE_HEADS and len(words) > 1 and words[1][:1].isupper()


def _mask(text: str, mentions: list[Mention]) -> str:
    parts, position = [], 0
    for number, mention in enumerate(mentions):
        parts += [text[position : mention.start], f"\ue000{number}\ue001"]
        position = mention.end
    parts.append(text[position:])
    return "".join(parts)


def _phrase_end(masked: str, start: int) -> int:
    plain = strip_marks(masked)
    if len(plain) != len(masked):  # a script whose letters do not strip one for one
        plain = masked
    for stop in _STOPS.finditer(plain, start):
        if stop.start() == start and stop.group().strip() not in ",;:()":
            continue
        after = masked[stop.end() : stop.end() + 1]
        # "và" ends a name only before a known name or a lower-case word: "Sở Giáo dục và
        # Đào tạo" is one name, "Sở Y tế và các địa phương" is two items.
        if stop.group().strip() == "va" and after.isupper():
            continue
        return stop.start()
    return len(masked)


def _phrase_at(masked: str, start: int) -> tuple[str, int]:
    end = _phrase_end(masked, start)
    words = masked[start:end].split()
    return " ".join(words[:_MAX_NAME_WORDS]), end


def _split_names(phrase: str) -> list[str]:
    parts = [part.strip() for part in re.split(r"\s+(?:và|cùng)\s+", phrase)]
    if len(parts) > 1 and all(unit_like(p) or _ONE_MENTION.match(p) for p in parts):
        return parts
    return [phrase]


def _list_before(masked: str, end: int) -> tuple[list[int], list[str]]:
    """The names listed right before a verb, nearest first until something else comes."""
    starts = [m.end() for m in _LIST_START.finditer(masked, 0, end)]
    segment = masked[starts[-1] if starts else 0 : end].strip(" ,+-")
    items = [name for part in re.split(r"\s*,\s*", segment) for name in _split_names(part)]
    ids: list[int] = []
    unknown: list[str] = []
    for item in reversed(items):
        if mention := _ONE_MENTION.match(item):
            ids.append(int(mention.group(1)))
        elif unit_like(item):
            unknown.append(item)
        else:
            break
    return ids[::-1], unknown[::-1]


def extract_roles(text: str, index: UnitIndex) -> Roles:
    """Lead and support units named in one task (or heading) text."""
    if topic := _TOPIC.match(text):
        text = text[topic.end() :]
    text = spell_out_lists(text, index)
    mentions = index.find(text)
    masked = _mask(text, mentions)
    lead_ids: list[int] = []
    unknown_lead: list[str] = []
    for pattern in _LEAD:
        for match in pattern.finditer(masked):
            lead_ids += [int(i) for i in _IDS.findall(match["chain"])]
    for match in _CUE_UNKNOWN.finditer(masked):
        phrase, _ = _phrase_at(masked, match.end())
        if unit_like(phrase):
            unknown_lead += _split_names(phrase)
    support_ids, unknown_support = _support(masked)
    for plus in _PLUS_SUBJECTS.finditer(masked):
        lead_ids += [int(i) for i in _IDS.findall(plus["chain"])]
    for field_match in _FIELD.finditer(masked):
        ids = [int(i) for i in _IDS.findall(field_match["content"])]
        role = field_match["role"].lower()
        if role.startswith("phối"):
            support_ids += ids
        elif role.startswith("chủ") or not _ROLE_VERB.search(field_match["content"]):
            lead_ids += ids
    for match in _ROLE_VERB.finditer(masked):
        ids, unknown = _list_before(masked, match.start())
        if match["lead"]:
            lead_ids, unknown_lead = lead_ids + ids, unknown_lead + unknown
        else:
            support_ids, unknown_support = support_ids + ids, unknown_support + unknown
    if not lead_ids and not unknown_lead:
        if subject := _SUBJECT.match(masked) or _FRONTED.match(masked):
            lead_ids = [int(i) for i in _IDS.findall(subject["chain"])]
        else:
            phrase, _ = _phrase_at(masked, len(masked) - len(masked.lstrip()))
            if unit_like(phrase):
                unknown_lead += _split_names(phrase)
    if lead_ids or unknown_lead:
        # Each later sentence that opens with a unit names one more lead (A4).
        for later in _LATER_SUBJECT.finditer(masked):
            lead_ids += [int(i) for i in _IDS.findall(later["chain"])]
    roles = Roles()
    roles.lead = _unique(mentions[i].ref for i in lead_ids)
    roles.support = _unique(mentions[i].ref for i in support_ids)
    roles.names_lead = bool(lead_ids or unknown_lead)
    for role, phrases in (("lead", unknown_lead), ("support", unknown_support)):
        for phrase in dict.fromkeys(phrases):
            guess = index.guess(phrase)
            if guess:
                (roles.lead if role == "lead" else roles.support).append(guess[0])
                roles.guesses.append((display(phrase), guess[0], guess[1]))
            else:
                roles.unknown.append((display(phrase), role))
    return roles


def clause_subjects(text: str, index: UnitIndex, speaking: bool = False) -> list[UnitRef]:
    """Units that open a clause of `text` as its subject, in order; with `speaking`, only those
    that ask or direct ("…, Ủy ban nhân dân tỉnh yêu cầu …"): the body that issues the text."""
    mentions = index.find(text)
    masked = _mask(text, mentions)
    pattern = _CLAUSE_SPEAKER if speaking else _CLAUSE_SUBJECT
    ids = [int(i) for m in pattern.finditer(masked) for i in _IDS.findall(m["chain"])]
    return _unique(mentions[i].ref for i in ids)


def _support(masked: str) -> tuple[list[int], list[str]]:
    ids: list[int] = []
    unknown: list[str] = []
    for match in _SUPPORT_AFTER.finditer(masked):
        if _nested(masked, match.start()):
            continue
        position = match.end()
        while True:
            if item := _ITEM.match(masked, position):
                ids.append(int(item.group(1)))
                position = item.end()
            else:
                phrase, end = _phrase_at(masked, position)
                if unit_like(phrase):
                    unknown += _split_names(phrase)
                elif not phrase or not phrase[:1].islower() or len(phrase.split()) > 4:
                    break  # not a list item any more: the sentence goes on
                position = end
            separator = _SEPARATOR.match(masked, position)
            if not separator:
                break
            position = separator.end()
    return ids, unknown


# A verb whose object may carry its own "phối hợp với" (CONVENTIONS A9): "chỉ đạo các bộ,
# ngành tiếp tục phối hợp với Bộ X" — Bộ X works with the ministries, not with the task's lead.
_OBJECT_VERB = re.compile(
    r"(?<!\w)(?:chỉ\s+đạo|hướng\s+dẫn|tham\s+mưu|đôn\s+đốc)\s+", re.IGNORECASE
)
_OBJECT_START = re.compile(r"(?:[Cc]ác|[Nn]hững)\s|\ue000")


def _nested(masked: str, position: int) -> bool:
    """Whether a "phối hợp" at `position` sits in the object clause of "chỉ đạo X …"."""
    clause_start = max(masked.rfind(".", 0, position), masked.rfind(";", 0, position)) + 1
    verbs = list(_OBJECT_VERB.finditer(masked, clause_start, position))
    if not verbs:
        return False
    after = masked[verbs[-1].end() : position]
    return bool(_OBJECT_START.match(after)) or after[:1].isupper()


def _unique(refs) -> list[UnitRef]:
    return list(dict.fromkeys(refs))
