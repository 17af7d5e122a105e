"""News-style text: no numbered tasks, so the directive clauses become candidate tasks."""

from __future__ import annotations

import re
from dataclasses import dataclass

from tracker.parsing.normalize import fold_ws, match_key

# Where the speaker starts giving directions; what comes before is the report.
_ANCHOR = re.compile(
    r"phát\s+biểu\s+(?:kết\s+luận|chỉ\s+đạo)|kết\s+luận\s+(?:hội\s+nghị|buổi)|nhấn\s+mạnh|"
    r"lưu\s+ý|(?:thời\s+gian|giai\s+đoạn)\s+tới|(?<!\w)(?:đồng\s+chí|ông|bà)\s[^.]{0,120}"
    r"(?:đề\s+nghị|yêu\s+cầu)"
)
_STRONG = r"đề\s+nghị|yêu\s+cầu|giao|cần|phải|sẽ"
_DIRECTIVE = re.compile(
    rf"(?<!\w)(?:{_STRONG}|tập\s+trung|tiếp\s+tục|đẩy\s+mạnh|tăng\s+cường|chủ\s+động|"
    r"nâng\s+cao|triển\s+khai|thực\s+hiện\s+tốt|quan\s+tâm|rà\s+soát|phấn\s+đấu|chú\s+trọng|"
    r"đổi\s+mới|phối\s+hợp|làm\s+tốt|tổng\s+kết|chỉ\s+đạo|xây\s+dựng|định\s+kỳ|"
    r"(?:hằng|hàng)\s+(?:tháng|quý|năm)|báo\s+cáo\s+kết\s+quả)(?!\w)"
)
_STRONG_RE = re.compile(rf"(?<!\w)(?:{_STRONG})(?!\w)")
_PAST = re.compile(r"(?<!\w)(?:đã|được)(?!\w)")
_CONNECTIVE = re.compile(
    r"^(?:theo\s+đó|đồng\s+thời|cùng\s+đó|cùng\s+với\s+đó|bên\s+cạnh\s+đó|trên\s+cơ\s+sở\s+đó|"
    r"qua\s+đó|trong\s+đó|ngoài\s+ra)\s*,?\s*",
    re.IGNORECASE,
)
_SENTENCE_END = re.compile(r"[.!?…]+[\"”)]*\s+")
_MIN_WORDS = 5


@dataclass
class Clause:
    """One candidate task, and the earlier clause of its paragraph that may name its lead."""

    text: str
    paragraph: int


def _sentences(paragraph: str) -> list[str]:
    parts, start = [], 0
    for match in _SENTENCE_END.finditer(paragraph):
        following = paragraph[match.end() : match.end() + 1]
        if following.isupper() or following in '"“(':
            parts.append(paragraph[start : match.end()].strip())
            start = match.end()
    parts.append(paragraph[start:].strip())
    return [part for part in parts if part]


def _is_directive(sentence: str) -> bool:
    key = match_key(sentence)
    if not _DIRECTIVE.search(key):
        return False
    return not _PAST.search(key) or bool(_STRONG_RE.search(key))


def article_clauses(lines: list[str]) -> list[Clause]:
    """Directive clauses after the point where the speaker starts giving directions."""
    paragraphs = [fold_ws(line) for line in lines if len(line.split()) >= _MIN_WORDS]
    sentences = [(n, s) for n, p in enumerate(paragraphs) for s in _sentences(p)]
    anchor = next((i for i, (_, s) in enumerate(sentences) if _ANCHOR.search(match_key(s))), None)
    clauses = []
    for paragraph, sentence in sentences[anchor or 0 :]:
        # Without a point where directions start, only outright ones count ("cần", "đề nghị").
        if not _is_directive(sentence) or (
            anchor is None and not _STRONG_RE.search(match_key(sentence))
        ):
            continue
        parts = [part.strip() for part in sentence.split(";")]
        if not all(len(part.split()) >= _MIN_WORDS for part in parts):
            parts = [sentence]
        for part in parts:
            if len(parts) > 1 and not _is_directive(part):
                continue
            text = _CONNECTIVE.sub("", part)
            text = text[:1].upper() + text[1:]
            if len(text.split()) >= _MIN_WORDS:
                clauses.append(Clause(text.rstrip(" ."), paragraph))
    return clauses
