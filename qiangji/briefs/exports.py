"""A brief as a Word document in the layout of a government document (title in 小标宋, body in
仿宋 with its East Asian font set, figures as an appendix table) and its figures as Excel."""

import io
from typing import Any

from django.utils import timezone
from docx import Document
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml.ns import qn
from docx.shared import Cm, Pt

from qiangji.briefs.models import WorkBrief
from qiangji.core.exports import workbook_bytes

BODY_FONT = "仿宋_GB2312"
HEADING_FONT = "黑体"
TITLE_FONT = "方正小标宋简体"
SECTION_LABELS = dict(
    theory="理论武装与组织生活", positions="阵地建设", linkage="上下联动", pioneers="头雁培优与先锋队伍",
    reform="自我革新", emerging="新兴领域攻坚",
)  # fmt: skip
FIGURE_HEADERS = ["序号", "类别", "指标", "数值", "单位"]
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


def _font(run: Any, name: str, size: float, *, bold: bool = False) -> None:
    run.font.name = name
    run.font.size = Pt(size)
    run.font.bold = bold
    # Word reads Chinese text from the East Asian attribute; without it Chinese falls back to a Latin font.
    run._element.get_or_add_rPr().get_or_add_rFonts().set(qn("w:eastAsia"), name)


def figure_rows(brief: WorkBrief) -> list[list[Any]]:
    """The appendix rows, exact numbers (a publicity brief's text rounds them; the table does not)."""
    rows = []
    for index, (key, figure) in enumerate(brief.figures.items(), start=1):
        value = figure.get("value", 0)
        rows.append(
            [index, SECTION_LABELS.get(figure.get("section", ""), ""), figure.get("label", key), value, figure.get("unit", "")]
        )
    return rows


def brief_docx(brief: WorkBrief) -> io.BytesIO:
    """The document, ready to send (a BytesIO at position 0)."""
    doc = Document()
    for section in doc.sections:
        # GB/T 9704: A4, margins 37/35/28/26 mm.
        section.top_margin, section.bottom_margin = Cm(3.7), Cm(3.5)
        section.left_margin, section.right_margin = Cm(2.8), Cm(2.6)
    title = doc.add_paragraph()
    title.alignment = WD_ALIGN_PARAGRAPH.CENTER
    _font(title.add_run(brief.title), TITLE_FONT, 22)
    sub = doc.add_paragraph()
    sub.alignment = WD_ALIGN_PARAGRAPH.CENTER
    when = timezone.localtime(brief.issued_at) if brief.issued_at else None
    dated = f"{when:%Y年%-m月%-d日}签发" if when else "（草稿，未签发）"
    _font(sub.add_run(f"统计区间：{brief.start:%Y年%-m月%-d日}至{brief.end:%Y年%-m月%-d日}　{dated}"), BODY_FONT, 14)
    for block in brief.text.split("\n"):
        if not block.strip():
            continue
        paragraph = doc.add_paragraph()
        paragraph.paragraph_format.first_line_indent = Pt(32)
        paragraph.paragraph_format.line_spacing = Pt(28)
        _font(paragraph.add_run(block.strip()), BODY_FONT, 16)
    doc.add_page_break()
    heading = doc.add_paragraph()
    _font(heading.add_run("附表：主要数据"), HEADING_FONT, 16)
    table = doc.add_table(rows=1, cols=len(FIGURE_HEADERS))
    table.style = "Table Grid"
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    for cell, header in zip(table.rows[0].cells, FIGURE_HEADERS, strict=True):
        cell.text = ""
        _font(cell.paragraphs[0].add_run(header), HEADING_FONT, 12)
    for row in figure_rows(brief):
        cells = table.add_row().cells
        for cell, value in zip(cells, row, strict=True):
            cell.text = ""
            _font(cell.paragraphs[0].add_run(str(value)), BODY_FONT, 12)
    buffer = io.BytesIO()
    doc.save(buffer)
    buffer.seek(0)
    return buffer


def brief_xlsx(brief: WorkBrief) -> bytes:
    content, _ = workbook_bytes(title="主要数据", headers=FIGURE_HEADERS, rows=figure_rows(brief))
    return content
