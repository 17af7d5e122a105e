"""Build .docx notices in tests: typed numbers, or Word automatic numbering from numbering.xml."""

from __future__ import annotations

import io

from docx import Document
from docx.oxml import OxmlElement, parse_xml
from docx.oxml.ns import qn

W_NS = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"

# Roman sections (list 1); "1.", "1.1.", "a)" on three levels of one definition, used by
# list 2 and, restarted at 1 with a startOverride, by list 3.
NUMBERING_XML = f"""<w:numbering xmlns:w="{W_NS}">
  <w:abstractNum w:abstractNumId="10">
    <w:lvl w:ilvl="0"><w:start w:val="1"/><w:numFmt w:val="upperRoman"/>
      <w:lvlText w:val="%1."/></w:lvl>
  </w:abstractNum>
  <w:abstractNum w:abstractNumId="11">
    <w:lvl w:ilvl="0"><w:start w:val="1"/><w:numFmt w:val="decimal"/>
      <w:lvlText w:val="%1."/></w:lvl>
    <w:lvl w:ilvl="1"><w:start w:val="1"/><w:numFmt w:val="decimal"/>
      <w:lvlText w:val="%1.%2."/></w:lvl>
    <w:lvl w:ilvl="2"><w:start w:val="1"/><w:numFmt w:val="lowerLetter"/>
      <w:lvlText w:val="%3)"/></w:lvl>
  </w:abstractNum>
  <w:abstractNum w:abstractNumId="12">
    <w:lvl w:ilvl="0"><w:start w:val="3"/><w:numFmt w:val="decimal"/>
      <w:lvlText w:val="%1/"/></w:lvl>
  </w:abstractNum>
  <w:num w:numId="1"><w:abstractNumId w:val="10"/></w:num>
  <w:num w:numId="2"><w:abstractNumId w:val="11"/></w:num>
  <w:num w:numId="3"><w:abstractNumId w:val="11"/>
    <w:lvlOverride w:ilvl="0"><w:startOverride w:val="1"/></w:lvlOverride></w:num>
  <w:num w:numId="4"><w:abstractNumId w:val="12"/></w:num>
</w:numbering>"""

# (label typed by hand, list id, level, text); list id None = a plain paragraph.
NOTICE = [
    ("", None, 0, "THÔNG BÁO"),
    ("", None, 0, "KẾT LUẬN CỦA BAN TUYÊN GIÁO VÀ DÂN VẬN TỈNH ỦY"),
    ("", None, 0, "về nhiệm vụ trọng tâm quý III năm 2025"),
    ("", None, 0, "Ngày 10/7/2025, Ban họp giao ban; đồng chí Trưởng Ban kết luận như sau:"),
    ("I.", 1, 0, "KẾT QUẢ QUÝ II"),
    ("1.", 2, 0, "Ưu điểm"),
    ("", None, 0, "Các cơ quan đã phối hợp chặt chẽ, nắm chắc tình hình."),
    ("2.", 2, 0, "Hạn chế"),
    ("", None, 0, "Một số báo cáo còn chậm."),
    ("II.", 1, 0, "NHIỆM VỤ QUÝ III"),
    ("1.", 3, 0, "Ban Tuyên giáo và Dân vận Tỉnh ủy"),
    ("a)", 3, 2, "Tham mưu sơ kết quy chế dân chủ; hoàn thành trước ngày 20/8."),
    ("b)", 3, 2, "Chủ trì, phối hợp với Sở Y tế tuyên truyền phòng dịch."),
    ("c)", 3, 2, "Hằng quý tổng hợp dư luận xã hội."),
    ("d)", 3, 2, "Hướng dẫn xây dựng mô hình mới."),
    ("đ)", 3, 2, "Phối hợp với Tỉnh Đoàn tổ chức hội trại; hoàn thành trong tháng 8/2025."),
    ("2.", 3, 0, "Ủy ban MTTQ tỉnh và các tổ chức chính trị - xã hội tỉnh"),
    ("a)", 3, 2, "Vận động quỹ vì người nghèo."),
    ("b)", 3, 2, "Hội Nông dân tỉnh chủ trì hội thi nông dân giỏi."),
    ("3.", 3, 0, "Công an tỉnh"),
    ("3.1.", 3, 1, "Bảo đảm an ninh các sự kiện lớn."),
    ("3.2.", 3, 1, "Phối hợp với Bộ Chỉ huy Quân sự tỉnh diễn tập phòng thủ."),
    ("", None, 0, "Văn phòng Tỉnh ủy theo dõi, đôn đốc thực hiện."),
]


def _number(paragraph, list_id: int, level: int) -> None:
    ppr = paragraph._p.get_or_add_pPr()
    numpr = OxmlElement("w:numPr")
    for tag, value in (("w:ilvl", level), ("w:numId", list_id)):
        element = OxmlElement(tag)
        element.set(qn("w:val"), str(value))
        numpr.append(element)
    ppr.append(numpr)


def build_docx(automatic: bool, rows=NOTICE) -> bytes:
    """The notice as a .docx, numbered by hand or by Word."""
    document = Document()
    for label, list_id, level, text in rows:
        if automatic and list_id is not None:
            _number(document.add_paragraph(text), list_id, level)
        else:
            document.add_paragraph(f"{label} {text}".strip())
    if automatic:
        document.part.numbering_part._element = parse_xml(NUMBERING_XML)
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def build_table_docx(
    header: list[str], rows: list[list[str]], before: list[str], after: list[str] = ()
) -> bytes:
    """A .docx with some paragraphs, one table, then more paragraphs."""
    document = Document()
    for text in before:
        document.add_paragraph(text)
    table = document.add_table(rows=1 + len(rows), cols=len(header))
    for r, values in enumerate([header, *rows]):
        for c, value in enumerate(values):
            table.cell(r, c).text = value
    for text in after:
        document.add_paragraph(text)
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()
