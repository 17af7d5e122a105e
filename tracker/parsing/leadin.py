"""Lead-in sentences: a paragraph that names who carries out the items it announces.

"Đề nghị Thường trực Tỉnh ủy tập trung …, trong đó lưu ý một số nội dung trọng tâm sau:" makes
the standing committee the lead of the items under it that name no actor (CONVENTIONS B2, B3).
The issuer speaking ("… kết luận như sau:", "… ban hành Kế hoạch như sau:") names no actor, and
neither does a request to a generic party ("Bộ Xây dựng yêu cầu các cơ quan, đơn vị:").
"""

from __future__ import annotations

import re

from tracker.parsing.normalize import match_key
from tracker.parsing.roles import Roles, clause_subjects, extract_roles
from tracker.parsing.units import UnitIndex

_ANNOUNCES = re.compile(r":\s*$")
_ISSUER_SPEAKS = re.compile(
    r"kết\s+luận(?!\s+(?:số|\d))|có\s+ý\s+kiến|thông\s+báo|ban\s+hành|xây\s+dựng\s+kế\s+hoạch|"
    r"kế\s+hoạch\s+(?:triển\s+khai|thực\s+hiện)|điện\s*:"
)
_CUE = re.compile(r"(?<!\w)(?:đề\s+nghị|yêu\s+cầu|giao)(?!\w)")
_SENTENCE_END = re.compile(r"[.!?]\s+(?=\S)")


def lead_in_roles(paragraph: str, index: UnitIndex) -> Roles | None:
    """Who the paragraph hands its items to, or None when it names nobody."""
    if not _ANNOUNCES.search(paragraph):
        return None
    ends = [m.end() for m in _SENTENCE_END.finditer(paragraph)]
    sentence = paragraph[ends[-1] if ends else 0 :]
    # "Quán triệt …; căn cứ …, X cụ thể hoá …:" names X in its last clause; "Đề nghị X …;
    # trong đó lưu ý …:" in the sentence as a whole.
    clause = sentence[sentence.rfind(";") + 1 :]
    return _actor(clause, index) or (_actor(sentence, index) if clause != sentence else None)


def _actor(sentence: str, index: UnitIndex) -> Roles | None:
    key = match_key(sentence)
    if _ISSUER_SPEAKS.search(key):
        return None
    roles = extract_roles(sentence, index)
    if roles.names_lead and roles.lead:
        return roles
    if _CUE.search(key):
        return None  # a request to a generic party: nobody in particular
    subjects = clause_subjects(sentence, index)
    return Roles(lead=subjects, names_lead=True) if subjects else None
